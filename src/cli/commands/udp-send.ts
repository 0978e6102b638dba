import { Command, Option } from 'commander'
import { formatAddress } from '../../addresses.js'
import { DEFAULT_UDP_WAIT_MS, MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6 } from '../../constants.js'
import { invalidArg } from '../../errors.js'
import { parseNonNegativeInt, parsePort, parsePositiveInt, parsePositiveNumber, unescapeText } from '../../parse.js'
import type { UdpSendEvent, UdpSendResult } from '../../udp-send.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { lineWriter, styleFor, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { formatBytes, formatDuration, plural } from '../format.js'

interface UdpSendFlags {
  count: number
  interval?: number
  rate?: number
  size?: number
  seq?: boolean
  wait: number
  quiet?: boolean
}

const parseSize = (value: string): number => {
  const size = parsePositiveInt(value, 'size')
  if (size > MAX_UDP_PAYLOAD_IPV6) {
    throw invalidArg(`size ${size} is over the UDP limit: at most ${MAX_UDP_PAYLOAD_IPV4} bytes over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6`, { value })
  }
  return size
}

export const makeUdpSendCommand = (ctx: CliContext): Command =>
  new Command('udp-send')
    .summary('send datagrams and collect every reply within a wait')
    .description('Send UDP datagrams to HOST:PORT and print every reply that arrives.\n\n' +
      'Each message is one datagram. With no message, each line of stdin is one datagram: the newline ' +
      'itself is not sent (a \\r before it is kept), and binary input is split on \\n too.\n\n' +
      'UDP has no end-of-stream, so after the last send it waits --wait ms and collects every reply: ' +
      'a server may answer one datagram with several. Replies go to stdout as raw bytes; events and ' +
      'the summary go to stderr.\n\n' +
      'With --seq each datagram starts with "seq=<n> " (from 1) and the summary says which came back: ' +
      'matched, lost (no reply within the wait, RFC 7680), duplicated, reordered (RFC 4737).')
    .argument('<host>', 'host name or address to send to')
    .argument('<port>', 'port to send to', argParser(v => parsePort(v)))
    .argument('[message]', 'text to send (\\n, \\r, \\t escapes understood); stdin lines when omitted')
    .option('--count <n>', 'send every message this many times', argParser(v => parsePositiveInt(v, 'count')), 1)
    .addOption(new Option('--interval <ms>', 'ms between datagrams (default: as fast as possible)')
      .argParser(argParser(v => parseNonNegativeInt(v, 'interval'))).conflicts('rate'))
    .addOption(new Option('--rate <per-second>', 'datagrams per second, instead of --interval')
      .argParser(argParser(v => parsePositiveNumber(v, 'rate'))))
    .option('--size <bytes>', `pad each datagram with '.' to exactly this size (at most ${MAX_UDP_PAYLOAD_IPV4} over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6)`,
      argParser(parseSize))
    .option('--seq', 'prefix each datagram with "seq=<n> " and report lost, duplicated and reordered replies')
    .option('--wait <ms>', 'after the last send, collect replies this long', argParser(v => parseNonNegativeInt(v, 'wait')), DEFAULT_UDP_WAIT_MS)
    .option('--quiet', 'no per-datagram lines on stderr (the summary still)')
    .addHelpText('after', `
Examples:
  $ sockkit udp-send 127.0.0.1 9000 hola                  one datagram, print the echo
  $ sockkit udp-send 127.0.0.1 9000 hola --count 100 --rate 50 --seq
  $ printf 'uno\\ndos\\ntres\\n' | sockkit udp-send 127.0.0.1 9000   three datagrams

Event lines (stderr): "sent N bytes: preview", "reply from A, N bytes: preview", "waiting …",
then the summary. A line too long for one datagram is reported and not sent (exit 1).
Exit codes: 0 done, 1 nothing listening (ICMP port unreachable) or a message not sent,
2 bad command line, 130 Ctrl-C (after the summary).`)
    .action((host: string, port: number, message: string | undefined, flags: UdpSendFlags) => runAction(ctx, async () => {
      const { udpSend, datagramLines } = await import('../../udp-send.js')
      const { seqPrefixBytes } = await import('../../seq-prefix.js')
      let messages: Iterable<Uint8Array> | ReturnType<typeof datagramLines>
      if (message !== undefined) {
        const bytes = Buffer.from(unescapeText(message))
        const datagramBytes = bytes.length + (flags.seq ? seqPrefixBytes(flags.count) : 0)
        if (flags.size !== undefined && datagramBytes > flags.size) {
          throw invalidArg(`the message is ${datagramBytes} bytes${flags.seq ? ' with its seq= prefix' : ''}, longer than --size ${flags.size}`)
        }
        if (datagramBytes > MAX_UDP_PAYLOAD_IPV6) {
          throw invalidArg(`the message is ${datagramBytes} bytes, over the UDP limit (${MAX_UDP_PAYLOAD_IPV4} bytes over IPv4, ${MAX_UDP_PAYLOAD_IPV6} over IPv6)`)
        }
        messages = [bytes]
      } else {
        messages = datagramLines(ctx.io.stdin)
      }
      const print = printHuman(ctx, flags, message === undefined)
      const result = await udpSend({
        host, port, messages,
        count: flags.count,
        ...(flags.interval !== undefined ? { intervalMs: flags.interval } : {}),
        ...(flags.rate !== undefined ? { ratePerSecond: flags.rate } : {}),
        ...(flags.size !== undefined ? { sizeBytes: flags.size } : {}),
        seq: Boolean(flags.seq),
        waitMs: flags.wait,
        signal: ctx.io.signal,
        onEvent: print.event,
      })
      print.summary(result)
      if (result.aborted) return EXIT_INTERRUPTED
      return result.notSent > 0 ? EXIT_FAILURE : EXIT_OK
    }, { host, port, serverCommand: 'udp-server', transport: 'udp' }))

const printHuman = (ctx: CliContext, flags: UdpSendFlags, fromStdin: boolean) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  const { stdout } = ctx.io
  const what = (index: number) => fromStdin ? `line ${index}` : 'the message'
  return {
    event: (e: UdpSendEvent): void => {
      switch (e.type) {
        case 'ready':
          log(`sending to ${formatAddress(e.remoteAddress, e.remotePort)} from ${formatAddress(e.localAddress, e.localPort)} ` +
            `(UDP over ${e.family}, at most ${e.maxDatagramBytes} bytes per datagram)`)
          if (fromStdin && ctx.io.stdin.isTTY) log('type lines: each one is sent as one datagram (the newline is not sent); Ctrl-D to finish')
          break
        case 'sent':
          if (!flags.quiet) log(`${style.cyan('→')} sent ${e.seq !== undefined ? `seq ${e.seq}, ` : ''}${plural(e.bytes, 'byte')}: ${style.bold(e.preview)}`)
          break
        case 'not-sent': {
          const prefixNote = e.datagramBytes !== e.bytes ? ` (${e.datagramBytes} with its seq= prefix)` : ''
          const why = e.reason === 'over-size'
            ? `longer than --size ${e.limitBytes}`
            : `over the ${e.limitBytes}-byte UDP limit`
          log(style.red(`${what(e.messageIndex)} is ${e.bytes} bytes${prefixNote}, ${why}; not sent`))
          break
        }
        case 'reply':
          stdout.write(e.data)
          // For display only: a reply without a newline would run into the prompt or the next one.
          if (stdout.isTTY && e.data[e.data.length - 1] !== 0x0a) stdout.write('\n')
          if (!flags.quiet) {
            log(`${style.green('←')} reply from ${formatAddress(e.remoteAddress, e.remotePort)}, ${plural(e.bytes, 'byte')}: ${style.bold(e.preview)}`)
          }
          break
        case 'waiting':
          log(`last datagram sent; collecting replies for ${formatDuration(e.waitMs)} (UDP has no end-of-stream; --wait changes this)`)
          break
      }
    },
    summary: (r: UdpSendResult): void => {
      const stopped = r.aborted ? `${style.yellow('interrupted')}: ` : ''
      log(`${stopped}sent ${plural(r.sent, 'datagram')} (${formatBytes(r.bytesSent)}) to ${formatAddress(r.remoteAddress, r.remotePort)}, ` +
        `received ${plural(r.replies, 'reply', 'replies')} (${formatBytes(r.bytesReceived)})` +
        (r.notSent ? `; ${style.red(`${r.notSent} not sent`)} (too long)` : ''))
      if (r.seq) {
        const s = r.seq
        log(`seq: ${s.matched} of ${s.sent} answered, ${style[s.lost ? 'red' : 'green'](`${s.lost} lost`)}, ` +
          `${plural(s.duplicates, 'duplicate')}, ${s.reordered} reordered` +
          (s.reordered ? ` (largest extent ${s.maxReorderExtent})` : '') +
          (s.unnumbered ? `, ${s.unnumbered} without a seq= prefix` : '') +
          (s.unknown ? `, ${s.unknown} with a number we never sent` : ''))
        if (s.lost) log(`lost (no reply within the wait): ${s.lostSeqs.join(', ')}${s.lost > s.lostSeqs.length ? ', …' : ''}`)
      }
    },
  }
}
