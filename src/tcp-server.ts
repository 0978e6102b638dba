import { createServer, type Server, type Socket } from 'node:net'
import {
  DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, DEFAULT_PREVIEW_BYTES,
} from './constants.js'
import { reachableAddresses } from './addresses.js'
import { preview } from './preview.js'

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
  /** Bytes of each read shown in its preview. Default 48. */
  previewBytes?: number
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: TcpServerEvent) => void
  /** Ms a closing connection gets to flush before it is destroyed. Default 1000. */
  closeGraceMs?: number
}

/** Why a connection ended. */
export type CloseReason = 'normal' | 'reset' | 'error' | 'idle-timeout' | 'server-stopped'

export type TcpServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  | { type: 'accepted'; id: number; remoteAddress: string; remotePort: number; localAddress: string; localPort: number; active: number }
  | { type: 'refused'; remoteAddress: string; remotePort: number; active: number; limit: number }
  | { type: 'read'; id: number; bytes: number; preview: string }
  | { type: 'half-close'; id: number; bytesIn: number }
  | { type: 'backpressure'; id: number; bufferedBytes: number }
  | { type: 'resumed'; id: number }
  | { type: 'idle-timeout'; id: number; idleMs: number }
  | { type: 'closed'; id: number; remoteAddress: string; remotePort: number; bytesIn: number; bytesOut: number; durationMs: number; reason: CloseReason; code?: string; message?: string }
  | { type: 'server-error'; code: string; message: string }

/** Totals over the server's life, returned by {@link TcpEchoServer.close}. */
export interface TcpServerSummary {
  /** Connections accepted (refused ones not included). */
  accepted: number
  /** Connections turned away because the limit was reached. */
  refused: number
  /** Most connections open at once. */
  peakConnections: number
  /** Connections that ended with a reset from the peer. */
  resets: number
  /** Connections closed for being idle. */
  idleTimeouts: number
  bytesIn: number
  bytesOut: number
  durationMs: number
}

interface Connection {
  id: number
  socket: Socket
  remoteAddress: string
  remotePort: number
  startedAt: number
  reason?: CloseReason
  error?: Error & { code?: string }
}

/**
 * A TCP echo server that reports every connection event. Echoes each byte back as it
 * arrives; when a client half-closes it finishes echoing and then closes its side.
 * A client that does not read its echoes is not buffered for: the server stops reading
 * from it until the replies drain (backpressure).
 */
export class TcpEchoServer {
  readonly options: Required<Omit<TcpServerOptions, 'greeting' | 'onEvent'>> & Pick<TcpServerOptions, 'greeting' | 'onEvent'>
  private readonly server: Server
  private readonly connections = new Map<number, Connection>()
  private nextId = 1
  private startedAt = 0
  private closing = false
  private readonly totals = { accepted: 0, refused: 0, peakConnections: 0, resets: 0, idleTimeouts: 0, bytesIn: 0, bytesOut: 0 }
  private readonly greeting: Buffer | undefined

  constructor (options: TcpServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      echo: options.echo ?? true,
      readEvents: options.readEvents ?? true,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      closeGraceMs: options.closeGraceMs ?? 1000,
      greeting: options.greeting,
      onEvent: options.onEvent,
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

  /** Start listening. Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…). */
  listen (): Promise<{ address: string; port: number; family: string }> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(Object.assign(err, { host: this.options.host, port: this.options.port }))
      this.server.once('error', onError)
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', onError)
        this.startedAt = Date.now()
        const a = this.address()
        this.emit({ type: 'listening', address: a.address, port: a.port, family: a.family, reachable: reachableAddresses(a.address) })
        resolve(a)
      })
    })
  }

  /**
   * Stop accepting, close every connection (each gets `closeGraceMs` to flush, then is
   * destroyed) and resolve with the totals once everything is released.
   */
  async close (): Promise<TcpServerSummary> {
    this.closing = true
    const serverClosed = new Promise<void>(resolve => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    const closes = [...this.connections.values()].map(conn => new Promise<void>(resolve => {
      conn.socket.once('close', () => resolve())
      conn.reason ??= 'server-stopped'
      conn.socket.end()
      const timer = setTimeout(() => conn.socket.destroy(), this.options.closeGraceMs)
      timer.unref()
    }))
    await Promise.all([serverClosed, ...closes])
    return this.summary()
  }

  /** Totals so far. */
  summary (): TcpServerSummary {
    return { ...this.totals, durationMs: this.startedAt ? Date.now() - this.startedAt : 0 }
  }

  private emit (event: TcpServerEvent): void {
    this.options.onEvent?.(event)
  }

  private accept (socket: Socket): void {
    // A peer that reset before we accepted has no address left to read.
    const remoteAddress = socket.remoteAddress ?? 'a peer that already left'
    const remotePort = socket.remotePort ?? 0
    if (this.closing || this.connections.size >= this.options.maxConnections) {
      this.refuse(socket, remoteAddress, remotePort)
      return
    }
    const conn: Connection = { id: this.nextId++, socket, remoteAddress, remotePort, startedAt: Date.now() }
    this.connections.set(conn.id, conn)
    this.totals.accepted++
    this.totals.peakConnections = Math.max(this.totals.peakConnections, this.connections.size)
    this.emit({
      type: 'accepted', id: conn.id, remoteAddress, remotePort,
      localAddress: socket.localAddress ?? '?', localPort: socket.localPort ?? 0, active: this.connections.size,
    })

    if (this.options.idleTimeoutMs > 0) {
      socket.setTimeout(this.options.idleTimeoutMs, () => {
        this.totals.idleTimeouts++
        conn.reason ??= 'idle-timeout'
        this.emit({ type: 'idle-timeout', id: conn.id, idleMs: this.options.idleTimeoutMs })
        socket.end()
        setTimeout(() => socket.destroy(), this.options.closeGraceMs).unref()
      })
    }
    if (this.greeting) socket.write(this.greeting)

    socket.on('data', chunk => this.onData(conn, chunk))
    socket.on('end', () => {
      this.emit({ type: 'half-close', id: conn.id, bytesIn: socket.bytesRead })
      // end() is queued behind pending echo writes, so everything is echoed first.
      socket.end()
    })
    socket.on('error', err => {
      conn.error = err
      conn.reason ??= (err as { code?: string }).code === 'ECONNRESET' ? 'reset' : 'error'
    })
    socket.on('close', () => this.onClose(conn))
  }

  private onData (conn: Connection, chunk: Buffer): void {
    if (this.options.readEvents) {
      this.emit({ type: 'read', id: conn.id, bytes: chunk.length, preview: preview(chunk, this.options.previewBytes) })
    }
    if (!this.options.echo) return
    const socket = conn.socket
    if (!socket.write(chunk)) {
      // The client is not reading its echoes fast enough: stop reading from it until
      // what we owe it has drained, so its data waits in the kernel, not in our memory.
      socket.pause()
      this.emit({ type: 'backpressure', id: conn.id, bufferedBytes: socket.writableLength })
      socket.once('drain', () => {
        socket.resume()
        this.emit({ type: 'resumed', id: conn.id })
      })
    }
  }

  private onClose (conn: Connection): void {
    this.connections.delete(conn.id)
    const { socket } = conn
    const reason = conn.reason ?? 'normal'
    if (reason === 'reset') this.totals.resets++
    this.totals.bytesIn += socket.bytesRead
    this.totals.bytesOut += socket.bytesWritten
    this.emit({
      type: 'closed', id: conn.id, remoteAddress: conn.remoteAddress, remotePort: conn.remotePort,
      bytesIn: socket.bytesRead, bytesOut: socket.bytesWritten, durationMs: Date.now() - conn.startedAt, reason,
      ...(conn.error ? { code: conn.error.code ?? 'ERROR', message: conn.error.message } : {}),
    })
  }

  private refuse (socket: Socket, remoteAddress: string, remotePort: number): void {
    this.totals.refused++
    this.emit({ type: 'refused', remoteAddress, remotePort, active: this.connections.size, limit: this.options.maxConnections })
    socket.on('error', () => { /* a refused client may reset; nothing to do */ })
    const why = this.closing ? 'the server is shutting down' : `the server is full (${this.options.maxConnections} connections)`
    socket.end(`sockkit: connection refused: ${why}; try again later\r\n`)
    setTimeout(() => socket.destroy(), this.options.closeGraceMs).unref()
  }
}

/** Create and start a {@link TcpEchoServer}; resolves once it is listening. */
export const startTcpEchoServer = async (options: TcpServerOptions = {}): Promise<TcpEchoServer> => {
  const server = new TcpEchoServer(options)
  await server.listen()
  return server
}
