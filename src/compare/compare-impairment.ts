/**
 * compare's impairment glue: start the impairment in front of the reflector (degrading what a
 * stream cannot take), and set what each transport should have seen beside what it measured.
 * Impairments act on the IP transport underneath, so everything here is keyed by `carriedOver`.
 */
import {
  activeImpairments, expectedRoundTrip, normalizeImpairment, reorderRangePercent, startImpairment,
  type FullImpairment, type ImpairmentCountersReport, type ImpairmentKind, type RunningImpairment,
} from '../impairment/impairment.js'
import type { TransportRun } from './compare-stats.js'
import type { CompareConfig, CompareImpairmentConfig, CompareImpairmentRequest, CompareTransportResult, ImpairmentOutcome, TcpDegradedReason } from './compare-types.js'
import type { TransportTraits } from './transport-types.js'

type Carrier = TransportTraits['carriedOver']

/** The impairment as compare runs it: one or two startImpairment runs, and what each IP transport got. */
export interface CompareImpairment {
  config: CompareImpairmentConfig
  endpoints: RunningImpairment['endpoints']
  /** What each IP transport actually faces. */
  applied: Record<Carrier, { impairment: FullImpairment; appliedBy: ImpairmentOutcome['appliedBy']; notApplied: ImpairmentKind[] }>
  /** Largest round-trip time the impairment can add, ms (raises the automatic Tmax). */
  extraWaitMs: number
  stop: () => Promise<ImpairmentCountersReport>
}

/** Why TCP ran without some asked impairments, as codes (the catalogue words them). */
const tcpDegradedReason = (notApplied: ImpairmentKind[]): TcpDegradedReason[] => [
  ...(notApplied.includes('loss') ? ['loss-needs-kernel' as const] : []),
  ...(notApplied.some(k => k !== 'loss') ? ['stream-kinds' as const] : []),
]

/**
 * Start the impairment between compare and the reflector. With `auto`, both transports and
 * an impairment TCP cannot take here (loss without root/nft; reorder or duplicate anywhere),
 * UDP gets everything and TCP gets what can honestly be applied to a stream — a teacher's
 * `compare --loss 5` still shows UDP losing and TCP's delay, and the output says why TCP did
 * not lose. With an explicit emulator, or one transport, the library's error stands.
 */
export const startCompareImpairment = async (config: CompareConfig, carriers: Carrier[], request: CompareImpairmentRequest): Promise<CompareImpairment> => {
  const imp = normalizeImpairment(request.impairment)
  const common = {
    emulator: request.emulator ?? 'auto',
    target: { host: config.host, port: config.port },
    packetEvents: false,
    intervalMs: config.intervalMs,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.support ? { support: request.support } : {}),
    ...(request.onEvent ? { onEvent: request.onEvent } : {}),
  } as const
  const extraWaitMs = 2 * (imp.delay + imp.jitter)
  const outcome = (run: RunningImpairment | undefined, applied: FullImpairment) =>
    ({ impairment: applied, appliedBy: run?.appliedBy ?? {}, notApplied: activeImpairments(imp).filter(k => applied[k] === 0) })
  const stopAll = async (runs: Array<RunningImpairment | undefined>): Promise<ImpairmentCountersReport> => {
    const reports = await Promise.all(runs.map(r => r?.stop()))
    // Each run may have its own kernel table (UDP's and TCP's): merge per protocol, not per run.
    const kernel = Object.assign({}, ...reports.map(r => r?.counters.kernel ?? {})) as ImpairmentCountersReport['kernel']
    return Object.assign({}, ...reports.map(r => r?.counters ?? {}), Object.keys(kernel ?? {}).length > 0 ? { kernel } : {}) as ImpairmentCountersReport
  }

  let whole: RunningImpairment
  try {
    whole = await startImpairment({ ...common, impairment: imp, transports: carriers })
  } catch (err) {
    const degradable = (err as { code?: string }).code === 'ERR_SOCKKIT_UNSUPPORTED' && common.emulator === 'auto' &&
      carriers.includes('tcp') && carriers.includes('udp')
    if (!degradable) throw err
    const degraded = await startDegraded(config, imp, common, extraWaitMs, outcome, stopAll)
    const tcpDegraded = degraded.config.tcpDegraded
    if (tcpDegraded && request.lossUnavailable && tcpDegraded.notApplied.includes('loss')) tcpDegraded.lossUnavailable = request.lossUnavailable
    return degraded
  }
  const applied = { tcp: outcome(whole, imp), udp: outcome(whole, imp) }
  return { config: whole.config, endpoints: whole.endpoints, applied, extraWaitMs, stop: () => stopAll([whole]) }
}

const startDegraded = async (
  config: CompareConfig,
  imp: FullImpairment,
  common: Omit<Parameters<typeof startImpairment>[0], 'impairment' | 'transports'>,
  extraWaitMs: number,
  outcome: (run: RunningImpairment | undefined, applied: FullImpairment) => CompareImpairment['applied']['tcp'],
  stopAll: (runs: Array<RunningImpairment | undefined>) => Promise<ImpairmentCountersReport>,
): Promise<CompareImpairment> => {
  const udp = await startImpairment({ ...common, impairment: imp, transports: ['udp'] })
  let tcp: RunningImpairment | undefined
  // A stream can never be reordered or duplicated here; loss only by the kernel.
  let tcpImpairment: FullImpairment = { ...imp, reorder: 0, duplicate: 0 }
  try {
    for (;;) {
      if (activeImpairments(tcpImpairment).length === 0) break
      try {
        tcp = await startImpairment({ ...common, impairment: tcpImpairment, transports: ['tcp'] })
        break
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_SOCKKIT_UNSUPPORTED' || tcpImpairment.loss === 0) throw err
        tcpImpairment = { ...tcpImpairment, loss: 0 }
      }
    }
  } catch (err) {
    await udp.stop()
    throw err
  }
  const applied = { udp: outcome(udp, imp), tcp: outcome(tcp, tcpImpairment) }
  const configOut: CompareImpairmentConfig = {
    ...udp.config,
    tcpDegraded: {
      notApplied: applied.tcp.notApplied,
      reason: tcpDegradedReason(applied.tcp.notApplied),
      ...(tcp ? { applied: tcp.config } : {}),
    },
  }
  // Without a TCP run, TCP probes go straight to the reflector (config.host/port).
  const endpoints = { udp: udp.endpoints.udp, ...(tcp ? { tcp: tcp.endpoints.tcp } : {}) }
  return { config: configOut, endpoints, applied, extraWaitMs, stop: () => stopAll([udp, tcp]) }
}

/**
 * ms between probes for the reorder expectation: the schedule's interval; with --blast (no
 * schedule) the mean spacing the probes were actually sent at — back to back (0) would
 * predict far more jitter reordering than a sender ever achieves.
 */
export const probeSpacingMs = (config: CompareConfig, run: TransportRun | undefined): number => {
  if (!config.blast) return config.intervalMs
  const sends = run?.sends ?? []
  if (sends.length < 2) return 0
  return (sends.at(-1)!.actualMs - sends[0]!.actualMs) / (sends.length - 1)
}

/** Expected round-trip effect next to the measured one, for one transport. */
export const impairmentOutcome = (traits: TransportTraits, r: CompareTransportResult, impaired: CompareImpairment, intervalMs: number): ImpairmentOutcome => {
  const transport = traits.carriedOver
  const { impairment, appliedBy, notApplied } = impaired.applied[transport]
  // The reorder figure depends on the probe spacing (a held probe needs a successor within the
  // hold; jitter reorders probes closer than its spread). For TCP, which retransmits every
  // dropped segment and delivers in order, it gives 0% lost, duplicated and reordered
  // without simulating anything.
  const e = expectedRoundTrip(impairment, { intervalMs, transport })
  const pct = (n: number) => (r.sent === 0 ? 0 : Math.round((n / r.sent) * 100_000) / 1000)
  const lossRange = lossRangePercent(e.lossPercent, r.sent)
  const reorderedPercent = pct(r.reordered)
  // An ordered transport never delivers out of order: no range for it. Seeded, so the same run shape gives the same range.
  const reorderRange = !traits.ordered && (impairment.reorder > 0 || impairment.jitter > 0)
    ? reorderRangePercent(impairment, intervalMs, r.sent)
    : undefined
  return {
    appliedBy,
    notApplied,
    expected: {
      lossPercent: e.lossPercent,
      lossRangePercent: lossRange,
      duplicatePercent: e.duplicatePercent,
      reorderPercentApprox: e.reorderPercentApprox,
      ...(reorderRange ? { reorderRangePercent: reorderRange } : {}),
      addedRttMs: e.addedRttMs,
      addedRttRangeMs: e.addedRttRangeMs,
    },
    measured: {
      lossPercent: r.lossPercent,
      // A little slack for the rounding of the percentages compared.
      lossWithinRange: r.lossPercent >= lossRange.low - 1e-9 && r.lossPercent <= lossRange.high + 1e-9,
      duplicatePercent: pct(r.duplicates),
      reorderedPercent,
      ...(reorderRange ? { reorderWithinRange: reorderedPercent >= reorderRange.low - 1e-9 && reorderedPercent <= reorderRange.high + 1e-9 } : {}),
      minRttMs: r.rttMs.min,
      p50RttMs: r.rttMs.p50,
    },
  }
}

/**
 * The binomial range for a loss of `expectedPercent` over `probes` probes: ± 2 standard
 * deviations (about 95% of runs fall inside), rounded to 0.01 points, clamped to 0–100.
 */
export const lossRangePercent = (expectedPercent: number, probes: number): ImpairmentOutcome['expected']['lossRangePercent'] => {
  const p = expectedPercent / 100
  const sdPercent = probes === 0 ? 0 : 100 * Math.sqrt((p * (1 - p)) / probes)
  const round = (x: number) => Math.round(x * 100) / 100
  return {
    low: round(Math.max(0, expectedPercent - 2 * sdPercent)),
    high: round(Math.min(100, expectedPercent + 2 * sdPercent)),
    sdPercent: round(sdPercent),
    probes,
  }
}
