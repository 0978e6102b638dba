// TCP versus UDP round trips, measured the way `sockkit compare` does it, from a program.
// Run it with `node examples/compare-quick.js` (about half a second).
//
// startLocalReflector starts the echoing side in its own Node process (as the CLI does when
// no host is given), so sending and echoing never wait for each other's event loop.
// runCompare then sends 100 numbered probes per transport on a fixed schedule (1000 per
// second) and returns numbers; printing them is up to us.
import { makeCompareConfig, runCompare, startLocalReflector } from 'sockkit'

const reflector = await startLocalReflector() // 127.0.0.1, a free port for TCP and UDP
let result
try {
  const config = makeCompareConfig({ port: reflector.port, local: true, count: 100, ratePerSecond: 1000 })
  result = await runCompare(config)
} finally {
  await reflector.close() // always stop the child process
}

const ms = value => value === null ? 'n/a' : `${value.toFixed(3)} ms`
for (const transport of result.config.transports) {
  const r = result.results[transport]
  if (!r) {
    console.log(`${transport}: not measured (${result.errors?.[transport]?.message ?? 'unknown reason'})`)
    continue
  }
  console.log(`${transport}: ${r.sent} sent, ${r.lost} lost (${r.lossPercent.toFixed(1)}%), ` +
    `RTT p50 ${ms(r.rttMs.p50)}, p99 ${ms(r.rttMs.p99)} (${r.samples} samples; Tmax ${r.tmaxMs} ms)`)
}
console.log('RTT counts from the scheduled send time, so a sender that falls behind shows up in it.')

// expect: tcp: 100 sent, 0 lost \(0\.0%\), RTT p50 \d+\.\d{3} ms, p99 \d+\.\d{3} ms \(100 samples
// expect: udp: 100 sent, \d+ lost \([\d.]+%\), RTT p50 \d+\.\d{3} ms
