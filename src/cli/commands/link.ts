import { Command, Option } from 'commander'
import { formatAddress, isLoopback, reachableAddresses } from '../../core/addresses.js'
import { DEFAULT_HOST } from '../../core/constants.js'
import { invalidArgText } from '../../core/errors.js'
import { parseNonNegativeInt, parsePercent, parsePort, parseHost } from '../../core/parse.js'
import { describeImpairment } from '../../impairment/expectation.js'
import { REORDER_HOLD_MS, type DirectionCounters } from '../../impairment/model.js'
import { checkImpairmentFlags, impairmentFlagsProblem, type KernelAvailability } from '../impairment-flags.js'
import { startImpairment, type ImpairmentCountersReport, type ImpairmentEvent, type ImpairmentReport, type RunningImpairment } from '../../impairment/start.js'
import { staleTablesLine, sweepStaleTablesAtStart } from '../stale-tables.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, jsonWriter, lineWriter, styleFor, throttledReport, type CliContext } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { formatBytes, formatDuration, plural } from '../render/format.js'
import { explainReported } from '../explain.js'
import type { TcpRelayCloseReason } from '../../impairment/tcp-relay.js'

/** How often totals are printed while the relay runs, ms. */
const TOTALS_EVERY_MS = 5000
/**
 * Per-packet lines (TCP chunks; UDP forwarded, dropped, held, overflow) shown per connection or
 * client per second, as tcp-server does for reads. A person watching a classroom exchange
 * never reaches it; a bulk transfer would otherwise print thousands of lines a second, and a
 * terminal slower than the relay would then become the link's bottleneck. The rest are summed
 * in one "… N more" line; totals stay exact and --json reports every event.
 */
export const PACKET_LINES_PER_SECOND = 20

interface LinkFlags extends AddressFilterFlags {
  tcp?: boolean
  udp?: boolean
  loss: number
  delay: number
  jitter: number
  reorder: number
  duplicate: number
  emulator: 'auto' | 'kernel' | 'userspace'
  seed?: number
  host: string
  pace: number
  maxClients?: number
  quiet?: boolean
  json?: boolean
}

/**
 * Printed at the start when --seed is given and the kernel does the dropping: nft's
 * `numgen random` cannot be seeded, so "same seed, same drops" holds only for the relay.
 */
export const KERNEL_SEED_NOTE = "--seed repeats the relay's choices (delay, jitter, reorder, duplicate); " +
  "the kernel's drops are random — --emulator userspace (UDP) makes drops repeatable"

/** `host:port`, `[v6]:port` or a bare port (meaning 127.0.0.1). */
export const parseTarget = (value: string): { host: string; port: number } => {
  const text = value.trim()
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text)
  const plain = /^([^:]+):(\d+)$/.exec(text)
  const m = bracketed ?? plain
  if (m) return { host: parseHost(m[1]!, 'the target\'s host'), port: parsePort(m[2]!) }
  if (/^\d+$/.test(text)) return { host: '127.0.0.1', port: parsePort(text) }
  // Several colons: an IPv6 address, whose port can only be told apart inside brackets.
  const ipv6 = /^[0-9a-f:.]*:[0-9a-f:.]*:(\d+)$/i.exec(text)
  const hint = ipv6 ? `; an IPv6 address goes in brackets: [${text.slice(0, text.lastIndexOf(':'))}]:${ipv6[1]}` : ''
  throw invalidArgText(`target must be host:port (for example 127.0.0.1:9000), not "${value}"${hint}`, { value })
}

export type { KernelAvailability }

/**
 * The one sentence that explains why these flags cannot run together, or undefined when they
 * can. Pure. Every refusal is a usage error (exit 2): the command line asks for something
 * the relay cannot do honestly, and nothing is faked instead. The impairment rules are
 * compare's too ({@link impairmentFlagsProblem}); --pace and --max-clients are link's own.
 */
export const linkFlagsProblem = (flags: {
  transport: 'tcp' | 'udp'
  impairment: { loss: number; delay: number; jitter: number; reorder: number; duplicate: number }
  emulator: 'auto' | 'kernel' | 'userspace'
  pace: number
  maxClientsGiven: boolean
}, kernel?: KernelAvailability): string | undefined => {
  const problem = impairmentFlagsProblem({ command: 'link', transports: [flags.transport], impairment: flags.impairment, emulator: flags.emulator }, kernel)
  if (problem !== undefined) return problem
  if (flags.transport === 'tcp' && flags.maxClientsGiven) return '--max-clients limits UDP client mappings; the TCP relay takes up to 1000 connections at once (use it with --udp)'
  if (flags.transport === 'udp' && flags.pace > 0) return '--pace limits a TCP byte stream; a UDP relay forwards whole datagrams, so pace the sender instead, or use --delay'
  return undefined
}

const parseEmulator = (v: string): 'auto' | 'kernel' | 'userspace' => {
  if (v === 'auto' || v === 'kernel' || v === 'userspace') return v
  throw invalidArgText(`emulator must be auto, kernel or userspace, not "${v}"`, { value: v })
}

const parseMs = (name: string) => (v: string): number => {
  const n = parseNonNegativeInt(v, name)
  if (n > 60_000) throw invalidArgText(`${name} must be at most 60000 ms, not "${v}"`, { value: v })
  return n
}

export const makeLinkCommand = (ctx: CliContext): Command =>
  addAddressFilterOptions(new Command('link')
    .summary('relay that adds loss, delay, jitter, reordering or duplication between any client and server')
    .description('A relay that impairs traffic on purpose, between any client and any server (your own ' +
      'Python or Java programs too): loss, delay, jitter, reordering, duplication, each direction on its own. ' +
      'Clients connect to <listen-port>; the relay forwards to <target> and logs every drop, delay, ' +
      'reordering and copy on stderr.\n\n' +
      'UDP: the relay does every impairment, per datagram. TCP: it delays, jitters and paces the byte ' +
      'stream, but cannot lose, reorder or duplicate segments without corrupting the stream, so it refuses ' +
      'to. Real TCP loss comes from the kernel emulator (Linux, root, nft), which auto picks when it can.')
    .argument('<listen-port>', 'port clients connect to (0 = any free port)', argParser(v => parsePort(v, { allowZero: true })))
    .argument('<target>', 'the real server, host:port', argParser(parseTarget))
    .addOption(new Option('--tcp', 'relay TCP (the default)').conflicts('udp'))
    .addOption(new Option('--udp', 'relay UDP datagrams'))
    .option('--loss <percent>', 'drop this share of packets, each way', argParser(v => parsePercent(v, 'loss')), 0)
    .option('--delay <ms>', 'add this one-way delay, each way', argParser(parseMs('delay')), 0)
    .option('--jitter <ms>', 'vary the delay by up to ± this much', argParser(parseMs('jitter')), 0)
    .option('--reorder <percent>', 'UDP: hold this share back behind the next', argParser(v => parsePercent(v, 'reorder')), 0)
    .option('--duplicate <percent>', 'UDP: send this share of datagrams twice', argParser(v => parsePercent(v, 'duplicate')), 0)
    .option('--emulator <kind>', 'auto, kernel (loss) or userspace', argParser(parseEmulator), 'auto')
    .option('--seed <n>', "repeat the relay's decisions: same seed and traffic, same drops, delays, copies " +
      "(default: random); the kernel emulator's drops are random, --emulator userspace (UDP) repeats them too",
      argParser(v => { const n = parseNonNegativeInt(v, 'seed'); if (n >= 2 ** 32) throw invalidArgText(`seed must be below 4294967296, not "${v}"`); return n }))
    .option('--host <address>', 'address to listen on', argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--pace <bytes/s>', 'TCP: rate cap per direction (0 = off)', argParser(v => parseNonNegativeInt(v, 'pace')), 0)
    .option('--max-clients <n>', 'UDP: client mappings kept at once (default: 256)', argParser(v => parseNonNegativeInt(v, 'max-clients')))
    .addOption(new Option('--quiet', 'no per-packet lines; totals only').conflicts('json'))
    .option('--json', 'NDJSON events on stdout instead of text on stderr'))
    .addHelpText('after', `
Examples:
  $ sockkit link 9001 127.0.0.1:9000 --udp --loss 20
      a UDP server behind a link that loses 20% each way
  $ sockkit link 9001 127.0.0.1:9000 --delay 100 --jitter 30
      TCP with 100 ± 30 ms each way
  $ sudo sockkit link 9001 127.0.0.1:9000 --loss 5
      real TCP loss: the kernel drops packets, TCP retransmits

Each direction is impaired on its own: 20% loss each way loses 36% of
request/reply pairs (1 − 0.8²), and 100 ms each way adds 200 ms to the RTT;
the expected round trip is printed at the start. Per-packet lines are capped
at 20 a second per connection or client (--json has every one). Ctrl-C
prints the totals per direction and exits 130.`)
    .action((listenPort: number, target: { host: string; port: number }, flags: LinkFlags) => runAction(ctx, async () => {
      const transport = flags.udp ? 'udp' : 'tcp'
      const impairment = { loss: flags.loss, delay: flags.delay, jitter: flags.jitter, reorder: flags.reorder, duplicate: flags.duplicate }
      const check = { transport, impairment, emulator: flags.emulator, pace: flags.pace, maxClientsGiven: flags.maxClients !== undefined } as const
      // link's own rules first; then the kernel is asked only where the answer depends on it
      // (TCP loss under auto: only the kernel can do it).
      let problem = linkFlagsProblem(check)
      const { problem: kernelProblem, support } = problem === undefined
        ? await checkImpairmentFlags({ command: 'link', transports: [transport], impairment, emulator: flags.emulator })
        : {}
      problem ??= kernelProblem
      if (problem !== undefined) throw invalidArgText(problem)
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, addressFilter, target)
      // Tables left by runs that died still drop packets on their ports: remove them first.
      const stale = await sweepStaleTablesAtStart(ctx, false)
      if (stale.length > 0) print.event({ transport: 'kernel', type: 'stale-tables-removed', tables: stale })
      const running = await startImpairment({
        addressFilter, impairment, emulator: flags.emulator, transports: [transport], target, listenHost: flags.host, listenPort,
        pacingBytesPerSecond: flags.pace, maxClients: flags.maxClients, packetEvents: !flags.quiet,
        onEvent: print.event, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(support ? { support } : {}),
      })
      print.started(running, transport, target, describeImpairment(impairment))
      if (flags.duplicate > 0 && !isLoopback(flags.host)) {
        // Copies each way: one request can come back (1 + p)² times through an echo — an
        // amplifier for whoever can reach this port.
        const factor = (1 + flags.duplicate / 100) ** 2
        lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(
          `sockkit: warning: with --duplicate ${flags.duplicate} on ${flags.host}, anyone who can reach this port can get up to ` +
          `${Number(factor.toFixed(2))}× the bytes they send back from an echo target` +
          `${(flags.allow?.length ?? 0) > 0 ? '' : '; --allow <cidr> limits who can use it'} (see docs/security.md)`)
      }
      if (flags.json && flags.seed !== undefined && running.appliedBy.loss === 'kernel') {
        lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(KERNEL_SEED_NOTE)
      }
      let last = ''
      const ticker = setInterval(() => {
        void running.counters().then(c => {
          const key = JSON.stringify(c)
          if (key !== last) { last = key; print.totals(c) }
        })
      }, TOTALS_EVERY_MS)
      try {
        try {
          await aborted(ctx.io.signal)
        } finally {
          clearInterval(ticker)
        }
        print.summary(await running.stop())
        return EXIT_INTERRUPTED
      } finally {
        print.flush()
      }
    }, { host: flags.host, port: listenPort, serverCommand: flags.udp ? 'udp-server' : 'tcp-server' }, flags.json ? JSON_ERROR_EVENT : undefined))

const arrow = (direction: string) => direction === 'client-to-server' ? 'c→s' : 's→c'

const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: (e: ImpairmentEvent) => write({ event: e.type, ...e, type: undefined }),
    started: (r: RunningImpairment, transport: string, target: object, _description: string) =>
      write({ event: 'started', transport, target, endpoints: r.endpoints, impairment: r.config }),
    totals: (c: ImpairmentCountersReport) => write({ event: 'totals', counters: c }),
    summary: (report: ImpairmentReport) => write({ event: 'summary', ...report }),
    flush: (): void => {},
  }
}

/** What the human printer holds back for one connection (TCP) or client (UDP) in the current second. */
interface PacketWindow {
  label: string
  unit: 'connection' | 'client'
  startedAt: number
  shown: number
  hidden: number
  hiddenBytes: number
  /** Hidden lines by what they said: forwarded, dropped, … */
  hiddenKinds: Map<string, number>
  timer?: NodeJS.Timeout
}

const printHuman = (ctx: CliContext, flags: LinkFlags, addressFilter: AddressFilter | undefined, target: { host: string; port: number }) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write.
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  const windows = new Map<string, PacketWindow>()
  const flushHidden = (key: string): void => {
    const w = windows.get(key)
    if (!w) return
    clearTimeout(w.timer)
    w.timer = undefined
    if (w.hidden === 0) return
    const kinds = [...w.hiddenKinds].map(([kind, n]) => `${n} ${kind}`).join(', ')
    log(`${w.label} … ${w.hidden} more packet line${w.hidden === 1 ? '' : 's'} not shown (${kinds}` +
      (w.hiddenBytes ? `; ${formatBytes(w.hiddenBytes)}` : '') +
      `): at most ${PACKET_LINES_PER_SECOND} a second per ${w.unit}; the totals count everything, --json shows every one`)
    w.hidden = 0
    w.hiddenBytes = 0
    w.hiddenKinds.clear()
  }
  const forget = (key: string): void => {
    flushHidden(key)
    windows.delete(key)
  }
  /** Print a per-packet line unless this connection or client already had its share this second. */
  const packetLine = (key: string, label: string, unit: PacketWindow['unit'], kind: string, bytes: number, text: () => string): void => {
    let w = windows.get(key)
    if (!w) windows.set(key, w = { label, unit, startedAt: 0, shown: 0, hidden: 0, hiddenBytes: 0, hiddenKinds: new Map() })
    const now = Date.now()
    if (now - w.startedAt >= 1000) {
      flushHidden(key)
      w.startedAt = now
      w.shown = 0
    }
    if (w.shown < PACKET_LINES_PER_SECOND) {
      w.shown++
      log(text(), now)
      return
    }
    w.hidden++
    w.hiddenBytes += bytes
    w.hiddenKinds.set(kind, (w.hiddenKinds.get(kind) ?? 0) + 1)
    // Say what was hidden when the second is over, even if the traffic stops now.
    w.timer ??= setTimeout(() => flushHidden(key), Math.max(1, w.startedAt + 1000 - now)).unref()
  }
  const udpPacket = (e: { clientId: number }, kind: string, bytes: number, text: () => string) =>
    packetLine(`udp:${e.clientId}`, `client ${e.clientId}`, 'client', kind, bytes, text)
  let deniedTotal = 0
  /** The relay's reorder hold, ms, as its 'held' events say. */
  let holdMs = REORDER_HOLD_MS
  /** UDP with kernel loss: the kernel judges a reply after the relay has sent it. */
  let kernelDropsAfterRelay = false
  const reportDenied = throttledReport()
  const reportUnreachable = throttledReport()
  const direction = (name: string, d: DirectionCounters) => {
    const pct = d.received ? ` (${((d.dropped / d.received) * 100).toFixed(1)}%)` : ''
    return `${name} ${d.received} in, ${style.red(`${d.dropped} dropped`)}${pct}, ${d.forwarded} out` +
      (d.delayed ? `, ${d.delayed} delayed` : '') + (d.reordered ? `, ${d.reordered} reordered` : '') +
      (d.duplicated ? `, ${d.duplicated} duplicated` : '') + (d.bytesForwarded ? `, ${formatBytes(d.bytesForwarded)}` : '')
  }
  const totals = (c: ImpairmentCountersReport, prefix: string) => {
    const relay = c.udp ?? c.tcp
    const unit = c.udp ? 'datagrams' : 'chunks'
    if (relay) log(`${prefix} relay (${unit}): ${direction('c→s', relay.clientToServer)}; ${direction('s→c', relay.serverToClient)}`)
    const k = flags.udp ? c.kernel?.udp : c.kernel?.tcp
    if (k) {
      log(`${prefix} kernel (packets): ${direction('c→s', k.clientToServer)}; ${direction('s→c', k.serverToClient)}`)
    }
  }
  return {
    started: (r: RunningImpairment, transport: string, target: { host: string; port: number }, description: string) => {
      const at = r.endpoints.tcp ?? r.endpoints.udp!
      log(`${style.green('linking')} ${formatAddress(at.host, at.port)} → ${formatAddress(target.host, target.port)} (${transport.toUpperCase()}): ${description}`)
      log(`emulator: ${style.bold(r.emulator)} — ${r.reason}`)
      if (r.config.expected.summary !== 'no impairment') log(r.config.expected.summary)
      if (r.config.kernelTable) log(`kernel table inet ${r.config.kernelTable} (removed on exit; a watchdog removes it if this process is killed)`)
      if (r.appliedBy.loss === 'kernel' && transport === 'udp') {
        kernelDropsAfterRelay = true
        log('the kernel drops datagrams where the relay cannot see it: a c→s datagram it drops never reaches the relay, and an s→c ' +
          'line says "handed to the kernel" because the kernel may still drop it — the kernel totals count every drop; ' +
          '--emulator userspace logs each drop instead')
      }
      // No impairment, no decisions to repeat: a seed line would suggest otherwise.
      if (r.emulator !== 'kernel' && r.config.expected.summary !== 'no impairment') log(`seed ${r.seed} (repeat the same decisions with --seed ${r.seed})`)
      if (flags.seed !== undefined && r.appliedBy.loss === 'kernel') log(KERNEL_SEED_NOTE)
      if (addressFilter) {
        log(`${describeAddressFilter(addressFilter)}; ` +
          (transport === 'udp' ? 'datagrams from filtered clients are not forwarded' : 'filtered clients are closed at once'))
      }
      const unmatchable = unmatchableAllow(addressFilter, at.host)
      if (unmatchable) log(style.yellow(`warning: ${unmatchable}`))
      // Bound to a wildcard, the relay is reached at one of this machine's addresses, not at 0.0.0.0.
      const reach = reachableAddresses(at.host).map(a => formatAddress(a, at.port))
      const where = reach.length > 0 ? reach.slice(0, 3).join(' or ') + (reach.length > 3 ? ' (or another address of this machine)' : '') : formatAddress(at.host, at.port)
      log(`point your client at ${where} instead of ${formatAddress(target.host, target.port)}`)
    },
    event: (e: ImpairmentEvent) => {
      switch (e.type) {
        case 'dropped': udpPacket(e, 'dropped', e.bytes, () => `client ${e.clientId} ${arrow(e.direction)} #${e.index} ${style.red('dropped')} (${formatBytes(e.bytes)})`); break
        case 'held':
          holdMs = e.holdMs
          udpPacket(e, 'held back', 0, () => `client ${e.clientId} ${arrow(e.direction)} #${e.index} ${style.yellow('held back')} for reordering: ` +
            `sent after the next datagram if one comes within ${e.holdMs} ms, else in order ${e.holdMs} ms late`)
          break
        case 'forwarded': udpPacket(e, 'forwarded', e.bytes, () => {
          const notes = [
            e.delayMs > 0 ? `after ${e.delayMs.toFixed(1)} ms` : '',
            e.copy ? style.yellow('duplicate copy') : '',
            e.reordered ? style.yellow(`reordered: sent after #${e.passedBy}`) : '',
            e.heldTimedOut ? `held ${holdMs} ms, no successor came: sent in order` : '',
          ].filter(Boolean)
          // With kernel loss, a reply the relay sends can still be dropped by the kernel on its way to the client.
          const verb = kernelDropsAfterRelay && e.direction === 'server-to-client' ? 'handed to the kernel' : 'forwarded'
          return `client ${e.clientId} ${arrow(e.direction)} #${e.index} ${verb} ${formatBytes(e.bytes)}` + (notes.length ? ` ${notes.join(', ')}` : '')
        }); break
        case 'overflow': udpPacket(e, 'dropped: delay queue full', e.bytes, () => `client ${e.clientId} ${arrow(e.direction)} #${e.index} ${style.red('dropped: delay queue full')} (${formatBytes(e.queuedBytes)} waiting) — not part of --loss`); break
        case 'client': log(`client ${e.clientId}: ${formatAddress(e.address, e.port)} (upstream port ${e.upstreamPort}, ${e.active} active)`); break
        case 'client-expired': forget(`udp:${e.clientId}`); log(`client ${e.clientId}: ${formatAddress(e.address, e.port)} idle for ${formatDuration(e.idleMs)}; mapping removed`); break
        case 'client-refused': log(`${style.yellow('ignored')} a datagram from ${formatAddress(e.address, e.port)}: ${e.limit} clients already mapped (--max-clients)`); break
        case 'upstream-error':
          if (e.code === 'ECONNREFUSED') {
            // The target's host answered "port unreachable" (at most one line a second).
            const why = explainReported(e, { ...target, transport: 'udp', serverCommand: 'udp-server' })
            reportUnreachable(count => log(`client ${e.clientId}: ${style.red('could not reach the target')}: ${why}` + (count > 1 ? ` (${count} times since the last such line)` : '')))
          } else {
            log(`client ${e.clientId}: ${style.red('error toward the target')} ${e.code}: ${e.message}`)
          }
          break
        case 'relay-error': log(`${style.red('relay error')} ${e.code}: ${e.message}`); break
        case 'accepted': log(`[#${e.id}] ${style.green('accepted')} ${formatAddress(e.remoteAddress, e.remotePort)} (${e.active} open)`); break
        case 'denied':
          deniedTotal = e.denied
          if (e.transport === 'tcp') {
            log(`${style.yellow('denied')} ${e.remoteAddress === '' ? 'a client that had already left' : formatAddress(e.remoteAddress, e.remotePort)} ` +
              `(${deniedBecause(addressFilter, e.remoteAddress)}); closed at once`)
          } else {
            reportDenied(count => log(`${style.yellow('denied')} ${plural(count, 'datagram')} (latest: ${plural(e.bytes, 'byte')} from ` +
              `${formatAddress(e.address, e.port)}, ${deniedBecause(addressFilter, e.address)}): not forwarded; ${e.denied} denied in all`))
          }
          break
        case 'refused': log(`${style.yellow('refused')} ${formatAddress(e.remoteAddress, e.remotePort)}: ${e.limit} connections open`); break
        case 'upstream-connected': log(`[#${e.id}] connected to the target from port ${e.localPort}`); break
        case 'upstream-failed': {
          // In plain words, as tcp-client would say it ("nothing is listening on …").
          const why = explainReported(e, { ...target, serverCommand: 'tcp-server' })
          log(`[#${e.id}] ${style.red('could not reach the target')}: ${why}; the client's connection is reset so it sees the failure`)
          break
        }
        case 'chunk':
          packetLine(`tcp:${e.id}`, `[#${e.id}]`, 'connection', 'chunks', e.bytes,
            () => `[#${e.id}] ${arrow(e.direction)} ${formatBytes(e.bytes)}` + (e.delayMs > 0 ? ` delayed ${e.delayMs.toFixed(1)} ms` : ''))
          break
        case 'backpressure': log(`[#${e.id}] ${arrow(e.direction)} ${formatBytes(e.queuedBytes)} queued: paused reading until it drains`); break
        case 'half-close': flushHidden(`tcp:${e.id}`); log(`[#${e.id}] ${arrow(e.direction)} ${style.yellow('half-close')} (FIN) received; passed on after the data before it`); break
        case 'reset': flushHidden(`tcp:${e.id}`); log(`[#${e.id}] ${style.red('reset')} ${e.code} on the ${e.direction === 'client-to-server' ? 'client' : 'server'} side — reset the other side too`); break
        case 'closed': forget(`tcp:${e.id}`); log(`[#${e.id}] closed after ${formatDuration(e.durationMs)}: ${formatBytes(e.bytesToServer)} to server, ${formatBytes(e.bytesToClient)} to client` + (e.reason === 'normal' ? '' : ` (${CLOSE_REASONS[e.reason]})`)); break
        case 'kernel-table': log(`kernel: nftables table inet ${e.table} drops ${e.loss}% of ${e.protocols.join('/')} packets to and from port ${e.ports.join(', ')}` + (e.watchdogPid ? ` (watchdog pid ${e.watchdogPid})` : '')); break
        case 'stale-tables-removed': log(staleTablesLine(e.tables)); break
        default: break
      }
    },
    totals: (c: ImpairmentCountersReport) => totals(c, 'totals:'),
    summary: (report: ImpairmentReport) => {
      for (const key of [...windows.keys()]) forget(key)
      totals(report.counters, `stopped after ${formatDuration(report.durationMs)}:`)
      if (deniedTotal > 0) log(`denied ${flags.udp ? plural(deniedTotal, 'datagram') : plural(deniedTotal, 'connection')} from filtered clients (--allow/--deny)`)
      if (report.config.kernelTable) log(`kernel table inet ${report.config.kernelTable} removed`)
    },
    flush: (): void => {
      for (const w of windows.values()) clearTimeout(w.timer)
      log.flush()
    },
  }
}

/** Why a relayed TCP connection ended, in words (the JSON keeps the code). */
const CLOSE_REASONS: Record<TcpRelayCloseReason, string> = {
  normal: 'closed normally',
  reset: 'reset',
  'upstream-failed': 'the target could not be reached',
  'relay-stopped': 'the link was stopped',
  error: 'a socket error',
}

