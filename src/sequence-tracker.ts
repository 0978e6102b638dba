/**
 * Online sequence analysis for numbered packets, as they arrive: gaps, duplicates and
 * reordering per RFC 4737. Used by udp-server (per peer, live) and by compare.
 *
 * RFC 4737 §3.3: a packet is reordered if its sequence number is below NextExp, the
 * highest number seen so far plus one. §4.2.2 reordering extent: for a reordered
 * packet arriving at position i, e = i − j where j is the earliest arrival position
 * of a packet with a higher sequence number.
 */

/** What one arrival turned out to be. */
export type SequenceObservation =
  /** The first packet, or exactly the next expected one. */
  | { kind: 'in-order'; seq: number }
  /** Ahead of the expected one: `missing` numbers were skipped (so far). */
  | { kind: 'gap'; seq: number; expected: number; missing: number }
  /** Below the expected one and not seen before: late. `extent` per RFC 4737. */
  | { kind: 'reordered'; seq: number; expected: number; extent: number }
  /** Seen before; counted once. */
  | { kind: 'duplicate'; seq: number }

/** Running totals; see {@link SequenceTracker}. */
export interface SequenceTotals {
  /** Every arrival, duplicates included. */
  arrivals: number
  /** Distinct sequence numbers received. */
  unique: number
  duplicates: number
  reordered: number
  /** Largest RFC 4737 reordering extent seen (0 when nothing was reordered). */
  maxReorderExtent: number
  /** Times a gap opened (an arrival skipped ahead). */
  gaps: number
  /** Numbers between the lowest and highest seen that have not arrived (yet). */
  missing: number
  lowest: number | undefined
  highest: number | undefined
}

export class SequenceTracker {
  private seen = new Uint8Array(1024)
  private base: number | undefined
  private highest: number | undefined
  private lowest: number | undefined
  private arrivals = 0
  private unique = 0
  private duplicates = 0
  private reordered = 0
  private maxReorderExtent = 0
  private gaps = 0
  /**
   * Arrival positions at which the running maximum rose, with the new maximum: both
   * columns increase, so the earliest arrival with a number above s is a binary search.
   */
  private maxRisePositions: number[] = []
  private maxRiseValues: number[] = []

  /**
   * Record one arrival. Sequence numbers are non-negative integers; the first one seen
   * sets the origin (numbers below it still count, as reordered).
   */
  observe (seq: number): SequenceObservation {
    const position = this.arrivals++
    if (this.base === undefined) this.base = Math.max(0, seq - 1024)
    if (this.wasSeen(seq)) {
      this.duplicates++
      return { kind: 'duplicate', seq }
    }
    this.markSeen(seq)
    this.unique++
    this.lowest = this.lowest === undefined ? seq : Math.min(this.lowest, seq)
    const expected = this.highest === undefined ? seq : this.highest + 1
    if (seq >= expected) {
      this.highest = seq
      this.maxRisePositions.push(position)
      this.maxRiseValues.push(seq)
      if (seq === expected) return { kind: 'in-order', seq }
      this.gaps++
      return { kind: 'gap', seq, expected, missing: seq - expected }
    }
    this.reordered++
    const extent = position - this.firstPositionAbove(seq)
    this.maxReorderExtent = Math.max(this.maxReorderExtent, extent)
    return { kind: 'reordered', seq, expected, extent }
  }

  totals (): SequenceTotals {
    const span = this.highest === undefined || this.lowest === undefined ? 0 : this.highest - this.lowest + 1
    return {
      arrivals: this.arrivals,
      unique: this.unique,
      duplicates: this.duplicates,
      reordered: this.reordered,
      maxReorderExtent: this.maxReorderExtent,
      gaps: this.gaps,
      missing: span - this.unique,
      lowest: this.lowest,
      highest: this.highest,
    }
  }

  /** Whether `seq` has arrived at least once. */
  has (seq: number): boolean {
    return this.wasSeen(seq)
  }

  private firstPositionAbove (seq: number): number {
    let lo = 0
    let hi = this.maxRiseValues.length - 1
    while (lo < hi) {
      const mid = (lo + hi) >> 1
      if (this.maxRiseValues[mid]! > seq) hi = mid
      else lo = mid + 1
    }
    return this.maxRisePositions[lo]!
  }

  // A bitmap of seen numbers, relative to `base`, grown on demand: one bit per number,
  // so a million probes cost 125 KiB. Numbers below `base` (very late, from before the
  // first arrival's window) are tracked in a small set.
  private readonly below = new Set<number>()

  private wasSeen (seq: number): boolean {
    const offset = seq - this.base!
    if (offset < 0) return this.below.has(seq)
    const byte = offset >> 3
    return byte < this.seen.length && (this.seen[byte]! & (1 << (offset & 7))) !== 0
  }

  private markSeen (seq: number): void {
    const offset = seq - this.base!
    if (offset < 0) { this.below.add(seq); return }
    const byte = offset >> 3
    if (byte >= this.seen.length) {
      const grown = new Uint8Array(Math.max(this.seen.length * 2, byte + 1))
      grown.set(this.seen)
      this.seen = grown
    }
    this.seen[byte]! |= 1 << (offset & 7)
  }
}
