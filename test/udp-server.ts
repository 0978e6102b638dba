import t, { type Test } from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'
import { UdpServer, startUdpServer, type UdpServerEvent, type UdpServerOptions } from '../src/servers/udp-server.js'

const start = async (t: Test, options: UdpServerOptions = {}) => {
  const events: UdpServerEvent[] = []
  const waiters = new Set<() => void>()
  const server = await startUdpServer({ port: 0, ...options, onEvent: e => { events.push(e); options.onEvent?.(e); waiters.forEach(w => w()) } })
  let closed = false
  t.teardown(async () => { if (!closed) await server.close() })
  /** Resolves once an event of `type` has come (bounded by tap's timeout). */
  const eventOf = (type: UdpServerEvent['type']) => new Promise<void>(resolve => {
    const check = () => { if (events.some(e => e.type === type)) { waiters.delete(check); resolve() } }
    waiters.add(check)
    check()
  })
  return { server, events, eventOf, port: server.address().port, close: async () => { closed = true; return server.close() } }
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

/** What a fresh loopback socket gets when it asks for nothing. */
const defaultRecvBufferSize = async (): Promise<number> => {
  const socket = createSocket('udp4')
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  const bytes = socket.getRecvBufferSize()
  await new Promise<void>(resolve => socket.close(() => resolve()))
  return bytes
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
  const { port, events, eventOf, close } = await start(t, { echo: false, datagramEvents: false })
  const a = await client(t)
  await a.send(port, 'seq=1 x')
  await a.send(port, 'seq=3 x')
  // the gap report is the sign the server has seen both
  await eventOf('sequence')
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

t.test('recvBufferSize the kernel refuses (macOS over kern.ipc.maxsockbuf): still listening, on the default, and listening says why', async t => {
  const defaultBytes = await defaultRecvBufferSize()
  const { install } = createRequire(import.meta.url)('./fixtures/refuse-rcvbuf.cjs') as { install: (limitBytes: number) => () => void }
  t.teardown(install(1_000_000))
  const { events, port, server } = await start(t, { recvBufferSize: 8_000_000 })
  t.match(events.find(e => e.type === 'listening'), { requestedRecvBufferSize: 8_000_000, recvBufferRefused: 'ENOBUFS', recvBufferSize: defaultBytes })
  t.equal(server.recvBufferSize(), defaultBytes)
  const peer = await client(t)
  await peer.send(port, 'hola')
  await peer.receivedCount(1)
  t.equal(peer.received[0]!.toString(), 'hola', 'it echoes as usual')
})

t.test('a port in use is refused with EADDRINUSE', async t => {
  const { port } = await start(t)
  const second = new UdpServer({ port })
  await t.rejects(second.listen(), { code: 'EADDRINUSE', port })
  t.match(await second.close(), { datagrams: 0 })
})

/** Send `texts` one at a time from `who`, each confirmed by its echo. */
const sendAll = async (who: Awaited<ReturnType<typeof client>>, port: number, texts: string[]) => {
  for (const text of texts) {
    const before = who.received.length
    await who.send(port, text)
    await who.receivedCount(before + 1)
  }
}

t.test('a peer that starts again at seq 1 after a pause begins a new run: its losses are not hidden as duplicates', async t => {
  const { port, events, close } = await start(t, { seqRestartPauseMs: 150 })
  const a = await client(t)
  // run 1: 1..5; a pause; run 2 (same port): 1, 2, 4, 5, 6 — 3 lost in the second run
  await sendAll(a, port, [1, 2, 3, 4, 5].map(n => `seq=${n} x`))
  await new Promise(resolve => setTimeout(resolve, 250))
  await sendAll(a, port, [1, 2, 4, 5, 6].map(n => `seq=${n} x`))
  const restarts = events.filter(e => e.type === 'sequence-restart')
  t.match(restarts, [{ port: a.port, restarts: 1, previous: { received: 5, lowest: 1, highest: 5, missing: 0, duplicates: 0 } }])
  const sequence = events.filter(e => e.type === 'sequence')
  t.same(sequence.map(e => e.type === 'sequence' && [e.kind, e.seq]), [['gap', 4]], 'no duplicates: only the gap at 3')
  const summary = await close()
  t.match(summary.peers[0], {
    seq: { received: 5, lowest: 1, highest: 6, missing: 1, duplicates: 0, restarts: 1, earlierRuns: { runs: 1, received: 5, missing: 0 } },
  })
})

t.test('without a pause, a late or copied seq 1 is reordered or a duplicate — never a restart that invents losses', async t => {
  // What a jittery path (link --jitter) delivers: seq 1 behind later ones, and a copy of it.
  const { port, events, close } = await start(t, { seqRestartPauseMs: 60_000 })
  const a = await client(t)
  await sendAll(a, port, [2, 3, 4, 5, 1, 6, 1, 7].map(n => `seq=${n} x`))
  t.notOk(events.some(e => e.type === 'sequence-restart'))
  t.match((await close()).peers[0], { seq: { received: 8, missing: 0, duplicates: 1, reordered: 1, restarts: 0 } })
})

t.test('a copy of seq 1 early in a run is a duplicate, not a restart', async t => {
  const { events, port, close } = await start(t)
  const a = await client(t)
  await sendAll(a, port, [1, 2, 1, 3].map(n => `seq=${n} x`))
  t.notOk(events.some(e => e.type === 'sequence-restart'))
  t.match((await close()).peers[0], { seq: { duplicates: 1, restarts: 0, missing: 0 } })
})

t.test('seq numbers start at 1: losses at the start are missing; the live count is the running total', async t => {
  const { port, events, close } = await start(t)
  const a = await client(t)
  await sendAll(a, port, [3, 4, 6, 8].map(n => `seq=${n} x`))
  const gaps = events.filter(e => e.type === 'sequence')
  t.match(gaps, [
    { kind: 'gap', seq: 3, expected: 1, missing: 2, missingSoFar: 2 },
    { kind: 'gap', seq: 6, expected: 5, missing: 1, missingSoFar: 3 },
    { kind: 'gap', seq: 8, expected: 7, missing: 1, missingSoFar: 4 },
  ])
  t.match((await close()).peers[0], { seq: { lowest: 3, highest: 8, missing: 4 } })
})

t.test('huge peer-chosen numbers are gaps, not allocations', async t => {
  const { port, events, close } = await start(t)
  const a = await client(t)
  const before = process.memoryUsage().arrayBuffers
  await sendAll(a, port, ['seq=1 x', 'seq=1073741000 x', 'seq=2147483000 x', 'seq=999999999999999 x', 'seq=999999999999999 x'])
  // The old bitmap reserved ~250 MB for seq 2147483000 alone; allow generous noise.
  t.ok(process.memoryUsage().arrayBuffers - before < 16 * 1024 * 1024, 'no bitmap up to the highest number')
  t.match(events.filter(e => e.type === 'sequence'), [
    { kind: 'gap', seq: 1073741000, jump: true },
    { kind: 'gap', seq: 2147483000, jump: true },
    { kind: 'gap', seq: 999999999999999, jump: true },
    { kind: 'duplicate', seq: 999999999999999 },
  ])
  t.match((await close()).peers[0], { seq: { highest: 999999999999999, missing: 999999999999999 - 4, duplicates: 1 } })
})

// The review's repro: over IPv6 the kernel counts drops in /proc/net/snmp6 (Udp6RcvbufErrors),
// which was never read, so a flood on ::1 reported "kernel dropped no datagrams".
t.test('IPv6: a flood into a tiny receive buffer on ::1 shows up as Udp6 kernel drops', async t => {
  if (process.platform !== 'linux' || !existsSync('/proc/net/snmp6')) return t.plan(0, 'the Udp6 counters are in Linux /proc/net/snmp6')
  const sender = createSocket('udp6')
  const bound = await new Promise<boolean>(resolve => {
    sender.once('error', () => resolve(false))
    sender.bind(0, '::1', () => resolve(true))
  })
  if (!bound) return t.plan(0, '::1 is not available here')
  t.teardown(() => new Promise<void>(resolve => sender.close(() => resolve())))
  const { port, events, close } = await start(t, { host: '::1', recvBufferSize: 4096, echo: false, datagramEvents: false, kernelDropCheckMs: 0 })
  t.match(events.find(e => e.type === 'listening'), { kernelDropCounter: true, machineDropCounter: true, kernelDropFamily: 'ipv6' })
  const payload = Buffer.alloc(1000, 0x61)
  // Sends complete without the event loop polling, so the server cannot read in between:
  // its 4 KiB buffer (8 KiB granted) holds a handful of the 2000.
  let sent = 0
  await new Promise<void>(resolve => {
    for (let i = 0; i < 2000; i++) sender.send(payload, port, '::1', () => { if (++sent === 2000) resolve() })
  })
  const summary = await close()
  t.equal(summary.kernelDropFamily, 'ipv6')
  t.ok(summary.kernelDrops !== null && summary.kernelDrops > 0, `kernel drops reported: ${summary.kernelDrops}`)
  // The socket's own count: drops + received = sent, whatever else the machine is doing.
  t.equal(summary.kernelDrops! + summary.datagrams, 2000, `${summary.kernelDrops} dropped + ${summary.datagrams} received = the 2000 sent`)
  t.match(events.filter(e => e.type === 'kernel-drops'), [{ total: summary.kernelDrops }])
})

// A flood must cost a few lines, not one per datagram: per peer, at most `eventsPerSecond`
// datagram and sequence events a second; the rest are counted into one event each.
t.test('eventsPerSecond: a burst becomes a few events plus a count of the rest, reported after the burst', async t => {
  const { port, events, eventOf, close } = await start(t, { eventsPerSecond: 5 })
  const a = await client(t)
  // Only even numbers: every datagram after the first is a gap.
  const sends: Promise<void>[] = []
  for (let seq = 2; seq <= 200; seq += 2) sends.push(a.send(port, `seq=${seq} x`))
  await Promise.all(sends)
  await a.receivedCount(100)
  // No further datagram closes the window: the once-a-second check reports what was hidden.
  await eventOf('datagrams-hidden')
  const shown = events.filter(e => e.type === 'datagram').length
  const hidden = events.filter((e): e is Extract<UdpServerEvent, { type: 'datagrams-hidden' }> => e.type === 'datagrams-hidden')
  t.ok(shown < 100, `${shown} datagram events for 100 datagrams`)
  t.equal(shown + hidden.reduce((sum, e) => sum + e.datagrams, 0), 100, 'shown + hidden = every datagram')
  t.match(hidden[0], { address: '127.0.0.1', port: a.port, limit: 5 })
  const gaps = events.filter(e => e.type === 'sequence').length
  const hiddenSeq = events.filter((e): e is Extract<UdpServerEvent, { type: 'sequence-hidden' }> => e.type === 'sequence-hidden')
  t.equal(gaps + hiddenSeq.reduce((sum, e) => sum + e.gaps, 0), 100, 'every gap shown or counted (seq 2 is one too: 1 missing)')
  t.equal(hiddenSeq.at(-1)?.missingSoFar, 100, 'the count carries the running missing total')
  const summary = await close()
  t.match(summary.peers[0], { datagrams: 100, seq: { missing: 100 } }, 'the summary keeps the totals')
})

t.test('eventsPerSecond: what is still hidden at close is reported before the summary', async t => {
  const { port, events, close } = await start(t, { eventsPerSecond: 1 })
  const a = await client(t)
  await Promise.all([a.send(port, 'one'), a.send(port, 'two'), a.send(port, 'three')])
  await a.receivedCount(3)
  await close()
  const hidden = events.filter(e => e.type === 'datagrams-hidden')
  t.equal(events.filter(e => e.type === 'datagram').length + (hidden as { datagrams: number }[]).reduce((s, e) => s + e.datagrams, 0), 3)
  t.ok(hidden.length >= 1, 'reported at close')
})

t.test('eventsPerSecond must be a whole number ≥ 0', async t => {
  t.throws(() => new UdpServer({ eventsPerSecond: -1 }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('parseUdpTable reads local port, inode and drops; skips the header and junk', async t => {
  const { parseUdpTable } = await import('../src/net/udp-socket-drops.js')
  const text = [
    '   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops            ',
    ' 2765: 0100007F:A978 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 1769696 2 0000000057dba2fe 18915   ',
    ' 1234: 00000000000000000000000001000000:2328 00000000000000000000000000000000:0000 07 00000000:00000000 00:00000000 00000000  1000        0 42 2 00000000c0ffee00 0',
    'garbage line',
  ].join('\n')
  t.same(parseUdpTable(text), [
    { localPort: 0xa978, inode: '1769696', drops: 18915 },
    { localPort: 9000, inode: '42', drops: 0 },
  ])
})
