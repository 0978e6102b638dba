import t from 'tap'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { existsSync, readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { runCli, startCli } from './fixtures/cli.js'
import { encodeProbe } from '../src/probe.js'

const closedPort = async (): Promise<number> => {
  const server = createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  const port = (server.address() as { port: number }).port
  await new Promise(resolve => server.close(resolve))
  return port
}

const isAlive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true } catch { return false }
}

/** Pids whose parent is `ppid`, from /proc (Linux). */
const childrenOf = (ppid: number): number[] =>
  readdirSync('/proc').filter(name => /^\d+$/.test(name)).filter(name => {
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8')
      return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid
    } catch { return false }
  }).map(Number)

const RESULT_FIELDS = ['sent', 'received', 'lost', 'lossPercent', 'duplicates', 'reordered', 'jitterMs', 'rttMs']
const RTT_FIELDS = ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']

t.test('--json: exactly the CompareResult, zero loss on loopback', async t => {
  const run = await runCli(['compare', '--count', '50', '--rate', '500', '--json'], { timeoutMs: 30_000 })
  t.equal(run.code, 0, run.stderr)
  const result = JSON.parse(run.stdout.toString())
  t.equal(result.schema, 'sockkit.compare/v1')
  t.match(result.config, { local: true, count: 50, ratePerSecond: 500, sizeBytes: 64, transports: ['tcp', 'udp'], tmaxMs: null })
  t.same(Object.keys(result.results).sort(), ['tcp', 'udp'])
  for (const transport of ['tcp', 'udp']) {
    const r = result.results[transport]
    for (const field of RESULT_FIELDS) t.ok(field in r, `${transport}.${field}`)
    t.same(Object.keys(r.rttMs).sort(), [...RTT_FIELDS].sort())
    t.match(r, { sent: 50, received: 50, lost: 0, lossPercent: 0 })
    t.equal(r.rttMs.p99, null, 'p99 from 50 samples is unavailable, not invented')
    t.type(r.rttMs.p50, 'number')
  }
  t.equal(result.interrupted, false)
  t.notMatch(run.stderr, /\r/, 'no live progress line without a terminal')
})

t.test('only the asked transports appear; --csv writes one row per probe', async t => {
  const dir = t.testdir({})
  const csv = join(dir, 'probes.csv')
  const run = await runCli(['compare', '--count', '40', '--rate', '1000', '--transports', 'udp', '--json', '--csv', csv], { timeoutMs: 30_000 })
  t.equal(run.code, 0, run.stderr)
  const result = JSON.parse(run.stdout.toString())
  t.same(Object.keys(result.results), ['udp'])
  const lines = readFileSync(csv, 'utf8').trim().split('\n')
  t.match(lines[0], /^transport,seq,/)
  t.equal(lines.length, 41, 'header + 40 rows')
  t.ok(lines.slice(1).every(l => l.startsWith('udp,')))

  const both = join(dir, 'both.csv')
  const run2 = await runCli(['compare', '--count', '20', '--rate', '1000', '--csv', both], { timeoutMs: 30_000 })
  t.equal(run2.code, 0, run2.stderr)
  const rows = readFileSync(both, 'utf8').trim().split('\n')
  t.equal(rows.length, 41, 'one header, 20 TCP rows, 20 UDP rows')
  t.equal(rows.filter(r => r.startsWith('transport,')).length, 1)
  // Human output: the table on stdout, phase lines on stderr.
  t.match(run2.stdout.toString(), /TCP[\s\S]*UDP/)
  t.match(run2.stderr, /TCP → 127\.0\.0\.1:\d+: sending 20 probes/)
})

t.test('Ctrl-C prints the partial result, exits 130, and the reflector child is gone', async t => {
  const cli = startCli(['compare', '--count', '100000', '--rate', '1000', '--json'])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  await cli.waitFor(/TCP → /)
  // Let it send for a while (a progress line exists only on a terminal); the assertions
  // below do not depend on how many probes went out, only that some did.
  await new Promise(r => setTimeout(r, 500))
  const reflectorPids = existsSync('/proc') ? childrenOf(cli.child.pid!) : []
  t.equal(reflectorPids.length, existsSync('/proc') ? 1 : 0, 'one reflector child process')
  const code = await cli.interrupt()
  t.equal(code, 130)
  const result = JSON.parse(cli.stdout().toString())
  t.equal(result.interrupted, true)
  t.ok(result.results.tcp.sent > 0 && result.results.tcp.sent < 100000, `sent ${result.results.tcp.sent}`)
  t.equal(result.results.tcp.received, result.results.tcp.sent, 'the probes in flight were waited for')
  t.equal(result.results.udp, undefined, 'UDP never ran')
  t.match(cli.stderr(), /stopped by Ctrl-C/)
  for (const pid of reflectorPids) {
    const start = Date.now()
    while (isAlive(pid) && Date.now() - start < 5000) await new Promise(r => setTimeout(r, 20))
    t.notOk(isAlive(pid), `reflector ${pid} exited`)
  }
})

t.test('bad input exits 2 with one sentence', async t => {
  const cases: Array<[string[], RegExp]> = [
    [['--count', '0'], /count/],
    [['--count', 'many'], /count/],
    [['--rate', '0'], /rate/],
    [['--rate', '-5'], /rate|unknown option/],
    [['--size', '10'], /size/],
    [['--size', '70000'], /size/],
    [['--transports', 'tcp,sctp'], /transports/],
    [['--warmup', 'x'], /warmup/],
    [['--tmax', '0'], /tmax/],
    [['--port', '9000'], /needs a host/],
    [['127.0.0.1', '--port', '70000'], /port/],
  ]
  for (const [args, pattern] of cases) {
    const run = await runCli(['compare', ...args])
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, pattern)
    t.equal(run.stderr.trim().split('\n').length, 1, 'one line')
  }
})

t.test('a host with nothing listening exits 1 with a plain sentence', async t => {
  const port = await closedPort()
  const run = await runCli(['compare', '127.0.0.1', '--port', String(port), '--count', '20'], { timeoutMs: 30_000 })
  t.equal(run.code, 1)
  t.match(run.stderr, /nothing is listening on 127\.0\.0\.1/)
  t.match(run.stderr, /sockkit serve/)
  t.notMatch(run.stderr, /at .*\.js/, 'no stack trace')
  t.equal(run.stdout.length, 0)
})

t.test('serve: compare against it, garbage ignored and counted, summary on Ctrl-C', async t => {
  const serve = startCli(['serve', '0'])
  t.teardown(() => { serve.child.kill('SIGKILL') })
  const [, port] = await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  await serve.waitFor(/--host 0\.0\.0\.0/)
  t.match(serve.stderr(), /accepts only this machine/)
  t.match(serve.stderr(), /--host 0\.0\.0\.0/)
  t.match(serve.stderr(), new RegExp(`sockkit compare 127\\.0\\.0\\.1 --port ${port}`))

  // Junk first: never echoed, never fatal.
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  await new Promise<void>(resolve => socket.connect(Number(port), '127.0.0.1', () => resolve()))
  for (const junk of [Buffer.from('hola'), Buffer.alloc(500, 7), Buffer.alloc(0)]) socket.send(junk)
  const probe = encodeProbe({ runId: 99, seq: 0, scheduledNs: 0n }, 64)
  const echoed = new Promise<Buffer>(resolve => socket.once('message', d => resolve(d)))
  socket.send(probe)
  t.same(await echoed, probe, 'the first reply is the probe, not an echo of junk')
  await serve.waitFor(/ignored/)

  const run = await runCli(['compare', '127.0.0.1', '--port', port!, '--count', '30', '--rate', '1000', '--json'], { timeoutMs: 30_000 })
  t.equal(run.code, 0, run.stderr)
  const result = JSON.parse(run.stdout.toString())
  t.equal(result.config.local, false)
  t.match(result.results.udp, { sent: 30, received: 30, foreign: 0 })
  t.match(result.results.tcp, { sent: 30, received: 30 })

  t.equal(await serve.interrupt(), 130)
  t.match(serve.stderr(), /stopped after .*31 probes echoed.* 3 ignored/)
})

t.test('serve --json: NDJSON events on stdout', async t => {
  const serve = startCli(['serve', '0', '--json'])
  t.teardown(() => { serve.child.kill('SIGKILL') })
  const [, port] = await serve.waitFor(/"event":"listening".*"port":(\d+)/, { from: 'stdout' })
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  socket.send(Buffer.from('junk'), Number(port), '127.0.0.1')
  await serve.waitFor(/"event":"udp-ignored"/, { from: 'stdout' })
  t.equal(await serve.interrupt(), 130)
  const events = serve.stdout().toString().trim().split('\n').map(l => JSON.parse(l))
  t.match(events.at(-1), { event: 'summary', udp: { ignored: 1 } })
})

t.test('serve: a taken port exits 1 with a sentence', async t => {
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const run = await runCli(['serve', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, new RegExp(`port ${port} is already in use`))
})
