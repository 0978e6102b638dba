import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Socket } from 'node:net'
import { WebSocketServer, type WebSocket } from 'ws'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PREVIEW_BYTES } from '../core/constants.js'
import { preview } from '../core/preview.js'
import { endWithGrace, TcpListener, type PeerInfo, type RefusalReason } from '../net/listener.js'
import { closeCodeForWsError } from './close-codes.js'
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PING_INTERVAL_MS, DEFAULT_WS_PORT } from './defaults.js'
import { FrameTracker, type ReadFrames } from './frames.js'
import { checkUpgrade, emptyResponse, rejectHandshake, type HandshakeProblem } from './handshake.js'

/**
 * Echo backpressure: once this many bytes wait to be sent to a client, stop reading from it
 * until they have gone (so a client that never reads cannot make the server buffer its echoes).
 */
export const ECHO_HIGH_WATER_BYTES = 64 * 1024

/** Options for {@link WsEchoServer}. */
export interface WsServerOptions {
  /** Port; 0 lets the OS pick. Default 8080. */
  port?: number
  /** Address to bind. Default 127.0.0.1. */
  host?: string
  /** Echo each message back to its sender (default true). */
  echo?: boolean
  /** Send each message to every other client (a chat without names). Default false. */
  broadcast?: boolean
  /** Largest message accepted, bytes; a larger one closes the connection with 1009. Default 1 MiB. */
  maxMessageBytes?: number
  /** Connections at once; the next TCP connection is refused with HTTP 503. Default 1000. */
  maxConnections?: number
  /** Close a WebSocket with 1001 after this many ms without a message either way; 0 = never. Default 300000. */
  idleTimeoutMs?: number
  /** Ping each client this often, ms, and drop one that did not answer the last ping; 0 = never. Default 30000. */
  pingIntervalMs?: number
  /** Subprotocols this server speaks, preferred first: the first of these the client also offers is chosen. */
  subprotocols?: string[]
  /** Emit a `message` event per message (default true). */
  messageEvents?: boolean
  /** Emit `tcp-read` events: each TCP read from a client and the frame headers it carried. Default false. */
  frames?: boolean
  /** Bytes of a message shown in its preview. Default 48. */
  previewBytes?: number
  /** HTML served for `GET /` (a plain browser visit); undefined: 404. */
  page?: string
  /** Ms a closing connection gets before it is destroyed. Default 1000. */
  closeGraceMs?: number
  /** Which peers may connect, by remote address; others are destroyed at once (`denied`). */
  addressFilter?: (address: string | undefined) => boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: WsServerEvent) => void
}

/** Who ended a WebSocket: `client` (its close frame came first), `server`, or `none` (the TCP connection just ended: 1006). */
export type ClosedBy = 'client' | 'server' | 'none'

/** Why the server closed a WebSocket itself, when it did. */
export type ServerCloseCause = 'too-big' | 'protocol-error' | 'idle-timeout' | 'ping-timeout' | 'slow-reader' | 'server-stopped'

export type WsServerEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  /** A TCP connection accepted; it is not a WebSocket until its upgrade succeeds. */
  | { type: 'connected'; id: number; remoteAddress: string; remotePort: number; localAddress: string; localPort: number; active: number }
  | { type: 'refused'; remoteAddress: string; remotePort: number; active: number; limit: number; reason: RefusalReason }
  | { type: 'denied'; remoteAddress: string; remotePort: number; denied: number }
  /** The HTTP request asking to become a WebSocket, as it arrived. */
  | { type: 'upgrade-request'; id: number; method: string; path: string; key?: string; version?: string; protocols: string[]; origin?: string }
  /** The 101 answer: the connection is a WebSocket from here on. `accept` = base64(SHA-1(key + GUID)). */
  | { type: 'upgraded'; id: number; accept: string; protocol?: string; websockets: number }
  /** The request was not a valid upgrade (or not HTTP at all); the server answered `status` and closed. */
  | { type: 'handshake-rejected'; id: number; status: number; problem: HandshakeProblem; detail?: string }
  /** A plain HTTP request (a browser visit): the page or a 404. */
  | { type: 'http-request'; id: number; method: string; path: string; status: number }
  | { type: 'message'; id: number; binary: boolean; bytes: number; preview: string }
  | { type: 'ping'; id: number; bytes: number }
  /** A pong; `rttMs` when it answers a ping of ours. */
  | { type: 'pong'; id: number; rttMs?: number }
  | { type: 'tcp-read'; id: number } & ReadFrames
  | { type: 'backpressure'; id: number; bufferedBytes: number }
  | { type: 'resumed'; id: number }
  /** The server is closing this WebSocket itself, with `code`. */
  | { type: 'closing'; id: number; code: number; cause: ServerCloseCause; limit?: number; bufferedBytes?: number }
  /**
   * The WebSocket ended. `code`/`reason`: the close frame the client sent (1005 when it had no
   * code, 1006 when none came); `sentCode`: the code we sent, if we sent a close frame first.
   */
  | { type: 'closed'; id: number; code: number; reason: string; by: ClosedBy; sentCode?: number; messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number; durationMs: number }
  /** A TCP connection that never became a WebSocket ended. */
  | { type: 'disconnected'; id: number; durationMs: number }
  | { type: 'server-error'; code: string; message: string }

/** Totals over the server's life, returned by {@link WsEchoServer.close}. */
export interface WsServerSummary {
  /** TCP connections accepted. */
  connections: number
  /** WebSocket upgrades completed. */
  websockets: number
  handshakesRejected: number
  pagesServed: number
  refused: number
  denied: number
  peakConnections: number
  messagesIn: number
  messagesOut: number
  /** Message payload bytes received and sent (frames' headers not counted). */
  bytesIn: number
  bytesOut: number
  durationMs: number
}

/** One WebSocket connection (or a TCP connection not upgraded yet). */
interface Conn {
  id: number
  socket: Socket
  startedAt: number
  ws?: WebSocket
  protocolError?: string
  messagesIn: number
  messagesOut: number
  bytesIn: number
  bytesOut: number
  lastActivity: number
  pingSentAt?: number
  paused: boolean
  sentCode?: number
}

type Resolved = Required<Omit<WsServerOptions, 'page' | 'onEvent' | 'addressFilter'>> & Pick<WsServerOptions, 'page' | 'onEvent' | 'addressFilter'>

/**
 * A WebSocket echo (or broadcast) server that narrates the handshake, every message, ping,
 * pong and close. The TCP side is sockkit's shared listener (address filter, connection limit,
 * close with grace); HTTP parsing and framing are the `ws` package's.
 */
export class WsEchoServer {
  readonly options: Resolved
  private readonly listener: TcpListener
  private readonly http: Server
  private readonly wss: WebSocketServer
  private readonly bySocket = new Map<Socket, Conn>()
  private nextId = 1
  private startedAt = 0
  private closed = false
  private closePromise: Promise<WsServerSummary> | undefined
  private pingTimer: NodeJS.Timeout | undefined
  private idleTimer: NodeJS.Timeout | undefined
  private readonly totals = { websockets: 0, handshakesRejected: 0, pagesServed: 0, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0 }

  constructor (options: WsServerOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_WS_PORT,
      host: options.host ?? DEFAULT_HOST,
      echo: options.echo ?? true,
      broadcast: options.broadcast ?? false,
      maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      pingIntervalMs: options.pingIntervalMs ?? DEFAULT_PING_INTERVAL_MS,
      subprotocols: options.subprotocols ?? [],
      messageEvents: options.messageEvents ?? true,
      frames: options.frames ?? false,
      previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
      closeGraceMs: options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS,
      page: options.page,
      onEvent: options.onEvent,
      addressFilter: options.addressFilter,
    }
    this.wss = this.makeWss()
    this.http = createServer((req, res) => this.onRequest(req, res))
    this.http.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.onUpgrade(req, socket, head))
    this.http.on('clientError', (err: Error & { code?: string }, socket: Socket) => this.onClientError(err, socket))
    this.listener = new TcpListener({
      host: this.options.host,
      port: this.options.port,
      maxConnections: this.options.maxConnections,
      closeGraceMs: this.options.closeGraceMs,
      addressFilter: this.options.addressFilter,
      onConnection: (socket, peer) => this.accept(socket, peer),
      onDenied: peer => this.emit({ type: 'denied', ...peer }),
      onRefused: (socket, refusal) => this.refuse(socket, refusal),
      onError: err => this.emit({ type: 'server-error', code: err.code ?? 'ERROR', message: err.message }),
    })
  }

  private makeWss (): WebSocketServer {
    const { subprotocols } = this.options
    const wss = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: this.options.maxMessageBytes,
      // Our most preferred protocol among those the client offers; none shared: no header.
      handleProtocols: offered => subprotocols.find(p => offered.has(p)) ?? false,
    })
    // The 101 answer just before it is written: the narration shows its Sec-WebSocket-Accept.
    wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const conn = this.bySocket.get(req.socket)
      const accept = headers.find(h => /^sec-websocket-accept:/i.test(h))?.replace(/^[^:]*:\s*/, '') ?? ''
      const protocol = headers.find(h => /^sec-websocket-protocol:/i.test(h))?.replace(/^[^:]*:\s*/, '')
      if (conn) this.emit({ type: 'upgraded', id: conn.id, accept, ...(protocol ? { protocol } : {}), websockets: this.websocketCount() + 1 })
    })
    return wss
  }

  /** Open TCP connections right now. */
  get activeConnections (): number {
    return this.bySocket.size
  }

  address (): { address: string; port: number; family: string } {
    return this.listener.address()
  }

  async listen (): Promise<{ address: string; port: number; family: string }> {
    const { reachable, ...a } = await this.listener.listen()
    this.startedAt = Date.now()
    this.emit({ type: 'listening', ...a, reachable })
    const { pingIntervalMs, idleTimeoutMs } = this.options
    if (pingIntervalMs > 0) this.pingTimer = setInterval(() => this.pingAll(), pingIntervalMs).unref()
    if (idleTimeoutMs > 0) this.idleTimer = setInterval(() => this.closeIdle(), Math.min(idleTimeoutMs, 1000)).unref()
    return a
  }

  /** Close every WebSocket with 1001 (going away), stop listening, resolve with the totals. */
  close (): Promise<WsServerSummary> {
    this.closePromise ??= this.closeAll()
    return this.closePromise
  }

  private async closeAll (): Promise<WsServerSummary> {
    clearInterval(this.pingTimer)
    clearInterval(this.idleTimer)
    await this.listener.close(socket => {
      const conn = this.bySocket.get(socket)
      if (conn?.ws) this.closeWith(conn, 1001, 'server-stopped')
    })
    this.closed = true
    return this.summary()
  }

  summary (): WsServerSummary {
    const { accepted, refused, denied, peak } = this.listener.totals
    return {
      connections: accepted, refused, denied, peakConnections: peak, ...this.totals,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private emit (event: WsServerEvent): void {
    if (!this.closed) this.options.onEvent?.(event)
  }

  private websocketCount (): number {
    let n = 0
    for (const conn of this.bySocket.values()) if (conn.ws) n++
    return n
  }

  private accept (socket: Socket, { remoteAddress, remotePort }: PeerInfo): void {
    const now = Date.now()
    const conn: Conn = { id: this.nextId++, socket, startedAt: now, messagesIn: 0, messagesOut: 0, bytesIn: 0, bytesOut: 0, lastActivity: now, paused: false }
    this.bySocket.set(socket, conn)
    socket.on('error', () => { /* reported through the close that follows */ })
    socket.once('close', () => {
      this.bySocket.delete(socket)
      if (!conn.ws) this.emit({ type: 'disconnected', id: conn.id, durationMs: Date.now() - conn.startedAt })
    })
    this.emit({
      type: 'connected', id: conn.id, remoteAddress, remotePort,
      localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0, active: this.bySocket.size,
    })
    // Node's HTTP server parses the request; an upgrade comes back through onUpgrade.
    this.http.emit('connection', socket)
  }

  private refuse (socket: Socket, refusal: PeerInfo & { reason: RefusalReason; active: number; limit: number }): void {
    const { remoteAddress, remotePort, active, limit, reason } = refusal
    this.emit({ type: 'refused', remoteAddress, remotePort, active, limit, reason })
    void endWithGrace(socket, this.options.closeGraceMs, emptyResponse(503))
  }

  private onRequest (req: IncomingMessage, res: ServerResponse): void {
    const conn = this.bySocket.get(req.socket)
    const isPage = req.method === 'GET' && (req.url === '/' || req.url?.startsWith('/?') === true) && this.options.page !== undefined
    const status = isPage ? 200 : 404
    if (conn) this.emit({ type: 'http-request', id: conn.id, method: req.method ?? '', path: req.url ?? '', status })
    if (isPage) this.totals.pagesServed++
    res.writeHead(status, { 'Content-Type': isPage ? 'text/html; charset=utf-8' : 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' })
    res.end(isPage ? this.options.page : '')
  }

  private onClientError (err: Error & { code?: string }, socket: Socket): void {
    const conn = this.bySocket.get(socket)
    if (conn && err.code !== 'ECONNRESET') {
      this.totals.handshakesRejected++
      this.emit({ type: 'handshake-rejected', id: conn.id, status: 400, problem: 'not-http', detail: err.code ?? '' })
    }
    if (socket.writable) socket.end(emptyResponse(400))
    else socket.destroy()
  }

  private onUpgrade (req: IncomingMessage, socket: Socket, head: Buffer): void {
    const conn = this.bySocket.get(socket)
    if (!conn) { socket.destroy(); return }
    const h = req.headers
    const protocols = (h['sec-websocket-protocol'] ?? '').split(',').map(p => p.trim()).filter(p => p !== '')
    this.emit({
      type: 'upgrade-request', id: conn.id, method: req.method ?? '', path: req.url ?? '', protocols,
      ...(h['sec-websocket-key'] !== undefined ? { key: h['sec-websocket-key'] } : {}),
      ...(h['sec-websocket-version'] !== undefined ? { version: String(h['sec-websocket-version']) } : {}),
      ...(h.origin !== undefined ? { origin: h.origin } : {}),
    })
    const problem = checkUpgrade(req)
    if (problem !== undefined) {
      this.totals.handshakesRejected++
      const status = rejectHandshake(socket, problem)
      this.emit({ type: 'handshake-rejected', id: conn.id, status, problem })
      return
    }
    if (this.options.frames) this.watchFrames(conn, head)
    this.wss.handleUpgrade(req, socket, head, ws => this.open(conn, ws))
  }

  /** Each TCP read from the client and the frame headers it carried (the upgrade's leftover bytes first). */
  private watchFrames (conn: Conn, head: Buffer): void {
    const tracker = new FrameTracker()
    const report = (chunk: Buffer) => { if (chunk.length > 0) this.emit({ type: 'tcp-read', id: conn.id, ...tracker.feed(chunk) }) }
    report(head)
    conn.socket.on('data', report)
  }

  private open (conn: Conn, ws: WebSocket): void {
    conn.ws = ws
    conn.lastActivity = Date.now()
    this.totals.websockets++
    ws.on('message', (data: Buffer, isBinary: boolean) => this.onMessage(conn, data, isBinary))
    ws.on('ping', (data: Buffer) => this.emit({ type: 'ping', id: conn.id, bytes: data.length }))
    ws.on('pong', () => {
      const rttMs = conn.pingSentAt === undefined ? undefined : Date.now() - conn.pingSentAt
      conn.pingSentAt = undefined
      this.emit({ type: 'pong', id: conn.id, ...(rttMs !== undefined ? { rttMs } : {}) })
    })
    ws.on('error', (err: Error & { code?: string }) => {
      // A receiver error (too big, bad UTF-8, bad frame): ws has already sent its close frame.
      conn.sentCode ??= closeCodeForWsError(err.code)
      const cause: ServerCloseCause = conn.sentCode === 1009 ? 'too-big' : 'protocol-error'
      this.emit({ type: 'closing', id: conn.id, code: conn.sentCode, cause, ...(cause === 'too-big' ? { limit: this.options.maxMessageBytes } : {}) })
    })
    ws.on('close', (code: number, reason: Buffer) => this.onClosed(conn, code, reason))
  }

  private onMessage (conn: Conn, data: Buffer, binary: boolean): void {
    conn.messagesIn++
    conn.bytesIn += data.length
    conn.lastActivity = Date.now()
    this.totals.messagesIn++
    this.totals.bytesIn += data.length
    if (this.options.messageEvents) {
      this.emit({ type: 'message', id: conn.id, binary, bytes: data.length, preview: preview(data, this.options.previewBytes) })
    }
    if (this.options.broadcast) this.broadcast(conn, data, binary)
    else if (this.options.echo) this.echo(conn, data, binary)
  }

  private send (conn: Conn, data: Buffer, binary: boolean, done?: () => void): void {
    conn.ws?.send(data, { binary }, err => {
      if (!err) {
        conn.messagesOut++
        conn.bytesOut += data.length
        this.totals.messagesOut++
        this.totals.bytesOut += data.length
      }
      done?.()
    })
  }

  /**
   * Echo, and stop reading from a client that does not read its echoes: once more than
   * ECHO_HIGH_WATER_BYTES of earlier echoes still wait for it, its socket is paused until this
   * echo has been written. At most that plus one message waits in memory per client.
   */
  private echo (conn: Conn, data: Buffer, binary: boolean): void {
    const ws = conn.ws!
    // Earlier echoes still unsent: the client is behind. (One large echo alone is not a sign of it.)
    const pauseNow = !conn.paused && ws.bufferedAmount > ECHO_HIGH_WATER_BYTES
    if (pauseNow) {
      conn.paused = true
      ws.pause()
      this.emit({ type: 'backpressure', id: conn.id, bufferedBytes: ws.bufferedAmount + data.length })
    }
    this.send(conn, data, binary, pauseNow
      ? () => {
        conn.paused = false
        if (ws.readyState === ws.OPEN) ws.resume()
        this.emit({ type: 'resumed', id: conn.id })
      }
      : undefined)
  }

  /** To every other open WebSocket; one that has let more than a few messages pile up unread is dropped. */
  private broadcast (from: Conn, data: Buffer, binary: boolean): void {
    const limit = Math.max(4 * ECHO_HIGH_WATER_BYTES, 2 * this.options.maxMessageBytes)
    for (const conn of this.bySocket.values()) {
      if (conn === from || conn.ws?.readyState !== 1) continue
      const buffered = conn.ws.bufferedAmount
      if (buffered + data.length > limit) {
        this.emit({ type: 'closing', id: conn.id, code: 1008, cause: 'slow-reader', bufferedBytes: buffered })
        conn.sentCode = 1008
        conn.ws.terminate()
        continue
      }
      this.send(conn, data, binary)
    }
  }

  /** Close with a code of ours; the close frame goes out after whatever is queued. */
  private closeWith (conn: Conn, code: number, cause: ServerCloseCause, limit?: number): void {
    const ws = conn.ws
    if (!ws || ws.readyState !== 1) return
    conn.sentCode = code
    this.emit({ type: 'closing', id: conn.id, code, cause, ...(limit !== undefined ? { limit } : {}) })
    ws.close(code)
  }

  private pingAll (): void {
    for (const conn of this.bySocket.values()) {
      const ws = conn.ws
      if (!ws || ws.readyState !== 1) continue
      if (conn.pingSentAt !== undefined) {
        // No pong since the last ping, a whole interval ago: the peer is gone or stuck.
        conn.sentCode = 1006
        this.emit({ type: 'closing', id: conn.id, code: 1006, cause: 'ping-timeout', limit: this.options.pingIntervalMs })
        ws.terminate()
        continue
      }
      conn.pingSentAt = Date.now()
      ws.ping()
    }
  }

  private closeIdle (): void {
    const now = Date.now()
    for (const conn of this.bySocket.values()) {
      if (conn.ws && now - conn.lastActivity >= this.options.idleTimeoutMs) {
        conn.lastActivity = Infinity
        this.closeWith(conn, 1001, 'idle-timeout', this.options.idleTimeoutMs)
      }
    }
  }

  private onClosed (conn: Conn, code: number, reason: Buffer): void {
    const by: ClosedBy = conn.sentCode !== undefined ? 'server' : code === 1006 ? 'none' : 'client'
    this.emit({
      type: 'closed', id: conn.id, code, reason: reason.toString('utf8'), by,
      ...(conn.sentCode !== undefined ? { sentCode: conn.sentCode } : {}),
      messagesIn: conn.messagesIn, messagesOut: conn.messagesOut, bytesIn: conn.bytesIn, bytesOut: conn.bytesOut,
      durationMs: Date.now() - conn.startedAt,
    })
  }
}

/** Create and start a {@link WsEchoServer}. */
export const startWsEchoServer = async (options: WsServerOptions = {}): Promise<WsEchoServer> => {
  const server = new WsEchoServer(options)
  await server.listen()
  return server
}
