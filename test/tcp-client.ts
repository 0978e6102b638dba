import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { getEventListeners } from 'node:events'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { PassThrough, Readable, Writable } from 'node:stream'
import { TcpEchoServer } from '../src/servers/tcp-server.js'
import { createCrlfConverter, runTcpClient, type TcpClientEvent } from '../src/clients/tcp-client.js'
import { freeTcpPort } from './fixtures/port.js'

const HOST = '127.0.0.1'

/** Rejects if `promise` has not settled within `ms` (so a hang fails instead of stalling tap). */
const within = <T>(promise: Promise<T>, ms: number, what: string): Promise<T> => {
  let timer: NodeJS.Timeout | undefined
  const timeout = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out: ${what}`)), ms) })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

/** A Writable that keeps everything and can wait for a string to show up in it. */
const collector = () => {
  const chunks: Buffer[] = []
  const waiters: Array<() => void> = []
  const stream = new Writable({
    write (chunk: Buffer, _enc, cb) { chunks.push(chunk); waiters.forEach(w => w()); cb() },
  })
  const text = () => Buffer.concat(chunks).toString()
  const waitFor = (needle: string) => within(new Promise<void>(resolve => {
    const check = () => { if (text().includes(needle)) resolve() }
    waiters.push(check)
    check()
  }), 5000, `output containing ${JSON.stringify(needle)}`)
  return { stream, text, waitFor }
}

/** A raw net server for peers that behave in special ways; closed (sockets too) at teardown. */
const rawServer = async (t: Test, onSocket: (socket: Socket) => void): Promise<{ server: Server; port: number }> => {
  const sockets = new Set<Socket>()
  const server = createServer({ allowHalfOpen: true }, socket => {
    sockets.add(socket)
    socket.on('close', () => sockets.delete(socket))
    socket.on('error', () => { /* the client may reset; the test asserts on the client side */ })
    onSocket(socket)
  })
  await new Promise<void>(resolve => server.listen(0, HOST, resolve))
  t.teardown(() => new Promise<void>(resolve => {
    for (const s of sockets) s.destroy()
    server.close(() => resolve())
  }))
  return { server, port: (server.address() as { port: number }).port }
}

const echoServer = async (t: Test, options: ConstructorParameters<typeof TcpEchoServer>[0] = {}) => {
  const server = new TcpEchoServer({ port: 0, readEvents: false, ...options })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  return { server, port }
}

const types = (events: TcpClientEvent[]) => events.map(e => e.type)

t.test('a greeting arrives before we write anything', async t => {
  const { port } = await echoServer(t, { greeting: 'Bienvenido al servidor!\n' })
  const input = new PassThrough()
  const output = collector()
  const run = runTcpClient({ host: HOST, port, input, output: output.stream })
  // Nothing is written until the greeting is on our output: a client that held it back
  // until it had sent something would hang here and fail.
  await output.waitFor('Bienvenido')
  input.end('hola\n')
  const result = await within(run, 5000, 'client to finish')
  t.equal(output.text(), 'Bienvenido al servidor!\nhola\n')
  t.match(result, { end: 'server-closed', bytesSent: 5, bytesReceived: 29, localAddress: HOST, remoteAddress: HOST, remotePort: port })
  t.ok(result.localPort > 0)
  t.same(getEventListeners(input, 'data'), [], 'stdin-like input released')
})

t.test('after our EOF the client keeps reading until the server closes', async t => {
  let serverGot = ''
  const { port } = await rawServer(t, socket => {
    socket.on('data', d => { serverGot += d })
    // Reply only after our FIN, later: a client that exited on EOF would miss it.
    socket.on('end', () => { setTimeout(() => socket.end('late reply\n'), 200) })
  })
  const events: TcpClientEvent[] = []
  const output = collector()
  const result = await within(runTcpClient({
    host: HOST, port, input: Readable.from([Buffer.from('ping\n')]), output: output.stream, onEvent: e => events.push(e),
  }), 5000, 'client to finish')
  t.equal(serverGot, 'ping\n')
  t.equal(output.text(), 'late reply\n')
  t.equal(result.end, 'server-closed')
  t.same(types(events), ['connecting', 'connected', 'sent-eof', 'server-finished', 'closed'])
  t.match(events.find(e => e.type === 'sent-eof'), { bytesSent: 5 })
  t.match(events.find(e => e.type === 'server-finished'), { weWereSending: false, bytesReceived: 11 })
})

t.test('waitMs cuts off a server that never closes', async t => {
  let serverSawFin = false
  const { port } = await rawServer(t, socket => {
    socket.on('end', () => { serverSawFin = true; socket.write('still here\n') })
    socket.resume()
  })
  const events: TcpClientEvent[] = []
  const output = collector()
  const result = await within(runTcpClient({
    host: HOST, port, messages: ['bye\n'], waitMs: 200, output: output.stream, onEvent: e => events.push(e),
  }), 5000, 'client to give up waiting')
  t.equal(result.end, 'wait-elapsed')
  t.ok(serverSawFin, 'the half-close reached the server')
  t.equal(output.text(), 'still here\n', 'what arrived during the wait was kept')
  t.match(events.find(e => e.type === 'wait-elapsed'), { waitMs: 200 })
  t.match(events.at(-1), { type: 'closed', end: 'wait-elapsed' })
})

t.test('a server that closes first stops our sending, and we close cleanly', async t => {
  const { port } = await rawServer(t, socket => { socket.resume(); socket.end('bye\n') })
  const input = new PassThrough() // never ended: only the server's close can finish this
  const events: TcpClientEvent[] = []
  const output = collector()
  const result = await within(runTcpClient({ host: HOST, port, input, output: output.stream, onEvent: e => events.push(e) }),
    5000, 'client to close after the server')
  t.equal(result.end, 'server-closed')
  t.equal(output.text(), 'bye\n')
  t.match(events.find(e => e.type === 'server-finished'), { weWereSending: true, stoppedSending: true, inputBytesSent: 0, inputBytesWaiting: 0 })
  t.notOk(events.some(e => e.type === 'sent-eof'), 'no half-close of ours is reported')
  t.same(getEventListeners(input, 'data'), [], 'input released')
  t.same(getEventListeners(input, 'end'), [], 'input released')
})

t.test('messages are separate writes, in order; back to back they reach the server as one read', async t => {
  const reads: string[] = []
  const { port } = await echoServer(t, { readEvents: true, onEvent: e => { if (e.type === 'read') reads.push(e.preview) } })
  const events: TcpClientEvent[] = []
  const output = collector()
  const result = await runTcpClient({ host: HOST, port, messages: ['hola', 'mundo'], output: output.stream, onEvent: e => events.push(e) })
  t.equal(output.text(), 'holamundo')
  t.equal(result.bytesSent, 9)
  t.match(events.filter(e => e.type === 'wrote'), [
    { index: 1, count: 2, bytes: 4, preview: 'hola' },
    { index: 2, count: 2, bytes: 5, preview: 'mundo' },
  ])
  t.same(reads, ['holamundo'], 'the "holamundo" lesson: two writes, one read')
})

t.test('messages with an interval still arrive whole and in order', async t => {
  const { port } = await echoServer(t)
  const output = collector()
  const events: TcpClientEvent[] = []
  await runTcpClient({
    host: HOST, port, messages: ['uno\n', Buffer.from('dos\n'), 'tres\n'], writeIntervalMs: 30,
    output: output.stream, onEvent: e => events.push(e),
  })
  t.equal(output.text(), 'uno\ndos\ntres\n')
  t.same(events.filter(e => e.type === 'wrote').map(e => (e as { index: number }).index), [1, 2, 3])
})

t.test('crlf conversion is right across chunk boundaries and never doubles CRLF', async t => {
  const convert = createCrlfConverter()
  const out = ['a\nb\r', '\nc\n', '\r\n', '\n', ''].map(s => convert(Buffer.from(s)).toString())
  t.same(out, ['a\r\nb\r', '\nc\r\n', '\r\n', '\r\n', ''])
  t.equal(createCrlfConverter()(Buffer.from('\n\n')).toString(), '\r\n\r\n')
  const binary = Buffer.from([0, 1, 2, 255])
  t.equal(createCrlfConverter()(binary).compare(binary), 0, 'bytes without LF pass through unchanged')

  const { port } = await echoServer(t)
  const input = new PassThrough()
  const output = collector()
  const run = runTcpClient({ host: HOST, port, input, output: output.stream, crlf: true })
  input.write('hola\nmundo\r')
  input.end('\nfin\n')
  await run
  t.equal(output.text(), 'hola\r\nmundo\r\nfin\r\n')
})

t.test('a reset by the server rejects with ECONNRESET and reports it', async t => {
  const { port } = await rawServer(t, socket => { socket.once('data', () => socket.resetAndDestroy()) })
  const events: TcpClientEvent[] = []
  const input = new PassThrough()
  input.write('hola\n') // never ended: the reset must end the run
  await t.rejects(within(runTcpClient({ host: HOST, port, input, output: collector().stream, onEvent: e => events.push(e) }),
    5000, 'client to see the reset'), { code: 'ECONNRESET' })
  t.match(events.at(-1), { type: 'reset', code: 'ECONNRESET', bytesSent: 5 })
  t.same(getEventListeners(input, 'data'), [], 'input released')
})

t.test('an input that fails rejects with its own error, not as a reset', async t => {
  const { port } = await echoServer(t)
  const input = new Readable({ read () { this.destroy(Object.assign(new Error('disk went away'), { code: 'EIO' })) } })
  const events: TcpClientEvent[] = []
  await t.rejects(within(runTcpClient({ host: HOST, port, input, output: collector().stream, onEvent: e => events.push(e) }),
    5000, 'client to stop'), { code: 'EIO' })
  t.notOk(events.some(e => e.type === 'reset'), 'the connection was not reset')
})

t.test('nothing listening: ECONNREFUSED', async t => {
  const port = await freeTcpPort(HOST)
  await t.rejects(runTcpClient({ host: HOST, port, output: collector().stream }), { code: 'ECONNREFUSED', port })
})

t.test('an unresolvable name: ENOTFOUND from the lookup, no DNS query made', async t => {
  const lookups: string[] = []
  const lookup = ((hostname: string, _options: unknown, callback: (err: Error) => void) => {
    lookups.push(hostname)
    process.nextTick(() => callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), {
      code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname,
    })))
  }) as unknown as NonNullable<Parameters<typeof runTcpClient>[0]['lookup']>
  await t.rejects(runTcpClient({ host: 'no-such-host.invalid', port: 9000, lookup, output: collector().stream }),
    { code: 'ENOTFOUND', hostname: 'no-such-host.invalid' })
  t.same(lookups, ['no-such-host.invalid'])
})

/**
 * A listener that never accepts: a child process listens with a backlog of 1 and then
 * blocks its event loop. Once the kernel's accept queue is full it drops further SYNs,
 * so a connect hangs, deterministically, on loopback, with no firewall rule.
 */
const neverAcceptingListener = async (t: Test): Promise<number> => {
  const script = `
    const s = require('node:net').createServer()
    s.listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => {
      process.stdout.write(s.address().port + '\\n')
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 30000)
    })`
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { child.kill('SIGKILL') })
  const port = Number(await within(new Promise<string>(resolve => child.stdout.once('data', d => resolve(String(d)))), 5000, 'listener port'))
  // Fill the accept queue: connect until one connect does not complete (its SYN was dropped).
  const fillers: Socket[] = []
  t.teardown(() => fillers.forEach(s => s.destroy()))
  for (let i = 0; i < 16; i++) {
    const socket = connect(port, HOST)
    socket.on('error', () => {})
    fillers.push(socket)
    const connected = await new Promise<boolean>(resolve => {
      const timer = setTimeout(() => resolve(false), 1000)
      socket.once('connect', () => { clearTimeout(timer); resolve(true) })
    })
    if (!connected) return port
  }
  throw new Error('the accept queue never filled')
}

t.test('connect timeout: ERR_SOCKKIT_CONNECT_TIMEOUT', async t => {
  const port = await neverAcceptingListener(t)
  await t.rejects(within(runTcpClient({ host: HOST, port, connectTimeoutMs: 300, output: collector().stream }), 5000, 'timeout'),
    { code: 'ERR_SOCKKIT_CONNECT_TIMEOUT', host: HOST, port, timeoutMs: 300 })
})

t.test('aborting: before the connect rejects ABORT_ERR; after it resolves "interrupted"', async t => {
  await t.rejects(runTcpClient({ host: HOST, port: 9, signal: AbortSignal.abort(), output: collector().stream }), { code: 'ABORT_ERR' })

  const { port } = await rawServer(t, socket => socket.resume()) // silent, never closes
  const controller = new AbortController()
  const input = new PassThrough()
  const events: TcpClientEvent[] = []
  let onConnected: () => void = () => {}
  const connected = new Promise<void>(resolve => { onConnected = resolve })
  const run = runTcpClient({
    host: HOST, port, input, output: collector().stream, signal: controller.signal,
    onEvent: e => { events.push(e); if (e.type === 'connected') onConnected() },
  })
  await within(connected, 5000, 'connected')
  input.write('x')
  controller.abort()
  const result = await within(run, 5000, 'client to stop')
  t.equal(result.end, 'interrupted')
  t.match(events.at(-1), { type: 'closed', end: 'interrupted' })
  t.same(getEventListeners(controller.signal, 'abort'), [], 'abort listener released')
})

t.test('backpressure both ways: a stalled output stops the input from being read', async t => {
  const { port } = await echoServer(t)
  // Far more than every kernel buffer on the path (client send, server receive and send,
  // client receive) can hold, so without backpressure it would all be pulled into memory.
  const chunk = Buffer.alloc(64 * 1024)
  const chunks = 1536 // 96 MiB
  let pulled = 0
  const sentHash = createHash('sha256')
  const input = Readable.from((function * () {
    for (let i = 0; i < chunks; i++) {
      chunk.writeUInt32BE(i, 0)
      chunk.writeUInt32BE(i * 2654435761 >>> 0, chunk.length - 4)
      const copy = Buffer.from(chunk)
      sentHash.update(copy)
      pulled += copy.length
      yield copy
    }
  })())
  const receivedHash = createHash('sha256')
  let received = 0
  let release: () => void = () => {}
  const released = new Promise<void>(resolve => { release = resolve })
  let maxBuffered = 0
  let firstWrite: () => void = () => {}
  const wroteOnce = new Promise<void>(resolve => { firstWrite = resolve })
  const output = new Writable({
    highWaterMark: 16 * 1024,
    write (data: Buffer, _enc, cb) {
      receivedHash.update(data)
      received += data.length
      firstWrite()
      // Stall until released, then drain at full speed.
      void released.then(() => setImmediate(cb))
    },
  })
  const sampler = setInterval(() => { maxBuffered = Math.max(maxBuffered, output.writableLength) }, 5)
  t.teardown(() => clearInterval(sampler))
  const run = runTcpClient({ host: HOST, port, input, output })
  await within(wroteOnce, 5000, 'first byte back')
  // However long we look, a client that respects backpressure cannot have pulled it all.
  await new Promise(resolve => setTimeout(resolve, 300))
  t.ok(pulled < chunks * chunk.length / 2, `input read stopped while output was stalled (${pulled} bytes pulled)`)
  t.ok(output.writableLength <= 16 * 1024 + 2 * 65536, `output buffer stayed small (${output.writableLength} bytes)`)
  release()
  const result = await within(run, 30_000, '96 MiB round trip')
  clearInterval(sampler)
  t.equal(received, chunks * chunk.length)
  t.equal(receivedHash.digest('hex'), sentHash.digest('hex'), 'bytes came back unchanged')
  t.equal(result.bytesSent, chunks * chunk.length)
  t.ok(maxBuffered <= 16 * 1024 + 2 * 65536, `output never buffered much (max ${maxBuffered} bytes)`)
})

t.test('keepSending: after the server half-closes, the rest of the input still reaches it', async t => {
  // A server that says goodbye and half-closes at once, but keeps reading until our FIN.
  let received = ''
  const serverDone = new Promise<void>(resolve => {
    void rawServer(t, socket => {
      socket.setEncoding('utf8')
      socket.on('data', (d: string) => { received += d })
      socket.on('end', () => { socket.destroy(); resolve() })
      socket.end('bye\n')
    }).then(({ port }) => started(port))
  })
  let started!: (port: number) => void
  const port = await new Promise<number>(resolve => { started = resolve })
  const input = new PassThrough()
  const events: TcpClientEvent[] = []
  const output = collector()
  const run = runTcpClient({ host: HOST, port, input, output: output.stream, keepSending: true, onEvent: e => events.push(e) })
  // Write only after the server's FIN has arrived, so this is input sent after it.
  await new Promise<void>(resolve => {
    const check = setInterval(() => { if (events.some(e => e.type === 'server-finished')) { clearInterval(check); resolve() } }, 5)
  })
  input.end('late data\n')
  const result = await within(run, 5000, 'client to finish after sending the rest')
  await serverDone
  t.equal(received, 'late data\n', 'the server got what we sent after its FIN')
  t.equal(result.end, 'server-closed')
  t.equal(output.text(), 'bye\n')
  t.match(events.find(e => e.type === 'server-finished'), { weWereSending: true, stoppedSending: false })
  t.ok(events.some(e => e.type === 'sent-eof'), 'our own half-close followed')
})
