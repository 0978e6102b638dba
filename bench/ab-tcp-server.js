// A/B of tcp-server's ping-pong against another build of sockkit, in the same minute:
//   git worktree add /tmp/old <commit> && (cd /tmp/old && ln -s "$PWD/node_modules" . && npx tsc)
//   node bench/ab-tcp-server.js /tmp/old/bin/sockkit.js [rounds]
// Each round runs bare node:net, the other build's default, this build's default and this
// build's --quiet (order reversed every other round); the figure is the median of each
// server's per-round ratio to bare, which cancels a noisy moment that hits one round.
import { SERVERS, median, startClients, startServer } from './lib.js'

const [otherBin, roundsArg = '6'] = process.argv.slice(2)
if (!otherBin) {
  process.stderr.write('usage: node bench/ab-tcp-server.js <other sockkit bin> [rounds]\n')
  process.exit(2)
}
SERVERS.otherDefault = {
  label: `default (${otherBin})`,
  argv: port => [process.execPath, otherBin, 'tcp-server', port, '--max-connections', '20000', '--idle-timeout', '0'],
}

const pingPongThrough = async kind => {
  const server = await startServer(kind)
  try {
    const load = startClients('pingpong-clients', server.port, 8, 2000, 64)
    try {
      const result = await load.next('pingponged', 32_000)
      return result.roundTrips / (result.ms / 1000)
    } finally { await load.stop() }
  } finally { await server.stop() }
}

const kinds = ['bare', 'otherDefault', 'sockkitDefault', 'sockkitQuiet']
const rounds = Math.max(1, Math.min(20, Number(roundsArg) || 6))
const rates = Object.fromEntries(kinds.map(k => [k, []]))
for (let r = 0; r < rounds; r++) {
  for (const kind of (r % 2 ? [...kinds].reverse() : kinds)) rates[kind].push(await pingPongThrough(kind))
  process.stderr.write(`round ${r + 1}: ${kinds.map(k => `${k} ${rates[k][r].toFixed(0)}`).join(', ')}\n`)
}
for (const k of kinds.slice(1)) {
  process.stdout.write(`${k}: ${median(rates[k]).toFixed(0)} round trips/s, median per-round ratio to bare ${median(rates[k].map((v, i) => v / rates.bare[i])).toFixed(2)}×\n`)
}
