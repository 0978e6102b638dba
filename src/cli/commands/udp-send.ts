import { udpFamilyOf } from '../../net/snmp.js'
import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_UDP_WAIT_MS, MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6 } from '../../core/constants.js'
import { invalidArg } from '../../core/errors.js'
import { ESCAPES_HELP, parsePort, parsePositiveInt, unescapeBytes, parseHost, parseMilliseconds, parseRate } from '../../core/parse.js'
import type { UdpSendEvent, UdpSendResult } from '../../clients/udp-send.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { eofKey, lineWriter, styleFor, typedInput, warnUnknownEscapes, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { datagramShown, formatBytes, formatDuration, plural } from '../render/format.js'
import { describeRecvBuffer } from '../recv-buffer.js'

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

/**
 * Windows never passes an ICMP "port unreachable" to a program (libuv ignores WSAECONNRESET
 * on UDP receives), so a closed port cannot be told from a silent server there.
 */
const WINDOWS_NO_REFUSAL = 'Windows does not tell programs about \'port unreachable\', so "nothing is listening" and "no reply" look the same here'

/** `platform`: process.platform unless a test says otherwise; it decides the 'port unreachable' wording. */
export const makeUdpSendCommand = (ctx: CliContext, platform: NodeJS.Platform = process.platform): Command =>
  new Command('udp-send')
    .summary('send datagrams and collect every reply within a wait')
    .description('Send UDP datagrams to HOST:PORT and print every reply that arrives.\n\n' +
      'Each message is one datagram. With no message, each line of stdin is one datagram, without its line ' +
      'ending: \\n, or \\r\\n as Windows writes it, is not sent (any other \\r is). Binary input is split the ' +
      'same way. To send bytes exactly, line endings included, give the message as an argument ' +
      '("hola\\r\\n" sends all 6 bytes). Empty stdin is a usage error (exit 2): nothing to send.\n\n' +
      'UDP has no end-of-stream, so after the last send it waits --wait ms and collects every reply: ' +
      'a server may answer one datagram with several. Replies go to stdout, one datagram per line: a ' +
      'newline is added after a reply that does not end with one, so two datagrams "hola" and "mundo" ' +
      'never print as "holamundo" (--raw writes the bytes exactly as received). Events and the summary ' +
      'go to stderr.\n\n' +
      (platform === 'win32'
        ? `Only replies from HOST:PORT itself are heard (a connected socket). ${WINDOWS_NO_REFUSAL}. ` +
          'A server that answers from another port — Java\'s new DatagramSocket(), for one — needs --any-source.\n\n'
        : 'Only replies from HOST:PORT itself are heard (a connected socket, which is also how "nothing is ' +
          'listening" is detected). A server that answers from another port — Java\'s new DatagramSocket(), ' +
          'for one — needs --any-source.\n\n') +
      'With --seq each datagram starts with "seq=<n> " (from 1) and the summary says which came back: ' +
      'matched, lost (no reply within the wait, RFC 7680; "unanswered when stopped" if Ctrl-C cut the run short), ' +
      'duplicated, reordered (RFC 4737). Replies ' +
      'without the prefix cannot tell loss; the summary says so instead of guessing.')
    .argument('<host>', 'host name or address to send to', argParser(v => parseHost(v)))
    .argument('<port>', 'port to send to', argParser(v => parsePort(v)))
    .argument('[message]', `text to send (escapes: ${ESCAPES_HELP}); stdin lines when omitted`)
    .option('--count <n>', 'send every message this many times', argParser(v => parsePositiveInt(v, 'count')), 1)
    .addOption(new Option('--interval <ms>', 'ms between datagrams (default: as fast as possible)')
      .argParser(argParser(v => parseMilliseconds(v, 'interval', { zero: 'back to back' }))).conflicts('rate'))
    .addOption(new Option('--rate <per-second>', 'datagrams per second, instead of --interval')
      .argParser(argParser(v => parseRate(v, 'rate'))))
    .option('--size <bytes>', `pad each datagram with '.' to exactly this size (at most ${MAX_UDP_PAYLOAD_IPV4} over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6)`,
      argParser(parseSize))
    .option('--seq', 'prefix each datagram with "seq=<n> " and report lost, duplicated and reordered replies')
    .option('--wait <ms>', 'after the last send, collect replies this long', argParser(v => parseMilliseconds(v, 'wait', { zero: 'no wait' })), DEFAULT_UDP_WAIT_MS)
    .option('--any-source', platform === 'win32'
      ? 'accept replies from any address and port, with an unconnected socket (default: only HOST:PORT is heard)'
      : 'accept replies from any address and port (an unconnected socket); ' +
        'a \'port unreachable\' cannot be detected in this mode (default: only HOST:PORT is heard)')
    .option('--rcvbuf <bytes>', 'ask the kernel for this socket receive buffer (SO_RCVBUF) and report what it granted ' +
      '(default: the system\'s)', argParser(v => parsePositiveInt(v, 'rcvbuf')))
    .option('--raw', 'write reply bytes to stdout exactly as received (default: a newline after each reply that lacks one)')
    .option('--quiet', 'no per-datagram lines on stderr (the summary still)')
    .addHelpText('after', `
Examples:
  # one datagram; each reply printed on its own line
  $ sockkit udp-send 127.0.0.1 9000 hola
  # two datagrams, one per stdin line
  $ printf 'hola\\nmundo\\n' | sockkit udp-send 127.0.0.1 9000
  # 100 numbered datagrams; a server answering from another port is heard
  $ sockkit udp-send 127.0.0.1 9000 hola --count 100 --seq --any-source

Event lines (stderr): "sent N bytes: preview", "reply from A, N bytes: preview",
"waiting …", then the summary. On Linux the summary also says when this
machine's kernel dropped datagrams because a receive buffer was full
(Udp RcvbufErrors in /proc/net/snmp, Udp6RcvbufErrors in /proc/net/snmp6
for IPv6; a machine-wide counter); --rcvbuf helps.
${platform === 'win32'
  ? `Exit codes: 0 done (lost replies included, and nothing listening: Windows
does not report a 'port unreachable'), 1 a message not sent, 2 bad command
line or empty stdin (nothing to send), 130 Ctrl-C (after the summary).`
  : `Exit codes: 0 done (lost replies included), 1 nothing listening (ICMP port
unreachable; the summary is printed first) or a message not sent, 2 bad
command line or empty stdin (nothing to send), 130 Ctrl-C (after the summary).`}`)
    .action((host: string, port: number, message: string | undefined, flags: UdpSendFlags) => runAction(ctx, async () => {
      const { udpSend, datagramLines } = await import('../../clients/udp-send.js')
      const { seqPrefixBytes } = await import('../../core/seq-prefix.js')
      let messages: Iterable<Uint8Array> | ReturnType<typeof datagramLines>
      if (message !== undefined) {
        const bytes = unescapeBytes(message)
        warnUnknownEscapes(ctx, '[message]', message)
        const datagramBytes = bytes.length + (flags.seq ? seqPrefixBytes(flags.count) : 0)
        if (flags.size !== undefined && datagramBytes > flags.size) {
          throw invalidArg('udpSendMessageOverSize', { bytes: datagramBytes, seq: Boolean(flags.seq), size: flags.size })
        }
        if (datagramBytes > MAX_UDP_PAYLOAD_IPV6) {
          throw invalidArg('udpSendMessageOverLimit', { bytes: datagramBytes, ipv4: MAX_UDP_PAYLOAD_IPV4, ipv6: MAX_UDP_PAYLOAD_IPV6 })
        }
        messages = [bytes]
      } else {
        messages = datagramLines(typedInput(ctx.io.stdin))
      }
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
          signal: ctx.io.signal,
          onEvent: print.event,
        })
      } catch (e) {
        // Failed after sending began (port unreachable…): what was sent and received first,
        // then runAction's one sentence.
        const partial = (e as { result?: UdpSendResult }).result
        // With a message argument the number planned is known: say how many were never sent.
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
    }, { host, port, serverCommand: 'udp-server', transport: 'udp' }))


/**
 * Replies the run can show were missing: numbers without a numbered reply with --seq,
 * otherwise fewer replies than datagrams sent (a server may answer one datagram with
 * several, so this is a lower bound, 0 when replies outnumber datagrams).
 */
const missingReplies = (r: UdpSendResult): number =>
  r.seq ? r.seq.lost ?? 0 : Math.max(0, r.sent - r.replies)

/** Ascending numbers as runs: `2, 5–9, 12`. */
const formatRuns = (numbers: number[]): string => {
  const runs: string[] = []
  for (let i = 0; i < numbers.length;) {
    let j = i
    while (j + 1 < numbers.length && numbers[j + 1] === numbers[j]! + 1) j++
    runs.push(j === i ? String(numbers[i]) : `${numbers[i]}–${numbers[j]}`)
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
export const noReplySentence = (r: Pick<UdpSendResult, 'remoteAddress' | 'remotePort' | 'connected' | 'aborted'>, platform: NodeJS.Platform): string => {
  const target = formatAddress(r.remoteAddress, r.remotePort)
  if (platform === 'win32') return `no reply from ${r.connected ? target : 'any address'}${r.aborted ? ' before the stop' : ''}: ${WINDOWS_NO_REFUSAL}`
  return r.connected
    ? `no reply from ${target}${r.aborted ? ' before the stop' : ''}: if the server answers from another port (Java's new DatagramSocket() does), use --any-source`
    : 'no reply from any address (with --any-source a \'port unreachable\' cannot be detected: nothing listening looks the same)'
}

/** UDP's limit for the family — and macOS's lower default (net.inet.udp.maxdgram), which refuses more with EMSGSIZE. */
export const datagramLimit = (maxBytes: number, platform: NodeJS.Platform): string =>
  `at most ${maxBytes} bytes per datagram` + (platform === 'darwin' ? '; macOS sends at most 9216 unless `sysctl net.inet.udp.maxdgram` is raised' : '')

const printHuman = (ctx: CliContext, flags: UdpSendFlags, fromStdin: boolean, platform: NodeJS.Platform) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  const { stdout } = ctx.io
  const what = (index: number) => fromStdin ? `line ${index}` : 'the message'
  /** Replies from somewhere other than the target (--any-source), by address, with counts. */
  const otherSources = new Map<string, number>()
  /** The input ended and the wait began: nothing was left unsent when a failure ended the run. */
  let waitBegan = false
  return {
    event: (e: UdpSendEvent): void => {
      switch (e.type) {
        case 'ready':
          if (e.connected) {
            log(`sending to ${formatAddress(e.remoteAddress, e.remotePort)} from ${formatAddress(e.localAddress, e.localPort)} ` +
              `(UDP over ${e.family}, ${datagramLimit(e.maxDatagramBytes, platform)})`)
          } else {
            const where = e.localAddress === '0.0.0.0' || e.localAddress === '::' ? 'every local address' : e.localAddress
            log(`sending to ${formatAddress(e.remoteAddress, e.remotePort)} from port ${e.localPort} on ${where} ` +
              `(UDP over ${e.family}, ${datagramLimit(e.maxDatagramBytes, platform)})`)
            log(platform === 'win32'
              ? `--any-source: replies from any address and port are accepted; ${WINDOWS_NO_REFUSAL}`
              : '--any-source: replies from any address and port are accepted; a \'port unreachable\' cannot be detected ' +
                'in this mode, so "nothing is listening" looks the same as "no reply"')
          }
          if (e.requestedRecvBufferSize !== undefined) log(describeRecvBuffer(e.recvBufferSize, e.requestedRecvBufferSize, e.recvBufferRefused))
          if (fromStdin && ctx.io.stdin.isTTY) log(`type lines: each one is sent as one datagram (the line ending is not sent); ${eofKey()} to finish`)
          break
        case 'sent':
          if (!flags.quiet) log(`${style.cyan('→')} sent ${e.seq !== undefined ? `seq ${e.seq}, ` : ''}${plural(e.bytes, 'byte')}${datagramShown(e.bytes, e.preview, style)}`)
          break
        case 'not-sent': {
          const prefixNote = e.datagramBytes !== e.bytes ? ` (${e.datagramBytes} with its seq= prefix)` : ''
          const why = e.reason === 'over-size'
            ? `longer than --size ${e.limitBytes}`
            : `over the ${e.limitBytes}-byte UDP limit`
          log(style.red(`${what(e.messageIndex)} is ${e.bytes} bytes${prefixNote}, ${why}; not sent`))
          break
        }
        case 'reply': {
          stdout.write(e.data)
          // One datagram per line, so datagram boundaries stay visible ("hola", "mundo", not
          // "holamundo"); --raw keeps the bytes exactly as they came.
          if (!flags.raw && e.data[e.data.length - 1] !== 0x0a) stdout.write('\n')
          const source = formatAddress(e.remoteAddress, e.remotePort)
          if (!e.fromTarget) otherSources.set(source, (otherSources.get(source) ?? 0) + 1)
          if (!flags.quiet) {
            log(`${style.green('←')} reply from ${source}${e.fromTarget ? '' : style.yellow(' (not the target)')}, ` +
              `${plural(e.bytes, 'byte')}${datagramShown(e.bytes, e.preview, style)}`)
          }
          break
        }
        case 'waiting':
          waitBegan = true
          log(`last datagram sent; collecting replies for ${formatDuration(e.waitMs)} (UDP has no end-of-stream; --wait changes this)`)
          break
      }
    },
    summary: (r: UdpSendResult, opts: { failed?: boolean; planned?: number } = {}): void => {
      const target = formatAddress(r.remoteAddress, r.remotePort)
      const stopped = r.aborted ? `${style.yellow('interrupted')}: ` : ''
      log(`${stopped}sent ${plural(r.sent, 'datagram')} (${formatBytes(r.bytesSent)}) to ${target}, ` +
        `received ${plural(r.replies, 'reply', 'replies')} (${formatBytes(r.bytesReceived)})` +
        (r.notSent ? `; ${style.red(`${r.notSent} not sent`)} (too long)` : ''))
      // A failure (port unreachable…) ends the run at once: the rest of --count was never sent.
      if (opts.failed && opts.planned !== undefined && r.sent < opts.planned) {
        log(style.yellow(`the run stopped there: ${opts.planned - r.sent} of ${plural(opts.planned, 'datagram')} not sent`))
      } else if (opts.failed && fromStdin && !waitBegan) {
        log(style.yellow('the run stopped there: any further stdin lines were not sent'))
      }
      if (otherSources.size > 0) {
        const sources = [...otherSources].slice(0, 5).map(([source, n]) => `${source} (${n})`).join(', ')
        log(`${plural(r.repliesFromOthers, 'reply', 'replies')} came from another address or port than the target ${target}: ` +
          `${sources}${otherSources.size > 5 ? ', …' : ''}`)
      }
      if (r.seq) {
        const s = r.seq
        if (s.lost === null) {
          log(`seq: the replies carried no seq= prefix (the server answered in its own words), so loss cannot be told ` +
            `from them: sent ${s.sent}, received ${plural(r.replies, 'reply', 'replies')}`)
        } else {
          // Stopped early (Ctrl-C, or the host said nothing listens), the wait did not run its
          // course: unanswered is all that can be said — loss means no reply within the wait.
          const cutShort = r.aborted || opts.failed === true
          const why = r.aborted ? 'when stopped' : 'when the run ended'
          const missing = cutShort && s.lost ? `${s.lost} unanswered ${why}` : `${s.lost} lost`
          log(`seq: ${s.matched} of ${s.sent} answered, ${style[s.lost ? (cutShort ? 'yellow' : 'red') : 'green'](missing)}, ` +
            `${plural(s.duplicates, 'duplicate')}, ${s.reordered} reordered` +
            (s.reordered ? ` (largest extent ${s.maxReorderExtent})` : '') +
            (s.unnumbered ? `, ${s.unnumbered} without a seq= prefix` : '') +
            (s.unknown ? `, ${s.unknown} with a number we never sent` : ''))
          if (s.lost) {
            log(`${cutShort ? `no reply yet ${why}` : 'lost (no reply within the wait)'}: ${formatRuns(s.lostSeqs)}${s.lost > s.lostSeqs.length ? ', …' : ''}` +
              (s.unnumbered ? ` — judged from the numbered replies; the ${s.unnumbered} without a prefix may answer some of these` : ''))
          }
        }
      }
      // Only when replies are (or may be) missing: the counter is machine-wide, and on a busy
      // machine it rises for other programs too.
      if (r.kernelDrops) {
        // The counter of our datagrams' family: Udp6 for an IPv6 target.
        const counterName = udpFamilyOf(r.remoteAddress) === 'ipv6' ? 'Udp6RcvbufErrors' : 'Udp RcvbufErrors'
        const counter = `${counterName} +${r.kernelDrops}; a machine-wide counter: udp-send's own buffer, ` +
          'the server\'s if it runs on this machine, or any other program\'s'
        const missing = missingReplies(r)
        if (missing > 0) {
          log(style.yellow(`${plural(missing, 'reply', 'replies')} missing, and this machine's kernel dropped up to ` +
            `${plural(r.kernelDrops, 'datagram')} during the run because a receive buffer was full (${counter}) — ` +
            '--rcvbuf <bytes> gives udp-send a bigger buffer; --rate sends slower'))
        } else if (!r.seq && r.replies > r.sent) {
          // More replies than datagrams: how many were due cannot be told, so some may be missing.
          log(`this machine's kernel dropped ${plural(r.kernelDrops, 'datagram')} during the run because a receive buffer was full ` +
            `(${counter}); if you expected more replies, some may be among them — --rcvbuf <bytes> gives udp-send a bigger buffer`)
        }
      }
      // Not with --wait 0: replies were not waited for.
      if (r.replies === 0 && r.sent > 0 && !opts.failed && flags.wait > 0) {
        log(noReplySentence(r, platform))
      }
    },
  }
}
