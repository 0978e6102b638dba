// compare's measurement floor on loopback: the RTT p50 that `sockkit compare` reports for UDP
// and TCP when nothing is in the way, next to
//   - a bare Node ping-pong (closed loop, same 64-byte size, against a bare dgram/net echo in
//     its own process, run in this same bench), and
//   - sockperf ping-pong --full-rtt (a C tool that busy-polls), when `sockperf` is on PATH.
// Both baselines are closed loop: each message waits for the previous reply, so the sockets
// and both processes stay hot. compare is open loop. It is measured twice:
//   - at 5000/s, where the interval is below its timer margin, so its sender polls the event
//     loop between probes: the floor of the measurement, but not what a user runs; sockperf
//     runs there both at the same rate (--mps 5000, where the 1.5x target is judged) and at
//     its maximum rate (context);
//   - at 200/s, compare's default, where each probe wakes a sleeping process; sockperf is run
//     at the same rate there (--mps 200) so it wakes too.
// The bare Node ping-pong does different work from compare at 5000/s (it sleeps in epoll
// between messages, compare's sender spins), so it is shown as context, without a ratio: a
// lower compare figure means polling beats waking up, not that compare beats Node.
import { spawn, spawnSync } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { connect } from 'node:net'
import { performance } from 'node:perf_hooks'
import { makeCompareConfig, runCompare, startLocalReflector } from '../dist/index.js'
import { row } from './lib.js'

const SIZE = 64
const HOST = '127.0.0.1'

const p50 = values => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.ceil(sorted.length * 0.5) - 1]
}

// A bare echo (UDP and TCP on one port) in its own process: no framing, no checks.
const BARE_ECHO = `
import { createSocket } from 'node:dgram'
import { createServer } from 'node:net'
const tcp = createServer({ noDelay: true }, s => s.pipe(s))
tcp.listen(0, '127.0.0.1', () => {
  const { port } = tcp.address()
  const udp = createSocket('udp4')
  udp.on('message', (m, r) => udp.send(m, r.port, r.address))
  udp.bind(port, '127.0.0.1', () => console.log(port))
})
process.stdin.on('end', () => process.exit(0)).resume()
`

const startBareEcho = () => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, ['--input-type=module', '-e', BARE_ECHO], { stdio: ['pipe', 'pipe', 'inherit'] })
  child.stdout.once('data', d => resolve({ port: Number(String(d).trim()), stop: () => { child.stdin.end(); child.kill() } }))
  child.once('error', reject)
})

/**
 * Call `send` for the next message: at once (closed loop, `intervalMs` 0), or at the next
 * slot of a fixed schedule (`intervalMs` apart, from the first send) — paced like compare,
 * so the process sleeps between messages and wakes for each, but RTT from the actual send.
 */
const nextSend = (intervalMs, startedAt, index, send) => {
  if (intervalMs <= 0) { send(); return }
  setTimeout(send, Math.max(0, startedAt + index * intervalMs - performance.now()))
}

const udpPingPong = (port, count, intervalMs = 0) => new Promise((resolve, reject) => {
  const socket = createSocket('udp4')
  const payload = Buffer.alloc(SIZE, 1)
  const rtts = []
  let sentAt = 0
  let startedAt = 0
  const send = () => { sentAt = performance.now(); socket.send(payload) }
  socket.on('error', reject)
  socket.on('message', () => {
    rtts.push(performance.now() - sentAt)
    if (rtts.length === count) { socket.close(); resolve(rtts); return }
    nextSend(intervalMs, startedAt, rtts.length, send)
  })
  socket.connect(port, HOST, () => { startedAt = performance.now(); send() })
})

const tcpPingPong = (port, count, intervalMs = 0) => new Promise((resolve, reject) => {
  const socket = connect({ port, host: HOST, noDelay: true })
  const payload = Buffer.alloc(SIZE, 1)
  const rtts = []
  let sentAt = 0
  let startedAt = 0
  let pending = 0
  const send = () => { sentAt = performance.now(); socket.write(payload) }
  socket.on('error', reject)
  socket.on('data', chunk => {
    pending += chunk.length
    while (pending >= SIZE) {
      pending -= SIZE
      rtts.push(performance.now() - sentAt)
      if (rtts.length === count) { socket.destroy(); resolve(rtts); return }
      nextSend(intervalMs, startedAt, rtts.length, send)
    }
  })
  socket.on('connect', () => { startedAt = performance.now(); send() })
})

const hasSockperf = () => spawnSync('sh', ['-c', 'command -v sockperf']).status === 0

/** sockperf ping-pong --full-rtt p50 in ms, or null if it could not run. */
const sockperfP50 = async (tcp, seconds, mps) => {
  const port = 20000 + Math.floor(Math.random() * 20000)
  const flags = tcp ? ['--tcp'] : []
  // The client's rate only: `sockperf sr` refuses --mps.
  const rate = mps ? [`--mps=${mps}`] : []
  const server = spawn('sockperf', ['sr', ...flags, '-i', HOST, '-p', String(port)], { stdio: 'ignore' })
  try {
    await new Promise(r => setTimeout(r, 300))
    const client = spawnSync('sockperf', ['pp', ...flags, ...rate, '-i', HOST, '-p', String(port), '-m', String(SIZE), '-t', String(seconds), '--full-rtt'],
      { encoding: 'utf8', timeout: (seconds + 10) * 1000 })
    const match = /percentile 50\.000 =\s*([\d.]+)/.exec(client.stdout + client.stderr)
    return match ? Number(match[1]) / 1000 : null
  } finally {
    server.kill()
  }
}

export default async function compareFloorBench ({ quick = false, log = () => {} } = {}) {
  const count = quick ? 2000 : 4000
  const rounds = quick ? 1 : 5
  const sockperfSeconds = quick ? 1 : 2
  const withSockperf = hasSockperf()
  if (!withSockperf) log('compare-floor: sockperf is not on PATH; its comparison is skipped')
  const rows = []

  // compare as a user runs it (its own reflector process, 64-byte probes), the bare
  // ping-pong and sockperf, in interleaved rounds: on this shared VM one compare run's p50
  // moved from 0.09 ms to 10 ms between back-to-back runs of the same build (CPU stolen for
  // seconds), so one run of each — or sockperf measured a minute after compare — is not a
  // figure. Each round gives a ratio; the row is the median of those ratios.
  const reflector = await startLocalReflector()
  const bare = await startBareEcho()
  const samples = {
    compareUdp: [], compareTcp: [], bareUdp: [], bareTcp: [], sockperfUdp: [], sockperfTcp: [], sockperfUdp5000: [], sockperfTcp5000: [],
    compareUdp200: [], compareTcp200: [], sockperfUdp200: [], sockperfTcp200: [], bareUdp200: [], bareTcp200: [],
  }
  const count200 = quick ? 200 : 1000
  try {
    await runCompare(makeCompareConfig({ port: reflector.port, count: 500, ratePerSecond: 5000, sizeBytes: SIZE }))
    await udpPingPong(bare.port, 500)
    await tcpPingPong(bare.port, 500)
    for (let round = 0; round < rounds; round++) {
      const result = await runCompare(makeCompareConfig({ port: reflector.port, count, ratePerSecond: 5000, sizeBytes: SIZE }))
      samples.compareUdp.push(result.results.udp.rttMs.p50)
      samples.compareTcp.push(result.results.tcp.rttMs.p50)
      samples.bareUdp.push(p50(await udpPingPong(bare.port, count)))
      samples.bareTcp.push(p50(await tcpPingPong(bare.port, count)))
      if (withSockperf) {
        samples.sockperfUdp.push(await sockperfP50(false, sockperfSeconds))
        samples.sockperfTcp.push(await sockperfP50(true, sockperfSeconds))
        // The same rate as compare's run above: both sides then wait between messages.
        samples.sockperfUdp5000.push(await sockperfP50(false, sockperfSeconds, 5000))
        samples.sockperfTcp5000.push(await sockperfP50(true, sockperfSeconds, 5000))
      }
      // At compare's default rate: what `npx sockkit compare` shows.
      const atDefault = await runCompare(makeCompareConfig({ port: reflector.port, count: count200, ratePerSecond: 200, sizeBytes: SIZE }))
      samples.compareUdp200.push(atDefault.results.udp.rttMs.p50)
      samples.compareTcp200.push(atDefault.results.tcp.rttMs.p50)
      samples.bareUdp200.push(p50(await udpPingPong(bare.port, count200, 5)))
      samples.bareTcp200.push(p50(await tcpPingPong(bare.port, count200, 5)))
      if (withSockperf) {
        samples.sockperfUdp200.push(await sockperfP50(false, sockperfSeconds, 200))
        samples.sockperfTcp200.push(await sockperfP50(true, sockperfSeconds, 200))
      }
      const us1 = ms => ms === null || ms === undefined ? 'n/a' : (ms * 1000).toFixed(1)
      log(`compare-floor: round ${round + 1}: p50 UDP compare ${us1(samples.compareUdp[round])} µs, bare ${us1(samples.bareUdp[round])} µs` +
        `${withSockperf ? `, sockperf ${us1(samples.sockperfUdp[round])} µs (max rate), ${us1(samples.sockperfUdp5000[round])} µs (5000/s)` : ''}; TCP compare ${us1(samples.compareTcp[round])} µs, ` +
        `bare ${us1(samples.bareTcp[round])} µs${withSockperf ? `, sockperf ${us1(samples.sockperfTcp[round])} µs (max rate), ${us1(samples.sockperfTcp5000[round])} µs (5000/s)` : ''}; ` +
        `at 200/s UDP compare ${us1(samples.compareUdp200[round])} µs${withSockperf ? `, sockperf ${us1(samples.sockperfUdp200[round])} µs` : ''}, ` +
        `TCP compare ${us1(samples.compareTcp200[round])} µs${withSockperf ? `, sockperf ${us1(samples.sockperfTcp200[round])} µs` : ''}`)
    }
  } finally {
    bare.stop()
    await reflector.close()
  }

  const median = values => p50(values)
  // Rounds where a baseline could not run (sockperf failed to start) are left out of that ratio.
  const ratio = (a, b) => {
    const ratios = samples[a].map((v, i) => samples[b][i] === null ? null : v / samples[b][i]).filter(r => r !== null)
    return ratios.length === 0 ? null : median(ratios)
  }
  const us = ms => +(ms * 1000).toFixed(1)
  const note = `${rounds} × ${count} probes, 64 bytes, loopback; compare at 5000/s open loop (its sender polls between probes), RTT from the scheduled send; ` +
    'the bare ping-pong is closed loop and sleeps in epoll between messages: different work, so no ratio'
  rows.push(row({ name: 'compare UDP RTT p50 at 5000/s (sender polling)', value: us(median(samples.compareUdp)), unit: 'µs', baseline: us(median(samples.bareUdp)), baselineName: 'bare Node ping-pong, context', noRatio: true, note }))
  rows.push(row({ name: 'compare TCP RTT p50 at 5000/s (sender polling)', value: us(median(samples.compareTcp)), unit: 'µs', baseline: us(median(samples.bareTcp)), baselineName: 'bare Node ping-pong, context', noRatio: true, note }))
  const note200 = `${rounds} × ${count200} probes at 200/s (compare's default rate), 64 bytes, loopback`
  // The fair Node baseline at the default rate: the same pacing, so both processes sleep and
  // wake for every message, as compare and its reflector do.
  for (const [label, key] of [['UDP', 'Udp'], ['TCP', 'Tcp']]) {
    rows.push(row({
      name: `compare ${label} RTT p50 at 200/s (default) vs bare Node at 200/s`, value: us(median(samples[`compare${key}200`])), unit: 'µs',
      baseline: us(median(samples[`bare${key}200`])), baselineName: 'bare Node ping-pong paced at 200/s', ratio: ratio(`compare${key}200`, `bare${key}200`),
      note: `${note200}; the bare client sends on the same 5 ms schedule and measures from its actual send (compare from the scheduled one); ratio = median of per-round ratios`,
    }))
  }
  if (!withSockperf) {
    rows.push(row({ name: 'compare UDP RTT p50 at 200/s (default)', value: us(median(samples.compareUdp200)), unit: 'µs', note: note200 }))
    rows.push(row({ name: 'compare TCP RTT p50 at 200/s (default)', value: us(median(samples.compareTcp200)), unit: 'µs', note: note200 }))
  }

  if (withSockperf) {
    const spNote = `sockperf ${sockperfSeconds} s per round, interleaved with compare; ratio = median of per-round ratios`
    const ran = name => samples[name].filter(v => v !== null)
    // The target is judged like for like: sockperf at compare's own rate (--mps=5000). At its
    // maximum rate sockperf never sleeps between messages, so on a VM whose wake-ups are slow
    // (seen: its p50 fell to ~10 µs while a bare Node ping-pong, which sleeps in epoll, took
    // 40–60 µs in the same minute) that row measures the VM's idle states more than either tool;
    // it stays, as context, with its ratio.
    for (const [label, key, flag] of [['UDP', 'Udp', ''], ['TCP', 'Tcp', ' --tcp']]) {
      const r = ratio(`compare${key}`, `sockperf${key}5000`)
      if (r === null) continue
      rows.push(row({
        name: `compare ${label} RTT p50 at 5000/s vs sockperf at 5000/s`, value: us(median(samples[`compare${key}`])), unit: 'µs',
        baseline: us(median(ran(`sockperf${key}5000`))), baselineName: `sockperf pp${flag} --full-rtt --mps=5000`, ratio: r, note: `${spNote}; the same rate`, target: { max: 1.5 },
      }))
    }
    for (const [label, key, flag] of [['UDP', 'Udp', ''], ['TCP', 'Tcp', ' --tcp']]) {
      const r = ratio(`compare${key}`, `sockperf${key}`)
      if (r === null) continue
      rows.push(row({
        name: `compare ${label} RTT p50 at 5000/s vs sockperf at its maximum rate`, value: us(median(samples[`compare${key}`])), unit: 'µs',
        baseline: us(median(ran(`sockperf${key}`))), baselineName: `sockperf pp${flag} --full-rtt`, ratio: r, note: `${spNote}; context: sockperf never sleeps at its maximum rate`,
      }))
    }
    for (const [label, key, flag] of [['UDP', 'Udp', ''], ['TCP', 'Tcp', ' --tcp']]) {
      const r = ratio(`compare${key}200`, `sockperf${key}200`)
      rows.push(row({
        name: `compare ${label} RTT p50 at 200/s (default) vs sockperf at 200/s`, value: us(median(samples[`compare${key}200`])), unit: 'µs',
        baseline: ran(`sockperf${key}200`).length ? us(median(ran(`sockperf${key}200`))) : null,
        baselineName: `sockperf pp${flag} --full-rtt --mps=200`, ratio: r, note: `${note200}; both wake from sleep for each message; ratio = median of per-round ratios`,
      }))
    }
    const bareVsSockperf = ratio('bareUdp', 'sockperfUdp')
    if (bareVsSockperf !== null) {
      rows.push(row({ name: 'bare Node UDP ping-pong p50 vs sockperf', value: us(median(samples.bareUdp)), unit: 'µs', baseline: us(median(ran('sockperfUdp'))), baselineName: 'sockperf pp --full-rtt', ratio: bareVsSockperf, note: 'what Node itself costs' }))
    }
  }
  return rows
}

// Run alone: node bench/compare-floor.bench.js
if (import.meta.url === `file://${process.argv[1]}`) {
  const rows = await compareFloorBench({ quick: process.argv.includes('--quick'), log: s => process.stderr.write(`${s}\n`) })
  for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`)
}
