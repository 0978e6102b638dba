import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../../core/constants.js'
import { hasCode } from '../../core/errors.js'
import { ESCAPES_HELP, parsePort, unescapeBytes, parseHost, parseMilliseconds } from '../../core/parse.js'
import type { TcpClientEvent, TcpClientTotals } from '../../clients/tcp-client.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { eofKey, lineWriter, styleFor, typedInput, warnUnknownEscapes, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { formatBytes, formatDuration } from '../render/format.js'

interface TcpClientFlags {
  message?: string[]
  writeInterval: number
  wait: number
  timeout: number
  crlf?: boolean
  nagle?: boolean
  keepSending?: boolean
  quiet?: boolean
}

export const makeTcpClientCommand = (ctx: CliContext): Command =>
  new Command('tcp-client')
    .summary('TCP client: stdin to the server, the server to stdout, events on stderr')
    .description('Connect to a TCP server. Bytes typed or piped on stdin are sent unchanged, and every byte the ' +
      'server sends is written to stdout as it arrives (a greeting shows at once). On stdin EOF the ' +
      'client half-closes and keeps reading until the server closes. Events go to stderr.')
    .argument('<host>', 'server name or address', argParser(v => parseHost(v)))
    .argument('<port>', 'server port', argParser(v => parsePort(v)))
    .option('--message <text>', 'send this instead of stdin, then half-close; repeat for several writes ' +
      `(escapes: ${ESCAPES_HELP})`, (value: string, previous?: string[]) => [...(previous ?? []), value])
    .option('--write-interval <ms>', 'pause between --message writes (0 = back to back, so TCP may merge them)',
      argParser(v => parseMilliseconds(v, 'write-interval', { zero: 'back to back' })), 0)
    .option('--wait <ms>', 'after our half-close, close anyway if the server has not closed within this time (0 = wait for it)',
      argParser(v => parseMilliseconds(v, 'wait', { zero: 'until the server closes' })), 0)
    .option('--timeout <ms>', 'connect timeout', argParser(v => parseMilliseconds(v, 'timeout')), DEFAULT_CONNECT_TIMEOUT_MS)
    .option('--crlf', 'send each LF newline as CRLF (for servers that read lines the Windows/HTTP way)')
    .option('--nagle', "leave Nagle's algorithm on (default off: small writes go out at once)")
    .option('--keep-sending', 'if the server half-closes first, keep sending stdin until it ends (default: stop, as ncat does, and say how much was sent)')
    .addOption(new Option('--quiet', 'only errors and warnings on stderr'))
    .addHelpText('after', `
Examples:
  $ sockkit tcp-client 127.0.0.1 9000    type lines, see the echo; Ctrl-D ends
                                         (Windows: Ctrl-Z, Enter)
  $ sockkit tcp-client 127.0.0.1 9000 < photo.jpg > back.jpg
                                         binary-safe round trip
  $ sockkit tcp-client 127.0.0.1 9000 --message hola --message mundo
                                         two writes; one read: "holamundo"

Event lines (stderr): "connecting", "connected from local A → B",
"wrote N bytes", "sent EOF (half-close)", "server finished sending",
"closed after T: N bytes sent, N received", "reset by the server".
Exit codes: 0 the server closed (or --wait passed), 1 network failure,
2 bad command line, 130 Ctrl-C.`)
    .action((host: string, port: number, flags: TcpClientFlags) => runAction(ctx, async () => {
      const { runTcpClient } = await import('../../clients/tcp-client.js')
      const style = styleFor(ctx, ctx.io.stderr)
      const log = lineWriter(ctx.io.stderr, style)
      const messages = flags.message?.map(unescapeBytes)
      for (const message of flags.message ?? []) warnUnknownEscapes(ctx, '--message', message)
      const typing = messages === undefined && Boolean(ctx.io.stdin.isTTY)
      const totalsText = (t: TcpClientTotals) =>
        `${formatBytes(t.bytesSent)} sent, ${formatBytes(t.bytesReceived)} received`

      // A reset the event line below already said in full ("reset by the server (ECONNRESET)
      // after T: totals"): the rejection that follows is not said a second time.
      let resetShown = false
      const onEvent = (e: TcpClientEvent): void => {
        const info = (text: string) => { if (!flags.quiet) log(text) }
        switch (e.type) {
          case 'connecting':
            info(`connecting to ${formatAddress(e.host, e.port)} (TCP, timeout ${formatDuration(e.timeoutMs)})`)
            break
          case 'connected':
            info(`${style.green('connected')} from local ${formatAddress(e.localAddress, e.localPort)} → ` +
              `${formatAddress(e.remoteAddress, e.remotePort)} (Nagle ${e.noDelay ? 'off' : 'on'})`)
            if (typing) info(`type lines to send them; ${eofKey()} finishes sending (half-close), Ctrl-C quits`)
            if (messages && messages.length > 1) {
              info(flags.writeInterval === 0
                ? `${messages.length} writes back to back, handed to the kernel together: TCP keeps bytes, not writes, so the server may read them as one`
                : `${messages.length} writes ${formatDuration(flags.writeInterval)} apart: each usually arrives as its own read`)
            }
            break
          case 'wrote':
            info(`wrote ${formatBytes(e.bytes)} (message ${e.index} of ${e.count}): ${style.bold(e.preview)}`)
            break
          case 'sent-eof':
            info(`${style.yellow('sent EOF (half-close)')} after ${formatBytes(e.bytesSent)}: we finished sending; ` +
              `reading until the server closes${e.waitMs > 0 ? ` or ${formatDuration(e.waitMs)} pass` : ''}`)
            break
          case 'server-finished':
            if (e.weWereSending && e.stoppedSending) {
              // Whether more input was coming is unknown (stdin had not ended yet): say what
              // was sent, and what was already waiting, not "the rest".
              log(`${style.yellow('server closed its side')} (FIN) after ${formatBytes(e.bytesReceived)} received, before our input ended: ` +
                `stopped reading it after ${formatBytes(e.inputBytesSent)} sent` +
                (e.inputBytesWaiting > 0 ? `; ${formatBytes(e.inputBytesWaiting)} read and waiting were not sent` : '') +
                ` — any more input is not sent (--keep-sending sends it)`)
            } else if (e.weWereSending) {
              log(`${style.yellow('server closed its side')} (FIN) after ${formatBytes(e.bytesReceived)} received; it may still read: ` +
                `still sending (--keep-sending) until the input ends`)
            } else {
              info(`server finished sending (FIN) after ${formatBytes(e.bytesReceived)} received`)
            }
            break
          case 'wait-elapsed':
            log(`${style.yellow('--wait elapsed')}: ${formatDuration(e.waitMs)} after our half-close the server had not closed; closing`)
            break
          case 'reset':
            resetShown = e.code === 'ECONNRESET'
            log(e.code === 'ECONNRESET'
              ? `${style.red('reset by the server')} (ECONNRESET) after ${formatDuration(e.durationMs)}: ${totalsText(e)}`
              : `${style.red('connection broken')} (${e.code}) after ${formatDuration(e.durationMs)}: ${totalsText(e)}`)
            break
          case 'closed':
            if (e.end === 'interrupted') log(`${style.yellow('interrupted')} after ${formatDuration(e.durationMs)}: ${totalsText(e)}`)
            else info(`${style.green('closed')} after ${formatDuration(e.durationMs)}: ${totalsText(e)}`)
            break
        }
      }

      try {
        const result = await runTcpClient({
          host,
          port,
          ...(messages ? { messages } : { input: typedInput(ctx.io.stdin) }),
          writeIntervalMs: flags.writeInterval,
          output: ctx.io.stdout,
          connectTimeoutMs: flags.timeout,
          waitMs: flags.wait,
          crlf: Boolean(flags.crlf),
          keepSending: Boolean(flags.keepSending),
          noDelay: !flags.nagle,
          onEvent,
          signal: ctx.io.signal,
        })
        return result.end === 'interrupted' ? EXIT_INTERRUPTED : EXIT_OK
      } catch (e) {
        if (hasCode(e) && e.code === 'ABORT_ERR') {
          log(`${style.yellow('interrupted')} before the connection was made`)
          return EXIT_INTERRUPTED
        }
        if (resetShown && hasCode(e) && e.code === 'ECONNRESET') return EXIT_FAILURE
        throw e
      }
    }, { host, port, serverCommand: 'tcp-server' }))
