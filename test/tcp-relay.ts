import t, { type Test } from 'tap'
import { connect, createServer, type Server, type Socket } from 'node:net'
import { once } from 'node:events'
import { createHash, randomBytes } from 'node:crypto'
import { TcpRelay, type TcpRelayEvent } from '../src/impairment/tcp-relay.js'
import { secondLoopbackSkip } from './fixtures/loopback.js'

const listen = async (t: Test, handler: (s: Socket) => void): Promise<{ server: Server; port: number }> => {
  const server = createServer({ allowHalfOpen: true }, handler)
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const sockets = new Set<Socket>()
  server.on('connection', s => { sockets.add(s); s.on('error', () => {}); s.on('close', () => sockets.delete(s)) })
  t.teardown(() => { for (const s of sockets) s.destroy(); return new Promise<void>(r => server.close(() => r())) })
  return { server, port: (server.address() as { port: number }).port }
}

const relayTo = async (t: Test, port: number, options: Partial<ConstructorParameters<typeof TcpRelay>[0]> = {}, events: TcpRelayEvent[] = []) => {
  const relay = new TcpRelay({ target: { host: '127.0.0.1', port }, chunkEvents: false, onEvent: e => events.push(e), ...options })
  await relay.listen()
  t.teardown(() => relay.close())
  return relay
}

const dial = async (t: Test, port: number): Promise<Socket> => {
  const s = connect({ host: '127.0.0.1', port, allowHalfOpen: true })
  t.teardown(() => { s.destroy() })
  await once(s, 'connect')
  return s
}

const readAll = (s: Socket): Promise<Buffer> => new Promise((resolve, reject) => {
  const parts: Buffer[] = []
  s.on('data', d => parts.push(d))
  s.on('end', () => resolve(Buffer.concat(parts)))
  s.on('error', reject)
})

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

t.test('8 MB of random bytes through delay + jitter arrive intact and in order, both ways', async t => {
  // Echo server: what comes back must equal what went out, byte for byte.
  const { port } = await listen(t, s => { s.pipe(s) })
  const relay = await relayTo(t, port, { impairment: { delay: 5, jitter: 5 }, seed: 3, queueBytes: 256 * 1024 })
  const client = await dial(t, relay.address().port)
  const payload = randomBytes(8 * 1024 * 1024)
  const received = readAll(client)
  // Many writes of irregular size, so jitter has many chunks to try to reorder.
  let offset = 0
  while (offset < payload.length) {
    const size = 1 + ((offset * 7919) % 65536)
    const ok = client.write(payload.subarray(offset, offset + size))
    offset += size
    if (!ok) await once(client, 'drain')
  }
  client.end()
  const back = await received
  t.equal(back.length, payload.length)
  t.equal(sha(back), sha(payload), 'same bytes in the same order')
  const c = relay.counters()
  t.equal(c.clientToServer.bytesForwarded, payload.length)
  t.equal(c.serverToClient.bytesForwarded, payload.length)
  t.ok(c.clientToServer.delayed > 0)
})

t.test('half-close travels through the relay and the other direction keeps working', async t => {
  let serverSaw = ''
  const serverEnded = new Promise<void>(resolve => {
    void listen(t, s => {
      s.on('data', d => { serverSaw += d.toString() })
      s.on('end', () => {
        resolve()
        // The server answers after the client's FIN, then closes.
        s.end(`got ${serverSaw.length} bytes`)
      })
    }).then(({ port }) => relayTo(t, port, { impairment: { delay: 10 } }).then(relay => started(relay.address().port)))
  })
  let started!: (port: number) => void
  const relayPort = await new Promise<number>(r => { started = r })
  const client = await dial(t, relayPort)
  const reply = readAll(client)
  client.end('hola mundo')
  await serverEnded
  t.equal(serverSaw, 'hola mundo', 'the data arrived before the FIN')
  t.equal((await reply).toString(), 'got 10 bytes', 'the reply came back after our half-close')
})

t.test('a reset from the server reaches the client as a reset', async t => {
  const { port } = await listen(t, s => { s.once('data', () => s.resetAndDestroy()) })
  const events: TcpRelayEvent[] = []
  const relay = await relayTo(t, port, {}, events)
  const client = await dial(t, relay.address().port)
  client.write('boom')
  const [err] = await once(client, 'error') as [Error & { code?: string }]
  t.equal(err.code, 'ECONNRESET')
  await new Promise<void>(r => { const check = () => events.some(e => e.type === 'closed') ? r() : setTimeout(check, 5); check() })
  t.match(events.find(e => e.type === 'closed'), { reason: 'reset' })
  t.equal(relay.summary().resets, 1)
})

t.test('a target that refuses: the client gets a reset and the event says why', async t => {
  const { server, port } = await listen(t, () => {})
  await new Promise<void>(r => server.close(() => r()))
  const events: TcpRelayEvent[] = []
  const relay = await relayTo(t, port, {}, events)
  const client = connect({ host: '127.0.0.1', port: relay.address().port })
  t.teardown(() => { client.destroy() })
  const [err] = await once(client, 'error') as [Error & { code?: string }]
  t.equal(err.code, 'ECONNRESET')
  t.match(events.find(e => e.type === 'upstream-failed'), { code: 'ECONNREFUSED' })
})

t.test('loss, reorder and duplicate are refused for TCP in user space', async t => {
  for (const impairment of [{ loss: 1 }, { reorder: 1 }, { duplicate: 1 }]) {
    t.throws(() => new TcpRelay({ target: { host: '127.0.0.1', port: 9 }, impairment }), { code: 'ERR_SOCKKIT_UNSUPPORTED' })
  }
})

t.test('backpressure: a client that does not read makes the relay stop reading the server', async t => {
  let serverWrote = 0
  let serverBlocked = false
  const chunk = Buffer.alloc(64 * 1024, 1)
  const { port } = await listen(t, s => {
    const pump = () => {
      // Bounded: stop after 64 MB whatever happens.
      while (serverWrote < 64 * 1024 * 1024) {
        serverWrote += chunk.length
        if (!s.write(chunk)) { serverBlocked = true; s.once('drain', pump); return }
      }
    }
    pump()
  })
  const events: TcpRelayEvent[] = []
  const relay = await relayTo(t, port, { queueBytes: 256 * 1024 }, events)
  const client = await dial(t, relay.address().port)
  client.pause()
  await new Promise<void>(r => { const check = () => events.some(e => e.type === 'backpressure') ? r() : setTimeout(check, 5); check() })
  // Let the kernel buffers fill; then the server must be blocked well short of its 64 MB.
  await new Promise<void>(r => { const check = () => serverBlocked ? r() : setTimeout(check, 5); check() })
  const wroteWhenBlocked = serverWrote
  await new Promise(r => setTimeout(r, 200))
  t.ok(serverWrote < 64 * 1024 * 1024, `server stalled after ${serverWrote} bytes`)
  t.ok(serverWrote - wroteWhenBlocked <= 8 * 1024 * 1024, 'and stays stalled while nobody reads')
  client.destroy()
})

t.test('a client that half-closes and then resets: every relay socket is released, close() resolves', async t => {
  // The race behind it (Node 20): the relay calls end() on the upstream (the client's FIN,
  // relayed after the delayed data), and in the same loop turn learns of the client's reset
  // and resets the upstream while that shutdown is in flight. resetAndDestroy() then fails
  // with EINVAL and the upstream handle is never closed: no 'closed' event, and the server
  // never hears that the client is gone. Ten rounds, so a lucky ordering cannot hide it.
  const ROUNDS = 10
  let serverSocket: Socket | undefined
  let serverClosed = 0
  const { port } = await listen(t, s => {
    serverSocket = s
    s.resume()
    s.on('end', () => s.end())
    s.on('close', () => serverClosed++)
  })
  const events: TcpRelayEvent[] = []
  const relay = await relayTo(t, port, { impairment: { delay: 20 } }, events)
  const waitFor = (what: string, predicate: () => boolean) => new Promise<void>((resolve, reject) => {
    const deadline = Date.now() + 5000
    const check = () => predicate() ? resolve() : Date.now() > deadline ? reject(new Error(`timed out waiting for ${what}`)) : setTimeout(check, 5)
    check()
  })
  for (let round = 1; round <= ROUNDS; round++) {
    const client = await dial(t, relay.address().port)
    client.on('error', () => {})
    await waitFor(`upstream ${round}`, () => events.some(e => e.type === 'upstream-connected' && e.id === round))
    // Data both ways at the same instant, so both delayed writes fall due in the same timer turn.
    client.write('x')
    client.end()
    serverSocket!.write('y')
    client.once('finish', () => client.resetAndDestroy())
    await once(client, 'close')
  }
  await waitFor('a closed event for every connection', () => events.filter(e => e.type === 'closed').length === ROUNDS)
  t.equal(relay.activeConnections, 0)
  await waitFor('the server to see every connection end', () => serverClosed === ROUNDS)
  t.notOk(events.some(e => e.type === 'reset' && e.code === 'EINVAL'), 'no EINVAL from a reset during shutdown')
  const summary = await relay.close()
  t.equal(summary.connections, ROUNDS)
})

t.test('addressFilter: a denied client is closed at once and the target never hears of it', { skip: secondLoopbackSkip }, async t => {
  const { createAddressFilter } = await import('../src/core/cidr.js')
  let targetConnections = 0
  const { port } = await listen(t, s => { targetConnections++; s.pipe(s) })
  const events: TcpRelayEvent[] = []
  const relay = await relayTo(t, port, { addressFilter: createAddressFilter({ deny: ['127.0.0.1'] }) }, events)
  const exchange = async (localAddress: string) => {
    const s = connect({ host: '127.0.0.1', port: relay.address().port, localAddress })
    t.teardown(() => { s.destroy() })
    s.on('error', () => { /* a denied client may see a reset */ })
    let back = ''
    s.on('data', d => { back += d })
    s.once('connect', () => s.end('hola'))
    await new Promise(resolve => s.once('close', resolve))
    return back
  }
  t.equal(await exchange('127.0.0.1'), '', 'nothing for 127.0.0.1')
  t.equal(await exchange('127.0.0.2'), 'hola', 'relayed for 127.0.0.2')
  t.equal(targetConnections, 1, 'the target saw only the allowed client')
  t.match(events.find(e => e.type === 'denied'), { remoteAddress: '127.0.0.1', denied: 1 })
  t.match(events.find(e => e.type === 'accepted'), { remoteAddress: '127.0.0.2' })
  t.equal((await relay.close()).denied, 1)
})
