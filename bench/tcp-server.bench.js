// tcp-server against a bare node:net echo server, side by side, each in its own process:
//   1. hold N (10,000) connections and echo one byte on every one; memory (VmRSS) at N
//   2. echo throughput, 8 clients streaming and reading back at once, for a fixed time
//   3. socat and ncat as peers, when installed
// The bare server is configured as tcp-server is (noDelay, listen backlog 4096), so a ratio
// compares the echo loops. Rounds alternate their order (bare first, then last), so a
// server is not always the one right after another's teardown, and each ratio row also
// gives the spread (lowest–highest) of its per-round ratios: a median 1.05× whose rounds
// range 0.8–1.3× says "no measurable difference", not "5 % faster".
import { LISTEN_BACKLOG } from '../dist/core/constants.js'
import {
  SERVERS, fdLimit, median, row, rssKiB, startClients, startServer, treeRssKiB, which,
} from './lib.js'

const MiB = 1024

/** The kinds in order on even rounds, reversed on odd ones (as bench/ab-tcp-server.js does). */
const roundOrder = (kinds, round) => round % 2 ? [...kinds].reverse() : kinds
/** Each round's value for `kind` over the bare value of the same round. */
const perRoundRatios = (series, kind) => series[kind].map((v, i) => v / series.bare[i])
/** [lowest, highest] per-round ratio, two decimals. */
const ratioRange = (series, kind) => {
  const ratios = perRoundRatios(series, kind)
  return [+Math.min(...ratios).toFixed(2), +Math.max(...ratios).toFixed(2)]
}
/** " (rounds 0.91–1.12×)" for a note, or '' with one round. */
const ratioSpread = (series, kind) => {
  if (series[kind].length < 2) return ''
  const [low, high] = ratioRange(series, kind)
  return ` (rounds ${low.toFixed(2)}–${high.toFixed(2)}×)`
}

/** Hold `count` connections on one server; returns what the client saw and the server's RSS. */
const holdOn = async (kind, count, { tree = false, log }) => {
  const server = await startServer(kind)
  try {
    const measureRss = () => tree ? treeRssKiB(server.pid) : rssKiB(server.pid)
    const idleKiB = measureRss()
    const clients = startClients('hold-clients', server.port, count, 500)
    try {
      const held = await clients.next('held', 180_000)
      // Let the server finish the last echoes' bookkeeping before reading its memory.
      await new Promise(resolve => setTimeout(resolve, 300))
      const heldKiB = measureRss()
      log(`  ${SERVERS[kind].label}: ${held.opened}/${count} open in ${held.openMs} ms, ${held.echoed} echoed, ${held.failed} failed, RSS ${(heldKiB / MiB).toFixed(1)} MiB (idle ${(idleKiB / MiB).toFixed(1)} MiB)`)
      clients.send({ type: 'close' })
      await clients.next('closed', 60_000)
      return { ...held, idleKiB, heldKiB }
    } finally {
      await clients.stop()
    }
  } finally {
    await server.stop()
  }
}

/** Stream through one server with `clients` connections for `durationMs`; MB/s (10^6 bytes) echoed back. */
const streamThrough = async (kind, { clients, durationMs, chunkBytes }) => {
  const server = await startServer(kind)
  try {
    const load = startClients('stream-clients', server.port, clients, durationMs, chunkBytes)
    try {
      const result = await load.next('streamed', durationMs + 30_000)
      return result.bytesEchoed / 1e6 / (result.ms / 1000)
    } finally {
      await load.stop()
    }
  } finally {
    await server.stop()
  }
}

/** Closed-loop small messages through one server; round trips per second. */
const pingPongThrough = async (kind, { clients, durationMs, sizeBytes }) => {
  const server = await startServer(kind)
  try {
    const load = startClients('pingpong-clients', server.port, clients, durationMs, sizeBytes)
    try {
      const result = await load.next('pingponged', durationMs + 30_000)
      return result.roundTrips / (result.ms / 1000)
    } finally {
      await load.stop()
    }
  } finally {
    await server.stop()
  }
}

export default async function tcpServerBench ({ quick = false, log = () => {} } = {}) {
  const rows = []
  const count = quick ? 1000 : 10_000
  const limit = fdLimit()
  log(`tcp-server: children run with an open-files limit of ${limit}`)

  // 1. Connections held, and memory at that many.
  log(`tcp-server: holding ${count} connections on each server (clients in a separate process)`)
  const bare = await holdOn('bare', count, { log })
  const sockkit = await holdOn('sockkitQuiet', count, { log })
  const bareDefaultBacklog = await holdOn('bareDefaultBacklog', count, { log })
  const defaults = await holdOn('sockkitDefaults', count, { log })
  rows.push(row({
    name: `tcp-server connections held and echoed (of ${count})`,
    value: Math.min(sockkit.opened, sockkit.echoed), unit: 'conns',
    baseline: Math.min(bare.opened, bare.echoed), baselineName: 'bare node:net',
    target: { min: 1, atLeast: count },
    note: `sockkit --quiet --max-connections 20000 --idle-timeout 0; ${sockkit.failed} client errors; fd limit ${limit}`,
  }))
  rows.push(row({
    name: `tcp-server memory (RSS) at ${count} connections`,
    value: +(sockkit.heldKiB / MiB).toFixed(1), unit: 'MiB',
    baseline: +(bare.heldKiB / MiB).toFixed(1), baselineName: 'bare node:net',
    target: { max: 1.5 },
    note: `idle: sockkit ${(sockkit.idleKiB / MiB).toFixed(1)} MiB, bare ${(bare.idleKiB / MiB).toFixed(1)} MiB`,
  }))
  rows.push(row({
    name: `tcp-server memory (RSS) at ${count} connections, default flags but --max-connections`,
    value: +(defaults.heldKiB / MiB).toFixed(1), unit: 'MiB',
    baseline: +(bare.heldKiB / MiB).toFixed(1), baselineName: 'bare node:net',
    target: { max: 1.5 },
    note: `an idle timer per connection and per-read lines on; ${Math.min(defaults.opened, defaults.echoed)}/${count} held and echoed`,
  }))
  rows.push(row({
    name: `tcp-server time to open ${count} connections (both with listen backlog ${LISTEN_BACKLOG})`,
    value: sockkit.openMs, unit: 'ms',
    baseline: bare.openMs, baselineName: 'bare node:net, same backlog',
    note: 'bursts of 500 connects',
  }))
  // Not a sockkit figure: what the backlog setting alone does to the same bare server.
  rows.push(row({
    name: `bare node:net time to open ${count} connections, Node's default backlog 511`,
    value: bareDefaultBacklog.openMs, unit: 'ms',
    baseline: bare.openMs, baselineName: `bare, backlog ${LISTEN_BACKLOG}`,
    note: 'the listen backlog, not the server code: a SYN dropped from a full accept queue costs its client a 1 s retransmit; sockkit chose 4096',
  }))
  rows.push(row({
    name: 'tcp-server memory per connection (RSS above idle)',
    value: +((sockkit.heldKiB - sockkit.idleKiB) * 1024 / count / 1024).toFixed(2), unit: 'KiB',
    baseline: +((bare.heldKiB - bare.idleKiB) * 1024 / count / 1024).toFixed(2), baselineName: 'bare node:net',
    note: 'the marginal cost; the kernel\'s socket buffers are not in RSS',
  }))

  // 2. Echo throughput, rounds interleaved so a noisy moment hits every server alike.
  const clients = 8
  const durationMs = quick ? 1000 : 3000
  const rounds = quick ? 1 : 5
  const chunkBytes = 64 * 1024
  const kinds = ['bare', 'sockkitQuiet', 'sockkitDefault']
  log(`tcp-server: echo throughput, ${clients} clients streaming ${chunkBytes / 1024} KiB writes and reading back, ${durationMs} ms × ${rounds} rounds per server`)
  const samples = Object.fromEntries(kinds.map(k => [k, []]))
  for (let round = 0; round < rounds; round++) {
    for (const kind of roundOrder(kinds, round)) {
      const mbps = await streamThrough(kind, { clients, durationMs, chunkBytes })
      samples[kind].push(mbps)
      log(`  round ${round + 1} ${SERVERS[kind].label}: ${mbps.toFixed(0)} MB/s`)
    }
  }
  const bareMBps = median(samples.bare)
  const spread = kind => samples[kind].length > 1 ? `median of ${samples[kind].map(v => v.toFixed(0)).join(', ')}` : 'one run'
  // Median of the per-round ratios: each round runs the three servers back to back.
  const roundRatio = (series, kind) => median(perRoundRatios(series, kind))
  rows.push(row({
    name: 'echo throughput, bare node:net', value: +bareMBps.toFixed(0), unit: 'MB/s', note: spread('bare'),
  }))
  rows.push(row({
    name: 'echo throughput, sockkit --quiet', value: +median(samples.sockkitQuiet).toFixed(0), unit: 'MB/s',
    baseline: +bareMBps.toFixed(0), baselineName: 'bare node:net', target: { min: 0.9 }, ratio: roundRatio(samples, 'sockkitQuiet'),
    note: `${spread('sockkitQuiet')}; ratio = median of per-round ratios${ratioSpread(samples, 'sockkitQuiet')}`,
    ratioRange: ratioRange(samples, 'sockkitQuiet'),
  }))
  rows.push(row({
    name: 'echo throughput, sockkit default (read lines → /dev/null)', value: +median(samples.sockkitDefault).toFixed(0), unit: 'MB/s',
    baseline: +bareMBps.toFixed(0), baselineName: 'bare node:net', target: { min: 0.9 }, ratio: roundRatio(samples, 'sockkitDefault'),
    note: `${spread('sockkitDefault')}; ratio = median of per-round ratios${ratioSpread(samples, 'sockkitDefault')}`,
    ratioRange: ratioRange(samples, 'sockkitDefault'),
  }))

  // 2b. Small messages, closed loop: one read per message, so a per-read event line costs
  // the most here (the streaming figure above has ~64 KiB reads and hides it).
  const sizeBytes = 64
  log(`tcp-server: ping-pong, ${clients} clients, ${sizeBytes}-byte messages, closed loop, ${durationMs} ms × ${rounds} rounds per server`)
  const rates = Object.fromEntries(kinds.map(k => [k, []]))
  for (let round = 0; round < rounds; round++) {
    for (const kind of roundOrder(kinds, round)) {
      const rate = await pingPongThrough(kind, { clients, durationMs, sizeBytes })
      rates[kind].push(rate)
      log(`  round ${round + 1} ${SERVERS[kind].label}: ${rate.toFixed(0)} round trips/s`)
    }
  }
  const bareRate = median(rates.bare)
  const rateSpread = kind => rates[kind].length > 1 ? `median of ${rates[kind].map(v => v.toFixed(0)).join(', ')}` : 'one run'
  rows.push(row({ name: `ping-pong ${sizeBytes} B, bare node:net`, value: Math.round(bareRate), unit: 'msg/s', note: rateSpread('bare') }))
  rows.push(row({
    name: `ping-pong ${sizeBytes} B, sockkit --quiet`, value: Math.round(median(rates.sockkitQuiet)), unit: 'msg/s',
    baseline: Math.round(bareRate), baselineName: 'bare node:net', target: { min: 0.9 }, ratio: roundRatio(rates, 'sockkitQuiet'),
    note: `${rateSpread('sockkitQuiet')}; ratio = median of per-round ratios${ratioSpread(rates, 'sockkitQuiet')}`,
    ratioRange: ratioRange(rates, 'sockkitQuiet'),
  }))
  rows.push(row({
    name: `ping-pong ${sizeBytes} B, sockkit default (read lines → /dev/null)`, value: Math.round(median(rates.sockkitDefault)), unit: 'msg/s',
    baseline: Math.round(bareRate), baselineName: 'bare node:net', target: { min: 0.9 }, ratio: roundRatio(rates, 'sockkitDefault'),
    note: `${rateSpread('sockkitDefault')}; ratio = median of per-round ratios${ratioSpread(rates, 'sockkitDefault')}; up to 20 read lines a second per connection, the rest counted`,
    ratioRange: ratioRange(rates, 'sockkitDefault'),
  }))

  // 3. Peers. Both fork a process per connection, so they are measured for throughput and
  // for memory at a small count only (10,000 connections would be 10,000+ processes).
  const peerCount = quick ? 20 : 100
  for (const kind of ['socat', 'ncat']) {
    const { label, command } = SERVERS[kind]
    if (!which(command)) {
      rows.push(row({ name: `echo throughput, ${label}`, value: 'not installed', unit: '', note: `${command} is not on PATH (apt-get install ${command})` }))
      continue
    }
    // Interleaved with a bare run each round, so the peer is compared with bare at the same moment.
    const runs = { peer: [], bare: [] }
    for (let round = 0; round < Math.min(rounds, 2); round++) {
      for (const which of roundOrder(['bare', 'peer'], round)) {
        runs[which].push(await streamThrough(which === 'bare' ? 'bare' : kind, { clients, durationMs, chunkBytes }))
      }
    }
    log(`  ${label}: ${runs.peer.map(v => v.toFixed(0)).join(', ')} MB/s (bare alongside: ${runs.bare.map(v => v.toFixed(0)).join(', ')})`)
    rows.push(row({
      name: `echo throughput, ${label}`, value: +median(runs.peer).toFixed(0), unit: 'MB/s',
      baseline: +median(runs.bare).toFixed(0), baselineName: 'bare node:net, same rounds', ratio: median(perRoundRatios({ ...runs }, 'peer')),
      note: `peer, ${runs.peer.length} round(s) interleaved with bare; ratio = median of per-round ratios${ratioSpread(runs, 'peer')}`,
    }))
    const held = await holdOn(kind, peerCount, { tree: true, log })
    rows.push(row({
      name: `memory at ${peerCount} connections, ${label}`, value: +(held.heldKiB / MiB).toFixed(1), unit: 'MiB',
      note: `sum over its processes (one per connection); ${held.echoed}/${peerCount} echoed`,
    }))
  }
  return rows
}
