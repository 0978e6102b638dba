/**
 * The verdict of a transport that does not retransmit (UDP): delivered all, or where the
 * loss went — late, refused by the local kernel, the impairment emulator, a full receive
 * buffer (RcvbufErrors) or the network.
 */
import type { CompareResult, CompareTransportResult, KernelReport } from '../compare-types.js'
import type { TransportId } from '../transport-types.js'
import { finding, kernelCounters, lateParams, type CompareFinding } from './finding.js'
import { emulatorDrops } from './impairment.js'

export function unreliableVerdict (result: CompareResult, id: TransportId, r: CompareTransportResult, kernel: KernelReport | undefined): CompareFinding {
  const { config } = result
  if (r.lost === 0) {
    const suggestBlast = config.local && !config.blast && config.impairment === undefined
    return finding('delivered-all', id, 'info', { sent: r.sent, reliable: false, retransSegs: null, suggestBlast })
  }
  const late = lateParams(result, r)
  if (r.late === r.lost) return finding('loss-all-late', id, 'warning', { lossPercent: r.lossPercent, lost: r.lost, ...late })
  // Nothing in time, but the reflector answered: the round trip is longer than Tmax.
  if (r.received === 0 && r.late > 0) return finding('loss-none-in-time', id, 'warning', { lossPercent: r.lossPercent, ...late })
  // Probes the local kernel refused to send never reached the network or a buffer.
  const refused = Math.min(r.sendFailures, r.lost - r.late)
  const dropped = r.lost - r.late - refused
  const udp = kernelCounters(kernel).udp
  const loss = { lossPercent: r.lossPercent, refused, sndbufErrors: udp?.sndbufErrors ?? null, ...late }
  if (dropped === 0) return finding('loss-send-refused', id, 'warning', loss)
  if (udp === undefined) return finding('loss-counters-unavailable', id, 'warning', { ...loss, reason: kernel?.reason ?? null, counters: kernel?.counters ?? [] })
  const { rcvbufErrors, inErrors } = udp
  const impairment = config.impairment
  if (r.impairment !== undefined && impairment !== undefined && impairment.loss > 0 && !r.impairment.notApplied.includes('loss')) {
    const emulator = lossSplit(result, id, r, dropped, rcvbufErrors)
    if (emulator !== undefined) {
      return finding('loss-impairment-split', id, 'warning', {
        ...loss, rangeHighPercent: r.impairment.expected.lossRangePercent.high, emulatorDrops: emulator, rcvbufErrors, dropped, exact: emulator + rcvbufErrors === dropped,
      })
    }
    // The emulator's drops are the expected cause; the kernel counter is machine-wide, so it is only a side note.
    return finding('loss-impairment-expected', id, 'notice', {
      ...loss, emulator: r.impairment.appliedBy.loss ?? impairment.emulator, lossEachWayPercent: impairment.loss,
      expectedPercent: r.impairment.expected.lossPercent, rcvbufErrors,
    })
  }
  if (rcvbufErrors === 0 && inErrors === 0) {
    return finding('loss-network', id, 'warning', { ...loss, rcvbufErrors, inErrors, emulator: impairment?.emulator ?? null })
  }
  const match = rcvbufErrors === dropped ? 'same' : rcvbufErrors > dropped ? 'more' : 'partial'
  const receiveBufferBytes = kernel?.socketBuffers?.receiveBytes ?? null
  return finding('loss-receive-buffer', id, 'warning', { ...loss, rcvbufErrors, inErrors, dropped, receiveBufferBytes, match })
}

/**
 * Loss above the expected range that the emulator's own counters and RcvbufErrors explain:
 * the emulator's drop count, or undefined when the loss is within range or nothing explains
 * the difference.
 */
function lossSplit (result: CompareResult, id: TransportId, r: CompareTransportResult, dropped: number, rcvbufErrors: number): number | undefined {
  const outcome = r.impairment
  if (outcome === undefined || outcome.measured.lossWithinRange || r.lossPercent < outcome.expected.lossRangePercent.high || rcvbufErrors === 0) return undefined
  const emulator = emulatorDrops(result, id)
  if (emulator === undefined || emulator >= dropped) return undefined
  return emulator
}
