/**
 * Online sequence analysis for numbered packets, as they arrive: gaps, duplicates and
 * reordering per RFC 4737. Used by udp-server (per peer, live), udp-send --seq and compare.
 *
 * RFC 4737 §3.3: a packet is reordered if its sequence number is below NextExp, the
 * highest number seen so far plus one. §4.2.2 reordering extent: for a reordered
 * packet arriving at position i, e = i − j where j is the earliest arrival position
 * of a packet with a higher sequence number. Duplicates are noted and left out of the
 * analysis (§2.2/§3: only the first copy counts), so arrival positions count distinct
 * packets: 0,2,2,2,1 has extent 1, not 3.
 *
 * Memory is bounded: the numbers come from the peer (udp-server keeps one tracker per
 * peer), so the tracker remembers only a sliding window of `window` numbers below the
 * highest seen (default 65,536: a 16 KiB bitmap at most, plus 24 bytes per gap still
 * inside the window). A number more than `window` below the highest is "too old": whether
 * it is a late first copy or a duplicate can no longer be told, so it is counted as
 * `tooOld` only — neither reordered, nor duplicate, nor taken off `missing`. A jump ahead
 * is a gap (`jump: true` when it is wider than the window); it allocates nothing.
 * All arithmetic on sequence numbers is exact up to 2^53 (no 32-bit bit operations).
 */
import { invalidArg } from './errors.js'

/** Numbers remembered below the highest by default; see {@link SequenceTrackerOptions.window}. */
export const DEFAULT_SEQUENCE_WINDOW = 65_536

/** What one arrival turned out to be. */
export type SequenceObservation =
  /** The first packet, or exactly the next expected one. */
  | { kind: 'in-order'; seq: number }
  /**
   * Ahead of the expected one: `missing` numbers were skipped by this arrival (not the
   * running total — see {@link SequenceTotals.missing}). `jump`: the skip is wider than
   * the window, so none of the skipped numbers can later be told apart from a duplicate.
   */
  | { kind: 'gap'; seq: number; expected: number; missing: number; jump?: true }
  /** Below the expected one and not seen before: late. `extent` per RFC 4737. */
  | { kind: 'reordered'; seq: number; expected: number; extent: number }
  /** Seen before; counted once. */
  | { kind: 'duplicate'; seq: number }
  /**
   * More than the window below the highest (`highest`): a late first copy or a
   * duplicate, which cannot be told any more. Counted in `tooOld` only.
   */
  | { kind: 'too-old'; seq: number; highest: number }

/** Running totals; see {@link SequenceTracker}. */
export interface SequenceTotals {
  /** Every arrival, duplicates and too-old ones included. */
  arrivals: number
  /** Distinct sequence numbers received (while inside the window). */
  unique: number
  duplicates: number
  reordered: number
  /** Arrivals too far below the highest to tell a late packet from a duplicate. */
  tooOld: number
  /** Largest RFC 4737 reordering extent seen (0 when nothing was reordered). */
  maxReorderExtent: number
  /** Times a gap opened (an arrival skipped ahead). */
  gaps: number
  /**
   * Numbers between the start (the lowest seen, or `firstExpected` when that is lower)
   * and the highest seen that have not arrived (yet). A too-old arrival does not reduce it.
   */
  missing: number
  lowest: number | undefined
  highest: number | undefined
}

/** Options for {@link SequenceTracker}. */
export interface SequenceTrackerOptions {
  /**
   * Numbers remembered below the highest seen (default 65,536). `Infinity` remembers
   * everything from 0 up: only for a caller that assigned the numbers itself (udp-send,
   * compare), as memory then grows with the highest number (1 bit each).
   */
  window?: number
  /**
   * The number the sequence starts at, when there is a convention (udp-send --seq
   * numbers from 1). Numbers from it up to the first arrival then count as missing
   * (a gap), so losses at the very start are not hidden. Default: the first arrival.
   */
  firstExpected?: number
}

const INITIAL_BITMAP_BYTES = 1024

export class SequenceTracker {
  readonly window: number
  readonly firstExpected: number | undefined
  /** One bit per number from `base` up (`base` a multiple of 8). */
  private seen = new Uint8Array(0)
  private base = 0
  /** Largest bitmap, in bytes: twice the window, so sliding it costs O(1) per number. */
  private readonly maxBitmapBytes: number
  private highest: number | undefined
  private lowest: number | undefined
  private arrivals = 0
  /** Distinct arrivals so far: the RFC 4737 arrival position of the next one. */
  private positions = 0
  private unique = 0
  private duplicates = 0
  private reordered = 0
  private tooOld = 0
  private maxReorderExtent = 0
  private gaps = 0
  /**
   * Where the running maximum rose, run-length encoded: run k covers the distinct
   * arrivals runPosition[k] + i carrying runValue[k] + i, for i < runLength[k]. Values and
   * positions both increase, so the earliest arrival above s is a binary search. Runs
   * wholly below the window are dropped (from `runHead`), as no in-window number needs them.
   */
  private runPosition: number[] = []
  private runValue: number[] = []
  private runLength: number[] = []
  private runHead = 0

  constructor (options: SequenceTrackerOptions = {}) {
    const window = options.window ?? DEFAULT_SEQUENCE_WINDOW
    if (window !== Infinity && (!Number.isSafeInteger(window) || window < 1)) {
      throw invalidArg('coreSequenceWindow', { window })
    }
    if (options.firstExpected !== undefined && (!Number.isSafeInteger(options.firstExpected) || options.firstExpected < 0)) {
      throw invalidArg('coreFirstExpected', { value: options.firstExpected })
    }
    this.window = window
    this.firstExpected = options.firstExpected
    this.maxBitmapBytes = window === Infinity ? Infinity : 2 * Math.ceil(window / 8) + 1
  }

  /**
   * Record one arrival. Sequence numbers are whole numbers from 0 to 2^53 − 1; the first
   * one seen (or `firstExpected`) sets the origin; numbers below it still count, as
   * reordered, while they are inside the window.
   */
  observe (seq: number): SequenceObservation {
    if (!Number.isSafeInteger(seq) || seq < 0) throw invalidArg('coreSequenceNumber', { seq })
    this.arrivals++
    if (this.highest === undefined) {
      // The window reaches below the first arrival too: late numbers below it still count.
      this.base = this.window === Infinity ? 0 : floorTo8(Math.max(0, seq - this.window + 1))
    } else if (seq <= this.highest - this.window) {
      this.tooOld++
      return { kind: 'too-old', seq, highest: this.highest }
    }
    if (this.wasSeen(seq)) {
      this.duplicates++
      return { kind: 'duplicate', seq }
    }
    const position = this.positions++
    this.unique++
    // The first arrival is in order unless firstExpected says numbers before it are missing.
    const expected = this.highest === undefined ? Math.min(seq, this.firstExpected ?? seq) : this.highest + 1
    this.lowest = this.lowest === undefined ? seq : Math.min(this.lowest, seq)
    if (seq >= expected) {
      this.highest = seq
      this.markSeen(seq)
      this.addRise(position, seq)
      if (seq === expected) return { kind: 'in-order', seq }
      this.gaps++
      const missing = seq - expected
      return { kind: 'gap', seq, expected, missing, ...(missing >= this.window ? { jump: true as const } : {}) }
    }
    this.markSeen(seq)
    this.reordered++
    const extent = position - this.firstPositionAbove(seq)
    this.maxReorderExtent = Math.max(this.maxReorderExtent, extent)
    return { kind: 'reordered', seq, expected, extent }
  }

  totals (): SequenceTotals {
    const start = this.lowest === undefined ? undefined : Math.min(this.lowest, this.firstExpected ?? this.lowest)
    const span = this.highest === undefined || start === undefined ? 0 : this.highest - start + 1
    return {
      arrivals: this.arrivals,
      unique: this.unique,
      duplicates: this.duplicates,
      reordered: this.reordered,
      tooOld: this.tooOld,
      maxReorderExtent: this.maxReorderExtent,
      gaps: this.gaps,
      missing: span - this.unique,
      lowest: this.lowest,
      highest: this.highest,
    }
  }

  /**
   * Whether `seq` has arrived at least once. false also for a number too far below the
   * highest to tell (only with a finite window).
   */
  has (seq: number): boolean {
    return this.highest !== undefined && seq > this.highest - this.window && this.wasSeen(seq)
  }

  /** Bytes held by the bitmap (for tests and the curious: bounded by the window). */
  bitmapBytes (): number {
    return this.seen.length
  }

  private addRise (position: number, seq: number): void {
    const last = this.runValue.length - 1
    if (last >= this.runHead && this.runPosition[last]! + this.runLength[last]! === position && this.runValue[last]! + this.runLength[last]! === seq) {
      this.runLength[last]!++
    } else {
      this.runPosition.push(position)
      this.runValue.push(seq)
      this.runLength.push(1)
    }
    if (this.window === Infinity) return
    const oldestInWindow = seq - this.window + 1
    while (this.runHead < this.runValue.length - 1 && this.runValue[this.runHead]! + this.runLength[this.runHead]! - 1 < oldestInWindow) this.runHead++
    if (this.runHead > 1024 && this.runHead * 2 > this.runValue.length) {
      this.runPosition.splice(0, this.runHead)
      this.runValue.splice(0, this.runHead)
      this.runLength.splice(0, this.runHead)
      this.runHead = 0
    }
  }

  /** Position of the earliest distinct arrival above `seq` (one exists: seq < highest). */
  private firstPositionAbove (seq: number): number {
    let lo = this.runHead
    let hi = this.runValue.length - 1
    while (lo < hi) {
      const mid = lo + Math.floor((hi - lo) / 2)
      if (this.runValue[mid]! + this.runLength[mid]! - 1 > seq) hi = mid
      else lo = mid + 1
    }
    const value = Math.max(this.runValue[lo]!, seq + 1)
    return this.runPosition[lo]! + (value - this.runValue[lo]!)
  }

  private wasSeen (seq: number): boolean {
    const offset = seq - this.base
    if (offset < 0 || offset >= this.seen.length * 8) return false
    return (this.seen[Math.floor(offset / 8)]! & (1 << (offset % 8))) !== 0
  }

  private markSeen (seq: number): void {
    if (seq - this.base >= this.seen.length * 8) this.makeRoomFor(seq)
    const offset = seq - this.base
    this.seen[Math.floor(offset / 8)]! |= 1 << (offset % 8)
  }

  /**
   * Extend the bitmap to hold `seq` (the new highest): grow it up to twice the window,
   * then slide `base` so the window below `seq` stays covered; bits below it are dropped.
   */
  private makeRoomFor (seq: number): void {
    const newBase = this.window === Infinity ? this.base : floorTo8(Math.max(this.base, seq - this.window + 1))
    const neededBytes = Math.floor((seq - newBase) / 8) + 1
    const bytes = Math.min(this.maxBitmapBytes, Math.max(this.seen.length * 2, neededBytes, INITIAL_BITMAP_BYTES))
    const shiftBytes = (newBase - this.base) / 8
    const next = bytes === this.seen.length ? this.seen : new Uint8Array(bytes)
    if (shiftBytes < this.seen.length) {
      const kept = this.seen.subarray(shiftBytes)
      if (next === this.seen) {
        this.seen.copyWithin(0, shiftBytes)
        this.seen.fill(0, this.seen.length - shiftBytes)
      } else {
        next.set(kept)
      }
    } else if (next === this.seen) {
      this.seen.fill(0)
    }
    this.seen = next
    this.base = newBase
  }
}

const floorTo8 = (n: number): number => n - (n % 8)
