import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../core/constants.js'
import { parsePort, parsePositiveInt, parseHost } from '../../core/parse.js'
import type { UdpPeerSummary, UdpServerEvent, UdpServerSummary } from '../../servers/udp-server.js'
import type { UdpFamily } from '../../net/snmp.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, jsonWriter, lineWriter, styleFor, throttledReport, type CliContext } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { datagramShown, formatBytes, formatDuration, plural } from '../render/format.js'
import { describeRecvBuffer } from '../recv-buffer.js'

interface UdpServerFlags extends AddressFilterFlags {
  host: string
  echo: boolean
  quiet?: boolean
  json?: boolean
  rcvbuf?: number
  maxPeers: number
}

/** Peers listed one per line in the Ctrl-C summary; the rest are counted. */
const SUMMARY_PEER_LINES = 50
/**
 * Datagram lines shown per peer per second, and as many sequence (gap, late, duplicate)
 * lines: the rest are summed in one "… N more" line. A person typing never reaches it; a
 * flood would otherwise print a line per datagram, and printing would become the
 * bottleneck that drops datagrams. --json reports every event (as tcp-server's does).
 */
export const DATAGRAM_LINES_PER_SECOND = 20
/** Same as DEFAULT_MAX_UDP_PEERS, repeated so --help does not load the server module. */
const DEFAULT_MAX_PEERS = 10_000

export const makeUdpServerCommand = (ctx: CliContext): Command =>
  addAddressFilterOptions(new Command('udp-server')
    .summary('UDP echo server for every peer, with per-peer seq= gap/duplicate/reorder reports')
    .description('A UDP echo server. Prints each datagram (sender address:port, size, preview) on stderr and ' +
      'echoes it back, byte for byte, to whoever sent it. It serves every peer at once — it never locks ' +
      'onto the first one — and an echo is never larger than the datagram that caused it (no amplification).\n\n' +
      'Datagrams that start with "seq=<n> " (as `sockkit udp-send --seq` sends them) are followed per peer: ' +
      'gaps, duplicates and reordering (RFC 4737) are reported as they happen. Ctrl-C prints a summary per ' +
      'peer and exits 130.')
    .argument('[port]', 'port to listen on (0 = any free port)', argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', 'address to bind; 0.0.0.0 or :: to accept from other machines', argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--no-echo', 'receive and report only; send nothing back')
    .option('--rcvbuf <bytes>', 'ask the kernel for this socket receive buffer (SO_RCVBUF) and report what it granted',
      argParser(v => parsePositiveInt(v, 'rcvbuf')))
    .option('--max-peers <n>', 'peers whose statistics are kept; beyond it the least recently heard is forgotten',
      argParser(v => parsePositiveInt(v, 'max-peers')), DEFAULT_MAX_PEERS)
    .option('--quiet', 'no per-datagram lines or events (sequence problems are still reported)')
    .option('--json', 'NDJSON events on stdout instead of text on stderr'))
    .addHelpText('after', `
Examples:
  $ sockkit udp-server                   echo on 127.0.0.1:9000
  $ sockkit udp-server 5000 --host 0.0.0.0 --no-echo
  $ sockkit udp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --rcvbuf 4e6
  $ sockkit udp-server 0 --json > events.ndjson
                                         any free port; events as NDJSON

Event lines (stderr): "listening", "[A:P] N bytes: preview",
"[A:P] seq gap: got 7, expected 5", "[A:P] seq 5 arrived late (reordered …)",
"[A:P] seq 5 again (duplicate)", "[A:P] seq restarted at 1 (…)",
"denied N datagrams (latest: … from A:P, not in --allow): no reply",
"kernel dropped N datagrams sent to this socket: receive buffer full (…)".
At most 20 datagram lines and 20 seq lines a second per peer; the rest are
summed in one "… N more" line (--json reports every event). On Linux this
socket's own drop count (the drops column of /proc/net/udp, /proc/net/udp6
for IPv6 and ::) is read every 2 s while datagrams arrive and at Ctrl-C;
the machine-wide RcvbufErrors (/proc/net/snmp) is shown beside it. Numbers
start at 1 (udp-send --seq). Ctrl-C prints datagrams, bytes and seq
statistics per peer and exits 130.`)
    .action((port: number, flags: UdpServerFlags) => runAction(ctx, async () => {
      const { UdpServer } = await import('../../servers/udp-server.js')
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, addressFilter)
      const server = new UdpServer({
        addressFilter,
        port,
        host: flags.host,
        echo: flags.echo,
        datagramEvents: !flags.quiet,
        eventsPerSecond: flags.json ? 0 : DATAGRAM_LINES_PER_SECOND,
        maxPeers: flags.maxPeers,
        ...(flags.rcvbuf !== undefined ? { recvBufferSize: flags.rcvbuf } : {}),
        onEvent: print.event,
      })
      try {
        await server.listen()
        await aborted(ctx.io.signal)
        print.summary(await server.close())
        return EXIT_INTERRUPTED
      } finally {
        print.flush()
      }
    }, { host: flags.host, port }, flags.json ? JSON_ERROR_EVENT : undefined))

const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: (e: UdpServerEvent) => write({ event: e.type, ...e, type: undefined }),
    summary: (s: UdpServerSummary) => write({ event: 'summary', ...s }),
    flush: () => {},
  }
}


/** The kernel's name for the machine-wide drop counter of a family: Udp (IPv4), Udp6 (IPv6), both for `::`. */
const counterName = (family: UdpFamily): string =>
  family === 'ipv4' ? 'Udp RcvbufErrors' : family === 'ipv6' ? 'Udp6RcvbufErrors' : 'Udp RcvbufErrors + Udp6RcvbufErrors'

/** Where this socket's own count is read: /proc/net/udp6 holds IPv6 and dual-stack sockets. */
const socketTable = (family: UdpFamily): string => family === 'ipv4' ? '/proc/net/udp' : '/proc/net/udp6'

/** The machine-wide context of a drop line: every socket together, the sender's own included. */
const machineContext = (machineWide: number | null, family: UdpFamily): string =>
  machineWide === null ? '' : `; all sockets on this machine: ${counterName(family)} +${machineWide}`

/** The words every kernel-drop line uses, so a reader (or grep) finds them all. */
const kernelDropText = (n: number, family: UdpFamily, machineWide: number | null): string =>
  `kernel dropped ${plural(n, 'datagram')} sent to this socket: receive buffer full (drops in ${socketTable(family)}` +
  `${machineContext(machineWide, family)})`

const printHuman = (ctx: CliContext, flags: UdpServerFlags, addressFilter: AddressFilter | undefined) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write (a line per datagram is the load).
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  // `[127.0.0.1:46483]`; an IPv6 peer is already bracketed, `[::1]:53540`, not `[[::1]:53540]`.
  const tag = (address: string, port: number) => {
    const shown = formatAddress(address, port)
    return style.cyan(shown.startsWith('[') ? shown : `[${shown}]`)
  }
  let evictionReported = false
  let family: UdpFamily = 'ipv4'
  const reportDenied = throttledReport(undefined, { trailing: true })
  return {
    event: (e: UdpServerEvent): void => {
      switch (e.type) {
        case 'listening': {
          family = e.kernelDropFamily
          const here = formatAddress(e.address, e.port)
          const reach = e.reachable.map(a => formatAddress(a, e.port)).join(', ')
          log(`${style.green('listening')} on ${here} (UDP)` + (reach !== here ? ` — peers can use ${reach}` : '') +
            (flags.echo ? '; echoing every datagram to its sender' : '; not echoing (--no-echo)'))
          log(describeRecvBuffer(e.recvBufferSize, e.requestedRecvBufferSize, e.recvBufferRefused) +
            (e.kernelDropCounter
              ? `; datagrams the kernel drops when it is full are counted (this socket's drops in ${socketTable(family)}) and reported`
              : `; this socket's drop count (${socketTable(family)}, Linux only) cannot be read here, so drops cannot be reported`))
          if (addressFilter) log(`${describeAddressFilter(addressFilter)}; datagrams from filtered peers get no reply`)
          const unmatchable = unmatchableAllow(addressFilter, e.address)
          if (unmatchable) log(style.yellow(`warning: ${unmatchable}`))
          log(`try: sockkit udp-send ${e.reachable[0] ?? e.address} ${e.port} hola --seq`)
          break
        }
        case 'datagram':
          log(`${tag(e.address, e.port)} ${plural(e.bytes, 'byte')}${datagramShown(e.bytes, e.preview, style)}` +
            (e.newPeer ? style.dim(' (new peer)') : ''))
          break
        case 'sequence':
          if (e.kind === 'gap') {
            log(`${tag(e.address, e.port)} ${style.yellow('seq gap')}: got ${e.seq}, expected ${e.expected} — ${e.missingSoFar} missing so far` +
              (e.missing !== e.missingSoFar ? ` (${e.missing} skipped here)` : '') +
              (e.jump ? '; a jump wider than the 65,536-number window' : ''))
          } else if (e.kind === 'reordered') {
            log(`${tag(e.address, e.port)} ${style.yellow(`seq ${e.seq} arrived late`)} (reordered: ${e.expected} was expected next; extent ${e.extent})`)
          } else if (e.kind === 'duplicate') {
            log(`${tag(e.address, e.port)} ${style.yellow(`seq ${e.seq} again`)} (duplicate)`)
          } else if (e.kind === 'too-old') {
            log(`${tag(e.address, e.port)} ${style.yellow(`seq ${e.seq} too old to tell`)} (over 65,536 below the highest, ${e.highest}: late or a copy)`)
          }
          break
        case 'datagrams-hidden':
          log(`${tag(e.address, e.port)} … ${plural(e.datagrams, 'more datagram')} (${formatBytes(e.bytes)}) not shown: ` +
            `at most ${e.limit} datagram lines a second per peer (the summary counts them; --json shows every one)`)
          break
        case 'sequence-hidden': {
          const kinds = [
            e.gaps ? `${plural(e.gaps, 'gap')} skipping ${plural(e.missing, 'number')}` : '',
            e.reordered ? `${e.reordered} late` : '',
            e.duplicates ? plural(e.duplicates, 'duplicate') : '',
            e.tooOld ? `${e.tooOld} too old to tell` : '',
          ].filter(Boolean).join(', ')
          const lines = e.gaps + e.reordered + e.duplicates + e.tooOld
          log(`${tag(e.address, e.port)} … ${style.yellow(plural(lines, 'more seq line'))} not shown (${kinds}) — ${e.missingSoFar} missing so far: ` +
            `at most ${e.limit} seq lines a second per peer (the summary counts them)`)
          break
        }
        case 'sequence-restart': {
          const p = e.previous
          log(`${tag(e.address, e.port)} ${style.yellow('seq restarted at 1')} (a new run; previous run: seq ${p.lowest}–${p.highest}, ` +
            `${p.missing} missing, ${plural(p.duplicates, 'duplicate')}, ${p.reordered} reordered)`)
          break
        }
        case 'peer-evicted':
          // Under a spoofed flood this happens per datagram: say it once; the summary counts them.
          if (!evictionReported) {
            evictionReported = true
            log(`${style.yellow('too many peers')}: keeping statistics for ${e.maxPeers} at most; forgot ${formatAddress(e.address, e.port)} ` +
              `(the least recently heard, ${plural(e.datagrams, 'datagram')}); further ones are counted in the summary`)
          }
          break
        case 'echo-skipped':
          log(`${style.yellow('echo skipped')}: ${e.pendingEchoes} echoes already waiting for the kernel (a flood); further skips are counted in the summary`)
          break
        case 'denied':
          reportDenied(count => log(`${style.yellow('denied')} ${plural(count, 'datagram')} (latest: ${plural(e.bytes, 'byte')} from ` +
            `${formatAddress(e.address, e.port)}, ${deniedBecause(addressFilter, e.address)}): no reply; ${e.denied} denied in all`))
          break
        case 'kernel-drops':
          log(`${style.red(kernelDropText(e.dropped, family, e.machineWide))}; ${e.total} since start`)
          break
        case 'echo-error':
          log(`${tag(e.address, e.port)} ${style.red('echo failed')} ${e.code}: ${e.message}`)
          break
        case 'server-error':
          log(`${style.red('server error')} ${e.code}: ${e.message} (still listening)`)
          break
      }
    },
    summary: (s: UdpServerSummary): void => {
      reportDenied.stop()
      log(`stopped after ${formatDuration(s.durationMs)}: ${plural(s.peersSeen, 'peer')}, ${plural(s.datagrams, 'datagram')} (${formatBytes(s.bytes)})` +
        (flags.echo ? `, ${s.echoed} echoed` : '') +
        (s.echoesSkipped ? `, ${s.echoesSkipped} echoes skipped (flood)` : '') +
        (s.peersEvicted ? `, ${s.peersEvicted} peers forgotten (over --max-peers)` : '') +
        (s.denied ? `, ${s.denied} denied (no reply)` : ''))
      log(s.kernelDrops === null
        ? `kernel drops: not available (this socket's drops in ${socketTable(s.kernelDropFamily)} cannot be read here: Linux only)`
        : s.kernelDrops > 0
          ? kernelDropText(s.kernelDrops, s.kernelDropFamily, s.machineRcvbufErrors)
          : `kernel dropped no datagrams sent to this socket (drops in ${socketTable(s.kernelDropFamily)} unchanged` +
            `${machineContext(s.machineRcvbufErrors, s.kernelDropFamily)})`)
      // Most active first: with thousands of peers the top of the list is what matters.
      const peers = [...s.peers].sort((a, b) => b.datagrams - a.datagrams)
      for (const peer of peers.slice(0, SUMMARY_PEER_LINES)) log(`  ${formatPeer(peer)}`)
      if (peers.length > SUMMARY_PEER_LINES) log(`  … and ${peers.length - SUMMARY_PEER_LINES} more peers (--json lists all)`)
    },
    flush: log.flush,
  }
}

const formatPeer = (peer: UdpPeerSummary): string => {
  const base = `${formatAddress(peer.address, peer.port)}: ${plural(peer.datagrams, 'datagram')}, ${formatBytes(peer.bytes)}`
  if (!peer.seq) return base
  const q = peer.seq
  return `${base}; seq ${q.lowest}–${q.highest}: ${q.missing} missing, ${plural(q.duplicates, 'duplicate')}, ${q.reordered} reordered` +
    (q.reordered ? ` (largest extent ${q.maxReorderExtent})` : '') +
    (q.tooOld ? `, ${q.tooOld} too old to tell` : '') +
    (q.earlierRuns ? `; restarted ${plural(q.restarts, 'time')}, earlier runs: ${q.earlierRuns.received} received, ${q.earlierRuns.missing} missing` : '')
}
