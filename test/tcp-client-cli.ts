import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { createHash, randomBytes } from 'node:crypto'
import { connect, createServer, type Socket } from 'node:net'
import { TcpEchoServer } from '../src/servers/tcp-server.js'
import { startCli } from './fixtures/cli.js'
import { runMain, startMain } from './fixtures/main.js'
import { freeTcpPort } from './fixtures/port.js'

// Most run the CLI in-process through main(argv, io); those that need a real process (a pipe
// held open, signals, /dev/full) spawn the built CLI (bin/sockkit.js → dist/): build first.
const HOST = '127.0.0.1'

const echoServer = async (t: Test, greeting?: string) => {
  const server = new TcpEchoServer({ port: 0, readEvents: false, ...(greeting ? { greeting } : {}) })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  return port
}

/** A raw net server for peers that behave in special ways; closed (sockets too) at teardown. */
const rawServer = async (t: Test, onSocket: (socket: Socket) => void): Promise<number> => {
  const sockets = new Set<Socket>()
  const server = createServer({ allowHalfOpen: true }, socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => {})
    onSocket(socket)
  })
  await new Promise<void>(resolve => server.listen(0, HOST, resolve))
  t.teardown(() => new Promise<void>(resolve => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  }))
  return (server.address() as { port: number }).port
}

const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')

/** An expected failure is one line on stderr, with no stack trace. */
const oneSentence = (t: Test, stderr: string) => {
  const lines = stderr.trim().split('\n').filter(l => l.startsWith('sockkit:'))
  t.equal(lines.length, 1, `one sockkit: sentence (${JSON.stringify(stderr)})`)
  t.notMatch(stderr, /\n\s+at /, 'no stack trace')
}

t.test('10 MB of random binary through the echo server comes back unchanged', async t => {
  const port = await echoServer(t)
  const input = randomBytes(10 * 1024 * 1024)
  const run = await runMain(['tcp-client', HOST, String(port)], { stdin: input })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdoutBytes.length, input.length)
  t.equal(sha256(run.stdoutBytes), sha256(input))
  t.match(run.stderr, /connected from local 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+/)
  t.match(run.stderr, /sent EOF \(half-close\) after 10\.0 MiB/)
  t.match(run.stderr, /closed after .*: 10\.0 MiB sent, 10\.0 MiB received/)
})

t.test('a greeting shows on stdout before we send anything; EOF then finishes', async t => {
  const port = await echoServer(t, 'Bienvenido al servidor!\n')
  const client = startCli(['tcp-client', HOST, String(port)])
  t.teardown(() => { client.child.kill('SIGKILL') })
  await client.waitFor(/Bienvenido/, { from: 'stdout' })
  client.child.stdin!.end('hola\n')
  t.equal(await client.exited, 0, client.stderr())
  t.equal(client.stdout().toString(), 'Bienvenido al servidor!\nhola\n')
})

t.test('--message, repeated: separate writes in order, then half-close', async t => {
  const port = await echoServer(t)
  const run = await runMain(['tcp-client', HOST, String(port), '--message', 'hola', '--message', 'mundo\\n'])
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.toString(), 'holamundo\n')
  t.match(run.stderr, /wrote 4 bytes \(message 1 of 2\): hola/)
  t.match(run.stderr, /wrote 6 bytes \(message 2 of 2\): mundo\\n/)
})

t.test('--crlf sends LF as CRLF and leaves CRLF alone', async t => {
  const port = await echoServer(t)
  const run = await runMain(['tcp-client', HOST, String(port), '--crlf'], { stdin: 'hola\nmundo\r\n' })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.toString(), 'hola\r\nmundo\r\n')
})

t.test('--quiet keeps stderr empty on success', async t => {
  const port = await echoServer(t)
  const run = await runMain(['tcp-client', HOST, String(port), '--quiet'], { stdin: 'x' })
  t.equal(run.code, 0)
  t.equal(run.stdout.toString(), 'x')
  t.equal(run.stderr, '')
})

t.test('--wait closes a connection the server never closes, and says so', async t => {
  const port = await rawServer(t, socket => socket.resume())
  const run = await runMain(['tcp-client', HOST, String(port), '--wait', '200'], { stdin: 'hola\n' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /--wait elapsed/)
})

t.test('a server that closes first: reported, and the client exits 0 with stdin still open', async t => {
  const port = await rawServer(t, socket => { socket.resume(); socket.end('adiós\n') })
  const client = startMain(['tcp-client', HOST, String(port)])
  t.teardown(() => { client.stdin.end() })
  const run = await client.result
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.toString(), 'adiós\n')
  t.match(run.stderr, /server closed its side/)
})

t.test('a reset by the server: exit 1 with one plain line', async t => {
  const port = await rawServer(t, socket => { socket.once('data', () => socket.resetAndDestroy()) })
  const client = startCli(['tcp-client', HOST, String(port)])
  t.teardown(() => { client.child.kill('SIGKILL') })
  await client.waitFor(/connected/)
  client.child.stdin!.write('hola\n')
  t.equal(await client.exited, 1)
  t.match(client.stderr(), /reset by the server \(ECONNRESET\) after [\d.]+ m?s: 5 bytes sent, 0 bytes received\n/)
  t.notMatch(client.stderr(), /was reset/, 'the reset is said once, not again as "sockkit: … was reset"')
  t.notMatch(client.stderr(), /\n\s+at /, 'no stack trace')
})

t.test('nothing listening: exit 1, "nothing is listening"', async t => {
  const port = await freeTcpPort(HOST)
  const run = await runMain(['tcp-client', HOST, String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, `nothing is listening on 127.0.0.1:${port}`)
  oneSentence(t, run.stderr)
})

t.test('bad command lines exit 2 with one sentence naming the problem', async t => {
  const cases: Array<[string[], RegExp]> = [
    [['tcp-client'], /missing required argument 'host'/],
    [['tcp-client', HOST], /missing required argument 'port'/],
    [['tcp-client', HOST, '70000'], /70000/],
    [['tcp-client', HOST, 'http'], /"http"/],
    [['tcp-client', HOST, '0'], /"0"/],
    [['tcp-client', HOST, '9000', '--timeout', 'soon'], /--timeout.*"soon"/],
    [['tcp-client', HOST, '9000', '--wait', '-5'], /--wait.*"-5"/],
    [['tcp-client', HOST, '9000', '--write-interval', '1.5'], /--write-interval.*"1\.5"/],
    // Node would fire a timer this long after 1 ms: "forever" must not mean "at once".
    [['tcp-client', HOST, '9000', '--timeout', '2147483648'], /--timeout.*to 2147483647 \(24\.8 days\), not "2147483648"/],
    [['tcp-client', HOST, '9000', '--wait', '1e12'], /--wait.*"1e12"/],
    [['tcp-client', '999.1.1.1', '9000'], /host "999\.1\.1\.1" is not an IPv4 address/],
  ]
  for (const [args, pattern] of cases) {
    const run = await runMain(args)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, pattern)
    oneSentence(t, run.stderr)
    t.equal(run.stdout.length, 0)
  }
})

t.test('connect timeout: exit 1 with a sentence', async t => {
  // A listener whose accept queue is full drops our SYN, so the connect hangs on loopback.
  const script = `
    const s = require('node:net').createServer()
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000)
    })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const port = Number(await new Promise<string>(resolve => child.stdout.once('data', d => resolve(String(d)))))
  const fillers: Socket[] = []
  t.teardown(() => fillers.forEach(s => s.destroy()))
  let full = false
  for (let i = 0; i < 16 && !full; i++) {
    const socket = connect(port, HOST)
    socket.on('error', () => {})
    fillers.push(socket)
    full = !await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), 1000)
      socket.once('connect', () => { clearTimeout(timer); resolve(true) })
    })
  }
  t.ok(full, 'the accept queue filled')
  const run = await runMain(['tcp-client', HOST, String(port), '--timeout', '300'])
  t.equal(run.code, 1)
  t.match(run.stderr, /no answer from 127\.0\.0\.1:\d+ within the connect timeout/)
  oneSentence(t, run.stderr)
})

t.test('Ctrl-C while connected to a silent server: exit 130 with totals', async t => {
  const port = await rawServer(t, socket => socket.resume())
  const client = startCli(['tcp-client', HOST, String(port)])
  t.teardown(() => { client.child.kill('SIGKILL') })
  await client.waitFor(/connected/)
  client.child.stdin!.write('hola\n')
  t.equal(await client.interrupt(), 130)
  t.match(client.stderr(), /interrupted after .*: \d+ bytes? sent, 0 bytes received/)
})

t.test('a stdout that cannot be written (disk full) is one sentence and exit 1, not a stack trace', { skip: process.platform === 'linux' ? false : '/dev/full is Linux-only' }, async t => {
  const { openSync, closeSync } = await import('node:fs')
  const { BIN } = await import('./fixtures/cli.js')
  const port = await echoServer(t)
  const full = openSync('/dev/full', 'w')
  t.teardown(() => closeSync(full))
  const child = spawn(process.execPath, [BIN, 'tcp-client', HOST, String(port), '--message', 'hola'], { stdio: ['ignore', full, 'pipe'] })
  let stderr = ''
  child.stderr!.on('data', (d: Buffer) => { stderr += d.toString() })
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  const code = await new Promise<number | null>(resolve => child.on('close', resolve))
  clearTimeout(timer)
  t.equal(code, 1)
  t.match(stderr, /^sockkit: cannot write to stdout: no space left on the device \(ENOSPC\)$/m)
  t.notMatch(stderr, /\n\s+at /, 'no stack trace')
})

/** A server that takes a FIN as "the client left" and closes without answering; answers only when told. */
const leavesAtEof = async (t: Test) => {
  let onConnection: (socket: Socket) => void = () => {}
  const connected = new Promise<Socket>(resolve => { onConnection = resolve })
  const port = await rawServer(t, socket => {
    socket.on('end', () => socket.destroy())
    socket.resume()
    onConnection(socket)
  })
  return { port, connected }
}

/** Resolves once `socket` has read at least `bytes`. */
const readAtLeast = (socket: Socket, bytes: number) => new Promise<void>(resolve => {
  const check = () => { if (socket.bytesRead >= bytes) { socket.off('data', check); resolve() } }
  socket.on('data', check)
  check()
})

t.test('--no-half-close: stdin ends without a FIN; a server that answers only afterwards is still heard, and its close ends the client', async t => {
  const server = await leavesAtEof(t)
  const client = startMain(['tcp-client', HOST, String(server.port), '--no-half-close'], { stdin: 'hola\n', t })
  await client.waitFor(/input ended after 5 bytes; connection kept open \(no half-close\): reading until the server closes \(Ctrl-C to stop\)/)
  const socket = await server.connected
  await readAtLeast(socket, 5)
  // Our stdin has ended; only now does the server answer. Had a FIN come, it would have left.
  t.notOk(socket.readableEnded, 'no FIN reached the server')
  socket.write('respuesta\n')
  await client.waitFor(/respuesta/, { from: 'stdout' })
  t.notOk(client.done(), 'still connected after the answer: the server has not closed')
  socket.end()
  const run = await client.result
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'respuesta\n')
  t.match(run.stderr, /server finished sending \(FIN\) after 10 bytes received/)
  t.match(run.stderr, /closed after .*: 5 bytes sent, 10 bytes received/)
  t.notMatch(run.stderr, /sent EOF/)
})

t.test('the same server without --no-half-close gets our FIN when stdin ends, and leaves without answering', async t => {
  const server = await leavesAtEof(t)
  const run = await runMain(['tcp-client', HOST, String(server.port)], { stdin: 'hola\n' })
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, '', 'no answer')
  t.match(run.stderr, /sent EOF \(half-close\) after 5 bytes/)
  t.match(run.stderr, /server finished sending \(FIN\) after 0 bytes received/)
})

t.test('--no-half-close --wait: counted from the end of our input, then the client closes (exit 0)', async t => {
  const port = await rawServer(t, () => {})
  const run = await runMain(['tcp-client', HOST, String(port), '--no-half-close', '--wait', '100'], { stdin: 'hola\n' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /input ended after 5 bytes; .* or 100 ms pass/)
  t.match(run.stderr, /--wait elapsed: 100 ms after our input ended the server had not closed; closing/)
})

t.test('--no-half-close --keep-sending: a server that finished first, then stdin ends: the client closes instead of waiting forever', async t => {
  const port = await rawServer(t, socket => socket.end('adiós\n'))
  const client = startMain(['tcp-client', HOST, String(port), '--no-half-close', '--keep-sending'], { t })
  await client.waitFor(/server closed its side \(FIN\) after 7 bytes received; it may still read/)
  client.stdin.end('uno\n')
  const run = await client.result
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout, 'adiós\n')
  t.match(run.stderr, /input ended after 4 bytes/)
})

t.test('on a terminal, --no-half-close says that the end of input keeps the connection open', async t => {
  const port = await rawServer(t, socket => socket.end())
  const run = await runMain(['tcp-client', HOST, String(port), '--no-half-close'], { isTTY: true })
  t.match(run.stderr, /Ctrl-D ends your input \(the connection stays open\), Ctrl-C quits/)
})

/** Every line of what a terminal shows is either received data or a whole event line. */
const linesOf = (screen: string) => screen.split('\n').filter(line => line !== '')
const EVENT_LINE = /^\d\d:\d\d:\d\d\.\d{3} /

t.test('stdout and stderr on one terminal: an event line never continues a received line that lacked its newline', async t => {
  const port = await rawServer(t, socket => socket.end('prompt> '))
  const tty = await runMain(['tcp-client', HOST, String(port)], { isTTY: true })
  t.equal(tty.code, 0, tty.stderr)
  t.equal(tty.stdout, 'prompt> ', 'stdout keeps the bytes exactly')
  const lines = linesOf(tty.terminal)
  t.ok(lines.includes('prompt> '), `"prompt> " on a line of its own: ${JSON.stringify(tty.terminal)}`)
  for (const line of lines.filter(l => l !== 'prompt> ')) t.match(line, EVENT_LINE, 'every other line is a whole event line')
  t.match(tty.terminal, /prompt> \n\d\d:\d\d:\d\d\.\d{3} (server finished|closed)/)
  // Into a pipe or a file stdout and stderr are apart: nothing is added to either.
  const piped = await runMain(['tcp-client', HOST, String(port)])
  t.equal(piped.stdout, 'prompt> ')
  t.notMatch(piped.stderr, /\n\n/, 'no blank line on stderr')
})

t.test('on one terminal a received line that ended with its newline gets no blank line after it', async t => {
  const port = await rawServer(t, socket => socket.end('hola\n'))
  const tty = await runMain(['tcp-client', HOST, String(port)], { isTTY: true })
  t.equal(tty.code, 0, tty.stderr)
  t.notMatch(tty.terminal, /\n\n/)
  t.match(tty.terminal, /^hola$/m)
})

t.test('a message typed after the port is a usage error that says to use --message, quoted (exit 2, no connection)', async t => {
  const port = await freeTcpPort()
  const run = await runMain(['tcp-client', HOST, String(port), 'hello', 'world'])
  t.equal(run.code, 2)
  t.equal(run.stderr, `sockkit: tcp-client sends what you type or pipe on stdin, not words after the port: give the message with --message, quoted, as in sockkit tcp-client ${HOST} ${port} --message "hello world"\n`)
  const one = await runMain(['tcp-client', HOST, String(port), 'hello'])
  t.equal(one.code, 2)
  t.match(one.stderr, /--message "hello"\n$/)
  const es = await runMain(['tcp-client', HOST, String(port), 'hola', 'mundo', '--lang', 'es'])
  t.equal(es.code, 2)
  t.match(es.stderr, /da el mensaje con --message, entre comillas, como en sockkit tcp-client .* --message "hola mundo"/)
})
