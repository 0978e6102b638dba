/** compare's configuration: defaults, limits, and the check of every value (makeCompareConfig). */
import { invalidArg } from '../core/errors.js'
import { PROBE_HEADER_BYTES } from '../probe/probe.js'
import type { CompareConfig, CompareSchedule } from './compare-types.js'
import type { TransportId, TransportRegistry } from './transport-types.js'
import { defaultTransports } from './transports/index.js'

export { MAX_TCP_PROBE_BYTES } from './transports/tcp.js'
/** Probes per transport when not told. */
export const DEFAULT_COMPARE_COUNT = 1000
/** Probes per second when not told. */
export const DEFAULT_COMPARE_RATE = 200
/** Probe size in bytes when not told. */
export const DEFAULT_COMPARE_SIZE = 64
/** Largest probe count accepted (each probe costs a few dozen bytes of bookkeeping). */
export const MAX_COMPARE_COUNT = 10_000_000

/** What {@link makeCompareConfig} accepts; every field has a default. */
export interface CompareOptions {
  /** Reflector host. Default 127.0.0.1. */
  host?: string
  /** Reflector port (every transport's endpoint). Default 9000. */
  port?: number
  /** true when the caller started its own reflector. Default false. */
  local?: boolean
  /** Probes per transport. Default 1000. */
  count?: number
  /** Probes per second. Default 200. */
  ratePerSecond?: number
  /** Probe size in bytes, header included: at least 24; at most the smallest `maxProbeBytes` of the transports (65507 with UDP). Default 64. */
  sizeBytes?: number
  /** Transports, in the order they run. Default: every registered one, in registration order (tcp, udp). */
  transports?: TransportId[]
  /** Send back-to-back as fast as the sockets accept instead of on the schedule. Default false. */
  blast?: boolean
  /** Probes sent and discarded before measuring. Default 0. */
  warmup?: number
  /** Leave Nagle's algorithm on for stream transports. Default false (setNoDelay(true)). */
  nagle?: boolean
  /**
   * Loss waiting time, ms; null (default) = automatic, frozen when the last probe is sent:
   * max(1000 + 2 × (delay + jitter), 3 × the largest RTT seen until then).
   */
  tmaxMs?: number | null
  /** 'interleaved' (one schedule for all transports) or 'sequential'. Default 'interleaved'. */
  schedule?: CompareSchedule
}

/** Every id known, each once, at least one. */
const checkTransports = (transports: TransportId[], registry: TransportRegistry): void => {
  if (transports.length === 0 || transports.some(t => !registry.has(t)) || new Set(transports).size !== transports.length) {
    throw invalidArg('compareTransportsUnknown', { known: [...registry.keys()], value: transports.join(',') }, { value: transports })
  }
}

/** The largest probe every chosen transport can carry, and whether a datagram limit sets it. */
const sizeLimit = (transports: TransportId[], registry: TransportRegistry): { max: number; datagramLimit: boolean } => {
  const traits = transports.map(t => registry.get(t)!.traits)
  const max = Math.min(...traits.map(t => t.maxProbeBytes))
  return { max, datagramLimit: traits.some(t => t.framing === 'datagram' && t.maxProbeBytes === max) }
}

/**
 * Check every value and fill in defaults. Throws ERR_SOCKKIT_INVALID_ARG naming the bad value.
 * `registry` is the transports that may be asked for (default: the built-in ones).
 */
export const makeCompareConfig = (options: CompareOptions = {}, registry: TransportRegistry = defaultTransports): CompareConfig => {
  const count = options.count ?? DEFAULT_COMPARE_COUNT
  const ratePerSecond = options.ratePerSecond ?? DEFAULT_COMPARE_RATE
  const sizeBytes = options.sizeBytes ?? DEFAULT_COMPARE_SIZE
  const transports = options.transports ?? [...registry.keys()]
  const warmup = options.warmup ?? 0
  const tmaxMs = options.tmaxMs ?? null
  const port = options.port ?? 9000
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COMPARE_COUNT) {
    throw invalidArg('compareCountRange', { max: MAX_COMPARE_COUNT, value: count }, { value: count })
  }
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) throw invalidArg('compareRateRange', { value: ratePerSecond }, { value: ratePerSecond })
  checkTransports(transports, registry)
  const { max, datagramLimit } = sizeLimit(transports, registry)
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < PROBE_HEADER_BYTES || sizeBytes > max) {
    throw invalidArg('compareSizeRange', { min: PROBE_HEADER_BYTES, max, datagramLimit, value: sizeBytes }, { value: sizeBytes })
  }
  if (!Number.isSafeInteger(warmup) || warmup < 0 || warmup > MAX_COMPARE_COUNT) throw invalidArg('compareWarmupRange', { value: warmup }, { value: warmup })
  if (tmaxMs !== null && (!Number.isFinite(tmaxMs) || tmaxMs <= 0)) throw invalidArg('compareTmaxRange', { value: tmaxMs }, { value: tmaxMs })
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalidArg('comparePortRange', { value: port }, { value: port })
  const blast = options.blast ?? false
  return {
    host: options.host ?? '127.0.0.1',
    port,
    local: options.local ?? false,
    count,
    // --blast has no schedule: a rate here would be read as the rate used.
    ratePerSecond: blast ? null : ratePerSecond,
    intervalMs: blast ? 0 : 1000 / ratePerSecond,
    sizeBytes,
    transports: [...transports],
    schedule: options.schedule ?? 'interleaved',
    blast,
    warmup,
    nagle: options.nagle ?? false,
    tmaxMs,
  }
}
