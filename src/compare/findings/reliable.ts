/**
 * The verdict of a transport that retransmits (TCP and what runs over it): it loses nothing
 * while its connection lives, so the verdict is about waiting — a tail, a shifted median, a
 * queue — and whether the kernel's retransmission counter (machine-wide) is consistent with it.
 */
import type { CompareResult, CompareTransportResult, KernelReport } from '../compare-types.js'
import type { TransportId } from '../transport-types.js'
import { TCP_DELIVERY_CAP_MS } from '../compare-stats.js'
import { finding, kernelCounters, type CompareFinding } from './finding.js'
import { kernelTableDrops } from './impairment.js'

// Tcp RetransSegs is machine-wide: other connections on this machine count too. So it is
// reported as what the kernel counted, and a tail is only called "consistent with"
// retransmissions when the count is above 0 — never blamed on them when it is 0.
export function reliableVerdict (result: CompareResult, id: TransportId, r: CompareTransportResult, kernel: KernelReport | undefined): CompareFinding {
  const retransSegs = kernelCounters(kernel).retransSegs
  const died = result.errors?.[id]
  if (r.lost > 0 && died !== undefined) {
    // The connection is gone: what was not back was lost with it, not "still on its way".
    return finding('connection-lost', id, 'warning', { errorCode: died.code, received: r.received, lost: r.lost, lossPercent: r.lossPercent, retransSegs })
  }
  if (r.lost > 0) {
    return finding('not-back-within-tmax', id, 'warning', {
      lost: r.lost, lossPercent: r.lossPercent, tmaxMs: r.tmaxMs, tmaxRule: r.tmaxRule, late: r.late, retransSegs, capMs: TCP_DELIVERY_CAP_MS,
    })
  }
  return waitingVerdict(result, id, r, retransSegs)
}

/** Nothing lost: did probes wait (median shifted, tail grew, a rare tail), and why. */
function waitingVerdict (result: CompareResult, id: TransportId, r: CompareTransportResult, retransSegs: number | null): CompareFinding {
  const tail = r.rttMs.p99 ?? r.rttMs.max
  const tailName = r.rttMs.p99 !== null ? 'p99' : 'max'
  const median = r.rttMs.p50 ?? r.rttMs.min
  const drops = kernelTableDrops(result, id)
  const kernelDropped = drops?.dropped ?? 0
  // --blast writes faster than the echoes return, so probes wait in the socket buffers behind
  // each other: that queue, not a resend, is what a blast's RTTs show (its send lag is 0).
  const blastQueue = result.config.blast && drops === undefined
  const resent = retransSegs !== null && retransSegs > 0
  // Not only the tail: when the median itself sits far above the fastest probe, a stalled
  // segment held back most probes behind it (head-of-line blocking), and "p99 within 4× the
  // median" would call that no cost.
  const fastest = r.rttMs.min
  if (median !== null && fastest !== null && median >= 1 && median >= 10 * fastest) {
    // RTTs run from the schedule: a sender behind it by about the median's rise explains the wait.
    const lagMean = r.sendLagMs.mean
    const cause = lagMean !== null && lagMean >= 0.5 * (median - fastest) ? 'sender-lag'
      : blastQueue ? 'blast-queue'
      // Head-of-line blocking is named only when something was resent (or the kernel table dropped packets).
        : resent || kernelDropped > 0 ? 'head-of-line' : 'none'
    return finding('most-waited', id, 'notice', {
      medianMs: median, fastestMs: fastest, tail: tailName, tailMs: tail, cause, lagMeanMs: lagMean, kernelDropped, retransSegs,
    })
  }
  if (tail !== null && median !== null && tail >= 1 && tail >= 4 * median) {
    // RTTs run from the schedule, so a sender that fell behind puts its own lag into the
    // tail. When the lag's p99 covers half the tail's rise or more, that is the likelier
    // cause than a (machine-wide) retransmission count.
    const lagP99 = r.sendLagMs.p99
    const cause = blastQueue ? 'blast-queue'
      : lagP99 !== null && tail > median && lagP99 >= 0.5 * (tail - median) ? 'sender-stall'
        : resent ? 'retransmissions' : 'none'
    return finding('tail-grew', id, 'notice', { tail: tailName, tailMs: tail, medianMs: median, cause, lagP99Ms: lagP99, kernelDropped, retransSegs })
  }
  // p99 did not grow 4×, but the rarest probes may have: a retransmission hits a few
  // probes in a thousand, below p99. Name the worst (and p99.9 when there are samples).
  const worst = r.rttMs.max
  if (worst !== null && median !== null && tail !== null && worst >= 1 && worst >= 4 * median && worst > tail && resent) {
    const p999Ms = r.rttMs.p999 !== null && r.rttMs.p999 < worst ? r.rttMs.p999 : null
    return finding('rare-tail', id, 'notice', { worstMs: worst, p999Ms, tail: tailName, tailMs: tail, kernelDropped, retransSegs: retransSegs! })
  }
  if (resent) {
    // The figures, not "no cost": the reader judges a tail that stayed within 4× the median.
    return finding('delivered-all-retransmissions', id, 'info', { sent: r.sent, tail: tailName, tailMs: tail, medianMs: median, retransSegs: retransSegs! })
  }
  return finding('delivered-all', id, 'info', { sent: r.sent, reliable: true, retransSegs, suggestBlast: false })
}
