/**
 * What a compare run means, as data: `compareFindings(result)` turns the figures and the
 * kernel's counters into findings `{code, transport, level, params}`, computed once and
 * worded by each renderer from the catalogue (`compare.findings`). No words here, and no
 * transport named: decisions read the transport's traits. The codes are listed in
 * docs/dev/findings.md.
 */
import type { CompareResult } from './compare-types.js'
import type { FindingLevel, TransportId } from './transport-types.js'
import { finding, shownTransports, traitsOf, type CompareFinding, type FindingCode } from './findings/finding.js'
import { impairmentFindings } from './findings/impairment.js'
import { reliableVerdict } from './findings/reliable.js'
import { unreliableVerdict } from './findings/unreliable.js'

export type { FindingParams } from './findings/params.js'
export { shownTransports, traitsOf, type CompareFinding, type FindingCode } from './findings/finding.js'
export { kernelTableDrops } from './findings/impairment.js'

/** Codes of the impairment block's findings (expected next to measured), shown apart from the verdict. */
export const IMPAIRMENT_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'impairment-loss', 'impairment-loss-retransmitted', 'impairment-delay', 'impairment-duplicate',
  'impairment-reorder', 'impairment-reorder-approx', 'impairment-not-applied', 'impairment-none', 'impairment-kernel-drops',
])

/** How many findings the headline holds at most. */
export const HEADLINE_SIZE = 3
const LEVEL_RANK: Record<FindingLevel, number> = { warning: 0, notice: 1, info: 2 }

/**
 * All findings of a run, in reading order (run-wide first, then per transport in the order
 * shown: impairment block, verdict, extras), and the headline: the most important verdict
 * findings (warnings, then notices, then infos; reading order within a level), at most three.
 */
export function compareFindings (result: CompareResult): { findings: CompareFinding[]; headline: CompareFinding[] } {
  const findings: CompareFinding[] = [...runFindings(result), ...notExposedFindings(result)]
  for (const id of shownTransports(result)) {
    findings.push(...impairmentFindings(result, id))
    findings.push(...transportFindings(result, id))
  }
  const headline = findings
    .map((f, index) => ({ f, index }))
    .filter(({ f }) => !IMPAIRMENT_CODES.has(f.code))
    .sort((a, b) => LEVEL_RANK[a.f.level] - LEVEL_RANK[b.f.level] || a.index - b.index)
    .slice(0, HEADLINE_SIZE)
    .map(({ f }) => f)
  return { findings, headline }
}

/** The run stopped early, and transports that failed before or during their run. */
function runFindings (result: CompareResult): CompareFinding[] {
  const findings: CompareFinding[] = []
  if (result.interrupted) findings.push(finding('interrupted', undefined, 'notice', {}))
  for (const id of result.config.transports) {
    const error = result.errors?.[id]
    if (error === undefined) continue
    findings.push(result.results[id] === undefined
      ? finding('not-measured', id, 'warning', { errorCode: error.code, message: error.message })
      : finding('stopped-mid-run', id, 'warning', { errorCode: error.code, message: error.message }))
  }
  return findings
}

/** TCP ran without the asked loss (no root, no user namespace, a remote target…): first in the headline. */
function notExposedFindings (result: CompareResult): CompareFinding[] {
  const imp = result.config.impairment
  if (!imp?.tcpDegraded?.notApplied.includes('loss')) return []
  return shownTransports(result)
    .filter(id => traitsOf(result, id).carriedOver === 'tcp')
    .map(id => finding('tcp-not-exposed-to-loss', id, 'warning', { reason: imp.tcpDegraded!.lossUnavailable ?? 'no-kernel', lossEachWayPercent: imp.loss }))
}

/** One transport's verdict, then what else its figures show (foreign replies, duplicates, order, lag). */
function transportFindings (result: CompareResult, id: TransportId): CompareFinding[] {
  const r = result.results[id]!
  if (r.sent === 0) return [finding('nothing-sent', id, 'notice', {})]
  const traits = traitsOf(result, id)
  const kernel = result.kernel[id]
  const findings: CompareFinding[] = [traits.reliable ? reliableVerdict(result, id, r, kernel) : unreliableVerdict(result, id, r, kernel)]
  if (r.foreign > 0) findings.push(finding('foreign-replies', id, 'notice', { foreign: r.foreign }))
  if (r.duplicates > 0) findings.push(finding('duplicates', id, 'notice', { duplicates: r.duplicates, reliable: traits.reliable }))
  if (r.reordered > 0) {
    findings.push(finding('reordered', id, 'notice', { reordered: r.reordered, maxExtent: r.maxReorderExtent, ordered: traits.ordered }))
  }
  const lag = r.sendLagMs.max
  const { config } = result
  if (!config.blast && lag !== null && lag >= Math.max(5, config.intervalMs)) {
    // Behind on average by many intervals: the schedule itself was more than could be sent.
    const mean = r.sendLagMs.mean ?? 0
    const rateTooHigh = mean >= 1 && mean >= 10 * config.intervalMs
    findings.push(finding('sender-fell-behind', id, 'notice', {
      lagMaxMs: lag, cause: rateTooHigh ? 'rate' : 'busy', ratePerSecond: config.ratePerSecond,
    }))
  }
  return findings
}

