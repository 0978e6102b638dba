import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../core/constants.js'
import { invalidArg } from '../../core/errors.js'
import { parseHost, parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber, parseMilliseconds } from '../../core/parse.js'
import { checkName } from '../../core/sanitize.js'
import { preview } from '../../core/preview.js'
// Only the language list and its parser (no sockets): --help stays as light as before.
import type { ChatLanguage } from '../../chat/chat-messages.js'
import type { ChatServer, ChatServerEvent, ChatSummary } from '../../chat/chat-server.js'
import type { LineSplitter, SplitLine } from '../../core/line-splitter.js'
import { lineWriter, styleFor, typedInput, type CliContext } from '../io.js'
import { addAddressFilterOptions, addressFilterFrom, type AddressFilterFlags } from '../address-filter.js'
import { filterWords, ndjsonPrinter, runUntilInterrupted, type FilterWords } from '../server-kit.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'

// Defaults repeated here (not imported) so `sockkit --help` does not load the chat library;
// test/chat-server-cli.ts checks they match the library's.
const DEFAULTS = {
  name: 'server', history: 50, maxLine: 4096, maxClients: 100,
  floodRate: 10, floodBurst: 20, floodTimeout: 10_000, maxOutput: 1024 * 1024, lang: 'en' as ChatLanguage,
}

interface ChatServerFlags extends AddressFilterFlags {
  host: string
  name: string
  history: number
  maxLine: number
  maxConnections: number
  /** The old name of --max-connections, still accepted (hidden from --help). */
  maxClients?: number
  idleTimeout: number
  floodRate: number
  floodBurst: number
  floodTimeout: number
  maxOutput: number
  colorClients?: boolean
  timestamps?: boolean
  json?: boolean
}

const parseName = (value: string): string => {
  const checked = checkName(value)
  if (!checked.ok || checked.name !== value) {
    throw invalidArg('chatNameInvalid', { value }, { value })
  }
  return value
}

export const makeChatServerCommand = (ctx: CliContext): Command =>
  addAddressFilterOptions(new Command('chat-server')
    .summary(ctx.t.chatServer.help.summary)
    .description(ctx.t.chatServer.help.description)
    .argument('[port]', ctx.t.chatServer.help.arguments.port, argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', ctx.t.chatServer.help.options.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--name <name>', ctx.t.chatServer.help.options.name, argParser(parseName), DEFAULTS.name)
    .option('--history <n>', ctx.t.chatServer.help.options.history, argParser(v => parseNonNegativeInt(v, 'history')), DEFAULTS.history)
    .option('--max-line <bytes>', ctx.t.chatServer.help.options.maxLine,
      argParser(v => parsePositiveInt(v, 'max-line')), DEFAULTS.maxLine)
    .option('--max-connections <n>', ctx.t.chatServer.help.options.maxConnections,
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULTS.maxClients)
    // The name this option had before it matched tcp-server's; kept so old scripts still run.
    .addOption(new Option('--max-clients <n>').argParser(argParser(v => parsePositiveInt(v, 'max-clients')))
      .conflicts('maxConnections').hideHelp())
    .option('--idle-timeout <ms>', ctx.t.chatServer.help.options.idleTimeout,
      argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), 0)
    .option('--flood-rate <lines/s>', ctx.t.chatServer.help.options.floodRate,
      argParser(v => parsePositiveNumber(v, 'flood-rate')), DEFAULTS.floodRate)
    .option('--flood-burst <lines>', ctx.t.chatServer.help.options.floodBurst,
      argParser(v => parsePositiveInt(v, 'flood-burst')), DEFAULTS.floodBurst)
    .option('--flood-timeout <ms>', ctx.t.chatServer.help.options.floodTimeout,
      argParser(v => parseMilliseconds(v, 'flood-timeout')), DEFAULTS.floodTimeout)
    .option('--max-output <bytes>', ctx.t.chatServer.help.options.maxOutput,
      argParser(v => parsePositiveInt(v, 'max-output')), DEFAULTS.maxOutput)
    .option('--color-clients', ctx.t.chatServer.help.options.colorClients)
    .option('--timestamps', ctx.t.chatServer.help.options.timestamps)
    .option('--json', ctx.t.chatServer.help.options.json), ctx.t.addressFilter)
    .addHelpText('after', ctx.t.chatServer.help.examples)
    .action((port: number, flags: ChatServerFlags) => runAction(ctx, () => runChatServer(ctx, port, flags),
      { host: flags.host, port, serverCommand: 'chat-server' }, flags.json ? JSON_ERROR_EVENT : undefined))

/** Run the chat until Ctrl-C, the operator's keyboard beside it; then the summary and 130. */
const runChatServer = async (ctx: CliContext, port: number, flags: ChatServerFlags): Promise<number> => {
  const { ChatServer } = await import('../../chat/chat-server.js')
  const addressFilter = addressFilterFrom(flags)
  const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, filterWords(ctx, addressFilter))
  const server = new ChatServer({
    addressFilter,
    port,
    host: flags.host,
    name: flags.name,
    historySize: flags.history,
    maxLineBytes: flags.maxLine,
    maxClients: flags.maxClients ?? flags.maxConnections,
    idleTimeoutMs: flags.idleTimeout,
    floodLinesPerSecond: flags.floodRate,
    floodBurstLines: flags.floodBurst,
    floodTimeoutMs: flags.floodTimeout,
    maxOutputBytes: flags.maxOutput,
    colorClients: Boolean(flags.colorClients),
    timestamps: Boolean(flags.timestamps),
    // The root --lang (or the locale): one language for the operator and the clients.
    lang: ctx.f.lang,
    onEvent: print.event,
  })
  const { LineSplitter } = await import('../../core/line-splitter.js')
  return runUntilInterrupted(ctx, server, print, () => operatorInput(ctx, server, new LineSplitter(flags.maxLine), flags, print.note))
}

/**
 * The operator's keyboard (or a pipe): each line is said to everyone or is a command.
 * Returns how to stop reading it.
 */
const operatorInput = (ctx: CliContext, server: ChatServer, splitter: LineSplitter, flags: ChatServerFlags, note: (text: string) => void): () => void => {
  const stdin = typedInput(ctx.io.stdin)
  const onLine = (line: SplitLine) => {
    // Told like a client is (lineTruncated): a silent cut would look like a lost tail.
    if (line.truncated) note(ctx.t.chatServer.operatorLineCut({ max: flags.maxLine, kept: line.bytes.length }))
    operatorLine(ctx, server, line.bytes.toString('utf8'), note)
  }
  const onData = (chunk: Buffer) => {
    for (const line of splitter.push(chunk)) onLine(line)
    // A long paste: let the clients read what was said before taking more of it, so a
    // reading client is not dropped as a slow reader. A client that never reads only
    // holds the paste up to OPERATOR_STALL_MS; then the rest goes and it is dropped.
    if (server.outputBacklogBytes() > flags.maxOutput / 2) {
      stdin.pause()
      const since = Date.now()
      const check = setInterval(() => {
        if (server.outputBacklogBytes() <= flags.maxOutput / 8 || Date.now() - since > OPERATOR_STALL_MS || ctx.io.signal.aborted) {
          clearInterval(check)
          stdin.resume()
        }
      }, 20)
    }
  }
  const onEnd = () => {
    for (const line of splitter.end()) onLine(line)
    // A pipe that ran out (or Ctrl-D; Ctrl-Z, Enter on Windows) ends the operator's input, not the chat.
    note(ctx.t.chatServer.stdinClosed)
  }
  stdin.on('data', onData)
  stdin.on('end', onEnd)
  stdin.on('error', () => { /* an unreadable stdin only means the operator cannot type */ })
  return () => {
    stdin.off('data', onData)
    stdin.off('end', onEnd)
    stdin.pause()
  }
}

/** Longest the operator's input waits for the clients to read what was said, ms. */
const OPERATOR_STALL_MS = 10_000

/** One line the operator typed: a command of theirs, or something to say. */
const operatorLine = (ctx: CliContext, server: ChatServer, text: string, note: (text: string) => void): void => {
  const t = ctx.t.chatServer
  const command = /^\/(who|kick|help)\b\s*(.*)$/i.exec(text.trim())
  if (!command) {
    // "/me" with nothing to do: the clients' usage answer, not "unknown command" nor the text "/me ".
    if (/^\/me$/i.test(text.trim())) {
      note(t.meUsage)
      return
    }
    if (/^\/(?!\/|me\s)/i.test(text)) {
      note(t.unknownCommand({ command: text.split(/\s/)[0]! }))
      return
    }
    server.say(text.startsWith('//') ? text.slice(1) : text)
    return
  }
  const [, name, argument] = command
  switch (name!.toLowerCase()) {
    case 'who':
      note(t.hereNow({ operator: server.who()[0]!, present: server.present().map(p => `${p.name} #${p.id}`) }))
      break
    case 'kick':
      if (!server.kick(argument!.trim())) {
        const target = argument!.trim()
        note(target.startsWith('#') ? t.nobodyWithId({ target }) : t.nobodyCalled({ target }))
      }
      break
    default:
      note(t.operatorHelp)
  }
}

const printJson = (ctx: CliContext) => {
  const log = lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))
  return {
    ...ndjsonPrinter<ChatServerEvent, ChatSummary>(ctx),
    // Answers to the operator's own commands are for a person: stderr, even in --json mode.
    note: (text: string) => log(text),
  }
}

/** The human printer's tools: the catalogue, colours, the stderr writer and connection tags. */
const humanKit = (ctx: CliContext) => {
  const err = styleFor(ctx, ctx.io.stderr)
  const t = ctx.t.chatServer
  /** `127.0.0.1:5000`, or words for a peer that reset before its address could be read. */
  const peer = (address: string, port: number): string => address === '' ? t.goneClient : formatAddress(address, port)
  return { ctx, t, err, peer, log: lineWriter(ctx.io.stderr, err), tag: (id: number) => err.cyan(`[#${id}]`) }
}
type HumanKit = ReturnType<typeof humanKit>

const printListening = ({ ctx, t, err, log }: HumanKit, e: Extract<ChatServerEvent, { type: 'listening' }>,
  flags: ChatServerFlags, filter: FilterWords): void => {
  log(t.listening({ where: formatAddress(e.address, e.port), em: err.green }))
  log(t.joinWith({ host: e.reachable[0] ?? e.address, port: e.port }))
  log(t.youAre({ name: flags.name }))
  const lang = ctx.f.lang
  if (lang !== 'en') log(t.clientLanguage({ language: t.languageNames[lang], code: lang }))
  const described = filter.describe()
  if (described !== '') log(t.filter({ filter: described }))
  const unmatchable = filter.unmatchable(e.address)
  if (unmatchable) log(t.warning({ text: unmatchable, em: err.yellow }))
}

/** The transcript is data: stdout, one line per message, like what clients see. */
const printMessage = (ctx: CliContext, flags: ChatServerFlags, e: Extract<ChatServerEvent, { type: 'message' }>): void => {
  const out = styleFor(ctx, ctx.io.stdout)
  let stamp = ''
  if (flags.timestamps) {
    const d = new Date()
    stamp = `[${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}] `
  }
  ctx.io.stdout.write(e.action ? `${stamp}~ ${out.bold(e.from)} ${e.text}\n` : `${stamp}${out.bold(e.from)}: ${e.text}\n`)
}

/** Someone who had named themselves left, or someone who had not yet disconnected. */
const printLeaving = ({ t, err, log, tag, peer }: HumanKit, e: Extract<ChatServerEvent, { type: 'left' | 'disconnected' }>): void => {
  if (e.type === 'disconnected') {
    log(t.disconnected({ tag: tag(e.id), from: peer(e.remoteAddress, e.remotePort), why: t.leaveReasons[e.reason] }))
    return
  }
  const why = e.reason === 'closed' || e.reason === 'quit' ? '' : t.leaveReasons[e.reason]
  const line = t.left({ name: e.name, why, durationMs: e.durationMs, messages: e.messages })
  log(`${tag(e.id)} ${e.reason === 'reset' || e.reason === 'error' || e.reason === 'flood' || e.reason === 'slow-reader' ? err.red(line) : line}`)
}

/** One stderr line about a client, or none. */
const printClientEvent = (kit: HumanKit, e: ChatServerEvent, filter: FilterWords): void => {
  const { t, err, log, tag, peer } = kit
  switch (e.type) {
    case 'connected':
      log(t.connected({ tag: tag(e.id), from: peer(e.remoteAddress, e.remotePort), active: e.active }))
      break
    case 'refused':
      log(t.refused({ from: peer(e.remoteAddress, e.remotePort), limit: e.limit, em: err.yellow }))
      break
    case 'denied':
      log(t.denied({
        from: peer(e.remoteAddress, e.remotePort), because: filter.because(e.remoteAddress), em: err.yellow,
      }))
      break
    case 'name-rejected':
      log(t.nameRejected({ tag: tag(e.id), attempt: preview(Buffer.from(e.attempt), 64), problem: e.problem }))
      break
    case 'joined':
      log(t.joined({ tag: tag(e.id), name: e.name, requested: e.requestedName, present: e.present, historySent: e.historySent, em: err.green }))
      break
    case 'nick':
      log(t.nick({ tag: tag(e.id), from: e.from, to: e.to }))
      break
    case 'line-truncated':
      log(t.lineCut({ tag: tag(e.id), who: e.name ?? t.aClient, limitBytes: e.limitBytes, em: err.yellow }))
      break
    case 'unterminated-line':
      log(t.noNewline({ tag: tag(e.id), who: e.name ?? t.aClient, waitedMs: e.waitedMs, em: err.yellow }))
      break
    case 'flood-throttled':
      log(t.flood({ tag: tag(e.id), who: e.name ?? t.aClient, linesPerSecond: e.linesPerSecond, em: err.yellow }))
      break
    case 'left':
    case 'disconnected':
      printLeaving(kit, e)
      break
    case 'server-error':
      log(t.serverError({ code: e.code, message: e.message, em: err.red }))
      break
  }
}

const printHuman = (ctx: CliContext, flags: ChatServerFlags, filter: FilterWords) => {
  const kit = humanKit(ctx)
  return {
    event: (e: ChatServerEvent): void => {
      if (e.type === 'listening') printListening(kit, e, flags, filter)
      else if (e.type === 'message') printMessage(ctx, flags, e)
      else printClientEvent(kit, e, filter)
    },
    summary: (s: ChatSummary): void => {
      kit.log(kit.t.closed({
        ...s, operator: flags.name, participants: s.participants.map(p => kit.t.participant({ name: p.name, messages: p.messages })),
      }))
    },
    note: (text: string) => kit.log(text),
  }
}
