/**
 * The impairment model: what a link does to traffic (config, kinds, limits), the seeded
 * random source, and the per-packet decisions and counters the relays share. The relays
 * import only this module.
 */
import { invalidArg } from '../core/errors.js'

/**
 * What a link does to the traffic crossing it. Every field applies to EACH direction
 * independently (client→server and server→client), like netem on both ends of a wire.
 * All fields default to 0 (no impairment).
 */
export interface Impairment {
  /** Share of packets dropped, percent 0–100. */
  loss?: number
  /** Added one-way delay, ms. */
  delay?: number
  /** One-way delay varies uniformly within ±jitter ms around `delay` (never below 0), ms. */
  jitter?: number
  /** Share of datagrams held back until the next one has gone out, percent 0–100 (UDP only). */
  reorder?: number
  /** Share of packets sent twice, percent 0–100. */
  duplicate?: number
}

/** An {@link Impairment} with every field present. */
export type FullImpairment = Required<Impairment>

/** Which engine puts the impairment on the wire. */
export type EmulatorChoice = 'auto' | 'kernel' | 'userspace'
export type EmulatorKind = 'kernel' | 'userspace'

/**
 * Why the kernel emulator can or cannot drop packets here, as a code (detectKernelSupport()
 * decides it; the catalogue's `impairment.kernelReason` words it in the user's language).
 */
export type KernelReason =
  | { code: 'available' }
  | { code: 'availableUserns' }
  | { code: 'availableUsernsHop' }
  | { code: 'needsLinux'; platform: string }
  | { code: 'needsRoot' }
  | { code: 'needsNft' }
  /** The plan did not need to ask the kernel. */
  | { code: 'notNeeded' }

/** What was found about netem, as a code (worded by the catalogue's `impairment.netemReason`). */
export type NetemReason =
  | { code: 'netemUndriven' }
  | { code: 'noNetem' }
  | { code: 'netemUnchecked'; detail: string }
  | { code: 'netemLinuxOnly' }
  | { code: 'netemNeedsRoot' }
  /** The plan did not need to ask. */
  | { code: 'netemNotChecked' }

/** The names of the impairments, in the order they are applied and reported. */
export const IMPAIRMENT_KINDS = ['loss', 'delay', 'jitter', 'reorder', 'duplicate'] as const
export type ImpairmentKind = typeof IMPAIRMENT_KINDS[number]

/** Longest delay or jitter accepted, ms (a minute is already far beyond any real path). */
export const MAX_IMPAIRMENT_DELAY_MS = 60_000

/**
 * Fill in zeros and check every value: percentages 0–100, delay and jitter 0–60000 ms.
 * Throws ERR_SOCKKIT_INVALID_ARG naming the bad value.
 */
export const normalizeImpairment = (impairment: Impairment = {}): FullImpairment => {
  const full: FullImpairment = {
    loss: impairment.loss ?? 0,
    delay: impairment.delay ?? 0,
    jitter: impairment.jitter ?? 0,
    reorder: impairment.reorder ?? 0,
    duplicate: impairment.duplicate ?? 0,
  }
  for (const kind of ['loss', 'reorder', 'duplicate'] as const) {
    const v = full[kind]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > 100) {
      throw invalidArg('impairmentPercentRange', { kind, value: v }, { value: v })
    }
  }
  for (const kind of ['delay', 'jitter'] as const) {
    const v = full[kind]
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_IMPAIRMENT_DELAY_MS) {
      throw invalidArg('impairmentDelayRange', { kind, value: v, maxMs: MAX_IMPAIRMENT_DELAY_MS }, { value: v })
    }
  }
  return full
}

/** The impairments that are switched on (non-zero), in {@link IMPAIRMENT_KINDS} order. */
export const activeImpairments = (impairment: Impairment): ImpairmentKind[] =>
  IMPAIRMENT_KINDS.filter(kind => (impairment[kind] ?? 0) > 0)

/**
 * Longest a datagram held for reordering waits for a successor, ms (the UDP relay's default
 * `reorderHoldMs`). With no successor by then it goes out in order: this much late.
 */
export const REORDER_HOLD_MS = 100

/** A source of uniform numbers in [0, 1). */
export type Random = () => number

/**
 * A small seedable PRNG (mulberry32: 32-bit state, period 2³², passes the usual
 * statistical batteries well enough for drop decisions). Same seed, same sequence.
 * Without a seed, one is drawn from Math.random.
 */
export const createRandom = (seed?: number): Random => {
  let state = (seed === undefined ? Math.floor(Math.random() * 2 ** 32) : seed) >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32
  }
}

/**
 * A seed for an independent sub-stream (one per direction and flow), so the decisions
 * in one direction do not depend on how much traffic the other direction carried.
 */
export const deriveSeed = (seed: number, ...stream: number[]): number => {
  let h = seed >>> 0
  for (const s of stream) {
    h = Math.imul(h ^ (s + 0x9e3779b9), 0x85ebca6b) >>> 0
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0
    h = (h ^ (h >>> 16)) >>> 0
  }
  return h
}

/** A fresh random seed, for runs where none was given (reported so the run can be repeated). */
export const randomSeed = (): number => Math.floor(Math.random() * 2 ** 32) >>> 0

/** One way through a link. */
export type Direction = 'client-to-server' | 'server-to-client'

/** What one direction of a relay did so far. */
export interface DirectionCounters {
  /** Packets (datagrams, or TCP chunks read) that entered this direction. */
  received: number
  /** Packets dropped on purpose. */
  dropped: number
  /**
   * Packets (copies included) written out. UDP: received − dropped + duplicated, less those the
   * delay queue refused (overflow) and those still delayed when the relay stopped.
   */
  forwarded: number
  /** Packets, duplicate copies included, put in the delay queue (delay or jitter > 0 ms). */
  delayed: number
  /** Datagrams held back and sent after their successor. */
  reordered: number
  /** Extra copies sent. */
  duplicated: number
  /** Bytes written out. */
  bytesForwarded: number
}

/** Counters for both directions. */
export interface ImpairmentCounters {
  clientToServer: DirectionCounters
  serverToClient: DirectionCounters
}

export const emptyDirectionCounters = (): DirectionCounters =>
  ({ received: 0, dropped: 0, forwarded: 0, delayed: 0, reordered: 0, duplicated: 0, bytesForwarded: 0 })

export const emptyCounters = (): ImpairmentCounters =>
  ({ clientToServer: emptyDirectionCounters(), serverToClient: emptyDirectionCounters() })

/** Field-wise sum, for totals over several relays. */
export const addCounters = (a: ImpairmentCounters, b: ImpairmentCounters): ImpairmentCounters => {
  const add = (x: DirectionCounters, y: DirectionCounters): DirectionCounters => ({
    received: x.received + y.received,
    dropped: x.dropped + y.dropped,
    forwarded: x.forwarded + y.forwarded,
    delayed: x.delayed + y.delayed,
    reordered: x.reordered + y.reordered,
    duplicated: x.duplicated + y.duplicated,
    bytesForwarded: x.bytesForwarded + y.bytesForwarded,
  })
  return { clientToServer: add(a.clientToServer, b.clientToServer), serverToClient: add(a.serverToClient, b.serverToClient) }
}

/**
 * One-way delay for one packet, ms: `delay` plus a uniform draw in [−jitter, +jitter],
 * floored at 0. Uniform rather than normal: bounded (no rare 5-sigma outliers that look
 * like a bug in class) and its range is exactly what the user typed.
 */
export const drawDelayMs = (imp: FullImpairment, random: Random): number => {
  if (imp.jitter === 0) return imp.delay
  return Math.max(0, imp.delay + (random() * 2 - 1) * imp.jitter)
}
