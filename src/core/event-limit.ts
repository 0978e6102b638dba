/**
 * "At most N events a second per subject; the rest counted and reported in one roll-up":
 * the limit behind udp-server's `datagrams-hidden` / `sequence-hidden` (subject: a peer) and
 * fit for tcp-server's `reads-hidden` (subject: a connection). A flood then costs a few
 * events, not one per datagram or read.
 *
 * The limiter only decides and remembers *when* to report; the caller keeps its own counts
 * of what was hidden and words the roll-up in `report(subject)`. A window with hidden
 * events is reported when the subject's next window starts ({@link roll}), from one
 * shared once-a-second check after a burst (no next event may come), on {@link flush}, or
 * at {@link close}.
 */
export class EventLimit<S, K extends string = string> {
  private readonly windows = new Map<S, { start: number; shown: Partial<Record<K, number>> }>()
  /** Subjects with hidden events not yet reported. */
  private readonly pending = new Set<S>()
  private timer: NodeJS.Timeout | undefined

  /**
   * @param limit events of each kind per subject per window; 0 = no limit (every event shown).
   * @param report called with a subject whose hidden events are due; the caller emits and resets its counts.
   * @param windowMs the window, ms (default 1000).
   */
  constructor (
    readonly limit: number,
    private readonly report: (subject: S) => void,
    private readonly windowMs = 1000,
  ) {}

  /** Start the subject's next window if its current one is over, reporting what that one hid. */
  roll (subject: S, now: number = Date.now()): void {
    if (this.limit === 0) return
    const window = this.windows.get(subject)
    if (window !== undefined && now - window.start < this.windowMs) return
    this.flush(subject)
    this.windows.set(subject, { start: now, shown: {} })
  }

  /**
   * True when this event of `kind` is shown; false when it is over the limit — the caller
   * then counts it as hidden, and the subject's roll-up is due when the window ends.
   */
  allow (subject: S, kind: K): boolean {
    if (this.limit === 0) return true
    let window = this.windows.get(subject)
    if (window === undefined) {
      window = { start: Date.now(), shown: {} }
      this.windows.set(subject, window)
    }
    const shown = window.shown[kind] ?? 0
    if (shown < this.limit) {
      window.shown[kind] = shown + 1
      return true
    }
    this.pending.add(subject)
    // After a burst no next event may come to end the window: a timer reports it.
    if (this.timer === undefined) {
      this.timer = setInterval(() => this.reportStale(), this.windowMs)
      this.timer.unref()
    }
    return false
  }

  /** Report the subject's hidden events now (a run that ends, a subject forgotten). */
  flush (subject: S): void {
    if (this.pending.delete(subject)) this.report(subject)
  }

  /** Report what the subject hid and forget it. */
  forget (subject: S): void {
    this.flush(subject)
    this.windows.delete(subject)
  }

  /** Report every subject's hidden events and stop the timer. */
  close (): void {
    clearInterval(this.timer)
    this.timer = undefined
    for (const subject of [...this.pending]) this.flush(subject)
  }

  /** Report the subjects whose window is over; stop the timer when none are left. */
  private reportStale (): void {
    const now = Date.now()
    for (const subject of [...this.pending]) {
      const window = this.windows.get(subject)
      if (window === undefined || now - window.start >= this.windowMs) this.flush(subject)
    }
    if (this.pending.size === 0) {
      clearInterval(this.timer)
      this.timer = undefined
    }
  }
}
