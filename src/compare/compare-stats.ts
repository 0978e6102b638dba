/**
 * compare's statistics: from what was sent (on a schedule) and what came back (in
 * arrival order) to loss, ordering and latency figures, each defined by the RFC it
 * cites. Pure functions, no I/O; every ms value is float milliseconds since the run's
 * start, read from a monotonic clock.
 *
 * Definitions (the same ones the output and docs state):
 * - Loss (RFC 7680, round trip RFC 6673): a probe whose first copy is not back within
 *   Tmax of its SCHEDULED send time is lost. One that comes back later is "late": it
 *   counts as lost and is also reported on its own. Duplicates count once. Loss is
 *   computed over the probes actually sent, so it is never negative or above 100%.
 * - Reordering (RFC 4737): a probe is reordered if its number is below the next
 *   expected one (highest seen + 1); count and largest extent, from SequenceTracker,
 *   over the first copies that arrived in time (a lost probe has no place in the order).
 * - Jitter (RFC 3550 §A.8): D = (Rj−Ri) − (Sj−Si) with S the scheduled send time,
 *   J += (|D| − J)/16, in arrival order, first copies in time only.
 * - Delay variation (RFC 5481): IPDV is the difference between the RTTs of
 *   consecutive probes (seq s−1 and s, both received), summarised as |IPDV|; PDV is
 *   each RTT minus the smallest RTT.
 * - RTT is measured from the scheduled send time, so a sender stall shows up in the
 *   RTTs instead of being hidden (no coordinated omission); the stall itself is
 *   reported as send lag (actual − scheduled).
 * - Percentiles are nearest-rank, and null when the sample count cannot support them:
 *   a q-quantile needs at least ceil(1/(1−q)) samples (p99: 100, p99.9: 1000).
 */
import { SequenceTracker } from '../core/sequence-tracker.js'
import type { TransportId } from './transport-types.js'

/** One probe that was actually sent. */
export interface ProbeSend {
  seq: number
  /** ms since the run's start at which the schedule said to send it. */
  scheduledMs: number
  /** ms since the run's start at which it was handed to the socket. */
  actualMs: number
}

/** One copy of a probe that came back; in arrival order, a duplicate appears again. */
export interface ProbeArrival {
  seq: number
  /** ms since the run's start at which it was read back. */
  receivedMs: number
}

/** Raw record of one transport's run, as the runner collected it. */
export interface TransportRun {
  transport: TransportId
  /** Only probes actually sent (an interrupted run sends fewer). */
  sends: ProbeSend[]
  /** In arrival order. */
  arrivals: ProbeArrival[]
  /** ms: a probe whose first copy is not back within this of its scheduled send is lost. */
  tmaxMs: number
  /** How `tmaxMs` was chosen (see {@link TmaxRule}); absent = 'given'. */
  tmaxRule?: TmaxRule
  /**
   * ms between scheduled sends; 0 or absent with --blast (no schedule). Each probe owns one
   * interval, so the measured interval for throughput lasts at least count × interval.
   */
  intervalMs?: number
  /** Probe size in bytes, header included. */
  sizeBytes: number
  /** Datagrams/frames that were not this run's probes (ignored). */
  foreign?: number
  /**
   * Sends the local kernel refused (ENOBUFS/EAGAIN, e.g. UDP in --blast). Those probes
   * stay in `sends` and so count as lost; this says how many never left this machine.
   */
  sendFailures?: number
}

/**
 * The most TCP's automatic wait lasts after the last scheduled send, ms. TCP delivers or its
 * connection dies: a probe not back yet is waiting for a retransmission (the RTO doubles:
 * 0.2, 0.4, 0.8 … s), not lost. So with the automatic Tmax compare waits for every TCP probe
 * while the connection is alive, up to this cap, and reports the cap as TCP's Tmax.
 */
export const TCP_DELIVERY_CAP_MS = 60_000

/**
 * How a transport's Tmax was chosen:
 * - `given`: --tmax, applied as it is to both transports;
 * - `auto`: max(1 s + the impairment's largest added RTT, 3 × the largest RTT seen), frozen
 *   at the last send (UDP, or TCP when stopped before the end of sending);
 * - `tcp-delivery`: TCP delivers or its connection dies, so compare waited for every probe
 *   while the connection lived, up to a cap (60 s) — Tmax is that cap;
 * - `stopped`: that TCP wait was cut short by Ctrl-C; Tmax is how long it had lasted after
 *   the last scheduled send (every probe got at least that).
 */
export type TmaxRule = 'given' | 'auto' | 'tcp-delivery' | 'stopped'

/** ms figures; null where there are no samples or too few for that percentile. */
export interface LatencySummary {
  min: number | null
  mean: number | null
  p50: number | null
  p90: number | null
  p99: number | null
  p999: number | null
  max: number | null
}

/**
 * Throughput over the measured interval: from the first scheduled send to the later of
 * the last in-time arrival and the end of sending — the last scheduled send plus one
 * interval (each probe owns its interval, so N probes span N intervals, not N − 1), or the
 * last actual send if the sender ran later than that. With --blast the interval is 0, so it
 * runs from the first send to the last in-time arrival (or the last send). Because the
 * interval is never shorter than count × interval, the delivered rate never exceeds the
 * offered one. Never the run's whole duration, which includes the Tmax wait for probes that
 * never return: with that, every lost probe would cut the figure by up to Tmax.
 */
export interface Throughput {
  /**
   * `received` / `durationMs`, per second; 0 when nothing came back in time; null when only
   * one probe was sent (one probe's round trip is not a rate).
   */
  probesPerSecond: number | null
  /** `received` × probe size × 8 bits / `durationMs`, in 10⁶ bit/s; 0 or null as `probesPerSecond`. */
  mbitPerSecond: number | null
  /** ms, the measured interval: first scheduled send → `endsAt`. */
  durationMs: number
  /**
   * What closed the interval: the last in-time arrival, or the end of sending (last
   * scheduled send + one interval, or the last actual send if later; with --blast the last send).
   */
  endsAt: 'last-arrival' | 'last-send'
}

/** One histogram bucket: values v with fromMs ≤ v < toMs. */
export interface HistogramBucket { fromMs: number; toMs: number; count: number }

/** Everything measured for one transport. */
export interface TransportResult {
  transport: TransportId
  /** Probes sent (distinct sequence numbers). */
  sent: number
  /** Probes whose first copy came back within Tmax. */
  received: number
  /** sent − received: never back, or back after Tmax. */
  lost: number
  /** lost / sent × 100; 0 when nothing was sent. */
  lossPercent: number
  /** Came back, but after Tmax: included in lost. */
  late: number
  /** Extra copies (a probe that came back twice adds 1). */
  duplicates: number
  /** RFC 4737 reordered probes. */
  reordered: number
  /** Largest RFC 4737 reordering extent (0 when nothing was reordered). */
  maxReorderExtent: number
  /** ms, RFC 3550 §A.8; null with fewer than 2 samples. */
  jitterMs: number | null
  /** ms, from the scheduled send time. */
  rttMs: LatencySummary
  /** ms, RFC 5481 |IPDV| between consecutive probes. */
  ipdvMs: LatencySummary
  /** ms, RFC 5481 PDV: RTT − min RTT. */
  pdvMs: LatencySummary
  /** ms the sender ran behind its schedule (actual − scheduled), over every send. */
  sendLagMs: { mean: number | null; p99: number | null; max: number | null }
  /** Received probes (and their bytes, counted once) per second of the measured interval. */
  throughput: Throughput
  /** ms, the Tmax used. */
  tmaxMs: number
  /** How that Tmax was chosen. */
  tmaxRule: TmaxRule
  /** RTT samples (= received). */
  samples: number
  /** Log-spaced buckets over the RTTs; counts sum to `received`. */
  histogram: HistogramBucket[]
  /** Datagrams/frames that were not this run's probes, including copies of numbers never sent. */
  foreign: number
  /** Sends the local kernel refused; included in `lost` (0 when the runner reported none). */
  sendFailures: number
  /**
   * The run cut in two by sequence number (first half: the lower numbers, the earlier
   * slots): what the headline's noise check compares. Absent in results from before it.
   */
  halves?: [HalfSummary, HalfSummary]
}

/** One half of a run: its probes, those lost, and its RTT tail (p99 needs 100 samples; max always). */
export interface HalfSummary { sent: number; lost: number; p99Ms: number | null; maxMs: number | null }

/** How one sent probe (or one extra copy of it) ended. */
export type ProbeStatus = 'ok' | 'reordered' | 'late' | 'lost' | 'duplicate'

/** Per-probe outcome, in sequence order, each duplicate copy after its probe. */
export interface ProbeOutcome {
  seq: number
  scheduledMs: number
  sentMs: number
  /** null when it never came back. */
  receivedMs: number | null
  /** ms from the scheduled send; null when it never came back. */
  rttMs: number | null
  status: ProbeStatus
}

/** Samples a q-quantile needs: ceil(1/(1−q)) — p50 2, p90 10, p99 100, p99.9 1000. */
export function minSamplesFor (quantile: number): number {
  if (!(quantile >= 0 && quantile < 1)) throw new RangeError(`quantile ${quantile} is not in [0, 1)`)
  // 1/(1−0.9) is 10.000000000000002 in floating point; the epsilon keeps ceil honest.
  return Math.ceil(1 / (1 - quantile) - 1e-9)
}

/**
 * Nearest-rank percentile of values already sorted ascending: the smallest value
 * with at least q × n values at or below it. null when n < {@link minSamplesFor}(q).
 */
export function percentile (sortedAscending: number[], quantile: number): number | null {
  const n = sortedAscending.length
  if (n === 0 || n < minSamplesFor(quantile)) return null
  const rank = Math.max(1, Math.ceil(quantile * n - 1e-9))
  return sortedAscending[rank - 1]!
}

/** min, mean, p50, p90, p99, p99.9 and max of `values` (any order), in their unit. */
export function summarizeLatency (values: number[]): LatencySummary {
  if (values.length === 0) return { min: null, mean: null, p50: null, p90: null, p99: null, p999: null, max: null }
  const sorted = Float64Array.from(values).sort()
  const ascending = Array.from(sorted)
  let sum = 0
  for (const value of ascending) sum += value
  return {
    min: ascending[0]!,
    mean: sum / ascending.length,
    p50: percentile(ascending, 0.5),
    p90: percentile(ascending, 0.9),
    p99: percentile(ascending, 0.99),
    p999: percentile(ascending, 0.999),
    max: ascending[ascending.length - 1]!,
  }
}

/** Every sent probe's fate plus every extra copy, in sequence order. */
export function probeOutcomes (run: TransportRun): ProbeOutcome[] {
  return classify(run).outcomes
}

/** Turn one transport's raw sends and arrivals into its figures. */
export function analyzeRun (run: TransportRun): TransportResult {
  const { sendsBySeq, firstCopies, lastInTimeArrivalMs, late, duplicates, unknown, reordered, maxReorderExtent } = classify(run)

  const rtts = firstCopies.map(copy => copy.rttMs)
  const sent = sendsBySeq.size
  const received = firstCopies.length
  const lost = sent - received

  // RFC 3550 §A.8, transit = R − S: D between consecutive arrivals is the RTT difference.
  let jitter: number | null = null
  if (rtts.length >= 2) {
    jitter = 0
    for (let i = 1; i < rtts.length; i++) jitter += (Math.abs(rtts[i]! - rtts[i - 1]!) - jitter) / 16
  }

  // RFC 5481 IPDV: consecutive sent probes (by seq) whose first copies both came in time.
  const rttBySeq = new Map<number, number>()
  for (const copy of firstCopies) rttBySeq.set(copy.seq, copy.rttMs)
  const seqsInOrder = [...sendsBySeq.keys()].sort((a, b) => a - b)
  const ipdv: number[] = []
  for (let i = 1; i < seqsInOrder.length; i++) {
    if (seqsInOrder[i] !== seqsInOrder[i - 1]! + 1) continue
    const previous = rttBySeq.get(seqsInOrder[i - 1]!)
    const current = rttBySeq.get(seqsInOrder[i]!)
    if (previous !== undefined && current !== undefined) ipdv.push(Math.abs(current - previous))
  }

  const rttMs = summarizeLatency(rtts)
  const pdv = rttMs.min === null ? [] : rtts.map(rtt => rtt - rttMs.min!)

  const lags = [...sendsBySeq.values()].map(send => send.actualMs - send.scheduledMs)
  const lagSummary = summarizeLatency(lags)

  const throughput = measuredThroughput(run, sendsBySeq, lastInTimeArrivalMs, received)

  return {
    transport: run.transport,
    sent,
    received,
    lost,
    lossPercent: sent === 0 ? 0 : (lost / sent) * 100,
    late,
    duplicates,
    reordered,
    maxReorderExtent,
    jitterMs: jitter,
    rttMs,
    ipdvMs: summarizeLatency(ipdv),
    pdvMs: summarizeLatency(pdv),
    sendLagMs: { mean: lagSummary.mean, p99: lagSummary.p99, max: lagSummary.max },
    throughput,
    tmaxMs: run.tmaxMs,
    tmaxRule: run.tmaxRule ?? 'given',
    samples: received,
    histogram: logHistogram(rtts),
    foreign: (run.foreign ?? 0) + unknown,
    sendFailures: run.sendFailures ?? 0,
    halves: halvesOf(seqsInOrder, rttBySeq),
  }
}

/** {@link TransportResult.halves}: the first ⌈n/2⌉ sequence numbers sent, then the rest. */
function halvesOf (seqsInOrder: number[], rttBySeq: Map<number, number>): [HalfSummary, HalfSummary] {
  const cut = Math.ceil(seqsInOrder.length / 2)
  const half = (seqs: number[]): HalfSummary => {
    const rtts = seqs.flatMap(seq => (rttBySeq.has(seq) ? [rttBySeq.get(seq)!] : [])).sort((a, b) => a - b)
    return { sent: seqs.length, lost: seqs.length - rtts.length, p99Ms: percentile(rtts, 0.99), maxMs: rtts.at(-1) ?? null }
  }
  return [half(seqsInOrder.slice(0, cut)), half(seqsInOrder.slice(cut))]
}

/**
 * See {@link Throughput}: first scheduled send → the later of the last in-time arrival and
 * the end of sending (last scheduled send + one interval, or the last actual send).
 */
function measuredThroughput (run: TransportRun, sendsBySeq: Map<number, ProbeSend>, lastInTimeArrivalMs: number | null, received: number): Throughput {
  if (sendsBySeq.size === 0) return { probesPerSecond: 0, mbitPerSecond: 0, durationMs: 0, endsAt: 'last-send' }
  let firstScheduledMs = Infinity
  let sendingEndsMs = -Infinity
  const intervalMs = run.intervalMs ?? 0
  for (const send of sendsBySeq.values()) {
    firstScheduledMs = Math.min(firstScheduledMs, send.scheduledMs)
    sendingEndsMs = Math.max(sendingEndsMs, send.actualMs, send.scheduledMs + intervalMs)
  }
  const endsAt = lastInTimeArrivalMs !== null && lastInTimeArrivalMs >= sendingEndsMs ? 'last-arrival' : 'last-send'
  const durationMs = Math.max(0, (endsAt === 'last-arrival' ? lastInTimeArrivalMs! : sendingEndsMs) - firstScheduledMs)
  const seconds = durationMs / 1000
  if (sendsBySeq.size < 2) return { probesPerSecond: null, mbitPerSecond: null, durationMs, endsAt }
  return {
    probesPerSecond: seconds > 0 ? received / seconds : 0,
    mbitPerSecond: seconds > 0 ? (received * run.sizeBytes * 8) / seconds / 1e6 : 0,
    durationMs,
    endsAt,
  }
}

// Bucket edges: 1, 1.5, 2, 3, 5, 7 × 10ⁿ ms — about six per decade, evenly spaced on
// a log scale and still round numbers a class can read off a projector.
const EDGE_MANTISSAS = [1, 1.5, 2, 3, 5, 7]
/** Below 1 µs a loopback RTT is clock noise: one bucket [0, 0.001) catches it. */
const SMALLEST_EDGE_EXPONENT = -3

function edge (index: number): number {
  const decade = Math.floor(index / EDGE_MANTISSAS.length)
  const mantissa = EDGE_MANTISSAS[index - decade * EDGE_MANTISSAS.length]!
  return Number((mantissa * 10 ** (decade + SMALLEST_EDGE_EXPONENT)).toPrecision(12))
}

function edgeIndexAtOrBelow (value: number): number {
  if (value < edge(0)) return -1
  let index = Math.max(0, Math.floor((Math.log10(value) - SMALLEST_EDGE_EXPONENT) * EDGE_MANTISSAS.length) - EDGE_MANTISSAS.length)
  while (edge(index + 1) <= value) index++
  while (index > 0 && edge(index) > value) index--
  return index
}

/** Log-spaced buckets from the one holding the smallest value to the one holding the largest. */
export function logHistogram (values: number[]): HistogramBucket[] {
  if (values.length === 0) return []
  let smallest = Infinity
  let largest = -Infinity
  for (const value of values) {
    smallest = Math.min(smallest, value)
    largest = Math.max(largest, value)
  }
  const first = edgeIndexAtOrBelow(smallest)
  const last = edgeIndexAtOrBelow(largest)
  const buckets: HistogramBucket[] = []
  for (let index = first; index <= last; index++) {
    buckets.push({ fromMs: index < 0 ? Math.min(0, smallest) : edge(index), toMs: edge(index + 1), count: 0 })
  }
  for (const value of values) buckets[edgeIndexAtOrBelow(value) - first]!.count++
  return buckets
}

interface FirstCopy { seq: number; rttMs: number }

function classify (run: TransportRun) {
  // A probe number sent twice would be a runner bug; keep the first so `sent` counts
  // distinct probes and loss stays within 0–100%.
  const sendsBySeq = new Map<number, ProbeSend>()
  for (const send of run.sends) if (!sendsBySeq.has(send.seq)) sendsBySeq.set(send.seq, send)

  // compare numbers its own probes from 0: remember them all, or with --count above the
  // default window (65,536) a very late first copy would be "too old" instead of reordered.
  const tracker = new SequenceTracker({ window: Infinity })
  const arrived = new Set<number>()
  const firstCopies: FirstCopy[] = []
  const outcomeBySeq = new Map<number, ProbeOutcome>()
  const extraCopies = new Map<number, ProbeOutcome[]>()
  let late = 0
  let duplicates = 0
  let unknown = 0
  let lastInTimeArrivalMs: number | null = null

  for (const arrival of run.arrivals) {
    const send = sendsBySeq.get(arrival.seq)
    if (send === undefined) { unknown++; continue }
    const rttMs = arrival.receivedMs - send.scheduledMs
    const outcome: ProbeOutcome = {
      seq: arrival.seq,
      scheduledMs: send.scheduledMs,
      sentMs: send.actualMs,
      receivedMs: arrival.receivedMs,
      rttMs,
      status: 'ok',
    }
    if (arrived.has(arrival.seq)) {
      duplicates++
      outcome.status = 'duplicate'
      const copies = extraCopies.get(arrival.seq) ?? []
      copies.push(outcome)
      extraCopies.set(arrival.seq, copies)
      continue
    }
    arrived.add(arrival.seq)
    if (rttMs > run.tmaxMs) {
      late++
      outcome.status = 'late'
    } else {
      firstCopies.push({ seq: arrival.seq, rttMs })
      lastInTimeArrivalMs = Math.max(lastInTimeArrivalMs ?? -Infinity, arrival.receivedMs)
      if (tracker.observe(arrival.seq).kind === 'reordered') outcome.status = 'reordered'
    }
    outcomeBySeq.set(arrival.seq, outcome)
  }

  const outcomes: ProbeOutcome[] = []
  for (const seq of [...sendsBySeq.keys()].sort((a, b) => a - b)) {
    const send = sendsBySeq.get(seq)!
    outcomes.push(outcomeBySeq.get(seq) ?? {
      seq, scheduledMs: send.scheduledMs, sentMs: send.actualMs, receivedMs: null, rttMs: null, status: 'lost',
    })
    outcomes.push(...(extraCopies.get(seq) ?? []))
  }

  const totals = tracker.totals()
  return {
    sendsBySeq,
    firstCopies,
    lastInTimeArrivalMs,
    late,
    duplicates,
    unknown,
    reordered: totals.reordered,
    maxReorderExtent: totals.maxReorderExtent,
    outcomes,
  }
}
