import type { IncomingMessage, ClientRequest } from 'node:http'
import type { Socket } from 'node:net'
import type { Readable } from 'node:stream'
import { WebSocket } from 'ws'
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PREVIEW_BYTES } from '../core/constants.js'
import { sockkitError } from '../core/errors.js'
import { LineSplitter } from '../core/line-splitter.js'
import { preview } from '../core/preview.js'
import { DEFAULT_WS_WAIT_MS } from './defaults.js'
import { FrameTracker, type ReadFrames } from './frames.js'
import type { ClosedBy } from './ws-server.js'

/** Longest stdin line sent as one message; longer ones are cut (bounded memory while reading). */
export const MAX_INPUT_LINE_BYTES = 64 * 1024 * 1024
/** After our close frame (or Ctrl-C), how long the server gets to answer before the TCP connection is cut, ms. */
export const CLOSE_GRACE_MS = 1000

/** Options for {@link runWsClient}. */
export interface WsClientOptions {
  /** `ws://host:port/path` or `wss://…`. */
  url: string
  /** Each line (LF or CRLF, ending removed) is one message, sent in order, even lines that arrive before the connection opens. */
  input?: Readable
  /** Sent instead of `input`, each as one message; then as if the input had ended. */
  messages?: Array<string | Uint8Array>
  /** Send binary messages instead of text ones. */
  binary?: boolean
  /** After the input ends and everything is sent, wait this long for replies, then close. Default 1000. */
  waitMs?: number
  /** Code and reason of our close frame. Default 1000, no reason. */
  closeCode?: number
  closeReason?: string
  /** Extra request headers. */
  headers?: Record<string, string>
  /** Subprotocols offered (Sec-WebSocket-Protocol). */
  subprotocols?: string[]
  origin?: string
  /** Ping the server this often, ms, and report each round trip; 0 = never (default). */
  pingIntervalMs?: number
  /** Give up if the handshake has not completed within this time, ms. Default 5000. */
  connectTimeoutMs?: number
  /** wss://: accept a certificate that does not verify (self-signed). */
  insecure?: boolean
  /** Emit `tcp-read` events: each TCP read from the server and the frame headers it carried. */
  frames?: boolean
  /** Emit a `sent` event per message. Default true. */
  sentEvents?: boolean
  previewBytes?: number
  /** Receives every event, in order (messages too). Must not throw. */
  onEvent?: (event: WsClientEvent) => void
  /** Aborting closes with 1001 (going away); the promise resolves with `end: 'interrupted'`. */
  signal?: AbortSignal
}

export type WsClientEvent =
  | { type: 'connecting'; url: string; host: string; port: number; timeoutMs: number }
  /** The server's 101: `key` we sent, `accept` it answered. */
  | { type: 'upgraded'; key: string; accept: string; protocol?: string; localAddress: string; localPort: number; remoteAddress: string; remotePort: number }
  /** Lines typed before the connection opened, sent now in order. */
  | { type: 'flushing'; count: number }
  | { type: 'sent'; index: number; binary: boolean; bytes: number; preview: string }
  | { type: 'message'; binary: boolean; data: Buffer }
  | { type: 'ping'; bytes: number }
  | { type: 'pong'; rttMs?: number }
  | ({ type: 'tcp-read' } & ReadFrames)
  /** Input over; waiting `waitMs` for replies before closing. */
  | { type: 'input-ended'; sent: number; waitMs: number }
  /** Our close frame is going out. */
  | { type: 'closing'; code: number; reason: string }
  | ({ type: 'closed' } & WsClientResult)

/** How the connection ended. `code`/`reason` are the server's close frame (1005 without a code, 1006 when none came). */
export interface WsClientResult {
  end: 'closed' | 'interrupted'
  code: number
  reason: string
  by: ClosedBy | 'us'
  /** The code we sent, when we closed first. */
  sentCode?: number
  messagesSent: number
  messagesReceived: number
  durationMs: number
}

/** Node's certificate and TLS error codes (DEPTH_ZERO_SELF_SIGNED_CERT, CERT_HAS_EXPIRED, ERR_TLS_CERT_ALTNAME_INVALID…). */
export const TLS_CODES = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS|ERR_SSL/

/** Parse and check a ws:// or wss:// URL; a usage error otherwise. */
export const parseWsUrl = (text: string): URL => {
  let url: URL
  try {
    url = new URL(/^[a-z]+:\/\//i.test(text) ? text : `ws://${text}`)
  } catch {
    throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'wsBadUrl', { url: text })
  }
  if (url.protocol === 'http:') url.protocol = 'ws:'
  if (url.protocol === 'https:') url.protocol = 'wss:'
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'wsBadUrl', { url: text })
  return url
}

const portOf = (url: URL): number => Number(url.port || (url.protocol === 'wss:' ? 443 : 80))

/**
 * Open a WebSocket, send the input's lines (or `messages`) as messages and report every message
 * received, until the input ends (then `waitMs`, then a close of ours) or the server closes.
 * Rejects when there is no WebSocket: refused (Node's error), not a WebSocket server
 * (ERR_SOCKKIT_WS_HANDSHAKE with the HTTP `status`), a bad 101, a handshake timeout.
 */
export const runWsClient = (options: WsClientOptions): Promise<WsClientResult> =>
  new WsClientRun(options).run()

class WsClientRun {
  private readonly url: URL
  private ws!: WebSocket
  private readonly queue: Buffer[] = []
  private inputDone = false
  private sent = 0
  private received = 0
  private pendingSends = 0
  private openedAt = 0
  private sentCode: number | undefined
  private interrupted = false
  private pingSentAt: number | undefined
  private timers: NodeJS.Timeout[] = []
  private resolve!: (r: WsClientResult) => void
  private reject!: (e: unknown) => void
  private settled = false
  private onInputData: ((chunk: Buffer | string) => void) | undefined

  constructor (private readonly o: WsClientOptions) {
    this.url = parseWsUrl(o.url)
  }

  private emit (e: WsClientEvent): void { this.o.onEvent?.(e) }

  run (): Promise<WsClientResult> {
    return new Promise((resolve, reject) => {
      this.resolve = resolve
      this.reject = reject
      if (this.o.signal?.aborted) { reject(sockkitError('ABORT_ERR', 'tcpClientAborted', {})); return }
      const timeoutMs = this.o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
      this.emit({ type: 'connecting', url: this.url.href, host: this.url.hostname, port: portOf(this.url), timeoutMs })
      this.ws = new WebSocket(this.url, this.o.subprotocols ?? [], {
        headers: this.o.headers,
        ...(this.o.origin !== undefined ? { origin: this.o.origin } : {}),
        handshakeTimeout: timeoutMs,
        perMessageDeflate: false,
        maxPayload: MAX_INPUT_LINE_BYTES,
        rejectUnauthorized: !this.o.insecure,
        followRedirects: false,
      })
      this.wire()
      this.readInput()
      this.o.signal?.addEventListener('abort', this.onAbort, { once: true })
    })
  }

  private wire (): void {
    const ws = this.ws
    ws.on('upgrade', (res: IncomingMessage) => this.onUpgrade(res))
    ws.on('unexpected-response', (req: ClientRequest, res: IncomingMessage) => this.onUnexpected(req, res))
    ws.on('open', () => this.onOpen())
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      this.received++
      this.emit({ type: 'message', binary: isBinary, data })
    })
    ws.on('ping', (data: Buffer) => this.emit({ type: 'ping', bytes: data.length }))
    ws.on('pong', () => {
      const rttMs = this.pingSentAt === undefined ? undefined : Date.now() - this.pingSentAt
      this.pingSentAt = undefined
      this.emit({ type: 'pong', ...(rttMs !== undefined ? { rttMs } : {}) })
    })
    ws.on('error', (err: Error & { code?: string }) => this.onError(err))
    ws.on('close', (code: number, reason: Buffer) => this.onClose(code, reason.toString('utf8')))
  }

  private onUpgrade (res: IncomingMessage): void {
    const socket = res.socket as Socket
    // ws keeps its request (with the key it generated) until just after this event.
    const req = (this.ws as unknown as { _req?: ClientRequest | null })._req
    const key = String(req?.getHeader('sec-websocket-key') ?? '')
    const protocol = res.headers['sec-websocket-protocol']
    this.emit({
      type: 'upgraded', key, accept: String(res.headers['sec-websocket-accept'] ?? ''), ...(protocol ? { protocol } : {}),
      localAddress: socket.localAddress ?? '', localPort: socket.localPort ?? 0,
      remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0,
    })
    if (this.o.frames) {
      const tracker = new FrameTracker()
      socket.on('data', (chunk: Buffer) => this.emit({ type: 'tcp-read', ...tracker.feed(chunk) }))
    }
  }

  /** Not a 101: read a little of the body (a Socket.IO server names itself there) and fail in one sentence. */
  private onUnexpected (req: ClientRequest, res: IncomingMessage): void {
    const chunks: Buffer[] = []
    let size = 0
    const finish = () => {
      const body = Buffer.concat(chunks).toString('utf8')
      const socketIo = /Transport unknown|"code":\s*\d|socket\.io/i.test(body) || /socket\.io/.test(this.url.pathname)
      this.fail(sockkitError('ERR_SOCKKIT_WS_HANDSHAKE', 'wsNotWebSocket',
        { where: this.where(), status: res.statusCode ?? 0, statusText: res.statusMessage ?? '' },
        { status: res.statusCode, socketIo }))
      req.destroy()
    }
    res.on('data', (d: Buffer) => { if (size < 4096) { chunks.push(d); size += d.length } })
    res.once('end', finish)
    res.once('error', finish)
    res.once('close', finish)
  }

  private where (): string {
    return this.url.host
  }

  private onError (err: Error & { code?: string }): void {
    if (this.openedAt !== 0) return // the close that follows says it
    if (/timed out/.test(err.message)) {
      this.fail(sockkitError('ERR_SOCKKIT_CONNECT_TIMEOUT', 'tcpClientConnectTimeout', { where: this.where(), timeoutMs: this.o.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS }))
      return
    }
    if (err.code !== undefined && TLS_CODES.test(err.code)) {
      this.fail(sockkitError('ERR_SOCKKIT_WS_HANDSHAKE', 'wsTlsFailed', { where: this.where(), code: err.code }, { tls: true, cause: err }))
      return
    }
    if (err.code !== undefined && !err.code.startsWith('WS_ERR')) {
      // Node's own (ECONNREFUSED, a TLS failure): explained at the CLI edge.
      this.fail(err)
      return
    }
    const problem = /Accept/.test(err.message) ? 'accept' : /subprotocol/i.test(err.message) ? 'subprotocol' : /Upgrade/.test(err.message) ? 'upgrade' : 'other'
    this.fail(sockkitError('ERR_SOCKKIT_WS_HANDSHAKE', 'wsHandshakeRejected', { where: this.where(), problem }, { problem, cause: err }))
  }

  private fail (err: unknown): void {
    if (this.settled) return
    this.settled = true
    this.cleanup()
    this.ws.terminate()
    this.reject(err)
  }

  private onOpen (): void {
    this.openedAt = Date.now()
    if (this.o.messages !== undefined) {
      for (const m of this.o.messages) this.queue.push(Buffer.from(m as Uint8Array))
      this.inputDone = true
    }
    if (this.queue.length > 0 && this.o.messages === undefined) this.emit({ type: 'flushing', count: this.queue.length })
    for (const data of this.queue.splice(0)) this.send(data)
    const ping = this.o.pingIntervalMs ?? 0
    if (ping > 0) {
      this.timers.push(setInterval(() => {
        this.pingSentAt = Date.now()
        if (this.ws.readyState === WebSocket.OPEN) this.ws.ping()
      }, ping))
    }
    this.maybeFinish()
  }

  private send (data: Buffer): void {
    const binary = Boolean(this.o.binary)
    this.sent++
    this.pendingSends++
    if (this.o.sentEvents ?? true) {
      this.emit({ type: 'sent', index: this.sent, binary, bytes: data.length, preview: preview(data, this.o.previewBytes ?? DEFAULT_PREVIEW_BYTES) })
    }
    this.ws.send(data, { binary }, () => {
      this.pendingSends--
      this.maybeFinish()
    })
  }

  private readInput (): void {
    const input = this.o.input
    if (this.o.messages !== undefined || input === undefined) {
      if (this.o.messages === undefined) this.inputDone = true
      return
    }
    const splitter = new LineSplitter(MAX_INPUT_LINE_BYTES)
    const take = (lines: Array<{ bytes: Buffer }>) => {
      for (const { bytes } of lines) {
        if (this.ws.readyState === WebSocket.OPEN) this.send(bytes)
        else if (this.ws.readyState === WebSocket.CONNECTING) this.queue.push(bytes)
      }
    }
    this.onInputData = (chunk: Buffer | string) => take(splitter.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)))
    input.on('data', this.onInputData)
    input.once('end', () => {
      take(splitter.end())
      this.inputDone = true
      this.maybeFinish()
    })
    input.once('error', err => this.fail(err))
  }

  /** Input over and everything sent: wait for replies, then close with our code. */
  private maybeFinish (): void {
    if (!this.inputDone || this.pendingSends > 0 || this.openedAt === 0 || this.ws.readyState !== WebSocket.OPEN || this.sentCode !== undefined) return
    const waitMs = this.o.waitMs ?? DEFAULT_WS_WAIT_MS
    this.inputDone = false // once
    this.emit({ type: 'input-ended', sent: this.sent, waitMs })
    this.timers.push(setTimeout(() => this.closeWith(this.o.closeCode ?? 1000, this.o.closeReason ?? ''), waitMs))
  }

  private closeWith (code: number, reason: string): void {
    if (this.ws.readyState !== WebSocket.OPEN || this.sentCode !== undefined) return
    this.sentCode = code
    this.emit({ type: 'closing', code, reason })
    this.ws.close(code, reason)
    // A server that never answers our close frame: cut the connection (ws alone would wait 30 s).
    this.timers.push(setTimeout(() => this.ws.terminate(), CLOSE_GRACE_MS).unref())
  }

  private readonly onAbort = (): void => {
    this.interrupted = true
    if (this.openedAt === 0) {
      this.fail(sockkitError('ABORT_ERR', 'tcpClientAborted', {}))
      return
    }
    this.closeWith(1001, '')
    if (this.sentCode === undefined) this.ws.terminate()
  }

  private cleanup (): void {
    for (const t of this.timers) clearTimeout(t)
    this.o.signal?.removeEventListener('abort', this.onAbort)
    const input = this.o.input
    if (input !== undefined) {
      if (this.onInputData) input.off('data', this.onInputData)
      input.pause()
    }
  }

  private onClose (code: number, reason: string): void {
    if (this.settled) return
    if (this.openedAt === 0) {
      // Closed before it opened without an error of its own (e.g. an abort).
      this.fail(sockkitError('ABORT_ERR', 'tcpClientAborted', {}))
      return
    }
    this.settled = true
    this.cleanup()
    const by: WsClientResult['by'] = this.sentCode !== undefined ? 'us' : code === 1006 ? 'none' : 'server'
    const result: WsClientResult = {
      end: this.interrupted ? 'interrupted' : 'closed', code, reason, by,
      ...(this.sentCode !== undefined ? { sentCode: this.sentCode } : {}),
      messagesSent: this.sent, messagesReceived: this.received, durationMs: Date.now() - this.openedAt,
    }
    this.emit({ type: 'closed', ...result })
    this.resolve(result)
  }
}
