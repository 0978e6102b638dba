import { Command, Option } from 'commander'
import { formatAddress } from '../../addresses.js'
import { DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../../constants.js'
import { parseNonNegativeInt, parsePort, parsePositiveInt, unescapeText } from '../../parse.js'
import type { TcpServerEvent, TcpServerSummary } from '../../tcp-server.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, jsonWriter, lineWriter, styleFor, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { formatBytes, formatDuration } from '../format.js'

interface TcpServerFlags {
  host: string
  greeting?: string
  maxConnections: number
  idleTimeout: number
  quiet?: boolean
  json?: boolean
  echo: boolean
}

export const makeTcpServerCommand = (ctx: CliContext): Command =>
  new Command('tcp-server')
    .summary('TCP echo server that narrates every connection event')
    .description('A TCP echo server. Echoes every byte back as it arrives, to any number of clients at once, and\n' +
      'prints one line per event on stderr: listening, accepted, each read, half-close, closed, reset.')
    .argument('[port]', 'port to listen on (0 = any free port)', argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', 'address to bind; 0.0.0.0 or :: to accept from other machines', DEFAULT_HOST)
    .option('--greeting <text>', 'send this to each client on accept (\\n, \\r, \\t escapes understood)')
    .option('--max-connections <n>', 'clients served at once; more are refused politely',
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--idle-timeout <ms>', 'close a connection idle this long (0 = never)',
      argParser(v => parseNonNegativeInt(v, 'idle-timeout')), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--no-echo', 'receive and report only; send nothing back')
    .addOption(new Option('--quiet', 'no per-read lines (connections are still reported)').conflicts('json'))
    .option('--json', 'NDJSON events on stdout instead of text on stderr')
    .addHelpText('after', `
Examples:
  $ sockkit tcp-server                         echo on 127.0.0.1:9000
  $ sockkit tcp-server 5000 --host 0.0.0.0 --greeting 'Bienvenido al servidor!\\n'
  $ sockkit tcp-server 0 --json > events.ndjson   any free port, machine-readable events

Event lines (stderr): "listening", "[#3] accepted A → B", "[#3] read N bytes: preview",
"[#3] half-close received", "[#3] closed after T: N bytes in, N bytes out", "[#3] reset by peer".
Ctrl-C stops accepting, closes every connection, prints a summary and exits 130.`)
    .action((port: number, flags: TcpServerFlags) => runAction(ctx, async () => {
      const { TcpEchoServer } = await import('../../tcp-server.js')
      const print = flags.json ? printJson(ctx) : printHuman(ctx, flags)
      const server = new TcpEchoServer({
        port,
        host: flags.host,
        greeting: flags.greeting === undefined ? undefined : unescapeText(flags.greeting),
        maxConnections: flags.maxConnections,
        idleTimeoutMs: flags.idleTimeout,
        echo: flags.echo,
        readEvents: !flags.quiet,
        onEvent: print.event,
      })
      await server.listen()
      await aborted(ctx.io.signal)
      print.summary(await server.close())
      return EXIT_INTERRUPTED
    }, { host: flags.host, port }))

const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: (e: TcpServerEvent) => write({ event: e.type, ...e, type: undefined }),
    summary: (s: TcpServerSummary) => write({ event: 'summary', ...s }),
  }
}

const printHuman = (ctx: CliContext, flags: TcpServerFlags) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  const tag = (id: number) => style.cyan(`[#${id}]`)
  return {
    event: (e: TcpServerEvent): void => {
      switch (e.type) {
        case 'listening': {
          const reach = e.reachable.map(a => formatAddress(a, e.port)).join(', ')
          log(`${style.green('listening')} on ${formatAddress(e.address, e.port)} (TCP)` +
            (reach !== formatAddress(e.address, e.port) ? ` — clients can use ${reach}` : ''))
          log(`try: sockkit tcp-client ${e.reachable[0] ?? e.address} ${e.port}`)
          if (flags.greeting !== undefined) log(`greeting each client with ${JSON.stringify(unescapeText(flags.greeting))}`)
          break
        }
        case 'accepted':
          log(`${tag(e.id)} ${style.green('accepted')} ${formatAddress(e.remoteAddress, e.remotePort)} → ${formatAddress(e.localAddress, e.localPort)} (${e.active} open)`)
          break
        case 'refused':
          log(`${style.yellow('refused')} ${formatAddress(e.remoteAddress, e.remotePort)}: ${e.active} connections open, limit ${e.limit} (told the client politely)`)
          break
        case 'read':
          log(`${tag(e.id)} read ${e.bytes} byte${e.bytes === 1 ? '' : 's'}: ${style.bold(e.preview)}`)
          break
        case 'half-close':
          log(`${tag(e.id)} ${style.yellow('half-close received')}: the client finished sending (${formatBytes(e.bytesIn)} in); finishing the echo, then closing`)
          break
        case 'backpressure':
          log(`${tag(e.id)} ${style.yellow('client is not reading')}: ${formatBytes(e.bufferedBytes)} waiting; paused reading from it`)
          break
        case 'resumed':
          log(`${tag(e.id)} client caught up; reading again`)
          break
        case 'idle-timeout':
          log(`${tag(e.id)} ${style.yellow('idle')} for ${formatDuration(e.idleMs)}; closing`)
          break
        case 'closed': {
          const totals = `${formatBytes(e.bytesIn)} in, ${formatBytes(e.bytesOut)} out`
          const after = formatDuration(e.durationMs)
          if (e.reason === 'reset') log(`${tag(e.id)} ${style.red('reset by peer')} (ECONNRESET) after ${after}: ${totals}`)
          else if (e.reason === 'error') log(`${tag(e.id)} ${style.red('closed by error')} ${e.code}: ${e.message}; after ${after}: ${totals}`)
          else log(`${tag(e.id)} ${style.green('closed')} after ${after}: ${totals}` + (e.reason === 'normal' ? '' : ` (${e.reason})`))
          break
        }
        case 'server-error':
          log(`${style.red('server error')} ${e.code}: ${e.message} (still listening)`)
          break
      }
    },
    summary: (s: TcpServerSummary): void => {
      log(`stopped after ${formatDuration(s.durationMs)}: ${s.accepted} connection${s.accepted === 1 ? '' : 's'} (peak ${s.peakConnections} at once), ` +
        `${formatBytes(s.bytesIn)} in, ${formatBytes(s.bytesOut)} out` +
        (s.refused ? `, ${s.refused} refused` : '') + (s.resets ? `, ${s.resets} reset` : '') +
        (s.idleTimeouts ? `, ${s.idleTimeouts} idle-closed` : ''))
    },
  }
}
