import t from 'tap'
import { Chalk } from 'chalk'
import { formatCompare, formatCsvRows, verdict } from '../src/cli/render/format-compare.js'
import type { TransportRun } from '../src/compare/compare-stats.js'
import { classroomResult, compareResult, latency, lossyUdp, reorderedUdp, tcpResult, udpResult } from './fixtures/compare-result.js'
import { catalog } from '../src/i18n/index.js'
import type { CompareResult } from '../src/compare/compare-types.js'

const plain = new Chalk({ level: 0 })
const coloured = new Chalk({ level: 1 })

// Plot arithmetic (width 80): TCP labels 12 columns, longest count "500 (50%)" 9, so bars
// get 80 − 2 − 12 − 3 − 1 − 9 = 53 columns: 500 → 53, 200 → round(21.2) = 21,
// 280 → round(29.68) = 30, 20 → round(2.12) = 2. UDP: longest count "600 (61.9%)" 11 →
// 51 columns: 600 → 51, 300 → round(25.5) = 26, 50 → round(4.25) = 4, 9 → 1 (a
// non-empty bucket always shows at least one mark). Empty buckets inside a short plot
// stay as rows; a run of them in a long plot folds into "…".
const EXPECTED = `TCP: 0% lost, p99 210 ms (1750× UDP's) — retransmissions
UDP: 3.1% lost, p99 0.120 ms — receive buffer full

sockkit compare → 127.0.0.1:40123 (own reflector on this machine)
1000 probes per transport at 200/s, 64 bytes each

                        TCP                         UDP
sent                    1000                        1000
received                1000                        969
lost (%)                0 (0%)                      31 (3.1%)
late (after Tmax)       0                           0
duplicates              0                           0
reordered (max extent)  0 (0)                       2 (3)
RTT min                 0.041 ms                    0.029 ms
RTT mean                4.30 ms                     0.051 ms
RTT p50                 0.062 ms                    0.048 ms
RTT p90                 0.094 ms                    0.071 ms
RTT p99                 210 ms                      0.120 ms
RTT p99.9               212 ms                      n/a (needs ≥1000 samples)
RTT max                 212 ms                      0.310 ms
RTT jitter (RFC 3550)   1.25 ms                     0.015 ms
|IPDV| p50              0.010 ms                    0.008 ms
|IPDV| p99              210 ms                      0.090 ms
PDV p99                 210 ms                      0.091 ms
send lag mean / max     0.012 ms / 0.500 ms         0.011 ms / 0.400 ms
throughput probes/s     196.1                       190.0
throughput Mbit/s       0.100                       0.097
throughput over         5100 ms to last echo        5100 ms to end of sending
Tmax                    60000 ms (cap)              1000 ms
kernel (machine-wide)   RetransSegs +12             RcvbufErrors +31
socket receive buffer   n/a (no ss: not readable)   208.0 KiB

TCP round-trip times from the scheduled send (1000 samples)
  0.03–0.05 ms | ##################### 200 (20%)
  0.05–0.07 ms | ##################################################### 500 (50%)
   0.07–0.1 ms | ############################## 280 (28%)
             …
    200–300 ms | ## 20 (2%)

UDP round-trip times from the scheduled send (969 samples)
  0.02–0.03 ms | # 9 (0.93%)
  0.03–0.05 ms | ################################################### 600 (61.9%)
  0.05–0.07 ms | ########################## 300 (31%)
   0.07–0.1 ms | #### 50 (5.2%)
   0.1–0.15 ms | # 8 (0.83%)
   0.15–0.2 ms | 0 (0%)
    0.2–0.3 ms | # 1 (0.1%)
    0.3–0.5 ms | # 1 (0.1%)

• TCP lost nothing but its p99 grew to 210 ms: consistent with retransmissions —
  the kernel counted 12 retransmitted segments on this machine during the run
  (RetransSegs +12, machine-wide).
• UDP lost 3.1%: the receiver's buffer overflowed — the kernel counted the same
  drops (RcvbufErrors +31; receive buffer 208.0 KiB).
• UDP delivered 2 probes out of order (largest extent 3, RFC 4737): UDP does not
  restore order.

Tmax TCP 60000 ms (waits for every probe while connected, up to this cap), UDP
1000 ms (auto) · RFC 6673 loss · 4737 reordering · 3550 jitter · 5481 PDV
`

const columns = (line: string) => [...line].length
// eslint-disable-next-line no-control-regex
const stripAnsi = (text: string) => text.replace(/\u001b\[[0-9;]*m/g, '')

t.test('the whole screen for a fixed result (no colour)', async t => {
  const result = compareResult()
  const before = structuredClone(result)
  const text = formatCompare(result, plain)
  t.equal(text, EXPECTED)
  t.same(result, before, 'pure: the result is not modified')
  t.equal(formatCompare(result, plain), text, 'pure: same input, same output')
  for (const line of text.split('\n')) t.ok(columns(line) <= 80, `fits 80 columns: ${line}`)
})

t.test('colour changes only the paint, not the layout', async t => {
  const text = formatCompare(compareResult(), coloured)
  t.not(text, EXPECTED)
  t.match(text, /\u001b\[/, 'has colour codes')
  t.equal(stripAnsi(text).replaceAll('█', '#'), EXPECTED)
})

t.test('a narrower terminal: everything fits in 60 columns', async t => {
  const text = formatCompare(compareResult(), plain, { width: 60 })
  for (const line of text.split('\n')) t.ok(columns(line) <= 60, `fits 60 columns: ${line}`)
  t.match(text, /n\/a \(needs ≥1000…/, 'a cell too long for the column is cut visibly')
})

t.test('one column per transport asked for', async t => {
  const text = formatCompare(compareResult({
    config: { ...compareResult().config, transports: ['udp'] },
    results: { udp: udpResult() },
    kernel: { udp: compareResult().kernel.udp! },
  }), plain)
  t.match(text, /^ {24}UDP$/m)
  t.notMatch(text, /TCP/)
})

t.test('unavailable percentiles say why instead of inventing a number', async t => {
  const few = udpResult({
    received: 99, samples: 99, lost: 901, lossPercent: 90.1,
    rttMs: latency({ min: 0.03, mean: 0.05, p50: 0.05, p90: 0.07, max: 0.3 }),
    ipdvMs: latency({ min: 0, mean: 0.01, p50: 0.01, p90: 0.02, max: 0.2 }),
    pdvMs: latency({ min: 0, mean: 0.02, p50: 0.02, p90: 0.04, max: 0.27 }),
  })
  const text = formatCompare(compareResult({ results: { udp: few }, config: { ...compareResult().config, transports: ['udp'] } }), plain)
  t.match(text, /^RTT p99 {17}n\/a \(needs ≥100 samples\)$/m)
  t.match(text, /^RTT p99\.9 {15}n\/a \(needs ≥1000 samples\)$/m)
  // Labelled |IPDV|: these are absolute differences, not RFC 5481's signed IPDV.
  t.match(text, /^\|IPDV\| p99 {14}n\/a \(needs ≥100 samples\)$/m)
  t.match(text, /^PDV p99 {17}n\/a \(needs ≥100 samples\)$/m)
  t.notMatch(text, /^IPDV/m)
})

t.test('zero arrivals: 100% lost, no RTT figures, nothing to plot', async t => {
  const none = udpResult({
    received: 0, samples: 0, lost: 1000, lossPercent: 100, reordered: 0, maxReorderExtent: 0,
    jitterMs: null, rttMs: latency({}), ipdvMs: latency({}), pdvMs: latency({}), histogram: [],
    throughput: { probesPerSecond: 0, mbitPerSecond: 0, durationMs: 4995, endsAt: 'last-send' },
  })
  const result = compareResult({
    results: { udp: none },
    config: { ...compareResult().config, transports: ['udp'], local: false, host: '192.0.2.7', port: 9000 },
    kernel: { udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } },
  })
  const text = formatCompare(result, plain)
  t.match(text, /^lost \(%\) {16}1000 \(100%\)$/m)
  t.match(text, /^RTT min {17}n\/a \(no samples\)$/m)
  t.match(text, /^RTT p50 {17}n\/a \(no samples\)$/m)
  t.match(text, /^RTT jitter \(RFC 3550\) {3}n\/a \(needs ≥2 samples\)$/m)
  t.match(text, /nothing came back in time, nothing to plot/)
  t.same(verdict(result), [
    "UDP lost 100%: lost in the network or dropped by a firewall, not by this machine's buffers (RcvbufErrors +0).",
  ])
})

t.test('verdict sentences', async t => {
  t.test('UDP buffer overflow matching the kernel count, TCP retransmissions', async t => {
    t.same(verdict(compareResult()), [
      'TCP lost nothing but its p99 grew to 210 ms: consistent with retransmissions — the kernel counted 12 retransmitted segments on this machine during the run (RetransSegs +12, machine-wide).',
      "UDP lost 3.1%: the receiver's buffer overflowed — the kernel counted the same drops (RcvbufErrors +31; receive buffer 208.0 KiB).",
      'UDP delivered 2 probes out of order (largest extent 3, RFC 4737): UDP does not restore order.',
    ])
  })

  t.test('the exact sentence from the brief, without socket buffer sizes', async t => {
    const result = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 31, inErrors: 31, sndbufErrors: 0 } } } })
    t.ok(verdict(result).includes("UDP lost 3.1%: the receiver's buffer overflowed — the kernel counted the same drops (RcvbufErrors +31)."))
  })

  t.test('TCP delivering everything, no retransmissions', async t => {
    const result = compareResult({
      results: { tcp: tcpResult({ rttMs: latency({ min: 0.04, mean: 0.06, p50: 0.06, p90: 0.08, p99: 0.1, max: 0.2 }) }) },
      kernel: { tcp: { available: true, tcp: { retransSegs: 0 } } },
      config: { ...compareResult().config, transports: ['tcp'] },
    })
    t.same(verdict(result), ['TCP delivered all 1000 probes, in order, as expected (RetransSegs +0: nothing on this machine had to be resent).'])
  })

  t.test('TCP: RetransSegs is machine-wide; a tail is "consistent with" retransmissions only when some were counted', async t => {
    const tcpOnly = { ...compareResult().config, transports: ['tcp' as const] }
    const kernel = (retransSegs: number) => ({ tcp: { available: true, tcp: { retransSegs } } })
    // p99 210 ms and RetransSegs +12: named as consistent with, counted on this machine.
    const [tail] = verdict(compareResult({ config: tcpOnly, results: { tcp: tcpResult() }, kernel: kernel(12) }))
    t.match(tail, /^TCP lost nothing but its p99 grew to 210 ms: consistent with retransmissions/)
    t.match(tail, /12 retransmitted segments on this machine during the run/)
    t.match(tail, /machine-wide/)
    // p99 210 ms but RetransSegs +0: the tail is reported, retransmission is not named as its cause.
    const [noRetrans] = verdict(compareResult({ config: tcpOnly, results: { tcp: tcpResult() }, kernel: kernel(0) }))
    t.equal(noRetrans, 'TCP lost nothing but its p99 grew to 210 ms (median 0.062 ms); the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0).')
    t.notMatch(noRetrans, /consistent with|: retransmissions|being retransmitted/)
    // Counter unavailable: the tail, and no cause.
    const [unknown] = verdict(compareResult({ config: tcpOnly, results: { tcp: tcpResult() }, kernel: { tcp: { available: false, reason: 'no-snmp' } } }))
    t.equal(unknown, "TCP lost nothing but its p99 grew to 210 ms (median 0.062 ms); the kernel's retransmission counter is not available here.")
    // Retransmissions counted, but p99 0.1 ms against p50 0.06 ms: no large cost, and not claimed as this run's.
    const quiet = compareResult({
      config: tcpOnly,
      results: { tcp: tcpResult({ rttMs: latency({ min: 0.04, mean: 0.06, p50: 0.06, p90: 0.08, p99: 0.1, max: 0.2 }) }) },
      kernel: kernel(3),
    })
    t.same(verdict(quiet), ['TCP delivered all 1000 probes, in order, with no large cost to the tail (p99 0.100 ms against a median of 0.060 ms); the kernel counted 3 retransmitted segments on this machine during the run (RetransSegs +3, machine-wide).'])
    // Kernel loss with backoff: the median itself far above the fastest probe — p99 within 4×
    // the median must not read as "no large cost" (a review saw p50 1243 ms called that).
    const blocked = compareResult({
      config: tcpOnly,
      results: { tcp: tcpResult({ rttMs: latency({ min: 0.17, mean: 1100, p50: 1243, p90: 1600, p99: 1733, max: 1800 }) }) },
      kernel: kernel(41),
    })
    const [hol] = verdict(blocked)
    t.match(hol, /^TCP lost nothing, but most probes waited: median 1243 ms, p99 1733 ms, fastest 0\.170 ms — a segment that must be resent holds back every byte behind it \(head-of-line blocking\): consistent with retransmissions/)
    t.notMatch(hol, /no (visible|large) cost/)
    // Probes not back within Tmax: TCP does not drop, so they were still on their way.
    // With a given --tmax (strict for TCP too), the verdict asks for a larger one.
    const stuckResult = tcpResult({ received: 990, lost: 10, lossPercent: 1, late: 4, tmaxMs: 1000, tmaxRule: 'given' })
    t.same(verdict(compareResult({ config: tcpOnly, results: { tcp: stuckResult } })), ['TCP: 10 probes (1%) did not come back within Tmax (1000 ms). TCP does not drop data, so they were still on their way when the wait ended, consistent with retransmissions: the kernel counted 12 retransmitted segments on this machine during the run (RetransSegs +12, machine-wide); 4 of them came back later: give a larger --tmax, or leave it out (TCP then waits for every probe while its connection lives, up to 60 s).'])
    const [stuckQuiet] = verdict(compareResult({ config: tcpOnly, results: { tcp: stuckResult }, kernel: kernel(0) }))
    t.equal(stuckQuiet, 'TCP: 10 probes (1%) did not come back within Tmax (1000 ms). TCP does not drop data, so they were still on their way when the wait ended; the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0); 4 of them came back later: give a larger --tmax, or leave it out (TCP then waits for every probe while its connection lives, up to 60 s).')
  })

  t.test('a TCP connection that died mid-run: the lost probes went with it, they were not on their way', async t => {
    const tcpOnly = { ...compareResult().config, transports: ['tcp' as const] }
    const cut = tcpResult({ sent: 300, received: 120, lost: 180, lossPercent: 60 })
    const reset = verdict(compareResult({
      config: tcpOnly, results: { tcp: cut }, kernel: { tcp: { available: true, tcp: { retransSegs: 0 } } },
      errors: { tcp: { code: 'ECONNRESET', message: 'the connection was reset by 127.0.0.1:40123' } },
    }))
    t.same(reset, [
      'TCP stopped mid-run (the connection was reset by 127.0.0.1:40123): its figures cover the probes sent before that.',
      'TCP: the reflector reset the connection (ECONNRESET) after 120 probes had come back; the other 180 probes (60%) were lost with the connection — TCP delivers only while its connection lasts; the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0).',
    ])
    t.notMatch(reset.join(' '), /still on their way/)
    const closed = verdict(compareResult({
      config: tcpOnly, results: { tcp: cut }, kernel: {},
      errors: { tcp: { code: 'ERR_SOCKKIT_NO_ANSWER', message: '127.0.0.1:40123 closed the TCP connection during the run' } },
    }))
    t.match(closed[1], /^TCP: the reflector closed the connection after 120 probes had come back; the other 180 probes \(60%\) were lost with the connection/)
    const other = verdict(compareResult({ config: tcpOnly, results: { tcp: cut }, kernel: {}, errors: { tcp: { code: 'ETIMEDOUT', message: 'timed out' } } }))
    t.match(other[1], /the connection failed \(ETIMEDOUT\)/)
  })

  t.test('UDP loss with no kernel drops: the network or a firewall', async t => {
    const result = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } } })
    t.ok(verdict(result).includes("UDP lost 3.1%: lost in the network or dropped by a firewall, not by this machine's buffers (RcvbufErrors +0)."))
  })

  t.test('UDP loss partly explained by the kernel', async t => {
    const result = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 10, inErrors: 10, sndbufErrors: 0 } } } })
    t.ok(verdict(result).includes("UDP lost 3.1%: the receiver's buffer overflowed for 10 of them (RcvbufErrors +10); the other 21 were lost in the network or dropped by a firewall."))
  })

  t.test('kernel counters unavailable', async t => {
    const result = compareResult({ kernel: { udp: { available: false, reason: 'no-snmp' } } })
    t.ok(verdict(result).includes("UDP lost 3.1%: the kernel's drop counters are not available here (/proc/net/snmp cannot be read (not Linux, or /proc is not mounted)), so where they were lost cannot be told."))
    const reset = compareResult({ kernel: { udp: { available: false, reason: 'udp-counters-unknown', counters: ['Udp RcvbufErrors', 'Udp InErrors'] } } })
    t.ok(verdict(reset).includes("UDP lost 3.1%: the kernel's drop counters are not available here (the kernel's Udp RcvbufErrors, Udp InErrors rise is unknown (missing, or went backwards: a reset)), so where they were lost cannot be told."))
    const es = catalog('es').t
    t.ok(verdict(reset, es).some(s => s.includes('no se sabe cuánto subieron los contadores Udp RcvbufErrors y Udp InErrors del kernel')), 'worded in Spanish too')
  })

  t.test('late probes count as lost and are named', async t => {
    const allLate = compareResult({ results: { udp: udpResult({ late: 31 }) } })
    t.ok(verdict(allLate).includes('UDP lost 3.1%: all 31 came back, but after Tmax (1000 ms), so they count as lost (RFC 7680).'))
    const someLate = compareResult({
      results: { udp: udpResult({ late: 1 }) },
      kernel: { udp: { available: true, udp: { rcvbufErrors: 30, inErrors: 30, sndbufErrors: 0 } } },
    })
    t.ok(verdict(someLate).includes("UDP lost 3.1%: the receiver's buffer overflowed — the kernel counted the same drops (RcvbufErrors +30); 1 probe came back after Tmax (1000 ms) and count as lost."))
  })

  t.test('a --tmax below the RTT: every probe late, the verdict says so and suggests a larger --tmax', async t => {
    const udpOnly = { ...compareResult().config, transports: ['udp' as const], tmaxMs: 20 }
    const tooShort = udpResult({ received: 0, samples: 0, lost: 50, lossPercent: 100, late: 50, reordered: 0, maxReorderExtent: 0, tmaxMs: 20 })
    t.same(verdict(compareResult({ config: udpOnly, results: { udp: tooShort } })), [
      'UDP lost 100%: all 50 came back, but after Tmax (20.0 ms), so they count as lost (RFC 7680): the round trip took longer than --tmax 20; give a larger --tmax, or leave it out for the automatic one (at least 1 s).',
    ])
    // Some never came back at all, none in time: still "late", not "nothing answers" or "the network".
    const [partly] = verdict(compareResult({ config: udpOnly, results: { udp: udpResult({ ...tooShort, late: 45 }) } }))
    t.equal(partly, 'UDP lost 100%: none came back within Tmax (20.0 ms); 45 probes came back later (late, counted as lost, RFC 7680): the round trip took longer than --tmax 20; give a larger --tmax, or leave it out for the automatic one (at least 1 s).')
    // The automatic Tmax: late probes are a stall, not a wrong option; no suggestion.
    const [auto] = verdict(compareResult({ results: { udp: udpResult({ late: 31 }) }, config: { ...udpOnly, tmaxMs: null } }))
    t.notMatch(auto, /--tmax/)
  })

  t.test('sends the local kernel refused', async t => {
    const result = compareResult({
      results: { udp: udpResult({ sendFailures: 31 }) },
      kernel: { udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 31 } } },
    })
    t.ok(verdict(result).includes('UDP lost 3.1%: 31 probes never left this machine: the kernel refused the send, its send buffer was full (SndbufErrors +31).'))
    t.match(formatCompare(result, plain), /^sends refused \(local\) {3}31$/m)
  })

  t.test("a TCP tail the sender's own lag explains is blamed on the stall, not on a machine-wide retransmission count", async t => {
    const tcpOnly = { ...compareResult().config, transports: ['tcp' as const] }
    const kernel = { tcp: { available: true, tcp: { retransSegs: 1 } } }
    // p99 RTT 210 ms, send lag p99 150 ms: most of the rise is the sender's.
    const [stalled] = verdict(compareResult({ config: tcpOnly, results: { tcp: tcpResult({ sendLagMs: { mean: 3, p99: 150, max: 200 } }) }, kernel }))
    t.equal(stalled, "TCP lost nothing but its p99 grew to 210 ms, mostly this machine's own stall: the sender fell behind its schedule by 150 ms at p99, and RTTs run from the schedule; the kernel counted 1 retransmitted segment on this machine during the run (RetransSegs +1, machine-wide).")
    // Lag p99 10 ms against a 210 ms tail: not the stall; the count above 0 is named as consistent.
    const [retrans] = verdict(compareResult({ config: tcpOnly, results: { tcp: tcpResult({ sendLagMs: { mean: 0.5, p99: 10, max: 12 } }) }, kernel }))
    t.match(retrans, /: consistent with retransmissions — /)
  })

  t.test('the sender fell behind its schedule', async t => {
    const result = compareResult({ results: { tcp: tcpResult({ sendLagMs: { mean: 2, p99: 40, max: 48 } }) }, config: { ...compareResult().config, transports: ['tcp'] } })
    t.ok(verdict(result).includes('TCP: the sender fell behind its schedule by up to 48.0 ms: this machine was busy; RTTs are measured from the schedule so the stall is included.'))
    // A --rate beyond what the machine can send: behind by many intervals on average.
    const tooFast = compareResult({
      results: { tcp: tcpResult({ sendLagMs: { mean: 21, p99: 38, max: 38.3 } }) },
      config: { ...compareResult().config, transports: ['tcp'], ratePerSecond: 1e9, intervalMs: 1e-6 },
    })
    t.ok(verdict(tooFast).includes('TCP: the sender fell behind its schedule by up to 38.3 ms: this machine could not send 1000000000 probes/s (--rate); RTTs are measured from the schedule so the wait is included.'))
  })

  t.test('UDP with nothing lost on an idle loopback suggests --blast', async t => {
    const result = compareResult({ results: { udp: udpResult({ received: 1000, lost: 0, lossPercent: 0, reordered: 0, maxReorderExtent: 0 }) } })
    t.match(verdict(result).join('\n'), /UDP delivered all 1000 probes: at this rate loopback's buffers have room for everything; .*--blast/)
  })

  t.test('one probe is "its one probe", not "all 1 probe"', async t => {
    const result = compareResult({ results: { udp: udpResult({ sent: 1, received: 1, lost: 0, lossPercent: 0, reordered: 0, maxReorderExtent: 0 }) } })
    t.match(verdict(result).join('\n'), /UDP delivered its one probe/)
    t.notMatch(verdict(result).join('\n'), /all 1 probe/)
  })

  t.test('duplicates are named', async t => {
    const result = compareResult({ results: { udp: udpResult({ duplicates: 4 }) } })
    t.ok(verdict(result).includes('UDP delivered 4 duplicate copies: UDP does not remove duplicates, the application must.'))
  })

  t.test('a transport that could not be measured, and an interrupted run', async t => {
    const result = compareResult({
      results: { udp: udpResult() },
      errors: { tcp: { code: 'ECONNREFUSED', message: 'nothing is listening on 127.0.0.1:40123' } },
      interrupted: true,
    })
    const sentences = verdict(result)
    t.equal(sentences[0], 'Stopped early: the figures cover only the probes sent before the stop.')
    t.equal(sentences[1], 'TCP: not measured (nothing is listening on 127.0.0.1:40123).')
    t.match(formatCompare(result, plain), /\(stopped early\)/)
  })
})

t.test('formatCsvRows: one row per probe, duplicates after their probe, statuses', async t => {
  const run: TransportRun = {
    transport: 'udp',
    sends: [
      { seq: 0, scheduledMs: 0, actualMs: 0.01 },
      { seq: 1, scheduledMs: 5, actualMs: 5.02 },
      { seq: 2, scheduledMs: 10, actualMs: 10.5 },
      { seq: 3, scheduledMs: 15, actualMs: 15 },
    ],
    arrivals: [
      { seq: 1, receivedMs: 5.125 }, // first arrival
      { seq: 0, receivedMs: 5.25 }, // below the expected 2: reordered
      { seq: 1, receivedMs: 6 }, // a second copy
      { seq: 2, receivedMs: 2000 }, // after Tmax 1000: late
    ],
    tmaxMs: 1000, sizeBytes: 64,
  }
  const expected = [
    'transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status',
    'udp,0,0,0.01,5.25,5.25,reordered',
    'udp,1,5,5.02,5.125,0.125,ok',
    'udp,1,5,5.02,6,1,duplicate',
    'udp,2,10,10.5,2000,1990,late',
    'udp,3,15,15,,,lost',
    '',
  ].join('\n')
  const result = udpResult()
  t.equal(formatCsvRows(run, result), expected)
  t.equal(formatCsvRows(run, result, { header: false }), expected.split('\n').slice(1).join('\n'))
})

t.test('the impairment block shows what the kernel table dropped, per direction', async t => {
  const text = formatCompare(classroomResult({ p99: 65.5, p999: 200, max: 245 }), plain, { width: 200 })
  t.match(text, /^ {2}TCP: the kernel dropped 23 of 2,431 packets \(c→s 12, s→c 11\)$/m)
  const none = formatCompare(classroomResult({ p99: 65.5, p999: 200, max: 245 }, false), plain, { width: 200 })
  t.notMatch(none, /the kernel dropped/, 'no counters, no invented figure')
  // A transport whose loss was the relay's gets no kernel line even if a table existed.
  const relayLoss = classroomResult({ p99: 65.5, max: 245 })
  relayLoss.results.tcp!.impairment!.appliedBy = { delay: 'userspace' }
  t.notMatch(formatCompare(relayLoss, plain, { width: 200 }), /the kernel dropped/)
})

t.test('TCP verdict: p99 barely moved but the worst RTT did — the rare tail is named', async t => {
  t.same(verdict(classroomResult({ p99: 65.5, p999: 200, max: 245 })), [
    'TCP lost nothing; its worst RTT was 245 ms (p99.9 200 ms, p99 65.5 ms): a few probes waited for a retransmission (the kernel dropped 23 TCP packets; RetransSegs +79).',
  ])
  // Without the kernel table's counters (a remote or userspace run), only the machine-wide count.
  t.same(verdict(classroomResult({ p99: 65.5, max: 245 }, false)), [
    'TCP lost nothing; its worst RTT was 245 ms (p99 65.5 ms): a few probes waited, consistent with retransmissions — the kernel counted 79 retransmitted segments on this machine during the run (RetransSegs +79, machine-wide).',
  ])
  // A worst RTT within 4× the median: nothing rare to explain.
  t.match(verdict(classroomResult({ p99: 65.5, max: 120 }))[0], /^TCP delivered all 1000 probes, in order, with no large cost to the tail \(p99 65\.5 ms against a median of [\d.]+ ms\)/)
  // p99 grew 4×: the existing sentence, now with the table's drops.
  t.same(verdict(classroomResult({ p99: 248, max: 460 })), [
    'TCP lost nothing but its p99 grew to 248 ms: consistent with retransmissions — the kernel dropped 23 TCP packets; the kernel counted 79 retransmitted segments on this machine during the run (RetransSegs +79, machine-wide).',
  ])
})

t.test('expected loss: the binomial range (2 sd) is printed, and whether the measurement lies in it', async t => {
  const within = formatCompare(lossyUdp(7210, 0, { c2s: 4000, s2c: 3210 }, 'kernel'), plain, { width: 200 })
  t.match(within, /UDP: loss 20% each way → expected 36% round trip ±0\.68 points \(binomial, 2 sd for 20,000 probes\), measured 36%: within that range/)
  const outside = formatCompare(lossyUdp(9180, 2327, { c2s: 4062, s2c: 2785 }, 'kernel'), plain, { width: 200 })
  t.match(outside, /measured 45\.9%: outside that range/)
})

t.test('loss above the range is split between the emulator and the receive buffer when the counters add up', async t => {
  // As the review's run: 6,847 dropped by the kernel table + RcvbufErrors 2,327 = 9,174 lost.
  t.equal(verdict(lossyUdp(9174, 2327, { c2s: 4062, s2c: 2785 }, 'kernel'))[0],
    "UDP lost 45.9%, above the 36.7% that chance allows: 6,847 dropped by the emulator, 2,327 by this machine's receive buffer (RcvbufErrors).")
  // The userspace relay's own counters work the same way.
  t.match(verdict(lossyUdp(8393, 1580, { c2s: 4000, s2c: 2813 }, 'userspace'))[0], /6,813 dropped by the emulator, 1,580 by this machine's receive buffer/)
  // Not adding up (the counter is machine-wide): the emulator's share, and the counter as a fact.
  t.match(verdict(lossyUdp(9180, 5000, { c2s: 4062, s2c: 2785 }, 'kernel'))[0],
    /6,847 dropped by the emulator; the other 2,333 were not, and RcvbufErrors rose by 5,000 during the run \(machine-wide/)
  // Within the range: the emulator is the explanation, no split.
  t.match(verdict(lossyUdp(7210, 12, { c2s: 4000, s2c: 3198 }, 'kernel'))[0], /^UDP lost 36%: the kernel emulator dropped 20% each way/)
})

t.test('replies that were not this run\'s probes are said in one line (they were only in --json)', async t => {
  const result = compareResult({ results: { tcp: tcpResult(), udp: udpResult({ foreign: 297 }) } })
  t.ok(verdict(result).includes('UDP: 297 replies that were not this run\'s probes were ignored (not counted; "foreign" in --json): something else answers there, or the reflector does not echo probes unchanged.'))
  const one = verdict(compareResult({ results: { tcp: tcpResult({ foreign: 1 }), udp: udpResult() } }))
  t.ok(one.some(s => s.startsWith('TCP: 1 reply that was not this run\'s probes was ignored')))
  t.notOk(verdict(compareResult()).some(s => /not this run's probes/.test(s)), 'none ignored: nothing said')
})

t.test('Tmax says how it was chosen, per transport', async t => {
  const given = compareResult({
    config: { ...compareResult().config, tmaxMs: 500 },
    results: { tcp: tcpResult({ tmaxMs: 500, tmaxRule: 'given' }), udp: udpResult({ tmaxMs: 500, tmaxRule: 'given' }) },
  })
  t.match(formatCompare(given, plain, { width: 200 }), /^Tmax 500 ms \(--tmax\) · RFC 6673/m)
  const stopped = compareResult({ interrupted: true, results: { tcp: tcpResult({ tmaxMs: 1500, tmaxRule: 'stopped' }), udp: udpResult() } })
  const text = formatCompare(stopped, plain, { width: 200 })
  t.match(text, /^Tmax TCP 1500 ms \(the stop cut the wait short\), UDP 1000 ms \(auto\)/m)
  t.match(text, /^Tmax +1500 ms \(stopped\) +1000 ms$/m)
})

t.test('the header names an IPv6 reflector as [addr]:port, and one probe in the singular', async t => {
  // Before: "sockkit compare → ::1:9000" (the port reads as part of the address) and "1 probes".
  const base = compareResult()
  const text = formatCompare(compareResult({ config: { ...base.config, host: '::1', port: 9000, local: false, count: 1 } }), plain)
  t.match(text, /^TCP: .*\nUDP: .*\n\nsockkit compare → \[::1\]:9000\n1 probe per transport at 200\/s/)
  t.match(formatCompare(base, plain), /\n\nsockkit compare → 127\.0\.0\.1:40123 \(own reflector on this machine\)\n1000 probes per transport/)
})

t.test('TCP: most probes waited, but nothing was resent — the queue (--blast) or the sender\'s lag is named, not head-of-line blocking', async t => {
  // Seen on loopback: `compare --blast --count 5000 --transports tcp` printed "a segment that must
  // be resent holds back every byte behind it (head-of-line blocking); the kernel counted no
  // retransmitted segments", and `--rate 1e9` blamed retransmissions for a median that was the
  // sender's own lag (81 ms on average).
  const base = compareResult().config
  const kernel = (retransSegs: number) => ({ tcp: { available: true, tcp: { retransSegs } } })
  const waited = latency({ min: 0.043, mean: 3, p50: 2.29, p90: 6, p99: 9.58, max: 12 })
  const blast = { ...base, transports: ['tcp' as const], blast: true, ratePerSecond: null, intervalMs: 0 }
  const noLag = { mean: 0, p99: 0, max: 0 }
  const [queued] = verdict(compareResult({ config: blast, results: { tcp: tcpResult({ rttMs: waited, sendLagMs: noLag }) }, kernel: kernel(0) }))
  t.equal(queued, 'TCP lost nothing, but most probes waited: median 2.29 ms, p99 9.58 ms, fastest 0.043 ms — --blast writes probes faster than their echoes come back, so they queue behind each other in the socket buffers; the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0).')
  t.notMatch(queued, /resent|head-of-line/)
  // A machine-wide count of 2 during a blast is reported, not made the cause.
  const [queuedCounted] = verdict(compareResult({ config: blast, results: { tcp: tcpResult({ rttMs: waited, sendLagMs: noLag }) }, kernel: kernel(2) }))
  t.match(queuedCounted, /so they queue behind each other in the socket buffers; the kernel counted 2 retransmitted segments on this machine during the run \(RetransSegs \+2, machine-wide\)\.$/)
  t.notMatch(queuedCounted, /consistent with/)
  // A blast whose median stayed low but whose p99 grew: the same queue, not "consistent with retransmissions".
  const [tailQueued] = verdict(compareResult({ config: blast, results: { tcp: tcpResult({ sendLagMs: noLag }) }, kernel: kernel(2) }))
  t.match(tailQueued, /^TCP lost nothing but its p99 grew to 210 ms: --blast writes probes faster than their echoes come back/)
  t.notMatch(tailQueued, /consistent with/)
  // Paced, but the sender ran 81 ms behind on average: the wait is its own lag.
  const paced = { ...base, transports: ['tcp' as const], ratePerSecond: 1e9, intervalMs: 1e-6 }
  const lagged = tcpResult({ rttMs: latency({ min: 2.26, mean: 120, p50: 126, p90: 160, p99: 177, max: 180 }), sendLagMs: { mean: 81.2, p99: 139, max: 171 } })
  const [own] = verdict(compareResult({ config: paced, results: { tcp: lagged }, kernel: kernel(1) }))
  t.equal(own, "TCP lost nothing, but most probes waited: median 126 ms, p99 177 ms, fastest 2.26 ms — mostly this machine's own lag: the sender ran 81.2 ms behind its schedule on average, and RTTs run from the schedule; the kernel counted 1 retransmitted segment on this machine during the run (RetransSegs +1, machine-wide).")
  // Paced, no lag, nothing counted: the facts, no cause.
  const [bare] = verdict(compareResult({ config: { ...base, transports: ['tcp'] }, results: { tcp: tcpResult({ rttMs: waited, sendLagMs: noLag }) }, kernel: kernel(0) }))
  t.equal(bare, 'TCP lost nothing, but most probes waited: median 2.29 ms, p99 9.58 ms, fastest 0.043 ms; the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0).')
})

t.test('reordering: the simulated 95% range next to the measured share, for jitter alone too, and a cause when outside', async t => {
  const jitter = { reorder: 0, jitter: 3, delay: 3 }
  const flat = (text: string) => text.replace(/\n {2}(?=\S)/g, ' ')
  const within = flat(formatCompare(reorderedUdp(jitter, 78, { low: 6.1, high: 9.3 }), plain))
  t.match(within, /UDP: delay → expected RTT \+6 ms on average \(≥ 0 ms\), measured min 1\.06 ms, p50 7\.00 ms; jitter ±3 ms each way → expected 6\.1–9\.3% reordered \(95% of 200 simulated runs of 1,000 probes 5\.00 ms apart\), measured 7\.8%: within that range/)
  t.notMatch(within, /hold/, 'no word of the reorder hold without --reorder')
  const above = flat(formatCompare(reorderedUdp(jitter, 216, { low: 6.1, high: 9.3 }), plain))
  t.match(above, /measured 21\.6%: above that range — the simulation sends on schedule and forwards when due; on a busy machine the sender \(send lag here: mean 1\.63 ms, max 20\.5 ms\), the relay and the reflector stall now and then and catch up in a burst, so datagrams leave closer together than 5\.00 ms, and under jitter closer datagrams overtake each other more; 1 run in 40 is this high by chance alone/)
  const below = flat(formatCompare(reorderedUdp(jitter, 20, { low: 6.1, high: 9.3 }), plain))
  t.match(below, /measured 2%: below that range — 1 run in 40 is this low by chance alone; a busy machine packs datagrams closer, which reorders more, not less/)
  // --reorder alone: its hold rule does not care about spacing well below the hold, so lateness is no excuse.
  const holdOnly = flat(formatCompare(reorderedUdp({ reorder: 10, jitter: 0, delay: 0 }, 250, { low: 13.5, high: 17.6 }), plain))
  t.match(holdOnly, /measured 25%: above that range — 1 run in 40 is this high by chance alone; the hold rule depends on timing only when probes come close to the 100 ms hold apart/)
  t.notMatch(holdOnly, /send lag here/)
  // Both: one line naming both causes, and the hold note stays.
  const both = flat(formatCompare(reorderedUdp({ reorder: 10, jitter: 5, delay: 0 }, 170, { low: 14.8, high: 18.5 }), plain))
  t.match(both, /reorder 10% and jitter ±5 ms each way → expected 14\.8–18\.5% reordered .*measured 17%: within that range \(a datagram held at the end waits the relay's whole hold, 100 ms/)
  // Nothing can reorder at this spacing: said as none.
  t.match(flat(formatCompare(reorderedUdp(jitter, 0, { low: 0, high: 0 }), plain)), /jitter ±3 ms each way → expected none reordered \(95% of 200 simulated runs/)
  // A result without the range (older JSON) keeps the single figure for --reorder, and adds nothing for jitter.
  t.match(flat(formatCompare(reorderedUdp({ reorder: 10, jitter: 0, delay: 0 }, 170, undefined), plain)), /reorder 10% each way → expected about 7\.5% reordered, measured 17%/)
  t.notMatch(flat(formatCompare(reorderedUdp(jitter, 78, undefined), plain)), /(\d%|none) reordered/)
})

t.test('the renderer words the findings the runner filled in, and computes them only when there are none', async t => {
  const filled = compareResult({ findings: [{ code: 'interrupted', level: 'notice', params: {} }] })
  t.same(verdict(filled), ['Stopped early: the figures cover only the probes sent before the stop.'])
  t.match(formatCompare(filled, plain), /• Stopped early/)
  t.notMatch(formatCompare(filled, plain), /UDP lost/, 'the given findings, not recomputed ones')
  t.equal(verdict(compareResult()).length, 3, 'none given: computed from the figures')
})

t.test('a transport is named by its traits\' label, and its kernel cell follows what it is carried over', async t => {
  const result = compareResult({
    config: { ...compareResult().config, transports: ['udp'] },
    transports: { udp: { label: 'Fake', reliable: true, ordered: true, framing: 'message', carriedOver: 'tcp', maxProbeBytes: 1000 } },
    results: { udp: udpResult({ received: 1000, lost: 0, lossPercent: 0, reordered: 0 }) },
    kernel: { udp: { available: true, tcp: { retransSegs: 0 } } },
  })
  const text = formatCompare(result, plain)
  t.match(text, /^ {24}Fake$/m)
  t.match(text, /^kernel \(machine-wide\) {3}RetransSegs \+0$/m)
  t.match(text, /^Fake round-trip times from the scheduled send/m)
  t.match(text, /• Fake delivered all 1000 probes, in order, as expected/)
})

t.test('the headline comes first: what differed, with ratios, the cause, and the noise; in es and pt too', async t => {
  const half = (sent: number, lost: number, p99Ms: number) => ({ sent, lost, p99Ms, maxMs: p99Ms })
  const result = compareResult({
    results: {
      tcp: tcpResult({ rttMs: latency({ min: 40, mean: 72, p50: 45.6, p90: 168, p99: 241, max: 287 }), halves: [half(500, 0, 230), half(500, 0, 250)] }),
      udp: udpResult({ received: 888, lost: 112, lossPercent: 11.2, rttMs: latency({ min: 40, mean: 47, p50: 42.6, p90: 45, p99: 47, max: 60 }), halves: [half(500, 50, 47), half(500, 62, 46)] }),
    },
    kernel: { tcp: { available: true, tcp: { retransSegs: 87 } }, udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } },
  })
  const lines = (lang?: 'es' | 'pt') => formatCompare(result, plain, lang ? catalog(lang) : {}).split('\n').slice(0, 3)
  t.same(lines(), ["TCP: 0% lost, p99 241 ms (5.1× UDP's) — retransmissions", 'UDP: 11.2% lost, p99 47.0 ms — lost on the way', ''])
  t.same(lines('es'), ['TCP: pérdida 0%, p99 241 ms (5,1× el de UDP) — retransmisiones', 'UDP: pérdida 11,2%, p99 47,0 ms — perdidas por el camino', ''])
  t.same(lines('pt'), ['TCP: perda 0%, p99 241 ms (5,1× o do UDP) — retransmissões', 'UDP: perda 11,2%, p99 47,0 ms — perdidas no caminho', ''])
  // The second half alone shows UDP's p99 above TCP's: the ratio is within this run's noise.
  const noisy = compareResult({ ...result, results: { ...result.results, tcp: { ...result.results.tcp!, halves: [half(500, 0, 230), half(500, 0, 40)] } } })
  t.equal(formatCompare(noisy, plain, { width: 200 }).split('\n')[2], "within this run's noise: TCP's p99 was 4.89× UDP's in the first half of the run and 0.87× in the second")
  t.match(formatCompare(noisy, plain, { ...catalog('es'), width: 200 }), /dentro del ruido de esta ejecución: el p99 de TCP fue 4,89× el de UDP en la primera mitad/)
})

t.test('the headline says TCP was not exposed to loss, and that sentence is not repeated below', async t => {
  const base = compareResult()
  const result = compareResult({
    config: { ...base.config, impairment: { ...classroomResult({}).config.impairment!, tcpDegraded: { notApplied: ['loss'], reason: ['loss-needs-kernel'], lossUnavailable: 'userns-refused' } } },
  })
  const text = formatCompare(result, plain, { width: 200 })
  t.match(text.split('\n')[0], /^TCP was not exposed to loss \(this system does not allow unprivileged user namespaces; run with sudo, or enable them/)
  t.equal(text.split('TCP was not exposed to loss').length, 2, 'said once, in the headline')
})

t.test('inside compare\'s own user namespace the counters are the namespace\'s, and kernel drops show no seed', async t => {
  const classroom = classroomResult({ p99: 65.5, p999: 200, max: 245 })
  type Emulator = NonNullable<CompareResult['config']['impairment']>['emulator']
  const as = (emulator: Emulator) => compareResult({ ...classroom, config: { ...classroom.config, impairment: { ...classroom.config.impairment!, emulator } } })
  const userns = formatCompare(as('kernel-userns'), plain, { width: 200 })
  t.match(userns, /^kernel \(namespace\) +RetransSegs/m)
  t.match(userns, /RetransSegs \+79 \(this namespace only\)/)
  t.notMatch(userns, /machine-wide/, 'no counter is called machine-wide inside the namespace')
  t.notMatch(userns, /seed/, 'the kernel drops are unseeded')
  t.match(formatCompare(as('kernel-userns+userspace'), plain, { width: 200 }), /· seed \d+/, 'the relay part is seeded')
  const host = formatCompare(as('kernel'), plain, { width: 200 })
  t.match(host, /^kernel \(machine-wide\) +RetransSegs/m)
  t.notMatch(host, /seed/)
  t.match(formatCompare(as('kernel-userns'), plain, { ...catalog('es'), width: 200 }), /RetransSegs \+79 \(solo de ese namespace\)/)
})
