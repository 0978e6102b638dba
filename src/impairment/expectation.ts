/**
 * What an impairment should do to a round trip: expected loss, duplicates, added RTT and
 * reordering (simulated with the UDP relay's own hold rule), and the sentences that say so.
 */
import { EN } from '../i18n/index.js'
import {
  createRandom, deriveSeed, drawDelayMs, normalizeImpairment, REORDER_HOLD_MS,
  type FullImpairment, type Impairment,
} from './model.js'

/** What a probe and its echo should see when each direction has `impairment`. */
export interface ExpectedRoundTrip {
  /**
   * Probes with no copy back, percent. Exact for independent per-packet drops. 0 for a TCP-only
   * run: TCP retransmits what is dropped, so the loss shows as latency.
   */
  lossPercent: number
  /** Extra copies back per probe sent, percent (a probe with 2 copies back counts 1). Exact. */
  duplicatePercent: number
  /** Added RTT on average, ms: 2 × delay (exact while jitter ≤ delay; more when the 0 floor cuts in). */
  addedRttMs: number
  /** Smallest and largest added RTT, ms: 2 × max(0, delay − jitter) … 2 × (delay + jitter). */
  addedRttRangeMs: { min: number; max: number }
  /**
   * Probes that arrive out of order (RFC 4737, first copies), percent of those sent, one
   * decimal: the relay's hold rule simulated in both directions with the given probe spacing
   * (back-to-back when none is given), with the same loss, duplication, delay and jitter. A
   * model, not a formula: the holds of the two directions partly cancel, loss removes
   * successors, jitter reorders on its own. Within about ±0.5 points of the model's own value.
   * Also given for jitter alone when `intervalMs` is known; 0 for TCP, and for jitter alone
   * without a spacing (link).
   */
  reorderPercentApprox: number
  /** The sentence compare and link print: "36% loss, +40 ms RTT, …". */
  summary: string
}

/** Options for {@link expectedRoundTrip}. */
export interface ExpectedRoundTripOptions {
  /**
   * ms between the probes, when known (compare: 1000 / rate; 0 with --blast). Decides how
   * often a held datagram finds a successor within {@link REORDER_HOLD_MS}. Absent (link: any
   * traffic): the reorder figure is for back-to-back traffic, and the summary says how many
   * datagrams are held instead.
   */
  intervalMs?: number
  /** 'tcp' when only TCP crosses the link: nothing is lost (TCP retransmits). Default 'udp'. */
  transport?: 'tcp' | 'udp'
}

/**
 * The round-trip effect of applying `impairment` to each direction independently.
 *
 * Loss p and duplication q each way (drop first, then duplicate what survived; every copy is
 * echoed and each echo faces its own drop): with K surviving forward copies
 * (P(K=0) = p, P(K=1) = (1−p)(1−q), P(K=2) = (1−p)q), the probe is lost when every echo is
 * dropped: p + P(K=1)·p + P(K=2)·p². With q = 0 that is 1 − (1 − p)²: 20% → 36%.
 * Copies back per probe: ((1−p)(1+q))²; duplicates are those beyond the first.
 * Reordering: see {@link simulateReorderPercent}.
 */
export const expectedRoundTrip = (impairment: Impairment, options: ExpectedRoundTripOptions = {}): ExpectedRoundTrip => {
  const imp = normalizeImpairment(impairment)
  const p = imp.loss / 100
  const q = imp.duplicate / 100
  const k1 = (1 - p) * (1 - q)
  const k2 = (1 - p) * q
  const lost = p + k1 * p + k2 * p * p
  const copiesBack = ((1 - p) * (1 + q)) ** 2
  const duplicates = copiesBack - (1 - lost)
  const minOneWay = Math.max(0, imp.delay - imp.jitter)
  const maxOneWay = imp.delay + imp.jitter
  // Mean of max(0, U(delay − jitter, delay + jitter)): equals delay unless jitter > delay.
  const meanOneWay = imp.jitter === 0 || imp.jitter <= imp.delay
    ? imp.delay
    : (maxOneWay * maxOneWay) / (4 * imp.jitter)
  const stream = options.transport === 'tcp'
  const result = {
    lossPercent: stream ? 0 : round(lost * 100),
    duplicatePercent: stream ? 0 : round(duplicates * 100),
    addedRttMs: round(2 * meanOneWay),
    addedRttRangeMs: { min: round(2 * minOneWay), max: round(2 * maxOneWay) },
    reorderPercentApprox: canReorder(imp, options) ? Math.round(simulateReorderPercent(imp, options.intervalMs ?? 0) * 10) / 10 : 0,
  }
  return { ...result, summary: EN().impairment.expected({ clauses: expectedClauses(imp, result, options) }) }
}

/**
 * Whether a round-trip reorder figure is worth simulating: UDP only (TCP delivers in order),
 * and either --reorder, or jitter at a known probe spacing — jitter reorders probes whose
 * spacing is smaller than the spread of their delays. Without a spacing (link: any traffic)
 * a jitter-only figure would be for back-to-back traffic, which says nothing about yours.
 */
const canReorder = (imp: FullImpairment, options: ExpectedRoundTripOptions): boolean =>
  options.transport !== 'tcp' && (imp.reorder > 0 || (imp.jitter > 0 && options.intervalMs !== undefined))

/**
 * How late a Node timer fires, ms, as the model assumes: about 1 ms on an idle machine. It
 * matters only when the probe spacing is close to a multiple of the hold time — then it decides
 * whether the next probe beats a held one (at 5 probes/s with --reorder 50 the model gives 12.5%
 * reordered; measured 10–13%).
 */
const HOLD_LATENESS_MS = 1

/** Probes simulated by {@link simulateReorderPercent}: enough for about ±0.5 points at 2 sd. */
const REORDER_SIMULATED_PROBES = 20_000

/**
 * RFC 4737 reordered probes, percent of those sent, when probes `intervalMs` apart cross a
 * relay with `impairment` each way and are echoed at once: the UDP relay's own rule, run on a
 * clock instead of timers. Per direction: drop, duplicate, delay each copy; then, in order of
 * departure, a datagram is held with probability reorder% unless one is already held; the
 * next one to depart goes out first and the held one right after it; a held datagram with no
 * successor within `holdMs` goes out in order. Seeded: the same arguments give the same figure.
 */
export const simulateReorderPercent = (
  impairment: Impairment, intervalMs: number, options: { holdMs?: number; probes?: number; seed?: number } = {},
): number => {
  const imp = normalizeImpairment(impairment)
  const holdMs = options.holdMs ?? REORDER_HOLD_MS
  const probes = options.probes ?? REORDER_SIMULATED_PROBES
  const random = createRandom(options.seed ?? 1)
  interface Timed { t: number; seq: number }
  const direction = (arrivals: Timed[]): Timed[] => {
    const departures: Array<Timed & { order: number }> = []
    for (const a of arrivals) {
      if (imp.loss > 0 && random() * 100 < imp.loss) continue
      const copies = imp.duplicate > 0 && random() * 100 < imp.duplicate ? 2 : 1
      for (let c = 0; c < copies; c++) departures.push({ t: a.t + drawDelayMs(imp, random), seq: a.seq, order: departures.length })
    }
    departures.sort((x, y) => x.t - y.t || x.order - y.order)
    const out: Timed[] = []
    let held: { packet: Timed; until: number } | undefined
    for (const d of departures) {
      // A hold's timer fires a little late, after what arrived in the same instant (see HOLD_LATENESS_MS).
      if (held && d.t > held.until) {
        out.push({ t: held.until, seq: held.packet.seq })
        held = undefined
      }
      if (held) {
        out.push(d, { t: d.t, seq: held.packet.seq })
        held = undefined
      } else if (imp.reorder > 0 && random() * 100 < imp.reorder) {
        held = { packet: d, until: d.t + holdMs + HOLD_LATENESS_MS }
      } else {
        out.push(d)
      }
    }
    if (held) out.push({ t: held.until, seq: held.packet.seq })
    return out
  }
  const sent = Array.from({ length: probes }, (_, seq) => ({ t: seq * intervalMs, seq }))
  const back = direction(direction(sent))
  const seen = new Set<number>()
  let nextExpected = 0
  let reordered = 0
  for (const { seq } of back) {
    if (seen.has(seq)) continue
    seen.add(seq)
    if (seq < nextExpected) reordered++
    else nextExpected = seq + 1
  }
  return (reordered / probes) * 100
}

/** Simulated runs behind {@link reorderRangePercent}. */
export const REORDER_RANGE_RUNS = 200

/**
 * Probes per simulated run, at most: beyond it the spread is scaled (see
 * {@link reorderRangePercent}), so the work stays near 200 × 1000 probes, well under a second.
 */
export const REORDER_RANGE_MAX_PROBES = 1000

/** Where a run's reordered share should fall by chance alone; see {@link reorderRangePercent}. */
export interface ReorderRange {
  /** 2.5th and 97.5th percentiles of the simulated runs' reordered share, percent, 2 decimals. */
  low: number
  high: number
  /** Simulated runs (independent seeds). */
  runs: number
  /** Probes per run the range is for (the probes the real run sent). */
  probes: number
  /** ms between probes in the simulation (compare: the schedule's interval; --blast: the mean spacing as sent). */
  spacingMs: number
}

/**
 * A 95% range for the share of `probes` probes reordered (RFC 4737) when they leave
 * `intervalMs` apart through `impairment` each way: {@link simulateReorderPercent} run
 * {@link REORDER_RANGE_RUNS} times with independent seeds, each over `probes` probes, and the
 * 2.5th–97.5th percentiles of the results (linear interpolation): read off the simulation, so
 * nothing is assumed about how reordered probes cluster (it lands close to a binomial range). Above
 * {@link REORDER_RANGE_MAX_PROBES} probes the runs are that long and each bound's distance
 * from their mean shrinks by √(max/probes): a count over a stationary stream whose spread grows
 * like √n. Seeded (`seed`, default 1): the same arguments give the same range.
 *
 * What it does not model: it sends the probes exactly on schedule and lets the relay forward
 * exactly when due. On a busy machine the sender, the relay and the reflector stall now and
 * then and catch up in a burst, which packs datagrams closer than the schedule — and closer
 * datagrams reorder more under jitter. So under jitter a loaded machine measures above this
 * range, never systematically below it (docs/impairment.md has the measured figures).
 */
export const reorderRangePercent = (
  impairment: Impairment, intervalMs: number, probes: number, options: { runs?: number; seed?: number } = {},
): ReorderRange => {
  const imp = normalizeImpairment(impairment)
  const runs = options.runs ?? REORDER_RANGE_RUNS
  const spacingMs = Math.round(intervalMs * 1000) / 1000
  if (probes <= 0 || runs <= 0) return { low: 0, high: 0, runs: 0, probes: Math.max(0, probes), spacingMs }
  const perRun = Math.min(probes, REORDER_RANGE_MAX_PROBES)
  const seed = options.seed ?? 1
  const shares = Array.from({ length: runs }, (_, run) =>
    simulateReorderPercent(imp, intervalMs, { probes: perRun, seed: deriveSeed(seed, run) })).sort((a, b) => a - b)
  const quantile = (q: number): number => {
    const at = q * (shares.length - 1)
    const below = Math.floor(at)
    const above = Math.min(shares.length - 1, below + 1)
    return shares[below]! + (shares[above]! - shares[below]!) * (at - below)
  }
  const mean = shares.reduce((sum, x) => sum + x, 0) / shares.length
  const shrink = Math.sqrt(perRun / probes)
  const bound = (x: number): number => Math.round(Math.max(0, mean + (x - mean) * shrink) * 100) / 100
  return { low: bound(quantile(0.025)), high: bound(quantile(0.975)), runs, probes, spacingMs }
}

const round = (n: number): number => Math.round(n * 1000) / 1000

/** One clause of the expected round trip, as data; the catalogue (`impairment.expected`) words them. */
export type ExpectedClause =
  | { kind: 'lossStream'; lossEachWay: number }
  | { kind: 'loss'; percent: number; lossEachWay: number }
  | { kind: 'rtt'; addedMs: number }
  | { kind: 'rttJitter'; addedMs: number; minMs: number; maxMs: number }
  | { kind: 'jitterReorder'; percent: number }
  | { kind: 'reorder'; percent: number }
  | { kind: 'held'; percent: number; holdMs: number }
  | { kind: 'duplicate'; percent: number }

/** What the summary sentence says, in order; empty when nothing is impaired. */
export const expectedClauses = (imp: FullImpairment, e: Omit<ExpectedRoundTrip, 'summary'>, options: ExpectedRoundTripOptions): ExpectedClause[] => {
  const clauses: ExpectedClause[] = []
  const stream = options.transport === 'tcp'
  if (imp.loss > 0) {
    clauses.push(stream ? { kind: 'lossStream', lossEachWay: imp.loss } : { kind: 'loss', percent: e.lossPercent, lossEachWay: imp.loss })
  }
  if (imp.delay > 0 || imp.jitter > 0) {
    clauses.push(imp.jitter > 0
      ? { kind: 'rttJitter', addedMs: e.addedRttMs, minMs: e.addedRttRangeMs.min, maxMs: e.addedRttRangeMs.max }
      : { kind: 'rtt', addedMs: e.addedRttMs })
  }
  if (imp.reorder === 0 && imp.jitter > 0 && e.reorderPercentApprox > 0) clauses.push({ kind: 'jitterReorder', percent: e.reorderPercentApprox })
  if (imp.reorder > 0 && !stream) {
    // Unknown traffic: what the relay does each way is certain, how it shows end to end is not.
    clauses.push(options.intervalMs !== undefined
      ? { kind: 'reorder', percent: e.reorderPercentApprox }
      : { kind: 'held', percent: Math.round((imp.reorder / (100 + imp.reorder)) * 1000) / 10, holdMs: REORDER_HOLD_MS })
  }
  if (imp.duplicate > 0 && !stream) clauses.push({ kind: 'duplicate', percent: e.duplicatePercent })
  return clauses
}

/** `loss 20%, delay 50 ms ±10 ms, …` for log lines (English; the CLI words it with its own catalogue). */
export const describeImpairment = (impairment: Impairment): string => EN().impairment.describe(normalizeImpairment(impairment))
