import t from 'tap'
import { createSocket } from 'node:dgram'
import { createRequire } from 'node:module'
import { Readable } from 'node:stream'
import { encodeSeq, parseSeq, seqPrefixBytes } from '../src/core/seq-prefix.js'
import { datagramLines, udpSend, type UdpSendEvent } from '../src/clients/udp-send.js'
import { readSnmp } from '../src/net/snmp.js'
import { answersFromAnotherPort, rawServer } from './fixtures/udp.js'
import { freeUdpPort } from './fixtures/port.js'

/** A raw UDP server on a free loopback port whose replies the test decides. */

const collect = async <T>(source: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = []
  for await (const item of source) out.push(item)
  return out
}

t.test('seq prefix: encode and parse round trip', async t => {
  const datagram = encodeSeq(42, 'hola mundo')
  t.equal(datagram.toString(), 'seq=42 hola mundo')
  t.equal(seqPrefixBytes(42), 'seq=42 '.length)
  const parsed = parseSeq(datagram)
  t.equal(parsed?.seq, 42)
  t.equal(parsed?.payload.toString(), 'hola mundo')
  t.same(parseSeq(encodeSeq(7))?.payload.length, 0, 'an empty payload keeps its space')
  // what a Python receiver does: int(data.split(b' ', 1)[0][4:])
  t.equal(Number(datagram.toString().split(' ', 1)[0]!.slice(4)), 42)
})

t.test('seq prefix: anything else is not numbered', async t => {
  for (const text of ['hola', 'seq=', 'seq=1', 'seq= x', 'seq=1x hola', 'SEQ=1 x', ' seq=1 x', 'seq=1234567890123456 x']) {
    t.equal(parseSeq(Buffer.from(text)), undefined, JSON.stringify(text))
  }
  t.throws(() => encodeSeq(-1), RangeError)
})

t.test('datagramLines: one message per line, newline not included', async t => {
  const lines = await collect(datagramLines(Readable.from([Buffer.from('uno\ndo'), Buffer.from('s\n\ntres\r\n'), Buffer.from('cuatro')])))
  t.same(lines.map(l => Buffer.from(l as Uint8Array).toString()), ['uno', 'dos', '', 'tres', 'cuatro'])
  t.same(await collect(datagramLines(Readable.from([Buffer.from('a\n')]))), [Buffer.from('a')], 'no empty message after a final newline')
})

t.test('datagramLines: CRLF ends a line like LF (the \\r is not sent); any other \\r is kept', async t => {
  const text = (chunks: string[]) => collect(datagramLines(Readable.from(chunks.map(c => Buffer.from(c)))))
    .then(lines => lines.map(l => Buffer.from(l as Uint8Array).toString()))
  t.same(await text(['hola\r\nmundo\r\n']), ['hola', 'mundo'], 'Windows line endings')
  t.same(await text(['hola\r', '\nmundo\r', '\n']), ['hola', 'mundo'], 'a \\r\\n split across chunks')
  t.same(await text(['\r\n']), [''], 'an empty CRLF line is an empty datagram')
  t.same(await text(['a\r\r\n']), ['a\r'], 'only one \\r is part of the line ending')
  t.same(await text(['a\rb\n', 'c\r']), ['a\rb', 'c\r'], 'a \\r not before \\n is data, at the end of input too')
})

t.test('datagramLines: the limit counts the line without its \\r\\n', async t => {
  const x = (n: number) => 'x'.repeat(n)
  const lines = await collect(datagramLines(Readable.from([Buffer.from(`${x(150)}\r\n${x(151)}\r\n${x(150)}\r`), Buffer.from(`${x(1)}\n`)]), 150))
  t.same(lines, [Buffer.from(x(150)), { discardedBytes: 151 }, { discardedBytes: 152 }])
})

t.test('nothing to send: no wait, and nothing sent', async t => {
  const server = await rawServer(t, () => {})
  const events: UdpSendEvent[] = []
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: datagramLines(Readable.from([])), waitMs: 2000, onEvent: e => events.push(e) })
  t.equal(result.sent, 0)
  t.notOk(events.some(e => e.type === 'waiting'), 'no reply can come, so there is nothing to wait for')
})

t.test('datagramLines: a line over the limit is replaced by its length', async t => {
  const long = Buffer.alloc(300, 0x78)
  const lines = await collect(datagramLines(Readable.from([Buffer.from('a\n'), long.subarray(0, 100), long.subarray(100), Buffer.from('\nb')]), 150))
  t.same(lines, [Buffer.from('a'), { discardedBytes: 300 }, Buffer.from('b')])
})

t.test('collects every reply when the server answers each datagram twice', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    socket.send(data, from.port, from.address)
    socket.send(data, from.port, from.address)
  })
  const replies: Buffer[] = []
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola')], count: 3, seq: true, waitMs: 1000,
    onEvent: e => { if (e.type === 'reply') replies.push(e.data) },
  })
  t.equal(result.sent, 3)
  t.equal(result.replies, 6)
  t.equal(replies.length, 6)
  t.match(result.seq, { sent: 3, matched: 3, lost: 0, duplicates: 3, reordered: 0 })
  t.same(server.received.map(d => d.toString()), ['seq=1 hola', 'seq=2 hola', 'seq=3 hola'])
})

t.test('--seq analysis: a lost reply and a reordered one', async t => {
  let held: { data: Buffer; port: number; address: string } | undefined
  const server = await rawServer(t, (data, from, socket) => {
    const seq = parseSeq(data)!.seq
    if (seq === 2) return // lost
    if (seq === 3) { held = { data, port: from.port, address: from.address }; return }
    socket.send(data, from.port, from.address)
    // 3's reply goes out after 4's: it arrives late
    if (seq === 4 && held) socket.send(held.data, held.port, held.address)
  })
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count: 4, seq: true, waitMs: 1000 })
  t.match(result.seq, { sent: 4, matched: 3, lost: 1, lostSeqs: [2], duplicates: 0, reordered: 1, unnumbered: 0 })
})

t.test('--size pads with dots; a longer message is not sent; a size over the limit is refused', async t => {
  const server = await rawServer(t, () => {})
  const events: UdpSendEvent[] = []
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola'), Buffer.from('far too long for ten')], sizeBytes: 10, waitMs: 0,
    onEvent: e => events.push(e),
  })
  t.equal(result.sent, 1)
  t.equal(result.notSent, 1)
  t.match(events.find(e => e.type === 'not-sent'), { messageIndex: 2, bytes: 20, limitBytes: 10, reason: 'over-size' })
  await t.resolves(async () => { while (server.received.length < 1) await new Promise(r => setTimeout(r, 5)) })
  t.equal(server.received[0]!.toString(), 'hola......')
  await t.rejects(udpSend({ host: '127.0.0.1', port: server.port, messages: [], sizeBytes: 65508 }), { code: 'ERR_SOCKKIT_INVALID_ARG', limitBytes: 65507 })
})

t.test('a message over the UDP limit is reported, not silently dropped', async t => {
  const server = await rawServer(t, () => {})
  const events: UdpSendEvent[] = []
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.alloc(65508), { discardedBytes: 100_000 }, Buffer.alloc(65507)], waitMs: 0,
    onEvent: e => events.push(e),
  })
  t.equal(result.notSent, 2)
  t.equal(result.sent, 1, 'exactly 65507 bytes fits over IPv4')
  t.same(events.filter(e => e.type === 'not-sent').map(e => e.type === 'not-sent' && [e.messageIndex, e.bytes, e.reason]),
    [[1, 65508, 'over-udp-limit'], [2, 100_000, 'over-udp-limit']])
})

t.test('nothing listening: the ICMP port unreachable becomes ECONNREFUSED', async t => {
  const port = await freeUdpPort()
  await t.rejects(udpSend({ host: '127.0.0.1', port, messages: [Buffer.from('anyone?')], waitMs: 5000 }),
    { code: 'ECONNREFUSED', host: '127.0.0.1', port })
})

t.test('an AbortSignal ends the wait and returns what was collected', async t => {
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const controller = new AbortController()
  let replies = 0
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola')], waitMs: 60_000, signal: controller.signal,
    onEvent: e => { if (e.type === 'reply' && ++replies === 1) controller.abort() },
  })
  t.equal(result.aborted, true)
  t.equal(result.replies, 1)
})

t.test('an AbortSignal also ends a wait for more input', async t => {
  const server = await rawServer(t, () => {})
  const controller = new AbortController()
  async function * slowInput () {
    yield Buffer.from('first')
    await new Promise(() => {}) // stdin that never sends another line
  }
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: slowInput(), signal: controller.signal,
    onEvent: e => { if (e.type === 'sent') controller.abort() },
  })
  t.match(result, { aborted: true, sent: 1 })
})

t.test('bad options are refused with a code', async t => {
  await t.rejects(udpSend({ host: '127.0.0.1', port: 0, messages: [] }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  await t.rejects(udpSend({ host: '127.0.0.1', port: 9, messages: [], intervalMs: 5, ratePerSecond: 5 }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('replies the kernel dropped in our own receive buffer are counted (Linux RcvbufErrors)', async t => {
  if ((await readSnmp()) === undefined) return t.plan(0, 'no /proc/net/snmp here')
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  // 2000 datagrams sent back to back: udpSend reads no reply until the burst is out, and an
  // 8 KiB buffer holds a handful of echoes, so the kernel must drop most of them.
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count: 2000, seq: true, waitMs: 500, recvBufferSize: 4096,
  })
  t.ok(result.recvBufferSize >= 4096, `granted ${result.recvBufferSize}`)
  t.ok(result.seq!.lost! > 0, `lost ${result.seq!.lost}`)
  // Machine-wide, so at least our own drops; loopback loses nothing else.
  t.ok(result.kernelDrops! >= result.seq!.lost!, `kernelDrops ${result.kernelDrops} >= lost ${result.seq!.lost}`)
  t.ok(result.kernelInErrors! >= result.kernelDrops!, 'InErrors includes RcvbufErrors')
})

t.test('a receive buffer the kernel refuses (macOS over kern.ipc.maxsockbuf): the run goes on with the default, and ready says why', async t => {
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const defaultBytes = probe.getRecvBufferSize()
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const { install } = createRequire(import.meta.url)('./fixtures/refuse-rcvbuf.cjs') as { install: (limitBytes: number) => () => void }
  t.teardown(install(1_000_000))
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const events: UdpSendEvent[] = []
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola')], waitMs: 300, recvBufferSize: 8_000_000,
    onEvent: e => events.push(e),
  })
  t.match(events[0], { type: 'ready', requestedRecvBufferSize: 8_000_000, recvBufferRefused: 'ENOBUFS', recvBufferSize: defaultBytes })
  t.match(result, { sent: 1, replies: 1, recvBufferSize: defaultBytes })
})

t.test('a reply from another port: not heard by default, heard and flagged with anySource', async t => {
  const { port, replierPort } = await answersFromAnotherPort(t)
  const connected = await udpSend({ host: '127.0.0.1', port, messages: [Buffer.from('hola')], waitMs: 300 })
  t.match(connected, { connected: true, sent: 1, replies: 0, repliesFromOthers: 0 })
  const replies: UdpSendEvent[] = []
  const events: UdpSendEvent[] = []
  const any = await udpSend({
    host: '127.0.0.1', port, messages: [Buffer.from('hola')], waitMs: 1000, anySource: true,
    onEvent: e => { events.push(e); if (e.type === 'reply') replies.push(e) },
  })
  t.match(any, { connected: false, sent: 1, replies: 1, repliesFromOthers: 1 })
  t.match(replies[0], { remotePort: replierPort, fromTarget: false })
  t.equal(replies[0]!.type === 'reply' && replies[0]!.data.toString(), 'recibido: hola')
  t.match(events[0], { type: 'ready', connected: false, remotePort: port })
})

t.test('anySource: a reply from the target itself is fromTarget', async t => {
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const replies: UdpSendEvent[] = []
  const result = await udpSend({
    host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola')], waitMs: 1000, anySource: true,
    onEvent: e => { if (e.type === 'reply') replies.push(e) },
  })
  t.match(result, { replies: 1, repliesFromOthers: 0 })
  t.match(replies[0], { fromTarget: true })
})

t.test('--seq: replies without numbers cannot tell loss (lost is null, not 100 %)', async t => {
  const server = await rawServer(t, (_data, from, socket) => socket.send('ok', from.port, from.address))
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count: 3, seq: true, waitMs: 1000 })
  t.equal(result.replies, 3)
  t.match(result.seq, { sent: 3, matched: 0, lost: null, lostSeqs: [], unnumbered: 3 })
})

t.test('--seq: some numbered, some not — loss is judged from the numbered replies', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    const seq = parseSeq(data)!.seq
    if (seq === 1) socket.send(data, from.port, from.address)
    if (seq === 2) socket.send('ok', from.port, from.address)
  })
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count: 3, seq: true, waitMs: 500 })
  t.match(result.seq, { sent: 3, matched: 1, lost: 2, lostSeqs: [2, 3], unnumbered: 1 })
})

t.test('--seq: no reply at all is loss of every number', async t => {
  const server = await rawServer(t, () => {})
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('x')], count: 2, seq: true, waitMs: 100 })
  t.match(result.seq, { sent: 2, matched: 0, lost: 2, lostSeqs: [1, 2] })
})

t.test('port unreachable: the error carries the result so far', async t => {
  const port = await freeUdpPort()
  const err = await udpSend({ host: '127.0.0.1', port, messages: [Buffer.from('anyone?')], waitMs: 5000 }).catch((e: unknown) => e)
  t.match(err, { code: 'ECONNREFUSED', result: { sent: 1, replies: 0, remotePort: port, connected: true } })
})

t.test('a bad receive buffer size is refused with a code', async t => {
  await t.rejects(udpSend({ host: '127.0.0.1', port: 9, messages: [], recvBufferSize: 0 }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('a burst reads replies as it goes, so its own receive buffer is drained during the burst', async t => {
  // The echo runs in its own process (a same-process echo would share our event loop).
  const { spawn } = await import('node:child_process')
  const child = spawn(process.execPath, ['-e', `
    const s = require('node:dgram').createSocket('udp4')
    s.on('message', (m, r) => s.send(m, r.port, r.address))
    s.bind(0, '127.0.0.1', () => { try { s.setRecvBufferSize(4 * 1024 * 1024) } catch {} ; console.log(s.address().port) })
    process.stdin.on('end', () => process.exit(0)).resume()
  `], { stdio: ['pipe', 'pipe', 'inherit'] })
  t.teardown(() => { child.stdin.end(); child.kill() })
  const port = await new Promise<number>(resolve => child.stdout.once('data', d => resolve(Number(String(d).trim()))))
  const sent = 3000
  // The order of events is the mechanism: Node completes UDP sends without polling for
  // input, so a burst that never yields handles its first reply only after its last send
  // (and the kernel drops what its buffer cannot hold meanwhile: 1,401 of 3,000 came back
  // in one measured run). Reading every 16 sends, replies are handled during the burst.
  // (How many come back depends on the machine's load, so it is reported, not asserted.)
  const order: Array<'sent' | 'reply'> = []
  const result = await udpSend({
    host: '127.0.0.1', port, messages: [Buffer.from('hola')], count: sent, seq: true, waitMs: 1000,
    onEvent: e => { if (e.type === 'sent' || e.type === 'reply') order.push(e.type) },
  })
  t.equal(result.sent, sent)
  const firstReply = order.indexOf('reply')
  const lastSend = order.lastIndexOf('sent')
  t.ok(firstReply !== -1 && firstReply < lastSend, `the first reply was handled after ${firstReply} sends, before the last of ${sent}`)
  t.comment(`${result.replies} of ${sent} replies came back (kernel drops on this machine during the run: ${result.kernelDrops})`)
})

t.test('anySource to a loopback target binds loopback, not every address', async t => {
  const server = createSocket('udp4')
  await new Promise<void>(resolve => server.bind(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  server.on('message', (data, from) => {
    // Answer from a new socket, as the classroom Java server does.
    const other = createSocket('udp4')
    other.send(data, from.port, from.address, () => other.close())
  })
  let ready: Extract<UdpSendEvent, { type: 'ready' }> | undefined
  const result = await udpSend({
    host: '127.0.0.1', port: server.address().port, messages: [Buffer.from('hola')], anySource: true, waitMs: 300,
    onEvent: e => { if (e.type === 'ready') ready = e },
  })
  t.equal(ready?.localAddress, '127.0.0.1', 'bound to loopback: nothing off this machine can reach it')
  t.equal(result.replies, 1, 'the reply from another port is still heard')
  t.equal(result.repliesFromOthers, 1)
})

t.test('--seq: a reply that merged several datagrams answers each of their numbers, and is reported as merged', async t => {
  // A real server that merges, as ncat -u --exec cat does: it holds the first datagram and
  // answers the second with both, joined without a separator.
  let held: Buffer | undefined
  const server = await rawServer(t, (data, from, socket) => {
    if (!held) { held = data; return }
    socket.send(Buffer.concat([held, data]), from.port, from.address)
    held = undefined
  })
  const result = await udpSend({ host: '127.0.0.1', port: server.port, messages: [Buffer.from('hola')], count: 4, seq: true, waitMs: 500 })
  t.equal(result.replies, 2)
  t.equal(result.seq?.lost, 0, 'not lost: answered inside merged replies')
  t.equal(result.seq?.matched, 4)
  t.equal(result.seq?.merged, 2)
  t.same(result.seq?.mergedSeqs, [2, 4])
})
