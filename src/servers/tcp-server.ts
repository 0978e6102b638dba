import { createServer, type Server, type Socket } from 'node:net'
import {
  DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, DEFAULT_PREVIEW_BYTES, LISTEN_BACKLOG,
} from '../core/constants.js'
import { reachableAddresses } from '../core/addresses.js'
import { preview } from '../core/preview.js'

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
  /** Close a connection after this many ms without traffic either way; 0 = never. Default 300000. */
  idleTimeoutMs?: number
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

/** Why a connection was turned away: the limit was reached, or {@link TcpEchoServer.close} had begun. */
export type RefusalReason = 'full' | 'shutting-down'

/**
 * Everything the server reports, in order, through `onEvent`. `id` is the connection's
 * short number (1, 2, 3…). `remoteAddress` is `''` (and `remotePort` 0) for a peer that
 * reset before the server could read its address. Byte counts are bytes, times are ms.
 * Nothing is reported after the promise of {@link TcpEchoServer.close} resolves.
 */
export type TcpServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  | { type: 'accepted'; id: number; remoteAddress: string; remotePort: number; localAddress: string; localPort: number; active: number }
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
  private readonly server: Server
  private readonly connections = new Map<number, Connection>()
  /** Refused sockets still saying goodbye; close() waits for them too. */
  private readonly refusedSockets = new Set<Socket>()
  private nextId = 1
  private startedAt = 0
  private closing = false
  /** Set once close() has released everything: from then on no event is emitted. */
  private closed = false
  private closePromise: Promise<TcpServerSummary> | undefined
  private readonly totals = { accepted: 0, refused: 0, denied: 0, peakConnections: 0, resets: 0, idleTimeouts: 0, bytesIn: 0, bytesOut: 0 }
  private readonly greeting: Buffer | undefined

  constructor (options: TcpServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      echo: options.echo ?? true,
      readEvents: options.readEvents ?? true,
      readEventsPerSecond: options.readEventsPerSecond ?? 0,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      greeting: options.greeting,
      onEvent: options.onEvent,
      addressFilter: options.addressFilter,
    }
    this.greeting = options.greeting === undefined || options.greeting.length === 0
      ? undefined
      : Buffer.from(options.greeting as Uint8Array | string)
    // allowHalfOpen: a client's FIN must not close our side before the echo is done.
    this.server = createServer({ allowHalfOpen: true, noDelay: true }, socket => this.accept(socket))
    this.server.on('error', err => {
      // Errors after listening (EMFILE on accept…) are reported; the server keeps going.
      if (this.server.listening) this.emit({ type: 'server-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
    })
  }

  /** Open connections right now. */
  get activeConnections (): number {
    return this.connections.size
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    const a = this.server.address()
    if (a === null || typeof a === 'string') throw new Error('server is not listening')
    return a
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
  listen (): Promise<{ address: string; port: number; family: string }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(Object.assign(err, { host: this.options.host, port: this.options.port }))
      this.server.once('error', onError)
      this.server.listen({ port: this.options.port, host: this.options.host, backlog: LISTEN_BACKLOG }, () => {
        this.server.off('error', onError)
        this.startedAt = Date.now()
        const a = this.address()
        this.emit({ type: 'listening', address: a.address, port: a.port, family: a.family, reachable: reachableAddresses(a.address) })
        resolve(a)
      })
    })
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
    this.closing = true
    const serverClosed = new Promise<void>(resolve => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    const connectionsClosed = [...this.connections.values()].map(conn => {
      conn.reason ??= 'server-stopped'
      return this.endGracefully(conn)
    })
    const refusalsClosed = [...this.refusedSockets].map(socket => whenClosed(socket))
    await Promise.all([serverClosed, ...connectionsClosed, ...refusalsClosed])
    this.closed = true
    return this.summary()
  }

  /** Totals so far. */
  summary (): TcpServerSummary {
    return { ...this.totals, durationMs: this.startedAt ? Date.now() - this.startedAt : 0 }
  }

  private emit (event: TcpServerEvent): void {
    if (!this.closed) this.options.onEvent?.(event)
  }

  private accept (socket: Socket): void {
    // A peer that reset before we got here has no address left to read.
    const remoteAddress = socket.remoteAddress ?? ''
    const remotePort = socket.remotePort ?? 0
    if (this.options.addressFilter !== undefined && !this.options.addressFilter(socket.remoteAddress)) {
      // Destroy, not end(): a filtered peer gets nothing from us, not even a FIN after data.
      socket.on('error', () => { /* nothing to do for a peer we are dropping */ })
      socket.destroy()
      this.totals.denied++
      this.emit({ type: 'denied', remoteAddress, remotePort, denied: this.totals.denied })
      return
    }
    if (this.closing || this.connections.size >= this.options.maxConnections) {
      this.refuse(socket, remoteAddress, remotePort)
      return
    }
    const conn: Connection = {
      id: this.nextId++, socket, remoteAddress, remotePort, startedAt: Date.now(),
      paused: false, halfClosed: false, bytesOut: 0,
      readWindowStart: 0, readsShown: 0, hiddenReads: 0, hiddenBytes: 0,
    }
    this.connections.set(conn.id, conn)
    this.totals.accepted++
    this.totals.peakConnections = Math.max(this.totals.peakConnections, this.connections.size)
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
  }

  /**
   * Write and count the bytes once the write completes. socket.bytesWritten would not do:
   * it counts bytes Node accepted, including writes that then failed on a peer that left.
   */
  private send (conn: Connection, data: Buffer): boolean {
    return conn.socket.write(data, err => { if (!err) conn.bytesOut += data.length })
  }

  private onData (conn: Connection, chunk: Buffer): void {
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
    const { socket } = conn
    const done = whenClosed(socket)
    socket.end()
    const timer = setTimeout(() => socket.destroy(), this.options.closeGraceMs)
    timer.unref()
    void done.then(() => clearTimeout(timer))
    return done
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

  private refuse (socket: Socket, remoteAddress: string, remotePort: number): void {
    const reason: RefusalReason = this.closing ? 'shutting-down' : 'full'
    this.totals.refused++
    this.emit({ type: 'refused', remoteAddress, remotePort, active: this.connections.size, limit: this.options.maxConnections, reason })
    this.refusedSockets.add(socket)
    socket.on('error', () => { /* a refused client may reset; nothing to do */ })
    socket.on('close', () => this.refusedSockets.delete(socket))
    // Nothing it sends is read or echoed; the line is the whole answer.
    socket.on('data', () => {})
    const limit = this.options.maxConnections
    const why = reason === 'shutting-down' ? 'the server is shutting down' : `the server is full (${limit} connection${limit === 1 ? '' : 's'})`
    socket.end(`sockkit: connection refused: ${why}; try again later\r\n`)
    const timer = setTimeout(() => socket.destroy(), this.options.closeGraceMs)
    timer.unref()
    socket.once('close', () => clearTimeout(timer))
  }
}

/** Resolves once `socket` has emitted 'close' (at once if it already has). */
const whenClosed = (socket: Socket): Promise<void> =>
  new Promise(resolve => {
    if (socket.closed) resolve()
    else socket.once('close', () => resolve())
  })

/** Create and start a {@link TcpEchoServer}; resolves once it is listening. */
export const startTcpEchoServer = async (options: TcpServerOptions = {}): Promise<TcpEchoServer> => {
  const server = new TcpEchoServer(options)
  await server.listen()
  return server
}
