/**
 * The shapes `sockkit compare` hands around: its configuration, the kernel's view of
 * each transport's run, and the whole result that `--json` serialises and
 * `formatCompare` renders. Types only, so the runner, the statistics and the
 * formatter can be built and tested apart.
 */
import type { TransportResult } from './compare-stats.js'

export type Transport = 'tcp' | 'udp'

/** What a compare run was asked to do (after defaults were applied). */
export interface CompareConfig {
  /** Reflector host. */
  host: string
  /** Reflector port (TCP and UDP share the number). */
  port: number
  /** true when compare started its own reflector process on loopback. */
  local: boolean
  /** Probes per transport. */
  count: number
  /** Probes per second on the fixed schedule. */
  ratePerSecond: number
  /** ms between scheduled sends (1000 / ratePerSecond; 0 with blast). */
  intervalMs: number
  /** Probe size in bytes, header included. */
  sizeBytes: number
  /** Transports measured, in the order they ran. */
  transports: Transport[]
  /** Send as fast as possible instead of on the schedule. */
  blast: boolean
  /** Probes sent and discarded before measuring. */
  warmup: number
  /** Nagle's algorithm left on for TCP (default off). */
  nagle: boolean
  /** ms; null = automatic (max(1000, 3 × the largest RTT seen), reported in each result). */
  tmaxMs: number | null
  /** Filled by the impairment work (issue 4). */
  impairment?: Record<string, unknown>
}

/** The kernel's own counters for one transport's run (Linux /proc/net/snmp deltas). */
export interface KernelReport {
  /** false where the counters could not be read; `reason` says why. */
  available: boolean
  /** e.g. "not Linux: /proc/net/snmp is missing". */
  reason?: string
  /** Deltas of `Udp:` counters during this transport's run. */
  udp?: { rcvbufErrors: number; inErrors: number; sndbufErrors: number }
  /** Deltas of `Tcp:` counters during this transport's run. */
  tcp?: { retransSegs: number }
  /** Bytes the kernel actually granted to the measuring socket's buffers. */
  socketBuffers?: { receiveBytes?: number; sendBytes?: number }
}

/** Why one transport could not be measured: the error's stable code and its message. */
export interface TransportError { code: string; message: string }

/** Everything one `sockkit compare` run produced; `--json` prints exactly this. */
export interface CompareResult {
  schema: 'sockkit.compare/v1'
  config: CompareConfig
  /** Only the transports asked for. */
  results: { tcp?: TransportResult; udp?: TransportResult }
  kernel: { tcp?: KernelReport; udp?: KernelReport }
  /**
   * Present only when a transport could not be measured (or died mid-run) while another
   * was; a transport that failed completely is absent from `results`.
   */
  errors?: { tcp?: TransportError; udp?: TransportError }
  /** Stopped early (Ctrl-C): the results cover the probes actually sent. */
  interrupted: boolean
  /** ISO 8601. */
  startedAt: string
  /** ISO 8601. */
  finishedAt: string
}
