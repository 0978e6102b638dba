import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { reachableAddresses } from './addresses.js'
import { DEFAULT_HOST, DEFAULT_PORT, DEFAULT_PREVIEW_BYTES } from './constants.js'
import { invalidArg } from './errors.js'
import { preview } from './preview.js'
import { parseSeq } from './seq-prefix.js'
import { SequenceTracker, type SequenceObservation } from './sequence-tracker.js'

/** Peers whose statistics are kept at once by default; see {@link UdpServerOptions.maxPeers}. */
export const DEFAULT_MAX_UDP_PEERS = 10_000
/** Echo datagrams waiting in Node for the kernel before further echoes are skipped. */
export const DEFAULT_MAX_PENDING_ECHOES = 1024

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
  /** Bytes of each datagram shown in its preview. Default 48. */
  previewBytes?: number
  /**
   * Peers (address:port) whose counts and sequence state are kept; when a new peer
   * arrives beyond it, the one heard from least recently is forgotten. Default 10,000.
   */
  maxPeers?: number
  /** Socket receive buffer to ask the kernel for, bytes (SO_RCVBUF). Default: the system's. */
  recvBufferSize?: number
  /** Echoes queued in Node beyond which further echoes are skipped and counted. Default 1024. */
  maxPendingEchoes?: number
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: UdpServerEvent) => void
}

/** Sequence statistics for one peer's `seq=` datagrams. */
export interface PeerSeqStats {
  /** Numbered datagrams, duplicates included. */
  received: number
  lowest: number
  highest: number
  /** Numbers between the lowest and highest that never arrived. */
  missing: number
  duplicates: number
  reordered: number
  maxReorderExtent: number
}

/** One peer's totals. */
export interface UdpPeerSummary {
  address: string
  port: number
  datagrams: number
  bytes: number
  /** Present when the peer sent `seq=` datagrams. */
  seq?: PeerSeqStats
}

export type UdpServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[]; recvBufferSize: number; requestedRecvBufferSize?: number }
  | { type: 'datagram'; address: string; port: number; bytes: number; preview: string; seq?: number; newPeer: boolean }
  /** A `seq=` datagram that was not simply the next one: a gap, a late (reordered) one, or a duplicate. */
  | ({ type: 'sequence'; address: string; port: number } & SequenceObservation)
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
}

/**
 * A UDP echo server that reports every datagram. It serves every peer at once (it never
 * locks onto the first sender, unlike `nc -u`), echoes each datagram back unchanged
 * (so a reply is never larger than its request: no amplification), and follows
 * `seq=<n> ` numbered datagrams per peer, reporting gaps, duplicates and reordering
 * (RFC 4737) as they happen.
 */
export class UdpServer {
  readonly options: Required<Omit<UdpServerOptions, 'onEvent' | 'recvBufferSize'>> & Pick<UdpServerOptions, 'onEvent' | 'recvBufferSize'>
  private readonly socket: Socket
  // A Map keeps insertion order; a peer is re-inserted when heard from, so the first key
  // is always the least recently heard one — the one to forget when full.
  private readonly peers = new Map<string, PeerState>()
  private readonly totals = { datagrams: 0, bytes: 0, echoed: 0, echoesSkipped: 0, peersSeen: 0, peersEvicted: 0 }
  private pendingEchoes = 0
  private listening = false
  private startedAt = 0

  constructor (options: UdpServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      echo: options.echo ?? true,
      datagramEvents: options.datagramEvents ?? true,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      maxPeers: options.maxPeers ?? DEFAULT_MAX_UDP_PEERS,
      maxPendingEchoes: options.maxPendingEchoes ?? DEFAULT_MAX_PENDING_ECHOES,
      recvBufferSize: options.recvBufferSize,
      onEvent: options.onEvent,
    }
    if (!Number.isSafeInteger(this.options.maxPeers) || this.options.maxPeers < 1) {
      throw invalidArg(`maxPeers must be a whole number of at least 1, not ${this.options.maxPeers}`)
    }
    this.socket = createSocket({
      type: isIPv6(this.options.host) ? 'udp6' : 'udp4',
      ...(this.options.recvBufferSize !== undefined ? { recvBufferSize: this.options.recvBufferSize } : {}),
    })
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
  listen (): Promise<{ address: string; port: number; family: string }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => {
        try { this.socket.close() } catch { /* never bound */ }
        reject(Object.assign(err, { host: this.options.host, port: this.options.port }))
      }
      this.socket.once('error', onError)
      this.socket.bind(this.options.port, this.options.host, () => {
        this.socket.off('error', onError)
        // After listening, a socket error (rare for an unconnected UDP socket) is reported, not fatal.
        this.socket.on('error', err => this.emit({ type: 'server-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message }))
        this.listening = true
        this.startedAt = Date.now()
        const a = this.address()
        this.emit({
          type: 'listening', address: a.address, port: a.port, family: a.family, reachable: reachableAddresses(a.address),
          recvBufferSize: this.recvBufferSize(),
          ...(this.options.recvBufferSize !== undefined ? { requestedRecvBufferSize: this.options.recvBufferSize } : {}),
        })
        resolve(a)
      })
    })
  }

  /** Stop listening and resolve with the totals and per-peer statistics. */
  async close (): Promise<UdpServerSummary> {
    const summary = this.summary()
    if (this.listening) {
      this.listening = false
      await new Promise<void>(resolve => this.socket.close(() => resolve()))
    }
    return summary
  }

  /** Totals so far. */
  summary (): UdpServerSummary {
    return {
      ...this.totals,
      peers: [...this.peers.values()].map(peerSummary),
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private emit (event: UdpServerEvent): void {
    this.options.onEvent?.(event)
  }

  private onMessage (data: Buffer, rinfo: RemoteInfo): void {
    const { address, port } = rinfo
    const key = `${address}|${port}`
    let peer = this.peers.get(key)
    const newPeer = peer === undefined
    if (peer) {
      this.peers.delete(key)
    } else {
      peer = { address, port, datagrams: 0, bytes: 0 }
      this.totals.peersSeen++
      if (this.peers.size >= this.options.maxPeers) this.evictOldest()
    }
    this.peers.set(key, peer)
    peer.datagrams++
    peer.bytes += data.length
    this.totals.datagrams++
    this.totals.bytes += data.length

    const numbered = parseSeq(data)
    if (this.options.datagramEvents) {
      this.emit({
        type: 'datagram', address, port, bytes: data.length, preview: preview(data, this.options.previewBytes), newPeer,
        ...(numbered ? { seq: numbered.seq } : {}),
      })
    }
    if (numbered) {
      peer.tracker ??= new SequenceTracker()
      const observation = peer.tracker.observe(numbered.seq)
      if (observation.kind !== 'in-order') this.emit({ type: 'sequence', address, port, ...observation })
    }
    if (this.options.echo) this.echo(data, address, port)
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
    this.totals.peersEvicted++
    this.emit({ type: 'peer-evicted', address: peer.address, port: peer.port, datagrams: peer.datagrams, maxPeers: this.options.maxPeers })
  }
}

const peerSummary = (peer: PeerState): UdpPeerSummary => {
  const summary: UdpPeerSummary = { address: peer.address, port: peer.port, datagrams: peer.datagrams, bytes: peer.bytes }
  if (peer.tracker) {
    const t = peer.tracker.totals()
    summary.seq = {
      received: t.arrivals, lowest: t.lowest ?? 0, highest: t.highest ?? 0, missing: t.missing,
      duplicates: t.duplicates, reordered: t.reordered, maxReorderExtent: t.maxReorderExtent,
    }
  }
  return summary
}

/** Create and start a {@link UdpServer}; resolves once it is listening. */
export const startUdpServer = async (options: UdpServerOptions = {}): Promise<UdpServer> => {
  const server = new UdpServer(options)
  await server.listen()
  return server
}
