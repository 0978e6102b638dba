/**
 * The parameters of every compare finding, by code: the numbers and choices a sentence needs,
 * never its words. Times in ms, shares in percent (0–100), counts in probes unless named.
 * `retransSegs: null` and `sndbufErrors: null` mean the kernel counter could not be read.
 */

import type { TcpLossUnavailable } from '../../net/userns.js'
import type { KernelUnavailable, TcpDegradedReason } from '../compare-types.js'

/** Which tail figure a reliable-transport verdict quotes: p99, or the worst RTT when p99 has too few samples. */
export type TailName = 'p99' | 'max'

/** What late probes add to a loss sentence (givenTmaxMs: the --tmax that was too short, else null). */
type Late = { late: number; tmaxMs: number; givenTmaxMs: number | null }
/** Probes the local kernel refused to send (its send buffer was full). */
type Refused = { refused: number; sndbufErrors: number | null }
type Loss = { lossPercent: number } & Refused & Late

export type FindingParams = {
  // ——— run-wide and per-transport extras ———
  'interrupted': Record<string, never>
  'not-measured': { errorCode: string; message: string }
  'stopped-mid-run': { errorCode: string; message: string }
  'nothing-sent': Record<string, never>
  'foreign-replies': { foreign: number }
  'duplicates': { duplicates: number; reliable: boolean }
  'reordered': { reordered: number; maxExtent: number; ordered: boolean }
  'sender-fell-behind': { lagMaxMs: number; cause: 'rate' | 'busy'; ratePerSecond: number | null }

  // ——— verdict, transports that do not retransmit ———
  /** Nothing lost; suggestBlast when an idle local run could show more with --blast. */
  'delivered-all': { sent: number; reliable: boolean; retransSegs: number | null; suggestBlast: boolean }
  'loss-all-late': { lossPercent: number; lost: number } & Late
  'loss-none-in-time': { lossPercent: number } & Late
  'loss-send-refused': Loss
  /** reason/counters: config of KernelReport (null/[] when not given). */
  'loss-counters-unavailable': Loss & { reason: KernelUnavailable | null; counters: string[] }
  /** Above the chance range: split between the emulator's drops and the receive buffer. */
  'loss-impairment-split': Loss & { rangeHighPercent: number; emulatorDrops: number; rcvbufErrors: number; dropped: number; exact: boolean }
  'loss-impairment-expected': Loss & { emulator: string; lossEachWayPercent: number; expectedPercent: number; rcvbufErrors: number }
  'loss-network': Loss & { rcvbufErrors: number; inErrors: number; emulator: string | null }
  /** match: the counter equals the drops, exceeds them (machine-wide), or explains only part. */
  'loss-receive-buffer': Loss & { rcvbufErrors: number; inErrors: number; dropped: number; receiveBufferBytes: number | null; match: 'same' | 'more' | 'partial' }

  // ——— verdict, transports that retransmit ———
  'delivered-all-retransmissions': { sent: number; tail: TailName; tailMs: number | null; medianMs: number | null; retransSegs: number }
  'connection-lost': { errorCode: string; received: number; lost: number; lossPercent: number; retransSegs: number | null }
  'not-back-within-tmax': { lost: number; lossPercent: number; tmaxMs: number; tmaxRule: string; late: number; retransSegs: number | null; capMs: number }
  /** The median itself sits far above the fastest probe. */
  'most-waited': {
    medianMs: number; fastestMs: number; tail: TailName; tailMs: number | null
    cause: 'sender-lag' | 'blast-queue' | 'head-of-line' | 'none'; lagMeanMs: number | null
    kernelDropped: number; retransSegs: number | null
  }
  /** The tail (p99, or the worst RTT) grew to 4× the median or more. */
  'tail-grew': {
    tail: TailName; tailMs: number; medianMs: number
    cause: 'blast-queue' | 'sender-stall' | 'retransmissions' | 'none'; lagP99Ms: number | null
    kernelDropped: number; retransSegs: number | null
  }
  /** p99 stayed, but the worst probes waited for a retransmission. */
  'rare-tail': { worstMs: number; p999Ms: number | null; tail: TailName; tailMs: number; kernelDropped: number; retransSegs: number }

  // ——— the impairment block: expected next to measured ———
  'impairment-loss': { lossEachWayPercent: number; expectedPercent: number; sdPercent: number; probes: number; measuredPercent: number; within: boolean }
  'impairment-loss-retransmitted': { lossEachWayPercent: number; appliedBy: string; measuredPercent: number; retransSegs: number | null }
  'impairment-delay': { jitterMs: number; addedRttMs: number; floorMs: number; minRttMs: number | null; p50RttMs: number | null }
  'impairment-duplicate': { duplicateEachWayPercent: number; expectedPercent: number; measuredPercent: number }
  'impairment-reorder': {
    reorderEachWayPercent: number; jitterMs: number; lowPercent: number; highPercent: number; runs: number; probes: number
    spacingMs: number; measuredPercent: number; judgement: 'within' | 'above' | 'below'
    lagMeanMs: number | null; lagMaxMs: number | null; holdMs: number
  }
  /** A result from before the reorder range existed (JSON read back): the single simulated figure. */
  'impairment-reorder-approx': { reorderEachWayPercent: number; approxPercent: number; measuredPercent: number; holdMs: number }
  /** reason: why, as codes (config.impairment.tcpDegraded.reason), else null. */
  'impairment-not-applied': { notApplied: string[]; reason: TcpDegradedReason[] | null }
  'impairment-none': Record<string, never>
  /** Loss was asked but nothing here could drop TCP's segments: the TCP verdict says nothing about loss. */
  'tcp-not-exposed-to-loss': { reason: TcpLossUnavailable; lossEachWayPercent: number }
  'impairment-kernel-drops': { dropped: number; seen: number; clientToServer: number; serverToClient: number }
}
