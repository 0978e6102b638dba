import t from 'tap'
import { compareFindings, IMPAIRMENT_CODES, type CompareFinding, type FindingCode } from '../src/compare/findings.js'
import type { CompareResult } from '../src/compare/compare-types.js'
import { classroomResult, compareResult, latency, lossyUdp, reorderedUdp, tcpResult, udpResult } from './fixtures/compare-result.js'

const codes = (result: CompareResult) => compareFindings(result).findings.map(f => `${f.transport ?? '*'}:${f.code}`)
const find = (result: CompareResult, code: string, transport?: string): CompareFinding | undefined =>
  compareFindings(result).findings.find(f => f.code === code && (transport === undefined || f.transport === transport))
const tcpOnly = { ...compareResult().config, transports: ['tcp' as const] }
const udpOnly = { ...compareResult().config, transports: ['udp' as const] }

t.test('no loss: delivered-all for each transport, with the --blast suggestion only for an idle local unreliable run', async t => {
  const result = compareResult({
    results: {
      tcp: tcpResult({ rttMs: latency({ min: 0.04, mean: 0.06, p50: 0.06, p90: 0.08, p99: 0.1, max: 0.2 }) }),
      udp: udpResult({ received: 1000, lost: 0, lossPercent: 0, reordered: 0, maxReorderExtent: 0 }),
    },
    kernel: { tcp: { available: true, tcp: { retransSegs: 0 } }, udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } },
  })
  const { findings, headline } = compareFindings(result)
  t.same(findings, [
    { code: 'delivered-all', transport: 'tcp', level: 'info', params: { sent: 1000, reliable: true, retransSegs: 0, suggestBlast: false } },
    { code: 'delivered-all', transport: 'udp', level: 'info', params: { sent: 1000, reliable: false, retransSegs: null, suggestBlast: true } },
  ])
  t.same(headline.map(f => f.code), ['headline-transport', 'headline-transport'], 'the headline: one line per transport')
  t.same(headline[0]!.params, { lossPercent: 0, tail: 'p99', tailMs: 0.1, ratio: null, other: null, cause: null }, 'p99s within 10%: no ratio')
  const remote = compareResult({ ...result, config: { ...result.config, local: false } })
  t.equal(find(remote, 'delivered-all', 'udp')?.params.suggestBlast, false)
})

t.test('UDP loss the receive buffer explains (RcvbufErrors), TCP tail with retransmissions (RetransSegs)', async t => {
  const result = compareResult()
  t.same(codes(result), ['tcp:tail-grew', 'udp:loss-receive-buffer', 'udp:reordered'])
  t.same(find(result, 'loss-receive-buffer')!.params, {
    lossPercent: 3.1, refused: 0, sndbufErrors: 0, late: 0, tmaxMs: 1000, givenTmaxMs: null,
    rcvbufErrors: 31, inErrors: 31, dropped: 31, receiveBufferBytes: 212992, match: 'same',
  })
  t.same(find(result, 'tail-grew')!.params, {
    tail: 'p99', tailMs: 210, medianMs: 0.062, cause: 'retransmissions', lagP99Ms: 0.2, kernelDropped: 0, retransSegs: 12,
  })
  t.same(find(result, 'reordered')!.params, { reordered: 2, maxExtent: 3, ordered: false })
  const partial = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 10, inErrors: 12, sndbufErrors: 0 } } } })
  t.match(find(partial, 'loss-receive-buffer')!.params, { match: 'partial', rcvbufErrors: 10, inErrors: 12, dropped: 31, receiveBufferBytes: null })
  const more = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 50, inErrors: 50, sndbufErrors: 0 } } } })
  t.equal(find(more, 'loss-receive-buffer')!.params.match, 'more')
  const network = compareResult({ kernel: { udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } } })
  t.match(find(network, 'loss-network')!.params, { rcvbufErrors: 0, emulator: null })
  const unknown = compareResult({ kernel: { udp: { available: false, reason: 'no-snmp' } } })
  t.match(find(unknown, 'loss-counters-unavailable')!.params, { reason: 'no-snmp', counters: [], sndbufErrors: null })
  const reset = compareResult({ kernel: { udp: { available: false, reason: 'udp-counters-unknown', counters: ['Udp RcvbufErrors'] } } })
  t.match(find(reset, 'loss-counters-unavailable')!.params, { reason: 'udp-counters-unknown', counters: ['Udp RcvbufErrors'] }, 'the reason is a code with its params, never a sentence')
})

t.test('the verdict follows traits, not the transport id', async t => {
  // The same UDP figures under a reliable transport's traits read as a reliable verdict.
  const result = compareResult({
    config: udpOnly,
    transports: { udp: { label: 'Reliable', reliable: true, ordered: true, framing: 'message', carriedOver: 'tcp', maxProbeBytes: 1000 } },
    results: { udp: udpResult({ received: 1000, lost: 0, lossPercent: 0, reordered: 0 }) },
    kernel: { udp: { available: true, tcp: { retransSegs: 0 } } },
  })
  t.same(codes(result), ['udp:delivered-all'])
  t.match(find(result, 'delivered-all')!.params, { reliable: true, retransSegs: 0 })
})

t.test('TCP tail causes: the sender\'s stall, --blast\'s queue, no count, no counter', async t => {
  const kernel = (retransSegs: number) => ({ tcp: { available: true, tcp: { retransSegs } } })
  const stalled = compareResult({ config: tcpOnly, results: { tcp: tcpResult({ sendLagMs: { mean: 3, p99: 150, max: 200 } }) }, kernel: kernel(1) })
  t.match(find(stalled, 'tail-grew')!.params, { cause: 'sender-stall', lagP99Ms: 150, retransSegs: 1 })
  const blast = compareResult({ config: { ...tcpOnly, blast: true, ratePerSecond: null }, results: { tcp: tcpResult() }, kernel: kernel(12) })
  t.equal(find(blast, 'tail-grew')!.params.cause, 'blast-queue')
  t.match(find(compareResult({ config: tcpOnly, results: { tcp: tcpResult() }, kernel: kernel(0) }), 'tail-grew')!.params, { cause: 'none', retransSegs: 0 })
  t.match(find(compareResult({ config: tcpOnly, results: { tcp: tcpResult() }, kernel: {} }), 'tail-grew')!.params, { cause: 'none', retransSegs: null })
  const blocked = compareResult({
    config: tcpOnly, kernel: kernel(41),
    results: { tcp: tcpResult({ rttMs: latency({ min: 0.17, mean: 1100, p50: 1243, p90: 1600, p99: 1733, max: 1800 }) }) },
  })
  t.match(find(blocked, 'most-waited')!.params, { cause: 'head-of-line', medianMs: 1243, fastestMs: 0.17, tail: 'p99', tailMs: 1733, retransSegs: 41 })
  const rare = classroomResult({ p99: 65.5, p999: 200, max: 245 })
  t.same(find(rare, 'rare-tail')!.params, { worstMs: 245, p999Ms: 200, tail: 'p99', tailMs: 65.5, kernelDropped: 23, retransSegs: 79 })
})

t.test('TCP: not back within Tmax, and a connection that died', async t => {
  const stuck = compareResult({ config: tcpOnly, results: { tcp: tcpResult({ received: 990, lost: 10, lossPercent: 1, late: 4, tmaxMs: 1000, tmaxRule: 'given' }) } })
  t.same(find(stuck, 'not-back-within-tmax')!.params, { lost: 10, lossPercent: 1, tmaxMs: 1000, tmaxRule: 'given', late: 4, retransSegs: 12, capMs: 60000 })
  const died = compareResult({
    config: tcpOnly, results: { tcp: tcpResult({ sent: 300, received: 120, lost: 180, lossPercent: 60 }) }, kernel: {},
    errors: { tcp: { code: 'ECONNRESET', message: 'reset' } },
  })
  t.same(codes(died), ['tcp:stopped-mid-run', 'tcp:connection-lost'])
  t.same(find(died, 'connection-lost')!.params, { errorCode: 'ECONNRESET', received: 120, lost: 180, lossPercent: 60, retransSegs: null })
  t.equal(find(died, 'stopped-mid-run')!.level, 'warning')
})

t.test('late and refused probes carry their figures; a too-short --tmax is named only when probes came late', async t => {
  const tooShort = udpResult({ received: 0, samples: 0, lost: 50, lossPercent: 100, late: 50, reordered: 0, maxReorderExtent: 0, tmaxMs: 20 })
  const allLate = compareResult({ config: { ...udpOnly, tmaxMs: 20 }, results: { udp: tooShort } })
  t.same(find(allLate, 'loss-all-late')!.params, { lossPercent: 100, lost: 50, late: 50, tmaxMs: 20, givenTmaxMs: 20 })
  const noneInTime = compareResult({ config: { ...udpOnly, tmaxMs: 20 }, results: { udp: { ...tooShort, late: 45 } } })
  t.match(find(noneInTime, 'loss-none-in-time')!.params, { late: 45, givenTmaxMs: 20 })
  const refused = compareResult({
    results: { udp: udpResult({ sendFailures: 31 }) },
    kernel: { udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 31 } } },
  })
  t.match(find(refused, 'loss-send-refused')!.params, { refused: 31, sndbufErrors: 31, givenTmaxMs: null })
})

t.test('impairment: loss within and outside the chance range, split between emulator and buffer', async t => {
  const within = lossyUdp(7210, 0, { c2s: 4000, s2c: 3210 }, 'kernel')
  t.same(find(within, 'impairment-loss')!.params, { lossEachWayPercent: 20, expectedPercent: 36, sdPercent: 0.34, probes: 20000, measuredPercent: 36.05, within: true })
  t.equal(find(within, 'impairment-loss')!.level, 'info')
  t.match(find(within, 'loss-impairment-expected')!.params, { emulator: 'kernel', lossEachWayPercent: 20, expectedPercent: 36, rcvbufErrors: 0 })
  t.same(find(within, 'impairment-kernel-drops')!.params, { dropped: 7210, seen: 35000, clientToServer: 4000, serverToClient: 3210 })
  const split = lossyUdp(9174, 2327, { c2s: 4062, s2c: 2785 }, 'kernel')
  t.match(find(split, 'impairment-loss')!, { level: 'notice', params: { within: false } })
  t.match(find(split, 'loss-impairment-split')!.params, { rangeHighPercent: 36.68, emulatorDrops: 6847, rcvbufErrors: 2327, dropped: 9174, exact: true })
  // Impairment findings stay out of the headline: it is the verdict's.
  t.notOk(compareFindings(split).headline.some(f => IMPAIRMENT_CODES.has(f.code as FindingCode)))
})

t.test('impairment: reordering judged against the simulated range; TCP expects no loss', async t => {
  const jitter = { reorder: 0, jitter: 3, delay: 3 }
  t.match(find(reorderedUdp(jitter, 78, { low: 6.1, high: 9.3 }), 'impairment-reorder')!.params, { judgement: 'within', lowPercent: 6.1, highPercent: 9.3, measuredPercent: 7.8, runs: 200 })
  t.match(find(reorderedUdp(jitter, 216, { low: 6.1, high: 9.3 }), 'impairment-reorder')!, { level: 'notice', params: { judgement: 'above', lagMeanMs: 1.63, lagMaxMs: 20.5 } })
  t.equal(find(reorderedUdp(jitter, 20, { low: 6.1, high: 9.3 }), 'impairment-reorder')!.params.judgement, 'below')
  t.match(find(reorderedUdp({ reorder: 10, jitter: 0, delay: 0 }, 170, undefined), 'impairment-reorder-approx')!.params, { approxPercent: 7.5, measuredPercent: 17, holdMs: 100 })
  t.same(find(reorderedUdp(jitter, 78, { low: 6.1, high: 9.3 }), 'impairment-delay')!.params, { jitterMs: 3, addedRttMs: 6, floorMs: 0, minRttMs: 1.06, p50RttMs: 7 })
  const tcp = classroomResult({ p99: 65.5, p999: 200, max: 245 })
  t.same(codes(tcp), ['tcp:impairment-loss-retransmitted', 'tcp:impairment-delay', 'tcp:impairment-kernel-drops', 'tcp:rare-tail'])
  t.same(find(tcp, 'impairment-loss-retransmitted')!.params, { lossEachWayPercent: 5, appliedBy: 'kernel', measuredPercent: 0, retransSegs: 79 })
})

t.test('one transport only, an interrupted run, a transport not measured', async t => {
  const result = compareResult({
    results: { udp: udpResult() },
    errors: { tcp: { code: 'ECONNREFUSED', message: 'nothing is listening on 127.0.0.1:40123' } },
    interrupted: true,
  })
  const { findings, headline } = compareFindings(result)
  t.same(findings.map(f => f.code), ['interrupted', 'not-measured', 'loss-receive-buffer', 'reordered'])
  t.same(findings[0], { code: 'interrupted', level: 'notice', params: {} }, 'run-wide: no transport')
  t.same(findings[1]!.params, { errorCode: 'ECONNREFUSED', message: 'nothing is listening on 127.0.0.1:40123' })
  t.same(headline.map(f => `${f.transport}:${f.code}`), ['udp:headline-transport'], 'only what was measured heads the output')
  const nothingSent = compareResult({ config: udpOnly, results: { udp: udpResult({ sent: 0, received: 0, lost: 0 }) } })
  t.same(codes(nothingSent), ['udp:nothing-sent'])
})

t.test('the sender fell behind: busy, or a rate beyond the machine', async t => {
  const busy = compareResult({ config: tcpOnly, results: { tcp: tcpResult({ sendLagMs: { mean: 2, p99: 40, max: 48 } }) } })
  t.same(find(busy, 'sender-fell-behind')!.params, { lagMaxMs: 48, cause: 'busy', ratePerSecond: 200 })
  const tooFast = compareResult({ config: { ...tcpOnly, ratePerSecond: 1e9, intervalMs: 1e-6 }, results: { tcp: tcpResult({ sendLagMs: { mean: 21, p99: 38, max: 38.3 } }) } })
  t.equal(find(tooFast, 'sender-fell-behind')!.params.cause, 'rate')
})

t.test('findings are JSON-safe data', async t => {
  const { findings } = compareFindings(lossyUdp(9174, 2327, { c2s: 4062, s2c: 2785 }, 'kernel'))
  t.same(JSON.parse(JSON.stringify(findings)), findings)
})

const half = (sent: number, lost: number, p99Ms: number | null, maxMs: number | null = p99Ms) => ({ sent, lost, p99Ms, maxMs })

t.test('headline: the slower tail as a ratio of the faster, its cause from the verdict; a difference each half shows is no noise', async t => {
  const result = compareResult({
    results: {
      tcp: tcpResult({ halves: [half(500, 0, 205), half(500, 0, 211)] }),
      udp: udpResult({ rttMs: latency({ min: 0.029, mean: 0.051, p50: 0.048, p90: 0.071, p99: 42, max: 50 }), halves: [half(500, 15, 40), half(500, 16, 44)] }),
    },
  })
  const { headline } = compareFindings(result)
  t.same(headline.map(f => `${f.transport}:${f.code}`), ['tcp:headline-transport', 'udp:headline-transport'], 'both halves show both differences: no noise line')
  t.same(headline[0]!.params, { lossPercent: 0, tail: 'p99', tailMs: 210, ratio: 5, other: 'udp', cause: 'retransmissions' })
  t.same(headline[1]!.params, { lossPercent: 3.1, tail: 'p99', tailMs: 42, ratio: null, other: null, cause: 'receive-buffer' })
  t.same(JSON.parse(JSON.stringify(headline)), headline, 'JSON-safe data')
})

t.test('headline: a tail ratio or a loss that one half does not show is within this run\'s noise', async t => {
  const result = compareResult({
    results: {
      // The whole run: TCP's p99 1.5× UDP's; the second half alone: 0.9×.
      tcp: tcpResult({ rttMs: latency({ min: 0.04, mean: 1, p50: 0.06, p90: 0.09, p99: 15, max: 20 }), halves: [half(500, 0, 15), half(500, 0, 9)] }),
      // UDP lost 0.2%: two probes, both in the first half.
      udp: udpResult({ received: 998, lost: 2, lossPercent: 0.2, reordered: 0, rttMs: latency({ min: 0.03, p50: 0.05, p99: 10, max: 12 }), halves: [half(500, 2, 9), half(500, 0, 10)] }),
    },
    kernel: { tcp: { available: true, tcp: { retransSegs: 0 } }, udp: { available: true, udp: { rcvbufErrors: 0, inErrors: 0, sndbufErrors: 0 } } },
  })
  const { headline } = compareFindings(result)
  t.same(headline.map(f => `${f.transport}:${f.code}`), ['tcp:headline-transport', 'udp:headline-transport', 'tcp:headline-noise', 'udp:headline-noise'])
  t.match(headline[0]!.params, { ratio: 1.5, other: 'udp' })
  t.same(headline[2]!.params, { measure: 'tail', tail: 'p99', other: 'udp', firstMine: 15, firstOther: 9, secondMine: 9, secondOther: 10 })
  t.same(headline[3]!.params, { measure: 'loss', tail: 'p99', other: 'tcp', firstMine: 0.4, firstOther: 0, secondMine: 0, secondOther: 0 })
  // Too few probes for a p99 anywhere: the worst RTT is compared, like with like.
  const small = compareResult({ results: { tcp: tcpResult({ rttMs: latency({ p50: 1, p99: null, max: 30 }) }), udp: udpResult({ rttMs: latency({ p50: 1, p99: 10, max: 10 }) }) } })
  t.match(compareFindings(small).headline[0]!.params, { tail: 'max', tailMs: 30, ratio: 3 })
})

t.test('headline: a TCP never exposed to the asked loss leads it', async t => {
  const base = compareResult()
  const result = compareResult({
    config: { ...base.config, impairment: { ...classroomResult({}).config.impairment!, tcpDegraded: { notApplied: ['loss'], reason: ['loss-needs-kernel'], lossUnavailable: 'userns-refused' } } },
  })
  const { headline } = compareFindings(result)
  t.match(headline[0], { code: 'tcp-not-exposed-to-loss', transport: 'tcp', params: { reason: 'userns-refused' } })
  t.same(headline.slice(1).map(f => f.code), ['headline-transport', 'headline-transport'])
})
