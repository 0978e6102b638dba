/**
 * The headline: what differed between the transports, as data — one line per transport
 * (loss, RTT tail, its ratio to the fastest other one, the likely cause) and, when a
 * difference is within this run's noise, one line saying so. Noise is judged by the run's
 * two halves (docs/dev/findings.md, "headline"): a difference each half shows on its own
 * is the run's; one that only the whole run shows is within its noise.
 */
import type { CompareResult, CompareTransportResult } from '../compare-types.js'
import type { Finding, TransportId } from '../transport-types.js'
import type { HalfSummary } from '../compare-stats.js'
import type { TailName } from './params.js'
import { shownTransports } from './finding.js'

/** What the headline gives as the likely cause of a transport's loss or tail. */
export type HeadlineCause =
  | 'retransmissions' | 'head-of-line' | 'machine-stall' | 'sender-lag' | 'queue'
  | 'receive-buffer' | 'impairment' | 'network' | 'send-refused' | 'connection-lost' | 'late'

export type HeadlineParams = {
  /** ratio: this tail ÷ the fastest other one's, when ≥ {@link RATIO_SHOWN}; else null (other null too). */
  'headline-transport': {
    lossPercent: number; tail: TailName; tailMs: number | null
    ratio: number | null; other: TransportId | null; cause: HeadlineCause | null
  }
  /**
   * A difference the run's two halves do not both show: this transport's tail (ms) or loss (%)
   * and the other's, in the first half and the second (null: too few samples for the tail).
   */
  'headline-noise': {
    measure: 'tail' | 'loss'; tail: TailName; other: TransportId
    firstMine: number | null; firstOther: number | null; secondMine: number | null; secondOther: number | null
  }
}
export type HeadlineCode = keyof HeadlineParams
export type HeadlineFinding<C extends HeadlineCode = HeadlineCode> =
  C extends HeadlineCode ? Finding & { code: C; params: HeadlineParams[C] } : never

/** A tail ratio below this is not called a difference (10%: below what a class reads into). */
export const RATIO_SHOWN = 1.1

/** The verdict finding's code (and its `cause` param) → the headline's cause. */
const CAUSES: Record<string, HeadlineCause | Record<string, HeadlineCause>> = {
  'tail-grew': { 'retransmissions': 'retransmissions', 'sender-stall': 'machine-stall', 'blast-queue': 'queue' },
  'most-waited': { 'head-of-line': 'head-of-line', 'sender-lag': 'sender-lag', 'blast-queue': 'queue' },
  'rare-tail': 'retransmissions',
  'loss-receive-buffer': 'receive-buffer',
  'loss-impairment-expected': 'impairment',
  'loss-impairment-split': 'impairment',
  'loss-network': 'network',
  'loss-send-refused': 'send-refused',
  'connection-lost': 'connection-lost',
  'not-back-within-tmax': 'late',
  'loss-all-late': 'late',
}

const causeOf = (findings: Finding[], id: TransportId): HeadlineCause | null => {
  for (const f of findings) {
    if (f.transport !== id) continue
    const cause = CAUSES[f.code]
    if (typeof cause === 'string') return cause
    if (cause !== undefined) return cause[(f.params as { cause?: string }).cause ?? ''] ?? null
  }
  return null
}

/** p99 when every shown transport has one (like is compared with like), else the worst RTT. */
const tailNameOf = (results: CompareTransportResult[]): TailName =>
  results.every(r => r.rttMs.p99 !== null) ? 'p99' : 'max'
const tailOf = (r: CompareTransportResult, tail: TailName): number | null => (tail === 'p99' ? r.rttMs.p99 : r.rttMs.max)
const halfTail = (h: { p99Ms: number | null; maxMs: number | null }, tail: TailName) => (tail === 'p99' ? h.p99Ms : h.maxMs)
const halfLoss = (h: { sent: number; lost: number }) => (h.sent === 0 ? null : (100 * h.lost) / h.sent)

/**
 * The headline findings of a run (after `findings`, whose verdicts give the causes):
 * one `headline-transport` per shown transport, then `headline-noise` for each difference
 * (the largest tail ratio; the loss between most and least lost) the halves do not both show.
 */
export function headlineFindings (result: CompareResult, findings: Finding[]): HeadlineFinding[] {
  const ids = shownTransports(result)
  const rs = ids.map(id => result.results[id]!)
  const tail = tailNameOf(rs)
  const out: HeadlineFinding[] = []
  let widest: { id: TransportId; other: TransportId; ratio: number } | undefined
  ids.forEach((id, i) => {
    const mine = tailOf(rs[i]!, tail)
    // The fastest other transport: the ratio says how many times its tail this one's is.
    const others = ids.map((o, j) => ({ o, ms: tailOf(rs[j]!, tail) })).filter(x => x.o !== id && x.ms !== null && x.ms > 0)
    const fastest = others.sort((a, b) => a.ms! - b.ms!)[0]
    const ratio = mine !== null && fastest !== undefined ? mine / fastest.ms! : null
    const shown = ratio !== null && ratio >= RATIO_SHOWN ? ratio : null
    if (shown !== null && (widest === undefined || shown > widest.ratio)) widest = { id, other: fastest!.o, ratio: shown }
    const explain = shown !== null || rs[i]!.lost > 0
    out.push({
      code: 'headline-transport', transport: id, level: 'info',
      params: {
        lossPercent: rs[i]!.lossPercent, tail, tailMs: mine, ratio: shown, other: shown === null ? null : fastest!.o,
        cause: explain ? causeOf(findings, id) : null,
      },
    })
  })
  if (widest) {
    const noise = noiseOf(result, 'tail', tail, widest.id, widest.other)
    if (noise) out.push(noise)
  }
  const byLoss = [...ids].sort((a, b) => result.results[b]!.lossPercent - result.results[a]!.lossPercent)
  if (byLoss.length >= 2 && result.results[byLoss[0]!]!.lossPercent > result.results[byLoss.at(-1)!]!.lossPercent) {
    const noise = noiseOf(result, 'loss', tail, byLoss[0]!, byLoss.at(-1)!)
    if (noise) out.push(noise)
  }
  return out
}

/** The noise finding when `id`'s larger tail (or loss) than `other`'s is not shown by both halves. */
function noiseOf (result: CompareResult, measure: 'tail' | 'loss', tail: TailName, id: TransportId, other: TransportId): HeadlineFinding | undefined {
  const [a, b] = [result.results[id]!.halves, result.results[other]!.halves]
  // A result read back from before the halves existed: no judgement.
  if (a === undefined || b === undefined) return undefined
  const figure = (h: HalfSummary) => (measure === 'tail' ? halfTail(h, tail) : halfLoss(h))
  const [firstMine, firstOther, secondMine, secondOther] = [figure(a[0]), figure(b[0]), figure(a[1]), figure(b[1])]
  // Each half must show it on its own: a tail RATIO_SHOWN× the other's, or more lost.
  const shows = (mine: number | null, theirs: number | null) => mine !== null && theirs !== null &&
    (measure === 'tail' ? theirs > 0 && mine / theirs >= RATIO_SHOWN : mine > theirs)
  if (shows(firstMine, firstOther) && shows(secondMine, secondOther)) return undefined
  return { code: 'headline-noise', transport: id, level: 'notice', params: { measure, tail, other, firstMine, firstOther, secondMine, secondOther } }
}
