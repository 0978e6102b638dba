import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { once } from 'node:events'
import { createConnection, createServer, type Socket } from 'node:net'
import { TcpRelay, type TcpRelayEvent } from '../src/tcp-relay.js'
import { UdpRelay, type UdpRelayEvent } from '../src/udp-relay.js'
import { startCli, until } from './fixtures/cli.js'

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
console.log(`# fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed} npx tap test/fuzz-link.ts)`)

/** The relay's per-direction queue limit here (the default is 1 MiB). */
const QUEUE_BYTES = 256 * 1024
/** A queue may pass its limit by one read (Node reads up to 64 KiB at a time). */
const MAX_QUEUED = QUEUE_BYTES + 64 * 1024
/** The stubborn never-reader: writes for this long (ms), up to this many bytes. */
const STUBBORN_WRITE_MS = 1500
const STUBBORN_BYTES = 64 * 1024 * 1024
const MAX_UDP_CLIENTS = 64
const MAX_IPV4_DATAGRAM = 65_507
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

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

type Kind = 'well-behaved' | 'resetter' | 'half-close-then-reset' | 'silent' | 'never-reads' | 'burst-and-close'
const KINDS: ReadonlyArray<{ kind: Kind; weight: number }> = [
  { kind: 'well-behaved', weight: 40 },
  { kind: 'resetter', weight: 17 },
  { kind: 'half-close-then-reset', weight: 12 },
  { kind: 'silent', weight: 8 },
  { kind: 'never-reads', weight: 7 },
  { kind: 'burst-and-close', weight: 16 },
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
    const size = Math.min(data.length - offset, rng.pick([1, 2, 7, 100, 1460, 4096, 65536, rng.int(1, 200_000)]))
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
      // Through the relay and back: send, half-close (relayed behind the data), read to the end.
      const size = rng.next() < 0.1 ? rng.int(100_000, 600_000) : rng.int(0, 16_384)
      const data = rng.bytes(size)
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
      await writeChunked(socket, rng.bytes(rng.int(0, 100_000)), rng)
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

const tcpFuzz = async (port: number, rng: Rng, { durationMs, maxClients, concurrency }: { durationMs: number; maxClients: number; concurrency: number }) => {
  const results: ClientResult[] = []
  const deadline = Date.now() + durationMs
  let started = 0
  const lane = async () => {
    while (Date.now() < deadline && started < maxClients) {
      started++
      results.push(await runTcpClient(pickKind(rng), port, rng))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return results
}

/**
 * Writes (and never reads) for STUBBORN_WRITE_MS: more than every kernel buffer on the way
 * holds, so a relay without backpressure would be seen queueing megabytes. Returns what it wrote.
 */
const stubbornNeverReader = async (port: number, rng: Rng): Promise<number> => {
  const socket = await connect(port)
  socket.on('error', () => {})
  socket.pause()
  const stopAt = Date.now() + STUBBORN_WRITE_MS
  const block = rng.bytes(1024 * 1024)
  let written = 0
  while (Date.now() < stopAt && written < STUBBORN_BYTES && !socket.destroyed) {
    written += block.length
    if (!socket.write(block)) await Promise.race([new Promise(resolve => socket.once('drain', resolve)), pause(Math.max(0, stopAt - Date.now()))])
  }
  socket.destroy()
  return written
}

const summarize = (results: Array<{ kind: string }>) => {
  const byKind: Record<string, number> = {}
  for (const r of results) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1
  return byKind
}

// ---- UDP peers ---------------------------------------------------------------------

const openUdp = async (): Promise<UdpSocket> => {
  const socket = createSocket('udp4')
  socket.on('error', () => { /* hostile peers do not care */ })
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  return socket
}
const closeUdp = (socket: UdpSocket) => new Promise<void>(resolve => {
  try { socket.close(() => resolve()) } catch { resolve() }
})

interface HostileUdpResult { sent: number; replies: number; wrongReplies: number; sockets: number }

/**
 * Random datagrams (empty to the IPv4 limit) until `stopAt`, sometimes vanishing with echoes
 * on the way and coming back from a new port (a new mapping). Every reply a socket gets
 * must be one of its own datagrams: the relay may not cross one client's replies to another.
 */
const hostileUdpPeer = async (port: number, rng: Rng, stopAt: number, maxSockets: number): Promise<HostileUdpResult> => {
  const result: HostileUdpResult = { sent: 0, replies: 0, wrongReplies: 0, sockets: 0 }
  const open = async () => {
    const socket = await openUdp()
    result.sockets++
    const sent = new Set<string>()
    socket.on('message', data => {
      result.replies++
      if (!sent.has(sha256(data))) result.wrongReplies++
    })
    return { socket, sent }
  }
  let current = await open()
  while (Date.now() < stopAt) {
    const datagram = rng.next() < 0.05 ? Buffer.alloc(0)
      : rng.bytes(rng.pick([1, 8, 64, 512, 1472, 9000, rng.int(1, MAX_IPV4_DATAGRAM), MAX_IPV4_DATAGRAM]))
    current.sent.add(sha256(datagram))
    await new Promise<void>(resolve => current.socket.send(datagram, port, '127.0.0.1', () => resolve()))
    result.sent++
    if (rng.next() < 0.03 && result.sockets < maxSockets) {
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

interface WellBehavedResult { sent: number; exact: number; wrong: number; unanswered: number }

/** `count` numbered datagrams, one at a time, each resent (up to 20 times, 100 ms apart) until its echo comes back. */
const wellBehavedPeer = async (port: number, rng: Rng, count: number): Promise<WellBehavedResult> => {
  const socket = await openUdp()
  const result: WellBehavedResult = { sent: 0, exact: 0, wrong: 0, unanswered: 0 }
  try {
    for (let seq = 1; seq <= count; seq++) {
      const datagram = Buffer.concat([Buffer.from(`seq=${seq} `), rng.bytes(rng.pick([0, 1, 100, 1400, rng.int(0, 8000)]))])
      let answered = false
      for (let attempt = 0; attempt < 20 && !answered; attempt++) {
        const echo = new Promise<Buffer | undefined>(resolve => {
          const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined) }, 100)
          const onMessage = (data: Buffer) => {
            // A late echo of an earlier attempt of the same datagram is as good as this one.
            const prefix = /^seq=(\d+) /.exec(data.subarray(0, 16).toString('latin1'))
            if (prefix !== null && Number(prefix[1]) < seq) return
            clearTimeout(timer)
            socket.off('message', onMessage)
            resolve(data)
          }
          socket.on('message', onMessage)
        })
        socket.send(datagram, port, '127.0.0.1')
        result.sent++
        const data = await echo
        if (data === undefined) continue
        answered = true
        if (data.equals(datagram)) result.exact++
        else result.wrong++
      }
      if (!answered) result.unanswered++
    }
  } finally {
    await closeUdp(socket)
  }
  return result
}

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
    tcpFuzz(port, rng, { durationMs: 4000, maxClients: 1500, concurrency: 16 }),
    stubbornNeverReader(port, rng),
  ])
  t.comment(`clients by kind: ${JSON.stringify(summarize(results))}; relay events: ${JSON.stringify(events)}`)
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

  const after = await runTcpClient('well-behaved', port, rng)
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
  const stopAt = Date.now() + 2000
  // Hostile sockets stay below the mapping cap, so well-behaved peers are never the ones refused.
  const hostile = Promise.all(Array.from({ length: 4 }, (_, i) => hostileUdpPeer(port, prng(seed + 1 + i), stopAt, 10)))
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
    tcpFuzz(tcpPort, rng, { durationMs: 1500, maxClients: 300, concurrency: 8 }),
    Promise.all(Array.from({ length: 2 }, (_, i) => hostileUdpPeer(udpPort, prng(seed + 11 + i), stopAt, 5))),
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
