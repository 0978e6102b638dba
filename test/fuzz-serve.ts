import t from 'tap'
import { createHash } from 'node:crypto'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { createConnection, type Socket } from 'node:net'
import { Reflector, type ReflectorEvent } from '../src/reflector.js'
import { encodeProbe, MAX_PROBE_BYTES, PROBE_HEADER_BYTES, PROBE_MAGIC, probeProblem } from '../src/probe.js'
import { runCli, startCli } from './fixtures/cli.js'

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

/** mulberry32: small, fast, good enough to pick sizes and behaviours reproducibly. */
const prng = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  /** `n` seeded bytes; past 64 KiB a seeded 64 KiB block repeats (cheap, and content is not the point there). */
  const bytes = (n: number) => {
    const out = Buffer.allocUnsafe(n)
    const fresh = Math.min(n, 65_536)
    let i = 0
    for (; i + 4 <= fresh; i += 4) out.writeUInt32LE(Math.floor(next() * 4294967296), i)
    for (; i < fresh; i++) out[i] = int(0, 255)
    for (; i < n; i += fresh) out.copy(out, i, 0, Math.min(fresh, n - i))
    return out
  }
  return { next, int, bytes, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T }
}
type Rng = ReturnType<typeof prng>

const seedText = process.env.SOCKKIT_FUZZ_SEED
const seed = seedText !== undefined && seedText !== '' ? Number(seedText) : Math.floor(Math.random() * 2 ** 31)
if (!Number.isSafeInteger(seed)) throw new Error(`SOCKKIT_FUZZ_SEED must be a whole number, not ${seedText}`)
// On stdout at once, so a failing CI log always has it, whichever assertion failed.
console.log(`# fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed} npx tap test/fuzz-serve.ts)`)

/** Most bytes the TCP echo may hold for one connection (see fuzz-tcp-server.ts). */
const MAX_QUEUED_PER_CONNECTION = 256 * 1024
/** Distinct UDP peers the reflector remembers here: small, so hostile peers pass it. */
const MAX_UDP_PEERS = 16
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

// ---- TCP ---------------------------------------------------------------------------

type Kind = 'well-behaved' | 'resetter' | 'half-close-then-reset' | 'silent' | 'never-reads' | 'burst-and-close'
const KINDS: ReadonlyArray<{ kind: Kind; weight: number }> = [
  { kind: 'well-behaved', weight: 35 },
  { kind: 'resetter', weight: 20 },
  { kind: 'half-close-then-reset', weight: 12 },
  { kind: 'silent', weight: 8 },
  { kind: 'never-reads', weight: 7 },
  { kind: 'burst-and-close', weight: 18 },
]
const pickKind = (rng: Rng): Kind => {
  let roll = rng.next() * KINDS.reduce((sum, k) => sum + k.weight, 0)
  for (const k of KINDS) {
    roll -= k.weight
    if (roll < 0) return k.kind
  }
  return 'well-behaved'
}

interface ClientResult { kind: Kind; intact?: boolean; sent?: number; received?: number; detail?: string }

const openSockets = new Set<Socket>()
const destroyOpenSockets = () => { for (const socket of openSockets) socket.destroy() }

const connect = (port: number): Promise<Socket> => new Promise((resolve, reject) => {
  const socket = createConnection({ host: '127.0.0.1', port })
  openSockets.add(socket)
  socket.once('close', () => openSockets.delete(socket))
  socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
  socket.once('error', reject)
})

const writeChunked = async (socket: Socket, data: Buffer, rng: Rng, stop?: () => boolean): Promise<void> => {
  let offset = 0
  while (offset < data.length && !socket.destroyed && !(stop?.() ?? false)) {
    const size = Math.min(data.length - offset, rng.pick([1, 2, 7, 23, 24, 64, 1460, 65536, rng.int(1, 200_000)]))
    const ok = socket.write(data.subarray(offset, offset + size))
    offset += size
    if (!ok) await new Promise<void>(resolve => { socket.once('drain', resolve); socket.once('close', resolve) })
    else if (rng.next() < 0.2) await pause(rng.int(0, 5))
  }
}

/** Send a TCP RST, once any shutdown has flushed (Node 20's trap: see fuzz-tcp-server.ts). */
const reset = async (socket: Socket): Promise<void> => {
  if (socket.destroyed) return
  if (socket.writableEnded && !socket.writableFinished) {
    await new Promise<void>(resolve => { socket.once('finish', resolve); socket.once('close', resolve) })
  }
  if (!socket.destroyed) socket.resetAndDestroy()
}

const closed = (socket: Socket) => new Promise<void>(resolve => {
  if (socket.destroyed && socket.closed) resolve()
  else socket.once('close', () => resolve())
})

/** A stream of compare probes (what compare sends over TCP), or random bytes. */
const tcpPayload = (rng: Rng): Buffer => {
  if (rng.next() < 0.5) return rng.bytes(rng.next() < 0.1 ? rng.int(100_000, 400_000) : rng.int(0, 16_384))
  const size = rng.pick([PROBE_HEADER_BYTES, 64, 1400, rng.int(PROBE_HEADER_BYTES, 4000)])
  const runId = rng.int(0, 0xffffffff)
  return Buffer.concat(Array.from({ length: rng.int(1, 200) }, (_, seq) => encodeProbe({ runId, seq, scheduledNs: BigInt(seq) * 1000n }, size)))
}

const runTcpClient = async (kind: Kind, port: number, rng: Rng): Promise<ClientResult> => {
  let socket: Socket
  try {
    socket = await connect(port)
  } catch (err) {
    return { kind, intact: kind === 'well-behaved' ? false : undefined, detail: `connect failed: ${(err as Error).message}` }
  }
  socket.on('error', () => { /* hostile clients expect resets; well-behaved ones check bytes */ })
  switch (kind) {
    case 'well-behaved': {
      const data = tcpPayload(rng)
      const received: Buffer[] = []
      socket.on('data', (chunk: Buffer) => received.push(chunk))
      const done = closed(socket)
      await writeChunked(socket, data, rng)
      socket.end()
      await done
      const back = Buffer.concat(received)
      return { kind, intact: sha256(back) === sha256(data), sent: data.length, received: back.length }
    }
    case 'resetter': {
      socket.resume()
      let stop = false
      const writing = writeChunked(socket, rng.bytes(rng.int(1, 300_000)), rng, () => stop)
      await pause(rng.int(0, 30))
      stop = true
      await reset(socket)
      await writing
      break
    }
    case 'half-close-then-reset':
      socket.resume()
      await writeChunked(socket, tcpPayload(rng), rng)
      socket.end()
      await pause(rng.int(0, 20))
      await reset(socket)
      break
    case 'silent':
      await pause(rng.int(0, 200))
      if (rng.next() < 0.5) socket.end()
      else socket.destroy()
      break
    case 'never-reads': {
      socket.pause()
      let stop = false
      const writing = writeChunked(socket, rng.bytes(rng.int(1_000_000, 6_000_000)), rng, () => stop)
      await Promise.race([writing, pause(rng.int(50, 400))])
      stop = true
      if (rng.next() < 0.5) await reset(socket)
      else socket.destroy()
      break
    }
    case 'burst-and-close':
      if (rng.next() < 0.5) socket.resume()
      socket.end(rng.bytes(rng.int(1, 70_000)))
      setTimeout(() => socket.destroy(), rng.int(0, 100)).unref()
      break
  }
  await closed(socket)
  return { kind }
}

const tcpFuzz = async (port: number, rng: Rng, { stopAt, maxClients, concurrency }: { stopAt: number; maxClients: number; concurrency: number }) => {
  const results: ClientResult[] = []
  let started = 0
  const lane = async () => {
    while (Date.now() < stopAt && started < maxClients) {
      started++
      results.push(await runTcpClient(pickKind(rng), port, rng))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return results
}

// ---- UDP ---------------------------------------------------------------------------

const openUdp = async (): Promise<UdpSocket> => {
  const socket = createSocket('udp4')
  socket.on('error', () => { /* hostile peers do not care */ })
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  return socket
}
const closeUdp = (socket: UdpSocket) => new Promise<void>(resolve => {
  try { socket.close(() => resolve()) } catch { resolve() }
})

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

interface HostileUdpResult { sent: number; garbage: number; probes: number; replies: number; wrongReplies: number }

/**
 * Sends hostile datagrams until `stopAt`, sometimes vanishing and coming back from a new
 * port. Every reply it gets must be exactly a valid probe it sent from that socket.
 */
const hostileUdpPeer = async (port: number, rng: Rng, stopAt: number): Promise<HostileUdpResult> => {
  const result: HostileUdpResult = { sent: 0, garbage: 0, probes: 0, replies: 0, wrongReplies: 0 }
  const open = async () => {
    const socket = await openUdp()
    const probesSent = new Set<string>()
    socket.on('message', data => {
      result.replies++
      if (!probesSent.has(sha256(data))) result.wrongReplies++
    })
    return { socket, probesSent }
  }
  let current = await open()
  for (let reopened = 0; Date.now() < stopAt;) {
    const datagram = hostileDatagram(rng)
    if (probeProblem(datagram) === undefined) {
      result.probes++
      current.probesSent.add(sha256(datagram))
    } else {
      result.garbage++
    }
    await new Promise<void>(resolve => current.socket.send(datagram, port, '127.0.0.1', () => resolve()))
    result.sent++
    if (rng.next() < 0.03 && reopened < 40) {
      reopened++
      await closeUdp(current.socket)
      current = await open()
    }
    if (rng.next() < 0.1) await pause(rng.int(0, 3))
    else if (result.sent % 32 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  await pause(50) // let the last replies arrive before judging them
  await closeUdp(current.socket)
  return result
}

interface ProbeResult { sent: number; exact: number; wrong: number; unanswered: number }

/** `count` probes of one run, one at a time, each resent (up to 20 times, 100 ms apart) until it comes back. */
const wellBehavedProber = async (port: number, rng: Rng, count: number): Promise<ProbeResult> => {
  const socket = await openUdp()
  const runId = rng.int(0, 0xffffffff)
  const result: ProbeResult = { sent: 0, exact: 0, wrong: 0, unanswered: 0 }
  try {
    for (let seq = 0; seq < count; seq++) {
      const probe = encodeProbe({ runId, seq, scheduledNs: BigInt(seq) * 5_000_000n }, rng.pick([24, 64, 512, 1400, rng.int(24, 8000)]))
      let answered = false
      for (let attempt = 0; attempt < 20 && !answered; attempt++) {
        const echo = new Promise<Buffer | undefined>(resolve => {
          const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined) }, 100)
          const onMessage = (data: Buffer) => {
            // A late echo of an earlier probe is skipped; anything not ours is wrong.
            if (data.length >= 12 && data.readUInt32BE(4) === runId && data.readUInt32BE(8) < seq) return
            clearTimeout(timer)
            socket.off('message', onMessage)
            resolve(data)
          }
          socket.on('message', onMessage)
        })
        socket.send(probe, port, '127.0.0.1')
        result.sent++
        const data = await echo
        if (data === undefined) continue
        answered = true
        if (data.equals(probe)) result.exact++
        else result.wrong++
      }
      if (!answered) result.unanswered++
    }
  } finally {
    await closeUdp(socket)
  }
  return result
}

const summarize = (results: ClientResult[]) => {
  const byKind: Record<string, number> = {}
  for (const r of results) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1
  return byKind
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

  const stopAt = Date.now() + 4000
  const hostileUdp = Promise.all(Array.from({ length: 3 }, (_, i) => hostileUdpPeer(port, prng(seed + 1 + i), stopAt)))
  const tcp = tcpFuzz(port, rng, { stopAt, maxClients: 1500, concurrency: 16 })
  const probers = Promise.all(Array.from({ length: 3 }, (_, i) => wellBehavedProber(port, prng(seed + 100 + i), 40)))
  const [hostile, tcpResults, good] = await Promise.all([hostileUdp, tcp, probers])
  t.comment(`TCP clients by kind: ${JSON.stringify(summarize(tcpResults))}; UDP hostile: ${JSON.stringify(hostile)}; events: ${JSON.stringify(events)}`)

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
  t.ok((await runTcpClient('well-behaved', port, rng)).intact, 'a TCP client after the storm is echoed intact')

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
  const stopAt = Date.now() + 2500
  const hostileUdp = Promise.all(Array.from({ length: 2 }, (_, i) => hostileUdpPeer(port, prng(seed + 11 + i), stopAt)))
  const tcp = tcpFuzz(port, rng, { stopAt, maxClients: 400, concurrency: 8 })
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
