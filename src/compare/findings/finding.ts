/**
 * The pieces every finding module shares: the typed finding builder, the transports shown
 * and their traits, and the kernel counters and late-probe figures several verdicts quote.
 */
import type { CompareResult, CompareTransportResult, KernelReport, KernelScope } from '../compare-types.js'
import type { Finding, FindingLevel, TransportId, TransportTraits } from '../transport-types.js'
import type { FindingParams } from './params.js'

/** Every finding code compare produces. */
export type FindingCode = keyof FindingParams

/** A finding whose params match its code (what compareFindings returns). */
export type CompareFinding<C extends FindingCode = FindingCode> =
  C extends FindingCode ? Finding & { code: C; params: FindingParams[C] } : never

/** Build one finding (the one place a code meets its params type). */
export const finding = <C extends FindingCode>(code: C, transport: TransportId | undefined, level: FindingLevel, params: FindingParams[C]): CompareFinding<C> =>
  ({ code, ...(transport === undefined ? {} : { transport }), level, params }) as unknown as CompareFinding<C>

/** The transports with results: those asked for in their order, then any others. */
export function shownTransports (result: CompareResult): TransportId[] {
  const asked: TransportId[] = result.config.transports.filter(id => result.results[id] !== undefined)
  const rest = Object.keys(result.results).filter(id => result.results[id] !== undefined && !asked.includes(id))
  return [...asked, ...rest]
}

/** A transport's traits; a result read back without them gets a datagram-like default. */
export function traitsOf (result: CompareResult, id: TransportId): TransportTraits {
  return result.transports[id] ??
    { label: id.toUpperCase(), reliable: false, ordered: false, framing: 'datagram', carriedOver: 'udp', maxProbeBytes: 0 }
}

/** Whose counters the kernel report holds: inside compare's own user namespace (kernel-userns…) they are that namespace's. */
export function kernelScope (result: CompareResult): KernelScope {
  return result.config.impairment?.emulator.startsWith('kernel-userns') ? 'namespace' : 'machine'
}

/** The kernel's counters of the run, only where they were read (null: not available). */
export function kernelCounters (kernel: KernelReport | undefined): { udp?: KernelReport['udp']; retransSegs: number | null } {
  if (kernel?.available !== true) return { retransSegs: null }
  return { udp: kernel.udp, retransSegs: kernel.tcp?.retransSegs ?? null }
}

/** What the late probes' clause needs: how many, the Tmax, and the --tmax given when it was too short. */
export function lateParams (result: CompareResult, r: CompareTransportResult): { late: number; tmaxMs: number; givenTmaxMs: number | null } {
  return { late: r.late, tmaxMs: r.tmaxMs, givenTmaxMs: r.late > 0 ? result.config.tmaxMs : null }
}
