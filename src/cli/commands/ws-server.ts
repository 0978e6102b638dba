import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS } from '../../core/constants.js'
import { parseHost, parseMilliseconds, parsePort, parsePositiveInt } from '../../core/parse.js'
import type { WsServerEvent, WsServerSummary } from '../../ws/ws-server.js'
import { DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_PING_INTERVAL_MS, DEFAULT_WS_PORT } from '../../ws/defaults.js'
import { closeCodeKind } from '../../ws/close-codes.js'
import { OPCODE_NAMES, type FrameHeader } from '../../ws/frames.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, announceStopping, jsonWriter, lineWriter, styleFor, type CliContext } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, type AddressFilterFlags } from '../address-filter.js'
import { filterWords, type FilterWords } from '../server-kit.js'
import type { AddressFilter } from '../../core/cidr.js'


interface WsServerFlags extends AddressFilterFlags {
  host: string
  broadcast?: boolean
  echo: boolean
  maxMessage: number
  maxConnections: number
  idleTimeout: number
  pingInterval: number
  subprotocol?: string[]
  frames?: boolean
  quiet?: boolean
  json?: boolean
}

export const makeWsServerCommand = (ctx: CliContext): Command => {
  const help = ctx.t.wsServer.help
  return addAddressFilterOptions(new Command('ws-server')
    .summary(help.summary)
    .description(help.description)
    .argument('[port]', help.port, argParser(v => parsePort(v, { allowZero: true })), DEFAULT_WS_PORT)
    .option('--host <address>', help.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--broadcast', help.broadcast)
    .option('--no-echo', help.noEcho)
    .option('--max-message <bytes>', help.maxMessage, argParser(v => parsePositiveInt(v, 'max-message')), DEFAULT_MAX_MESSAGE_BYTES)
    .option('--max-connections <n>', help.maxConnections, argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--idle-timeout <ms>', help.idleTimeout, argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--ping-interval <ms>', help.pingInterval, argParser(v => parseMilliseconds(v, 'ping-interval', { zero: 'off' })), DEFAULT_PING_INTERVAL_MS)
    .option('--subprotocol <name>', help.subprotocol, (value: string, previous?: string[]) => [...(previous ?? []), value])
    .option('--frames', help.frames)
    .option('--quiet', help.quiet)
    .option('--json', help.json), ctx.t.addressFilter)
    .addHelpText('after', help.examples)
    .action((port: number, flags: WsServerFlags) => runAction(ctx, () => wsServerAction(ctx, port, flags),
      { host: flags.host, port }, flags.json ? JSON_ERROR_EVENT : undefined))
}

const wsServerAction = async (ctx: CliContext, port: number, flags: WsServerFlags): Promise<number> => {
  const { WsEchoServer } = await import('../../ws/ws-server.js')
  const { wsPage } = await import('../../ws/page.js')
  const addressFilter = addressFilterFrom(flags)
  const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, addressFilter)
  const server = new WsEchoServer({
    port,
    host: flags.host,
    echo: flags.echo,
    broadcast: Boolean(flags.broadcast),
    maxMessageBytes: flags.maxMessage,
    maxConnections: flags.maxConnections,
    idleTimeoutMs: flags.idleTimeout,
    pingIntervalMs: flags.pingInterval,
    subprotocols: flags.subprotocol ?? [],
    messageEvents: !flags.quiet,
    frames: Boolean(flags.frames),
    page: wsPage(ctx.t.wsServer.page, ctx.f.lang),
    addressFilter,
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
}

/** NDJSON on stdout: the library's `type` renamed `event`, as tcp-server does. */
const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: ({ type, ...fields }: WsServerEvent) => write({ event: type, ...fields }),
    summary: (s: WsServerSummary) => write({ event: 'summary', ...s }),
    flush: () => {},
  }
}

const humanKit = (ctx: CliContext) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  const t = ctx.t.wsServer
  const words = (code: number) => t.closeCode[closeCodeKind(code)]
  return { style, log, t, words, tag: (id: number) => style.cyan(`[#${id}]`) }
}
type HumanKit = ReturnType<typeof humanKit>

const printListening = ({ t, style, log }: HumanKit, e: Extract<WsServerEvent, { type: 'listening' }>, flags: WsServerFlags, filter: FilterWords): void => {
  const bound = formatAddress(e.address, e.port)
  log(t.listening({ bound, reach: e.reachable.map(a => formatAddress(a, e.port)).join(', '), em: style.green }))
  log(t.tryClient({ url: `ws://${formatAddress(e.reachable[0] ?? e.address, e.port)}/` }))
  if (flags.broadcast) log(t.modeBroadcast)
  else if (!flags.echo) log(t.modeNoEcho)
  const described = filter.describe()
  if (described !== '') log(t.filter({ filter: described }))
  const unmatchable = filter.unmatchable(e.address)
  if (unmatchable) log(style.yellow(unmatchable))
}

const frameList = (t: HumanKit['t'], frames: FrameHeader[]): string =>
  frames.map(h => t.frameHeader({ fin: h.fin, opcode: OPCODE_NAMES[h.opcode] ?? `opcode ${h.opcode}`, masked: h.masked, length: h.length })).join(' ')

const printClosing = ({ t, style, log, tag }: HumanKit, e: Extract<WsServerEvent, { type: 'closing' }>): void => {
  const p = { tag: tag(e.id), code: e.code, limit: e.limit ?? 0, bufferedBytes: e.bufferedBytes ?? 0, em: style.yellow }
  log(t.closing[e.cause](p))
}

const printClosed = ({ t, style, log, tag, words }: HumanKit, e: Extract<WsServerEvent, { type: 'closed' }>): void => {
  const summary = t.connSummary(e)
  if (e.by === 'server' && e.sentCode !== undefined && e.code === 1006) {
    log(t.closedNoAnswer({ tag: tag(e.id), sentCode: e.sentCode, sentWords: words(e.sentCode), summary, em: style.yellow }))
  } else if (e.by === 'server' && e.sentCode !== undefined) {
    log(t.closedByServer({ tag: tag(e.id), sentCode: e.sentCode, sentWords: words(e.sentCode), code: e.code, words: words(e.code), summary, em: style.green }))
  } else if (e.by === 'none') {
    log(t.closedAbnormally({ tag: tag(e.id), summary, em: style.red }))
  } else {
    log(t.closedByClient({ tag: tag(e.id), code: e.code, words: words(e.code), reason: e.reason, summary, em: style.green }))
  }
}

/** The handshake and plain-HTTP lines. */
const printHandshake = ({ t, style, log, tag }: HumanKit, e: WsServerEvent): boolean => {
  switch (e.type) {
    case 'upgrade-request':
      log(t.upgradeRequest({ tag: tag(e.id), method: e.method, path: e.path, key: e.key ?? '', protocols: e.protocols.join(', '), origin: e.origin ?? '' }))
      return true
    case 'upgraded':
      log(t.upgraded({ tag: tag(e.id), accept: e.accept, protocol: e.protocol ?? '', websockets: e.websockets, em: style.green }))
      return true
    case 'handshake-rejected':
      log(t.rejected({ tag: tag(e.id), status: e.status, problem: t.problem[e.problem], em: style.yellow }))
      return true
    case 'http-request':
      log(t.httpRequest({ tag: tag(e.id), method: e.method, path: e.path, status: e.status }))
      return true
    default:
      return false
  }
}

const printEvent = (kit: HumanKit, e: WsServerEvent, filter: FilterWords): void => {
  const { t, style, log, tag } = kit
  if (printHandshake(kit, e)) return
  switch (e.type) {
    case 'connected':
      return log(t.connected({ tag: tag(e.id), from: formatAddress(e.remoteAddress, e.remotePort), to: formatAddress(e.localAddress, e.localPort), active: e.active, em: style.green }))
    case 'refused':
      return log(e.reason === 'full'
        ? t.refused({ from: formatAddress(e.remoteAddress, e.remotePort), active: e.active, limit: e.limit, em: style.yellow })
        : t.refusedClosing({ from: formatAddress(e.remoteAddress, e.remotePort), em: style.yellow }))
    case 'denied':
      return log(t.denied({ from: formatAddress(e.remoteAddress, e.remotePort), because: filter.because(e.remoteAddress), em: style.yellow }))
    case 'message':
      return log(t.message({ tag: tag(e.id), binary: e.binary, bytes: e.bytes, preview: style.bold(e.preview) }))
    case 'ping':
      return log(t.ping({ tag: tag(e.id), bytes: e.bytes }))
    case 'pong':
      return log(t.pong({ tag: tag(e.id), ...(e.rttMs !== undefined ? { rttMs: e.rttMs } : {}) }))
    case 'tcp-read':
      return log(t.tcpRead({ tag: tag(e.id), bytes: e.bytes, continued: e.continued, frames: frameList(t, e.frames), endsInside: e.endsInside }))
    case 'backpressure':
      return log(t.backpressure({ tag: tag(e.id), bufferedBytes: e.bufferedBytes, em: style.yellow }))
    case 'resumed':
      return log(t.resumed({ tag: tag(e.id) }))
    case 'closing':
      return printClosing(kit, e)
    case 'closed':
      return printClosed(kit, e)
    case 'disconnected':
      return log(t.disconnected({ tag: tag(e.id), durationMs: e.durationMs }))
    case 'server-error':
      return log(t.serverError({ code: e.code, message: e.message, em: style.red }))
  }
}

/** Events a --quiet run does not show (one per message, ping or pong). */
const CHATTY = new Set<WsServerEvent['type']>(['message', 'ping', 'pong', 'resumed'])

const printHuman = (ctx: CliContext, flags: WsServerFlags, addressFilter: AddressFilter | undefined) => {
  const kit = humanKit(ctx)
  const filter = filterWords(ctx, addressFilter)
  return {
    event: (e: WsServerEvent): void => {
      if (e.type === 'listening') printListening(kit, e, flags, filter)
      else if (!(flags.quiet && CHATTY.has(e.type))) printEvent(kit, e, filter)
    },
    summary: (s: WsServerSummary): void => {
      kit.log(kit.t.stopped({ ...s, peak: s.peakConnections, rejected: s.handshakesRejected }))
    },
    flush: kit.log.flush,
  }
}
