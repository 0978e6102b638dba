/**
 * A timer that never fires early, and never calls back synchronously.
 *
 * setTimeout counts from the event loop's cached time, which is already stale when a
 * datagram is handled late in a loop turn, so a 20 ms delay could fire after 19.4 ms by
 * the real clock — and a student would read "expected ≥ 40 ms, measured 39.6 ms". This one
 * checks performance.now() each time it wakes, sleeps again for whole milliseconds left,
 * and polls the loop (setImmediate) for the last fraction. The callback always runs from a
 * timer, even for a delay of a few microseconds, so the caller has stored the timer first.
 */
export class DelayTimer {
  private readonly dueAt: number
  private handle: NodeJS.Timeout | NodeJS.Immediate | undefined
  private cancelled = false

  /** Call `fn` once `ms` (fractions allowed) have passed by the real clock. */
  constructor (ms: number, private readonly fn: () => void) {
    this.dueAt = performance.now() + ms
    this.sleep(ms)
  }

  /** Stop it; `fn` will not be called. Safe to call twice or after it fired. */
  cancel (): void {
    this.cancelled = true
    if (this.handle !== undefined) { clearTimeout(this.handle as NodeJS.Timeout); clearImmediate(this.handle as NodeJS.Immediate) }
    this.handle = undefined
  }

  private sleep (remaining: number): void {
    this.handle = remaining >= 1
      ? setTimeout(() => this.wake(), Math.floor(remaining))
      : setImmediate(() => this.wake())
  }

  private wake (): void {
    this.handle = undefined
    if (this.cancelled) return
    const remaining = this.dueAt - performance.now()
    if (remaining > 0) this.sleep(remaining)
    else this.fn()
  }
}
