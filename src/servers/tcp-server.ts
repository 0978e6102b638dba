import type { Socket } from 'node:net'
import {
  DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, DEFAULT_PREVIEW_BYTES,
  DEFAULT_SILENT_AFTER_MS,
} from '../core/constants.js'
import { preview } from '../core/preview.js'
import { catalog } from '../i18n/index.js'
import type { Lang } from '../i18n/fmt.js'
import { endWithGrace, TcpListener, type PeerInfo, type RefusalReason } from '../net/listener.js'

export type { RefusalReason } from '../net/listener.js'

/** Options for {@link TcpEchoServer}. */
export interface TcpServerOptions {
  /** Port to listen on; 0 lets the OS pick. Default 9000. */
  port?: number
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string
  /** Bytes sent to every client right after it is accepted. */
  greeting?: string | Uint8Array
  /** Connections served at once; the next one gets a polite refusal. Default 1000. */
  maxConnections?: number
  /**
   * Clients held waiting (paused, told nothing) once `maxConnections` are open, each served as
   * a slot frees; past this many waiting the next is refused. Default 0: refuse at once.
   */
  queueLimit?: number
  /** Close a connection after this many ms without traffic either way; 0 = never. Default 300000. */
  idleTimeoutMs?: number
  /**
   * Report a connection as `silent` (once) when it has sent nothing this many ms after being
   * accepted: such a client is often waiting for the server to speak first. 0 = never. Default 3000.
   */
  silentAfterMs?: number
  /** Echo what arrives (default true); false makes a sink that only reports. */
  echo?: boolean
  /** Emit a `read` event per read (default true). Off makes the server cheaper under load. */
  readEvents?: boolean
  /**
   * At most this many `read` events per connection per second; 0 = every read (default).
   * The reads beyond it are only counted — no event object, no preview is built for them —
   * and reported as one `reads-hidden` event when the second is over, or before that
   * connection's `half-close`, `idle-timeout` or `closed`. A printer that shows 20 lines a
   * second passes 20, so a fast stream costs what `readEvents: false` costs.
   */
  readEventsPerSecond?: number
  /** Bytes of each read shown in its preview. Default 48. */
  previewBytes?: number
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: TcpServerEvent) => void
  /** The language of the refusal line a client is sent (it reads it, not the operator). Default 'en'. */
  lang?: Lang
  /** Ms a closing connection gets to flush before it is destroyed. Default 1000. */
  closeGraceMs?: number
  /**
   * Which peers may connect, by remote address (`createAddressFilter` from `cidr.ts` fits).
   * A peer it rejects — or whose address cannot be read, `undefined` — is destroyed at once,
   * before anything is read or sent, and reported as `denied`. Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
}

/** Why a connection ended. */
export type CloseReason = 'normal' | 'reset' | 'error' | 'idle-timeout' | 'server-stopped'

/**
 * Everything the server reports, in order, through `onEvent`. `id` is the connection's
 * short number (1, 2, 3…). `remoteAddress` is `''` (and `remotePort` 0) for a peer that
 * reset before the server could read its address. Byte counts are bytes, times are ms.
 * Nothing is reported after the promise of {@link TcpEchoServer.close} resolves.
 */
export type TcpServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  | { type: 'accepted'; id: number; remoteAddress: string; remotePort: number; localAddress: string; localPort: number; active: number }
  /** Held until a slot frees (see {@link TcpServerOptions.queueLimit}); `waiting` counts the queue with it. */
  | { type: 'queued'; remoteAddress: string; remotePort: number; waiting: number; limit: number }
  | { type: 'refused'; remoteAddress: string; remotePort: number; active: number; limit: number; reason: RefusalReason }
  /** Turned away by {@link TcpServerOptions.addressFilter}: destroyed at once, nothing read or sent. */
  | { type: 'denied'; remoteAddress: string; remotePort: number; denied: number }
  | { type: 'read'; id: number; bytes: number; preview: string }
  /** Reads beyond {@link TcpServerOptions.readEventsPerSecond}, counted not reported, since the last `read`. */
  | { type: 'reads-hidden'; id: number; reads: number; bytes: number; limit: number }
  /**
   * The client sent FIN. `serverClosing`: the server had already begun closing this connection
   * (idle timeout, or {@link TcpEchoServer.close}), so this FIN answers the server's own.
   */
  | { type: 'half-close'; id: number; bytesIn: number; serverClosing: boolean }
  | { type: 'backpressure'; id: number; bufferedBytes: number }
  | { type: 'resumed'; id: number }
  | { type: 'idle-timeout'; id: number; idleMs: number }
  /** The client has sent nothing for `silentMs` since it was accepted (once per connection). */
  | { type: 'silent'; id: number; silentMs: number; greeted: boolean }
  | { type: 'closed'; id: number; remoteAddress: string; remotePort: number; bytesIn: number; bytesOut: number; durationMs: number; reason: CloseReason; code?: string; message?: string }
  | { type: 'server-error'; code: string; message: string }

/** Totals over the server's life, returned by {@link TcpEchoServer.close}. */
export interface TcpServerSummary {
  /** Connections accepted (refused ones not included). */
  accepted: number
  /** Connections turned away because the limit was reached or the server was stopping. */
  refused: number
  /** Connections turned away by the address filter (`--allow` / `--deny`). */
  denied: number
  /** Most connections open at once. */
  peakConnections: number
  /** Connections that ended because the peer reset them (ECONNRESET, EPIPE). */
  resets: number
  /** Connections closed for being idle. */
  idleTimeouts: number
  /** Bytes received on accepted connections. */
  bytesIn: number
  /**
   * Bytes handed to the kernel on accepted connections (greetings and echoes), counted as
   * each write completes: writes that failed or were still queued when a connection was cut
   * (reset, grace period over) are not counted.
   */
  bytesOut: number
  durationMs: number
}

/** One open connection as {@link TcpEchoServer.connectionStats} sees it right now. */
export interface TcpConnectionStats {
  id: number
  remoteAddress: string
  remotePort: number
  bytesIn: number
  /** Bytes queued in the server for this client, not yet taken by the kernel. */
  bufferedBytes: number
  /** True while the server has stopped reading from it because it is not reading its echoes. */
  paused: boolean
  /** True once the client has half-closed (sent FIN). */
  halfClosed: boolean
}

interface Connection {
  id: number
  socket: Socket
  remoteAddress: string
  remotePort: number
  startedAt: number
  paused: boolean
  halfClosed: boolean
  /** Bytes whose write completed (handed to the kernel); see TcpServerSummary.bytesOut. */
  bytesOut: number
  /** The readEventsPerSecond window: when it began, reads reported in it, reads and bytes only counted. */
  readWindowStart: number
  readsShown: number
  hiddenReads: number
  hiddenBytes: number
  /** Reports the hidden reads when their second is over, even if no read follows. */
  hiddenTimer?: NodeJS.Timeout
  /** Fires `silent` if nothing has arrived silentAfterMs after accept; cleared by the first read or the close. */
  silentTimer?: NodeJS.Timeout
  reason?: CloseReason
  error?: Error & { code?: string }
}

/** Error codes that mean "the peer is gone without a clean close". */
const PEER_RESET_CODES = new Set(['ECONNRESET', 'EPIPE'])

/**
 * A TCP echo server that reports every connection event. Echoes each byte back as it
 * arrives; when a client half-closes it finishes echoing and then closes its side.
 * A client that does not read its echoes is not buffered for: the server stops reading
 * from it until the replies drain (backpressure), so at most about one read (64 KiB) plus
 * the socket's high-water mark (16 KiB) waits in memory per connection.
 */
export class TcpEchoServer {
  readonly options: Required<Omit<TcpServerOptions, 'greeting' | 'onEvent' | 'addressFilter'>> & Pick<TcpServerOptions, 'greeting' | 'onEvent' | 'addressFilter'>
  private readonly listener: TcpListener
  private readonly connections = new Map<number, Connection>()
  private nextId = 1
  private startedAt = 0
  /** Set once close() has released everything: from then on no event is emitted. */
  private closed = false
  private closePromise: Promise<TcpServerSummary> | undefined
  private readonly totals = { resets: 0, idleTimeouts: 0, bytesIn: 0, bytesOut: 0 }
  private readonly greeting: Buffer | undefined

  constructor (options: TcpServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      queueLimit: options.queueLimit ?? 0,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      silentAfterMs: options.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS,
      echo: options.echo ?? true,
      readEvents: options.readEvents ?? true,
      readEventsPerSecond: options.readEventsPerSecond ?? 0,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      greeting: options.greeting,
      onEvent: options.onEvent,
      lang: options.lang ?? 'en',
      addressFilter: options.addressFilter,
    }
    this.greeting = options.greeting === undefined || options.greeting.length === 0
      ? undefined
      : Buffer.from(options.greeting as Uint8Array | string)
    // The listener's sockets are half-open capable: a client's FIN must not close our side before the echo is done.
    this.listener = new TcpListener({
      host: this.options.host,
      port: this.options.port,
      maxConnections: this.options.maxConnections,
      queueLimit: this.options.queueLimit,
      onQueued: peer => this.emit({ type: 'queued', ...peer, limit: this.options.maxConnections }),
      closeGraceMs: this.options.closeGraceMs,
      addressFilter: this.options.addressFilter,
      onConnection: (socket, peer) => this.accept(socket, peer),
      onDenied: peer => this.emit({ type: 'denied', ...peer }),
      onRefused: (socket, refusal) => this.refuse(socket, refusal),
      onError: err => this.emit({ type: 'server-error', code: err.code ?? 'ERROR', message: err.message }),
    })
  }

  /** Open connections right now. */
  get activeConnections (): number {
    return this.connections.size
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    return this.listener.address()
  }

  /**
   * A snapshot of every open connection (bytes in, bytes waiting for the client, paused),
   * for watching a slow reader. Costs one object per connection; call it on demand.
   */
  connectionStats (): TcpConnectionStats[] {
    return [...this.connections.values()].map(conn => ({
      id: conn.id,
      remoteAddress: conn.remoteAddress,
      remotePort: conn.remotePort,
      bytesIn: conn.socket.bytesRead,
      bufferedBytes: conn.socket.writableLength,
      paused: conn.paused,
      halfClosed: conn.halfClosed,
    }))
  }

  /** Start listening. Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    const { reachable, ...a } = await this.listener.listen()
    this.startedAt = Date.now()
    this.emit({ type: 'listening', ...a, reachable })
    return a
  }

  /**
   * Stop accepting, close every connection (each gets `closeGraceMs` to flush what it is
   * owed, then is destroyed) and resolve with the totals once every socket is released.
   * Calling it again returns the same promise.
   */
  close (): Promise<TcpServerSummary> {
    this.closePromise ??= this.closeAll()
    return this.closePromise
  }

  private async closeAll (): Promise<TcpServerSummary> {
    const bySocket = new Map([...this.connections.values()].map(conn => [conn.socket, conn]))
    await this.listener.close(socket => {
      const conn = bySocket.get(socket)
      if (conn) conn.reason ??= 'server-stopped'
    })
    this.closed = true
    return this.summary()
  }

  /** Totals so far. */
  summary (): TcpServerSummary {
    const { accepted, refused, denied, peak } = this.listener.totals
    return {
      accepted, refused, denied, peakConnections: peak, ...this.totals,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private emit (event: TcpServerEvent): void {
    if (!this.closed) this.options.onEvent?.(event)
  }

  private accept (socket: Socket, { remoteAddress, remotePort }: PeerInfo): void {
    const conn: Connection = {
      id: this.nextId++, socket, remoteAddress, remotePort, startedAt: Date.now(),
      paused: false, halfClosed: false, bytesOut: 0,
      readWindowStart: 0, readsShown: 0, hiddenReads: 0, hiddenBytes: 0,
    }
    this.connections.set(conn.id, conn)
    // Listeners first: the greeting write below may fail at once on a peer that already left.
    socket.on('error', err => {
      conn.error = err
      conn.reason ??= PEER_RESET_CODES.has((err as { code?: string }).code ?? '') ? 'reset' : 'error'
    })
    socket.on('close', () => this.onClose(conn))
    socket.on('data', chunk => this.onData(conn, chunk))
    socket.on('end', () => {
      conn.halfClosed = true
      this.reportHiddenReads(conn)
      const serverClosing = conn.reason === 'idle-timeout' || conn.reason === 'server-stopped'
      this.emit({ type: 'half-close', id: conn.id, bytesIn: socket.bytesRead, serverClosing })
      // end() is queued behind pending echo writes, so everything is echoed first.
      socket.end()
    })
    this.emit({
      type: 'accepted', id: conn.id, remoteAddress, remotePort,
      localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0, active: this.connections.size,
    })

    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs, () => {
        // The timer re-arms after each idle period; one idle-timeout per connection.
        socket.setTimeout(0)
        if (conn.reason !== undefined) return
        conn.reason = 'idle-timeout'
        this.totals.idleTimeouts++
        this.reportHiddenReads(conn)
        this.emit({ type: 'idle-timeout', id: conn.id, idleMs: this.options.idleTimeoutMs })
        void this.endGracefully(conn)
      })
    }
    if (this.greeting) this.send(conn, this.greeting)
    this.watchSilence(conn)
  }

  /** Arm the one-shot `silent` report; the first byte or the close disarms it. */
  private watchSilence (conn: Connection): void {
    const ms = this.options.silentAfterMs
    if (ms <= 0) return
    conn.silentTimer = setTimeout(() => {
      if (conn.socket.bytesRead === 0 && conn.reason === undefined && !conn.halfClosed) {
        this.emit({ type: 'silent', id: conn.id, silentMs: ms, greeted: this.greeting !== undefined })
      }
    }, ms).unref()
  }

  /**
   * Write and count the bytes once the write completes. socket.bytesWritten would not do:
   * it counts bytes Node accepted, including writes that then failed on a peer that left.
   */
  private send (conn: Connection, data: Buffer): boolean {
    return conn.socket.write(data, err => { if (!err) conn.bytesOut += data.length })
  }

  private onData (conn: Connection, chunk: Buffer): void {
    clearTimeout(conn.silentTimer)
    // Report, then echo. Echoing first was tried (so the round trip would not wait for the
    // printer) and measured ~5 % slower in ping-pong, every round (docs/bench.md): keep this order.
    if (this.options.readEvents && this.readEventWanted(conn, chunk.length)) {
      this.emit({ type: 'read', id: conn.id, bytes: chunk.length, preview: preview(chunk, this.options.previewBytes) })
    }
    const queued = this.options.echo ? this.send(conn, chunk) : true
    if (!this.options.echo) return
    const socket = conn.socket
    if (!queued && !conn.paused) {
      // The client is not reading its echoes fast enough: stop reading from it until
      // what we owe it has drained, so its data waits in the kernel, not in our memory.
      socket.pause()
      conn.paused = true
      this.emit({ type: 'backpressure', id: conn.id, bufferedBytes: socket.writableLength })
      socket.once('drain', () => {
        conn.paused = false
        socket.resume()
        this.emit({ type: 'resumed', id: conn.id })
      })
    }
  }

  /**
   * Send FIN after whatever is queued, and destroy the socket if it has not closed within
   * `closeGraceMs` (a client that never reads would otherwise hold it open forever).
   * Resolves when the socket is closed.
   */
  private endGracefully (conn: Connection): Promise<void> {
    return endWithGrace(conn.socket, this.options.closeGraceMs)
  }

  /** True when this read gets its own event; otherwise it is counted for `reads-hidden`. */
  private readEventWanted (conn: Connection, bytes: number): boolean {
    const limit = this.options.readEventsPerSecond
    if (limit <= 0) return true
    const now = Date.now()
    if (now - conn.readWindowStart >= 1000) {
      this.reportHiddenReads(conn)
      conn.readWindowStart = now
      conn.readsShown = 0
    }
    if (conn.readsShown < limit) {
      conn.readsShown++
      return true
    }
    conn.hiddenReads++
    conn.hiddenBytes += bytes
    // Without this the count waited for the next read or the close: a burst followed by
    // silence (or a paused, non-reading client) showed nothing about the hidden reads for minutes.
    conn.hiddenTimer ??= setTimeout(() => this.reportHiddenReads(conn), conn.readWindowStart + 1000 - now).unref()
    return false
  }

  private reportHiddenReads (conn: Connection): void {
    clearTimeout(conn.hiddenTimer)
    conn.hiddenTimer = undefined
    if (conn.hiddenReads === 0) return
    this.emit({ type: 'reads-hidden', id: conn.id, reads: conn.hiddenReads, bytes: conn.hiddenBytes, limit: this.options.readEventsPerSecond })
    conn.hiddenReads = 0
    conn.hiddenBytes = 0
  }

  private onClose (conn: Connection): void {
    this.connections.delete(conn.id)
    clearTimeout(conn.silentTimer)
    this.reportHiddenReads(conn)
    const { socket } = conn
    const reason = conn.reason ?? 'normal'
    if (reason === 'reset') this.totals.resets++
    const bytesOut = conn.bytesOut
    this.totals.bytesIn += socket.bytesRead
    this.totals.bytesOut += bytesOut
    this.emit({
      type: 'closed', id: conn.id, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort,
      bytesIn: socket.bytesRead, bytesOut, durationMs: Date.now() - conn.startedAt, reason,
      ...(conn.error ? { code: conn.error.code ?? 'ERROR', message: conn.error.message } : {}),
    })
  }

  private refuse (socket: Socket, refusal: PeerInfo & { reason: RefusalReason; active: number; limit: number }): void {
    const { remoteAddress, remotePort, active, limit, reason } = refusal
    this.emit({ type: 'refused', remoteAddress, remotePort, active, limit, reason })
    // Nothing it sends is read or echoed; the line is the whole answer.
    const t = catalog(this.options.lang).t.tcpServer
    const line = reason === 'shutting-down' ? t.refusalClosing : t.refusalFull({ limit })
    void endWithGrace(socket, this.options.closeGraceMs, `${line}\r\n`)
  }
}

/** Create and start a {@link TcpEchoServer}; resolves once it is listening. */
export const startTcpEchoServer = async (options: TcpServerOptions = {}): Promise<TcpEchoServer> => {
  const server = new TcpEchoServer(options)
  await server.listen()
  return server
}
