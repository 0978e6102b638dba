// `sockkit --help` wall time against `node -e 0`: what the CLI costs before it does anything.
import { spawnSync } from 'node:child_process'
import { BIN, median, row } from './lib.js'

const wallMs = argv => {
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, argv, { stdio: ['ignore', 'ignore', 'ignore'], env: { ...process.env, NO_COLOR: '1' }, timeout: 30_000 })
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  if (result.status !== 0) throw new Error(`node ${argv.join(' ')} exited ${result.status}`)
  return ms
}

export default async function startupBench ({ quick = false, log = () => {} } = {}) {
  const runs = quick ? 5 : 15
  const commands = {
    node: ['-e', '0'],
    help: [BIN, '--help'],
    tcpServerHelp: [BIN, 'tcp-server', '--help'],
  }
  // One warm-up each so the file cache is equally warm; then alternate to share the noise.
  for (const argv of Object.values(commands)) wallMs(argv)
  const times = Object.fromEntries(Object.keys(commands).map(k => [k, []]))
  for (let i = 0; i < runs; i++) {
    for (const [name, argv] of Object.entries(commands)) times[name].push(wallMs(argv))
  }
  const nodeMs = median(times.node)
  log(`startup: node -e 0 ${nodeMs.toFixed(1)} ms, sockkit --help ${median(times.help).toFixed(1)} ms (median of ${runs})`)
  return [
    row({ name: 'startup, node -e 0', value: +nodeMs.toFixed(1), unit: 'ms', note: `median of ${runs}` }),
    row({
      name: 'startup, sockkit --help', value: +median(times.help).toFixed(1), unit: 'ms',
      baseline: +nodeMs.toFixed(1), baselineName: 'node -e 0', target: { max: 3 }, note: `median of ${runs}`,
    }),
    row({
      name: 'startup, sockkit tcp-server --help', value: +median(times.tcpServerHelp).toFixed(1), unit: 'ms',
      baseline: +nodeMs.toFixed(1), baselineName: 'node -e 0', target: { max: 3 }, note: `median of ${runs}`,
    }),
  ]
}
