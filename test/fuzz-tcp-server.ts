import t from 'tap'
import { TcpEchoServer, type TcpServerEvent } from '../src/servers/tcp-server.js'
import { startCli, until } from './fixtures/cli.js'
import { countByKind, destroyOpenSockets, fuzzSeed, prng, runTcpClient, stubbornNeverReader, tcpStorm, type TcpStormProfile } from './fixtures/fuzz.js'

// A bounded fuzz against the TCP echo server: many concurrent clients, most of them
// hostile (random resets, half-closes, silence, never reading), while well-behaved clients
// check that every byte they sent comes back intact (sha256), and the server never holds more
// than 256 KiB for any one client (backpressure; without socket.pause() it held 55 MB).
// The seed is printed first; SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-tcp-server.ts replays its
// draws (sizes, kinds, chunkings). Clients run concurrently, so which lane gets which draw
// still depends on timing: a rerun is the same storm, not the same interleaving.

const seed = fuzzSeed(import.meta.url)

/**
 * Most bytes the server may hold for one connection. With backpressure it stops reading a
 * client once a write is refused, so at most its 16 KiB high-water mark plus one read
 * (up to 64 KiB) waits in Node. Without it, a client that never reads makes the server queue
 * everything that client sends (megabytes a second).
 */
const MAX_QUEUED_PER_CONNECTION = 256 * 1024

/** The echo server meets every kind, lingerers too (its idle timeout closes them). */
const PROFILE: TcpStormProfile = {
  kinds: [
    { kind: 'well-behaved', weight: 40 },
    { kind: 'resetter', weight: 15 },
    { kind: 'half-close-then-reset', weight: 10 },
    { kind: 'silent', weight: 10 },
    { kind: 'lingerer', weight: 3 },
    { kind: 'never-reads', weight: 7 },
    { kind: 'burst-and-close', weight: 15 },
  ],
  neverReadsBytes: [1_000_000, 8_000_000],
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

  const [results, stubbornWrote] = await Promise.all([tcpStorm(port, rng, PROFILE, { stopAt: Date.now() + 2500, maxClients: 1500, concurrency: 24 }), stubbornNeverReader(port, rng)])
  clearInterval(sampler)
  t.comment(`clients by kind: ${JSON.stringify(countByKind(results))}; server events: ${JSON.stringify(events)}`)
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
  const after = await runTcpClient('well-behaved', port, rng, PROFILE)
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

  const results = await tcpStorm(port, rng, PROFILE, { stopAt: Date.now() + 1200, maxClients: 400, concurrency: 12 })
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
