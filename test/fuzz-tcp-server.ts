import t from 'tap'
import { createHash } from 'node:crypto'
import { createConnection, type Socket } from 'node:net'
import { TcpEchoServer, type TcpServerEvent } from '../src/tcp-server.js'
import { startCli, until } from './fixtures/cli.js'

// A bounded fuzz against the TCP echo server: many concurrent clients, most of them
// hostile (random resets, half-closes, silence, never reading), while well-behaved clients
// check that every byte they sent comes back intact (sha256), and the server never holds more
// than 256 KiB for any one client (backpressure; without socket.pause() it held 55 MB).
// The seed is printed first; SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-tcp-server.ts replays its
// draws (sizes, kinds, chunkings). Clients run concurrently, so which lane gets which draw
// still depends on timing: a rerun is the same storm, not the same interleaving.

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
console.log(`# fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed} npx tap test/fuzz-tcp-server.ts)`)

/**
 * Most bytes the server may hold for one connection. With backpressure it stops reading a
 * client once a write is refused, so at most its 16 KiB high-water mark plus one read
 * (up to 64 KiB) waits in Node. Without it, a client that never reads makes the server queue
 * everything that client sends (megabytes a second).
 */
const MAX_QUEUED_PER_CONNECTION = 256 * 1024
/** The stubborn never-reader: writes for this long (ms), up to this many bytes. */
const STUBBORN_WRITE_MS = 1500
const STUBBORN_BYTES = 64 * 1024 * 1024
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex')
const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

type Kind = 'well-behaved' | 'resetter' | 'half-close-then-reset' | 'silent' | 'lingerer' | 'never-reads' | 'burst-and-close'
const KINDS: ReadonlyArray<{ kind: Kind; weight: number }> = [
  { kind: 'well-behaved', weight: 40 },
  { kind: 'resetter', weight: 15 },
  { kind: 'half-close-then-reset', weight: 10 },
  { kind: 'silent', weight: 10 },
  { kind: 'lingerer', weight: 3 },
  { kind: 'never-reads', weight: 7 },
  { kind: 'burst-and-close', weight: 15 },
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

/** Tracks every client socket so each test's teardown can destroy whatever it left open. */
const openSockets = new Set<Socket>()
const destroyOpenSockets = () => { for (const socket of openSockets) socket.destroy() }

const connect = (port: number): Promise<Socket> => new Promise((resolve, reject) => {
  const socket = createConnection({ host: '127.0.0.1', port })
  openSockets.add(socket)
  socket.once('close', () => openSockets.delete(socket))
  socket.once('connect', () => { socket.off('error', reject); resolve(socket) })
  socket.once('error', reject)
})

/** Write `data` in random-sized chunks, with random short pauses, honouring backpressure. */
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

/**
 * Send a TCP RST. Node 20 has a trap here: resetAndDestroy() between end() and 'finish'
 * (shutdown still queued) fails with EINVAL and the socket never emits 'close', leaking its
 * handle and keeping the process alive. So once end() was called, reset only after 'finish'.
 */
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

/** One client of the given kind. Resolves once its socket is closed. */
const runClient = async (kind: Kind, port: number, rng: Rng): Promise<ClientResult> => {
  let socket: Socket
  try {
    socket = await connect(port)
  } catch (err) {
    // Only a well-behaved client that cannot connect is a failure; the server was up.
    return { kind, intact: kind === 'well-behaved' ? false : undefined, detail: `connect failed: ${(err as Error).message}` }
  }
  socket.on('error', () => { /* hostile clients expect resets; well-behaved ones check bytes */ })
  switch (kind) {
    case 'well-behaved': {
      // Send, half-close, read everything back until the server closes: the echo must be exact.
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
    case 'half-close-then-reset': {
      socket.resume()
      await writeChunked(socket, rng.bytes(rng.int(0, 100_000)), rng)
      socket.end()
      await pause(rng.int(0, 20))
      await reset(socket)
      break
    }
    case 'silent': {
      // Connects and says nothing, then goes away politely or not.
      await pause(rng.int(0, 200))
      if (rng.next() < 0.5) socket.end()
      else socket.destroy()
      break
    }
    case 'lingerer': {
      // Connects, says nothing, and waits for the server's idle timeout to close it.
      socket.resume()
      break
    }
    case 'never-reads': {
      // Writes far more than the kernel buffers hold and never reads the echo: the server
      // must stop reading it rather than buffer for it. Then it leaves without reading.
      socket.pause()
      let stop = false
      const writing = writeChunked(socket, rng.bytes(rng.int(1_000_000, 8_000_000)), rng, () => stop)
      await Promise.race([writing, pause(rng.int(50, 400))])
      stop = true
      if (rng.next() < 0.5) await reset(socket)
      else socket.destroy()
      break
    }
    case 'burst-and-close': {
      // Garbage in one write, close at once; may or may not read the echo.
      if (rng.next() < 0.5) socket.resume()
      socket.end(rng.bytes(rng.int(1, 70_000)))
      setTimeout(() => socket.destroy(), rng.int(0, 100)).unref()
      break
    }
  }
  await closed(socket)
  return { kind }
}

/**
 * Run clients against `port` until `durationMs` passes or `maxClients` have run, keeping
 * about `concurrency` in flight. Returns every client's result.
 */
const fuzz = async (port: number, rng: Rng, { durationMs, maxClients, concurrency }: { durationMs: number; maxClients: number; concurrency: number }) => {
  const results: ClientResult[] = []
  const deadline = Date.now() + durationMs
  let started = 0
  const lane = async () => {
    while (Date.now() < deadline && started < maxClients) {
      started++
      const kind = pickKind(rng)
      results.push(await runClient(kind, port, rng))
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return results
}

const summarize = (results: ClientResult[]) => {
  const byKind: Record<string, number> = {}
  for (const r of results) byKind[r.kind] = (byKind[r.kind] ?? 0) + 1
  return byKind
}

t.test(`library TcpEchoServer survives hostile clients; well-behaved ones get every byte back (seed ${seed})`, async t => {
  t.comment(`fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed})`)
  const rng = prng(seed)
  const events: Record<string, number> = {}
  const serverErrors: TcpServerEvent[] = []
  const server = new TcpEchoServer({
    port: 0,
    host: '127.0.0.1',
    maxConnections: 1000,
    idleTimeoutMs: 1500, // lingerers are closed by it
    closeGraceMs: 200,
    onEvent: event => {
      events[event.type] = (events[event.type] ?? 0) + 1
      if (event.type === 'server-error') serverErrors.push(event)
    },
  })
  const { port } = await server.listen()
  let summaryTaken = false
  // What the server holds for each client, sampled through the run: backpressure must keep it small.
  let maxQueued = 0
  const sampler = setInterval(() => {
    for (const conn of server.connectionStats()) maxQueued = Math.max(maxQueued, conn.bufferedBytes)
  }, 10)
  t.teardown(async () => {
    clearInterval(sampler)
    destroyOpenSockets()
    if (!summaryTaken) await server.close()
  })

  // Besides the random never-readers (which may write briefly), one that surely writes long
  // enough to fill every kernel buffer between it and the server, so a server without
  // backpressure would be seen queueing megabytes for it.
  const stubborn = (async () => {
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
  })()
  const [results, stubbornWrote] = await Promise.all([fuzz(port, rng, { durationMs: 5000, maxClients: 1500, concurrency: 24 }), stubborn])
  clearInterval(sampler)
  t.comment(`clients by kind: ${JSON.stringify(summarize(results))}; server events: ${JSON.stringify(events)}`)
  t.comment(`the stubborn never-reader got ${stubbornWrote} bytes into its socket; most queued for one client: ${maxQueued} bytes`)
  t.ok(maxQueued <= MAX_QUEUED_PER_CONNECTION, `at most ${MAX_QUEUED_PER_CONNECTION} bytes queued for any client (most: ${maxQueued}; seed ${seed})`)
  t.ok((events.backpressure ?? 0) > 0, 'never-readers made the server stop reading them')

  const wellBehaved = results.filter(r => r.kind === 'well-behaved')
  t.ok(wellBehaved.length >= 10, `enough well-behaved clients ran (${wellBehaved.length}; seed ${seed})`)
  const broken = wellBehaved.filter(r => !r.intact)
  t.same(broken, [], `every well-behaved client got its bytes back intact (seed ${seed})`)
  t.same(serverErrors, [], `no server errors (seed ${seed})`)

  // Every client is gone: the server must let go of every connection (lingerers are closed
  // by the idle timeout, never-readers when their socket dies).
  await until(() => server.activeConnections === 0, 10_000, `zero open connections (seed ${seed}; ${server.activeConnections} left)`)
  t.equal(server.activeConnections, 0, 'no connection left open')

  // Still up and still echoing.
  const after = await runClient('well-behaved', port, rng)
  t.ok(after.intact, 'a client after the storm is echoed intact')

  summaryTaken = true
  const summary = await server.close()
  t.equal(summary.accepted, (events.accepted ?? 0), 'every accept was reported')
  t.equal(summary.refused, 0, 'nobody was refused below the limit')
})

t.test(`the CLI tcp-server survives the same storm, more briefly (seed ${seed})`, async t => {
  const rng = prng(seed ^ 0x5eed)
  const server = startCli(['tcp-server', '0', '--idle-timeout', '1500'], { stdin: 'ignore' })
  t.teardown(() => {
    destroyOpenSockets()
    if (server.child.exitCode === null) server.child.kill('SIGKILL')
  })
  const [, portText] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  const port = Number(portText)

  const results = await fuzz(port, rng, { durationMs: 2000, maxClients: 400, concurrency: 12 })
  const wellBehaved = results.filter(r => r.kind === 'well-behaved')
  t.ok(wellBehaved.length >= 5, `enough well-behaved clients ran (${wellBehaved.length})`)
  t.same(wellBehaved.filter(r => !r.intact), [], `every well-behaved client got its bytes back intact (seed ${seed})`)

  // Every accepted connection ends with a closed or reset line.
  const count = (pattern: RegExp) => (server.stderr().match(pattern) ?? []).length
  await until(() => count(/\] accepted /g) === count(/\] (closed|reset by peer|closed by error) /g), 10_000,
    'a closing line for every accepted connection')
  t.equal(server.child.exitCode, null, 'the server is still running')

  const code = await server.interrupt()
  t.equal(code, 130, 'Ctrl-C exits 130')
  const stderr = server.stderr()
  t.match(stderr, /stopped after .* connections/, 'prints a summary')
  t.notMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace')
  t.notMatch(stderr, /server error/, 'no server errors')
})
