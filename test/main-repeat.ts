import t from 'tap'
import { runMain } from './fixtures/main.js'

// Tests call main(argv, io) hundreds of times in one process: each call must give the same
// output and leave nothing behind (no process listeners, no state from the call before).

const listenerCounts = () => ['SIGINT', 'SIGTERM', 'exit', 'warning', 'uncaughtException'].map(e => process.listenerCount(e))

t.test('main(argv, io) called many times: the same output each time, nothing left behind', async t => {
  const before = listenerCounts()
  const cases = [['--help'], ['--version'], ['tcp-client', '127.0.0.1'], ['udp-send', '--help'], ['help', 'nope'], ['--no-color', 'tcp-client', '--help']]
  const first = await Promise.all(cases.map(args => runMain(args)))
  for (let round = 0; round < 30; round++) {
    for (let i = 0; i < cases.length; i++) {
      const run = await runMain(cases[i]!)
      if (run.code !== first[i]!.code || run.stderr !== first[i]!.stderr || run.stdout !== first[i]!.stdout) {
        t.fail(`${cases[i]!.join(' ')} changed in round ${round}`)
        return
      }
    }
  }
  t.same(first.map(r => r.code), [0, 0, 2, 0, 2, 0])
  t.match(first[2]!.stderr, /missing required argument 'port'/)
  // Only growth counts: tap itself may drop an 'exit' listener meanwhile.
  const after = listenerCounts()
  t.ok(after.every((n, i) => n <= before[i]!), `no process listeners added (${before} → ${after})`)
})
