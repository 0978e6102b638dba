/**
 * Pacing for udp-send's --rate/--interval: datagram i is due at start + i·interval on the
 * monotonic clock, and everything already due is sent at once. Timers cannot fire every
 * 100 µs, so sleeping one interval per datagram tops out near 1,000–2,500/s; a schedule
 * that catches up in bursts holds 50,000/s (docs/dev/decisions.md, "udp-send pacing").
 */

/** How far sends fell behind their due time. */
export interface SendLag {
  /** The largest lag, ms. */
  maxMs: number
  /** 99th percentile, ms (from 2%-wide buckets: an upper bound within 2%). */
  p99Ms: number
}

/** Log-spaced buckets: bucket k holds lags up to GROWTH^k µs. */
const GROWTH = 1.02
const LOG_GROWTH = Math.log(GROWTH)

/** A schedule of due times and a histogram of how late each send was. */
export class SendSchedule {
  readonly intervalMs: number
  private nextDue = Number.NaN
  private readonly buckets: number[] = []
  private samples = 0
  private max = 0

  constructor (intervalMs: number) { this.intervalMs = intervalMs }

  /** Ms until the next datagram is due (0 when it is due now, or at the first send). */
  delay (now: number): number {
    return Number.isNaN(this.nextDue) ? 0 : Math.max(0, this.nextDue - now)
  }

  /** A datagram was handed to the kernel at `now`: note its lag, and when the next is due. */
  sent (now: number): void {
    if (Number.isNaN(this.nextDue)) this.nextDue = now
    const lagMs = Math.max(0, now - this.nextDue)
    this.record(lagMs)
    this.nextDue += this.intervalMs
  }

  /**
   * Waiting for input (a typed line) from `from` to `to` is not falling behind: the part of
   * it past the next due time moves the schedule on, so no burst follows a pause in typing.
   */
  waited (from: number, to: number): void {
    if (Number.isNaN(this.nextDue)) return
    const late = to - Math.max(from, this.nextDue)
    if (late > 0) this.nextDue += late
  }

  /** The lag so far; undefined before any send. */
  lag (): SendLag | undefined {
    if (this.samples === 0) return undefined
    const rank = Math.ceil(this.samples * 0.99)
    let seen = 0
    let p99Us = 0
    for (let k = 0; k < this.buckets.length; k++) {
      seen += this.buckets[k] ?? 0
      if (seen >= rank) { p99Us = k === 0 ? 0 : GROWTH ** k; break }
    }
    return { maxMs: this.max, p99Ms: Math.min(this.max, p99Us / 1000) }
  }

  private record (lagMs: number): void {
    const us = lagMs * 1000
    const k = us <= 1 ? 0 : Math.ceil(Math.log(us) / LOG_GROWTH)
    this.buckets[k] = (this.buckets[k] ?? 0) + 1
    this.samples++
    if (lagMs > this.max) this.max = lagMs
  }
}

/** Datagrams per second over the sends from the first to the last; null with fewer than two. */
export const achievedRate = (sent: number, firstAt: number, lastAt: number): number | null =>
  sent >= 2 && lastAt > firstAt ? (sent - 1) * 1000 / (lastAt - firstAt) : null
