import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { reachableAddresses } from '../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PREVIEW_BYTES } from '../core/constants.js'
import { invalidArg } from '../core/errors.js'
import type { UdpFamily } from '../net/snmp.js'
import { UdpDropWatch } from '../net/udp-drop-watch.js'
import { preview } from '../core/preview.js'
import { requestRecvBufferSize } from '../net/socket-buffer.js'
import { parseSeq } from '../core/seq-prefix.js'
import { SequenceTracker, type SequenceObservation } from '../core/sequence-tracker.js'
import { EventLimit } from '../core/event-limit.js'

/** Peers whose statistics are kept at once by default; see {@link UdpServerOptions.maxPeers}. */
export const DEFAULT_MAX_UDP_PEERS = 10_000
/** Echo datagrams waiting in Node for the kernel before further echoes are skipped. */
export const DEFAULT_MAX_PENDING_ECHOES = 1024
/**
 * A peer's `seq=1` after its run reached this number, and after a pause of
 * {@link DEFAULT_SEQ_RESTART_PAUSE_MS}, starts a new run (the client was restarted from the
 * same port): udp-send --seq numbers from 1, and a rerun's losses would otherwise hide
 * behind "duplicates".
 */
export const SEQ_RESTART_AFTER = 4
/**
 * The pause before a `seq=1` that makes it a new run. Without a pause, a seq 1 arriving
 * after later numbers is a late copy or a reordered datagram (a jittery path such as
 * `link --jitter` delivers them so): read as a restart, it would invent losses.
 */
export const DEFAULT_SEQ_RESTART_PAUSE_MS = 1000
/** How often the kernel's drop counters are read while datagrams arrive, ms. */
export const DEFAULT_KERNEL_DROP_CHECK_MS = 2000

/** Options for {@link UdpServer}. */
export interface UdpServerOptions {
  /** Port to listen on; 0 lets the OS pick. Default 9000. */
  port?: number
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string
  /** Send each datagram back to its sender, byte for byte (default true). Never larger than the request. */
  echo?: boolean
  /** Emit a `datagram` event per datagram (default true). Sequence anomalies are reported regardless. */
  datagramEvents?: boolean
  /**
   * At most this many `datagram` events per peer per second, and as many `sequence`
   * events; the rest are counted and reported as one `datagrams-hidden` or
   * `sequence-hidden` event when the peer's second is over (at its next datagram, or from a
   * once-a-second check after a burst, or at close). A flood then costs a few lines, not
   * one per datagram. 0 = every event (default). The per-peer totals are kept regardless.
   */
  eventsPerSecond?: number
  /** Bytes of each datagram shown in its preview. Default 48. */
  previewBytes?: number
  /** A peer's seq 1 after this many ms of silence (and seq {@link SEQ_RESTART_AFTER} or more) starts a new run. Default 1000. */
  seqRestartPauseMs?: number
  /**
   * Peers (address:port) whose counts and sequence state are kept; when a new peer
   * arrives beyond it, the one heard from least recently is forgotten. Default 10,000.
   */
  maxPeers?: number
  /**
   * Socket receive buffer to ask the kernel for, bytes (SO_RCVBUF). Default: the system's.
   * If the kernel refuses it (macOS, above kern.ipc.maxsockbuf), the server still listens
   * with the default, and `listening` says so in `recvBufferRefused`.
   */
  recvBufferSize?: number
  /** Echoes queued in Node beyond which further echoes are skipped and counted. Default 1024. */
  maxPendingEchoes?: number
  /**
   * Which peers are served, by source address (`createAddressFilter` from `cidr.ts` fits).
   * A datagram from a peer it rejects gets no reply — a reply would confirm the port is
   * open — and is counted and reported as `denied`. Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /**
   * On Linux, read this socket's own drop count (the `drops` column of /proc/net/udp or
   * /proc/net/udp6) this often while datagrams arrive, and at close, and report datagrams
   * the kernel dropped for it, nearly always because its receive buffer was full
   * (`kernel-drops`). The machine-wide `RcvbufErrors` for the socket's family (`Udp` in
   * /proc/net/snmp, `Udp6` in /proc/net/snmp6, both for `::`) is read alongside, as context.
   * 0 = only at close. Default 2000 ms.
   */
  kernelDropCheckMs?: number
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: UdpServerEvent) => void
}

/**
 * Sequence statistics for one run of a peer's `seq=` datagrams. Numbers start at 1 (the
 * udp-send --seq convention), so a run whose first arrival is 5 has 1–4 missing.
 */
export interface PeerSeqStats {
  /** Numbered datagrams, duplicates included. */
  received: number
  lowest: number
  highest: number
  /** Numbers from 1 (or the lowest, if lower) to the highest that never arrived. */
  missing: number
  duplicates: number
  reordered: number
  maxReorderExtent: number
  /** Arrivals too far (over 65,536) below the highest to tell late from duplicate. */
  tooOld: number
}

/** A peer's sequence statistics: the current run, and the runs before its restarts. */
export interface PeerSeqSummary extends PeerSeqStats {
  /** Times the peer started again at seq 1 (see {@link SEQ_RESTART_AFTER}). */
  restarts: number
  /** The earlier runs added up (absent without restarts). */
  earlierRuns?: { runs: number; received: number; missing: number; duplicates: number; reordered: number }
}

/** One peer's totals. */
export interface UdpPeerSummary {
  address: string
  port: number
  datagrams: number
  bytes: number
  /** Present when the peer sent `seq=` datagrams. */
  seq?: PeerSeqSummary
}

export type UdpServerEvent =
  /**
   * `kernelDropCounter`: whether this socket's own drop count can be read here (Linux
   * /proc/net/udp, /proc/net/udp6). `machineDropCounter`: whether the machine-wide
   * `RcvbufErrors` can (/proc/net/snmp, /proc/net/snmp6); `kernelDropFamily` says which:
   * ipv4 `Udp`, ipv6 `Udp6`, both for a dual-stack `::` socket.
   * `recvBufferRefused`: the system's error code (ENOBUFS…) when the kernel refused
   * `requestedRecvBufferSize`; `recvBufferSize` is then its default.
   */
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[]; recvBufferSize: number; requestedRecvBufferSize?: number; recvBufferRefused?: string; kernelDropCounter: boolean; machineDropCounter: boolean; kernelDropFamily: UdpFamily }
  /** A datagram from a peer the address filter rejects: not echoed, not tracked. `denied` counts them all so far. */
  | { type: 'denied'; address: string; port: number; bytes: number; denied: number }
  /**
   * This socket's drop count rose: the kernel threw away `dropped` datagrams sent to it
   * since the last report (`total` since listening), because its receive buffer was full.
   * `machineWide`: the rise of `RcvbufErrors` for the family since listening, every socket
   * on the machine (network namespace) together — the flooder's own buffer included;
   * null where it cannot be read.
   */
  | { type: 'kernel-drops'; dropped: number; total: number; machineWide: number | null }
  | { type: 'datagram'; address: string; port: number; bytes: number; preview: string; seq?: number; newPeer: boolean }
  /**
   * A `seq=` datagram that was not simply the next one: a gap, a late (reordered) one, a
   * duplicate or a too-old one. `missingSoFar`: the run's running total of missing numbers
   * (a gap's `missing` is only the numbers this arrival skipped).
   */
  | ({ type: 'sequence'; address: string; port: number; missingSoFar: number } & SequenceObservation)
  /** The peer started again at seq 1 after reaching {@link SEQ_RESTART_AFTER} or more: a new run; `previous` is the run that ended. */
  | { type: 'sequence-restart'; address: string; port: number; previous: PeerSeqStats; restarts: number }
  /** `datagrams` datagrams (`bytes` bytes) from this peer got no `datagram` event: over `limit` a second. */
  | { type: 'datagrams-hidden'; address: string; port: number; datagrams: number; bytes: number; limit: number }
  /**
   * Sequence anomalies from this peer that got no `sequence` event (over `limit` a second),
   * by kind; `missing`: the numbers the hidden gaps skipped; `missingSoFar` as in `sequence`.
   */
  | { type: 'sequence-hidden'; address: string; port: number; gaps: number; missing: number; reordered: number; duplicates: number; tooOld: number; missingSoFar: number; limit: number }
  | { type: 'peer-evicted'; address: string; port: number; datagrams: number; maxPeers: number }
  | { type: 'echo-skipped'; address: string; port: number; pendingEchoes: number }
  | { type: 'echo-error'; address: string; port: number; code: string; message: string }
  | { type: 'server-error'; code: string; message: string }

/** Totals over the server's life, returned by {@link UdpServer.close}. */
export interface UdpServerSummary {
  datagrams: number
  bytes: number
  echoed: number
  /** Echoes skipped because too many were already waiting for the kernel. */
  echoesSkipped: number
  /** Datagrams from peers the address filter rejected: not echoed, not in `datagrams`. */
  denied: number
  /**
   * Datagrams the kernel dropped for this socket while listening (its `drops` in
   * /proc/net/udp{,6}); null where it cannot be told: not Linux, or the socket could not
   * be found there. Never 0 for unknown.
   */
  kernelDrops: number | null
  /**
   * Rise in the kernel's `RcvbufErrors` for the socket's family while listening: every
   * socket on the machine, not only this one. null where it cannot be told (not Linux, no
   * IPv6 counters, the counter went backwards).
   */
  machineRcvbufErrors: number | null
  /** Which counters `machineRcvbufErrors` adds up: ipv4 `Udp`, ipv6 `Udp6`, both for `::`. */
  kernelDropFamily: UdpFamily
  /** Distinct peers seen (evicted ones included). */
  peersSeen: number
  /** Peers forgotten to stay within `maxPeers`; their stats are not in `peers`. */
  peersEvicted: number
  /** Peers still tracked, in the order they were last heard from (oldest first). */
  peers: UdpPeerSummary[]
  durationMs: number
}

interface PeerState {
  address: string
  port: number
  datagrams: number
  bytes: number
  tracker?: SequenceTracker
  restarts: number
  earlierRuns?: NonNullable<PeerSeqSummary['earlierRuns']>
  /** When its previous datagram arrived (Date.now()), for the restart pause. */
  lastAt: number
  /** Events over eventsPerSecond in its current window: counted, reported in one roll-up. */
  hidden?: HiddenEvents
}

interface HiddenEvents {
  datagrams: number
  bytes: number
  gaps: number
  missing: number
  reordered: number
  duplicates: number
  tooOld: number
}

/**
 * A UDP echo server that reports every datagram. It serves every peer at once (it never
 * locks onto the first sender, unlike `nc -u`), echoes each datagram back unchanged
 * (so a reply is never larger than its request: no amplification), and follows
 * `seq=<n> ` numbered datagrams per peer, reporting gaps, duplicates and reordering
 * (RFC 4737) as they happen.
 */
export class UdpServer {
  readonly options: Required<Omit<UdpServerOptions, 'onEvent' | 'recvBufferSize' | 'addressFilter'>> & Pick<UdpServerOptions, 'onEvent' | 'recvBufferSize' | 'addressFilter'>
  private readonly socket: Socket
  // A Map keeps insertion order; a peer is re-inserted when heard from, so the first key
  // is always the least recently heard one — the one to forget when full.
  private readonly peers = new Map<string, PeerState>()
  private readonly totals = { datagrams: 0, bytes: 0, echoed: 0, echoesSkipped: 0, denied: 0, peersSeen: 0, peersEvicted: 0 }
  private pendingEchoes = 0
  /** The kernel's drops for this socket, and the machine-wide count beside them. */
  private readonly drops = new UdpDropWatch(drops => this.emit({ type: 'kernel-drops', ...drops }))
  /** eventsPerSecond per peer: `datagram` and `sequence` events each. */
  private readonly eventLimit: EventLimit<PeerState, 'datagram' | 'sequence'>
  private listening = false
  private startedAt = 0

  constructor (options: UdpServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      echo: options.echo ?? true,
      datagramEvents: options.datagramEvents ?? true,
      eventsPerSecond: options.eventsPerSecond ?? 0,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      seqRestartPauseMs: options.seqRestartPauseMs ?? DEFAULT_SEQ_RESTART_PAUSE_MS,
      maxPeers: options.maxPeers ?? DEFAULT_MAX_UDP_PEERS,
      maxPendingEchoes: options.maxPendingEchoes ?? DEFAULT_MAX_PENDING_ECHOES,
      recvBufferSize: options.recvBufferSize,
      addressFilter: options.addressFilter,
      kernelDropCheckMs: options.kernelDropCheckMs ?? DEFAULT_KERNEL_DROP_CHECK_MS,
      onEvent: options.onEvent,
    }
    if (!Number.isSafeInteger(this.options.eventsPerSecond) || this.options.eventsPerSecond < 0) {
      throw invalidArg('udpServerEventsPerSecond', { value: this.options.eventsPerSecond })
    }
    if (!Number.isSafeInteger(this.options.maxPeers) || this.options.maxPeers < 1) {
      throw invalidArg('udpServerMaxPeers', { value: this.options.maxPeers })
    }
    this.eventLimit = new EventLimit(this.options.eventsPerSecond, peer => this.reportHidden(peer))
    // The receive buffer is asked for after bind (see requestRecvBufferSize), not here.
    this.socket = createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4' })
    this.socket.on('message', (data, rinfo) => this.onMessage(data, rinfo))
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    return this.socket.address()
  }

  /** Bytes of receive buffer the kernel granted (Linux reports double what was asked for). */
  recvBufferSize (): number {
    return this.socket.getRecvBufferSize()
  }

  /** Start listening. Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    // Read before binding, so every drop on our socket is after the baseline.
    await this.drops.baseline()
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        try { this.socket.close() } catch { /* never bound */ }
        reject(Object.assign(err, { host: this.options.host, port: this.options.port }))
      }
      this.socket.once('error', onError)
      this.socket.bind(this.options.port, this.options.host, () => {
        this.socket.off('error', onError)
        const recvBufferRefused = this.options.recvBufferSize !== undefined
          ? requestRecvBufferSize(this.socket, this.options.recvBufferSize)
          : undefined
        // After listening, a socket error (rare for an unconnected UDP socket) is reported, not fatal.
        this.socket.on('error', err => this.emit({ type: 'server-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message }))
        this.listening = true
        this.startedAt = Date.now()
        const a = this.address()
        this.drops.attach(a.address, a.port)
        this.emit({
          type: 'listening', address: a.address, port: a.port, family: a.family, reachable: reachableAddresses(a.address),
          recvBufferSize: this.recvBufferSize(),
          ...(this.options.recvBufferSize !== undefined ? { requestedRecvBufferSize: this.options.recvBufferSize } : {}),
          ...(recvBufferRefused !== undefined ? { recvBufferRefused } : {}),
          kernelDropCounter: this.drops.socketReadable,
          machineDropCounter: this.drops.machineReadable,
          kernelDropFamily: this.drops.family,
        })
        this.drops.watch(this.options.kernelDropCheckMs, () => this.totals.datagrams + this.totals.denied)
        resolve(a)
      })
    })
  }

  /**
   * Stop listening and resolve with the totals and per-peer statistics. The kernel's drop
   * counter is read one last time (and a rise reported) before the socket closes.
   */
  async close (): Promise<UdpServerSummary> {
    this.drops.stop()
    this.eventLimit.close()
    if (this.listening) await this.drops.check()
    const summary = this.summary()
    if (this.listening) {
      this.listening = false
      this.drops.detach()
      await new Promise<void>(resolve => this.socket.close(() => resolve()))
    }
    return summary
  }

  /**
   * Read this socket's drop count now and emit `kernel-drops` if it rose since the last
   * report (with the machine-wide `RcvbufErrors` rise as context). Resolves with the total
   * since listening; null where it cannot be told (off Linux, socket not found).
   * Concurrent calls share one read.
   */
  async checkKernelDrops (): Promise<number | null> {
    return this.listening ? this.drops.check() : this.drops.total
  }

  /** Totals so far (`kernelDrops` as of the last check). */
  summary (): UdpServerSummary {
    return {
      ...this.totals,
      kernelDrops: this.drops.total,
      machineRcvbufErrors: this.drops.machineWide,
      kernelDropFamily: this.drops.family,
      peers: [...this.peers.values()].map(peerSummary),
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private emit (event: UdpServerEvent): void {
    this.options.onEvent?.(event)
  }

  private onMessage (data: Buffer, rinfo: RemoteInfo): void {
    const { address, port } = rinfo
    if (this.options.addressFilter !== undefined && !this.options.addressFilter(address)) {
      this.totals.denied++
      this.emit({ type: 'denied', address, port, bytes: data.length, denied: this.totals.denied })
      return
    }
    const key = `${address}|${port}`
    let peer = this.peers.get(key)
    const newPeer = peer === undefined
    if (peer) {
      this.peers.delete(key)
    } else {
      peer = { address, port, datagrams: 0, bytes: 0, restarts: 0, lastAt: 0 }
      this.totals.peersSeen++
      if (this.peers.size >= this.options.maxPeers) this.evictOldest()
    }
    this.peers.set(key, peer)
    const now = Date.now()
    const silentMs = newPeer ? Infinity : now - peer.lastAt
    peer.lastAt = now
    peer.datagrams++
    peer.bytes += data.length
    this.totals.datagrams++
    this.totals.bytes += data.length

    const numbered = parseSeq(data)
    this.eventLimit.roll(peer, now)
    if (this.options.datagramEvents && this.eventWanted(peer, 'datagram', data.length)) {
      this.emit({
        type: 'datagram', address, port, bytes: data.length, preview: preview(data, this.options.previewBytes), newPeer,
        ...(numbered ? { seq: numbered.seq } : {}),
      })
    }
    if (numbered) this.trackSeq(peer, numbered.seq, silentMs)
    if (this.options.echo) this.echo(data, address, port)
  }

  private trackSeq (peer: PeerState, seq: number, silentMs: number): void {
    const { address, port } = peer
    if (seq === 1 && peer.tracker !== undefined && silentMs >= this.options.seqRestartPauseMs) {
      const previous = peer.tracker.totals()
      if (previous.highest !== undefined && previous.highest >= SEQ_RESTART_AFTER) {
        // A rerun from the same port: a new run, so its losses are not hidden as duplicates.
        const stats = seqStats(peer.tracker)
        const earlier = peer.earlierRuns ?? { runs: 0, received: 0, missing: 0, duplicates: 0, reordered: 0 }
        peer.earlierRuns = {
          runs: earlier.runs + 1,
          received: earlier.received + stats.received,
          missing: earlier.missing + stats.missing,
          duplicates: earlier.duplicates + stats.duplicates,
          reordered: earlier.reordered + stats.reordered,
        }
        // Hidden anomalies belong to the run that ended: reported before it is forgotten.
        this.eventLimit.flush(peer)
        peer.restarts++
        peer.tracker = undefined
        this.emit({ type: 'sequence-restart', address, port, previous: stats, restarts: peer.restarts })
      }
    }
    // udp-send --seq numbers from 1: a run whose first arrival is k > 1 lost 1…k−1.
    peer.tracker ??= new SequenceTracker({ firstExpected: 1 })
    const observation = peer.tracker.observe(seq)
    if (observation.kind !== 'in-order') {
      if (this.eventWanted(peer, 'sequence', 0)) {
        this.emit({ type: 'sequence', address, port, missingSoFar: peer.tracker.totals().missing, ...observation })
      } else {
        const hidden = peer.hidden!
        if (observation.kind === 'gap') { hidden.gaps++; hidden.missing += observation.missing }
        else if (observation.kind === 'reordered') hidden.reordered++
        else if (observation.kind === 'duplicate') hidden.duplicates++
        else hidden.tooOld++
      }
    }
  }

  /** True when this event is shown; otherwise it is counted in the peer's `hidden` (the caller adds sequence kinds). */
  private eventWanted (peer: PeerState, kind: 'datagram' | 'sequence', bytes: number): boolean {
    if (this.eventLimit.allow(peer, kind)) return true
    peer.hidden ??= { datagrams: 0, bytes: 0, gaps: 0, missing: 0, reordered: 0, duplicates: 0, tooOld: 0 }
    if (kind === 'datagram') {
      peer.hidden.datagrams++
      peer.hidden.bytes += bytes
    }
    return false
  }

  /** The roll-up of a peer's window: what its hidden events were, in one or two events. */
  private reportHidden (peer: PeerState): void {
    const hidden = peer.hidden
    if (hidden === undefined) return
    peer.hidden = undefined
    const { address, port } = peer
    const limit = this.options.eventsPerSecond
    if (hidden.datagrams > 0) {
      this.emit({ type: 'datagrams-hidden', address, port, datagrams: hidden.datagrams, bytes: hidden.bytes, limit })
    }
    if (hidden.gaps + hidden.reordered + hidden.duplicates + hidden.tooOld > 0) {
      this.emit({
        type: 'sequence-hidden', address, port, gaps: hidden.gaps, missing: hidden.missing, reordered: hidden.reordered,
        duplicates: hidden.duplicates, tooOld: hidden.tooOld, missingSoFar: peer.tracker?.totals().missing ?? 0, limit,
      })
    }
  }

  private echo (data: Buffer, address: string, port: number): void {
    // A flood must not queue echoes in our memory without bound: beyond the limit the
    // echo is skipped (UDP may drop it anyway) and counted.
    if (this.pendingEchoes >= this.options.maxPendingEchoes) {
      this.totals.echoesSkipped++
      if (this.totals.echoesSkipped === 1) this.emit({ type: 'echo-skipped', address, port, pendingEchoes: this.pendingEchoes })
      return
    }
    this.pendingEchoes++
    this.socket.send(data, port, address, err => {
      this.pendingEchoes--
      if (err) {
        this.emit({ type: 'echo-error', address, port, code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
      } else {
        this.totals.echoed++
      }
    })
  }

  private evictOldest (): void {
    const oldest = this.peers.entries().next()
    if (oldest.done) return
    const [key, peer] = oldest.value
    this.peers.delete(key)
    this.eventLimit.forget(peer)
    this.totals.peersEvicted++
    this.emit({ type: 'peer-evicted', address: peer.address, port: peer.port, datagrams: peer.datagrams, maxPeers: this.options.maxPeers })
  }
}

const peerSummary = (peer: PeerState): UdpPeerSummary => {
  const summary: UdpPeerSummary = { address: peer.address, port: peer.port, datagrams: peer.datagrams, bytes: peer.bytes }
  if (peer.tracker) {
    summary.seq = { ...seqStats(peer.tracker), restarts: peer.restarts, ...(peer.earlierRuns ? { earlierRuns: peer.earlierRuns } : {}) }
  }
  return summary
}

const seqStats = (tracker: SequenceTracker): PeerSeqStats => {
  const t = tracker.totals()
  return {
    received: t.arrivals, lowest: t.lowest ?? 0, highest: t.highest ?? 0, missing: t.missing,
    duplicates: t.duplicates, reordered: t.reordered, maxReorderExtent: t.maxReorderExtent, tooOld: t.tooOld,
  }
}

/** Create and start a {@link UdpServer}; resolves once it is listening. */
export const startUdpServer = async (options: UdpServerOptions = {}): Promise<UdpServer> => {
  const server = new UdpServer(options)
  await server.listen()
  return server
}
