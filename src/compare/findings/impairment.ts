/**
 * The impairment block as findings: per transport, what each asked impairment should have
 * done to the round trip next to what was measured, judged against the range chance allows,
 * and what the kernel emulator's table dropped.
 */
import type { CompareResult, CompareTransportResult } from '../compare-types.js'
import type { TransportId } from '../transport-types.js'
import { REORDER_HOLD_MS } from '../../impairment/impairment.js'
import { finding, traitsOf, type CompareFinding } from './finding.js'

/** One transport's expected-versus-measured findings; none when no impairment ran or it has no outcome. */
export function impairmentFindings (result: CompareResult, id: TransportId): CompareFinding[] {
  const config = result.config.impairment
  const r = result.results[id]
  const outcome = r?.impairment
  if (config === undefined || r === undefined || outcome === undefined) return []
  const { expected: e, measured: m } = outcome
  const findings: CompareFinding[] = []
  if (config.loss > 0 && !outcome.notApplied.includes('loss')) findings.push(lossFinding(result, id, r))
  if (config.delay > 0 || config.jitter > 0) {
    findings.push(finding('impairment-delay', id, 'info', {
      jitterMs: config.jitter, addedRttMs: e.addedRttMs, floorMs: e.addedRttRangeMs.min, minRttMs: m.minRttMs, p50RttMs: m.p50RttMs,
    }))
  }
  if (config.duplicate > 0 && !outcome.notApplied.includes('duplicate')) {
    findings.push(finding('impairment-duplicate', id, 'info', {
      duplicateEachWayPercent: config.duplicate, expectedPercent: e.duplicatePercent, measuredPercent: m.duplicatePercent,
    }))
  }
  const range = e.reorderRangePercent
  if (range !== undefined) {
    const within = m.reorderWithinRange ?? true
    findings.push(finding('impairment-reorder', id, within ? 'info' : 'notice', {
      reorderEachWayPercent: config.reorder, jitterMs: config.jitter, lowPercent: range.low, highPercent: range.high,
      runs: range.runs, probes: range.probes, spacingMs: range.spacingMs, measuredPercent: m.reorderedPercent,
      judgement: within ? 'within' : m.reorderedPercent > range.high ? 'above' : 'below',
      lagMeanMs: r.sendLagMs.mean, lagMaxMs: r.sendLagMs.max, holdMs: REORDER_HOLD_MS,
    }))
  } else if (config.reorder > 0 && !outcome.notApplied.includes('reorder')) {
    findings.push(finding('impairment-reorder-approx', id, 'info', {
      reorderEachWayPercent: config.reorder, approxPercent: e.reorderPercentApprox, measuredPercent: m.reorderedPercent, holdMs: REORDER_HOLD_MS,
    }))
  }
  if (outcome.notApplied.length > 0) {
    findings.push(finding('impairment-not-applied', id, 'notice', { notApplied: outcome.notApplied, reason: config.tcpDegraded?.reason ?? null }))
  }
  if (findings.length === 0) findings.push(finding('impairment-none', id, 'info', {}))
  const drops = kernelTableDrops(result, id)
  if (drops !== undefined) findings.push(finding('impairment-kernel-drops', id, 'info', drops))
  return findings
}

/** Loss: a chance range for a transport that does not retransmit; 0% expected for one that does. */
function lossFinding (result: CompareResult, id: TransportId, r: CompareTransportResult): CompareFinding {
  const config = result.config.impairment!
  const { expected: e, measured: m, appliedBy } = r.impairment!
  if (!traitsOf(result, id).reliable) {
    return finding('impairment-loss', id, m.lossWithinRange ? 'info' : 'notice', {
      lossEachWayPercent: config.loss, expectedPercent: e.lossPercent, sdPercent: e.lossRangePercent.sdPercent,
      probes: e.lossRangePercent.probes, measuredPercent: m.lossPercent, within: m.lossWithinRange,
    })
  }
  return finding('impairment-loss-retransmitted', id, 'info', {
    lossEachWayPercent: config.loss, appliedBy: appliedBy.loss ?? 'kernel', measuredPercent: m.lossPercent,
    retransSegs: result.kernel[id]?.tcp?.retransSegs ?? null,
  })
}

/**
 * What the kernel emulator's nftables table dropped of one transport's packets (both
 * directions), or undefined when the kernel did not do this transport's loss.
 */
export function kernelTableDrops (result: CompareResult, id: TransportId):
  { dropped: number; seen: number; clientToServer: number; serverToClient: number } | undefined {
  if (result.results[id]?.impairment?.appliedBy.loss !== 'kernel') return undefined
  // The table counts per IP protocol, so a transport's packets are under what it is carried over.
  const k = result.impairmentCounters?.kernel?.[traitsOf(result, id).carriedOver]
  if (k === undefined) return undefined
  return {
    dropped: k.clientToServer.dropped + k.serverToClient.dropped,
    seen: k.clientToServer.received + k.serverToClient.received,
    clientToServer: k.clientToServer.dropped,
    serverToClient: k.serverToClient.dropped,
  }
}

/** Packets of one transport the emulator that did its loss dropped (kernel table or relay), both directions. */
export function emulatorDrops (result: CompareResult, id: TransportId): number | undefined {
  const by = result.results[id]?.impairment?.appliedBy.loss
  if (by === 'kernel') return kernelTableDrops(result, id)?.dropped
  const relay = by === 'userspace' ? result.impairmentCounters?.[traitsOf(result, id).carriedOver] : undefined
  return relay === undefined ? undefined : relay.clientToServer.dropped + relay.serverToClient.dropped
}
