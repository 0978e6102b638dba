import t from 'tap'
import { PassThrough, type Readable } from 'node:stream'
import { eofKey, typedInput } from '../src/cli/io.js'

// A Windows console never ends stdin: Ctrl-Z (or Ctrl-D) then Enter arrives as 1a 0d 0a.
// typedInput() turns that line into the end of input there, and leaves every other stdin alone.

const terminal = (): PassThrough & { isTTY: boolean } => Object.assign(new PassThrough(), { isTTY: true })

const readAll = (stream: Readable): Promise<Buffer> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = []
  stream.on('data', (c: Buffer) => chunks.push(c))
  stream.once('end', () => resolve(Buffer.concat(chunks)))
  stream.once('error', reject)
})

t.test('on a Windows console, a line of only Ctrl-Z or Ctrl-D ends the input; what came before is kept, byte for byte', async t => {
  for (const key of ['\x1a', '\x04']) {
    const stdin = terminal()
    const typed = typedInput(stdin, 'win32')
    t.not(typed, stdin)
    const all = readAll(typed)
    stdin.write('hola\r\n')
    stdin.write('mundo\r\n')
    stdin.write(`${key}\r\n`)
    stdin.write('after the end\r\n') // must not be read
    t.same((await all).toString('latin1'), 'hola\r\nmundo\r\n', JSON.stringify(key))
  }
  // The marker at the end of a chunk that also carries a line, and a Ctrl-Z inside a line (data, not the end).
  const stdin = terminal()
  const all = readAll(typedInput(stdin, 'win32'))
  stdin.write('a\x1ab\r\n')
  stdin.write('last\r\n\x1a\r\n')
  t.same((await all).toString('latin1'), 'a\x1ab\r\nlast\r\n')
})

t.test('the real end of stdin still ends it on Windows', async t => {
  const stdin = terminal()
  const all = readAll(typedInput(stdin, 'win32'))
  stdin.end('x\r\n')
  t.same((await all).toString(), 'x\r\n')
})

t.test('pipes, files and every other system get stdin itself: a 0x1a byte there is data', async t => {
  const piped = new PassThrough()
  t.equal(typedInput(piped, 'win32'), piped, 'not a terminal')
  const tty = terminal()
  t.equal(typedInput(tty, 'linux'), tty)
  t.equal(typedInput(tty, 'darwin'), tty)
})

t.test('the key to name in hints', async t => {
  t.equal(eofKey('linux'), 'Ctrl-D')
  t.equal(eofKey('darwin'), 'Ctrl-D')
  t.equal(eofKey('win32'), 'Ctrl-Z then Enter')
})
