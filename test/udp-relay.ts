import t, { type Test } from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { once } from 'node:events'
import { SequenceTracker } from '../src/core/sequence-tracker.js'
import { createRandom, deriveSeed } from '../src/impairment/model.js'
import { UdpRelay, type UdpRelayEvent, type UdpRelayOptions } from '../src/impairment/udp-relay.js'
import { secondLoopbackSkip } from './fixtures/loopback.js'

/** A UDP socket on loopback, closed at teardown. */
const udpSocket = async (t: Test, port = 0): Promise<Socket> => {
  const s = createSocket('udp4')
  s.bind(port, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(() => new Promise<void>(r => { try { s.close(() => r()) } catch { r() } }))
  return s
}

/** An echo server, or a sink that only records the sequence numbers it receives. */
const server = async (t: Test, echo: boolean) => {
  const s = await udpSocket(t)
  const seqs: number[] = []
  s.on('message', (data, rinfo) => {
    seqs.push(data.readUInt32BE(0))
    if (echo) s.send(data, rinfo.port, rinfo.address)
  })
  return { socket: s, port: s.address().port, seqs }
}

const relayTo = async (t: Test, port: number, options: Partial<UdpRelayOptions>, events: UdpRelayEvent[] = []) => {
  const relay = new UdpRelay({ target: { host: '127.0.0.1', port }, datagramEvents: true, onEvent: e => events.push(e), ...options })
  await relay.listen()
  t.teardown(() => relay.close())
  return relay
}

const datagram = (seq: number, size = 32) => {
  const b = Buffer.alloc(size)
  b.writeUInt32BE(seq, 0)
  return b
}

/** Resolve once `predicate` holds, checking after each event loop turn (bounded). */
const until = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
  const start = Date.now()
  while (!predicate()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`)
    await new Promise(r => setTimeout(r, 5))
  }
}

/**
 * Send n datagrams in bursts of 50. With `settled`, wait after each burst until the pipeline
 * has drained (the predicate holds for the count sent so far): a fixed pause is not enough
 * when another test loads the CPU and the relay falls behind, and a datagram the kernel drops
 * at a full receive buffer would never be accounted for.
 */
const sendAll = async (client: Socket, port: number, n: number, settled?: (sent: number) => boolean) => {
  for (let i = 0; i < n; i++) {
    client.send(datagram(i), port, '127.0.0.1')
    if (i % 50 === 49 || i === n - 1) {
      if (settled) await until(() => settled(i + 1), `burst ending at ${i + 1} to drain`)
      else await new Promise(r => setTimeout(r, 2))
    }
  }
}

t.test('replies go back to the right client; each client gets its own upstream socket', async t => {
  const echo = await server(t, true)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, echo.port, {}, events)
  const a = await udpSocket(t); const b = await udpSocket(t)
  const got = { a: [] as number[], b: [] as number[] }
  a.on('message', d => got.a.push(d.readUInt32BE(0)))
  b.on('message', d => got.b.push(d.readUInt32BE(0)))
  a.send(datagram(1), relay.address().port, '127.0.0.1')
  b.send(datagram(2), relay.address().port, '127.0.0.1')
  await until(() => got.a.length === 1 && got.b.length === 1, 'both replies')
  t.same(got, { a: [1], b: [2] })
  t.equal(relay.activeClients, 2)
  t.equal(events.filter(e => e.type === 'client').length, 2)
})

t.test('loss 20% each way: binomial bounds on each direction and on the round trip', async t => {
  // Random seed each run, so this checks the distribution rather than one fixed draw;
  // the seed is printed on failure so a failure can be replayed.
  const seed = Math.floor(Math.random() * 2 ** 32)
  const echo = await server(t, true)
  const relay = await relayTo(t, echo.port, { impairment: { loss: 20 }, seed, datagramEvents: false })
  const client = await udpSocket(t)
  let replies = 0
  client.on('message', () => { replies++ })
  const n = 2000
  // Wait on counters, not on a sleep, after every burst: every datagram sent reached the
  // relay, every one it forwarded came back from the echo server, and every reply it
  // forwarded reached us — so no buffer ever holds more than one burst.
  const accounted = (sent: number) => {
    const c = relay.counters()
    return c.clientToServer.received === sent && c.serverToClient.received === c.clientToServer.forwarded && replies === c.serverToClient.forwarded
  }
  await sendAll(client, relay.address().port, n, accounted)
  t.ok(accounted(n), 'all datagrams accounted for')
  const c = relay.counters()
  // Client→server drops ~ Binomial(n = 2000, p = 0.2): mean 400, sd = sqrt(2000·0.2·0.8) = 17.9.
  // Bounds mean ± 5 sd = 310.6 … 489.4; P(|Z| > 5) ≈ 5.7e-7, a false failure about once in
  // 1.7 million runs.
  t.ok(Math.abs(c.clientToServer.dropped - 400) <= 5 * 17.89, `c→s dropped ${c.clientToServer.dropped} (seed ${seed})`)
  // Server→client drops ~ Binomial(m, 0.2) with m = echoed datagrams; same 5-sd bound.
  const m = c.serverToClient.received
  t.ok(Math.abs(c.serverToClient.dropped - 0.2 * m) <= 5 * Math.sqrt(m * 0.16), `s→c dropped ${c.serverToClient.dropped} of ${m} (seed ${seed})`)
  // Round trip: each probe is lost independently with 1 − 0.8² = 0.36: Binomial(2000, 0.36),
  // mean 720, sd = sqrt(2000·0.36·0.64) = 21.5; ± 5 sd = 612.7 … 827.3 (same 5.7e-7).
  const lost = n - replies
  t.ok(Math.abs(lost - 720) <= 5 * 21.47, `round-trip lost ${lost} (seed ${seed})`)
})

t.test('delay: RTT through the relay is at least 2 × delay', async t => {
  const echo = await server(t, true)
  const relay = await relayTo(t, echo.port, { impairment: { delay: 40 } })
  const client = await udpSocket(t)
  for (let i = 0; i < 3; i++) {
    const start = performance.now()
    client.send(datagram(i), relay.address().port, '127.0.0.1')
    await once(client, 'message')
    const rtt = performance.now() - start
    // A lower bound only, and exact: the relay never forwards before its delay by the real clock (DelayTimer).
    t.ok(rtt >= 80, `rtt ${rtt.toFixed(1)} ms ≥ 80 ms`)
  }
  t.equal(relay.counters().clientToServer.delayed, 3)
})

t.test('a fixed delay never reorders: datagrams leave in the order they are due, even when timers fire late', async t => {
  // Before: each datagram had its own timer; one still sleeping for its last whole millisecond
  // was overtaken by a later one already polling for its last fraction, so `compare --delay 5
  // --rate 2000` saw 11 of 4000 probes out of order (extent 8) with no --reorder or --jitter.
  const sink = await server(t, false)
  const relay = await relayTo(t, sink.port, { impairment: { delay: 5 } }, [])
  const client = await udpSocket(t)
  const port = relay.address().port
  const total = 6000
  // Bursts of 30, the loop kept busy a little in between (as on a loaded machine): many
  // timers due within a millisecond, some of them firing late.
  for (let i = 0; i < total; i++) {
    client.send(datagram(i), port, '127.0.0.1')
    if (i % 30 === 29) {
      const busyUntil = performance.now() + 0.3
      while (performance.now() < busyUntil) { /* keep the loop late */ }
      await new Promise(r => setImmediate(r))
    }
  }
  // What the relay read (the kernel may drop some at its full receive buffer) has all left it, and the sink read it.
  await new Promise(r => setTimeout(r, 50))
  const c2s = () => relay.counters().clientToServer
  await until(() => c2s().forwarded + relay.summary().overflow >= c2s().received, 'every datagram the relay read to leave it')
  await until(() => sink.seqs.length >= c2s().forwarded, 'the sink to read what was forwarded', 2000).catch(() => {})
  const tracker = new SequenceTracker()
  for (const seq of sink.seqs) tracker.observe(seq)
  t.ok(sink.seqs.length >= 1000, `${sink.seqs.length} of ${total} read (the kernel may drop some at a full buffer: that is loss, not reordering)`)
  t.equal(tracker.totals().reordered, 0, `reordered ${tracker.totals().reordered} (largest extent ${tracker.totals().maxReorderExtent})`)
  t.equal(relay.counters().clientToServer.reordered, 0)
})

t.test('reordering with a seed is exact and repeatable', async t => {
  const seed = 12345
  const n = 200
  const reorder = 30
  // The rule, restated independently: datagram i is held when no datagram is held and the
  // direction's PRNG draws < 30%; the next datagram goes first, then the held one.
  const random = createRandom(deriveSeed(seed, 1, 0))
  const expectedOrder: number[] = []
  let held: number | undefined
  for (let i = 0; i < n; i++) {
    if (held !== undefined) { expectedOrder.push(i, held); held = undefined; continue }
    if (random() * 100 < reorder) held = i
    else expectedOrder.push(i)
  }
  if (held !== undefined) expectedOrder.push(held)   // no successor: released in order by the hold timeout
  const expectedReordered = expectedOrder.filter((s, k) => k > 0 && s < expectedOrder[k - 1]!).length

  const runOnce = async () => {
    const sink = await server(t, false)
    const relay = await relayTo(t, sink.port, { impairment: { reorder }, seed, reorderHoldMs: 50 })
    const client = await udpSocket(t)
    await sendAll(client, relay.address().port, n)
    await until(() => sink.seqs.length === n, 'every datagram at the sink')
    return { order: sink.seqs, counters: relay.counters() }
  }
  const first = await runOnce()
  t.same(first.order, expectedOrder, 'the order the rule predicts')
  t.equal(first.counters.clientToServer.reordered, expectedReordered)
  const tracker = new SequenceTracker()
  for (const s of first.order) tracker.observe(s)
  t.equal(tracker.totals().reordered, expectedReordered, 'RFC 4737 counts the same reordering')
  t.equal(tracker.totals().maxReorderExtent, 1)
  t.ok(expectedReordered > 20, 'the seed actually reorders something')
  const second = await runOnce()
  t.same(second.order, first.order, 'same seed, same order')
})

t.test('a held datagram released by its own duplicate copy is not counted or logged as reordered', async t => {
  // Before: with --reorder and --duplicate, the copy of a held datagram let it go and the log
  // said "#1 … reordered: sent after #1", counting a reordering no receiver can see (RFC 4737
  // leaves duplicates out). Every datagram is copied and every departure drawn for a hold, so
  // each original waits for its copy: the sink reads 0,0,1,1,… and nothing is reordered.
  const sink = await server(t, false)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, sink.port, { impairment: { reorder: 100, duplicate: 100 }, seed: 1, reorderHoldMs: 50 }, events)
  const client = await udpSocket(t)
  await sendAll(client, relay.address().port, 5)
  await until(() => sink.seqs.length === 10, 'both copies of every datagram at the sink')
  t.same(sink.seqs, [0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
  t.equal(relay.counters().clientToServer.reordered, 0)
  t.equal(events.filter(e => e.type === 'forwarded' && e.reordered).length, 0, 'no "reordered" line')
})

t.test('duplication with a seed is exact', async t => {
  const seed = 99
  const n = 200
  const random = createRandom(deriveSeed(seed, 1, 0))
  const expectedDuplicated = Array.from({ length: n }, () => random() * 100 < 25).filter(Boolean).length
  const sink = await server(t, false)
  const relay = await relayTo(t, sink.port, { impairment: { duplicate: 25 }, seed })
  const client = await udpSocket(t)
  await sendAll(client, relay.address().port, n)
  await until(() => sink.seqs.length === n + expectedDuplicated, 'every copy at the sink')
  const tracker = new SequenceTracker()
  for (const s of sink.seqs) tracker.observe(s)
  t.match(tracker.totals(), { unique: n, duplicates: expectedDuplicated, reordered: 0 })
  t.equal(relay.counters().clientToServer.duplicated, expectedDuplicated)
  t.ok(expectedDuplicated > 20)
})

t.test('with delay and duplicates, delayed counts every copy that waited: the counters add up', async t => {
  const sink = await server(t, false)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, sink.port, { impairment: { delay: 2, duplicate: 30 }, seed: 7 }, events)
  const client = await udpSocket(t)
  const n = 100
  await sendAll(client, relay.address().port, n)
  const c = () => relay.counters().clientToServer
  await until(() => sink.seqs.length === n + c().duplicated, 'every copy at the sink')
  t.ok(c().duplicated > 0, 'some copies')
  t.equal(c().forwarded, c().received - c().dropped + c().duplicated, 'forwarded = received − dropped + duplicated')
  t.equal(c().delayed, c().forwarded, 'every forwarded copy, duplicates included, was delayed')
  t.equal(events.filter(e => e.type === 'forwarded' && e.delayMs > 0).length, c().delayed, 'one delayed forwarded event per delayed copy')
})

t.test('a held datagram says how long it may wait', async t => {
  const sink = await server(t, false)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, sink.port, { impairment: { reorder: 100 }, reorderHoldMs: 30 }, events)
  const client = await udpSocket(t)
  client.send(datagram(1), relay.address().port, '127.0.0.1')
  await until(() => sink.seqs.length === 1, 'the held datagram to go out alone')
  t.match(events.find(e => e.type === 'held'), { type: 'held', index: 1, holdMs: 30 })
  t.match(events.find(e => e.type === 'forwarded'), { index: 1, heldTimedOut: true, reordered: false })
})

t.test('client mappings are capped and expire when idle', async t => {
  const echo = await server(t, true)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, echo.port, { maxClients: 1, idleTimeoutMs: 100 }, events)
  const a = await udpSocket(t); const b = await udpSocket(t)
  a.send(datagram(1), relay.address().port, '127.0.0.1')
  await once(a, 'message')
  b.send(datagram(2), relay.address().port, '127.0.0.1')
  await until(() => events.some(e => e.type === 'client-refused'), 'refusal')
  await until(() => events.some(e => e.type === 'client-expired'), 'expiry')
  t.equal(relay.activeClients, 0)
  b.send(datagram(3), relay.address().port, '127.0.0.1')
  const [reply] = await once(b, 'message') as [Buffer]
  t.equal(reply.readUInt32BE(0), 3, 'after expiry there is room for the next client')
  t.equal(relay.summary().refusedDatagrams, 1)
})

t.test('addressFilter: a denied client gets nothing forwarded and no mapping; an allowed one is relayed', { skip: secondLoopbackSkip }, async t => {
  const { createAddressFilter } = await import('../src/core/cidr.js')
  const echo = await server(t, true)
  const events: UdpRelayEvent[] = []
  const relay = await relayTo(t, echo.port, { addressFilter: createAddressFilter({ allow: ['127.0.0.2/32'] }) }, events)
  const exchange = async (localAddress: string, seq: number) => {
    const s = createSocket('udp4')
    t.teardown(() => new Promise<void>(r => { try { s.close(() => r()) } catch { r() } }))
    await new Promise<void>(r => s.bind(0, localAddress, r))
    const reply = new Promise<number | undefined>(resolve => {
      const timer = setTimeout(() => resolve(undefined), 300)
      s.once('message', d => { clearTimeout(timer); resolve(d.readUInt32BE(0)) })
    })
    s.send(datagram(seq), relay.address().port, '127.0.0.1')
    return reply
  }
  t.equal(await exchange('127.0.0.1', 1), undefined, 'nothing back to 127.0.0.1')
  t.equal(await exchange('127.0.0.2', 2), 2, 'relayed for 127.0.0.2')
  t.same(echo.seqs, [2], 'the server never saw the denied datagram')
  t.match(events.find(e => e.type === 'denied'), { address: '127.0.0.1', bytes: 32, denied: 1 })
  t.equal(events.filter(e => e.type === 'client').length, 1, 'one mapping: the allowed client')
  const summary = await relay.close()
  t.equal(summary.deniedDatagrams, 1)
  t.equal(summary.counters.clientToServer.received, 1, 'a denied datagram is not counted as traffic')
})
