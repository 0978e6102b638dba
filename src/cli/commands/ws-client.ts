import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../core/constants.js'
import { hasCode, invalidArg } from '../../core/errors.js'
import { parseMilliseconds, unescapeBytes } from '../../core/parse.js'
import type { WsClientEvent, WsClientResult } from '../../ws/ws-client.js'
import { closeCodeKind, isSendableCloseCode } from '../../ws/close-codes.js'
import { DEFAULT_WS_WAIT_MS } from '../../ws/defaults.js'
import { OPCODE_NAMES } from '../../ws/frames.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { eofKey, jsonWriter, lineWriter, styleFor, typedInput, warnUnknownEscapes, type CliContext } from '../io.js'
import { argParser, JSON_ERROR_EVENT, reportError } from '../action.js'

interface WsClientFlags {
  message?: string[]
  binary?: boolean
  raw?: boolean
  wait: number
  close?: { code: number; reason: string }
  header?: Array<[string, string]>
  subprotocol?: string[]
  origin?: string
  pingInterval: number
  timeout: number
  insecure?: boolean
  frames?: boolean
  quiet?: boolean
  json?: boolean
}

/** `code[:reason]` for --close. */
export const parseCloseOption = (value: string): { code: number; reason: string } => {
  const m = /^(\d+)(?::(.*))?$/s.exec(value)
  const code = m ? Number(m[1]) : NaN
  if (!m || !isSendableCloseCode(code) || Buffer.byteLength(m[2] ?? '') > 123) throw invalidArg('wsBadCloseCode', { value })
  return { code, reason: m[2] ?? '' }
}

/** `Name: value` for --header. */
export const parseHeaderOption = (value: string): [string, string] => {
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):\s*(.*)$/.exec(value)
  if (!m) throw invalidArg('wsBadHeader', { value })
  return [m[1]!, m[2]!]
}

const collect = <T>(parse: (v: string) => T) => (value: string, previous?: T[]): T[] => [...(previous ?? []), argParser(parse)(value)]

export const makeWsClientCommand = (ctx: CliContext): Command => {
  const help = ctx.t.wsClient.help
  return new Command('ws-client')
    .summary(help.summary)
    .description(help.description)
    .argument('<url>', help.url)
    .option('--message <text>', help.message, (value: string, previous?: string[]) => [...(previous ?? []), value])
    .option('--binary', help.binary)
    .option('--raw', help.raw)
    .option('--wait <ms>', help.wait, argParser(v => parseMilliseconds(v, 'wait')), DEFAULT_WS_WAIT_MS)
    .option('--close <code[:reason]>', help.close, argParser(parseCloseOption))
    .option('--header <header>', help.header, collect(parseHeaderOption))
    .option('--subprotocol <name>', help.subprotocol, (value: string, previous?: string[]) => [...(previous ?? []), value])
    .option('--origin <origin>', help.origin)
    .option('--ping-interval <ms>', help.pingInterval, argParser(v => parseMilliseconds(v, 'ping-interval', { zero: 'off' })), 0)
    .option('--timeout <ms>', help.timeout, argParser(v => parseMilliseconds(v, 'timeout')), DEFAULT_CONNECT_TIMEOUT_MS)
    .option('--insecure', help.insecure)
    .option('--frames', help.frames)
    .option('--quiet', help.quiet)
    .option('--json', help.json)
    .addHelpText('after', help.examples)
    .action(async (url: string, flags: WsClientFlags) => { ctx.exitCode = await wsClientAction(ctx, url, flags) })
}

const wsClientAction = async (ctx: CliContext, url: string, flags: WsClientFlags): Promise<number> => {
  const { runWsClient, parseWsUrl } = await import('../../ws/ws-client.js')
  let target: URL
  try {
    target = parseWsUrl(url)
  } catch (e) {
    return reportError(ctx, e)
  }
  const messages = flags.message?.map(unescapeBytes)
  for (const message of flags.message ?? []) warnUnknownEscapes(ctx, '--message', message)
  const printer = flags.json ? jsonPrinter(ctx) : humanPrinter(ctx, flags, messages === undefined && Boolean(ctx.io.stdin.isTTY))
  try {
    const result = await runWsClient({
      url: target.href,
      ...(messages ? { messages } : { input: typedInput(ctx.io.stdin) }),
      binary: Boolean(flags.binary),
      waitMs: flags.wait,
      closeCode: flags.close?.code ?? 1000,
      closeReason: flags.close?.reason ?? '',
      headers: Object.fromEntries(flags.header ?? []),
      subprotocols: flags.subprotocol ?? [],
      ...(flags.origin !== undefined ? { origin: flags.origin } : {}),
      pingIntervalMs: flags.pingInterval,
      connectTimeoutMs: flags.timeout,
      insecure: Boolean(flags.insecure),
      frames: Boolean(flags.frames),
      sentEvents: !flags.quiet,
      onEvent: printer.event,
      signal: ctx.io.signal,
    })
    printer.flush()
    return exitCodeOf(result, flags.close?.code ?? 1000)
  } catch (e) {
    printer.flush()
    return failed(ctx, e, target, flags, printer)
  }
}

/** 0 for a normal close (ours answered, or the server's 1000), 130 for Ctrl-C, 1 otherwise. */
const exitCodeOf = (r: WsClientResult, ourCode: number): number => {
  if (r.end === 'interrupted') return EXIT_INTERRUPTED
  if (r.by === 'us') return r.code === ourCode || r.code === 1000 || r.code === 1005 ? EXIT_OK : EXIT_FAILURE
  return r.code === 1000 ? EXIT_OK : EXIT_FAILURE
}

/** One sentence (plus a hint where one helps); the exit code. */
const failed = (ctx: CliContext, e: unknown, target: URL, flags: WsClientFlags, printer: Printer): number => {
  const t = ctx.t.wsClient
  const style = styleFor(ctx, ctx.io.stderr)
  if (hasCode(e) && e.code === 'ABORT_ERR') {
    printer.log(t.interruptedConnecting({ mark: style.yellow }))
    return EXIT_INTERRUPTED
  }
  const port = Number(target.port || (target.protocol === 'wss:' ? 443 : 80))
  const code = reportError(ctx, e, { host: target.hostname, port, serverCommand: 'ws-server' }, flags.json ? JSON_ERROR_EVENT : undefined)
  const hint = hintFor(ctx, e, target)
  if (hint) ctx.io.stderr.write(`${style.yellow(t.hintLabel)} ${hint}\n`)
  return code
}

const hintFor = (ctx: CliContext, e: unknown, target: URL): string | undefined => {
  const t = ctx.t.wsClient
  if (!hasCode(e)) return undefined
  if ((e as { tls?: boolean }).tls === true) return t.hintTls
  if (e.code !== 'ERR_SOCKKIT_WS_HANDSHAKE') return e.code === 'ECONNRESET' && target.protocol === 'ws:' ? t.hintWss : undefined
  const { status, socketIo } = e as unknown as { status?: number; socketIo?: boolean }
  if (status === undefined) return undefined
  if (socketIo) return t.hintSocketIo
  if (status === 404) return t.hintNotFound
  if (status >= 200 && status < 300) return t.hintPage
  return t.hintOther
}

interface Printer {
  event: (e: WsClientEvent) => void
  log: (text: string) => void
  flush: () => void
}

/** stdout: each message received (text as is, binary in hex or raw), one per line; stderr: events. */
const humanPrinter = (ctx: CliContext, flags: WsClientFlags, typing: boolean): Printer => {
  const t = ctx.t.wsClient
  const words = (code: number) => ctx.t.wsServer.closeCode[closeCodeKind(code)]
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  const info = (text: string) => { if (!flags.quiet) log(text) }
  const event = (e: WsClientEvent): void => {
    switch (e.type) {
      case 'connecting': return info(t.connecting({ url: e.url, timeoutMs: e.timeoutMs }))
      case 'upgraded':
        info(t.upgraded({ mark: style.green, local: formatAddress(e.localAddress, e.localPort), remote: formatAddress(e.remoteAddress, e.remotePort), key: e.key, accept: e.accept, protocol: e.protocol ?? '' }))
        if (typing) info(t.typeLines({ eofKey: eofKey(process.platform, ctx.t) }))
        return
      case 'flushing': return info(t.flushing({ count: e.count }))
      case 'sent': return info(t.sent({ binary: e.binary, index: e.index, bytes: e.bytes, preview: style.bold(e.preview) }))
      case 'message':
        if (e.binary && flags.raw) ctx.io.stdout.write(e.data)
        else ctx.io.stdout.write(`${e.binary ? e.data.toString('hex') : e.data.toString('utf8')}\n`)
        return
      case 'ping': return info(t.ping({ bytes: e.bytes }))
      case 'pong': return info(t.pong(e.rttMs !== undefined ? { rttMs: e.rttMs } : {}))
      case 'tcp-read': return info(ctx.t.wsServer.tcpRead({
        tag: '', bytes: e.bytes, continued: e.continued, endsInside: e.endsInside,
        frames: e.frames.map(h => ctx.t.wsServer.frameHeader({ fin: h.fin, opcode: OPCODE_NAMES[h.opcode] ?? String(h.opcode), masked: h.masked, length: h.length })).join(' '),
      }).trimStart())
      case 'input-ended': return info(t.inputEnded({ sent: e.sent, waitMs: e.waitMs }))
      case 'closing': return info(t.closing({ code: e.code, words: words(e.code), reason: e.reason }))
      case 'closed': return printClosed(ctx, log, e)
    }
  }
  return { event, log, flush: () => {} }
}

const printClosed = (ctx: CliContext, log: (text: string) => void, r: WsClientResult): void => {
  const t = ctx.t.wsClient
  const style = styleFor(ctx, ctx.io.stderr)
  const words = (code: number) => ctx.t.wsServer.closeCode[closeCodeKind(code)]
  const summary = t.summary(r)
  if (r.end === 'interrupted') return log(t.interrupted({ mark: style.yellow, summary }))
  if (r.by === 'us') return log(t.closedByUs({ mark: style.green, code: r.code, words: words(r.code), summary }))
  if (r.by === 'none') return log(t.closedAbnormally({ mark: style.red, summary }))
  log(t.closedByServer({ mark: r.code === 1000 ? style.green : style.red, code: r.code, words: words(r.code), reason: r.reason, summary }))
}

/** --json: every event on stdout, messages as `text` or `hex`. */
const jsonPrinter = (ctx: CliContext): Printer => {
  const write = jsonWriter(ctx.io.stdout)
  const log = lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))
  return {
    event: ({ type, ...fields }: WsClientEvent) => {
      if (type === 'message') {
        const { binary, data } = fields as { binary: boolean; data: Buffer }
        write({ event: 'message', binary, bytes: data.length, ...(binary ? { hex: data.toString('hex') } : { text: data.toString('utf8') }) })
        return
      }
      write({ event: type, ...fields })
    },
    log,
    flush: () => {},
  }
}
