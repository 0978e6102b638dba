import { Command } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_PORT } from '../../core/constants.js'
import { parsePort, parsePositiveInt, parseHost } from '../../core/parse.js'
import type { UdpPeerSummary, UdpServerEvent, UdpServerSummary } from '../../servers/udp-server.js'
import type { UdpFamily } from '../../net/snmp.js'
import { lineWriter, styleFor, throttledReport, type CliContext, type LineWriter } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, type AddressFilterFlags } from '../address-filter.js'
import { filterWords, ndjsonPrinter, runUntilInterrupted, type FilterWords } from '../server-kit.js'
import { datagramShown } from '../render/format.js'
import type { ChalkInstance } from 'chalk'
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

export const makeUdpServerCommand = (ctx: CliContext): Command => {
  const help = ctx.t.udpServer.help
  return addAddressFilterOptions(new Command('udp-server')
    .summary(help.summary)
    .description(help.description)
    .argument('[port]', help.arguments.port, argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', help.options.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--no-echo', help.options.noEcho)
    .option('--rcvbuf <bytes>', help.options.rcvbuf, argParser(v => parsePositiveInt(v, 'rcvbuf')))
    .option('--max-peers <n>', help.options.maxPeers, argParser(v => parsePositiveInt(v, 'max-peers')), DEFAULT_MAX_PEERS)
    .option('--quiet', help.options.quiet)
    .option('--json', help.options.json), ctx.t.addressFilter)
    .addHelpText('after', help.examples)
    .action((port: number, flags: UdpServerFlags) => runAction(ctx, () => runUdpServer(ctx, port, flags),
      { host: flags.host, port }, flags.json ? JSON_ERROR_EVENT : undefined))
}

/** Listen until Ctrl-C, printing every event; then the summary and 130. */
const runUdpServer = async (ctx: CliContext, port: number, flags: UdpServerFlags): Promise<number> => {
  const { UdpServer } = await import('../../servers/udp-server.js')
  const addressFilter = addressFilterFrom(flags)
  const print = flags.json ? ndjsonPrinter<UdpServerEvent, UdpServerSummary>(ctx) : printHuman(ctx, flags, filterWords(ctx, addressFilter))
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
  return runUntilInterrupted(ctx, server, print)
}

/** The kernel's name for the machine-wide drop counter of a family: Udp (IPv4), Udp6 (IPv6), both for `::`. */
const counterName = (family: UdpFamily): string =>
  family === 'ipv4' ? UDP4_DROPS : family === 'ipv6' ? UDP6_DROPS : `${UDP4_DROPS} + ${UDP6_DROPS}`
/** The kernel's names of its counters (/proc/net/snmp, /proc/net/snmp6): data, never translated. */
const UDP4_DROPS = 'Udp RcvbufErrors'
const UDP6_DROPS = 'Udp6RcvbufErrors'

/** Where this socket's own count is read: /proc/net/udp6 holds IPv6 and dual-stack sockets. */
const socketTable = (family: UdpFamily): string => family === 'ipv4' ? '/proc/net/udp' : '/proc/net/udp6'

/** The drop counters a kernel-drop line names, for the socket's family. */
const dropSource = (family: UdpFamily, machineWide: number | null) => ({ table: socketTable(family), counter: counterName(family), machineWide })

/** What every human line handler shares: the words, the colours, the writer and the peer tag. */
interface HumanOut {
  t: CliContext['t']['udpServer']
  ctx: CliContext
  style: ChalkInstance
  log: LineWriter
  tag: (address: string, port: number) => string
}

const printHuman = (ctx: CliContext, flags: UdpServerFlags, filter: FilterWords) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write (a line per datagram is the load).
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  // `[127.0.0.1:46483]`; an IPv6 peer is already bracketed, `[::1]:53540`, not `[[::1]:53540]`.
  const tag = (address: string, port: number) => {
    const shown = formatAddress(address, port)
    return style.cyan(shown.startsWith('[') ? shown : `[${shown}]`)
  }
  const out: HumanOut = { t: ctx.t.udpServer, ctx, style, log, tag }
  const state = { evictionReported: false, family: 'ipv4' as UdpFamily }
  const reportDenied = throttledReport(undefined, { trailing: true })
  return {
    event: (e: UdpServerEvent): void => {
      if (e.type === 'listening') {
        state.family = e.kernelDropFamily
        printListening(out, e, flags, filter)
      } else if (e.type === 'peer-evicted') {
        // Under a spoofed flood this happens per datagram: say it once; the summary counts them.
        if (!state.evictionReported) log(out.t.peerEvicted({ peer: formatAddress(e.address, e.port), datagrams: e.datagrams, maxPeers: e.maxPeers, em: style.yellow }))
        state.evictionReported = true
      } else if (e.type === 'denied') {
        reportDenied(count => log(out.t.denied({
          count, bytes: e.bytes, from: formatAddress(e.address, e.port), because: filter.because(e.address), denied: e.denied, em: style.yellow,
        })))
      } else if (e.type === 'kernel-drops') {
        log(out.t.kernelDrops({ ...dropSource(state.family, e.machineWide), dropped: e.dropped, total: e.total, em: style.red }))
      } else {
        printPeerEvent(out, e)
      }
    },
    summary: (s: UdpServerSummary): void => {
      reportDenied.stop()
      printSummary(out, s, flags)
    },
    flush: log.flush,
  }
}

/** The lines that open a run: where it listens, its receive buffer, its filter, a command to try. */
const printListening = (out: HumanOut, e: Extract<UdpServerEvent, { type: 'listening' }>, flags: UdpServerFlags, filter: FilterWords): void => {
  const { t, style, log } = out
  const here = formatAddress(e.address, e.port)
  const reachable = e.reachable.map(a => formatAddress(a, e.port)).join(', ')
  log(t.listening({ here, reachable, echo: flags.echo, bufferBytes: e.recvBufferSize, dropsCounted: e.kernelDropCounter, em: style.green }))
  // --rcvbuf asked a question: what the kernel made of it (doubled, capped, refused) is its answer.
  if (e.requestedRecvBufferSize !== undefined) {
    log(describeRecvBuffer(e.recvBufferSize, e.requestedRecvBufferSize, e.recvBufferRefused, undefined, out.ctx.t.recvBuffer))
  }
  const described = filter.describe()
  if (described !== '') log(t.filter({ filter: described }))
  const unmatchable = filter.unmatchable(e.address)
  if (unmatchable) log(style.yellow(t.warning({ text: unmatchable })))
  log(t.tryIt({ host: e.reachable[0] ?? e.address, port: e.port }))
}

type PeerEvent = Exclude<UdpServerEvent, { type: 'listening' | 'peer-evicted' | 'denied' | 'kernel-drops' }>

/** One line for an event about a peer's datagrams, or the server's socket. */
const printPeerEvent = (out: HumanOut, e: PeerEvent): void => {
  const { t, style, log } = out
  const peer = 'address' in e ? out.tag(e.address, e.port) : ''
  switch (e.type) {
    case 'datagram':
      log(t.datagram({ peer, bytes: e.bytes, shown: datagramShown(e.bytes, e.preview, style), newPeer: e.newPeer, dim: style.dim }))
      break
    case 'sequence':
      if (e.kind === 'gap') log(t.seqGap({ peer, seq: e.seq, expected: e.expected, missing: e.missing, missingSoFar: e.missingSoFar, jump: Boolean(e.jump), em: style.yellow }))
      else if (e.kind === 'reordered') log(t.seqLate({ peer, seq: e.seq, expected: e.expected, extent: e.extent, em: style.yellow }))
      else if (e.kind === 'duplicate') log(t.seqDuplicate({ peer, seq: e.seq, em: style.yellow }))
      else if (e.kind === 'too-old') log(t.seqTooOld({ peer, seq: e.seq, highest: e.highest, em: style.yellow }))
      break
    case 'datagrams-hidden':
      log(t.datagramsHidden({ peer, datagrams: e.datagrams, bytes: e.bytes, limit: e.limit }))
      break
    case 'sequence-hidden':
      log(t.sequenceHidden({ ...e, peer, em: style.yellow }))
      break
    case 'sequence-restart':
      log(t.seqRestart({ ...e.previous, peer, em: style.yellow }))
      break
    case 'echo-skipped':
      log(t.echoSkipped({ pendingEchoes: e.pendingEchoes, em: style.yellow }))
      break
    case 'echo-error':
      log(t.echoError({ peer, code: e.code, message: e.message, em: style.red }))
      break
    case 'server-error':
      log(t.serverError({ code: e.code, message: e.message, em: style.red }))
      break
  }
}

/** The Ctrl-C summary: totals, the kernel's drops, then the most active peers. */
const printSummary = (out: HumanOut, s: UdpServerSummary, flags: UdpServerFlags): void => {
  const { t, log } = out
  log(t.stopped({
    durationMs: s.durationMs, peers: s.peersSeen, datagrams: s.datagrams, bytes: s.bytes,
    ...(flags.echo ? { echoed: s.echoed } : {}), echoesSkipped: s.echoesSkipped, peersEvicted: s.peersEvicted, denied: s.denied,
    dropped: s.kernelDrops, machineWide: s.machineRcvbufErrors, counter: counterName(s.kernelDropFamily),
  }))
  // Most active first: with thousands of peers the top of the list is what matters.
  const peers = [...s.peers].sort((a, b) => b.datagrams - a.datagrams)
  for (const peer of peers.slice(0, SUMMARY_PEER_LINES)) log(peerLine(t, peer))
  if (peers.length > SUMMARY_PEER_LINES) log(t.morePeers({ more: peers.length - SUMMARY_PEER_LINES }))
}

const peerLine = (t: HumanOut['t'], peer: UdpPeerSummary): string =>
  t.peer({ peer: formatAddress(peer.address, peer.port), datagrams: peer.datagrams, bytes: peer.bytes, ...(peer.seq ? { seq: peer.seq } : {}) })
