import t, { type Test } from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { UdpServer, startUdpServer, type UdpServerEvent, type UdpServerOptions } from '../src/udp-server.js'

const start = async (t: Test, options: UdpServerOptions = {}) => {
  const events: UdpServerEvent[] = []
  const server = await startUdpServer({ port: 0, ...options, onEvent: e => { events.push(e); options.onEvent?.(e) } })
  let closed = false
  t.teardown(async () => { if (!closed) await server.close() })
  return { server, events, port: server.address().port, close: async () => { closed = true; return server.close() } }
}

/** A client socket on loopback that collects what comes back. */
const client = async (t: Test) => {
  const socket = createSocket('udp4')
  const received: Buffer[] = []
  const waiters = new Set<() => void>()
  socket.on('message', data => { received.push(data); waiters.forEach(w => w()) })
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  t.teardown(() => new Promise<void>(resolve => socket.close(() => resolve())))
  const send = (port: number, text: string) => new Promise<void>((resolve, reject) =>
    socket.send(text, port, '127.0.0.1', err => err ? reject(err) : resolve()))
  /** Resolves once `n` datagrams have come back in all (bounded by tap's timeout). */
  const receivedCount = (n: number) => new Promise<void>(resolve => {
    const check = () => { if (received.length >= n) { waiters.delete(check); resolve() } }
    waiters.add(check)
    check()
  })
  return { socket: socket as Socket, received, send, receivedCount, port: socket.address().port }
}

t.test('two peers at once: each gets every one of its own echoes, byte for byte', async t => {
  const { port, close } = await start(t)
  const a = await client(t)
  const b = await client(t)
  const sends: Promise<void>[] = []
  for (let i = 1; i <= 20; i++) sends.push(a.send(port, `a${i}`), b.send(port, `b${i}`))
  await Promise.all(sends)
  await Promise.all([a.receivedCount(20), b.receivedCount(20)])
  t.same(a.received.map(d => d.toString()).sort(), Array.from({ length: 20 }, (_, i) => `a${i + 1}`).sort())
  t.same(b.received.map(d => d.toString()).sort(), Array.from({ length: 20 }, (_, i) => `b${i + 1}`).sort())
  const summary = await close()
  t.match(summary, { datagrams: 40, echoed: 40, peersSeen: 2, peersEvicted: 0 })
  t.same(summary.peers.map(p => [p.port, p.datagrams]).sort(), [[a.port, 20], [b.port, 20]].sort())
})

t.test('seq= datagrams: gaps, reordering and duplicates are reported per peer as they happen', async t => {
  const { port, events, close } = await start(t)
  const a = await client(t)
  const b = await client(t)
  // a: 1, 4 (gap of 2), 2 (late), 2 (duplicate); b interleaved, in order: no reports for b
  for (const [who, text] of [[a, 'seq=1 x'], [b, 'seq=1 y'], [a, 'seq=4 x'], [b, 'seq=2 y'], [a, 'seq=2 x'], [a, 'seq=2 x'], [b, 'seq=3 y']] as const) {
    const before = who.received.length
    await who.send(port, text)
    await who.receivedCount(before + 1) // the echo proves the server has processed it
  }
  const sequence = events.filter(e => e.type === 'sequence')
  t.same(sequence.map(e => e.type === 'sequence' && [e.port, e.kind, e.seq]), [
    [a.port, 'gap', 4],
    [a.port, 'reordered', 2],
    [a.port, 'duplicate', 2],
  ])
  t.match(sequence[0], { expected: 2, missing: 2 })
  const summary = await close()
  t.match(summary.peers.find(p => p.port === a.port), { seq: { received: 4, lowest: 1, highest: 4, missing: 1, duplicates: 1, reordered: 1 } })
  t.match(summary.peers.find(p => p.port === b.port), { seq: { received: 3, missing: 0, duplicates: 0, reordered: 0 } })
})

t.test('without echo nothing is sent back, and datagram events can be turned off', async t => {
  const { port, events, close } = await start(t, { echo: false, datagramEvents: false })
  const a = await client(t)
  await a.send(port, 'seq=1 x')
  await a.send(port, 'seq=3 x')
  // the gap report is the sign the server has seen both
  await new Promise<void>(resolve => {
    const poll = () => events.some(e => e.type === 'sequence') ? resolve() : setTimeout(poll, 5)
    poll()
  })
  t.notOk(events.some(e => e.type === 'datagram'))
  t.match(await close(), { datagrams: 2, echoed: 0 })
  t.equal(a.received.length, 0)
})

t.test('maxPeers: the least recently heard peer is forgotten, and that is reported', async t => {
  const { port, events, close } = await start(t, { maxPeers: 2 })
  const peers = [await client(t), await client(t), await client(t)]
  for (const peer of peers) {
    await peer.send(port, 'hi')
    await peer.receivedCount(1)
  }
  t.match(events.filter(e => e.type === 'peer-evicted'), [{ port: peers[0]!.port, datagrams: 1, maxPeers: 2 }])
  const summary = await close()
  t.match(summary, { peersSeen: 3, peersEvicted: 1 })
  t.same(summary.peers.map(p => p.port), [peers[1]!.port, peers[2]!.port])
})

t.test('recvBufferSize: the size the kernel granted is reported', async t => {
  const requested = 65536
  const { events, server } = await start(t, { recvBufferSize: requested })
  const listening = events.find(e => e.type === 'listening')
  t.match(listening, { requestedRecvBufferSize: requested })
  const granted = listening?.type === 'listening' ? listening.recvBufferSize : 0
  t.equal(granted, server.recvBufferSize())
  // Linux doubles the request (for its own bookkeeping); elsewhere it is at least close to it.
  if (process.platform === 'linux') t.equal(granted, requested * 2)
  else t.ok(granted > 0)
})

t.test('a port in use is refused with EADDRINUSE', async t => {
  const { port } = await start(t)
  const second = new UdpServer({ port })
  await t.rejects(second.listen(), { code: 'EADDRINUSE', port })
  t.match(await second.close(), { datagrams: 0 })
})
