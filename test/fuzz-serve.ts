import t from 'tap'
import { Reflector, type ReflectorEvent } from '../src/probe/reflector.js'
import { encodeProbe, MAX_PROBE_BYTES, PROBE_HEADER_BYTES, PROBE_MAGIC, probeProblem } from '../src/probe/probe.js'
import { runCli, startCli } from './fixtures/cli.js'
import { countByKind, destroyOpenSockets, echoOneAtATime, type EchoCheck, fuzzSeed, hostileUdpPeer, prng, type Rng, runTcpClient, tcpStorm, type TcpStormProfile } from './fixtures/fuzz.js'

// A bounded fuzz against the reflector behind `sockkit serve` (compare's far end), the
// counterpart of fuzz-tcp-server.ts and fuzz-udp-server.ts: hostile TCP clients (random bytes,
// random chunking, resets, half-closes, silence, never reading) and hostile UDP peers (random
// bytes, near-probes with a bad flag, padding, size or magic, real probes from sockets that
// vanish) against well-behaved TCP and UDP probe clients — and, with the CLI, a real
// `sockkit compare` run. Checked: every well-behaved probe comes back exactly; garbage is
// counted, never echoed, never fatal; no UDP reply is larger than (or other than) a probe its
// peer sent; what the reflector holds stays bounded.
// SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-serve.ts replays the draws; clients run
// concurrently, so a rerun is the same storm, not the same interleaving.

const seed = fuzzSeed(import.meta.url)

/** Most bytes the TCP echo may hold for one connection (see fuzz-tcp-server.ts). */
const MAX_QUEUED_PER_CONNECTION = 256 * 1024
/** Distinct UDP peers the reflector remembers here: small, so hostile peers pass it. */
const MAX_UDP_PEERS = 16

// ---- TCP ---------------------------------------------------------------------------

/** A stream of compare probes (what compare sends over TCP), or random bytes. */
const tcpPayload = (rng: Rng): Buffer => {
  if (rng.next() < 0.5) return rng.bytes(rng.next() < 0.1 ? rng.int(100_000, 400_000) : rng.int(0, 16_384))
  const size = rng.pick([PROBE_HEADER_BYTES, 64, 1400, rng.int(PROBE_HEADER_BYTES, 4000)])
  const runId = rng.int(0, 0xffffffff)
  return Buffer.concat(Array.from({ length: rng.int(1, 200) }, (_, seq) => encodeProbe({ runId, seq, scheduledNs: BigInt(seq) * 1000n }, size)))
}

/**
 * Serve's echo meets every kind but the lingerer; its
 * clients send compare's probes as often as random bytes, and cut their writes at the probe
 * header's size (24) and one byte short of it too.
 */
const PROFILE: TcpStormProfile = {
  kinds: [
    { kind: 'well-behaved', weight: 35 },
    { kind: 'resetter', weight: 20 },
    { kind: 'half-close-then-reset', weight: 12 },
    { kind: 'silent', weight: 8 },
    { kind: 'never-reads', weight: 7 },
    { kind: 'burst-and-close', weight: 18 },
  ],
  wellBehavedPayload: tcpPayload,
  halfClosePayload: tcpPayload,
  neverReadsBytes: [1_000_000, 6_000_000],
  chunks: { chunkSizes: [1, 2, 7, 23, 24, 64, 1460, 65536] },
}

// ---- UDP ---------------------------------------------------------------------------

/** A hostile datagram: junk, or something that looks like a probe and is not — or, now and then, a real probe. */
const hostileDatagram = (rng: Rng): Buffer => {
  const probe = () => encodeProbe({ runId: rng.int(0, 0xffffffff), seq: rng.int(0, 0xffffffff), scheduledNs: BigInt(rng.int(0, 2 ** 31)) }, rng.pick([24, 64, 1400, rng.int(24, 9000)]))
  switch (rng.int(0, 9)) {
    case 0: return Buffer.alloc(0)
    case 1: return rng.bytes(rng.int(1, 64))
    case 2: return rng.bytes(rng.pick([512, 1472, 9000, rng.int(1, MAX_PROBE_BYTES)]))
    case 3: { // the magic, then junk
      const b = rng.bytes(rng.int(4, 2000))
      b.writeUInt32BE(PROBE_MAGIC, 0)
      return b
    }
    case 4: { // a probe with a flag set
      const b = probe()
      b.writeUInt32BE(rng.int(1, 0xffffffff), 12)
      return b
    }
    case 5: { // a probe whose padding is not zeros
      const b = probe()
      if (b.length > PROBE_HEADER_BYTES) b[rng.int(PROBE_HEADER_BYTES, b.length - 1)] = rng.int(1, 255)
      else return b.subarray(0, rng.int(0, PROBE_HEADER_BYTES - 1)) // or one cut short
      return b
    }
    case 6: return probe().subarray(0, rng.int(0, PROBE_HEADER_BYTES - 1))
    case 7: { // larger than any probe (IPv4's limit)
      const b = Buffer.alloc(MAX_PROBE_BYTES)
      b.writeUInt32BE(PROBE_MAGIC, 0)
      return b
    }
    default: return probe() // a valid probe: it is echoed, to this very socket
  }
}

const isProbe = (datagram: Buffer) => probeProblem(datagram) === undefined

/**
 * Sends hostile datagrams until `stopAt`, sometimes vanishing and coming back from a new
 * port (at most 40 times). Every reply it gets must be exactly a valid probe it sent from
 * that socket; what it sent is counted as garbage or probes.
 */
const hostileProbePeer = async (port: number, rng: Rng, stopAt: number) => {
  const counts = { garbage: 0, probes: 0 }
  const datagram = (r: Rng) => {
    const d = hostileDatagram(r)
    if (isProbe(d)) counts.probes++
    else counts.garbage++
    return d
  }
  const result = await hostileUdpPeer(port, rng, stopAt, { datagram, reopenChance: 0.03, maxSockets: 41, checkReplies: isProbe })
  return { ...result, ...counts }
}

/** `count` probes of one run, one at a time, each resent (up to 20 times, 100 ms apart) until it comes back. */
const wellBehavedProber = (port: number, rng: Rng, count: number): Promise<EchoCheck> => {
  const runId = rng.int(0, 0xffffffff)
  return echoOneAtATime(port, count,
    seq => encodeProbe({ runId, seq, scheduledNs: BigInt(seq) * 5_000_000n }, rng.pick([24, 64, 512, 1400, rng.int(24, 8000)])),
    // A late echo of an earlier probe is skipped; anything not ours is wrong.
    (data, seq) => data.length >= 12 && data.readUInt32BE(4) === runId && data.readUInt32BE(8) < seq)
}

t.test(`library Reflector survives TCP and UDP garbage; well-behaved probes all come back exactly (seed ${seed})`, async t => {
  const rng = prng(seed)
  const events: Record<string, number> = {}
  const ignoredEvents: Extract<ReflectorEvent, { type: 'udp-ignored' }>[] = []
  const errors: ReflectorEvent[] = []
  let maxTcpQueued = 0
  const reflector = new Reflector({
    port: 0,
    idleTimeoutMs: 2000,
    maxUdpPeers: MAX_UDP_PEERS,
    onEvent: event => {
      const type = event.type === 'tcp' ? `tcp:${event.event.type}` : event.type
      events[type] = (events[type] ?? 0) + 1
      if (event.type === 'udp-ignored') ignoredEvents.push(event)
      if (event.type === 'udp-error' || (event.type === 'tcp' && event.event.type === 'server-error')) errors.push(event)
      if (event.type === 'tcp' && event.event.type === 'backpressure') maxTcpQueued = Math.max(maxTcpQueued, event.event.bufferedBytes)
    },
  })
  const { port } = await reflector.listen()
  let closedAlready = false
  t.teardown(async () => {
    destroyOpenSockets()
    if (!closedAlready) await reflector.close()
  })

  const stopAt = Date.now() + 2000
  const hostileUdp = Promise.all(Array.from({ length: 3 }, (_, i) => hostileProbePeer(port, prng(seed + 1 + i), stopAt)))
  const tcp = tcpStorm(port, rng, PROFILE, { stopAt, maxClients: 1500, concurrency: 16 })
  const probers = Promise.all(Array.from({ length: 3 }, (_, i) => wellBehavedProber(port, prng(seed + 100 + i), 40)))
  const [hostile, tcpResults, good] = await Promise.all([hostileUdp, tcp, probers])
  t.comment(`TCP clients by kind: ${JSON.stringify(countByKind(tcpResults))}; UDP hostile: ${JSON.stringify(hostile)}; events: ${JSON.stringify(events)}`)

  for (const [i, r] of good.entries()) {
    t.equal(r.wrong, 0, `prober ${i + 1}: no echo differs from its probe (seed ${seed})`)
    t.equal(r.unanswered, 0, `prober ${i + 1}: every probe answered (${r.exact} exact, ${r.sent} sends; seed ${seed})`)
  }
  const wellBehaved = tcpResults.filter(r => r.kind === 'well-behaved')
  t.ok(wellBehaved.length >= 10, `enough well-behaved TCP clients ran (${wellBehaved.length})`)
  t.same(wellBehaved.filter(r => !r.intact), [], `every well-behaved TCP client got its bytes back intact (seed ${seed})`)
  t.ok(maxTcpQueued <= MAX_QUEUED_PER_CONNECTION, `at most ${MAX_QUEUED_PER_CONNECTION} bytes queued for any TCP client (most: ${maxTcpQueued}; seed ${seed})`)

  // Garbage: never echoed, every reply exactly a probe its peer sent (so never larger).
  t.equal(hostile.reduce((n, h) => n + h.wrongReplies, 0), 0, `no hostile peer got back anything but its own valid probes (seed ${seed})`)
  const garbageSent = hostile.reduce((n, h) => n + h.garbage, 0)
  const probesSent = hostile.reduce((n, h) => n + h.probes, 0) + good.reduce((n, r) => n + r.sent, 0)
  const summary = reflector.summary()
  // A burst on loopback may lose some to a full receive buffer: counted ≤ sent, never more.
  t.ok(summary.udp.ignored > 0 && summary.udp.ignored <= garbageSent, `${summary.udp.ignored} of ${garbageSent} garbage datagrams counted as ignored`)
  t.equal(ignoredEvents.length, summary.udp.ignored, 'every ignored datagram reported')
  t.ok(ignoredEvents.every(e => e.total <= summary.udp.ignored), 'totals count up')
  t.ok(summary.udp.probesEchoed <= probesSent, `${summary.udp.probesEchoed} probes echoed, at most the ${probesSent} sent`)
  t.ok(summary.udp.peers <= MAX_UDP_PEERS, `peers remembered stay within the cap (${summary.udp.peers})`)
  t.same(errors, [], `no reflector error (seed ${seed})`)

  // Still up on both transports.
  const after = await wellBehavedProber(port, prng(seed + 999), 3)
  t.match(after, { exact: 3, wrong: 0, unanswered: 0 }, 'a new prober is answered after the storm')
  t.ok((await runTcpClient('well-behaved', port, rng, PROFILE)).intact, 'a TCP client after the storm is echoed intact')

  closedAlready = true
  const closing = await reflector.close()
  t.equal(closing.tcp.accepted, events['tcp:accepted'] ?? 0, 'every TCP accept was reported')
})

t.test(`the CLI serve survives a storm while a real compare runs against it (seed ${seed})`, async t => {
  const rng = prng(seed ^ 0x5eed)
  const serve = startCli(['serve', '0', '--idle-timeout', '2000'])
  t.teardown(() => {
    destroyOpenSockets()
    if (serve.child.exitCode === null) serve.child.kill('SIGKILL')
  })
  const port = Number((await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1])
  const stopAt = Date.now() + 1500
  const hostileUdp = Promise.all(Array.from({ length: 2 }, (_, i) => hostileProbePeer(port, prng(seed + 11 + i), stopAt)))
  const tcp = tcpStorm(port, rng, PROFILE, { stopAt, maxClients: 400, concurrency: 8 })
  const compare = runCli(['compare', '127.0.0.1', '--port', String(port), '--count', '200', '--rate', '500', '--json'], { timeoutMs: 30_000 })
  const [hostile, tcpResults, run] = await Promise.all([hostileUdp, tcp, compare])

  t.equal(run.code, 0, run.stderr)
  const result = JSON.parse(run.stdout.toString())
  t.match(result.results.tcp, { sent: 200, received: 200, lost: 0, duplicates: 0 }, `compare's TCP probes all came back (seed ${seed})`)
  // UDP may lose under a storm on loopback (a full receive buffer); it may not gain.
  t.match(result.results.udp, { sent: 200, foreign: 0, duplicates: 0 }, `compare's UDP counted only its own probes (seed ${seed})`)
  t.ok(result.results.udp.received <= 200, 'never more UDP probes back than sent')
  const wellBehaved = tcpResults.filter(r => r.kind === 'well-behaved')
  t.same(wellBehaved.filter(r => !r.intact), [], `every well-behaved TCP client got its bytes back intact (seed ${seed})`)
  t.equal(hostile.reduce((n, h) => n + h.wrongReplies, 0), 0, 'no hostile peer got back anything but its own valid probes')
  t.equal(serve.child.exitCode, null, 'serve is still running')

  await serve.waitFor(/ignored/)
  t.equal(await serve.interrupt(), 130, 'Ctrl-C exits 130')
  const stderr = serve.stderr()
  t.match(stderr, /stopped after .*probes echoed.*ignored/, 'prints a summary')
  t.notMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace')
})
