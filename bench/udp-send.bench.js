// udp-send's sending pace: without a rate against a bare Node dgram sender (same size and
// count, interleaved rounds, median of per-round ratios), and --rate 10000 / 50000 reached
// against asked. sockperf's throughput mode is shown beside them when it is installed.
// Rates are datagrams per second from the first send to the last, as udp-send's summary
// gives them; the receiving sink runs in this process (the bench is idle meanwhile).
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { BIN, freePort, median, row, spawnLimited, startClients, which } from './lib.js'

const SIZE = 14 // sockperf's smallest message, so all three send the same datagrams

const startSink = () => new Promise((resolve, reject) => {
  const socket = createSocket('udp4')
  socket.on('message', () => {})
  socket.once('error', reject)
  socket.bind(0, '127.0.0.1', () => resolve({ port: socket.address().port, close: () => socket.close() }))
})

/** One udp-send run; its summary's rate line: { achieved, asked }. */
const udpSendRate = (port, count, rate) => new Promise((resolve, reject) => {
  const args = [BIN, 'udp-send', '127.0.0.1', String(port), 'x', '--size', String(SIZE), '--count', String(count), '--quiet', '--wait', '0',
    ...(rate ? ['--rate', String(rate)] : [])]
  // detached, as spawnLimited starts the bare sender: a session of its own is a scheduling
  // group of its own under Linux's autogroup, so on a loaded machine both get a group's share
  // (sharing the bench's group with its sink halved udp-send's rate against the bare sender).
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, NO_COLOR: '1' }, detached: true })
  let stderr = ''
  child.stderr.on('data', d => { stderr += d })
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
  child.on('close', code => {
    clearTimeout(timer)
    const m = /rate: ([\d,.]+)(?:\/s of the ([\d,.]+)\/s asked| datagrams\/s)/.exec(stderr)
    if (code !== 0 || !m) { reject(new Error(`udp-send exited ${code} without a rate line: ${stderr}`)); return }
    const num = s => Number(s.replace(/,/g, ''))
    resolve({ achieved: num(m[1]), asked: m[2] ? num(m[2]) : null })
  })
})

const bareRate = async (port, count) => {
  const child = startClients('udp-bare-sender', port, count, SIZE)
  const { rate } = await child.next('udp-sent')
  await child.exited
  return rate
}

/** sockperf throughput mode (client and its own server), as fast as it goes: msg/s, or null. */
const sockperfRate = async seconds => {
  if (!which('sockperf')) return null
  const port = await freePort()
  const server = spawnLimited(['sockperf', 'server', '-i', '127.0.0.1', '-p', String(port)], { stderr: 'null', stdin: 'ignore' })
  try {
    await new Promise(resolve => setTimeout(resolve, 500)) // sockperf says nothing parseable when it is ready
    const client = spawnLimited(['timeout', String(seconds + 10), 'sockperf', 'throughput', '-i', '127.0.0.1', '-p', String(port), '-t', String(seconds), '-m', String(SIZE)], { stderr: 'null', stdin: 'ignore' })
    let out = ''
    client.child.stdout.on('data', d => { out += d })
    await client.exited
    const m = /Message Rate is (\d+)/.exec(out)
    return m ? Number(m[1]) : null
  } finally {
    await server.stop()
  }
}

export default async function udpSendBench ({ quick = false, log = () => {} } = {}) {
  const rounds = quick ? 2 : 5
  const count = quick ? 10_000 : 50_000
  const sink = await startSink()
  const ratios = []
  const bare = []
  const own = []
  const paced = { 10_000: [], 50_000: [] }
  try {
    for (let round = 0; round < rounds; round++) {
      const b = await bareRate(sink.port, count)
      const u = (await udpSendRate(sink.port, count)).achieved
      bare.push(b)
      own.push(u)
      ratios.push(u / b)
      for (const rate of [10_000, 50_000]) {
        const { achieved, asked } = await udpSendRate(sink.port, count, rate)
        paced[rate].push(achieved / asked)
      }
      log(`round ${round + 1}: bare ${b.toFixed(0)}/s, udp-send ${u.toFixed(0)}/s, --rate 10000 ${(paced[10_000].at(-1) * 100).toFixed(2)}%, --rate 50000 ${(paced[50_000].at(-1) * 100).toFixed(2)}%`)
    }
  } finally {
    sink.close()
  }
  const sockperf = await sockperfRate(quick ? 1 : 3)
  const note = `${SIZE}-byte datagrams ×${count}, median of ${rounds} interleaved rounds`
  return [
    row({
      name: 'udp-send, no rate', value: Math.round(median(own)), unit: 'dgram/s', baseline: Math.round(median(bare)),
      baselineName: 'bare node dgram', ratio: median(ratios), ratioRange: [Math.min(...ratios), Math.max(...ratios)], target: { min: 0.9 }, note,
    }),
    ...[10_000, 50_000].map(rate => row({
      name: `udp-send --rate ${rate}`, value: Math.round(median(paced[rate]) * rate), unit: 'dgram/s', baseline: rate,
      baselineName: 'asked', ratio: median(paced[rate]), target: { min: 0.99, max: 1.01 }, note,
    })),
    sockperf === null
      ? row({ name: 'sockperf throughput', value: null, unit: 'msg/s', note: which('sockperf') ? 'sockperf gave no rate' : 'sockperf not installed' })
      : row({
        name: 'sockperf throughput', value: sockperf, unit: 'msg/s', baseline: Math.round(median(own)), baselineName: 'udp-send, no rate',
        note: `${SIZE}-byte messages, ${quick ? 1 : 3} s; C++, for scale (no target)`,
      }),
  ]
}
