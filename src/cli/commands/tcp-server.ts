import { readFileSync } from 'node:fs'
import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT, DEFAULT_QUEUE_LIMIT } from '../../core/constants.js'
import { ESCAPES_HELP, parsePort, parsePositiveInt, unescapeBytes, parseHost, parseMilliseconds } from '../../core/parse.js'
import type { TcpServerEvent, TcpServerSummary } from '../../servers/tcp-server.js'
import { lineWriter, styleFor, warnUnknownEscapes, type CliContext } from '../io.js'
import { preview } from '../../core/preview.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, type AddressFilterFlags } from '../address-filter.js'
import { filterWords, ndjsonPrinter, runUntilInterrupted, type FilterWords } from '../server-kit.js'

interface TcpServerFlags extends AddressFilterFlags {
  host: string
  greeting?: string
  maxConnections: number
  /** true: --queue without a number. */
  queue?: number | true
  idleTimeout: number
  quiet?: boolean
  json?: boolean
  echo: boolean
}

export const makeTcpServerCommand = (ctx: CliContext): Command => {
  const help = ctx.t.tcpServer.help
  return addAddressFilterOptions(new Command('tcp-server')
    .summary(help.summary)
    .description(help.description)
    .argument('[port]', help.arguments.port, argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', help.options.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--greeting <text>', help.options.greeting({ escapes: ESCAPES_HELP }))
    .option('--max-connections <n>', help.options.maxConnections,
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--queue [n]', help.options.queue({ limit: DEFAULT_QUEUE_LIMIT }),
      argParser(v => parsePositiveInt(v, 'queue')))
    .option('--idle-timeout <ms>', help.options.idleTimeout,
      argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--no-echo', help.options.noEcho)
    .option('--quiet', help.options.quiet)
    .option('--json', help.options.json), ctx.t.addressFilter)
    .addHelpText('after', help.examples)
    .action((port: number, flags: TcpServerFlags) => runAction(ctx, async () => {
      const { TcpEchoServer } = await import('../../servers/tcp-server.js')
      const greeting = flags.greeting === undefined ? undefined : unescapeBytes(flags.greeting)
      warnUnknownEscapes(ctx, '--greeting', flags.greeting)
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? ndjsonPrinter<TcpServerEvent, TcpServerSummary>(ctx) : printHuman(ctx, greeting, filterWords(ctx, addressFilter))
      const fdWarning = maxConnectionsOverFdLimit(ctx, flags.maxConnections, openFilesLimit())
      if (fdWarning) ctx.io.stderr.write(`${fdWarning}\n`)
      const server = new TcpEchoServer({
        addressFilter,
        port,
        host: flags.host,
        greeting,
        maxConnections: flags.maxConnections,
        queueLimit: flags.queue === true ? DEFAULT_QUEUE_LIMIT : flags.queue ?? 0,
        idleTimeoutMs: flags.idleTimeout,
        echo: flags.echo,
        readEvents: !flags.quiet,
        // The human printer shows at most this many reads a second per connection; asking
        // the library for no more means the reads it would hide are never built (bench.md).
        readEventsPerSecond: flags.json ? 0 : READ_LINES_PER_SECOND,
        onEvent: print.event,
        // The refusal line is read by the client's user, in the run's language.
        lang: ctx.f.lang,
      })
      return runUntilInterrupted(ctx, server, print)
    }, { host: flags.host, port }, flags.json ? JSON_ERROR_EVENT : undefined))
}

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
const maxConnectionsOverFdLimit = (ctx: CliContext, maxConnections: number, limit: number | undefined): string | undefined =>
  limit === undefined || maxConnections + BASELINE_FDS <= limit
    ? undefined
    : ctx.t.tcpServer.fdWarning({
      maxConnections, limit, usable: Math.max(0, limit - BASELINE_FDS), needed: maxConnections + BASELINE_FDS,
      em: styleFor(ctx, ctx.io.stderr).yellow,
    })


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

/** The human printer's tools: the catalogue, colours, the batched stderr writer and connection tags. */
const humanKit = (ctx: CliContext) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write (a line per read is the load).
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  const t = ctx.t.tcpServer
  /** `127.0.0.1:5000`, or words for a peer that reset before its address could be read. */
  const peer = (address: string, port: number): string => address === '' ? t.goneClient : formatAddress(address, port)
  return { style, log, t, peer, tag: (id: number) => style.cyan(`[#${id}]`) }
}
type HumanKit = ReturnType<typeof humanKit>

const printListening = ({ t, style, log }: HumanKit, e: Extract<TcpServerEvent, { type: 'listening' }>,
  greeting: Buffer | undefined, filter: FilterWords): void => {
  const bound = formatAddress(e.address, e.port)
  const reach = e.reachable.map(a => formatAddress(a, e.port)).join(', ')
  log(t.listening({ bound, reach, em: style.green }))
  log(t.tryClient({ host: e.reachable[0] ?? e.address, port: e.port }))
  if (greeting !== undefined) log(t.greeting({ preview: preview(greeting, 200) }))
  if (greeting !== undefined && !greeting.subarray(-1).equals(NEWLINE)) log(t.greetingNoNewline({ em: style.yellow }))
  const described = filter.describe()
  if (described !== '') log(t.filter({ filter: described }))
  const unmatchable = filter.unmatchable(e.address)
  if (unmatchable) log(t.warning({ text: unmatchable, em: style.yellow }))
}

const NEWLINE = Buffer.from('\n')

/**
 * The first silent client gets one hint line per run (a class connecting 30 clients that wait
 * for a greeting needs it said once); none when the greeting ends its line.
 */
const silenceHint = ({ t, style, log, tag }: HumanKit, greeting: Buffer | undefined) => {
  let shown = false
  return (e: Extract<TcpServerEvent, { type: 'silent' }>): void => {
    if (shown) return
    const p = { tag: tag(e.id), silentMs: e.silentMs, em: style.yellow }
    if (greeting === undefined) log(t.silentHint(p))
    else if (!greeting.subarray(-1).equals(NEWLINE)) log(t.silentNoNewline(p))
    else return
    shown = true
  }
}

const printClosed = ({ t, style, log, tag }: HumanKit, e: Extract<TcpServerEvent, { type: 'closed' }>): void => {
  const p = { tag: tag(e.id), durationMs: e.durationMs, bytesIn: e.bytesIn, bytesOut: e.bytesOut }
  if (e.reason === 'reset') log(t.closedReset({ ...p, code: e.code ?? 'ECONNRESET', em: style.red }))
  else if (e.reason === 'error') log(t.closedError({ ...p, code: e.code, message: e.message, em: style.red }))
  else log(t.closed({ ...p, because: t.closedBecause[e.reason], em: style.green }))
}

/** One line per connection event, or none; backpressure and closes go through `views`. */
const printConnectionEvent = (kit: HumanKit, e: TcpServerEvent, views: StallViews): void => {
  const { t, style, log, tag, peer } = kit
  switch (e.type) {
    case 'accepted':
      log(e.remoteAddress === ''
        ? t.acceptedGone({ tag: tag(e.id), active: e.active, em: style.green })
        : t.accepted({ tag: tag(e.id), from: formatAddress(e.remoteAddress, e.remotePort), to: formatAddress(e.localAddress, e.localPort), active: e.active, em: style.green }))
      break
    case 'queued':
      log(t.queued({ from: peer(e.remoteAddress, e.remotePort), waiting: e.waiting, limit: e.limit, em: style.yellow }))
      break
    case 'refused':
      log(e.reason === 'full'
        ? t.refusedFull({ from: peer(e.remoteAddress, e.remotePort), active: e.active, limit: e.limit, em: style.yellow })
        : t.refusedClosing({ from: peer(e.remoteAddress, e.remotePort), em: style.yellow }))
      break
    case 'read':
      log(t.read({ tag: tag(e.id), bytes: e.bytes, preview: style.bold(e.preview) }))
      break
    case 'reads-hidden':
      log(t.readsHidden({ tag: tag(e.id), reads: e.reads, bytes: e.bytes, limit: e.limit }))
      break
    case 'half-close':
      log(e.serverClosing
        ? t.halfCloseAnswer({ tag: tag(e.id), bytesIn: e.bytesIn })
        : t.halfClose({ tag: tag(e.id), bytesIn: e.bytesIn, em: style.yellow }))
      break
    case 'backpressure':
      views.stalled(e.id, e.bufferedBytes)
      break
    case 'resumed':
      views.resumed(e.id)
      break
    case 'idle-timeout':
      log(t.idle({ tag: tag(e.id), idleMs: e.idleMs, em: style.yellow }))
      break
    case 'closed':
      views.forget(e.id)
      printClosed(kit, e)
      break
    case 'server-error':
      log(t.serverError({ code: e.code, message: e.message, em: style.red }))
      break
  }
}

/**
 * Backpressure shown only once it lasts STALL_REPORT_MS (brief pauses are normal flow
 * control), and its end only if its start was shown.
 */
const stallViews = ({ t, style, log, tag }: HumanKit) => {
  const views = new Map<number, ConnectionView>()
  const view = (id: number): ConnectionView => {
    let v = views.get(id)
    if (!v) views.set(id, v = { stallShown: false })
    return v
  }
  return {
    stalled: (id: number, bufferedBytes: number): void => {
      const v = view(id)
      clearTimeout(v.stallTimer)
      v.stallTimer = setTimeout(() => {
        v.stallShown = true
        log(t.notReading({ tag: tag(id), forMs: STALL_REPORT_MS, bufferedBytes, em: style.yellow }))
      }, STALL_REPORT_MS).unref()
    },
    resumed: (id: number): void => {
      const v = view(id)
      clearTimeout(v.stallTimer)
      if (v.stallShown) log(t.caughtUp({ tag: tag(id) }))
      v.stallShown = false
    },
    forget: (id: number): void => {
      clearTimeout(views.get(id)?.stallTimer)
      views.delete(id)
    },
  }
}
type StallViews = ReturnType<typeof stallViews>

const printHuman = (ctx: CliContext, greeting: Buffer | undefined, filter: FilterWords) => {
  const kit = humanKit(ctx)
  const views = stallViews(kit)
  const silent = silenceHint(kit, greeting)
  return {
    event: (e: TcpServerEvent): void => {
      if (e.type === 'listening') printListening(kit, e, greeting, filter)
      else if (e.type === 'silent') silent(e)
      else if (e.type === 'denied') kit.log(kit.t.denied({ from: kit.peer(e.remoteAddress, e.remotePort), because: filter.because(e.remoteAddress), em: kit.style.yellow }))
      else printConnectionEvent(kit, e, views)
    },
    summary: (s: TcpServerSummary): void => {
      kit.log(kit.t.stopped({ ...s, peak: s.peakConnections }))
    },
    flush: kit.log.flush,
  }
}
