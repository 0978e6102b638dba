import { connect, type LookupFunction, type Socket } from 'node:net'
import type { Readable, Writable } from 'node:stream'
import { formatAddress } from '../core/addresses.js'
import { DEFAULT_CONNECT_TIMEOUT_MS, DEFAULT_PREVIEW_BYTES } from '../core/constants.js'
import { sockkitError } from '../core/errors.js'
import { preview } from '../core/preview.js'

/** Options for {@link runTcpClient}. */
export interface TcpClientOptions {
  /** Host name or IP address to connect to. */
  host: string
  /** TCP port, 1–65535. */
  port: number
  /**
   * Bytes to send, as they arrive (stdin in the CLI). Its end half-closes the
   * connection. Ignored when `messages` is given. With neither, nothing is sent and the
   * connection is half-closed at once (useful to read a greeting).
   */
  input?: Readable
  /** Sent instead of `input`: each one a separate `socket.write`, in order; then half-close. */
  messages?: Array<string | Uint8Array>
  /**
   * Pause between `messages`, ms. Default 0: back-to-back writes in one event-loop turn,
   * handed to the kernel together (one writev), so the server reads them merged.
   */
  writeIntervalMs?: number
  /** Where received bytes go, unchanged. It is never ended by the client. */
  output: Writable
  /** Give up connecting after this many ms (ERR_SOCKKIT_CONNECT_TIMEOUT). Default 5000. */
  connectTimeoutMs?: number
  /**
   * After our half-close, wait at most this many ms for the server to close, then close
   * anyway. Default 0: wait for as long as the server keeps the connection open.
   */
  waitMs?: number
  /** Turn LF into CRLF in what we send (an existing CRLF is left alone). Default false. */
  crlf?: boolean
  /**
   * When the server finishes (FIN) while we are still sending, keep sending until `input`
   * ends — TCP allows it, and a server that half-closed may still be reading. Default
   * false: stop sending and close, as ncat does (the `server-finished` event then says
   * how much of the input was sent, so the rest is not lost silently).
   */
  keepSending?: boolean
  /**
   * Half-close (send FIN) when `input` or `messages` end. Default true. False keeps the
   * connection fully open after the input ends (ncat's `--no-shutdown`): it then ends when
   * the server closes, `waitMs` passes, or `signal` aborts. For servers that treat a FIN as
   * "the client left" and would not answer.
   */
  halfClose?: boolean
  /** Disable Nagle's algorithm (send small writes at once). Default true. */
  noDelay?: boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: TcpClientEvent) => void
  /** Aborting closes the connection: the promise resolves with `end: 'interrupted'`. */
  signal?: AbortSignal
  /** Name resolution, passed to `net.connect` (tests use it to simulate ENOTFOUND). */
  lookup?: LookupFunction
}

/** How a connection that did not fail ended. */
export type TcpClientEnd =
  /** The server closed its side and the connection closed cleanly. */
  | 'server-closed'
  /** `waitMs` passed after our half-close with the server's side still open. */
  | 'wait-elapsed'
  /** The `signal` aborted. */
  | 'interrupted'

/** Byte counts of a connection so far. `durationMs` runs from the connect completing. */
export interface TcpClientTotals {
  bytesSent: number
  bytesReceived: number
  durationMs: number
}

export type TcpClientEvent =
  | { type: 'connecting'; host: string; port: number; timeoutMs: number }
  | { type: 'connected'; localAddress: string; localPort: number; remoteAddress: string; remotePort: number; noDelay: boolean }
  /** One of `messages` was handed to the socket (index counts from 1). */
  | { type: 'wrote'; index: number; count: number; bytes: number; preview: string }
  /** The input ended without a half-close (`halfClose: false`): we send nothing more, the connection stays open. */
  | { type: 'input-ended'; bytesSent: number; waitMs: number }
  /** Our FIN is queued behind everything we sent: we will send nothing more. */
  | { type: 'sent-eof'; bytesSent: number; waitMs: number }
  /**
   * The server sent FIN. `weWereSending`: our input had not ended; `inputBytesSent` is
   * how much of it was handed to the socket; `stoppedSending`: we stop now (the rest of
   * the input is not read), false with `keepSending`; `inputBytesWaiting`: input already
   * read but not sent (what would have come after it is unknown).
   */
  | { type: 'server-finished'; bytesReceived: number; weWereSending: boolean; inputBytesSent: number; stoppedSending: boolean; inputBytesWaiting: number }
  | { type: 'wait-elapsed'; waitMs: number }
  /**
   * The connection broke after it was made — ECONNRESET (the server reset it) or another
   * error, named by `code` — before the server finished; the promise then rejects.
   */
  | ({ type: 'reset'; code: string; message: string } & TcpClientTotals)
  | ({ type: 'closed'; end: TcpClientEnd } & TcpClientTotals)

/** What {@link runTcpClient} resolves with. */
export interface TcpClientResult extends TcpClientTotals {
  localAddress: string
  localPort: number
  remoteAddress: string
  remotePort: number
  end: TcpClientEnd
}

const CR = 0x0d
const LF = 0x0a

/**
 * A stateful LF → CRLF converter for a byte stream cut into chunks: an LF that follows a
 * CR (even one at the end of the previous chunk) is left alone, so CRLF is never doubled.
 */
export const createCrlfConverter = (): ((chunk: Uint8Array) => Buffer) => {
  let previousWasCR = false
  return chunk => {
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (bytes.length === 0) return bytes
    const parts: Buffer[] = []
    let start = 0
    for (let i = 0; i < bytes.length; i++) {
      const afterCR = i === 0 ? previousWasCR : bytes[i - 1] === CR
      if (bytes[i] === LF && !afterCR) {
        parts.push(bytes.subarray(start, i), Buffer.from([CR]))
        start = i
      }
    }
    previousWasCR = bytes[bytes.length - 1] === CR
    if (parts.length === 0) return bytes
    parts.push(bytes.subarray(start))
    return Buffer.concat(parts)
  }
}

const abortError = () => sockkitError('ABORT_ERR', 'tcpClientAborted', {})

const isBreak = (code: string | undefined) => code === 'ECONNRESET' || code === 'EPIPE'

/**
 * Connect to `host:port`, send `input` (or `messages`) and copy every received byte to
 * `output` unchanged, with backpressure both ways. When we finish sending we half-close
 * and keep reading until the server closes (or `waitMs` passes); when the server closes
 * first we stop sending and close too, as ncat does — unless `keepSending`.
 *
 * Rejects with Node's error (ECONNREFUSED, ENOTFOUND, ECONNRESET…), or a sockkit error
 * (ERR_SOCKKIT_CONNECT_TIMEOUT; ABORT_ERR when aborted before connecting). Every listener
 * and timer it set up is released before it settles.
 */
export const runTcpClient = (options: TcpClientOptions): Promise<TcpClientResult> =>
  new Promise((resolve, reject) => {
    if (options.signal?.aborted) {
      reject(abortError())
      return
    }
    new TcpClientRun(options, resolve, reject).start()
  })

/**
 * One connection of {@link runTcpClient}: the socket, both copy directions and how it ends.
 * Handlers are arrow properties so they can be removed by identity.
 */
class TcpClientRun {
  /** Made in start(), after the `connecting` event. */
  private socket!: Socket
  private readonly connectTimeoutMs: number
  private readonly waitMs: number
  private readonly noDelay: boolean
  private readonly toWire: (chunk: Uint8Array) => Uint8Array
  private connectTimer: NodeJS.Timeout | undefined
  private connectedAt = 0
  /** Read at connect: a closed socket no longer knows its addresses. */
  private ends: { localAddress: string; localPort: number; remoteAddress: string; remotePort: number }
  /** We will send nothing more (FIN queued, or the server finished first). */
  private doneSending = false
  private serverFinished = false
  private end: TcpClientEnd | undefined
  private failure: (Error & { code?: string }) | undefined
  /** An error of `input` or `output`, not of the connection: no 'reset' event for it. */
  private streamFailure: Error | undefined
  private waitTimer: NodeJS.Timeout | undefined
  private intervalTimer: NodeJS.Timeout | undefined
  private outputBlocked = false
  private inputBytesSent = 0

  constructor (
    private readonly options: TcpClientOptions,
    private readonly resolve: (result: TcpClientResult) => void,
    private readonly reject: (err: Error) => void,
  ) {
    this.connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    this.waitMs = options.waitMs ?? 0
    this.noDelay = options.noDelay ?? true
    this.toWire = options.crlf ? createCrlfConverter() : chunk => chunk
    this.ends = { localAddress: '?', localPort: 0, remoteAddress: options.host, remotePort: options.port }
  }

  private emit (event: TcpClientEvent): void { this.options.onEvent?.(event) }

  start (): void {
    const { host, port, signal, lookup } = this.options
    const { connectTimeoutMs } = this
    this.emit({ type: 'connecting', host, port, timeoutMs: connectTimeoutMs })
    const socket = connect({ host, port, allowHalfOpen: true, noDelay: this.noDelay, ...(lookup ? { lookup } : {}) })
    this.socket = socket
    this.connectTimer = setTimeout(() => {
      socket.destroy(sockkitError('ERR_SOCKKIT_CONNECT_TIMEOUT', 'tcpClientConnectTimeout',
        { where: formatAddress(host, port), timeoutMs: connectTimeoutMs }, { host, port, timeoutMs: connectTimeoutMs }))
    }, connectTimeoutMs)
    signal?.addEventListener('abort', this.onAbort, { once: true })
    socket.once('connect', this.onConnect)
    socket.on('end', this.onServerEnd)
    socket.on('error', err => { this.failure ??= err })
    socket.once('close', this.onClose)
  }

  private totals (): TcpClientTotals {
    return {
      bytesSent: this.socket.bytesWritten,
      bytesReceived: this.socket.bytesRead,
      durationMs: this.connectedAt ? Date.now() - this.connectedAt : 0,
    }
  }

  // Received bytes → output. When output cannot keep up, stop reading the socket so
  // the data waits in the kernel (and TCP slows the server), not in our memory.
  private readonly resumeSocket = (): void => {
    this.outputBlocked = false
    this.socket.resume()
  }

  private readonly onSocketData = (chunk: Buffer): void => {
    if (!this.options.output.write(chunk) && !this.outputBlocked) {
      this.outputBlocked = true
      this.socket.pause()
      this.options.output.once('drain', this.resumeSocket)
    }
  }

  private readonly onStreamError = (err: Error): void => {
    this.streamFailure ??= err
    this.socket.destroy()
  }

  // input → socket, paused while the socket's send buffer is full.
  private readonly resumeInput = (): void => { this.options.input?.resume() }

  private readonly onInputData = (chunk: Buffer | string): void => {
    const data = this.toWire(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
    this.inputBytesSent += data.length
    if (!this.socket.write(data)) {
      this.options.input?.pause()
      this.socket.once('drain', this.resumeInput)
    }
  }

  private readonly onInputEnd = (): void => this.finishSending()

  private stopInput (): void {
    const { input } = this.options
    if (!input) return
    input.off('data', this.onInputData)
    input.off('end', this.onInputEnd)
    input.off('error', this.onStreamError)
    this.socket.off('drain', this.resumeInput)
    input.pause()
  }

  /** Half-close: FIN goes out after everything already written; then wait for the server (at most waitMs). */
  private finishSending (): void {
    const { socket, waitMs } = this
    if (this.doneSending || socket.destroyed) return
    this.doneSending = true
    this.stopInput()
    if (this.options.halfClose === false) {
      this.emit({ type: 'input-ended', bytesSent: socket.bytesWritten, waitMs })
      // With --keep-sending the server may have finished already: nothing keeps the connection.
      if (this.serverFinished) socket.end()
      else this.armWait()
      return
    }
    socket.once('finish', () => {
      this.emit({ type: 'sent-eof', bytesSent: socket.bytesWritten, waitMs })
      this.armWait()
    })
    socket.end()
  }

  /** After we are done sending: close anyway if the server has not closed within waitMs. */
  private armWait (): void {
    const { socket, waitMs } = this
    if (waitMs > 0 && !this.serverFinished && !socket.destroyed) {
      this.waitTimer = setTimeout(() => {
        this.end ??= 'wait-elapsed'
        this.emit({ type: 'wait-elapsed', waitMs })
        socket.destroy()
      }, waitMs)
    }
  }

  private async sendMessages (messages: Array<string | Uint8Array>): Promise<void> {
    const { socket } = this
    const writeIntervalMs = this.options.writeIntervalMs ?? 0
    // Back-to-back writes are corked: Node hands them to the kernel in one writev, as
    // any program that writes faster than the network sends would. The server then
    // reads them merged ("holamundo"), which is the lesson: TCP keeps bytes, not writes.
    // Loopback is too fast for that to happen on its own between separate syscalls.
    const together = writeIntervalMs === 0
    if (together) socket.cork()
    for (let i = 0; i < messages.length; i++) {
      if (i > 0 && writeIntervalMs > 0) {
        await new Promise<void>(resolveSleep => { this.intervalTimer = setTimeout(resolveSleep, writeIntervalMs) })
      }
      if (this.doneSending || socket.destroyed) return
      const message = messages[i]!
      const data = this.toWire(typeof message === 'string' ? Buffer.from(message) : message)
      const flushed = socket.write(data)
      this.emit({ type: 'wrote', index: i + 1, count: messages.length, bytes: data.length, preview: preview(data, DEFAULT_PREVIEW_BYTES) })
      if (!flushed && !together) await drainedOrClosed(socket)
    }
    if (together) socket.uncork()
    this.finishSending()
  }

  private readonly onAbort = (): void => {
    if (!this.connectedAt) {
      this.socket.destroy(abortError())
      return
    }
    this.end ??= 'interrupted'
    this.socket.destroy()
  }

  private readonly onConnect = (): void => {
    const { socket, options } = this
    const { input } = options
    clearTimeout(this.connectTimer)
    this.connectedAt = Date.now()
    this.ends = {
      localAddress: socket.localAddress ?? '?', localPort: socket.localPort ?? 0,
      remoteAddress: socket.remoteAddress ?? options.host, remotePort: socket.remotePort ?? options.port,
    }
    this.emit({ type: 'connected', ...this.ends, noDelay: this.noDelay })
    options.output.on('error', this.onStreamError)
    socket.on('data', this.onSocketData)
    if (options.messages) {
      void this.sendMessages(options.messages)
    } else if (input && !input.readableEnded) {
      input.on('data', this.onInputData)
      input.once('end', this.onInputEnd)
      input.on('error', this.onStreamError)
      input.resume()
    } else {
      this.finishSending()
    }
  }

  private readonly onServerEnd = (): void => {
    const { socket, options } = this
    this.serverFinished = true
    clearTimeout(this.waitTimer)
    const stopping = !this.doneSending && !options.keepSending
    // Input already read from stdin but not yet sent (what comes after is unknown: a pipe
    // may have ended a microsecond later, or hold gigabytes).
    const inputBytesWaiting = options.input && !options.messages ? options.input.readableLength : 0
    this.emit({
      type: 'server-finished', bytesReceived: socket.bytesRead, weWereSending: !this.doneSending,
      inputBytesSent: this.inputBytesSent, stoppedSending: stopping, inputBytesWaiting,
    })
    if (stopping) {
      // ncat's behaviour: the server is done with us, so stop sending and close.
      this.doneSending = true
      this.stopInput()
      socket.end()
    } else if (this.doneSending && options.halfClose === false) {
      // Our side was kept open after the input ended; the server's close ends it.
      socket.end()
    }
  }

  /** Release everything, then settle: rejected for a failure, resolved with how it ended. */
  private readonly onClose = (): void => {
    clearTimeout(this.connectTimer)
    clearTimeout(this.waitTimer)
    clearTimeout(this.intervalTimer)
    this.stopInput()
    this.options.signal?.removeEventListener('abort', this.onAbort)
    this.options.output.off('drain', this.resumeSocket)
    this.options.output.off('error', this.onStreamError)
    const { failure, end } = this
    if (!this.connectedAt) return this.reject(failure ?? abortError())
    if (this.streamFailure && end === undefined) return this.reject(this.streamFailure)
    // A reset after the server already finished is the tail of a normal close (it
    // did not want the rest of what we were sending); before that it is a failure.
    if (failure !== undefined && end === undefined && !(this.serverFinished && isBreak(failure.code))) {
      this.emit({ type: 'reset', code: failure.code ?? 'ERROR', message: failure.message, ...this.totals() })
      return this.reject(failure)
    }
    const finalEnd = end ?? 'server-closed'
    const result = this.totals()
    this.emit({ type: 'closed', end: finalEnd, ...result })
    this.resolve({ ...result, ...this.ends, end: finalEnd })
  }
}

/** Resolves when `socket` can take more writes, or has closed. */
const drainedOrClosed = (socket: Socket): Promise<void> =>
  new Promise<void>(resolve => {
    const done = () => { socket.off('drain', done); socket.off('close', done); resolve() }
    socket.on('drain', done)
    socket.on('close', done)
  })
