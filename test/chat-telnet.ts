import t from 'tap'
import { TelnetCommandFilter } from '../src/chat/chat-telnet.js'

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map(p => typeof p === 'string' ? Buffer.from(p) : Buffer.from(p)))

t.test('PuTTY\'s opening negotiation, a window-size subnegotiation and IAC IP are removed; text stays', async t => {
  const filter = new TelnetCommandFilter()
  const putty = [0xff, 0xfb, 0x1f, 0xff, 0xfb, 0x20, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x27, 0xff, 0xfd, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03]
  t.equal(filter.push(bytes(putty, 'ana\r\n')).toString(), 'ana\r\n')
  // NAWS 80x10: the height byte is 0x0a, a newline — it must not end a line.
  t.equal(filter.push(bytes('ho', [0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x0a, 0xff, 0xf0], 'la', [0xff, 0xf4], '\n')).toString(), 'hola\n')
})

t.test('commands split across chunks are still removed; IAC IAC is one 0xFF data byte', async t => {
  const filter = new TelnetCommandFilter()
  const stream = bytes('a', [0xff, 0xfd, 0x01], 'b', [0xff, 0xfa, 0x18, 0x00, 0x41, 0xff, 0xff, 0x42, 0xff, 0xf0], 'c', [0xff, 0xff], 'd')
  const out = Buffer.concat([...stream].map(byte => filter.push(Buffer.from([byte]))))
  t.same([...out], [...bytes('ab', 'c', [0xff], 'd')])
})

t.test('a subnegotiation that never ends gives up after a bounded number of bytes', async t => {
  const filter = new TelnetCommandFilter()
  t.equal(filter.push(bytes([0xff, 0xfa, 0x18], 'x'.repeat(512))).length, 0)
  t.equal(filter.push(bytes('after\n')).toString(), 'after\n')
})
