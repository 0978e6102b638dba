import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_PORT } from '../../core/constants.js'
import { invalidArg } from '../../core/errors.js'
import { parseHost, parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber, parseMilliseconds } from '../../core/parse.js'
import { checkName } from '../../core/sanitize.js'
import { preview } from '../../core/preview.js'
// Only the language list and its parser (no sockets): --help stays as light as before.
import { parseChatLanguage, type ChatLanguage } from '../../chat/chat-messages.js'
import type { ChatLeaveReason, ChatServer, ChatServerEvent, ChatSummary } from '../../chat/chat-server.js'
import type { SplitLine } from '../../core/line-splitter.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, announceStopping, jsonWriter, lineWriter, styleFor, typedInput, type CliContext } from '../io.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { formatDuration, plural } from '../render/format.js'

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
  lang: ChatLanguage
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
    .option('--lang <en|es|pt>', ctx.t.chatServer.help.options.lang,
      argParser(parseChatLanguage), DEFAULTS.lang)
    .option('--json', ctx.t.chatServer.help.options.json))
    .addHelpText('after', ctx.t.chatServer.help.examples)
    .action((port: number, flags: ChatServerFlags) => runAction(ctx, async () => {
      const { ChatServer } = await import('../../chat/chat-server.js')
      const { LineSplitter } = await import('../../core/line-splitter.js')
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, addressFilter)
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
        lang: flags.lang,
        onEvent: print.event,
      })
      await server.listen()

      // The operator's keyboard (or a pipe): each line is said to everyone or is a command.
      const stdin = typedInput(ctx.io.stdin)
      const splitter = new LineSplitter(flags.maxLine)
      const onLine = (line: SplitLine) => {
        // Told like a client is (lineTruncated): a silent cut would look like a lost tail.
        if (line.truncated) print.note(`your line was longer than ${flags.maxLine} bytes; only the first ${line.bytes.length} were sent`)
        operatorLine(server, line.bytes.toString('utf8'), print.note)
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
        print.note('stdin closed: you can no longer type, but the chat goes on — Ctrl-C to stop it')
      }
      stdin.on('data', onData)
      stdin.on('end', onEnd)
      stdin.on('error', () => { /* an unreadable stdin only means the operator cannot type */ })

      await aborted(ctx.io.signal)
      stdin.off('data', onData)
      stdin.off('end', onEnd)
      stdin.pause()
      announceStopping(ctx, server.activeConnections, DEFAULT_CLOSE_GRACE_MS)
      print.summary(await server.close())
      return EXIT_INTERRUPTED
    }, { host: flags.host, port, serverCommand: 'chat-server' }, flags.json ? JSON_ERROR_EVENT : undefined))

/** Longest the operator's input waits for the clients to read what was said, ms. */
const OPERATOR_STALL_MS = 10_000

/** One line the operator typed: a command of theirs, or something to say. */
const operatorLine = (server: ChatServer, text: string, note: (text: string) => void): void => {
  const command = /^\/(who|kick|help)\b\s*(.*)$/i.exec(text.trim())
  if (!command) {
    // "/me" with nothing to do: the clients' usage answer, not "unknown command" nor the text "/me ".
    if (/^\/me$/i.test(text.trim())) {
      note('usage: /me <action>, e.g. /me waves')
      return
    }
    if (/^\/(?!\/|me\s)/i.test(text)) {
      note(`unknown command ${text.split(/\s/)[0]}: /who, /kick <name or #id>, /me <action>; start with // to say a line beginning with "/"`)
      return
    }
    server.say(text.startsWith('//') ? text.slice(1) : text)
    return
  }
  const [, name, argument] = command
  switch (name!.toLowerCase()) {
    case 'who':
      note(`here now: ${[`${server.who()[0]!} (you)`, ...server.present().map(p => `${p.name} #${p.id}`)].join(', ')}`)
      break
    case 'kick':
      if (!server.kick(argument!.trim())) note(`nobody ${argument!.trim().startsWith('#') ? 'with connection id' : 'called'} "${argument!.trim()}" is here (/who lists them; #id is the [#N] in the event lines)`)
      break
    default:
      note('type a line to say it to everyone; /me <action>; /who lists people; /kick <name> or /kick #id removes one; Ctrl-C ends the chat')
  }
}

const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  return {
    event: (e: ChatServerEvent) => write({ event: e.type, ...e, type: undefined }),
    summary: (s: ChatSummary) => write({ event: 'summary', ...s }),
    // Answers to the operator's own commands are for a person: stderr, even in --json mode.
    note: (text: string) => log(text),
  }
}

const printHuman = (ctx: CliContext, flags: ChatServerFlags, addressFilter: AddressFilter | undefined) => {
  const err = styleFor(ctx, ctx.io.stderr)
  const out = styleFor(ctx, ctx.io.stdout)
  const log = lineWriter(ctx.io.stderr, err)
  const tag = (id: number) => err.cyan(`[#${id}]`)
  const stamp = () => {
    if (!flags.timestamps) return ''
    const d = new Date()
    return `[${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}] `
  }
  return {
    event: (e: ChatServerEvent): void => {
      switch (e.type) {
        case 'listening': {
          const where = formatAddress(e.address, e.port)
          log(`${err.green('chat listening')} on ${where} (TCP, one line per message)`)
          const host = e.reachable[0] ?? e.address
          log(`join with: nc ${host} ${e.port}   (or telnet ${host} ${e.port}, or sockkit tcp-client ${host} ${e.port})`)
          log(`you are "${flags.name}": type a line to talk to everyone; /who, /kick <name or #id>, /help`)
          if (flags.lang !== 'en') log(`clients are told things in ${LANGUAGE_NAMES[flags.lang]} (--lang ${flags.lang}); these lines stay in English`)
          if (addressFilter) log(`${describeAddressFilter(addressFilter)}; filtered peers are closed at once`)
          const unmatchable = unmatchableAllow(addressFilter, e.address)
          if (unmatchable) log(err.yellow(`warning: ${unmatchable}`))
          break
        }
        case 'connected':
          log(`${tag(e.id)} connected from ${formatAddress(e.remoteAddress, e.remotePort)}; asked for a name (${e.active} connected)`)
          break
        case 'refused':
          log(`${err.yellow('refused')} ${formatAddress(e.remoteAddress, e.remotePort)}: the chat is full (${e.limit} ${e.limit === 1 ? 'person' : 'people'}); told them politely`)
          break
        case 'denied':
          log(`${err.yellow('denied')} ${e.remoteAddress === '' ? 'a client that had already left' : formatAddress(e.remoteAddress, e.remotePort)} ` +
            `(${deniedBecause(addressFilter, e.remoteAddress)}); closed at once`)
          break
        case 'name-rejected':
          log(`${tag(e.id)} name "${preview(Buffer.from(e.attempt), 64)}" not accepted (${e.problem}); asked again`)
          break
        case 'joined':
          log(`${tag(e.id)} ${err.green(`* ${e.name} joined`)}` +
            (e.name !== e.requestedName ? ` (asked for ${e.requestedName}, which was taken)` : '') +
            ` — ${plural(e.present, 'person', 'people')} here, ${plural(e.historySent, 'history message')} sent`)
          break
        case 'message':
          // The transcript is data: stdout, one line per message, like what clients see.
          ctx.io.stdout.write(e.action
            ? `${stamp()}~ ${out.bold(e.from)} ${e.text}\n`
            : `${stamp()}${out.bold(e.from)}: ${e.text}\n`)
          break
        case 'nick':
          log(`${tag(e.id)} * ${e.from} is now ${e.to}`)
          break
        case 'line-truncated':
          log(`${tag(e.id)} ${err.yellow('line cut')}: ${e.name ?? 'a client'} sent more than ${e.limitBytes} bytes in one line; told them`)
          break
        case 'unterminated-line':
          log(`${tag(e.id)} ${err.yellow('no newline')}: ${e.name ?? 'a client'} sent a line without "\\n"; taken after ${e.waitedMs} ms`)
          break
        case 'flood-throttled':
          log(`${tag(e.id)} ${err.yellow('flood')}: ${e.name ?? 'a client'} is sending more than ${e.linesPerSecond} lines/s; holding their lines back`)
          break
        case 'left': {
          const why = e.reason === 'closed' || e.reason === 'quit' ? '' : ` (${LEAVE_REASON_TEXT[e.reason]})`
          const line = `* ${e.name} left${why} after ${formatDuration(e.durationMs)}, ${plural(e.messages, 'message')}`
          log(`${tag(e.id)} ${e.reason === 'reset' || e.reason === 'error' || e.reason === 'flood' || e.reason === 'slow-reader' ? err.red(line) : line}`)
          break
        }
        case 'disconnected':
          log(`${tag(e.id)} ${formatAddress(e.remoteAddress, e.remotePort)} left before giving a name (${LEAVE_REASON_TEXT[e.reason]})`)
          break
        case 'server-error':
          log(`${err.red('server error')} ${e.code}: ${e.message} (still listening)`)
          break
      }
    },
    summary: (s: ChatSummary): void => {
      const people = s.participants.map(p => `${p.name} (${plural(p.messages, 'message')})`)
      log(`chat closed after ${formatDuration(s.durationMs)}: ` +
        (people.length ? `${plural(people.length, 'person', 'people')} took part: ${people.join(', ')}` : 'nobody joined') +
        `; ${plural(s.messages, 'message')} in all, ${s.operatorMessages} from ${flags.name}` +
        (s.refused ? `; ${s.refused} refused (full)` : '') + (s.denied ? `; ${s.denied} denied` : '') + (s.dropped ? `; ${s.dropped} disconnected for flooding or not reading` : ''))
    },
    note: (text: string) => log(text),
  }
}

/** For the operator's "clients are told things in …" line. */
const LANGUAGE_NAMES: Record<ChatLanguage, string> = { en: 'English', es: 'Spanish', pt: 'Portuguese' }

/** Why someone left, in the words the event lines use (not the library's identifiers). */
const LEAVE_REASON_TEXT: Record<ChatLeaveReason, string> = {
  'quit': 'said /quit',
  'closed': 'closed the connection',
  'reset': 'connection reset',
  'error': 'connection error',
  'idle-timeout': 'idle too long',
  'name-timeout': 'gave no name in time',
  'flood': 'sent too fast for too long',
  'slow-reader': 'was not reading',
  'kicked': 'removed by the operator',
  'server-stopped': 'the chat was closed',
}
