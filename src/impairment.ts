import { invalidArg, sockkitError } from './errors.js'

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
      throw invalidArg(`${kind} must be a percentage from 0 to 100, not "${v}"`, { value: v })
    }
  }
  for (const kind of ['delay', 'jitter'] as const) {
    const v = full[kind]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_IMPAIRMENT_DELAY_MS) {
      throw invalidArg(`${kind} must be a number of ms from 0 to ${MAX_IMPAIRMENT_DELAY_MS}, not "${v}"`, { value: v })
    }
  }
  return full
}

/** The impairments that are switched on (non-zero), in {@link IMPAIRMENT_KINDS} order. */
export const activeImpairments = (impairment: Impairment): ImpairmentKind[] =>
  IMPAIRMENT_KINDS.filter(kind => (impairment[kind] ?? 0) > 0)

/** What a probe and its echo should see when each direction has `impairment`. */
export interface ExpectedRoundTrip {
  /** Probes with no copy back, percent. Exact for independent per-packet drops. */
  lossPercent: number
  /** Extra copies back per probe sent, percent (a probe with 2 copies back counts 1). Exact. */
  duplicatePercent: number
  /** Added RTT on average, ms: 2 × delay (exact while jitter ≤ delay; more when the 0 floor cuts in). */
  addedRttMs: number
  /** Smallest and largest added RTT, ms: 2 × max(0, delay − jitter) … 2 × (delay + jitter). */
  addedRttRangeMs: { min: number; max: number }
  /**
   * Probes held back in at least one direction, percent: 1 − (1 − h)², where h = r/(1+r) is the
   * share a relay holds when traffic is continuous (a datagram that overtakes a held one is
   * never held itself). An approximation of the reordering compare will count: a probe held on
   * the way out and its successor held on the way back can cancel out, and jitter larger than
   * the probe spacing reorders more.
   */
  reorderPercentApprox: number
  /** The sentence compare and link print: "36% loss, +40 ms RTT, …". */
  summary: string
}

/**
 * The round-trip effect of applying `impairment` to each direction independently.
 *
 * Loss p and duplication q each way (drop first, then duplicate what survived; every copy is
 * echoed and each echo faces its own drop): with K surviving forward copies
 * (P(K=0) = p, P(K=1) = (1−p)(1−q), P(K=2) = (1−p)q), the probe is lost when every echo is
 * dropped: p + P(K=1)·p + P(K=2)·p². With q = 0 that is 1 − (1 − p)²: 20% → 36%.
 * Copies back per probe: ((1−p)(1+q))²; duplicates are those beyond the first.
 */
export const expectedRoundTrip = (impairment: Impairment): ExpectedRoundTrip => {
  const imp = normalizeImpairment(impairment)
  const p = imp.loss / 100
  const q = imp.duplicate / 100
  const r = imp.reorder / 100
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
  const held = r / (1 + r)
  const reorder = 1 - (1 - held) ** 2
  const result = {
    lossPercent: round(lost * 100),
    duplicatePercent: round(duplicates * 100),
    addedRttMs: round(2 * meanOneWay),
    addedRttRangeMs: { min: round(2 * minOneWay), max: round(2 * maxOneWay) },
    reorderPercentApprox: round(reorder * 100),
  }
  return { ...result, summary: describeExpected(imp, result) }
}

const round = (n: number): number => Math.round(n * 1000) / 1000

const describeExpected = (imp: FullImpairment, e: Omit<ExpectedRoundTrip, 'summary'>): string => {
  const parts: string[] = []
  if (imp.loss > 0) parts.push(`${e.lossPercent}% of probes lost (${imp.loss}% each way)`)
  if (imp.delay > 0 || imp.jitter > 0) {
    parts.push(imp.jitter > 0
      ? `RTT +${e.addedRttMs} ms on average (+${e.addedRttRangeMs.min}…${e.addedRttRangeMs.max} ms)`
      : `RTT +${e.addedRttMs} ms`)
  }
  if (imp.reorder > 0) parts.push(`about ${e.reorderPercentApprox}% reordered`)
  if (imp.duplicate > 0) parts.push(`${e.duplicatePercent}% extra copies`)
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
  /** Packets (copies included) written out. */
  forwarded: number
  /** Packets that waited before being forwarded (delay or jitter > 0 ms). */
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
  const unsupported = (message: string) => sockkitError('ERR_SOCKKIT_UNSUPPORTED', message)
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
  // auto
  if (active.length === 0) return { emulator: 'userspace', reason: 'no impairment asked: a plain relay', appliedBy: {} }
  if (support.available && nonLoss.length === 0) {
    return { emulator: 'kernel', reason: `${support.reason}; only loss was asked, which the kernel does for real`, appliedBy: all('kernel') }
  }
  if (userspaceCannot.length === 0) {
    const whyNot = !support.available ? support.reason : kernelCannot(nonLoss)
    return { emulator: 'userspace', reason: `the userspace relay can do all of it (${whyNot})`, appliedBy: all('userspace') }
  }
  // TCP asked for loss/reorder/duplicate: only the kernel can drop, and nothing here can reorder or duplicate a stream.
  const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
  if (!support.available) throw unsupported(`${tcpCannot(userspaceCannot)}, and ${support.reason}`)
  if (tcpNonLoss.length > 0) throw unsupported(`${tcpCannot(tcpNonLoss)}, and ${kernelCannot(tcpNonLoss)}`)
  const appliedBy = all('userspace')
  appliedBy.loss = 'kernel'
  return {
    emulator: 'kernel+userspace',
    reason: `loss by the kernel (real TCP retransmissions), ${nonLoss.join(' and ')} by the userspace relay: ${support.netemReason}`,
    appliedBy,
  }
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
  /** Packets per protocol the nftables rules saw and dropped (kernel emulator only). */
  kernel?: { tcp: ImpairmentCounters; udp: ImpairmentCounters }
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
  if (transports.length === 0) throw invalidArg('at least one transport (tcp or udp) is needed')
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
    expected: expectedRoundTrip(imp), ...(kernel ? { kernelTable: kernel.table } : {}),
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
