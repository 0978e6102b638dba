/**
 * The contract between compare's runner and its transports (TCP, UDP, later WebSocket…), and
 * the v2 result shape. The runner and the statistics name no transport: they read traits.
 */

/** A transport's id in config, JSON keys and the CSV: 'tcp', 'udp', later 'ws'. */
export type TransportId = string

/** What the runner, statistics and findings may know about a transport. */
export interface TransportTraits {
  /** Shown in tables and sentences: 'TCP', 'UDP', 'WebSocket'. */
  label: string
  /** Retransmits what the network drops: a probe not back yet is waiting, not lost. */
  reliable: boolean
  /** Delivers in the order sent (a reordering measured on it is a bug, not the network). */
  ordered: boolean
  /** How probes are delimited on the wire. */
  framing: 'datagram' | 'message' | 'stream'
  /** The IP transport underneath (which kernel counters and impairments apply). */
  carriedOver: 'tcp' | 'udp'
  /** The largest probe it can carry, bytes. */
  maxProbeBytes: number
}

/** A finding's importance, for ordering and colour; never its wording. */
export type FindingLevel = 'info' | 'notice' | 'warning'

/**
 * What a run means, as data: computed once (compare/findings.ts), worded by each renderer
 * from the catalogue (`compare.findings.<code>`). Tests assert code and params.
 */
export interface Finding {
  /** Stable, e.g. 'delivered-all', 'loss-receive-buffer', 'tail-retransmissions'. */
  code: string
  /** The transport it is about; absent for a run-wide finding. */
  transport?: TransportId
  level: FindingLevel
  /** Numbers and words the sentence needs (JSON-safe). */
  params: Record<string, string | number | boolean | null | Array<string | number>>
}
