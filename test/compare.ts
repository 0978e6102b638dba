import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
import { performance } from 'node:perf_hooks'
import { makeCompareConfig, marginFromOvershoots, runCompare, runCompareDetailed } from '../src/compare/compare.js'
import type { CompareEvent } from '../src/compare/compare-types.js'
import { startLocalReflector, type LocalReflector } from '../src/probe/local-reflector.js'
import { decodeProbe, encodeProbe } from '../src/probe/probe.js'
import { closedTcpPort } from './fixtures/port.js'

let local: LocalReflector
t.before(async () => { local = await startLocalReflector() })
t.teardown(() => local.close())

const closedPort = () => closedTcpPort()

t.test('both transports on loopback: everything back, same schedule, kernel report', async t => {
  const events: CompareEvent[] = []
  const config = makeCompareConfig({ port: local.port, local: true, count: 50, ratePerSecond: 500 })
  const { result, runs } = await runCompareDetailed(config, { onEvent: e => events.push(e) })
  t.equal(result.schema, 'sockkit.compare/v2')
  t.same(Object.keys(result.results).sort(), ['tcp', 'udp'])
  t.equal(result.interrupted, false)
  for (const transport of ['tcp', 'udp'] as const) {
    const r = result.results[transport]!
    t.match(r, { sent: 50, received: 50, lost: 0, lossPercent: 0, duplicates: 0, foreign: 0 }, `${transport}: nothing lost on loopback`)
    const run = runs[transport]!
    t.equal(run.sends.length, 50)
    // The open-loop schedule, interleaved: probe i in slot i (2 ms each), TCP first in even
    // slots and UDP first in odd ones (1 ms apart); never skipped, never sent early.
    const place = transport === 'tcp' ? 0 : 1
    t.ok(run.sends.every((s, i) => s.seq === i && s.scheduledMs === i * 2 + ((place + i) % 2) && s.actualMs >= s.scheduledMs), `${transport}: sent on schedule`)
    t.ok(r.tmaxMs >= 1000, 'automatic Tmax is at least 1 s')
  }
  t.equal(result.kernel.udp?.available, true)
  t.type(result.kernel.udp?.udp?.rcvbufErrors, 'number')
  t.ok((result.kernel.udp?.socketBuffers?.receiveBytes ?? 0) > 0, 'granted receive buffer recorded')
  t.type(result.kernel.tcp?.tcp?.retransSegs, 'number')
  t.same(events.filter(e => e.type === 'phase').map(e => (e as { transport: string }).transport), ['tcp', 'udp'], 'each announced once, before the schedule')
  t.equal(events.at(-1)?.type, 'done')
  t.ok(events.some(e => e.type === 'progress' && e.received === 50))
})

t.test('only the transports asked for; blast sends at the actual time; bigger TCP frames', async t => {
  const udpOnly = await runCompare(makeCompareConfig({ port: local.port, count: 30, ratePerSecond: 1000, transports: ['udp'] }))
  t.same(Object.keys(udpOnly.results), ['udp'])
  t.same(Object.keys(udpOnly.kernel), ['udp'])

  const { result, runs } = await runCompareDetailed(makeCompareConfig({
    port: local.port, count: 200, transports: ['tcp'], blast: true, sizeBytes: 3000, warmup: 20,
  }))
  t.same(Object.keys(result.results), ['tcp'])
  t.match(result.results.tcp, { sent: 200, received: 200, lost: 0, foreign: 0 }, 'warm-up echoes are not counted, not even as foreign')
  t.ok(runs.tcp!.sends.every(s => s.scheduledMs === s.actualMs), 'with --blast the schedule is the send time')
  t.equal(result.config.intervalMs, 0)
  t.equal(result.config.ratePerSecond, null, 'no rate with --blast: the default 200/s was never used')
  t.equal(makeCompareConfig({ blast: true, ratePerSecond: 50 }).ratePerSecond, null)
  t.equal(makeCompareConfig({ ratePerSecond: 50 }).ratePerSecond, 50)
})

t.test('arrivals from another run and garbage are ignored and counted as foreign', async t => {
  // A reflector that echoes each probe, then also sends junk and a probe from another run.
  const fake = createSocket('udp4')
  fake.on('message', (data, peer) => {
    const header = decodeProbe(data)
    if (!header) return
    fake.send(data, peer.port, peer.address)
    fake.send(Buffer.from('garbage'), peer.port, peer.address)
    fake.send(encodeProbe({ runId: (header.runId + 7) >>> 0, seq: header.seq, scheduledNs: 0n }, data.length), peer.port, peer.address)
  })
  await new Promise<void>(resolve => fake.bind(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(resolve => fake.close(() => resolve())))
  const port = fake.address().port
  const result = await runCompare(makeCompareConfig({ port, count: 20, ratePerSecond: 1000, transports: ['udp'] }))
  t.match(result.results.udp, { sent: 20, received: 20, lost: 0, duplicates: 0 })
  t.ok(result.results.udp!.foreign >= 2, `foreign counted (${result.results.udp!.foreign})`)
})

t.test('the targets option sends each transport where it is told', async t => {
  const port = await closedPort()
  // config points at a closed port; the targets point at the reflector.
  const result = await runCompare(makeCompareConfig({ port, count: 10, ratePerSecond: 1000 }), {
    targets: { tcp: { host: '127.0.0.1', port: local.port }, udp: { host: '127.0.0.1', port: local.port } },
  })
  t.equal(result.results.tcp?.received, 10)
  t.equal(result.results.udp?.received, 10)
})

t.test('abort stops sending and still returns the partial result', async t => {
  const controller = new AbortController()
  const result = await runCompare(makeCompareConfig({ port: local.port, count: 100_000, ratePerSecond: 1000 }), {
    signal: controller.signal,
    onEvent: e => { if (e.type === 'progress' && e.received >= 20) controller.abort() },
  })
  t.equal(result.interrupted, true)
  // Interleaved: a stop always leaves a comparison, every transport having sent its probes.
  t.same(Object.keys(result.results), ['tcp', 'udp'], 'every transport has a result')
  for (const r of [result.results.tcp!, result.results.udp!]) {
    t.ok(r.sent >= 20 && r.sent < 100_000, `${r.transport}: sent ${r.sent}`)
    t.equal(r.received, r.sent, `${r.transport}: the probes in flight were waited for`)
  }
  // The same slots for both; a sender behind its schedule (a loaded machine) stops wherever
  // its catch-up was, so near the same count, not exactly.
  const [tcpSent, udpSent] = [result.results.tcp!.sent, result.results.udp!.sent]
  t.ok(Math.abs(tcpSent - udpSent) <= 16 + 0.05 * tcpSent, `the same slots for both (TCP ${tcpSent}, UDP ${udpSent})`)
})

t.test('nothing listening: Node\'s error code, one per transport', async t => {
  const port = await closedPort()
  await t.rejects(runCompare(makeCompareConfig({ port, count: 10, transports: ['tcp'] })), { code: 'ECONNREFUSED' })
  // On loopback the ICMP "port unreachable" arrives at once as ECONNREFUSED.
  await t.rejects(runCompare(makeCompareConfig({ port, count: 10, transports: ['udp'] })), { code: 'ECONNREFUSED' })
  const both = runCompare(makeCompareConfig({ port, count: 10 }))
  await t.rejects(both, { code: 'ECONNREFUSED', tcpError: { code: 'ECONNREFUSED' } })
})

t.test('a UDP peer that never answers: ERR_SOCKKIT_NO_ANSWER after Tmax', async t => {
  const silent = createSocket('udp4')
  await new Promise<void>(resolve => silent.bind(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(resolve => silent.close(() => resolve())))
  await t.rejects(runCompare(makeCompareConfig({ port: silent.address().port, count: 5, ratePerSecond: 100, transports: ['udp'], tmaxMs: 200 })),
    { code: 'ERR_SOCKKIT_NO_ANSWER' })
})

/** A UDP reflector that echoes every datagram after `delayMs`: the round trip is longer than a small --tmax. */
const slowUdpReflector = async (t: Test, delayMs: number): Promise<number> => {
  const slow = createSocket('udp4')
  const timers = new Set<NodeJS.Timeout>()
  slow.on('message', (data, peer) => {
    const timer = setTimeout(() => { timers.delete(timer); slow.send(data, peer.port, peer.address) }, delayMs)
    timers.add(timer)
  })
  await new Promise<void>(resolve => slow.bind(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(resolve => { for (const timer of timers) clearTimeout(timer); slow.close(() => resolve()) }))
  return slow.address().port
}

t.test('--tmax below the RTT: every probe late (lost), Tmax reported, not "nothing answers"', async t => {
  const port = await slowUdpReflector(t, 60)
  // Tmax 20 ms, RTT ≥ 60 ms: RFC 7680 says 100% lost, all of it late — the run stands.
  const result = await runCompare(makeCompareConfig({ port, count: 5, ratePerSecond: 100, transports: ['udp'], tmaxMs: 20 }))
  t.match(result.results.udp, { sent: 5, received: 0, lost: 5, lossPercent: 100, late: 5, tmaxMs: 20 })
  t.notOk(result.errors, 'no error: the reflector answered, just after Tmax')
  // One probe, so nothing is back when the Tmax wait after the last send ends.
  const single = await runCompare(makeCompareConfig({ port, count: 1, transports: ['udp'], tmaxMs: 20 }))
  t.match(single.results.udp, { sent: 1, received: 0, late: 1 })
})

t.test('after the warm-up the schedule goes on: the first measured probe leaves one interval after the last warm-up probe', async t => {
  // A reflector that notes when each datagram arrives (warm-up and measured probes carry different run ids).
  const arrivals: Array<{ runId: number; atMs: number }> = []
  const echo = createSocket('udp4')
  echo.on('message', (data, peer) => {
    const header = decodeProbe(data)
    if (header) arrivals.push({ runId: header.runId, atMs: performance.now() })
    echo.send(data, peer.port, peer.address)
  })
  await new Promise<void>(resolve => echo.bind(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(resolve => echo.close(() => resolve())))
  // 5 probes/s: one interval is 200 ms. Before, the measured probe left at once after the warm-up one.
  const result = await runCompare(makeCompareConfig({ port: echo.address().port, count: 1, ratePerSecond: 5, warmup: 1, transports: ['udp'] }))
  t.match(result.results.udp, { sent: 1, received: 1 })
  // The check probe (a warm-up one, sent before the schedule), the warm-up probe, the measured one.
  t.equal(arrivals.length, 3)
  t.not(arrivals[1]!.runId, arrivals[2]!.runId, 'one warm-up probe, then one measured')
  const gap = arrivals[2]!.atMs - arrivals[1]!.atMs
  // A lower bound only: the schedule waits at least until then (the warm-up probe is due at once).
  t.ok(gap >= 100, `measured probe ${gap.toFixed(1)} ms after the warm-up probe (interval 200 ms)`)
})

t.test('a TCP reflector that resets the connection mid-run: partial result, the error, and a verdict from it', async t => {
  // Echoes the check probe and the first 10 measured probes (64 bytes each), then resets the connection.
  const server = createServer(socket => {
    let echoed = 0
    socket.on('error', () => {})
    socket.on('data', chunk => {
      if (echoed >= 704) return
      const part = chunk.subarray(0, 704 - echoed)
      echoed += part.length
      socket.write(part)
      if (echoed >= 704) setTimeout(() => socket.resetAndDestroy(), 20)
    })
  })
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(resolve => server.close(() => resolve())))
  const result = await runCompare(makeCompareConfig({ port: (server.address() as { port: number }).port, count: 200, ratePerSecond: 500, transports: ['tcp'] }))
  const tcp = result.results.tcp!
  t.equal(tcp.received, 10, 'the 10 echoed probes count')
  t.ok(tcp.lost > 0 && tcp.sent < 200, `sending stopped at the reset (sent ${tcp.sent}, lost ${tcp.lost})`)
  t.match(result.errors?.tcp?.code, /^(ECONNRESET|EPIPE)$/)
  const { verdict } = await import('../src/cli/render/format-compare.js')
  const sentence = verdict(result).find(s => s.startsWith('TCP: the '))
  t.match(sentence, /after 10 probes had come back; the other \d+ probes? \(.*\) were lost with the connection/)
  t.notMatch(verdict(result).join(' '), /still on their way/)
})

t.test('bad configuration is ERR_SOCKKIT_INVALID_ARG', async t => {
  const bad = [
    { count: 0 }, { count: 1.5 }, { ratePerSecond: 0 }, { ratePerSecond: -3 }, { sizeBytes: 23 }, { sizeBytes: 65508 },
    { transports: [] }, { transports: ['tcp', 'tcp'] }, { transports: ['sctp'] }, { warmup: -1 }, { tmaxMs: 0 }, { port: 0 },
  ]
  for (const options of bad) t.throws(() => makeCompareConfig(options as never), { code: 'ERR_SOCKKIT_INVALID_ARG' }, JSON.stringify(options))
  t.equal(makeCompareConfig({ sizeBytes: 100_000, transports: ['tcp'] }).sizeBytes, 100_000, 'TCP alone may send larger probes')
  t.match(makeCompareConfig(), { count: 1000, ratePerSecond: 200, intervalMs: 5, sizeBytes: 64, transports: ['tcp', 'udp'], schedule: 'interleaved', nagle: false, tmaxMs: null })
})

t.test('the sender polls for as long as this system\'s timers can be late: 1.5 ms here, a tick where timers round up to one', async t => {
  // Overshoots of setTimeout(1), ms: a Linux or macOS machine…
  t.equal(marginFromOvershoots([0.08, 0.12, 0.1, 0.3, 0.09]), 1.5)
  // …a busy VM (median, not max: one stall is not the timer's granularity)…
  t.equal(marginFromOvershoots([0.2, 3, 0.4, 40, 1.6]), 2.1)
  // …a 15.6 ms system tick, as Windows has long had…
  t.equal(marginFromOvershoots([14.6, 15.1, 14.9, 15.0, 14.8]), 15.4)
  // …and never more than 20 ms of polling, however coarse.
  t.equal(marginFromOvershoots([60, 61, 59]), 20)
  t.equal(marginFromOvershoots([]), 1.5)
})

t.test('behind an impairment relay, a refused reflector is ECONNREFUSED naming the real target (not a reset, not the relay)', async t => {
  const port = await closedPort()
  const config = makeCompareConfig({ port, count: 5, ratePerSecond: 100 })
  const err = await runCompare(config, { impairment: { impairment: { delay: 5 }, emulator: 'userspace' } }).catch(e => e)
  t.match(err, { code: 'ECONNREFUSED', host: '127.0.0.1', port }, 'UDP: the relay got the port unreachable')
  t.match(err.tcpError, { code: 'ECONNREFUSED', host: '127.0.0.1', port }, 'TCP: the relay could not connect')
  t.match(err.tcpError.message, `127.0.0.1:${port}`)
  for (const e of [err, err.tcpError]) {
    const ports = [...String(e.message).matchAll(/:(\d{2,5})\b/g)].map(m => Number(m[1]))
    t.ok(ports.length > 0 && ports.every(p => p === port), `only the reflector's port in "${e.message}"`)
  }
})

t.test('the expected loss range is binomial, 2 sd over the probes sent', async t => {
  const { lossRangePercent } = await import('../src/compare/compare.js')
  t.same(lossRangePercent(36, 20000), { low: 35.32, high: 36.68, sdPercent: 0.34, probes: 20000 })
  t.same(lossRangePercent(0, 100), { low: 0, high: 0, sdPercent: 0, probes: 100 })
  t.same(lossRangePercent(50, 4), { low: 0, high: 100, sdPercent: 25, probes: 4 }, 'clamped to 0–100')
  t.same(lossRangePercent(10, 0), { low: 10, high: 10, sdPercent: 0, probes: 0 })
})

t.test('TCP socket buffers: from ss skmem on Linux, never a failure', async t => {
  const { parseSkmem, readTcpBuffers } = await import('../src/compare/compare.js')
  t.same(parseSkmem('0 0 127.0.0.1:1 127.0.0.1:2\n\t skmem:(r0,rb131072,t0,tb2626560,f0,w0,o0,bl0,d0)\n'), { receiveBytes: 131072, sendBytes: 2626560 })
  t.equal(parseSkmem(''), undefined, 'no connection listed')
  t.equal(parseSkmem('skmem:(r0,t0)'), undefined)
  const result = await runCompare(makeCompareConfig({ port: local.port, count: 5, ratePerSecond: 500, transports: ['tcp'] }))
  const hasSs = spawnSync('sh', ['-c', 'command -v ss']).status === 0
  if (process.platform === 'linux' && hasSs) t.ok((result.kernel.tcp?.socketBuffers?.receiveBytes ?? 0) > 0, 'read for our own connection')
  else t.equal(result.kernel.tcp?.socketBuffers, undefined, 'absent where ss cannot tell')
  t.equal(await readTcpBuffers(Object.assign(createServer(), { destroyed: true }) as never), undefined, 'a closed socket: undefined')
})
