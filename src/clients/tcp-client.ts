import { connect, type LookupFunction } from 'node:net'
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
    const { host, port, output, input, signal } = options
    const connectTimeoutMs = options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS
    const waitMs = options.waitMs ?? 0
    const writeIntervalMs = options.writeIntervalMs ?? 0
    const noDelay = options.noDelay ?? true
    const emit = (event: TcpClientEvent) => options.onEvent?.(event)
    const toWire = options.crlf ? createCrlfConverter() : (chunk: Uint8Array) => chunk

    if (signal?.aborted) {
      reject(abortError())
      return
    }

    let connectedAt = 0
    // Read at connect: a closed socket no longer knows its addresses.
    let ends = { localAddress: '?', localPort: 0, remoteAddress: host, remotePort: port }
    /** We will send nothing more (FIN queued, or the server finished first). */
    let doneSending = false
    let serverFinished = false
    let end: TcpClientEnd | undefined
    let failure: (Error & { code?: string }) | undefined
    /** An error of `input` or `output`, not of the connection: no 'reset' event for it. */
    let streamFailure: Error | undefined
    let waitTimer: NodeJS.Timeout | undefined
    let intervalTimer: NodeJS.Timeout | undefined
    let outputBlocked = false

    emit({ type: 'connecting', host, port, timeoutMs: connectTimeoutMs })
    const socket = connect({ host, port, allowHalfOpen: true, noDelay, ...(options.lookup ? { lookup: options.lookup } : {}) })
    const connectTimer = setTimeout(() => {
      socket.destroy(sockkitError('ERR_SOCKKIT_CONNECT_TIMEOUT', 'tcpClientConnectTimeout',
        { where: formatAddress(host, port), timeoutMs: connectTimeoutMs }, { host, port, timeoutMs: connectTimeoutMs }))
    }, connectTimeoutMs)

    const totals = (): TcpClientTotals => ({
      bytesSent: socket.bytesWritten,
      bytesReceived: socket.bytesRead,
      durationMs: connectedAt ? Date.now() - connectedAt : 0,
    })

    // Received bytes → output. When output cannot keep up, stop reading the socket so
    // the data waits in the kernel (and TCP slows the server), not in our memory.
    const resumeSocket = () => {
      outputBlocked = false
      socket.resume()
    }
    const onSocketData = (chunk: Buffer) => {
      if (!output.write(chunk) && !outputBlocked) {
        outputBlocked = true
        socket.pause()
        output.once('drain', resumeSocket)
      }
    }
    const onOutputError = (err: Error) => { streamFailure ??= err; socket.destroy() }

    // input → socket, paused while the socket's send buffer is full.
    const resumeInput = () => input?.resume()
    let inputBytesSent = 0
    const onInputData = (chunk: Buffer | string) => {
      const data = toWire(typeof chunk === 'string' ? Buffer.from(chunk) : chunk)
      inputBytesSent += data.length
      if (!socket.write(data)) {
        input?.pause()
        socket.once('drain', resumeInput)
      }
    }
    const onInputEnd = () => finishSending()
    const onInputError = (err: Error) => { streamFailure ??= err; socket.destroy() }
    const stopInput = () => {
      if (!input) return
      input.off('data', onInputData)
      input.off('end', onInputEnd)
      input.off('error', onInputError)
      socket.off('drain', resumeInput)
      input.pause()
    }

    /** Half-close: FIN goes out after everything already written. */
    const finishSending = () => {
      if (doneSending || socket.destroyed) return
      doneSending = true
      stopInput()
      socket.once('finish', () => {
        emit({ type: 'sent-eof', bytesSent: socket.bytesWritten, waitMs })
        if (waitMs > 0 && !serverFinished && !socket.destroyed) {
          waitTimer = setTimeout(() => {
            end ??= 'wait-elapsed'
            emit({ type: 'wait-elapsed', waitMs })
            socket.destroy()
          }, waitMs)
        }
      })
      socket.end()
    }

    const sendMessages = async (messages: Array<string | Uint8Array>) => {
      // Back-to-back writes are corked: Node hands them to the kernel in one writev, as
      // any program that writes faster than the network sends would. The server then
      // reads them merged ("holamundo"), which is the lesson: TCP keeps bytes, not writes.
      // Loopback is too fast for that to happen on its own between separate syscalls.
      const together = writeIntervalMs === 0
      if (together) socket.cork()
      for (let i = 0; i < messages.length; i++) {
        if (i > 0 && writeIntervalMs > 0) {
          await new Promise<void>(resolveSleep => { intervalTimer = setTimeout(resolveSleep, writeIntervalMs) })
        }
        if (doneSending || socket.destroyed) return
        const message = messages[i]!
        const data = toWire(typeof message === 'string' ? Buffer.from(message) : message)
        const flushed = socket.write(data)
        emit({ type: 'wrote', index: i + 1, count: messages.length, bytes: data.length, preview: preview(data, DEFAULT_PREVIEW_BYTES) })
        if (!flushed && !together) {
          await new Promise<void>(resolveDrain => {
            const done = () => { socket.off('drain', done); socket.off('close', done); resolveDrain() }
            socket.on('drain', done)
            socket.on('close', done)
          })
        }
      }
      if (together) socket.uncork()
      finishSending()
    }

    const onAbort = () => {
      if (!connectedAt) {
        socket.destroy(abortError())
        return
      }
      end ??= 'interrupted'
      socket.destroy()
    }
    signal?.addEventListener('abort', onAbort, { once: true })

    socket.once('connect', () => {
      clearTimeout(connectTimer)
      connectedAt = Date.now()
      ends = {
        localAddress: socket.localAddress ?? '?', localPort: socket.localPort ?? 0,
        remoteAddress: socket.remoteAddress ?? host, remotePort: socket.remotePort ?? port,
      }
      emit({ type: 'connected', ...ends, noDelay })
      output.on('error', onOutputError)
      socket.on('data', onSocketData)
      if (options.messages) {
        void sendMessages(options.messages)
      } else if (input && !input.readableEnded) {
        input.on('data', onInputData)
        input.once('end', onInputEnd)
        input.on('error', onInputError)
        input.resume()
      } else {
        finishSending()
      }
    })

    socket.on('end', () => {
      serverFinished = true
      clearTimeout(waitTimer)
      const stopping = !doneSending && !options.keepSending
      // Input already read from stdin but not yet sent (what comes after is unknown: a pipe
      // may have ended a microsecond later, or hold gigabytes).
      const inputBytesWaiting = input && !options.messages ? input.readableLength : 0
      emit({ type: 'server-finished', bytesReceived: socket.bytesRead, weWereSending: !doneSending, inputBytesSent, stoppedSending: stopping, inputBytesWaiting })
      if (stopping) {
        // ncat's behaviour: the server is done with us, so stop sending and close.
        doneSending = true
        stopInput()
        socket.end()
      }
    })

    socket.on('error', err => { failure ??= err })

    socket.once('close', () => {
      clearTimeout(connectTimer)
      clearTimeout(waitTimer)
      clearTimeout(intervalTimer)
      stopInput()
      signal?.removeEventListener('abort', onAbort)
      output.off('drain', resumeSocket)
      output.off('error', onOutputError)

      if (!connectedAt) {
        reject(failure ?? abortError())
        return
      }
      if (streamFailure && end === undefined) {
        reject(streamFailure)
        return
      }
      // A reset after the server already finished is the tail of a normal close (it
      // did not want the rest of what we were sending); before that it is a failure.
      const failed = failure !== undefined && end === undefined && !(serverFinished && isBreak(failure.code))
      if (failed) {
        emit({ type: 'reset', code: failure!.code ?? 'ERROR', message: failure!.message, ...totals() })
        reject(failure)
        return
      }
      const finalEnd = end ?? 'server-closed'
      const result = totals()
      emit({ type: 'closed', end: finalEnd, ...result })
      resolve({ ...result, ...ends, end: finalEnd })
    })
  })
