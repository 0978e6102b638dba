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

/** Where one transport's probes go (a relay may stand in front of the reflector). */
export interface ChannelTarget { host: string; port: number }

/** The socket-level extras a channel hands back when it closes. */
export interface ChannelExtras {
  /** Bytes the kernel granted to the measuring socket's buffers, where they can be read. */
  socketBuffers?: { receiveBytes?: number; sendBytes?: number }
}

/** What the runner gives a transport to open its channel. */
export interface OpenChannelOptions {
  /** Where the probes go. */
  target: ChannelTarget
  /** The reflector the user named, for error messages (a relay's port means nothing to them). */
  shownTarget: ChannelTarget
  /** Every probe is exactly this many bytes, header included (stream transports frame by it). */
  sizeBytes: number
  /** Leave Nagle's algorithm on (stream transports). */
  nagle: boolean
  /** ms to establish the channel, where it has a handshake. */
  connectTimeoutMs: number
  signal?: AbortSignal
  /**
   * Probes read back, in arrival order, all read at the same moment; each is the probe's
   * bytes (the runner decodes them).
   */
  onArrivals: (probes: Array<{ data: Buffer; offset: number }>) => void
  /** A probe the channel could not send (the kernel refused it): that probe is lost. */
  onSendFailure: () => void
  /** The channel failed (reset, closed by the peer, a send error that will repeat). */
  onFailure: (error: Error & { code?: string }) => void
}

/** One open channel to a reflector endpoint. */
export interface TransportChannel {
  /** Put one probe on the wire; a promise when the next must wait (backpressure). */
  send: (probe: Buffer) => void | Promise<void>
  /** Close and release everything; resolves with the extras (read before closing). */
  close: () => Promise<ChannelExtras>
}

/**
 * A transport compare can measure: its traits and how to open a channel. Adding one is one
 * adapter (src/compare/transports/), one reflector endpoint and one registration.
 */
export interface TransportAdapter {
  id: TransportId
  traits: TransportTraits
  /** Rejects when no channel can be made (refused, timed out, stopped: code ABORT_ERR). */
  open: (options: OpenChannelOptions) => Promise<TransportChannel>
  /** The error for "nothing came back from `shown`" on this transport. */
  noAnswer: (shown: ChannelTarget) => Error & { code?: string }
}

/** Transports by id: what `--transports` accepts and what the runner looks up. */
export type TransportRegistry = ReadonlyMap<TransportId, TransportAdapter>
