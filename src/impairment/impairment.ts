import { invalidArgText, sockkitErrorText } from '../core/errors.js'

/**
 * What a link does to the traffic crossing it. Every field applies to EACH direction
 * independently (client→server and server→client), like netem on both ends of a wire.
 * All fields default to 0 (no impairment).
 */
export interface Impairment {
  /** Share of packets dropped, percent 0–100. */
  loss?: number
  /** Added one-way delay, ms. */
  delay?: number
  /** One-way delay varies uniformly within ±jitter ms around `delay` (never below 0), ms. */
  jitter?: number
  /** Share of datagrams held back until the next one has gone out, percent 0–100 (UDP only). */
  reorder?: number
  /** Share of packets sent twice, percent 0–100. */
  duplicate?: number
}

/** An {@link Impairment} with every field present. */
export type FullImpairment = Required<Impairment>

/** Which engine puts the impairment on the wire. */
export type EmulatorChoice = 'auto' | 'kernel' | 'userspace'
export type EmulatorKind = 'kernel' | 'userspace'

/** The names of the impairments, in the order they are applied and reported. */
export const IMPAIRMENT_KINDS = ['loss', 'delay', 'jitter', 'reorder', 'duplicate'] as const
export type ImpairmentKind = typeof IMPAIRMENT_KINDS[number]

/** Longest delay or jitter accepted, ms (a minute is already far beyond any real path). */
export const MAX_IMPAIRMENT_DELAY_MS = 60_000

/**
 * Fill in zeros and check every value: percentages 0–100, delay and jitter 0–60000 ms.
 * Throws ERR_SOCKKIT_INVALID_ARG naming the bad value.
 */
export const normalizeImpairment = (impairment: Impairment = {}): FullImpairment => {
  const full: FullImpairment = {
    loss: impairment.loss ?? 0,
    delay: impairment.delay ?? 0,
    jitter: impairment.jitter ?? 0,
    reorder: impairment.reorder ?? 0,
    duplicate: impairment.duplicate ?? 0,
  }
  for (const kind of ['loss', 'reorder', 'duplicate'] as const) {
    const v = full[kind]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
      throw invalidArgText(`${kind} must be a percentage from 0 to 100, not "${v}"`, { value: v })
    }
  }
  for (const kind of ['delay', 'jitter'] as const) {
    const v = full[kind]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_IMPAIRMENT_DELAY_MS) {
      throw invalidArgText(`${kind} must be a number of ms from 0 to ${MAX_IMPAIRMENT_DELAY_MS}, not "${v}"`, { value: v })
    }
  }
  return full
}

/** The impairments that are switched on (non-zero), in {@link IMPAIRMENT_KINDS} order. */
export const activeImpairments = (impairment: Impairment): ImpairmentKind[] =>
  IMPAIRMENT_KINDS.filter(kind => (impairment[kind] ?? 0) > 0)

/**
 * Longest a datagram held for reordering waits for a successor, ms (the UDP relay's default
 * `reorderHoldMs`). With no successor by then it goes out in order: this much late.
 */
export const REORDER_HOLD_MS = 100

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
  return { ...result, summary: describeExpected(imp, result, options) }
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

/**
 * One line when `--reorder` cannot do what it says at this probe spacing, else undefined: a
 * held datagram is reordered only if the next one comes within {@link REORDER_HOLD_MS}; at
 * wider spacing (or with request/reply traffic) each hold is just a delay of up to that long.
 */
export const reorderSpacingNote = (impairment: Impairment, intervalMs: number): string | undefined => {
  const imp = normalizeImpairment(impairment)
  if (imp.reorder === 0 || intervalMs < REORDER_HOLD_MS) return undefined
  return `--reorder needs probes less than ${REORDER_HOLD_MS} ms apart (these are ${formatMs(intervalMs)} apart): ` +
    `a held datagram waits at most ${REORDER_HOLD_MS} ms for the next one, so here each hold only adds up to ${REORDER_HOLD_MS} ms ` +
    `of delay instead of reordering — raise --rate above ${1000 / REORDER_HOLD_MS}/s to see reordering`
}

const formatMs = (ms: number): string => `${Math.round(ms * 10) / 10} ms`

const round = (n: number): number => Math.round(n * 1000) / 1000

const describeExpected = (imp: FullImpairment, e: Omit<ExpectedRoundTrip, 'summary'>, options: ExpectedRoundTripOptions): string => {
  const parts: string[] = []
  const stream = options.transport === 'tcp'
  if (imp.loss > 0) {
    parts.push(stream
      ? `0% lost: TCP retransmits what the ${imp.loss}% loss each way drops, so it arrives later instead`
      : `${e.lossPercent}% of probes lost (${imp.loss}% each way)`)
  }
  if (imp.delay > 0 || imp.jitter > 0) {
    parts.push(imp.jitter > 0
      ? `RTT +${e.addedRttMs} ms on average (+${e.addedRttRangeMs.min}…${e.addedRttRangeMs.max} ms)`
      : `RTT +${e.addedRttMs} ms`)
  }
  if (imp.reorder === 0 && imp.jitter > 0 && e.reorderPercentApprox > 0) {
    parts.push(`about ${e.reorderPercentApprox}% reordered by the jitter`)
  }
  if (imp.reorder > 0 && !stream) {
    if (options.intervalMs !== undefined) parts.push(`about ${e.reorderPercentApprox}% reordered`)
    else {
      // Unknown traffic: what the relay does each way is certain, how it shows end to end is not.
      const held = Math.round((imp.reorder / (100 + imp.reorder)) * 1000) / 10
      parts.push(`about ${held}% of datagrams held back each way, each sent after the next one if that comes within ` +
        `${REORDER_HOLD_MS} ms, else in order ${REORDER_HOLD_MS} ms late`)
    }
  }
  if (imp.duplicate > 0 && !stream) parts.push(`${e.duplicatePercent}% extra copies`)
  return parts.length ? `expected round trip: ${parts.join(', ')}` : 'no impairment'
}

/** `loss 20%, delay 50 ms ±10 ms, …` for log lines. */
export const describeImpairment = (impairment: Impairment): string => {
  const imp = normalizeImpairment(impairment)
  const parts: string[] = []
  if (imp.loss > 0) parts.push(`loss ${imp.loss}%`)
  if (imp.delay > 0 || imp.jitter > 0) parts.push(`delay ${imp.delay} ms` + (imp.jitter > 0 ? ` ±${imp.jitter} ms` : ''))
  if (imp.reorder > 0) parts.push(`reorder ${imp.reorder}%`)
  if (imp.duplicate > 0) parts.push(`duplicate ${imp.duplicate}%`)
  return parts.length ? `${parts.join(', ')} each way` : 'no impairment (a plain relay)'
}

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * A small seedable PRNG (mulberry32: 32-bit state, period 2³², passes the usual
 * statistical batteries well enough for drop decisions). Same seed, same sequence.
 * Without a seed, one is drawn from Math.random.
 */
export const createRandom = (seed?: number): Random => {
  let state = (seed === undefined ? Math.floor(Math.random() * 2 ** 32) : seed) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * A seed for an independent sub-stream (one per direction and flow), so the decisions
 * in one direction do not depend on how much traffic the other direction carried.
 */
export const deriveSeed = (seed: number, ...stream: number[]): number => {
  let h = seed >>> 0
  for (const s of stream) {
    h = Math.imul(h ^ (s + 0x9e3779b9), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}

/** A fresh random seed, for runs where none was given (reported so the run can be repeated). */
export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32) >>> 0

/** One way through a link. */
export type Direction = 'client-to-server' | 'server-to-client'

/** What one direction of a relay did so far. */
export interface DirectionCounters {
  /** Packets (datagrams, or TCP chunks read) that entered this direction. */
  received: number
  /** Packets dropped on purpose. */
  dropped: number
  /**
   * Packets (copies included) written out. UDP: received − dropped + duplicated, less those the
   * delay queue refused (overflow) and those still delayed when the relay stopped.
   */
  forwarded: number
  /** Packets, duplicate copies included, put in the delay queue (delay or jitter > 0 ms). */
  delayed: number
  /** Datagrams held back and sent after their successor. */
  reordered: number
  /** Extra copies sent. */
  duplicated: number
  /** Bytes written out. */
  bytesForwarded: number
}

/** Counters for both directions. */
export interface ImpairmentCounters {
  clientToServer: DirectionCounters
  serverToClient: DirectionCounters
}

export const emptyDirectionCounters = (): DirectionCounters =>
  ({ received: 0, dropped: 0, forwarded: 0, delayed: 0, reordered: 0, duplicated: 0, bytesForwarded: 0 })

export const emptyCounters = (): ImpairmentCounters =>
  ({ clientToServer: emptyDirectionCounters(), serverToClient: emptyDirectionCounters() })

/** Field-wise sum, for totals over several relays. */
export const addCounters = (a: ImpairmentCounters, b: ImpairmentCounters): ImpairmentCounters => {
  const add = (x: DirectionCounters, y: DirectionCounters): DirectionCounters => ({
    received: x.received + y.received,
    dropped: x.dropped + y.dropped,
    forwarded: x.forwarded + y.forwarded,
    delayed: x.delayed + y.delayed,
    reordered: x.reordered + y.reordered,
    duplicated: x.duplicated + y.duplicated,
    bytesForwarded: x.bytesForwarded + y.bytesForwarded,
  })
  return { clientToServer: add(a.clientToServer, b.clientToServer), serverToClient: add(a.serverToClient, b.serverToClient) }
}

/**
 * One-way delay for one packet, ms: `delay` plus a uniform draw in [−jitter, +jitter],
 * floored at 0. Uniform rather than normal: bounded (no rare 5-sigma outliers that look
 * like a bug in class) and its range is exactly what the user typed.
 */
export const drawDelayMs = (imp: FullImpairment, random: Random): number => {
  if (imp.jitter === 0) return imp.delay
  return Math.max(0, imp.delay + (random() * 2 - 1) * imp.jitter)
}

/** Which engine applies each impairment in a run. */
export type AppliedBy = 'kernel' | 'userspace'

/** The emulator decision for a run, before anything is started. */
export interface EmulatorPlan {
  /** What runs: the kernel alone, the userspace relay alone, or kernel loss with relay delay. */
  emulator: EmulatorKind | 'kernel+userspace'
  /** One sentence: why this emulator (and, for auto, why not the other). */
  reason: string
  /** Who applies each active impairment. */
  appliedBy: Partial<Record<ImpairmentKind, AppliedBy>>
}

/** The capabilities {@link planEmulator} needs to know about (see `detectKernelSupport()` in nft-emulator). */
export interface EmulatorSupport {
  /** Kernel loss possible here (Linux, root, nft). */
  available: boolean
  /** Why not, when not. */
  reason: string
  /** Why the kernel cannot delay/jitter/reorder/duplicate. */
  netemReason: string
}

const STREAM_IMPOSSIBLE: ImpairmentKind[] = ['loss', 'reorder', 'duplicate']

/**
 * Choose the emulator, or throw ERR_SOCKKIT_UNSUPPORTED with one sentence saying what
 * cannot be done and why. Pure: the caller passes what the machine supports.
 *
 * - kernel: loss only (via nftables); asking it for delay, jitter, reorder or duplicate is an
 *   error that quotes the netem finding.
 * - userspace: everything for UDP; for TCP only delay and jitter (a relay sees a byte
 *   stream, not segments, so it cannot lose, reorder or duplicate them honestly).
 * - auto: kernel when it can do everything asked; else userspace when it can; else kernel
 *   loss plus relay delay/jitter (TCP loss with delay, as root); else the error.
 */
export const planEmulator = (
  choice: EmulatorChoice,
  impairment: Impairment,
  transports: Array<'tcp' | 'udp'>,
  support: EmulatorSupport,
): EmulatorPlan => {
  const imp = normalizeImpairment(impairment)
  const active = activeImpairments(imp)
  const nonLoss = active.filter(k => k !== 'loss')
  const tcp = transports.includes('tcp')
  const userspaceCannot = tcp ? active.filter(k => STREAM_IMPOSSIBLE.includes(k)) : []
  const all = (by: AppliedBy) => Object.fromEntries(active.map(k => [k, by])) as EmulatorPlan['appliedBy']
  const unsupported = (message: string) => sockkitErrorText('ERR_SOCKKIT_UNSUPPORTED', message)
  const kernelCannot = (kinds: ImpairmentKind[]) => `the kernel emulator cannot ${kinds.join(', ')}: ${support.netemReason}`
  const tcpCannot = (kinds: ImpairmentKind[]) =>
    `the userspace relay cannot ${kinds.map(k => k === 'loss' ? 'lose' : k).join(', ')} TCP segments (it sees a byte stream, and faking it would corrupt the stream)`

  if (choice === 'kernel') {
    if (!support.available) throw unsupported(support.reason)
    if (nonLoss.length > 0) throw unsupported(`${kernelCannot(nonLoss)} — use --emulator auto to add them with the userspace relay`)
    return { emulator: 'kernel', reason: `asked for the kernel emulator: ${support.reason}`, appliedBy: all('kernel') }
  }
  if (choice === 'userspace') {
    if (userspaceCannot.length > 0) {
      throw unsupported(`${tcpCannot(userspaceCannot)} — use UDP, or the kernel emulator (Linux, root, nft) for real TCP loss`)
    }
    return { emulator: 'userspace', reason: 'asked for the userspace relay', appliedBy: all('userspace') }
  }
  // auto: the most real emulator for each impairment. Loss is the kernel's whenever it can
  // drop here (both transports: real drops, and real retransmissions for TCP); everything
  // else is the relay's, since sockkit does not drive netem.
  if (active.length === 0) return { emulator: 'userspace', reason: 'no impairment asked: a plain relay', appliedBy: {} }
  const relayKinds = nonLoss.join(', ')
  const relayOnly = `${relayKinds} by the userspace relay (sockkit's kernel emulator only drops packets)`
  if (imp.loss > 0 && support.available) {
    const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
    if (tcpNonLoss.length > 0) throw unsupported(`${tcpCannot(tcpNonLoss)}, and ${kernelCannot(tcpNonLoss)}`)
    const drops = `loss by the kernel (${support.reason}${tcp ? '; TCP retransmits for real' : ''})`
    if (nonLoss.length === 0) return { emulator: 'kernel', reason: drops, appliedBy: all('kernel') }
    const appliedBy = all('userspace')
    appliedBy.loss = 'kernel'
    return { emulator: 'kernel+userspace', reason: `${drops}; ${relayOnly}`, appliedBy }
  }
  if (userspaceCannot.length === 0) {
    const reason = imp.loss > 0
      ? `the userspace relay does all of it for UDP, loss included: the kernel cannot drop packets here (${support.reason})`
      : `${relayKinds} by the userspace relay: no loss was asked, and sockkit's kernel emulator only drops packets`
    return { emulator: 'userspace', reason, appliedBy: all('userspace') }
  }
  // TCP asked for loss/reorder/duplicate: only the kernel can drop, and nothing here can reorder or duplicate a stream.
  const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
  if (tcpNonLoss.length > 0) throw unsupported(`${tcpCannot(tcpNonLoss)}, and ${kernelCannot(tcpNonLoss)}`)
  throw unsupported(`${tcpCannot(userspaceCannot)}, and ${support.reason}`)
}

/** What {@link impairmentFlagsProblem} needs to know about the kernel emulator (see `detectKernelSupport()`). */
export interface KernelAvailability {
  available: boolean
  linux: boolean
  root: boolean
  nft?: string
}

/**
 * The one sentence that explains why an impairment cannot be applied as asked, or undefined
 * when it can: the same rules, wording and advice for `compare` and `link`, so the same
 * impossible command line is the same usage error (exit 2) in both, and the advice given
 * does not lead into the next refusal. Pure.
 *
 * `kernel` is only consulted for TCP loss under `--emulator auto` with TCP alone: the one case
 * where whether it can run depends on this machine. An explicit `--emulator kernel` without
 * root stays a runtime failure (exit 1), like any other missing privilege. compare with both
 * transports under auto is never refused here: TCP then runs with what a stream can take and
 * the output says why.
 */
export const impairmentFlagsProblem = (flags: {
  command: 'compare' | 'link'
  transports: Array<'tcp' | 'udp'>
  impairment: Impairment
  emulator: EmulatorChoice
}, kernel?: KernelAvailability): string | undefined => {
  const imp = normalizeImpairment(flags.impairment)
  const { emulator } = flags
  const tcp = flags.transports.includes('tcp')
  const tcpOnly = tcp && !flags.transports.includes('udp')
  const udpFlag = flags.command === 'link' ? '--udp' : '--transports udp'
  const orAuto = flags.command === 'compare' && !tcpOnly
    ? ', or leave --emulator at auto: TCP then runs without it and the output says why'
    : ''
  const streamKinds = (['reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0)
  if (tcp && streamKinds.length > 0 && (tcpOnly || emulator === 'userspace')) {
    const why = streamKinds.map(kind => kind === 'reorder'
      ? 'reorder (TCP delivers bytes in order, so a program never sees reordered segments)'
      : 'duplicate (TCP discards duplicate segments, and copying bytes would corrupt the stream)')
    return `TCP cannot ${why.join(' or ')}; use ${udpFlag}${emulator === 'kernel' ? ' with --emulator auto' : ''} to watch ` +
      `${streamKinds.length === 2 ? 'them' : 'it'}${orAuto}`
  }
  if (emulator === 'kernel') {
    const nouns = { delay: 'delay', jitter: 'jitter', reorder: 'reordering', duplicate: 'duplication' } as const
    const others = (['delay', 'jitter', 'reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0).map(kind => nouns[kind])
    if (others.length > 0) {
      return `--emulator kernel only drops packets (an nftables table) and cannot add ${others.join(' or ')}; ` +
        'use --emulator auto: the kernel drops, the userspace relay adds the rest'
    }
  }
  if (tcp && imp.loss > 0 && emulator === 'userspace') {
    return 'the userspace relay cannot lose TCP packets: it sees a byte stream, and dropping bytes would corrupt it rather than make TCP retransmit; ' +
      `use ${udpFlag}, or ` + (orAuto
      ? 'leave --emulator at auto (as root on Linux with nft the kernel then drops TCP segments for real; without, TCP runs without loss and the output says why)'
      : '--emulator auto as root on Linux with nft (the kernel then drops TCP segments for real)')
  }
  if (tcpOnly && imp.loss > 0 && emulator === 'auto' && kernel && !kernel.available) {
    const why = !kernel.linux ? `it needs Linux, and this is ${process.platform}` : !kernel.root ? 'it needs root (run with sudo)' : 'it needs the nft command (the nftables package)'
    return 'the TCP relay cannot lose packets (dropping bytes would corrupt the stream, not make TCP retransmit), and real TCP loss ' +
      `needs the kernel emulator, which cannot run here: ${why}; or use ${udpFlag}`
  }
  return undefined
}

/**
 * {@link impairmentFlagsProblem}, checking the kernel first when (and only when) the answer
 * depends on it: TCP alone with loss under auto.
 */
export const checkImpairmentFlags = async (flags: Parameters<typeof impairmentFlagsProblem>[0]): Promise<{ problem?: string; support?: import('./nft-emulator.js').KernelSupport }> => {
  const first = impairmentFlagsProblem(flags)
  if (first !== undefined) return { problem: first }
  const tcpOnly = flags.transports.includes('tcp') && !flags.transports.includes('udp')
  if (!(tcpOnly && (flags.impairment.loss ?? 0) > 0 && flags.emulator === 'auto')) return {}
  const support = await (await import('./nft-emulator.js')).detectKernelSupport()
  const problem = impairmentFlagsProblem(flags, support)
  return problem === undefined ? { support } : { problem, support }
}

/** Options for {@link startImpairment}. */
export interface StartImpairmentOptions {
  /** What to apply, each direction independently. */
  impairment: Impairment
  /** Default 'auto'. */
  emulator?: EmulatorChoice
  /** Transports that will cross the link. */
  transports: Array<'tcp' | 'udp'>
  /** The real server. */
  target: { host: string; port: number }
  /** Address the relays bind. Default 127.0.0.1. */
  listenHost?: string
  /**
   * Port the relays listen on (TCP and UDP share the number). When given, a relay always runs
   * and the kernel table matches this port (what `sockkit link` does). When omitted, relays take
   * free ports, and a kernel-only run starts no relay at all: the table matches the target's
   * port and the endpoints are the target itself (what compare needs).
   */
  listenPort?: number
  /** PRNG seed for the relays. Default random (reported). */
  seed?: number
  /** TCP relay pacing, bytes/s per direction; 0 = off. Default 0. */
  pacingBytesPerSecond?: number
  /** UDP client mappings kept at once. Default 256. */
  maxClients?: number
  /**
   * Which client addresses the relays serve (TCP: destroyed at once; UDP: not forwarded).
   * Applied by the relays, so a kernel-only run without `listenPort` (no relay) ignores it.
   * Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** Per-datagram / per-chunk events (default true); totals are kept either way. */
  packetEvents?: boolean
  /**
   * ms between the packets the caller will send, when known (compare's probe interval): the
   * reorder figure in `config.expected` is then for that spacing. See {@link expectedRoundTrip}.
   */
  intervalMs?: number
  /** Stops everything when aborted (stop() still resolves with the report). */
  signal?: AbortSignal
  /** Every relay event, tagged with its transport, plus kernel-table events. Must not throw. */
  onEvent?: (event: ImpairmentEvent) => void
  /** What the machine supports; default: detected (`detectKernelSupport()`). */
  support?: EmulatorSupport
}

export type ImpairmentEvent =
  | ({ transport: 'udp' } & import('./udp-relay.js').UdpRelayEvent)
  | ({ transport: 'tcp' } & import('./tcp-relay.js').TcpRelayEvent)
  | { transport: 'kernel'; type: 'kernel-table'; table: string; ports: number[]; protocols: Array<'tcp' | 'udp'>; loss: number; watchdogPid?: number }
  | { transport: 'kernel'; type: 'stale-tables-removed'; tables: string[] }

/** Counters per layer: what each relay did and what the kernel table saw and dropped. */
export interface ImpairmentCountersReport {
  tcp?: ImpairmentCounters
  udp?: ImpairmentCounters
  /** Packets per protocol the nftables rules saw and dropped (kernel emulator only; only this run's protocols). */
  kernel?: { tcp?: ImpairmentCounters; udp?: ImpairmentCounters }
}

/**
 * `config.impairment` in compare's JSON: the same keys the CLI options have, plus who
 * applied what and what was expected.
 */
export interface ImpairmentConfig extends FullImpairment {
  emulator: EmulatorPlan['emulator']
  reason: string
  appliedBy: EmulatorPlan['appliedBy']
  seed: number
  expected: ExpectedRoundTrip
  kernelTable?: string
}

/** What {@link RunningImpairment.stop} resolves with. */
export interface ImpairmentReport {
  config: ImpairmentConfig
  counters: ImpairmentCountersReport
  durationMs: number
  /** Stale tables of dead runs removed at start (kernel emulator). */
  staleTablesRemoved: string[]
}

/** A running impairment: where to send traffic, live counters, and stop(). */
export interface RunningImpairment {
  emulator: EmulatorPlan['emulator']
  reason: string
  appliedBy: EmulatorPlan['appliedBy']
  seed: number
  /** Where clients should send each transport's traffic. */
  endpoints: { tcp?: { host: string; port: number }; udp?: { host: string; port: number } }
  config: ImpairmentConfig
  /** Counters so far (reads the kernel table's counters when there is one). */
  counters (): Promise<ImpairmentCountersReport>
  /** Stop relays, delete the kernel table, resolve with the totals. Safe to call twice. */
  stop (): Promise<ImpairmentReport>
}

/**
 * Put `impairment` between clients and `target`, with the emulator {@link planEmulator}
 * chooses. Rejects with ERR_SOCKKIT_UNSUPPORTED when the emulator cannot do what is asked,
 * ERR_SOCKKIT_INVALID_ARG for bad values, or Node's error when a relay cannot bind.
 */
export const startImpairment = async (options: StartImpairmentOptions): Promise<RunningImpairment> => {
  const imp = normalizeImpairment(options.impairment)
  const transports = [...new Set(options.transports)]
  if (transports.length === 0) throw invalidArgText('at least one transport (tcp or udp) is needed')
  const choice = options.emulator ?? 'auto'
  // Check the kernel whenever the plan may need it or name it: loss, and for TCP also
  // reorder/duplicate (only the kernel could do those to a stream) — else a refusal would
  // cite a placeholder reason instead of this machine's.
  const tcpStreamImpossible = transports.includes('tcp') && (imp.reorder > 0 || imp.duplicate > 0)
  const needsKernelCheck = choice === 'kernel' || (choice === 'auto' && (imp.loss > 0 || tcpStreamImpossible))
  const support = options.support ?? (needsKernelCheck
    ? await (await import('./nft-emulator.js')).detectKernelSupport()
    : { available: false, reason: 'the kernel emulator was not needed', netemReason: 'not checked' })
  const plan = planEmulator(choice, imp, transports, support)
  const seed = options.seed ?? randomSeed()
  const listenHost = options.listenHost ?? '127.0.0.1'
  const startedAt = Date.now()
  const emit = options.onEvent ?? (() => {})
  const useKernel = plan.appliedBy.loss === 'kernel'
  const needRelay = options.listenPort !== undefined || plan.emulator !== 'kernel'
  // The relays do what the plan gives them; loss stays with the kernel when it has it.
  const relayImpairment: FullImpairment = { ...imp, ...(useKernel || plan.emulator === 'kernel' ? { loss: 0 } : {}) }

  const { UdpRelay } = needRelay && transports.includes('udp') ? await import('./udp-relay.js') : { UdpRelay: undefined }
  const { TcpRelay } = needRelay && transports.includes('tcp') ? await import('./tcp-relay.js') : { TcpRelay: undefined }
  const udp = UdpRelay && new UdpRelay({
    target: options.target, host: listenHost, port: options.listenPort ?? 0, impairment: relayImpairment, seed,
    maxClients: options.maxClients, addressFilter: options.addressFilter, datagramEvents: options.packetEvents ?? true, onEvent: e => emit({ transport: 'udp', ...e }),
  })
  const tcp = TcpRelay && new TcpRelay({
    target: options.target, host: listenHost, port: options.listenPort ?? 0, impairment: relayImpairment, seed,
    pacingBytesPerSecond: options.pacingBytesPerSecond, addressFilter: options.addressFilter, chunkEvents: options.packetEvents ?? true, onEvent: e => emit({ transport: 'tcp', ...e }),
  })
  const endpoints: RunningImpairment['endpoints'] = {}
  let kernel: import('./nft-emulator.js').NftLoss | undefined
  const closeRelays = async () => {
    const [t, u] = await Promise.all([tcp?.close(), udp?.close()])
    return { tcp: t?.counters, udp: u?.counters }
  }
  try {
    if (tcp) endpoints.tcp = await tcp.listen().then(a => ({ host: a.address, port: a.port }))
    if (udp) endpoints.udp = await udp.listen().then(a => ({ host: a.address, port: a.port }))
    if (!needRelay) for (const t of transports) endpoints[t] = { ...options.target }
    if (useKernel) {
      const { NftLoss } = await import('./nft-emulator.js')
      const ports = needRelay ? [...new Set(Object.values(endpoints).map(e => e.port))] : [options.target.port]
      kernel = await NftLoss.start({ loss: imp.loss, ports, protocols: transports })
      if (kernel.staleTablesRemoved.length) emit({ transport: 'kernel', type: 'stale-tables-removed', tables: kernel.staleTablesRemoved })
      emit({ transport: 'kernel', type: 'kernel-table', table: kernel.table, ports, protocols: transports, loss: imp.loss, ...(kernel.watchdog ? { watchdogPid: kernel.watchdog } : {}) })
    }
  } catch (e) {
    await closeRelays()
    await kernel?.stop()
    throw e
  }

  const config: ImpairmentConfig = {
    ...imp, emulator: plan.emulator, reason: plan.reason, appliedBy: plan.appliedBy, seed,
    expected: expectedRoundTrip(imp, {
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(transports.length === 1 && transports[0] === 'tcp' ? { transport: 'tcp' } : {}),
    }),
    ...(kernel ? { kernelTable: kernel.table } : {}),
  }
  let stopping: Promise<ImpairmentReport> | undefined
  const running: RunningImpairment = {
    emulator: plan.emulator, reason: plan.reason, appliedBy: plan.appliedBy, seed, endpoints, config,
    counters: async () => ({
      ...(tcp ? { tcp: tcp.counters() } : {}),
      ...(udp ? { udp: udp.counters() } : {}),
      ...(kernel ? { kernel: await kernel.counters() } : {}),
    }),
    stop: () => {
      stopping ??= (async () => {
        const relays = await closeRelays()
        const kernelSummary = await kernel?.stop()
        return {
          config,
          counters: {
            ...(relays.tcp ? { tcp: relays.tcp } : {}),
            ...(relays.udp ? { udp: relays.udp } : {}),
            ...(kernelSummary ? { kernel: kernelSummary.counters } : {}),
          },
          durationMs: Date.now() - startedAt,
          staleTablesRemoved: kernel?.staleTablesRemoved ?? [],
        }
      })()
      return stopping
    },
  }
  if (options.signal) {
    if (options.signal.aborted) void running.stop()
    else options.signal.addEventListener('abort', () => { void running.stop() }, { once: true })
  }
  return running
}
