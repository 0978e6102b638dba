import { udpFamilyOf } from '../../net/snmp.js'
import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_UDP_WAIT_MS, MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6 } from '../../core/constants.js'
import { invalidArg } from '../../core/errors.js'
import { parsePort, parsePositiveInt, unescapeBytes, parseHost, parseMilliseconds, parseRate } from '../../core/parse.js'
import type { UdpMessage, UdpSendEvent, UdpSendResult } from '../../clients/udp-send.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { eofKey, lineWriter, styleFor, typedInput, warnUnknownEscapes, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { datagramShown } from '../render/format.js'
import { describeRecvBuffer } from '../recv-buffer.js'
import { EN } from '../../i18n/index.js'

interface UdpSendFlags {
  count: number
  interval?: number
  rate?: number
  size?: number
  seq?: boolean
  wait: number
  quiet?: boolean
  anySource?: boolean
  rcvbuf?: number
  raw?: boolean
}

const parseSize = (value: string): number => {
  const size = parsePositiveInt(value, 'size')
  if (size > MAX_UDP_PAYLOAD_IPV6) {
    throw invalidArg('udpSendSizeOverLimit', { size, ipv4: MAX_UDP_PAYLOAD_IPV4, ipv6: MAX_UDP_PAYLOAD_IPV6 }, { value })
  }
  return size
}

/** `platform`: process.platform unless a test says otherwise; it decides the 'port unreachable' wording. */
export const makeUdpSendCommand = (ctx: CliContext, platform: NodeJS.Platform = process.platform): Command => {
  const help = ctx.t.udpSend.help
  const windows = platform === 'win32'
  const command = new Command('udp-send')
    .summary(help.summary)
    .description(help.description({ windows }))
    .argument('<host>', help.host, argParser(v => parseHost(v)))
    .argument('<port>', help.port, argParser(v => parsePort(v)))
    .argument('[message]', help.message({ escapes: ctx.t.cli.escapes }))
    .option('--count <n>', help.count, argParser(v => parsePositiveInt(v, 'count')), 1)
    .addOption(new Option('--interval <ms>', help.interval)
      .argParser(argParser(v => parseMilliseconds(v, 'interval', { zero: help.intervalZero }))).conflicts('rate'))
    .addOption(new Option('--rate <per-second>', help.rate)
      .argParser(argParser(v => parseRate(v, 'rate'))))
    .option('--size <bytes>', help.size({ ipv4: MAX_UDP_PAYLOAD_IPV4, ipv6: MAX_UDP_PAYLOAD_IPV6 }), argParser(parseSize))
    .option('--seq', help.seq)
    .option('--wait <ms>', help.wait, argParser(v => parseMilliseconds(v, 'wait', { zero: help.waitZero })), DEFAULT_UDP_WAIT_MS)
    .option('--any-source', help.anySource({ windows }))
    .option('--rcvbuf <bytes>', help.rcvbuf, argParser(v => parsePositiveInt(v, 'rcvbuf')))
    .option('--raw', help.raw)
    .option('--quiet', help.quiet)
    .addHelpText('after', help.examples({ windows }))
    .action((host: string, port: number, message: string | undefined, flags: UdpSendFlags, cmd: Command) =>
      runAction(ctx, async () => {
        refuseMessageWords('udp-send', cmd.args)
        return udpSendAction(ctx, { host, port, message, flags, platform })
      },
        { host, port, serverCommand: 'udp-server', transport: 'udp' }))
  // Extra words are refused by the action, which can say to quote them. main() copies the
  // root's settings (no excess arguments) into each command, so this is set after that.
  const inherit = command.copyInheritedSettings.bind(command)
  command.copyInheritedSettings = parent => inherit(parent).allowExcessArguments(true)
  return command
}

/**
 * `udp-send 127.0.0.1 9000 hola mundo`: the shell split the message into words; a usage
 * error that says to quote it, rather than commander's "too many arguments".
 */
export const refuseMessageWords = (command: string, args: string[]): void => {
  if (args.length <= 3) return
  throw invalidArg('messageWords', { command, host: args[0]!, port: args[1]!, words: args.slice(2) })
}

interface UdpSendRun { host: string; port: number; message: string | undefined; flags: UdpSendFlags; platform: NodeJS.Platform }

/** Send, print each event, then the summary (also after a failure); the exit code. */
const udpSendAction = async (ctx: CliContext, run: UdpSendRun): Promise<number> => {
  const { host, port, message, flags, platform } = run
  const { udpSend } = await import('../../clients/udp-send.js')
  const messages = await messagesToSend(ctx, message, flags)
  const print = printHuman(ctx, flags, message === undefined, platform)
  let result: UdpSendResult
  try {
    result = await udpSend({
      host, port, messages,
      count: flags.count,
      ...(flags.interval !== undefined ? { intervalMs: flags.interval } : {}),
      ...(flags.rate !== undefined ? { ratePerSecond: flags.rate } : {}),
      ...(flags.size !== undefined ? { sizeBytes: flags.size } : {}),
      ...(flags.rcvbuf !== undefined ? { recvBufferSize: flags.rcvbuf } : {}),
      seq: Boolean(flags.seq),
      anySource: Boolean(flags.anySource),
      waitMs: flags.wait,
      // Someone typing lines may start the server next: a refusal must not end the session
      // and leave their next line to the shell.
      keepGoingWhenRefused: message === undefined && Boolean(ctx.io.stdin.isTTY),
      signal: ctx.io.signal,
      // --quiet prints no per-datagram line: spare building its preview at high rates.
      sentEvents: !flags.quiet,
      onEvent: print.event,
    })
  } catch (e) {
    // Failed after sending began (port unreachable…): what was sent and received first,
    // then runAction's one sentence. With a message argument the number planned is known.
    const partial = (e as { result?: UdpSendResult }).result
    if (partial) print.summary(partial, { failed: true, ...(message !== undefined ? { planned: flags.count } : {}) })
    throw e
  }
  if (message === undefined && result.sent === 0 && result.notSent === 0 && !result.aborted) {
    // A forgotten message argument in a script must not pass for a successful run.
    throw invalidArg('udpSendEmptyStdin', {})
  }
  print.summary(result)
  if (result.aborted) return EXIT_INTERRUPTED
  return result.notSent > 0 ? EXIT_FAILURE : EXIT_OK
}

/** The message argument as one datagram (checked against --size and the UDP limit), or stdin's lines. */
const messagesToSend = async (ctx: CliContext, message: string | undefined, flags: UdpSendFlags): Promise<Iterable<Uint8Array> | AsyncIterable<UdpMessage>> => {
  const { datagramLines } = await import('../../clients/udp-send.js')
  if (message === undefined) return datagramLines(typedInput(ctx.io.stdin))
  const { seqPrefixBytes } = await import('../../core/seq-prefix.js')
  const bytes = unescapeBytes(message)
  warnUnknownEscapes(ctx, '[message]', message)
  const datagramBytes = bytes.length + (flags.seq ? seqPrefixBytes(flags.count) : 0)
  if (flags.size !== undefined && datagramBytes > flags.size) {
    throw invalidArg('udpSendMessageOverSize', { bytes: datagramBytes, seq: Boolean(flags.seq), size: flags.size })
  }
  if (datagramBytes > MAX_UDP_PAYLOAD_IPV6) {
    throw invalidArg('udpSendMessageOverLimit', { bytes: datagramBytes, ipv4: MAX_UDP_PAYLOAD_IPV4, ipv6: MAX_UDP_PAYLOAD_IPV6 })
  }
  return [bytes]
}

/**
 * Replies the run can show were missing: numbers without a numbered reply with --seq,
 * otherwise fewer replies than datagrams sent (a server may answer one datagram with
 * several, so this is a lower bound, 0 when replies outnumber datagrams).
 */
const missingReplies = (r: UdpSendResult): number =>
  r.seq ? r.seq.lost ?? 0 : Math.max(0, r.sent - r.replies)

/** Ascending numbers as runs: `2, 5–9, 12`. */
const formatRuns = (numbers: number[], num: (n: number) => string): string => {
  const runs: string[] = []
  for (let i = 0; i < numbers.length;) {
    let j = i
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++
    runs.push(j === i ? num(numbers[i]!) : `${num(numbers[i]!)}–${num(numbers[j]!)}`)
    i = j + 1
  }
  return runs.join(', ')
}

/**
 * The summary line when nothing came back. On a connected socket outside Windows no
 * 'port unreachable' came either, which is the evidence something may be listening and
 * answering from another port: --any-source is suggested. Windows hides refusals, so
 * there that evidence does not exist.
 */
export const noReplySentence = (
  r: Pick<UdpSendResult, 'remoteAddress' | 'remotePort' | 'connected' | 'aborted'>, platform: NodeJS.Platform, t = EN(),
): string =>
  t.udpSend.noReply({ target: formatAddress(r.remoteAddress, r.remotePort), connected: r.connected, aborted: r.aborted, windows: platform === 'win32' })

/** UDP's limit for the family — and macOS's lower default (net.inet.udp.maxdgram), which refuses more with EMSGSIZE. */
export const datagramLimit = (maxBytes: number, platform: NodeJS.Platform, t = EN()): string =>
  t.udpSend.datagramLimit({ maxBytes, macos: platform === 'darwin' })

/** The stderr lines of a run: one per event, and the summary at the end. */
const printHuman = (ctx: CliContext, flags: UdpSendFlags, fromStdin: boolean, platform: NodeJS.Platform) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  /** Replies from somewhere other than the target (--any-source), by address, with counts. */
  const otherSources = new Map<string, number>()
  /** The input ended and the wait began: nothing was left unsent when a failure ended the run. */
  let waitBegan = false
  const lines: SummaryLines = { ctx, style, log, flags, fromStdin, platform, otherSources, waitBegan: () => waitBegan }
  return {
    event: (e: UdpSendEvent): void => {
      if (e.type === 'waiting') waitBegan = true
      eventLine(lines, e)
    },
    summary: (r: UdpSendResult, opts: SummaryOptions = {}): void => summaryLines(lines, r, opts),
  }
}

interface SummaryLines {
  ctx: CliContext
  style: ReturnType<typeof styleFor>
  log: ReturnType<typeof lineWriter>
  flags: UdpSendFlags
  fromStdin: boolean
  platform: NodeJS.Platform
  otherSources: Map<string, number>
  waitBegan: () => boolean
}
interface SummaryOptions { failed?: boolean; planned?: number }

/** One event: its stderr line(s), and a reply's bytes on stdout. */
const eventLine = (p: SummaryLines, e: UdpSendEvent): void => {
  const { ctx, style, log, flags } = p
  const m = ctx.t.udpSend
  switch (e.type) {
    case 'ready':
      return readyLines(p, e)
    case 'sent':
      if (!flags.quiet) log(m.sent({ arrow: style.cyan('→'), ...(e.seq !== undefined ? { seq: e.seq } : {}), bytes: e.bytes, shown: datagramShown(e.bytes, e.preview, style, ctx.t.common.emptyDatagram) }))
      return
    case 'not-sent':
      return log(style.red(m.notSent({
        ...(p.fromStdin ? { line: e.messageIndex } : {}), bytes: e.bytes, datagramBytes: e.datagramBytes, overSize: e.reason === 'over-size', limitBytes: e.limitBytes,
      })))
    case 'reply': {
      const source = formatAddress(e.remoteAddress, e.remotePort)
      if (!e.fromTarget) p.otherSources.set(source, (p.otherSources.get(source) ?? 0) + 1)
      // stdout and stderr on one terminal: the bytes below are the preview, so the event
      // line only announces them (each reply shown once), and comes first.
      const sameScreen = Boolean(ctx.io.stdout.isTTY && ctx.io.stderr.isTTY)
      const shown = sameScreen && e.bytes > 0 ? ':' : datagramShown(e.bytes, e.preview, style, ctx.t.common.emptyDatagram)
      if (!flags.quiet) log(m.reply({ arrow: style.green('←'), source, fromTarget: e.fromTarget, mark: style.yellow, bytes: e.bytes, shown }))
      ctx.io.stdout.write(e.data)
      // One datagram per line, so datagram boundaries stay visible ("hola", "mundo", not
      // "holamundo"); --raw keeps the bytes exactly as they came.
      if (!flags.raw && e.data[e.data.length - 1] !== 0x0a) ctx.io.stdout.write('\n')
      return
    }
    case 'waiting':
      return log(m.waiting({ waitMs: e.waitMs }))
    case 'refused':
      return log(style.yellow(m.refusedGoingOn({ target: formatAddress(e.remoteAddress, e.remotePort) })))
  }
}

/** Where the datagrams go from, the datagram limit, the receive buffer, and how to type. */
const readyLines = ({ ctx, log, fromStdin, platform }: SummaryLines, e: Extract<UdpSendEvent, { type: 'ready' }>): void => {
  const m = ctx.t.udpSend
  const remote = formatAddress(e.remoteAddress, e.remotePort)
  const limit = datagramLimit(e.maxDatagramBytes, platform, ctx.t)
  if (e.connected) {
    log(m.readyConnected({ remote, local: formatAddress(e.localAddress, e.localPort), family: e.family, limit }))
  } else {
    const everywhere = e.localAddress === '0.0.0.0' || e.localAddress === '::'
    log(m.readyAnySource({ remote, localPort: e.localPort, ...(everywhere ? {} : { localAddress: e.localAddress }), family: e.family, limit }))
    log(m.anySourceNote({ windows: platform === 'win32' }))
  }
  if (e.requestedRecvBufferSize !== undefined) log(describeRecvBuffer(e.recvBufferSize, e.requestedRecvBufferSize, e.recvBufferRefused))
  if (fromStdin && ctx.io.stdin.isTTY) log(m.typeLines({ eofKey: eofKey(process.platform, ctx.t) }))
}

/** Totals, what a failure left unsent, foreign sources, --seq, kernel drops, and "no reply". */
const summaryLines = (p: SummaryLines, r: UdpSendResult, opts: SummaryOptions): void => {
  const { ctx, style, log, flags, fromStdin, otherSources } = p
  const m = ctx.t.udpSend
  const target = formatAddress(r.remoteAddress, r.remotePort)
  log(m.totals({ ...(r.aborted ? { interrupted: style.yellow } : {}), ...r, target, red: style.red }))
  paceLines(p, r)
  // A failure (port unreachable…) ends the run at once: the rest of --count was never sent.
  if (opts.failed && opts.planned !== undefined && r.sent < opts.planned) {
    log(style.yellow(m.stoppedPlanned({ unsent: opts.planned - r.sent, planned: opts.planned })))
  } else if (opts.failed && fromStdin && !p.waitBegan()) {
    log(style.yellow(m.stoppedStdin))
  }
  if (otherSources.size > 0) {
    const sources = [...otherSources].slice(0, 5).map(([source, count]) => ({ source, count }))
    log(m.otherSources({ replies: r.repliesFromOthers, target, sources, more: otherSources.size > 5 }))
  }
  if (r.seq) seqLines(p, r, opts)
  if (r.kernelDrops) kernelDropLines(p, r)
  // Not with --wait 0: replies were not waited for.
  if (r.replies === 0 && r.sent > 0 && !opts.failed && flags.wait > 0) log(noReplySentence(r, p.platform, ctx.t))
}

/** The rate asked and reached, the lag behind schedule, and whether the machine kept up. */
const paceLines = ({ ctx, style, log, fromStdin }: SummaryLines, r: UdpSendResult): void => {
  const m = ctx.t.udpSend
  const { askedRate: asked, achievedRate: achieved, lag, refusals } = r.sending
  // Typed lines go at the pace of the typing: no rate to speak of unless one was asked.
  const typed = fromStdin && Boolean(ctx.io.stdin.isTTY) && asked === null
  if (achieved !== null && !typed) {
    log(m.pace({ asked, achieved, ...(lag ? { lagMaxMs: lag.maxMs, lagP99Ms: lag.p99Ms } : {}) }))
    // Cut short, the last datagrams were never due: only a whole run can fall short.
    if (asked !== null && achieved < asked * 0.99 && !r.aborted) log(style.yellow(m.paceShort({ asked, achieved })))
  }
  if (refusals > 0) log(m.sendRefusals({ refusals }))
}

/** The --seq summary: answered, lost (or unanswered when cut short), duplicates, reordering. */
const seqLines = ({ ctx, style, log }: SummaryLines, r: UdpSendResult, opts: SummaryOptions): void => {
  const m = ctx.t.udpSend
  const s = r.seq!
  if (s.lost === null) {
    log(m.seqNoPrefix({ sent: s.sent, replies: r.replies }))
    return
  }
  // Stopped early (Ctrl-C, or the host said nothing listens), the wait did not run its
  // course: unanswered is all that can be said — loss means no reply within the wait.
  const cutShort = r.aborted || opts.failed === true
  const stop = cutShort ? (r.aborted ? 'stopped' as const : 'ended' as const) : undefined
  const missing = m.seqMissing({ lost: s.lost, ...(stop && s.lost ? { stop } : {}) })
  const { matched, sent, duplicates, reordered, maxReorderExtent, unnumbered, unknown } = s
  const shown = style[s.lost ? (cutShort ? 'yellow' : 'red') : 'green'](missing)
  log(m.seqLine({ matched, sent, missing: shown, duplicates, reordered, maxReorderExtent, unnumbered, unknown }))
  if (s.merged) log(m.seqMerged({ merged: s.merged, runs: formatRuns(s.mergedSeqs, n => ctx.f.num(n)), more: s.mergedSeqs.length >= 100 }))
  if (s.lost) {
    log(m.seqLost({ ...(stop ? { stop } : {}), runs: formatRuns(s.lostSeqs, n => ctx.f.num(n)), more: s.lost > s.lostSeqs.length, unnumbered: s.unnumbered }))
  }
}

/**
 * Kernel receive-buffer drops, only when replies are (or may be) missing: the counter is
 * machine-wide, and on a busy machine it rises for other programs too.
 */
const kernelDropLines = ({ ctx, style, log }: SummaryLines, r: UdpSendResult): void => {
  const m = ctx.t.udpSend
  const drops = r.kernelDrops!
  // The counter of our datagrams' family: Udp6 for an IPv6 target.
  const counter = m.kernelCounter({ ipv6: udpFamilyOf(r.remoteAddress) === 'ipv6', drops })
  const missing = missingReplies(r)
  if (missing > 0) log(style.yellow(m.kernelMissing({ missing, drops, counter })))
  // More replies than datagrams: how many were due cannot be told, so some may be missing.
  else if (!r.seq && r.replies > r.sent) log(m.kernelMaybe({ drops, counter }))
}
