import { Chalk, type ChalkInstance } from 'chalk'
import { PassThrough, type Readable, type Writable } from 'node:stream'
import { unknownEscapes } from '../core/parse.js'
import { EN, type Catalog, type Fmt } from '../i18n/index.js'

/**
 * Everything a command touches outside itself. `main()` gets the real process
 * streams; tests pass their own, so the CLI can be driven in-process.
 */
export interface CliIo {
  stdin: Readable & { isTTY?: boolean }
  stdout: Writable & { isTTY?: boolean }
  stderr: Writable & { isTTY?: boolean }
  env: Record<string, string | undefined>
  /**
   * Aborted on the first Ctrl-C (SIGINT). Long-running commands stop, print what
   * they have, and return EXIT_INTERRUPTED.
   */
  signal: AbortSignal
}

/** Shared state between the root program and its commands. */
export interface CliContext {
  io: CliIo
  /** Set by a command's action; `main()` returns it. */
  exitCode: number
  /** False when `--no-color` was given. */
  colorFlag: boolean
  /** The messages in the user's language (src/i18n): `ctx.t.common.stopping({…})`. */
  t: Catalog
  /** Numbers, sizes, durations and plurals in the same language. */
  f: Fmt
}

/**
 * A chalk instance for one stream: colour only when that stream is a terminal,
 * `NO_COLOR` is unset or empty (per no-color.org, only a non-empty value disables) and
 * `--no-color` was not given. `FORCE_COLOR` (non-zero) turns it on regardless, for tests
 * and pagers — but never against `NO_COLOR` or `--no-color`; `FORCE_COLOR=0` turns it off.
 */
export const styleFor = (ctx: CliContext, stream: { isTTY?: boolean }): ChalkInstance => {
  const { env } = ctx.io
  const allowed = ctx.colorFlag && !env.NO_COLOR
  let on = Boolean(stream.isTTY) && allowed
  // FORCE_COLOR as chalk and supports-color read it: 0 or false turns colour off even on a
  // terminal; any other value turns it on where it is allowed.
  const force = env.FORCE_COLOR
  if (force === '0' || force === 'false') on = false
  else if (force !== undefined && allowed) on = true
  return new Chalk({ level: on ? 1 : 0 })
}

/** The last clock() result: under load many lines share a millisecond, and formatting a Date is the cost. */
let lastClockTime = NaN
let lastClockText = ''

/** `HH:MM:SS.mmm` local time, the prefix of every event line. */
export const clock = (time: number = Date.now()): string => {
  if (time === lastClockTime) return lastClockText
  const d = new Date(time)
  const p = (n: number, w = 2) => String(n).padStart(w, '0')
  lastClockTime = time
  lastClockText = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${p(d.getMilliseconds(), 3)}`
  return lastClockText
}

/** A line writer: `log(text, time?)`, plus `flush()` for a batched one (a no-op otherwise). */
export interface LineWriter {
  (text: string, time?: number): void
  /** Write whatever is gathered now. Call it before the command returns. */
  flush: () => void
}

/**
 * Writes one diagnostic line per call to stderr, prefixed with the time.
 * Returns a function so commands can hold it as `log(text)`.
 *
 * With `batch: true` the lines of one event-loop turn are gathered and written in one
 * `write()` from `setImmediate`: stderr to a file or pipe is synchronous in Node, so a
 * server printing a line per read would otherwise pay one system call per line. A command
 * that batches must call `flush()` before it returns (its summary would be lost otherwise).
 */
export const lineWriter = (stream: Writable, style: ChalkInstance, opts: { batch?: boolean } = {}): LineWriter => {
  if (!opts.batch) {
    const log = (text: string, time?: number): void => {
      stream.write(`${style.dim(clock(time))} ${text}\n`)
    }
    return Object.assign(log, { flush: () => {} })
  }
  let pending = ''
  let scheduled: NodeJS.Immediate | undefined
  const flush = (): void => {
    if (scheduled !== undefined) clearImmediate(scheduled)
    scheduled = undefined
    if (pending === '') return
    const text = pending
    pending = ''
    stream.write(text)
  }
  const log = (text: string, time?: number): void => {
    pending += `${style.dim(clock(time))} ${text}\n`
    // A bound on what waits: a huge turn (thousands of lines) is written in pieces.
    if (pending.length >= 65_536) flush()
    else scheduled ??= setImmediate(flush)
  }
  return Object.assign(log, { flush })
}

/** One NDJSON object per line on stdout for `--json`. */
export const jsonWriter = (stream: Writable) =>
  (event: object, time: number = Date.now()): void => {
    stream.write(`${JSON.stringify({ time: new Date(time).toISOString(), ...event }, jsonReplacer)}\n`)
  }

/** bigint → number, Buffer → base64 string; everything else as JSON does it. */
export const jsonReplacer = (_key: string, value: unknown): unknown => {
  if (typeof value === 'bigint') return Number(value)
  if (value && typeof value === 'object' && (value as { type?: unknown }).type === 'Buffer' && Array.isArray((value as { data?: unknown }).data)) {
    return Buffer.from((value as { data: number[] }).data).toString('base64')
  }
  return value
}

/**
 * What stopped the run, in words: the bin aborts with the signal's name as the reason.
 * Ctrl-C (SIGINT) is also the answer for an abort without one (tests, the library).
 */
export const stopCause = (signal: AbortSignal, t: Catalog = EN()): string => {
  const causes = t.cli.stopCause
  const reason: unknown = signal.reason
  return reason === 'SIGTERM' || reason === 'SIGHUP' || reason === 'SIGBREAK' ? causes[reason] : causes.SIGINT
}

/**
 * After a stop signal, before a server closes its connections: one stderr line saying so when
 * any are open (catalogue `common.stopping`), in --json mode too — it is a diagnostic, not data.
 */
export const announceStopping = (ctx: CliContext, open: number, graceMs: number): void => {
  if (open > 0) lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(ctx.t.common.stopping({ cause: stopCause(ctx.io.signal, ctx.t), open, graceMs }))
}

/** Resolves once `signal` aborts (immediately if it already has). */
export const aborted = (signal: AbortSignal): Promise<void> =>
  new Promise(resolve => {
    if (signal.aborted) resolve()
    else signal.addEventListener('abort', () => resolve(), { once: true })
  })

/**
 * One warning line on stderr for backslash sequences in a typed option that are not escapes
 * (`\q` is sent as the two characters `\q`): a typo there would otherwise go unnoticed.
 */
export const warnUnknownEscapes = (ctx: CliContext, option: string, text: string | undefined): void => {
  if (text === undefined) return
  const unknown = unknownEscapes(text)
  if (unknown.length === 0) return
  const style = styleFor(ctx, ctx.io.stderr)
  ctx.io.stderr.write(`${style.yellow('sockkit:')} ${ctx.t.cli.notEscapes({ option, sequences: [...new Set(unknown)], count: unknown.length, escapes: ctx.t.cli.escapes })}\n`)
}

/** Datagram-level lines (denied, ignored) are shown at most this often, ms; the rest are counted into the next. */
export const DATAGRAM_REPORT_INTERVAL_MS = 1000

/** A throttled reporter: call it once per event; `stop()` drops a pending trailing report (call it before a summary). */
export interface ThrottledReport {
  (report: (count: number) => void): void
  stop: () => void
}

/**
 * For events that can come thousands a second (a denied or foreign datagram each): call
 * the returned function once per event; it calls `report(count)` — the events since the
 * last report, this one included — at most once per `intervalMs`, and otherwise only counts.
 * With `trailing: true`, events counted after the last report are reported once the interval
 * is over, through the latest `report` given (so a burst of 100 shows as "1", then "99 more"),
 * instead of waiting for an event that may never come; its timer does not keep the process up.
 */
export const throttledReport = (intervalMs: number = DATAGRAM_REPORT_INTERVAL_MS, opts: { trailing?: boolean } = {}): ThrottledReport => {
  let reportedAt = -Infinity
  let sinceReport = 0
  let latest: ((count: number) => void) | undefined
  let timer: NodeJS.Timeout | undefined
  const fire = (report: (count: number) => void): void => {
    clearTimeout(timer)
    timer = undefined
    const count = sinceReport
    reportedAt = Date.now()
    sinceReport = 0
    report(count)
  }
  const throttled = (report: (count: number) => void): void => {
    sinceReport++
    latest = report
    if (Date.now() - reportedAt >= intervalMs) {
      fire(report)
    } else if (opts.trailing && timer === undefined) {
      timer = setTimeout(() => { if (sinceReport > 0 && latest) fire(latest) }, Math.max(0, reportedAt + intervalMs - Date.now()))
      timer.unref()
    }
  }
  return Object.assign(throttled, {
    stop: (): void => {
      clearTimeout(timer)
      timer = undefined
    },
  })
}

/** The key that ends typed input: Ctrl-D on a POSIX terminal; Ctrl-Z then Enter on a Windows console. */
export const eofKey = (platform: NodeJS.Platform = process.platform, t: Catalog = EN()): string =>
  platform === 'win32' ? t.cli.eofKey.windows : t.cli.eofKey.posix

/** A typed line that is only Ctrl-Z or Ctrl-D, at the end of a chunk (a Windows console sends one line per chunk). */
const CONSOLE_EOF = /(?:^|\n)[\x04\x1a]\r?\n?$/

/**
 * stdin as the commands read it. On a Windows console Node never sees an end of input:
 * Ctrl-Z (or Ctrl-D) then Enter arrives as the bytes 1a 0d 0a (nodejs/node#61397), so
 * tcp-client could never half-close and udp-send would send them as a datagram. There, a
 * line that is only that ends the input, as Ctrl-D does on a POSIX terminal. Pipes, files
 * and other systems get stdin itself, byte for byte.
 */
export const typedInput = (stdin: CliIo['stdin'], platform: NodeJS.Platform = process.platform): Readable => {
  if (platform !== 'win32' || !stdin.isTTY) return stdin
  const typed = new PassThrough()
  const finish = (): void => {
    stdin.off('data', onData)
    stdin.off('end', finish)
    stdin.pause()
    typed.end()
  }
  const onData = (chunk: Buffer | string): void => {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk)
    const eof = CONSOLE_EOF.exec(bytes.toString('latin1'))
    const data = eof ? bytes.subarray(0, eof.index + (eof[0].startsWith('\n') ? 1 : 0)) : bytes
    if (data.length > 0 && !typed.write(data)) {
      stdin.pause()
      typed.once('drain', () => stdin.resume())
    }
    if (eof) finish()
  }
  stdin.on('data', onData)
  stdin.once('end', finish)
  stdin.once('error', err => typed.destroy(err))
  return typed
}

