import t from 'tap'
import {
  analyzeRun, logHistogram, minSamplesFor, percentile, probeOutcomes, summarizeLatency,
  type ProbeArrival, type ProbeSend, type TransportRun,
} from '../src/compare/compare-stats.js'

/** Probes 0..count−1 scheduled every `intervalMs`, each sent `lagMs` late. */
const schedule = (count: number, intervalMs = 10, lagMs = 0): ProbeSend[] =>
  Array.from({ length: count }, (_, seq) => ({ seq, scheduledMs: seq * intervalMs, actualMs: seq * intervalMs + lagMs }))

const makeRun = (sends: ProbeSend[], arrivals: ProbeArrival[], extra: Partial<TransportRun> = {}): TransportRun => ({
  transport: 'udp', sends, arrivals, tmaxMs: 1000, sizeBytes: 64, ...extra,
})

const sumCounts = (buckets: Array<{ count: number }>) => buckets.reduce((sum, b) => sum + b.count, 0)

t.test('minSamplesFor: ceil(1/(1−q)), not fooled by floating point', async t => {
  // 1/(1−0.9) is 10.000000000000002 in doubles; a naive ceil would say 11.
  t.equal(minSamplesFor(0.5), 2)
  t.equal(minSamplesFor(0.9), 10)
  t.equal(minSamplesFor(0.99), 100)
  t.equal(minSamplesFor(0.999), 1000)
  t.throws(() => minSamplesFor(1))
})

t.test('percentile: nearest rank, null below the sample count it needs', async t => {
  const upTo = (n: number) => Array.from({ length: n }, (_, i) => i + 1)
  t.equal(percentile([], 0.5), null)
  t.equal(percentile([7], 0.5), null, 'p50 needs 2 samples')
  t.equal(percentile([7, 9], 0.5), 7, 'rank ceil(0.5×2)=1')
  t.equal(percentile(upTo(9), 0.9), null, 'p90 needs 10')
  t.equal(percentile(upTo(10), 0.9), 9, 'rank ceil(0.9×10)=9')
  t.equal(percentile(upTo(99), 0.99), null, '99 samples cannot support p99')
  t.equal(percentile(upTo(100), 0.99), 99, '100 samples: rank 99')
  t.equal(percentile(upTo(999), 0.999), null)
  t.equal(percentile(upTo(1000), 0.999), 999)
  // 0.07 × 100 is 7.000000000000001 in doubles: the rank must still be 7.
  t.equal(percentile(upTo(100), 0.07), 7)
})

t.test('summarizeLatency sorts numerically, not as strings', async t => {
  // [10, 9, 100] sorted as strings would be [10, 100, 9].
  t.same(summarizeLatency([10, 9, 100]), { min: 9, mean: 119 / 3, p50: 10, p90: null, p99: null, p999: null, max: 100 })
  t.same(summarizeLatency([]), { min: null, mean: null, p50: null, p90: null, p99: null, p999: null, max: null })
})

t.test('a crafted run: loss with a late probe, duplicates, reordering, jitter, IPDV, PDV', async t => {
  // 10 probes scheduled at 0, 10, …, 90 ms, each sent 0.25 ms late except seq 3 (2 ms late).
  const sends = schedule(10, 10, 0.25)
  sends[3]!.actualMs = 32
  // Tmax 100 ms. Arrival order (pos = position among in-time first copies):
  //  pos0 seq0 @2    rtt 2
  //  pos1 seq2 @24   rtt 4    gap (1 missing so far)
  //  pos2 seq1 @25   rtt 15   reordered: first arrival above 1 was pos1 → extent 1
  //       seq2 @26            duplicate
  //  pos3 seq3 @33   rtt 3    in order (expected 3)
  //       seq99 @34           never sent: foreign
  //  pos4 seq6 @62   rtt 2    gap (4, 5)
  //  pos5 seq7 @71   rtt 1
  //  pos6 seq4 @72   rtt 32   reordered: first arrival above 4 was seq6 at pos4 → extent 2
  //  pos7 seq8 @81   rtt 1    in order (expected 8)
  //       seq5 @190  rtt 140 > Tmax 100 → late, counted as lost
  //       seq5 @191           duplicate (of the late one)
  //       seq9 never          lost
  const arrivals: ProbeArrival[] = [
    { seq: 0, receivedMs: 2 }, { seq: 2, receivedMs: 24 }, { seq: 1, receivedMs: 25 },
    { seq: 2, receivedMs: 26 }, { seq: 3, receivedMs: 33 }, { seq: 99, receivedMs: 34 },
    { seq: 6, receivedMs: 62 }, { seq: 7, receivedMs: 71 }, { seq: 4, receivedMs: 72 },
    { seq: 8, receivedMs: 81 }, { seq: 5, receivedMs: 190 }, { seq: 5, receivedMs: 191 },
  ]
  const result = analyzeRun(makeRun(sends, arrivals, { tmaxMs: 100, foreign: 3 }))

  t.equal(result.sent, 10)
  t.equal(result.received, 8, 'seqs 0,1,2,3,4,6,7,8')
  t.equal(result.lost, 2, 'seq 5 (late) and seq 9 (never)')
  t.equal(result.lossPercent, 20)
  t.equal(result.late, 1)
  t.equal(result.duplicates, 2)
  t.equal(result.reordered, 2)
  t.equal(result.maxReorderExtent, 2)
  t.equal(result.foreign, 4, '3 reported by the runner + seq 99')
  t.equal(result.sendFailures, 0, 'none reported')
  t.equal(result.samples, 8)
  t.equal(result.tmaxMs, 100)

  // RTTs in arrival order: 2 4 15 3 2 1 32 1 → sorted 1 1 2 2 3 4 15 32, sum 60.
  // p50: rank ceil(0.5×8)=4 → 2; p90 needs 10 samples → null.
  t.same(result.rttMs, { min: 1, mean: 7.5, p50: 2, p90: null, p99: null, p999: null, max: 32 })

  // RFC 3550 §A.8, J += (|D| − J)/16 with D the RTT difference between arrivals:
  //  |D| = 2 → J = 2/16 = 1/8
  //  |D| = 11 → J = 1/8 + (11 − 1/8)/16 = 103/128
  //  |D| = 12 → 3081/2048;  |D| = 1 → 48263/32768;  |D| = 1 → 756713/524288
  //  |D| = 31 → 27603623/8388608;  |D| = 31 → 674101193/134217728
  t.equal(result.jitterMs, 674101193 / 134217728)

  // IPDV over consecutive seqs both in time: (0,1) 13, (1,2) 11, (2,3) 1, (3,4) 29,
  // (6,7) 1, (7,8) 0 → sorted 0 1 1 11 13 29, sum 55; p50 rank 3 → 1.
  t.same(result.ipdvMs, { min: 0, mean: 55 / 6, p50: 1, p90: null, p99: null, p999: null, max: 29 })
  // PDV = RTT − 1: 1 3 14 2 1 0 31 0 → sorted 0 0 1 1 2 3 14 31, sum 52; p50 rank 4 → 1.
  t.same(result.pdvMs, { min: 0, mean: 6.5, p50: 1, p90: null, p99: null, p999: null, max: 31 })

  // Lag: nine 0.25 ms and one 2 ms → mean 4.25/10; p99 needs 100 sends.
  t.same(result.sendLagMs, { mean: 0.425, p99: null, max: 2 })

  // The measured interval: first scheduled send (0) to the last send (seq 9 at 90.25 ms),
  // which is later than the last in-time arrival (seq 8 at 81; late seq 5 does not count).
  // 8 probes × 64 bytes × 8 bits over 0.09025 s.
  t.same(result.throughput, { probesPerSecond: 8 / 0.09025, mbitPerSecond: (8 * 64 * 8) / 0.09025 / 1e6, durationMs: 90.25, endsAt: 'last-send' })

  t.same(result.histogram, [
    { fromMs: 1, toMs: 1.5, count: 2 },
    { fromMs: 1.5, toMs: 2, count: 0 },
    { fromMs: 2, toMs: 3, count: 2 },
    { fromMs: 3, toMs: 5, count: 2 },
    { fromMs: 5, toMs: 7, count: 0 },
    { fromMs: 7, toMs: 10, count: 0 },
    { fromMs: 10, toMs: 15, count: 0 },
    { fromMs: 15, toMs: 20, count: 1 },
    { fromMs: 20, toMs: 30, count: 0 },
    { fromMs: 30, toMs: 50, count: 1 },
  ])
  t.equal(sumCounts(result.histogram), result.received)

  const statuses = probeOutcomes(makeRun(sends, arrivals, { tmaxMs: 100 })).map(o => `${o.seq}:${o.status}`)
  t.same(statuses, [
    '0:ok', '1:reordered', '2:ok', '2:duplicate', '3:ok', '4:reordered', '5:late', '5:duplicate',
    '6:ok', '7:ok', '8:ok', '9:lost',
  ])
})

t.test('throughput: over first scheduled send → last in-time arrival, not the Tmax wait for lost probes', async t => {
  // 100 probes, one every 10 ms (last send at 990 ms, its interval ends at 1000), each back
  // after 1 ms — except seq 99, which never comes back. The runner then waits Tmax
  // (1000 ms) for it, to ~1990 ms; that wait is not traffic. Interval: 0 → end of sending
  // (1000, later than the last arrival at 981).
  const sends = schedule(100, 10)
  const paced = { intervalMs: 10 }
  const arrivals = sends.slice(0, 99).map(s => ({ seq: s.seq, receivedMs: s.scheduledMs + 1 }))
  const lostTail = analyzeRun(makeRun(sends, arrivals, paced))
  t.same(lostTail.throughput, { probesPerSecond: 99, mbitPerSecond: (99 * 64 * 8) / 1e6, durationMs: 1000, endsAt: 'last-send' })

  // All back, the last at 991 ms: 100 probes own 100 intervals, so 100/s, the offered rate.
  const allBack = analyzeRun(makeRun(sends, sends.map(s => ({ seq: s.seq, receivedMs: s.scheduledMs + 1 })), paced))
  t.same(allBack.throughput, { probesPerSecond: 100, mbitPerSecond: (100 * 64 * 8) / 1e6, durationMs: 1000, endsAt: 'last-send' })

  // An echo later than the end of sending closes the interval instead (seq 99 at 1015 ms).
  const slowLast = analyzeRun(makeRun(sends, arrivals.concat({ seq: 99, receivedMs: 1015 }), paced))
  t.match(slowLast.throughput, { probesPerSecond: 100 / 1.015, durationMs: 1015, endsAt: 'last-arrival' })

  // A lost probe in the middle changes the count, not the interval: 99 over the same 1015 ms.
  const lostMiddle = analyzeRun(makeRun(sends, arrivals.filter(a => a.seq !== 50).concat({ seq: 99, receivedMs: 1015 }), paced))
  t.match(lostMiddle.throughput, { probesPerSecond: 99 / 1.015, durationMs: 1015, endsAt: 'last-arrival' })

  // A late copy (after Tmax) and a duplicate do not stretch the interval.
  const withLate = analyzeRun(makeRun(sends, [...arrivals, { seq: 99, receivedMs: 2500 }, { seq: 98, receivedMs: 2600 }], paced))
  t.match(withLate, { late: 1, duplicates: 1 })
  t.match(withLate.throughput, { durationMs: 1000, endsAt: 'last-send' })

  // A sender that ran late past the end of its schedule: the interval runs to its last actual send.
  const lagging = analyzeRun(makeRun(schedule(100, 10, 30), arrivals, paced))
  t.match(lagging.throughput, { durationMs: 1020, endsAt: 'last-send' })

  // --blast: the schedule is the send time, so the interval starts at the first actual send.
  const blast = [{ seq: 0, scheduledMs: 0.5, actualMs: 0.5 }, { seq: 1, scheduledMs: 0.6, actualMs: 0.6 }]
  const blasted = analyzeRun(makeRun(blast, [{ seq: 0, receivedMs: 0.7 }, { seq: 1, receivedMs: 0.9 }]))
  t.match(blasted.throughput, { durationMs: 0.9 - 0.5, endsAt: 'last-arrival' })
})

t.test('throughput never exceeds the offered rate, even for a handful of probes', async t => {
  // Before: received / (last echo − first scheduled send), N probes over N − 1 intervals
  // plus one RTT — 1 probe at RTT 0.1 ms read 10000 probes/s, 10 at 10/s read 11.1/s.
  const one = analyzeRun(makeRun(schedule(1, 5), [{ seq: 0, receivedMs: 0.1 }], { intervalMs: 5 }))
  t.same(one.throughput, { probesPerSecond: null, mbitPerSecond: null, durationMs: 5, endsAt: 'last-send' }, 'one probe: no rate')
  const two = analyzeRun(makeRun(schedule(2, 5), [{ seq: 0, receivedMs: 0.1 }, { seq: 1, receivedMs: 5.1 }], { intervalMs: 5 }))
  t.same(two.throughput, { probesPerSecond: 200, mbitPerSecond: (2 * 64 * 8) / 0.01 / 1e6, durationMs: 10, endsAt: 'last-send' }, '2 probes at 200/s: 200/s')
  // 10 probes at 10/s, each back after 11 ms: 10 / max(911 ms, 1000 ms) = 10/s, not 11.1.
  const ten = analyzeRun(makeRun(schedule(10, 100), schedule(10, 100).map(s => ({ seq: s.seq, receivedMs: s.scheduledMs + 11 })), { intervalMs: 100 }))
  t.equal(ten.throughput.probesPerSecond, 10)
  // Random runs: delivered ≤ offered whatever the RTTs.
  for (const rtt of [0.01, 0.3, 4.9, 5, 60]) {
    for (const count of [2, 3, 7, 50]) {
      const sends = schedule(count, 5)
      const r = analyzeRun(makeRun(sends, sends.map(s => ({ seq: s.seq, receivedMs: s.scheduledMs + rtt })), { intervalMs: 5 }))
      t.ok(r.throughput.probesPerSecond! <= 200 + 1e-9, `count ${count}, RTT ${rtt} ms: ${r.throughput.probesPerSecond}/s ≤ 200/s`)
    }
  }
  // --blast (interval 0): first send → last in-time arrival.
  const blast = analyzeRun(makeRun(schedule(3, 0), [0.2, 0.3, 0.4].map((receivedMs, seq) => ({ seq, receivedMs })), { intervalMs: 0 }))
  t.match(blast.throughput, { probesPerSecond: 3 / 0.0004, durationMs: 0.4, endsAt: 'last-arrival' })
})

t.test('jitter on a short sequence, by hand', async t => {
  // RTTs 10, 12, 11, 15 (all sent on time, in order):
  //  |D| = 2 → J = 2/16 = 0.125
  //  |D| = 1 → J = 0.125 + (1 − 0.125)/16 = 0.1796875
  //  |D| = 4 → J = 0.1796875 + (4 − 0.1796875)/16 = 0.41845703125
  const rtts = [10, 12, 11, 15]
  const result = analyzeRun(makeRun(schedule(4), rtts.map((rtt, seq) => ({ seq, receivedMs: seq * 10 + rtt }))))
  t.equal(result.jitterMs, 0.41845703125)
  // A single sample has no jitter.
  t.equal(analyzeRun(makeRun(schedule(1), [{ seq: 0, receivedMs: 5 }])).jitterMs, null)
})

t.test('jitter uses arrival order and first copies only', async t => {
  // seq1 (rtt 3) arrives before seq0 (rtt 9), then a duplicate of seq0 with rtt 100.
  // In arrival order the RTTs are 3, 9: |D| = 6 → J = 6/16 = 0.375. The duplicate adds nothing.
  const result = analyzeRun(makeRun(schedule(2), [
    { seq: 1, receivedMs: 13 }, { seq: 0, receivedMs: 9 }, { seq: 0, receivedMs: 100 },
  ]))
  t.equal(result.jitterMs, 0.375)
  t.equal(result.duplicates, 1)
  t.equal(result.received, 2)
  t.equal(result.reordered, 1)
  t.equal(result.maxReorderExtent, 1)
})

t.test('Tmax: a probe back exactly at Tmax is in time, later is late and lost', async t => {
  const result = analyzeRun(makeRun(schedule(2), [
    { seq: 0, receivedMs: 50 }, // rtt 50 = Tmax → received
    { seq: 1, receivedMs: 60.5 }, // rtt 50.5 > Tmax → late
  ], { tmaxMs: 50 }))
  t.match(result, { sent: 2, received: 1, lost: 1, late: 1, lossPercent: 50 })
  t.equal(result.rttMs.max, 50, 'the late RTT is not a sample')
})

t.test('RTT is measured from the scheduled send, so a sender stall is not hidden', async t => {
  // Scheduled at 0, the sender stalled and sent at 40; the echo came back at 41.
  // A closed-loop tool would report 1 ms; from the schedule it is 41 ms.
  const result = analyzeRun(makeRun([{ seq: 0, scheduledMs: 0, actualMs: 40 }], [{ seq: 0, receivedMs: 41 }]))
  t.equal(result.rttMs.min, 41)
  t.equal(result.sendLagMs.max, 40)
})

t.test('percentile availability through analyzeRun: 99 samples → p99 null, 100 → a number', async t => {
  // RTT of seq s is s + 1 ms: 1..n.
  const runOf = (n: number) => makeRun(schedule(n), Array.from({ length: n }, (_, seq) => ({ seq, receivedMs: seq * 10 + seq + 1 })), { tmaxMs: 5000 })
  const r99 = analyzeRun(runOf(99))
  t.equal(r99.rttMs.p99, null)
  t.equal(r99.rttMs.p90, 90, 'rank ceil(0.9×99)=90')
  const r100 = analyzeRun(runOf(100))
  t.equal(r100.rttMs.p99, 99, 'rank 99 of 1..100')
  t.equal(r100.rttMs.p999, null)
  t.equal(r100.sendLagMs.p99, 0)
  const r1000 = analyzeRun(runOf(1000))
  t.equal(r1000.rttMs.p999, 999)
  t.equal(sumCounts(r1000.histogram), 1000)
})

t.test('zero arrivals: everything lost, RTT figures null, 100%', async t => {
  const result = analyzeRun(makeRun(schedule(5), []))
  t.match(result, { sent: 5, received: 0, lost: 5, lossPercent: 100, late: 0, duplicates: 0, reordered: 0, jitterMs: null, samples: 0 })
  t.same(result.rttMs, { min: null, mean: null, p50: null, p90: null, p99: null, p999: null, max: null })
  t.equal(result.ipdvMs.min, null)
  t.equal(result.pdvMs.min, null)
  t.same(result.histogram, [])
  t.same(result.throughput, { probesPerSecond: 0, mbitPerSecond: 0, durationMs: 40, endsAt: 'last-send' }, 'the interval still covers the sends')
})

t.test('an interrupted run (fewer sends) never gives negative or >100% loss', async t => {
  // Stopped after 3 sends; an echo of seq 3 (sent but not recorded) and a late copy
  // of seq 0 still come in. Only sent probes count: 3 of 3 received.
  const result = analyzeRun(makeRun(schedule(3), [
    { seq: 0, receivedMs: 1 }, { seq: 1, receivedMs: 11 }, { seq: 2, receivedMs: 21 },
    { seq: 3, receivedMs: 31 }, { seq: 0, receivedMs: 2000 },
  ]))
  t.match(result, { sent: 3, received: 3, lost: 0, lossPercent: 0, duplicates: 1, foreign: 1 })

  // Sends the kernel refused stay in `sends` and count as lost; the figure is passed through.
  const refused = analyzeRun(makeRun(schedule(4), [{ seq: 0, receivedMs: 1 }], { sendFailures: 3 }))
  t.match(refused, { sent: 4, received: 1, lost: 3, lossPercent: 75, sendFailures: 3 })

  // Nothing sent at all: 0%, not NaN.
  const empty = analyzeRun(makeRun([], [{ seq: 0, receivedMs: 1 }]))
  t.match(empty, { sent: 0, received: 0, lost: 0, lossPercent: 0, foreign: 1 })
  t.same(empty.throughput, { probesPerSecond: 0, mbitPerSecond: 0, durationMs: 0, endsAt: 'last-send' })
})

t.test('random runs: loss within 0–100%, counts consistent, histogram sums to received', async t => {
  // Deterministic LCG so a failure can be reproduced.
  let state = 12345
  const random = () => { state = (state * 1103515245 + 12345) % 2 ** 31; return state / 2 ** 31 }
  for (let trial = 0; trial < 200; trial++) {
    const sent = Math.floor(random() * 60)
    const sends = schedule(sent, 5, random())
    const arrivals: ProbeArrival[] = []
    for (const send of sends) {
      const copies = random() < 0.2 ? 0 : random() < 0.1 ? 3 : 1
      for (let c = 0; c < copies; c++) arrivals.push({ seq: send.seq, receivedMs: send.scheduledMs + random() * 300 })
    }
    if (random() < 0.3) arrivals.push({ seq: sent + 5, receivedMs: 10 })
    arrivals.sort((a, b) => a.receivedMs - b.receivedMs)
    const result = analyzeRun(makeRun(sends, arrivals, { tmaxMs: 200 }))
    t.ok(result.lossPercent >= 0 && result.lossPercent <= 100, `trial ${trial}: loss ${result.lossPercent}%`)
    t.equal(result.sent, sent)
    t.equal(result.received + result.lost, result.sent)
    t.ok(result.late <= result.lost)
    t.equal(sumCounts(result.histogram), result.received)
    if (result.rttMs.max !== null) t.ok(result.rttMs.max <= 200, 'no sample beyond Tmax')
  }
})

t.test('logHistogram: log-spaced round edges, every value in exactly one bucket', async t => {
  t.same(logHistogram([0.04, 0.031, 0.12]), [
    { fromMs: 0.03, toMs: 0.05, count: 2 },
    { fromMs: 0.05, toMs: 0.07, count: 0 },
    { fromMs: 0.07, toMs: 0.1, count: 0 },
    { fromMs: 0.1, toMs: 0.15, count: 1 },
  ])
  // A value on an edge belongs to the bucket that starts there.
  t.same(logHistogram([2]), [{ fromMs: 2, toMs: 3, count: 1 }])
  // Below 1 µs (clock noise, or 0) falls into a bucket starting at 0.
  t.same(logHistogram([0, 0.0015]), [
    { fromMs: 0, toMs: 0.001, count: 1 },
    { fromMs: 0.001, toMs: 0.0015, count: 0 },
    { fromMs: 0.0015, toMs: 0.002, count: 1 },
  ])
})

t.test('a probe overtaken by more than 65,536 others is still reordered: compare remembers all its own numbers', async t => {
  const count = 70_000
  // Blast-like timing: every probe back 1 ms after its send, except probe 0, which comes last (still within Tmax).
  const sends = schedule(count, 0.001)
  const arrivals: ProbeArrival[] = sends.slice(1).map(s => ({ seq: s.seq, receivedMs: s.scheduledMs + 1 }))
  arrivals.push({ seq: 0, receivedMs: 500 })
  const result = analyzeRun(makeRun(sends, arrivals, { tmaxMs: 1000 }))
  t.equal(result.lost, 0)
  t.equal(result.reordered, 1, 'probe 0 came after 69,999 higher numbers: reordered, not "too old"')
  t.equal(result.maxReorderExtent, count - 1, "RFC 4737 extent: every other probe arrived before it")
})
