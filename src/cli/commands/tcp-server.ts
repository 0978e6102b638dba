import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../../core/constants.js'
import { ESCAPES_HELP, parsePort, parsePositiveInt, unescapeBytes, parseHost, parseMilliseconds } from '../../core/parse.js'
import type { CloseReason, TcpServerEvent, TcpServerSummary } from '../../servers/tcp-server.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, announceStopping, jsonWriter, lineWriter, styleFor, warnUnknownEscapes, type CliContext } from '../io.js'
import { preview } from '../../core/preview.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { formatBytes, formatDuration, plural } from '../render/format.js'

interface TcpServerFlags extends AddressFilterFlags {
  host: string
  greeting?: string
  maxConnections: number
  idleTimeout: number
  quiet?: boolean
  json?: boolean
  echo: boolean
}

export const makeTcpServerCommand = (ctx: CliContext): Command =>
  addAddressFilterOptions(new Command('tcp-server')
    .summary('TCP echo server that narrates every connection event')
    .description('A TCP echo server. Echoes every byte back as it arrives, to any number of clients at once, ' +
      'and prints one line per event on stderr: listening, accepted, each read, half-close, closed, reset. ' +
      'A client that does not read its echoes is paused, not buffered for.')
    .argument('[port]', 'port to listen on (0 = any free port)', argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', 'address to bind; 0.0.0.0 or :: to accept from other machines', argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--greeting <text>', `send this to each client on accept (escapes: ${ESCAPES_HELP})`)
    .option('--max-connections <n>', 'clients served at once; more are refused politely',
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--idle-timeout <ms>', 'close a connection idle this long (0 = never)',
      argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--no-echo', 'receive and report only; send nothing back')
    .option('--quiet', 'no per-read events (connections are still reported); also with --json')
    .option('--json', 'NDJSON events on stdout instead of text on stderr'))
    .addHelpText('after', `
Examples:
  $ sockkit tcp-server                   echo on 127.0.0.1:9000
  $ sockkit tcp-server 5000 --greeting 'Bienvenido al servidor!\\n'
  $ sockkit tcp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24
  $ sockkit tcp-server 0 --json --quiet > events.ndjson
                                         any free port; events as NDJSON

Event lines (stderr): "listening", "[#3] accepted A → B",
"[#3] read N bytes: preview", "[#3] half-close received",
"[#3] closed after T: N bytes in, N bytes out", "[#3] reset by peer",
"refused A: …", "denied A (not in --allow)", "[#3] client is not reading",
"[#3] idle for T; closing". At most 20 read lines a second per connection;
the rest are summed in one "… K more reads" line.
With --json each event is one object on stdout: {"time","event","id",…};
the last is "summary". Ctrl-C stops accepting, closes every connection,
prints a summary and exits 130.`)
    .action((port: number, flags: TcpServerFlags) => runAction(ctx, async () => {
      const { TcpEchoServer } = await import('../../servers/tcp-server.js')
      const greeting = flags.greeting === undefined ? undefined : unescapeBytes(flags.greeting)
      warnUnknownEscapes(ctx, '--greeting', flags.greeting)
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? printJson(ctx) : printHuman(ctx, greeting, addressFilter)
      const fdWarning = maxConnectionsOverFdLimit(flags.maxConnections, openFilesLimit())
      if (fdWarning) ctx.io.stderr.write(`${styleFor(ctx, ctx.io.stderr).yellow('sockkit:')} warning: ${fdWarning}\n`)
      const server = new TcpEchoServer({
        addressFilter,
        port,
        host: flags.host,
        greeting,
        maxConnections: flags.maxConnections,
        idleTimeoutMs: flags.idleTimeout,
        echo: flags.echo,
        readEvents: !flags.quiet,
        // The human printer shows at most this many reads a second per connection; asking
        // the library for no more means the reads it would hide are never built (bench.md).
        readEventsPerSecond: flags.json ? 0 : READ_LINES_PER_SECOND,
        onEvent: print.event,
      })
      try {
        await server.listen()
        await aborted(ctx.io.signal)
        print.flush()
        announceStopping(ctx, server.activeConnections, DEFAULT_CLOSE_GRACE_MS)
        print.summary(await server.close())
        return EXIT_INTERRUPTED
      } finally {
        print.flush()
      }
    }, { host: flags.host, port }, flags.json ? JSON_ERROR_EVENT : undefined))

/**
 * File descriptors a listening tcp-server holds besides its clients: 19 measured on Linux,
 * Node 20, with a little room — and no more, so the default 1000 under the common limit of
 * 1024 is not warned about (it fits).
 */
const BASELINE_FDS = 24

/** This process's soft open-files limit (`ulimit -n`), from /proc/self/limits; undefined where it cannot be read or is unlimited. */
const openFilesLimit = (): number | undefined => {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(readFileSync('/proc/self/limits', 'utf8'))
    return m ? Number(m[1]) : undefined
  } catch {
    return undefined
  }
}

/**
 * Past the open-files limit accept() fails with EMFILE, and libuv then closes the waiting
 * clients itself: they get no refusal line and the server sees no event to report. Said once
 * at the start when --max-connections cannot be reached for that reason.
 */
const maxConnectionsOverFdLimit = (maxConnections: number, limit: number | undefined): string | undefined =>
  limit === undefined || maxConnections + BASELINE_FDS <= limit
    ? undefined
    : `--max-connections ${maxConnections} is more than this process can hold: its open-files limit is ${limit} (ulimit -n), ` +
      `so past about ${Math.max(0, limit - BASELINE_FDS)} connections new clients are closed at once, with no refusal line and nothing logged here; ` +
      `raise it (ulimit -n ${maxConnections + BASELINE_FDS}) or lower --max-connections`

/**
 * NDJSON: `{"time", "event", …the event's own fields}` per line, the library's `type`
 * renamed to `event` so every line — including the final `summary` — has the same key.
 */
const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: ({ type, ...fields }: TcpServerEvent) => write({ event: type, ...fields }),
    summary: (s: TcpServerSummary) => write({ event: 'summary', ...s }),
    flush: () => {},
  }
}

/** `127.0.0.1:5000`, or words for a peer that reset before its address could be read. */
const peer = (address: string, port: number): string =>
  address === '' ? 'a client that had already left' : formatAddress(address, port)

const CLOSE_REASON_TEXT: Record<CloseReason, string> = {
  'normal': '',
  'reset': '',
  'error': '',
  'idle-timeout': ' (idle timeout)',
  'server-stopped': ' (server stopping)',
}

/**
 * Read lines shown per connection per second. A person typing never reaches it; a bulk
 * transfer would otherwise print thousands of lines a second, and a terminal (or pipe)
 * slower than the network would then throttle the echo itself. The rest is counted and
 * shown as one line; --json reports every read.
 */
export const READ_LINES_PER_SECOND = 20
/** A pause for backpressure is shown only if it lasts this long (ms): brief ones are normal flow control. */
export const STALL_REPORT_MS = 1000

/** What the human printer remembers about one open connection. */
interface ConnectionView {
  stallTimer?: NodeJS.Timeout
  stallShown: boolean
}

const printHuman = (ctx: CliContext, greeting: Buffer | undefined, addressFilter: AddressFilter | undefined) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write (a line per read is the load).
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  const tag = (id: number) => style.cyan(`[#${id}]`)
  const views = new Map<number, ConnectionView>()
  const view = (id: number): ConnectionView => {
    let v = views.get(id)
    if (!v) views.set(id, v = { stallShown: false })
    return v
  }
  return {
    event: (e: TcpServerEvent): void => {
      switch (e.type) {
        case 'listening': {
          const bound = formatAddress(e.address, e.port)
          const reach = e.reachable.map(a => formatAddress(a, e.port)).join(', ')
          log(`${style.green('listening')} on ${bound} (TCP)` + (reach !== bound ? ` — clients can use ${reach}` : ''))
          log(`try: sockkit tcp-client ${e.reachable[0] ?? e.address} ${e.port}`)
          if (greeting !== undefined) log(`greeting each client with "${preview(greeting, 200)}"`)
          if (addressFilter) log(`${describeAddressFilter(addressFilter)}; filtered peers are closed at once`)
          const unmatchable = unmatchableAllow(addressFilter, e.address)
          if (unmatchable) log(style.yellow(`warning: ${unmatchable}`))
          break
        }
        case 'accepted':
          log(e.remoteAddress === ''
            ? `${tag(e.id)} ${style.green('accepted')} a connection whose client had already left (${e.active} open)`
            : `${tag(e.id)} ${style.green('accepted')} ${formatAddress(e.remoteAddress, e.remotePort)} → ${formatAddress(e.localAddress, e.localPort)} (${e.active} open)`)
          break
        case 'refused':
          log(e.reason === 'full'
            ? `${style.yellow('refused')} ${peer(e.remoteAddress, e.remotePort)}: ${plural(e.active, 'connection')} open, limit ${e.limit} (told the client and closed)`
            : `${style.yellow('refused')} ${peer(e.remoteAddress, e.remotePort)}: shutting down (told the client and closed)`)
          break
        case 'read':
          log(`${tag(e.id)} read ${e.bytes} byte${e.bytes === 1 ? '' : 's'}: ${style.bold(e.preview)}`)
          break
        case 'reads-hidden':
          log(`${tag(e.id)} … ${plural(e.reads, 'more read')} (${formatBytes(e.bytes)}) not shown: ` +
            `at most ${e.limit} read lines a second per connection (--json shows every read)`)
          break
        case 'denied':
          log(`${style.yellow('denied')} ${peer(e.remoteAddress, e.remotePort)} (${deniedBecause(addressFilter, e.remoteAddress)}); closed at once`)
          break
        case 'half-close':
          log(e.serverClosing
            ? `${tag(e.id)} the client closed its side too (${formatBytes(e.bytesIn)} in), answering ours`
            : `${tag(e.id)} ${style.yellow('half-close received')}: the client finished sending (${formatBytes(e.bytesIn)} in); finishing the echo, then closing`)
          break
        case 'backpressure': {
          const v = view(e.id)
          clearTimeout(v.stallTimer)
          v.stallTimer = setTimeout(() => {
            v.stallShown = true
            log(`${tag(e.id)} ${style.yellow('client is not reading')} its echoes (for ${formatDuration(STALL_REPORT_MS)}, ` +
              `${formatBytes(e.bufferedBytes)} queued for it): stopped reading from it until it catches up`)
          }, STALL_REPORT_MS).unref()
          break
        }
        case 'resumed': {
          const v = view(e.id)
          clearTimeout(v.stallTimer)
          if (v.stallShown) log(`${tag(e.id)} client caught up; reading again`)
          v.stallShown = false
          break
        }
        case 'idle-timeout':
          log(`${tag(e.id)} ${style.yellow('idle')} for ${formatDuration(e.idleMs)}; closing`)
          break
        case 'closed': {
          clearTimeout(views.get(e.id)?.stallTimer)
          views.delete(e.id)
          const totals = `${formatBytes(e.bytesIn)} in, ${formatBytes(e.bytesOut)} out`
          const after = formatDuration(e.durationMs)
          if (e.reason === 'reset') log(`${tag(e.id)} ${style.red('reset by peer')} (${e.code ?? 'ECONNRESET'}) after ${after}: ${totals}`)
          else if (e.reason === 'error') log(`${tag(e.id)} ${style.red('closed by error')} ${e.code}: ${e.message}; after ${after}: ${totals}`)
          else log(`${tag(e.id)} ${style.green('closed')} after ${after}: ${totals}${CLOSE_REASON_TEXT[e.reason]}`)
          break
        }
        case 'server-error':
          log(`${style.red('server error')} ${e.code}: ${e.message} (still listening)`)
          break
      }
    },
    summary: (s: TcpServerSummary): void => {
      log(`stopped after ${formatDuration(s.durationMs)}: ${plural(s.accepted, 'connection')} (peak ${s.peakConnections} at once), ` +
        `${formatBytes(s.bytesIn)} in, ${formatBytes(s.bytesOut)} out` +
        (s.refused ? `, ${s.refused} refused` : '') + (s.denied ? `, ${s.denied} denied` : '') + (s.resets ? `, ${s.resets} reset` : '') +
        (s.idleTimeouts ? `, ${s.idleTimeouts} idle-closed` : ''))
    },
    flush: log.flush,
  }
}
