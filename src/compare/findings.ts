/**
 * What a compare run means, as data: `compareFindings(result)` turns the figures and the
 * kernel's counters into findings `{code, transport, level, params}`, computed once and
 * worded by each renderer from the catalogue (`compare.findings`). No words here, and no
 * transport named: decisions read the transport's traits. The codes are listed in
 * docs/dev/findings.md.
 */
import type { CompareResult } from './compare-types.js'
import type { Finding, TransportId } from './transport-types.js'
import { finding, shownTransports, traitsOf, type CompareFinding, type FindingCode } from './findings/finding.js'
import { headlineFindings } from './findings/headline.js'
import { impairmentFindings } from './findings/impairment.js'
import { reliableVerdict } from './findings/reliable.js'
import { unreliableVerdict } from './findings/unreliable.js'

export type { FindingParams } from './findings/params.js'
export { kernelScope, shownTransports, traitsOf, type CompareFinding, type FindingCode } from './findings/finding.js'
export { kernelTableDrops } from './findings/impairment.js'
export { RATIO_SHOWN, type HeadlineCause, type HeadlineCode, type HeadlineFinding, type HeadlineParams } from './findings/headline.js'

/** Codes of the impairment block's findings (expected next to measured), shown apart from the verdict. */
export const IMPAIRMENT_CODES: ReadonlySet<FindingCode> = new Set<FindingCode>([
  'impairment-loss', 'impairment-loss-retransmitted', 'impairment-delay', 'impairment-duplicate',
  'impairment-reorder', 'impairment-reorder-approx', 'impairment-not-applied', 'impairment-none', 'impairment-kernel-drops',
])

/**
 * All findings of a run, in reading order (run-wide first, then per transport in the order
 * shown: impairment block, verdict, extras), and the headline: what differed between the
 * transports (findings/headline.ts), led by a transport that was never exposed to the asked loss.
 */
export function compareFindings (result: CompareResult): { findings: CompareFinding[]; headline: Finding[] } {
  const notExposed = notExposedFindings(result)
  const findings: CompareFinding[] = [...runFindings(result), ...notExposed]
  for (const id of shownTransports(result)) {
    findings.push(...impairmentFindings(result, id))
    findings.push(...transportFindings(result, id))
  }
  return { findings, headline: [...notExposed, ...headlineFindings(result, findings)] }
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

