import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { createServer, type Socket } from 'node:net'
import { TcpRelay, type TcpRelayEvent } from '../src/impairment/tcp-relay.js'
import { UdpRelay, type UdpRelayEvent } from '../src/impairment/udp-relay.js'
import { startCli, until } from './fixtures/cli.js'
import { countByKind, destroyOpenSockets, echoOneAtATime, type EchoCheck, fuzzSeed, hostileUdpPeer, MAX_IPV4_DATAGRAM, numberedDatagram, prng, type Rng, runTcpClient, STUBBORN_BYTES, stubbornNeverReader, tcpStorm, type TcpStormProfile } from './fixtures/fuzz.js'

// A bounded fuzz against link's relays with no impairment, in front of plain echo servers:
// the counterpart of fuzz-tcp-server.ts and fuzz-udp-server.ts. Hostile TCP clients send
// random bytes in random chunks, reset, half-close, stay silent or never read; hostile UDP
// peers send random datagrams of random sizes and vanish. Well-behaved clients check that
// every byte (TCP, sha256) and every datagram (UDP, exact) comes back through the relay.
// Checked besides: the relay stays up and lets go of every connection and mapping; it
// stops reading a side rather than queue without bound (TCP), never crosses one client's
// replies to another and keeps no more mappings than its cap (UDP).
// SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-link.ts replays the draws; clients run
// concurrently, so a rerun is the same storm, not the same interleaving.

const seed = fuzzSeed(import.meta.url)

/** The relay's per-direction queue limit here (the default is 1 MiB). */
const QUEUE_BYTES = 256 * 1024
/** A queue may pass its limit by one read (Node reads up to 64 KiB at a time). */
const MAX_QUEUED = QUEUE_BYTES + 64 * 1024
const MAX_UDP_CLIENTS = 64

// ---- the echo servers behind the relay -----------------------------------------------

/** A plain node:net echo (pipe: with backpressure), closed at teardown. */
const tcpEcho = async (t: Test) => {
  const sockets = new Set<Socket>()
  const server = createServer({ allowHalfOpen: true }, socket => {
    sockets.add(socket)
    socket.on('error', () => {})
    socket.on('close', () => sockets.delete(socket))
    socket.pipe(socket)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => { for (const s of sockets) s.destroy(); return new Promise<void>(resolve => server.close(() => resolve())) })
  return { port: (server.address() as { port: number }).port, open: () => sockets.size }
}

const udpEcho = async (t: Test) => {
  const socket = createSocket('udp4')
  socket.on('error', () => {})
  socket.on('message', (data, rinfo) => socket.send(data, rinfo.port, rinfo.address))
  socket.bind(0, '127.0.0.1')
  await once(socket, 'listening')
  t.teardown(() => new Promise<void>(resolve => { try { socket.close(() => resolve()) } catch { resolve() } }))
  return socket.address().port
}

// ---- TCP clients -------------------------------------------------------------------

/** The relay meets every kind but the lingerer (it has no idle timeout to close one). */
const PROFILE: TcpStormProfile = {
  kinds: [
    { kind: 'well-behaved', weight: 40 },
    { kind: 'resetter', weight: 17 },
    { kind: 'half-close-then-reset', weight: 12 },
    { kind: 'silent', weight: 8 },
    { kind: 'never-reads', weight: 7 },
    { kind: 'burst-and-close', weight: 16 },
  ],
  neverReadsBytes: [1_000_000, 6_000_000],
}

// ---- UDP peers ---------------------------------------------------------------------

/**
 * Random datagrams (empty to the IPv4 limit) until `stopAt`, sometimes vanishing with echoes
 * on the way and coming back from a new port (a new mapping), from at most `maxSockets`
 * sockets. Every reply a socket gets must be one of its own datagrams: the relay may not
 * cross one client's replies to another.
 */
const hostileRelayPeer = (port: number, rng: Rng, stopAt: number, maxSockets: number) => hostileUdpPeer(port, rng, stopAt, {
  datagram: r => r.next() < 0.05 ? Buffer.alloc(0)
    : r.bytes(r.pick([1, 8, 64, 512, 1472, 9000, r.int(1, MAX_IPV4_DATAGRAM), MAX_IPV4_DATAGRAM])),
  reopenChance: 0.03,
  maxSockets,
})

/**
 * `count` numbered datagrams, one at a time, each resent (up to 20 times, 100 ms apart) until
 * its echo comes back. A late echo of an earlier datagram is skipped; any other reply, even
 * one not numbered, is judged against the datagram.
 */
const wellBehavedPeer = (port: number, rng: Rng, count: number): Promise<EchoCheck> =>
  echoOneAtATime(port, count, i => numberedDatagram(rng, i + 1), (reply, i) => {
    const prefix = /^seq=(\d+) /.exec(reply.subarray(0, 16).toString('latin1'))
    return prefix !== null && Number(prefix[1]) < i + 1
  })

// ---- the tests ---------------------------------------------------------------------

t.test(`library TcpRelay with no impairment survives hostile clients; well-behaved ones get every byte back (seed ${seed})`, async t => {
  const rng = prng(seed)
  const echo = await tcpEcho(t)
  const events: Record<string, number> = {}
  const backpressure: Extract<TcpRelayEvent, { type: 'backpressure' }>[] = []
  const oddResets: TcpRelayEvent[] = []
  const relay = new TcpRelay({
    target: { host: '127.0.0.1', port: echo.port },
    queueBytes: QUEUE_BYTES,
    chunkEvents: false,
    maxConnections: 1000,
    onEvent: event => {
      events[event.type] = (events[event.type] ?? 0) + 1
      if (event.type === 'backpressure') backpressure.push(event)
      // EINVAL is the Node 20 reset-during-shutdown trap resetOrDestroy() exists for.
      if (event.type === 'reset' && event.code === 'EINVAL') oddResets.push(event)
      if (event.type === 'upstream-failed') oddResets.push(event)
    },
  })
  const { port } = await relay.listen()
  let closedAlready = false
  t.teardown(async () => {
    destroyOpenSockets()
    if (!closedAlready) await relay.close()
  })

  const [results, stubbornWrote] = await Promise.all([
    tcpStorm(port, rng, PROFILE, { stopAt: Date.now() + 4000, maxClients: 1500, concurrency: 16 }),
    stubbornNeverReader(port, rng),
  ])
  t.comment(`clients by kind: ${JSON.stringify(countByKind(results))}; relay events: ${JSON.stringify(events)}`)
  const mostQueued = Math.max(0, ...backpressure.map(e => e.queuedBytes))
  t.comment(`the stubborn never-reader got ${stubbornWrote} bytes into its socket; most queued in one direction: ${mostQueued} bytes`)
  t.ok(backpressure.length > 0, 'never-readers made the relay stop reading a side')
  t.ok(mostQueued <= MAX_QUEUED, `at most ${MAX_QUEUED} bytes queued in any direction (most: ${mostQueued}; seed ${seed})`)
  // Without backpressure the relay reads on whatever the client does not: the stubborn client
  // would write its 64 MiB in well under the time it has.
  t.ok(stubbornWrote < STUBBORN_BYTES, `the stubborn never-reader was held back (${stubbornWrote} bytes; seed ${seed})`)

  const wellBehaved = results.filter(r => r.kind === 'well-behaved')
  t.ok(wellBehaved.length >= 10, `enough well-behaved clients ran (${wellBehaved.length}; seed ${seed})`)
  t.same(wellBehaved.filter(r => !r.intact), [], `every well-behaved client got its bytes back intact (seed ${seed})`)
  t.same(oddResets, [], `no failed upstream and no EINVAL reset (seed ${seed})`)

  // Every client is gone: the relay lets go of every connection, both sides.
  await until(() => relay.activeConnections === 0, 10_000, `zero relayed connections (seed ${seed}; ${relay.activeConnections} left)`)
  await until(() => echo.open() === 0, 10_000, `the echo server sees every connection end (seed ${seed}; ${echo.open()} left)`)
  t.equal(events.closed, events.accepted, 'a closed event for every accepted connection')

  const after = await runTcpClient('well-behaved', port, rng, PROFILE)
  t.ok(after.intact, 'a client after the storm is relayed intact')
  closedAlready = true
  const summary = await relay.close()
  t.equal(summary.connections, events.accepted, 'every connection counted')
})

t.test(`library UdpRelay with no impairment survives hostile peers; well-behaved ones get every datagram back (seed ${seed})`, async t => {
  const echoPort = await udpEcho(t)
  const events: Record<string, number> = {}
  const errors: UdpRelayEvent[] = []
  let mostClients = 0
  const relay = new UdpRelay({
    target: { host: '127.0.0.1', port: echoPort },
    maxClients: MAX_UDP_CLIENTS,
    idleTimeoutMs: 500, // vanished peers' mappings expire within the test
    datagramEvents: false,
    onEvent: event => {
      events[event.type] = (events[event.type] ?? 0) + 1
      if (event.type === 'relay-error') errors.push(event)
      if (event.type === 'client') mostClients = Math.max(mostClients, event.active)
    },
  })
  const { port } = await relay.listen()
  t.teardown(() => relay.close())
  const stopAt = Date.now() + 1200
  // Hostile sockets stay below the mapping cap, so well-behaved peers are never the ones refused.
  const hostile = Promise.all(Array.from({ length: 4 }, (_, i) => hostileRelayPeer(port, prng(seed + 1 + i), stopAt, 10)))
  const good = await Promise.all(Array.from({ length: 3 }, (_, i) => wellBehavedPeer(port, prng(seed + 100 + i), 40)))
  const hostileResults = await hostile
  t.comment(`hostile: ${JSON.stringify(hostileResults)}; relay events: ${JSON.stringify(events)}; summary: ${JSON.stringify(relay.summary())}`)
  for (const [i, r] of good.entries()) {
    t.equal(r.wrong, 0, `peer ${i + 1}: no echo differs from its datagram (seed ${seed})`)
    t.equal(r.unanswered, 0, `peer ${i + 1}: every datagram answered (${r.exact} exact, ${r.sent} sends; seed ${seed})`)
  }
  t.equal(hostileResults.reduce((n, h) => n + h.wrongReplies, 0), 0, `no peer got a reply meant for another (seed ${seed})`)
  t.ok(mostClients <= MAX_UDP_CLIENTS, `mappings stay within the cap (most: ${mostClients})`)
  const summary = relay.summary()
  t.equal(summary.overflow, 0, 'nothing queued, so nothing overflowed')
  t.equal(summary.counters.clientToServer.dropped + summary.counters.serverToClient.dropped, 0, 'no impairment, no drops')
  t.same(errors, [], `no relay error (seed ${seed})`)

  // Idle mappings expire: nothing is kept for peers that are gone.
  await until(() => relay.activeClients === 0, 5000, `every mapping expired (seed ${seed}; ${relay.activeClients} left)`)
  const after = await wellBehavedPeer(port, prng(seed + 999), 3)
  t.match(after, { exact: 3, wrong: 0, unanswered: 0 }, 'a new peer is relayed after the storm')
})

t.test(`the CLI link (TCP, then --udp) survives the same storms, more briefly (seed ${seed})`, async t => {
  const rng = prng(seed ^ 0x5eed)
  const echoTcp = await tcpEcho(t)
  const echoUdp = await udpEcho(t)
  const tcpLink = startCli(['link', '0', `127.0.0.1:${echoTcp.port}`])
  const udpLink = startCli(['link', '0', `127.0.0.1:${echoUdp}`, '--udp'])
  t.teardown(() => {
    destroyOpenSockets()
    for (const cli of [tcpLink, udpLink]) if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
  })
  const tcpPort = Number((await tcpLink.waitFor(/linking 127\.0\.0\.1:(\d+)/))[1])
  const udpPort = Number((await udpLink.waitFor(/linking 127\.0\.0\.1:(\d+)/))[1])

  const stopAt = Date.now() + 1500
  const [results, hostile, good] = await Promise.all([
    tcpStorm(tcpPort, rng, PROFILE, { stopAt: Date.now() + 1500, maxClients: 300, concurrency: 8 }),
    Promise.all(Array.from({ length: 2 }, (_, i) => hostileRelayPeer(udpPort, prng(seed + 11 + i), stopAt, 5))),
    wellBehavedPeer(udpPort, prng(seed + 200), 20),
  ])
  const wellBehaved = results.filter(r => r.kind === 'well-behaved')
  t.ok(wellBehaved.length >= 5, `enough well-behaved TCP clients ran (${wellBehaved.length})`)
  t.same(wellBehaved.filter(r => !r.intact), [], `every well-behaved TCP client got its bytes back intact (seed ${seed})`)
  t.match(good, { wrong: 0, unanswered: 0 }, `the well-behaved UDP peer got every datagram back exactly (seed ${seed})`)
  t.equal(hostile.reduce((n, h) => n + h.wrongReplies, 0), 0, 'no UDP peer got a reply meant for another')
  for (const cli of [tcpLink, udpLink]) t.equal(cli.child.exitCode, null, 'the relay is still running')

  for (const cli of [tcpLink, udpLink]) {
    t.equal(await cli.interrupt(), 130, 'Ctrl-C exits 130')
    t.match(cli.stderr(), /stopped after/, 'prints a summary')
    t.notMatch(cli.stderr(), /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace')
  }
})
