import { connect, type Socket } from 'node:net'
import { DEFAULT_HOST, DEFAULT_MAX_CONNECTIONS } from '../core/constants.js'
import { TcpListener, type PeerInfo } from '../net/listener.js'
import { sockkitError } from '../core/errors.js'
import { DelayTimer } from './delay-timer.js'
import {
  activeImpairments, createRandom, deriveSeed, drawDelayMs, emptyCounters, normalizeImpairment, randomSeed,
  type Direction, type DirectionCounters, type FullImpairment, type Impairment, type ImpairmentCounters, type Random,
} from './model.js'

/** Bytes one direction of a connection may hold in its delay queue before it stops reading. Default 1 MiB. */
export const DEFAULT_TCP_RELAY_QUEUE_BYTES = 1024 * 1024
/** Largest piece written at once when pacing, bytes (smooths the rate). */
const PACING_PIECE_BYTES = 16 * 1024

/** Options for {@link TcpRelay}. */
export interface TcpRelayOptions {
  /** Where connections are forwarded. */
  target: { host: string; port: number }
  /** Port to listen on; 0 lets the OS pick. Default 0. */
  port?: number
  /** Address to bind. Default 127.0.0.1. */
  host?: string
  /**
   * Delay and jitter only: a byte stream cannot lose, reorder or duplicate segments from
   * user space without corrupting it, so loss/reorder/duplicate > 0 throws ERR_SOCKKIT_UNSUPPORTED.
   */
  impairment?: Impairment
  /** Limit each direction of each connection to this many bytes per second; 0 = unpaced. Default 0. */
  pacingBytesPerSecond?: number
  /** PRNG seed for jitter. Default random. */
  seed?: number
  /** Connections relayed at once; more are reset. Default 1000. */
  maxConnections?: number
  /**
   * Which client addresses may use the relay (see `createAddressFilter()` in cidr). A client it
   * rejects is destroyed at once — no connection to the target is made, nothing is read — and
   * reported as `denied`. Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** Bytes queued per direction before the relay stops reading that side (backpressure). Default 1 MiB. */
  queueBytes?: number
  /** Emit one event per chunk forwarded (default true). */
  chunkEvents?: boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: TcpRelayEvent) => void
  /**
   * Where the kernel drops segments (see lossy-hop.ts): each connection, once the target has
   * accepted it, crosses a pair of sockets in another network namespace — client → relay →
   * near ⇢ far → target and back — so TCP loses segments for real and retransmits them.
   * Delay and pacing stay on the relay's side. Default: none (the relay talks to the target).
   */
  hop?: { pair (): Promise<{ near: Socket; far: Socket }> }
}

export type TcpRelayCloseReason = 'normal' | 'reset' | 'upstream-failed' | 'relay-stopped' | 'error'

export type TcpRelayEvent =
  | { type: 'listening'; address: string; port: number; family: string; target: { host: string; port: number }; seed: number }
  | { type: 'accepted'; id: number; remoteAddress: string; remotePort: number; active: number }
  | { type: 'refused'; remoteAddress: string; remotePort: number; limit: number }
  /** Turned away by {@link TcpRelayOptions.addressFilter}; `denied` counts them all so far. */
  | { type: 'denied'; remoteAddress: string; remotePort: number; denied: number }
  | { type: 'upstream-connected'; id: number; localPort: number }
  | { type: 'upstream-failed'; id: number; code: string; message: string }
  | { type: 'chunk'; id: number; direction: Direction; bytes: number; delayMs: number }
  | { type: 'backpressure'; id: number; direction: Direction; queuedBytes: number }
  | { type: 'half-close'; id: number; direction: Direction }
  | { type: 'reset'; id: number; direction: Direction; code: string }
  | { type: 'closed'; id: number; bytesToServer: number; bytesToClient: number; durationMs: number; reason: TcpRelayCloseReason }

export interface TcpRelaySummary {
  counters: ImpairmentCounters
  connections: number
  resets: number
  /** Clients turned away by the address filter. */
  denied: number
  seed: number
  durationMs: number
}

interface Chunk { data: Buffer; dueAt: number }

/**
 * One direction of one connection. Each chunk read gets delay + jitter, but its departure
 * time is never earlier than the previous chunk's: jitter stretches gaps, it never reorders
 * a stream. Pacing spaces departures so the rate stays under the limit. The queue is
 * bounded: above `queueBytes` the source is paused until the queue drains below half.
 */
class StreamPipe {
  private readonly queue: Chunk[] = []
  private queuedBytes = 0
  private lastDueAt = 0
  private paceFreeAt = 0
  private timer: DelayTimer | undefined
  private waitingDrain = false
  private pausedByUs = false
  private sourceEnded = false
  private endSent = false
  private dead = false

  constructor (
    private readonly relay: TcpRelay,
    private readonly id: number,
    readonly direction: Direction,
    private readonly source: Socket,
    private readonly sink: Socket,
    private readonly random: Random,
    private readonly counters: DirectionCounters,
  ) {
    source.on('data', chunk => this.onData(chunk))
    source.on('end', () => {
      this.sourceEnded = true
      this.relay.emitEvent({ type: 'half-close', id: this.id, direction: this.direction })
      this.pump()
    })
  }

  private onData (data: Buffer): void {
    const imp = this.relay.impairment
    const delayMs = drawDelayMs(imp, this.random)
    const now = performance.now()
    const dueAt = Math.max(now + delayMs, this.lastDueAt)
    this.lastDueAt = dueAt
    this.counters.received++
    if (dueAt > now) this.counters.delayed++
    this.queue.push({ data, dueAt })
    this.queuedBytes += data.length
    if (this.relay.chunkEvents) this.relay.emitEvent({ type: 'chunk', id: this.id, direction: this.direction, bytes: data.length, delayMs: Math.round((dueAt - now) * 1000) / 1000 })
    if (this.queuedBytes >= this.relay.queueBytes && !this.pausedByUs) {
      this.pausedByUs = true
      this.source.pause()
      this.relay.emitEvent({ type: 'backpressure', id: this.id, direction: this.direction, queuedBytes: this.queuedBytes })
    }
    this.pump()
  }

  /** Write every chunk that is due, then sleep until the next one is. */
  private pump (): void {
    if (this.dead || this.waitingDrain) return
    if (this.timer) { this.timer.cancel(); this.timer = undefined }
    const rate = this.relay.pacingBytesPerSecond
    while (this.queue.length > 0) {
      const now = performance.now()
      const head = this.queue[0]!
      const readyAt = Math.max(head.dueAt, rate > 0 ? this.paceFreeAt : 0)
      if (readyAt > now) {
        // Never early by the real clock (see DelayTimer).
        this.timer = new DelayTimer(readyAt - now, () => { this.timer = undefined; this.pump() })
        break
      }
      let piece = head.data
      if (rate > 0 && piece.length > PACING_PIECE_BYTES) {
        head.data = piece.subarray(PACING_PIECE_BYTES)
        piece = piece.subarray(0, PACING_PIECE_BYTES)
      } else {
        this.queue.shift()
      }
      if (rate > 0) this.paceFreeAt = Math.max(this.paceFreeAt, now) + (piece.length / rate) * 1000
      this.queuedBytes -= piece.length
      this.counters.forwarded++
      this.counters.bytesForwarded += piece.length
      if (!this.sink.write(piece)) {
        this.waitingDrain = true
        this.sink.once('drain', () => { this.waitingDrain = false; this.pump() })
        break
      }
    }
    if (this.pausedByUs && this.queuedBytes < this.relay.queueBytes / 2) {
      this.pausedByUs = false
      this.source.resume()
    }
    // Half-close travels behind the data, like a FIN behind the last segment.
    if (this.sourceEnded && this.queue.length === 0 && !this.endSent) {
      this.endSent = true
      this.sink.end()
    }
  }

  /** Stop forwarding (the connection was reset or is being torn down). */
  kill (): void {
    this.dead = true
    this.timer?.cancel()
    this.timer = undefined
    this.queue.length = 0
  }
}

interface RelayConnection {
  id: number
  client: Socket
  upstream: Socket
  /** The lossy hop's ends, when the relay has one: the client's pipes write into `near`; `far` meets the target. */
  hop?: { near: Socket; far: Socket }
  pipes: StreamPipe[]
  startedAt: number
  reason?: TcpRelayCloseReason
  closedSockets: number
  /** Resolves once both sockets have emitted 'close' (their handles are released). */
  released: Promise<void>
}

/**
 * Reset `socket` (RST), or close it plainly when a reset cannot work.
 *
 * On Node 20, resetAndDestroy() while a shutdown is in flight — after our end() has handed
 * its data to the kernel, before 'finish' — fails: libuv refuses SO_LINGER 0 during a
 * shutdown (EINVAL), Node emits that as an 'error' and never closes the handle, so the
 * socket never emits 'close' and its peer never hears from us again. In that window a
 * plain destroy() closes it (the peer sees our FIN, already on its way, then the close).
 * Before end() has flushed (data still queued) no shutdown has started, so a reset is safe.
 */
export const resetOrDestroy = (socket: Socket): void => {
  if (socket.destroyed) return
  const shutdownMayBeInFlight = socket.writableEnded && !socket.writableFinished && socket.writableLength === 0
  if (shutdownMayBeInFlight) socket.destroy()
  else socket.resetAndDestroy()
}

/**
 * A TCP relay that delays (and optionally paces) each byte stream, both ways, while keeping
 * byte order, half-closes and resets intact, with backpressure both ways.
 */
export class TcpRelay {
  readonly impairment: FullImpairment
  readonly seed: number
  /** @internal */ readonly queueBytes: number
  /** @internal */ readonly pacingBytesPerSecond: number
  /** @internal */ readonly chunkEvents: boolean
  private readonly options: TcpRelayOptions
  private readonly listener: TcpListener
  private readonly connections = new Map<number, RelayConnection>()
  private readonly totals: ImpairmentCounters = emptyCounters()
  private nextId = 1
  private resets = 0
  private startedAt = 0

  constructor (options: TcpRelayOptions) {
    this.options = options
    this.impairment = normalizeImpairment(options.impairment)
    const impossible = activeImpairments(this.impairment).filter(k => k === 'loss' || k === 'reorder' || k === 'duplicate')
    if (impossible.length > 0) {
      throw sockkitError('ERR_SOCKKIT_UNSUPPORTED', 'impairmentTcpRelayCannot', { kinds: impossible }, { impairments: impossible })
    }
    this.seed = options.seed ?? randomSeed()
    this.queueBytes = options.queueBytes ?? DEFAULT_TCP_RELAY_QUEUE_BYTES
    this.pacingBytesPerSecond = options.pacingBytesPerSecond ?? 0
    this.chunkEvents = options.chunkEvents ?? true
    this.listener = new TcpListener({
      host: options.host ?? DEFAULT_HOST,
      port: options.port ?? 0,
      // Paused: read nothing from a client until there is somewhere to send it.
      pauseOnConnect: true,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      addressFilter: options.addressFilter,
      onConnection: (socket, peer) => this.accept(socket, peer),
      // A filtered client gets nothing, and the target never hears of it.
      onDenied: ({ remoteAddress, remotePort, denied }) => this.emitEvent({ type: 'denied', remoteAddress: remoteAddress || '?', remotePort, denied }),
      onRefused: (socket, { remoteAddress, remotePort, limit }) => {
        this.emitEvent({ type: 'refused', remoteAddress: remoteAddress || '?', remotePort, limit })
        resetOrDestroy(socket)
      },
    })
  }

  address (): { address: string; port: number; family: string } {
    return this.listener.address()
  }

  get activeConnections (): number {
    return this.connections.size
  }

  /** Totals so far, open connections included. */
  counters (): ImpairmentCounters {
    return structuredClone(this.totals)
  }

  async listen (): Promise<{ address: string; port: number; family: string }> {
    const { address, port, family } = await this.listener.listen()
    this.startedAt = Date.now()
    this.emitEvent({ type: 'listening', address, port, family, target: { ...this.options.target }, seed: this.seed })
    return { address, port, family }
  }

  /** Stop accepting and tear every relayed connection down; resolves when all is released. */
  async close (): Promise<TcpRelaySummary> {
    // Torn down at once, no grace. Wait for every socket's 'close', not just for destroy():
    // a socket already torn down by a reset may still be releasing its handle.
    const open = [...this.connections.values()]
    for (const conn of open) {
      conn.reason ??= 'relay-stopped'
      for (const pipe of conn.pipes) pipe.kill()
      for (const socket of sockets(conn)) socket.destroy()
    }
    await Promise.all([this.listener.close(), ...open.map(conn => conn.released)])
    return this.summary()
  }

  summary (): TcpRelaySummary {
    return { counters: this.counters(), connections: this.nextId - 1, resets: this.resets, denied: this.listener.totals.denied, seed: this.seed, durationMs: this.startedAt ? Date.now() - this.startedAt : 0 }
  }

  /** @internal */ emitEvent (event: TcpRelayEvent): void {
    this.options.onEvent?.(event)
  }

  private accept (client: Socket, peer: PeerInfo): void {
    const remoteAddress = peer.remoteAddress || '?'
    const { remotePort } = peer
    const id = this.nextId++
    const upstream = connect({ host: this.options.target.host, port: this.options.target.port, allowHalfOpen: true, noDelay: true })
    let released!: () => void
    const conn: RelayConnection = {
      id, client, upstream, pipes: [], startedAt: Date.now(), closedSockets: 0, released: new Promise<void>(resolve => { released = resolve }),
    }
    this.connections.set(id, conn)
    this.emitEvent({ type: 'accepted', id, remoteAddress, remotePort, active: this.connections.size })
    // The client was accepted paused: read nothing until there is somewhere to send it.
    let upstreamConnected = false
    upstream.once('connect', () => {
      upstreamConnected = true
      this.emitEvent({ type: 'upstream-connected', id, localPort: upstream.localPort ?? 0 })
      if (!this.options.hop) {
        this.startPipes(conn, upstream)
        return
      }
      this.options.hop.pair().then(hop => {
        if (conn.reason !== undefined) { hop.near.destroy(); hop.far.destroy(); return }
        conn.hop = hop
        this.watch(conn, hop.near, () => released())
        this.watch(conn, hop.far, () => released())
        bridge(hop.far, upstream)
        bridge(upstream, hop.far)
        this.startPipes(conn, hop.near)
      }, (err: Error & { code?: string }) => this.failed(conn, 'error', 'server-to-client', err))
    })
    client.on('error', (err: Error & { code?: string }) => this.failed(conn, err.code === 'ECONNRESET' ? 'reset' : 'error', 'client-to-server', err))
    upstream.on('error', (err: Error & { code?: string }) => {
      if (!upstreamConnected && conn.reason === undefined) {
        // Never connected: the client sees a reset, the closest thing to "refused" once accepted.
        conn.reason = 'upstream-failed'
        this.emitEvent({ type: 'upstream-failed', id, code: err.code ?? 'ERROR', message: err.message })
      }
      this.failed(conn, err.code === 'ECONNRESET' ? 'reset' : 'error', 'server-to-client', err)
    })
    this.watch(conn, client, () => released())
    this.watch(conn, upstream, () => released())
  }

  /** The two impaired pipes: client → `server` and back (`server`: the target, or the hop's near end). */
  private startPipes (conn: RelayConnection, server: Socket): void {
    conn.pipes.push(
      new StreamPipe(this, conn.id, 'client-to-server', conn.client, server, createRandom(deriveSeed(this.seed, conn.id, 0)), this.totals.clientToServer),
      new StreamPipe(this, conn.id, 'server-to-client', server, conn.client, createRandom(deriveSeed(this.seed, conn.id, 1)), this.totals.serverToClient),
    )
    conn.client.resume()
    server.resume()
  }

  /** One side failed: a reset on one side becomes a reset on every other (queued data is discarded, as TCP does). */
  private failed (conn: RelayConnection, reason: TcpRelayCloseReason, direction: Direction, err: Error & { code?: string }): void {
    if (conn.reason === undefined) {
      conn.reason = reason
      if (reason === 'reset') this.resets++
      this.emitEvent({ type: 'reset', id: conn.id, direction, code: err.code ?? 'ERROR' })
    }
    for (const pipe of conn.pipes) pipe.kill()
    for (const socket of sockets(conn)) resetOrDestroy(socket)
  }

  /** Count `socket`'s close; the connection is done once all of its sockets have closed. */
  private watch (conn: RelayConnection, socket: Socket, released: () => void): void {
    if (socket !== conn.client && socket !== conn.upstream) {
      socket.on('error', (err: Error & { code?: string }) => this.failed(conn, 'error', 'server-to-client', err))
    }
    socket.on('close', () => {
      if (++conn.closedSockets < sockets(conn).length) return
      this.connections.delete(conn.id)
      released()
      this.emitEvent({
        type: 'closed', id: conn.id, bytesToServer: conn.upstream.bytesWritten, bytesToClient: conn.client.bytesWritten,
        durationMs: Date.now() - conn.startedAt, reason: conn.reason ?? 'normal',
      })
    })
  }
}

/** Every socket of a connection. */
const sockets = (conn: RelayConnection): Socket[] =>
  conn.hop ? [conn.client, conn.upstream, conn.hop.near, conn.hop.far] : [conn.client, conn.upstream]

/** Plain forwarding from `from` to `to` (the hop's far end and the target): backpressure and half-close, no impairment. */
const bridge = (from: Socket, to: Socket): void => {
  from.on('data', (data: Buffer) => {
    if (!to.write(data)) {
      from.pause()
      to.once('drain', () => from.resume())
    }
  })
  from.on('end', () => { if (!to.destroyed) to.end() })
}

/** Create and start a {@link TcpRelay}; resolves once it is listening. */
export const startTcpRelay = async (options: TcpRelayOptions): Promise<TcpRelay> => {
  const relay = new TcpRelay(options)
  await relay.listen()
  return relay
}
