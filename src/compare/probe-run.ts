/**
 * One transport's probe run: the open-loop schedule, the sends, the arrivals, the automatic
 * Tmax, and the wait for the last echoes. It names no transport: what it must know (a
 * reliable transport's probes are on their way, not lost) comes from its traits.
 *
 * Timing: every time is float ms from a monotonic clock (performance.now()), relative to
 * the run's first scheduled send. Probe i is scheduled at i × interval; the RTT runs from
 * the SCHEDULED time, so a sender that falls behind (a stalled event loop, backpressure)
 * shows up as latency instead of being hidden (no coordinated omission).
 */
import { randomInt } from 'node:crypto'
import { performance } from 'node:perf_hooks'
import { encodeProbe, type ProbeHeader } from '../probe/probe.js'
import { TCP_DELIVERY_CAP_MS, type ProbeArrival, type ProbeSend, type TmaxRule, type TransportRun } from './compare-stats.js'
import type { CompareConfig, CompareEvent } from './compare-types.js'
import type { TransportAdapter } from './transport-types.js'

/** Floor of the automatic Tmax, ms (RFC 7680 asks for a reported waiting time; never below 1 s). */
export const MIN_AUTO_TMAX_MS = 1000
/**
 * With a reliable transport's wait for delivery, how long nothing at all may come back before
 * compare says nothing echoes, ms (the first probe may itself wait for a retransmission or two).
 */
const RELIABLE_NO_ANSWER_MS = 3000
/**
 * The same under a loss impairment. Linux backs a lost segment off 1 s, 2 s, 4 s, 8 s when
 * the connection has no RTT sample yet: 20 s needs five misses in a row (0.2⁵ each way).
 */
const RELIABLE_NO_ANSWER_UNDER_LOSS_MS = 20_000

/** How a transport puts one probe on the wire; resolves when the next may be sent (backpressure). */
export type SendProbe = (probe: Buffer) => void | Promise<void>

/** What a {@link ProbeRun} needs besides the config. */
export interface ProbeRunOptions {
  transport: TransportAdapter
  config: CompareConfig
  /** Where the probes go: the reflector, or the impairment relay in front of it. */
  target: { host: string; port: number }
  /** The reflector the user named, for messages (the relay's port means nothing to them). */
  shownTarget: { host: string; port: number }
  emit: (event: CompareEvent) => void
  signal?: AbortSignal
  /** Minimum ms between progress events. Default 100. */
  progressIntervalMs?: number
  /** A reliable transport's wait for delivery after the last scheduled send, ms. Default {@link TCP_DELIVERY_CAP_MS}. */
  deliveryCapMs?: number
  /** ms the impairment adds to a round trip at most (2 × (delay + jitter)); raises the automatic Tmax. Default 0. */
  extraWaitMs?: number
  /** ms to keep receiving once every probe is back, so trailing duplicate copies are counted. Default 0. */
  lingerMs?: number
  /** A loss impairment applies to this transport (a reliable one then waits longer for its first echo). */
  lossy?: boolean
  /**
   * Interleaved runs: this transport's place among `of` sharing one schedule. Probe i goes
   * at (i + ((index + i) mod of) / of) × interval: every transport's probe i in slot i, the
   * order within the slot rotated so none always goes first. Default: alone ({index 0, of 1}).
   */
  slot?: { index: number; of: number }
  /** Interleaved runs: where the runs agree on one clock origin once all warm-ups are done. */
  startBarrier?: StartBarrier
}

/**
 * The shared start of interleaved runs: each run arrives with the origin it would use and
 * gets the latest of all (so no run's probe 0 comes before its own warm-up is over); a run
 * that ends before arriving leaves, so the others do not wait for it.
 */
export interface StartBarrier {
  arrive: (originMs: number) => Promise<number>
  leave: () => void
}

export const startBarrier = (runs: number): StartBarrier => {
  let pending = runs
  let latest = 0
  let release: (origin: number) => void = () => {}
  const started = new Promise<number>(resolve => { release = resolve })
  const one = () => { if (--pending === 0) release(latest) }
  return {
    arrive: originMs => { latest = Math.max(latest, originMs); one(); return started },
    leave: one,
  }
}

/** The bookkeeping of one transport's run (see the file's comment). */
export class ProbeRun {
  readonly runId = randomInt(0, 0x1_0000_0000)
  /** Warm-up probes carry their own run id, so their echoes are dropped without being called foreign. */
  readonly warmupRunId = (this.runId + 1) >>> 0
  readonly sends: ProbeSend[] = []
  readonly arrivals: ProbeArrival[] = []
  foreign = 0
  sendFailures = 0
  uniqueReceived = 0
  maxRttMs = 0
  /** A first copy came back after Tmax (only possible with a fixed --tmax or a frozen one). */
  lateSeen = false
  /** performance.now() of the first scheduled measured send. */
  origin = 0
  /** How long before a send the sender stops sleeping and polls, ms (set by run()). */
  private marginMs = MIN_COARSE_MARGIN_MS
  private readonly seen: Uint8Array
  private lastProgress = -Infinity
  private allBack: (() => void) | undefined
  /** Set when the transport failed mid-run (socket error): stop sending, fail or finish. */
  failure: (Error & { code?: string }) | undefined
  private onFailure: (() => void) | undefined

  /** A reliable transport with the automatic Tmax: wait for every probe while the channel lives (see {@link TCP_DELIVERY_CAP_MS}). */
  readonly waitsForDelivery: boolean
  /** How long that wait lasts at most after the last scheduled send, ms (also the Tmax then). */
  private readonly deliveryCapMs: number
  private tmaxRule: TmaxRule
  /** In the wait for delivery, past the automatic Tmax: progress events become 'waiting' ones. */
  private waiting = false
  /** The transport's result was taken: arrivals are still recorded, but no more progress events. */
  private finished = false
  readonly config: CompareConfig
  private readonly options: ProbeRunOptions
  private readonly id: string
  private readonly extraWaitMs: number

  constructor (options: ProbeRunOptions) {
    this.options = options
    this.config = options.config
    this.id = options.transport.id
    this.extraWaitMs = options.extraWaitMs ?? 0
    this.seen = new Uint8Array(this.config.count)
    this.waitsForDelivery = options.transport.traits.reliable && this.config.tmaxMs === null
    this.deliveryCapMs = options.deliveryCapMs ?? TCP_DELIVERY_CAP_MS
    this.tmaxRule = this.config.tmaxMs !== null ? 'given' : this.waitsForDelivery ? 'tcp-delivery' : 'auto'
  }

  now (): number {
    return performance.now() - this.origin
  }

  /** When probe `seq` is due on this run's clock, ms: its slot, plus its rotated place within it. */
  scheduledAt (seq: number): number {
    const { index, of } = this.options.slot ?? { index: 0, of: 1 }
    return (seq + ((index + seq) % of) / of) * this.config.intervalMs
  }

  /**
   * Before the schedule: one unmeasured probe (a warm-up one), to learn at once that nothing
   * listens (a refusal, an unreachable network). Its echo, or `waitMs` of silence, ends the
   * check: silence is not yet a verdict (the probe may be lost); an error is thrown.
   */
  async check (send: SendProbe, waitMs: number): Promise<void> {
    let echoed = false
    this.onWarmupEcho = () => { echoed = true; this.allBack?.() }
    const signal = this.options.signal
    const onAbort = () => this.allBack?.()
    signal?.addEventListener('abort', onAbort, { once: true })
    this.onFailure = () => this.allBack?.()
    try {
      this.origin = performance.now()
      await send(this.probe(0, 0, true))
      while (!echoed && !this.failure && !signal?.aborted && this.now() < waitMs) {
        await new Promise<void>(resolve => {
          const timer = setTimeout(done, Math.min(waitMs - this.now(), 250) + 1)
          function done (): void { clearTimeout(timer); resolve() }
          this.allBack = done
        })
        this.allBack = undefined
      }
      if (this.failure) throw this.failure
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.onWarmupEcho = undefined
      this.onFailure = undefined
    }
  }

  private onWarmupEcho: (() => void) | undefined

  probe (seq: number, scheduledMs: number, warmup: boolean): Buffer {
    return encodeProbe({
      runId: warmup ? this.warmupRunId : this.runId,
      seq,
      scheduledNs: warmup ? 0n : BigInt(Math.round(scheduledMs * 1e6)),
    }, this.config.sizeBytes)
  }

  /** An arrival (a datagram, a message, or a frame cut from a stream); `header` undefined = not a probe. */
  arrived (header: ProbeHeader | undefined, receivedMs: number): void {
    if (header === undefined || (header.runId !== this.runId && header.runId !== this.warmupRunId)) {
      this.foreign++
      return
    }
    if (header.runId === this.warmupRunId) { this.onWarmupEcho?.(); return }
    const send = this.sends[header.seq]
    if (send === undefined) {
      // Our run id but a probe we never sent: forged or corrupt. Not ours to count.
      this.foreign++
      return
    }
    this.arrivals.push({ seq: header.seq, receivedMs })
    if (this.seen[header.seq] === 0) {
      this.seen[header.seq] = 1
      this.uniqueReceived++
      this.maxRttMs = Math.max(this.maxRttMs, receivedMs - send.scheduledMs)
      if (receivedMs - send.scheduledMs > this.tmaxMs()) this.lateSeen = true
    }
    this.progress(false)
    if (this.uniqueReceived === this.sends.length && this.allBack) this.allBack()
  }

  progress (force: boolean): void {
    if (this.finished) return
    const now = performance.now()
    if (!force && now - this.lastProgress < (this.options.progressIntervalMs ?? 100)) return
    this.lastProgress = now
    if (this.waiting && !force) {
      this.options.emit({ type: 'waiting', transport: this.id, outstanding: this.sends.length - this.uniqueReceived, capMs: this.deliveryCapMs })
      return
    }
    this.options.emit({ type: 'progress', transport: this.id, sent: this.sends.length, received: this.uniqueReceived, total: this.config.count })
  }

  /**
   * The waiting time: the configured one, or automatic — max(1 s + the impairment's largest
   * added RTT, 3 × the largest RTT seen so far) — frozen when the last probe is sent. Frozen
   * because a Tmax that keeps growing with the RTTs it judges can never find a probe late:
   * every RTT is ≤ the largest, < 3 × the largest.
   */
  tmaxMs (): number {
    return this.frozenTmaxMs ?? this.config.tmaxMs ?? (this.waitsForDelivery ? this.deliveryCapMs : this.autoTmaxMs())
  }

  /** The automatic rule: max(1 s + the impairment's largest added RTT, 3 × the largest RTT seen so far). */
  private autoTmaxMs (): number {
    return Math.max(MIN_AUTO_TMAX_MS + this.extraWaitMs, 3 * this.maxRttMs)
  }

  private frozenTmaxMs: number | undefined

  /**
   * How long after a send compare listens for any sign of life: Tmax, but never less than
   * the automatic floor (1 s + the impairment's added RTT). Tmax decides what counts as
   * lost (RFC 7680); it is not the patience for deciding that nothing answers at all — a
   * --tmax below the RTT makes every probe late (lost), not the reflector absent.
   */
  noAnswerWaitMs (): number {
    // The wait for delivery (up to a minute) is not the patience for "nothing echoes".
    if (this.waitsForDelivery) {
      return Math.max(this.autoTmaxMs(), (this.options.lossy ? RELIABLE_NO_ANSWER_UNDER_LOSS_MS : RELIABLE_NO_ANSWER_MS) + this.extraWaitMs)
    }
    return Math.max(this.tmaxMs(), MIN_AUTO_TMAX_MS + this.extraWaitMs)
  }

  /** Wait until every probe sent is back, `deadlineMs` passes, the transport fails or `keepWaiting` says no. */
  private async waitForEchoes (deadlineMs: number, keepWaiting: () => boolean = () => true): Promise<void> {
    while (this.uniqueReceived < this.sends.length && !this.failure && keepWaiting()) {
      const remaining = deadlineMs - this.now()
      if (remaining <= 0) break
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, Math.min(remaining, 250) + 1)
        function done (): void { clearTimeout(timer); resolve() }
        this.allBack = done
      })
      this.allBack = undefined
    }
  }

  /** The run is over: echoes that still come are recorded, without progress events. */
  finish (): void {
    this.finished = true
  }

  fail (error: Error & { code?: string }): void {
    this.failure ??= error
    this.onFailure?.()
  }

  private noAnswer (): Error {
    return this.options.transport.noAnswer(this.options.shownTarget)
  }

  /**
   * Send the warm-up, then the measured schedule, then wait for the echoes. Returns false
   * when the signal stopped it early.
   */
  async run (send: SendProbe): Promise<boolean> {
    const { config } = this
    const signal = this.options.signal
    let stopped = false
    // Also ends a wait slice at once, so a Ctrl-C during the wait for delivery is answered now.
    const onAbort = () => { stopped = true; this.allBack?.() }
    signal?.addEventListener('abort', onAbort, { once: true })
    this.onFailure = () => { stopped = true; this.allBack?.() }
    try {
      // How late this system's timers wake, measured before the schedule's clock starts.
      this.marginMs = await coarseMarginMs()
      // Warm-up: the same pace, its own clock; its echoes are ignored.
      const warmupOrigin = performance.now()
      this.origin = warmupOrigin
      for (let seq = 0; seq < config.warmup && !stopped && !signal?.aborted; seq++) {
        const scheduledMs = this.scheduledAt(seq)
        await this.waitUntil(scheduledMs, seq, () => stopped)
        await send(this.probe(seq, scheduledMs, true))
      }

      // The measured schedule continues the warm-up's: probe 0 goes one interval after the
      // last warm-up probe, not back to back with it (it would queue behind that echo, the
      // very artefact a warm-up is there to remove). A warm-up that ran late does not put
      // the measured probes behind their schedule.
      const origin = Math.max(performance.now(), warmupOrigin + config.warmup * config.intervalMs)
      // Interleaved: every run starts its schedule at the same instant.
      this.origin = this.options.startBarrier ? await this.arriveAtStart(origin) : origin
      this.progress(true)
      let firstAnswerDeadline = Infinity
      for (let seq = 0; seq < config.count; seq++) {
        if (stopped || signal?.aborted) break
        let scheduledMs = this.scheduledAt(seq)
        await this.waitUntil(scheduledMs, seq, () => stopped)
        if (stopped) break
        const actualMs = this.now()
        // With --blast there is no schedule: the send time is the schedule.
        if (config.blast) scheduledMs = actualMs
        this.sends.push({ seq, scheduledMs, actualMs })
        const pending = send(this.probe(seq, scheduledMs, false))
        if (pending) await pending
        if (seq === 0) firstAnswerDeadline = actualMs + this.noAnswerWaitMs()
        if (this.uniqueReceived === 0 && this.now() > firstAnswerDeadline) throw this.noAnswer()
        this.progress(false)
      }
      if (this.failure && this.uniqueReceived === 0) throw this.failure
      // From here on the echoes still coming back are judged, not used to move the goalposts.
      this.frozenTmaxMs = this.tmaxMs()

      // The final wait: until everything sent is back, or Tmax after the last scheduled send.
      const lastScheduled = this.sends.at(-1)?.scheduledMs ?? 0
      if (this.waitsForDelivery) await this.waitForDelivery(lastScheduled)
      else await this.waitForEchoes(lastScheduled + this.tmaxMs())
      // Nothing back within Tmax, or echoes coming back after it: the RTT may just be longer
      // than a --tmax given too small. Keep listening up to the no-answer wait, so those
      // probes are reported as late (still lost, RFC 7680) and "nothing answers" is only
      // said when nothing did.
      // A reliable transport loses nothing while its channel lives: its missing probes are on their way, so
      // they are listened for too, to be counted as late when they come (a --tmax that is too
      // short then says so).
      if (!this.waitsForDelivery) await this.waitForEchoes(lastScheduled + this.noAnswerWaitMs(), () => this.uniqueReceived === 0 || this.lateSeen || this.options.transport.traits.reliable)
      if (this.sends.length > 0 && this.uniqueReceived === 0) throw this.failure ?? this.noAnswer()
      if ((this.options.lingerMs ?? 0) > 0 && !this.failure) await sleep(Math.min(this.options.lingerMs ?? 0, Math.max(0, lastScheduled + this.tmaxMs() - this.now())))
      this.waiting = false
      this.progress(true)
      return !signal?.aborted
    } finally {
      if (!this.arrivedAtStart) this.options.startBarrier?.leave()
      this.arrivedAtStart = true
      signal?.removeEventListener('abort', onAbort)
      this.onFailure = undefined
    }
  }

  private arrivedAtStart = false
  private arriveAtStart (origin: number): Promise<number> {
    this.arrivedAtStart = true
    return this.options.startBarrier!.arrive(origin)
  }

  /**
   * A reliable transport with the automatic Tmax: wait until every probe is back, the channel fails, or
   * the cap passes. Past the automatic (UDP) Tmax, say how many are still in flight. A stop
   * (Ctrl-C) ends the wait at the automatic Tmax or at once if that has passed; Tmax is then
   * how long the wait had lasted after the last send (rule `stopped`).
   */
  private async waitForDelivery (lastScheduledMs: number): Promise<void> {
    const signal = this.options.signal
    const autoEnd = lastScheduledMs + this.autoTmaxMs()
    await this.waitForEchoes(lastScheduledMs + this.deliveryCapMs, () => {
      const now = this.now()
      if (this.uniqueReceived === 0) return now < lastScheduledMs + this.noAnswerWaitMs()
      if (signal?.aborted) return now < autoEnd
      if (!this.waiting && now >= autoEnd) {
        this.waiting = true
        this.lastProgress = -Infinity
        this.progress(false)
      }
      return true
    })
    if (this.uniqueReceived < this.sends.length && signal?.aborted && !this.failure) {
      this.frozenTmaxMs = Math.max(this.autoTmaxMs(), this.now() - lastScheduledMs)
      this.tmaxRule = this.frozenTmaxMs > this.autoTmaxMs() ? 'stopped' : 'auto'
    }
  }

  /**
   * Wait until `scheduledMs` on this run's clock. A timer brings us to a margin before it
   * (1.5 ms where timers have 1 ms granularity; more where they wake later — see
   * {@link coarseMarginMs}), then the event loop is polled with setImmediate until the
   * moment, so echoes are still read and timestamped while we wait. A sender that is
   * behind sends at once — but yields every few probes so arrivals keep being timestamped
   * when they come, not after the whole backlog.
   */
  private async waitUntil (scheduledMs: number, seq: number, isStopped: () => boolean): Promise<void> {
    if (this.config.blast) {
      if (seq % 8 === 7) await yieldToLoop()
      return
    }
    let remaining = scheduledMs - this.now()
    if (remaining <= 0) {
      if (seq % 8 === 7) await yieldToLoop()
      return
    }
    // Slept in slices so a stop (Ctrl-C) is noticed within one, and so a slow --rate never
    // asks setTimeout for more than it can take (2^31−1 ms, after which it fires at once).
    while (!isStopped() && remaining > this.marginMs) {
      await sleep(Math.min(remaining - this.marginMs, MAX_SLEEP_SLICE_MS))
      remaining = scheduledMs - this.now()
    }
    while (!isStopped() && (remaining = scheduledMs - this.now()) > 0) await yieldToLoop()
  }

  result (): TransportRun {
    return {
      transport: this.id,
      sends: this.sends,
      arrivals: this.arrivals,
      tmaxMs: this.tmaxMs(),
      tmaxRule: this.tmaxRule,
      intervalMs: this.config.intervalMs,
      sizeBytes: this.config.sizeBytes,
      foreign: this.foreign,
      sendFailures: this.sendFailures,
    }
  }
}

/** How early (ms) the coarse timer wakes before a scheduled send, at least; the rest is polled. */
const MIN_COARSE_MARGIN_MS = 1.5
/** Never poll for longer than this before a send (ms), however coarse the timers. */
const MAX_COARSE_MARGIN_MS = 20

/**
 * The margin for the measured timer lateness: the median of a few `setTimeout(1)` overshoots
 * plus half a millisecond, between 1.5 and 20 ms. Linux and macOS timers wake within about a
 * millisecond, so it stays 1.5 ms; where a timer rounds up to the system tick (Windows has
 * long used a 15.6 ms one), a sleep would wake up to a tick after a probe's time, and every
 * probe would be sent late — so the sender polls for that tick instead.
 */
export const marginFromOvershoots = (overshootsMs: number[]): number => {
  const sorted = [...overshootsMs].sort((a, b) => a - b)
  const median = sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!
  return Math.min(MAX_COARSE_MARGIN_MS, Math.max(MIN_COARSE_MARGIN_MS, median + 0.5))
}

let marginOnce: Promise<number> | undefined
/** {@link marginFromOvershoots} of five 1 ms sleeps, measured once per process (≈ 5–80 ms). */
const coarseMarginMs = (): Promise<number> => {
  marginOnce ??= (async () => {
    const overshoots: number[] = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      await sleep(1)
      overshoots.push(performance.now() - start - 1)
    }
    return marginFromOvershoots(overshoots)
  })()
  return marginOnce
}
/** Longest single sleep while waiting for a scheduled send, ms. */
const MAX_SLEEP_SLICE_MS = 200

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))
const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve))

