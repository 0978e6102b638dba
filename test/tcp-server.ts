import t, { type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { TcpEchoServer, type TcpServerEvent, type TcpServerOptions } from '../src/servers/tcp-server.js'

/** A server on 127.0.0.1, port 0, that records its events; closed at teardown. */
const startServer = async (t: Test, options: TcpServerOptions = {}) => {
  const events: TcpServerEvent[] = []
  const waiters = new Set<() => void>()
  const server = new TcpEchoServer({
    port: 0,
    ...options,
    onEvent: e => { events.push(e); waiters.forEach(w => w()) },
  })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  /** Resolves with the first event (from index `from`) that matches; rejects after 10 s. */
  const waitForEvent = <T extends TcpServerEvent['type']>(
    type: T, match: (e: Extract<TcpServerEvent, { type: T }>) => boolean = () => true, from = 0,
  ) => new Promise<Extract<TcpServerEvent, { type: T }>>((resolve, reject) => {
    const check = () => {
      const found = events.slice(from).find(e => e.type === type && match(e as Extract<TcpServerEvent, { type: T }>))
      if (found) { done(); resolve(found as Extract<TcpServerEvent, { type: T }>) }
    }
    const timer = setTimeout(() => { done(); reject(new Error(`no ${type} event; got ${events.map(e => e.type).join(',')}`)) }, 10_000)
    const done = () => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })
  return { server, port, events, waitForEvent }
}

/** A connected client, destroyed at teardown. */
const client = async (t: Test, port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Socket> => {
  const socket = connect({ host: '127.0.0.1', port, allowHalfOpen: opts.allowHalfOpen ?? false })
  socket.on('error', () => { /* asserted where it matters */ })
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
  return socket
}

/** Everything a socket receives until the peer's FIN (resolves on 'end'). */
const readAll = (socket: Socket): Promise<Buffer> => new Promise((resolve, reject) => {
  const chunks: Buffer[] = []
  socket.on('data', (d: Buffer) => chunks.push(d))
  socket.once('end', () => resolve(Buffer.concat(chunks)))
  socket.once('close', () => resolve(Buffer.concat(chunks)))
  socket.once('error', reject)
})

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

t.test('echoes to 50 clients at once, each getting exactly its own bytes back', async t => {
  const { server, port, waitForEvent } = await startServer(t, { readEvents: false })
  const sent = Array.from({ length: 50 }, (_, i) => Buffer.concat([Buffer.from(`client ${i}:`), randomBytes(1000 + i * 37)]))
  const sockets = await Promise.all(sent.map(() => client(t, port)))
  await waitForEvent('accepted', e => e.id === 50)
  t.equal(server.activeConnections, 50)
  const received = await Promise.all(sockets.map((socket, i) => {
    const all = readAll(socket)
    // Several writes each, interleaved across clients by the event loop.
    const data = sent[i]!
    socket.write(data.subarray(0, 10))
    socket.end(data.subarray(10))
    return all
  }))
  received.forEach((data, i) => t.equal(sha256(data), sha256(sent[i]!), `client ${i} got its own bytes`))
  const summary = await server.close()
  const total = sent.reduce((n, b) => n + b.length, 0)
  t.match(summary, { accepted: 50, refused: 0, resets: 0, bytesIn: total, bytesOut: total })
  t.ok(summary.peakConnections === 50, 'all 50 were open at once')
})

t.test('10 MB of random binary comes back unchanged', async t => {
  const { server, port, waitForEvent } = await startServer(t, { readEvents: false })
  const data = randomBytes(10 * 1024 * 1024)
  const socket = await client(t, port)
  const echoed = readAll(socket)
  socket.end(data)
  const back = await echoed
  t.equal(back.length, data.length)
  t.equal(sha256(back), sha256(data))
  const closed = await waitForEvent('closed')
  t.match(closed, { reason: 'normal', bytesIn: data.length, bytesOut: data.length })
  t.match(await server.close(), { bytesIn: data.length, bytesOut: data.length })
})

t.test('half-close: the server finishes echoing, then closes; events in order', async t => {
  const { port, events, waitForEvent } = await startServer(t)
  // allowHalfOpen: the client keeps its receiving side open after end() on purpose.
  const socket = await client(t, port, { allowHalfOpen: true })
  const bulk = randomBytes(2 * 1024 * 1024)
  const echoed = readAll(socket)
  socket.write('hola ')
  socket.end(bulk) // FIN right behind 2 MB the server has not echoed yet
  const back = await echoed // resolves on the server's FIN
  t.equal(sha256(back), sha256(Buffer.concat([Buffer.from('hola '), bulk])), 'every byte came back before EOF')
  const closed = await waitForEvent('closed')
  t.equal(closed.reason, 'normal')
  const types = events.map(e => e.type).filter(type => type !== 'read')
  t.same(types, ['listening', 'accepted', 'half-close', 'closed'])
  t.match(events.find(e => e.type === 'half-close'), { id: closed.id, bytesIn: bulk.length + 5 })
  t.match(events.find(e => e.type === 'read'), { id: closed.id, preview: /^hola/ })
})

t.test('a greeting is the first thing a client receives', async t => {
  const greeting = 'Hola\r\n\tbienvenido\n'
  const { server, port, waitForEvent } = await startServer(t, { greeting })
  const socket = await client(t, port)
  const [first] = await once(socket, 'data') as [Buffer]
  t.equal(first.toString(), greeting)
  const echoed = readAll(socket)
  socket.end('x')
  t.equal((await echoed).toString(), 'x')
  await waitForEvent('closed')
  t.match(await server.close(), { bytesIn: 1, bytesOut: Buffer.byteLength(greeting) + 1 })
})

t.test('max-connections: the next client is refused politely; a freed slot is reused', async t => {
  const { server, port, events, waitForEvent } = await startServer(t, { maxConnections: 2 })
  const first = await client(t, port)
  await client(t, port)
  await waitForEvent('accepted', e => e.id === 2)
  const third = await client(t, port)
  const refusal = await readAll(third)
  t.match(refusal.toString(), /^server busy: 2 clients connected, try again later\r\n$/)
  const refused = await waitForEvent('refused')
  t.match(refused, { reason: 'full', active: 2, limit: 2, remoteAddress: '127.0.0.1', remotePort: third.localPort })
  t.notOk(events.some(e => e.type === 'accepted' && e.remotePort === third.localPort), 'the refused client was never accepted')

  first.end()
  await waitForEvent('closed', e => e.id === 1)
  const fourth = await client(t, port)
  await waitForEvent('accepted', e => e.remotePort === fourth.localPort)
  const echoed = readAll(fourth)
  fourth.end('again')
  t.equal((await echoed).toString(), 'again', 'a new client is served once a slot is free')
  t.match(await server.close(), { accepted: 3, refused: 1, peakConnections: 2 })
})

t.test('idle timeout closes a silent client once, even if it never closes its side', async t => {
  const { server, port, events, waitForEvent } = await startServer(t, { idleTimeoutMs: 200, closeGraceMs: 1000 })
  // A half-open client: it ignores our FIN, so the server waits out its grace period.
  const socket = await client(t, port, { allowHalfOpen: true })
  const gotEnd = once(socket, 'end')
  const idle = await waitForEvent('idle-timeout')
  t.match(idle, { idleMs: 200 })
  await gotEnd
  const closed = await waitForEvent('closed')
  t.equal(closed.reason, 'idle-timeout')
  t.equal(events.filter(e => e.type === 'idle-timeout').length, 1, 'reported once, not every 200 ms')
  t.match(await server.close(), { idleTimeouts: 1 })
})

t.test('a client that writes and never reads cannot grow the server\'s memory', async t => {
  const { server, port, waitForEvent } = await startServer(t, { readEvents: false, idleTimeoutMs: 0 })
  const socket = await client(t, port)
  socket.pause() // never read, for now
  const chunk = randomBytes(1024 * 1024)
  const chunks = 48 // more than the kernel's buffers both ways can hold
  for (let i = 0; i < chunks; i++) socket.write(chunk)
  const pressure = await waitForEvent('backpressure')
  // At most one read (64 KiB) past the high-water mark (16 KiB) is queued when it pauses.
  t.ok(pressure.bufferedBytes <= 256 * 1024, `queued ${pressure.bufferedBytes} bytes when it paused`)
  const atPause = server.connectionStats()[0]!
  // Give the client time to push more into the kernel; nothing here depends on how long.
  await new Promise(resolve => setTimeout(resolve, 300))
  const later = server.connectionStats()[0]!
  t.equal(later.paused, true, 'the server stopped reading from it')
  t.ok(later.bufferedBytes <= 256 * 1024, `still only ${later.bufferedBytes} bytes queued`)
  t.ok(later.bytesIn - atPause.bytesIn <= 1024 * 1024, 'it read (almost) nothing more while paused')
  t.ok(later.bytesIn < chunks * chunk.length, 'the rest waits in the client and the kernel')

  // Once the client reads, everything flows again and arrives intact.
  const hash = createHash('sha256')
  let received = 0
  const all = new Promise<void>(resolve => socket.on('data', (d: Buffer) => {
    hash.update(d)
    received += d.length
    if (received === chunks * chunk.length) resolve()
  }))
  socket.resume()
  await all
  const expected = createHash('sha256')
  for (let i = 0; i < chunks; i++) expected.update(chunk)
  t.equal(hash.digest('hex'), expected.digest('hex'))
  await waitForEvent('resumed')
})

t.test('clients that reset, vanish, send junk or nothing: the server survives and says so', async t => {
  const { server, port, events, waitForEvent } = await startServer(t, { greeting: 'hi\n' })

  const resetter = await client(t, port)
  resetter.write('about to reset')
  await waitForEvent('read', e => e.preview === 'about to reset')
  resetter.resetAndDestroy()
  const reset = await waitForEvent('closed', e => e.reason === 'reset')
  t.match(reset, { code: 'ECONNRESET', bytesIn: 14 })

  const vanisher = await client(t, port)
  vanisher.destroy() // no end(), no reading: gone
  const silent = await client(t, port)
  silent.end()

  const junk = await client(t, port)
  const junkBytes = Buffer.from([0x00, 0xff, 0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x08, 0xc3, 0x28, 0x7f, 0x0a])
  const junkBack = readAll(junk)
  junk.end(junkBytes)
  t.equal(sha256((await junkBack).subarray(3)), sha256(junkBytes), 'junk is echoed byte for byte')
  const junkRead = await waitForEvent('read', e => e.bytes === junkBytes.length)
  // eslint-disable-next-line no-control-regex
  t.notMatch(junkRead.preview, /[\x00-\x1f\x7f]/, 'the preview holds no raw control bytes')

  // Greeting a client that already reset must not hurt the server either.
  for (let i = 0; i < 5; i++) (await client(t, port)).resetAndDestroy()

  const good = await client(t, port)
  const goodBack = readAll(good)
  good.end('still here')
  t.equal((await goodBack).toString(), 'hi\nstill here', 'a well-behaved client is still served')
  await new Promise<void>(resolve => { const check = () => server.activeConnections === 0 ? resolve() : setTimeout(check, 10); check() })
  const summary = await server.close()
  t.equal(summary.accepted, 10)
  t.ok(summary.resets >= 1, `${summary.resets} resets counted`)
  t.notOk(events.some(e => e.type === 'server-error'), 'no server error')
})

t.test('a client that reset before it was accepted: no address, nothing counted as sent', async t => {
  const { server, port, events, waitForEvent } = await startServer(t, { greeting: 'hi\n' })
  // This process is blocked while a child connects and resets, so the server only gets
  // to accept() after the RST: the kernel hands over a socket whose peer is gone.
  execFileSync(process.execPath, ['-e', `
    const c = require('node:net').connect(${port}, '127.0.0.1', () => { c.resetAndDestroy(); setTimeout(() => {}, 50) })
    c.on('error', () => {})`], { timeout: 10_000 })
  const closed = await waitForEvent('closed')
  t.match(closed, { reason: 'reset', bytesIn: 0, bytesOut: 0 }, 'the greeting that failed is not counted')
  t.match(events.find(e => e.type === 'accepted'), { remoteAddress: '', remotePort: 0 })
  t.match(await server.close(), { accepted: 1, resets: 1, bytesOut: 0 })
})

t.test('bound to 0.0.0.0, listening lists loopback among the reachable addresses', async t => {
  const { server, events } = await startServer(t, { host: '0.0.0.0' })
  const listening = events[0]!
  t.match(listening, { type: 'listening', address: '0.0.0.0', port: server.address().port })
  t.ok(listening.type === 'listening' && listening.reachable.includes('127.0.0.1'), 'includes 127.0.0.1')
  t.ok(listening.type === 'listening' && !listening.reachable.includes('0.0.0.0'), 'never the wildcard itself')
})

t.test('listen() rejects with EADDRINUSE on a taken port', async t => {
  const { port } = await startServer(t)
  const second = new TcpEchoServer({ port })
  await t.rejects(second.listen(), { code: 'EADDRINUSE', port })
})

t.test('close() releases every socket, resolves with exact totals, and reports nothing after', async t => {
  const { server, port, events, waitForEvent } = await startServer(t, { maxConnections: 2, closeGraceMs: 300 })
  const a = await client(t, port, { allowHalfOpen: true })
  const b = await client(t, port, { allowHalfOpen: true })
  const aReceived = readAll(a)
  const bReceived = readAll(b)
  a.write('from a')
  b.write('from b, longer')
  await waitForEvent('read', e => e.id === 1)
  await waitForEvent('read', e => e.id === 2)
  // A refused client that keeps its side open: close() must wait for it too.
  const refused = await client(t, port, { allowHalfOpen: true })
  const refusedEnded = once(refused, 'end')
  refused.resume()
  await waitForEvent('refused')

  const closing = server.close()
  t.equal(server.close(), closing, 'a second close() returns the same promise')
  const summary = await closing
  const [aBytes, bBytes] = await Promise.all([aReceived, bReceived])
  t.equal(aBytes.toString(), 'from a')
  t.equal(bBytes.toString(), 'from b, longer')
  t.match(summary, { accepted: 2, refused: 1, bytesIn: 20, bytesOut: 20 })
  t.same(events.filter(e => e.type === 'closed').map(e => e.type === 'closed' && e.reason), ['server-stopped', 'server-stopped'])
  t.equal(server.activeConnections, 0)
  await refusedEnded // its server side is gone; the client saw the refusal and EOF

  const count = events.length
  a.destroy()
  b.destroy()
  await new Promise(resolve => setTimeout(resolve, 50))
  t.equal(events.length, count, 'no events after close() resolved')
  // The port is free again.
  const again = new TcpEchoServer({ port })
  await again.listen()
  await again.close()
})

t.test('readEventsPerSecond: reads beyond the limit are counted, not built, and reported before the close', async t => {
  const limit = 3
  const { port, events, waitForEvent } = await startServer(t, { readEventsPerSecond: limit })
  const socket = await client(t, port)
  // 30 ping-pongs: each write waits for its echo, so each is its own read on the server.
  const reads = 30
  const started = Date.now()
  for (let i = 0; i < reads; i++) {
    const echoed = once(socket, 'data')
    socket.write(`m${i}`)
    await echoed
  }
  const elapsedMs = Date.now() - started
  socket.end()
  await waitForEvent('closed')
  const readEvents = events.filter(e => e.type === 'read')
  const hidden = events.filter((e): e is Extract<TcpServerEvent, { type: 'reads-hidden' }> => e.type === 'reads-hidden')
  const hiddenReads = hidden.reduce((n, e) => n + e.reads, 0)
  const bytes = readEvents.reduce((n, e) => n + e.bytes, 0) + hidden.reduce((n, e) => n + e.bytes, 0)
  t.equal(readEvents.length + hiddenReads, reads, 'every read is either reported or counted')
  t.equal(bytes, Array.from({ length: reads }, (_, i) => `m${i}`.length).reduce((a, b) => a + b), 'and so is every byte')
  t.ok(hidden.every(e => e.limit === limit && e.id === 1))
  // Each window of one second shows at most `limit` reads.
  const windows = Math.ceil((elapsedMs + 1) / 1000) + 1
  t.ok(readEvents.length <= limit * windows, `${readEvents.length} read events over ${elapsedMs} ms`)
  t.ok(readEvents.slice(0, limit).every((e, i) => e.preview === `m${i}`), 'the first reads of a window are the ones shown')
  // The roll-up comes before the half-close that ends the connection's reads.
  const lastHidden = events.lastIndexOf(hidden.at(-1)!)
  const halfClose = events.findIndex(e => e.type === 'half-close')
  t.ok(lastHidden >= 0 && lastHidden < halfClose, 'reads-hidden is reported before the half-close')
})

t.test('readEventsPerSecond: hidden reads are reported when their second is over, while the connection stays open and silent', async t => {
  const limit = 3
  const { port, events, waitForEvent } = await startServer(t, { readEventsPerSecond: limit })
  const socket = await client(t, port)
  // Ping-pong until one read is hidden (each write waits for its echo, so each is one read).
  let sent = 0
  for (; sent < 200 && events.filter(e => e.type === 'read').length === sent; sent++) {
    const echoed = once(socket, 'data')
    socket.write(`m${sent}`)
    await echoed
  }
  t.ok(events.filter(e => e.type === 'read').length < sent, `a read was hidden within ${sent} reads`)
  // Then silence, the socket still open: the roll-up must not wait for another read or the close.
  const hidden = await waitForEvent('reads-hidden')
  t.notOk(events.some(e => e.type === 'half-close' || e.type === 'closed'), 'reported while the connection is open')
  t.equal(events.filter(e => e.type === 'read').length + hidden.reads, sent, 'every read is reported or counted')
})

t.test('readEventsPerSecond 0 (the default) reports every read', async t => {
  const { port, events, waitForEvent } = await startServer(t)
  const socket = await client(t, port)
  for (let i = 0; i < 30; i++) {
    const echoed = once(socket, 'data')
    socket.write(`m${i}`)
    await echoed
  }
  socket.end()
  await waitForEvent('closed')
  t.equal(events.filter(e => e.type === 'read').length, 30)
  t.equal(events.filter(e => e.type === 'reads-hidden').length, 0)
})

/** Linux's ss shows a listening socket's backlog in Send-Q; elsewhere there is no portable way to read it. */
const ssSkip = (() => {
  if (process.platform !== 'linux') return 'needs Linux to read a listening socket\'s backlog'
  try { execFileSync('ss', ['-V'], { stdio: 'ignore' }); return false } catch { return 'needs `ss` (iproute2) to read a listening socket\'s backlog' }
})()

t.test('the listen backlog is 4096 (capped by the kernel), not Node\'s 511: a burst of connects is queued, not dropped', { skip: ssSkip }, async t => {
  const server = new TcpEchoServer({ port: 0 })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  const line = execFileSync('ss', ['-Hltn', `sport = :${port}`], { encoding: 'utf8' }).trim()
  const sendQ = Number(line.split(/\s+/)[2])
  const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8'))
  t.equal(sendQ, Math.min(4096, somaxconn), `ss: ${line}`)
})
