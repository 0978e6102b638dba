import { Command, Option } from 'commander'
import { fstatSync } from 'node:fs'
import type { Writable } from 'node:stream'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../core/constants.js'
import { hasCode } from '../../core/errors.js'
import { usageError } from '../usage-error.js'
import { parsePort, unescapeBytes, parseHost, parseMilliseconds } from '../../core/parse.js'
import type { TcpClientEvent } from '../../clients/tcp-client.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { eofKey, lineWriter, styleFor, typedInput, warnUnknownEscapes, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'

interface TcpClientFlags {
  message?: string[]
  writeInterval: number
  wait: number
  timeout: number
  crlf?: boolean
  nagle?: boolean
  keepSending?: boolean
  /** False with --no-half-close. */
  halfClose: boolean
  quiet?: boolean
}

export const makeTcpClientCommand = (ctx: CliContext): Command => {
  const help = ctx.t.tcpClient.help
  const command = new Command('tcp-client')
    .summary(help.summary)
    .description(help.description)
    .argument('<host>', help.host, argParser(v => parseHost(v)))
    .argument('<port>', help.port, argParser(v => parsePort(v)))
    .option('--message <text>', help.message({ escapes: ctx.t.cli.escapes }),
      (value: string, previous?: string[]) => [...(previous ?? []), value])
    .option('--write-interval <ms>', help.writeInterval,
      argParser(v => parseMilliseconds(v, 'write-interval', { zero: help.writeIntervalZero })), 0)
    .option('--wait <ms>', help.wait, argParser(v => parseMilliseconds(v, 'wait', { zero: help.waitZero })), 0)
    .option('--timeout <ms>', help.timeout, argParser(v => parseMilliseconds(v, 'timeout')), DEFAULT_CONNECT_TIMEOUT_MS)
    .option('--crlf', help.crlf)
    .option('--nagle', help.nagle)
    .option('--keep-sending', help.keepSending)
    .option('--no-half-close', help.noHalfClose)
    .addOption(new Option('--quiet', help.quiet))
    .addHelpText('after', help.examples)
    .action((host: string, port: number, flags: TcpClientFlags, cmd: Command) =>
      runAction(ctx, async () => {
        refuseWords(ctx, cmd.args)
        return tcpClientAction(ctx, host, port, flags)
      }, { host, port, serverCommand: 'tcp-server' }))
  // Words after the port are refused by the action, which can say where a message goes.
  // main() copies the root's settings (no excess arguments) into each command, so set after that.
  const inherit = command.copyInheritedSettings.bind(command)
  command.copyInheritedSettings = parent => inherit(parent).allowExcessArguments(true)
  return command
}

/**
 * `tcp-client 127.0.0.1 9000 hola mundo`: a message typed after the port (as udp-send takes
 * one). tcp-client sends stdin or --message, so say that, with the words quoted.
 */
const refuseWords = (ctx: CliContext, args: string[]): void => {
  if (args.length <= 2) return
  throw usageError(ctx.t.tcpClient.messageWords({ host: args[0]!, port: args[1]!, words: args.slice(2) }))
}

/** Connect, copy stdin (or --message) to the server and the server to stdout; the exit code. */
const tcpClientAction = async (ctx: CliContext, host: string, port: number, flags: TcpClientFlags): Promise<number> => {
  const { runTcpClient } = await import('../../clients/tcp-client.js')
  const messages = flags.message?.map(unescapeBytes)
  for (const message of flags.message ?? []) warnUnknownEscapes(ctx, '--message', message)
  const output = lineEndWatch(ctx.io.stdout)
  const printer = eventPrinter(ctx, flags, messages?.length, messages === undefined && Boolean(ctx.io.stdin.isTTY), output)
  try {
    const result = await runTcpClient({
      host,
      port,
      ...(messages ? { messages } : { input: typedInput(ctx.io.stdin) }),
      writeIntervalMs: flags.writeInterval,
      output: output.stream,
      connectTimeoutMs: flags.timeout,
      waitMs: flags.wait,
      crlf: Boolean(flags.crlf),
      keepSending: Boolean(flags.keepSending),
      halfClose: flags.halfClose,
      noDelay: !flags.nagle,
      onEvent: printer.onEvent,
      signal: ctx.io.signal,
    })
    return result.end === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK
  } catch (e) {
    if (hasCode(e) && e.code === 'ABORT_ERR') {
      printer.log(ctx.t.tcpClient.interruptedConnecting({ mark: printer.style.yellow }))
      return EXIT_INTERRUPTED
    }
    // A reset the event line already said in full is not said a second time.
    if (printer.resetShown() && hasCode(e) && e.code === 'ECONNRESET') return EXIT_FAILURE
    printer.endOpenLine() // runAction's sentence follows on stderr
    throw e
  }
}

/**
 * stdout, remembering whether what was last written to it ended its line: on one terminal an
 * event line on stderr would otherwise continue a received line that lacked its newline.
 */
const lineEndWatch = (stdout: Writable) => {
  let open = false
  const stream = new Proxy(stdout, {
    get: (target, prop) => {
      if (prop === 'write') {
        return (chunk: Uint8Array | string, ...rest: unknown[]) => {
          if (chunk.length > 0) open = typeof chunk === 'string' ? !chunk.endsWith('\n') : chunk[chunk.length - 1] !== 0x0a
          return (target.write as (...a: unknown[]) => boolean)(chunk, ...rest)
        }
      }
      const value: unknown = Reflect.get(target, prop, target)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value
    },
  })
  /** True (once) when stdout's last line is unfinished; the caller ends it on stderr. */
  const takeOpenLine = (): boolean => {
    const was = open
    open = false
    return was
  }
  return { stream, takeOpenLine }
}
type LineEndWatch = ReturnType<typeof lineEndWatch>

/**
 * Whether stdout and stderr show on one terminal, so that their lines interleave: both are
 * TTYs and, when both have a file descriptor, the same device (`2>/dev/pts/3` is another).
 * Streams without a descriptor (tests' fake terminals) count as one when both are TTYs.
 */
const sameTerminal = (stdout: { isTTY?: boolean }, stderr: { isTTY?: boolean }): boolean => {
  if (!stdout.isTTY || !stderr.isTTY) return false
  const fdOut = (stdout as { fd?: unknown }).fd
  const fdErr = (stderr as { fd?: unknown }).fd
  if (typeof fdOut !== 'number' || typeof fdErr !== 'number') return true
  try {
    return fstatSync(fdOut).rdev === fstatSync(fdErr).rdev
  } catch {
    return true
  }
}

/**
 * The event lines on stderr. `writes`: how many --message writes (undefined for stdin);
 * `typing`: stdin is a terminal, so say how to finish. --quiet keeps warnings and failures.
 */
const eventPrinter = (ctx: CliContext, flags: TcpClientFlags, writes: number | undefined, typing: boolean, output: LineEndWatch) => {
  const m = ctx.t.tcpClient
  const style = styleFor(ctx, ctx.io.stderr)
  const write = lineWriter(ctx.io.stderr, style)
  const oneTerminal = sameTerminal(ctx.io.stdout, ctx.io.stderr)
  const endOpenLine = (): void => { if (oneTerminal && output.takeOpenLine()) ctx.io.stderr.write('\n') }
  const log = (text: string): void => {
    endOpenLine()
    write(text)
  }
  const info = (text: string) => { if (!flags.quiet) log(text) }
  let resetShown = false
  const onEvent = (e: TcpClientEvent): void => {
    switch (e.type) {
      case 'connecting':
        return info(m.connecting({ where: formatAddress(e.host, e.port), timeoutMs: e.timeoutMs }))
      case 'connected':
        info(m.connected({ mark: style.green, local: formatAddress(e.localAddress, e.localPort), remote: formatAddress(e.remoteAddress, e.remotePort), noDelay: e.noDelay }))
        if (typing) info((flags.halfClose ? m.typeLines : m.typeLinesOpen)({ eofKey: eofKey(process.platform, ctx.t) }))
        if (writes !== undefined && writes > 1) {
          info(flags.writeInterval === 0 ? m.writesTogether({ count: writes }) : m.writesApart({ count: writes, intervalMs: flags.writeInterval }))
        }
        return
      case 'wrote':
        return info(m.wrote({ bytes: e.bytes, index: e.index, count: e.count, preview: style.bold(e.preview) }))
      case 'input-ended':
        return info(m.inputEnded({ mark: style.yellow, bytesSent: e.bytesSent, waitMs: e.waitMs }))
      case 'sent-eof':
        return info(m.sentEof({ mark: style.yellow, bytesSent: e.bytesSent, waitMs: e.waitMs }))
      case 'server-finished':
        // Whether more input was coming is unknown (stdin had not ended yet): say what was
        // sent, and what was already waiting, not "the rest".
        if (e.weWereSending && e.stoppedSending) return log(m.serverClosedStopped({ mark: style.yellow, ...e }))
        if (e.weWereSending) return log(m.serverClosedStillSending({ mark: style.yellow, bytesReceived: e.bytesReceived }))
        return info(m.serverFinished({ bytesReceived: e.bytesReceived }))
      case 'wait-elapsed':
        return log((flags.halfClose ? m.waitElapsed : m.waitElapsedOpen)({ mark: style.yellow, waitMs: e.waitMs }))
      case 'reset':
        // "reset by the server (ECONNRESET) after T: totals": the rejection that follows is not repeated.
        resetShown = e.code === 'ECONNRESET'
        return log(e.code === 'ECONNRESET' ? m.reset({ mark: style.red, ...e }) : m.broken({ mark: style.red, ...e }))
      case 'closed':
        if (e.end === 'interrupted') return log(m.interrupted({ mark: style.yellow, ...e }))
        return info(m.closed({ mark: style.green, ...e }))
    }
  }
  return { onEvent, log, endOpenLine, style, resetShown: () => resetShown }
}
