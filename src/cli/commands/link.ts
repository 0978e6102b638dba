import type { ChalkInstance } from 'chalk'
import { Command, Option } from 'commander'
import { formatAddress, isLoopback, reachableAddresses } from '../../core/addresses.js'
import { DEFAULT_HOST } from '../../core/constants.js'
import { usageError } from '../usage-error.js'
import { catalog, type Catalog } from '../../i18n/index.js'
import { parseNonNegativeInt, parsePercent, parsePort, parseHost } from '../../core/parse.js'
import { MAX_IMPAIRMENT_DELAY_MS, REORDER_HOLD_MS, type DirectionCounters, type FullImpairment } from '../../impairment/model.js'
import { checkImpairmentFlags, impairmentFlagsProblem, type KernelAvailability } from '../impairment-flags.js'
import { startImpairment, type ImpairmentCountersReport, type ImpairmentEvent, type ImpairmentReport, type RunningImpairment } from '../../impairment/start.js'
import { staleTablesLine, sweepStaleTablesAtStart } from '../stale-tables.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import { aborted, jsonWriter, lineWriter, styleFor, throttledReport, type CliContext, type LineWriter } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { explainReported } from '../explain.js'
import type { TcpRelayCloseReason } from '../../impairment/tcp-relay.js'
import type { EmulatorSupport } from '../../impairment/planning.js'
import { tcpLossRoute } from '../userns-reexec.js'
import { expectedClauses } from '../../impairment/expectation.js'

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
export const KERNEL_SEED_NOTE = catalog('en').t.link.kernelSeedNote

/** `host:port`, `[v6]:port` or a bare port (meaning 127.0.0.1). */
export const parseTarget = (value: string, t: Catalog['link'] = catalog('en').t.link): { host: string; port: number } => {
  const text = value.trim()
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(text)
  const plain = /^([^:]+):(\d+)$/.exec(text)
  const m = bracketed ?? plain
  if (m) return { host: parseHost(m[1]!, t.usage.targetHost), port: parsePort(m[2]!) }
  if (/^\d+$/.test(text)) return { host: '127.0.0.1', port: parsePort(text) }
  // Several colons: an IPv6 address, whose port can only be told apart inside brackets.
  const ipv6 = /^[0-9a-f:.]*:[0-9a-f:.]*:(\d+)$/i.exec(text)
  const hint = ipv6 ? { ipv6: { host: text.slice(0, text.lastIndexOf(':')), port: ipv6[1]! } } : {}
  // link's own words (they name no library concept), already from the catalogue.
  throw usageError(t.usage.targetForm({ value, ...hint }), { value })
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
}, kernel?: KernelAvailability, t: Catalog = catalog('en').t): string | undefined => {
  const problem = impairmentFlagsProblem({ command: 'link', transports: [flags.transport], impairment: flags.impairment, emulator: flags.emulator }, kernel, t.impairment)
  if (problem !== undefined) return problem
  if (flags.transport === 'tcp' && flags.maxClientsGiven) return t.link.usage.maxClientsTcp
  if (flags.transport === 'udp' && flags.pace > 0) return t.link.usage.paceUdp
  return undefined
}

const parseEmulator = (t: Catalog['link']) => (v: string): 'auto' | 'kernel' | 'userspace' => {
  if (v === 'auto' || v === 'kernel' || v === 'userspace') return v
  throw usageError(t.usage.emulator({ value: v }), { value: v })
}

const parseMs = (t: Catalog['link'], name: string) => (v: string): number => {
  const n = parseNonNegativeInt(v, name)
  if (n > MAX_IMPAIRMENT_DELAY_MS) throw usageError(t.usage.msTooLong({ name, value: v, maxMs: MAX_IMPAIRMENT_DELAY_MS }), { value: v })
  return n
}

const parseSeed = (t: Catalog['link']) => (v: string): number => {
  const n = parseNonNegativeInt(v, 'seed')
  if (n >= 2 ** 32) throw usageError(t.usage.seedTooBig({ value: v }))
  return n
}

export const makeLinkCommand = (ctx: CliContext): Command => {
  const h = ctx.t.link.help
  return addAddressFilterOptions(new Command('link')
    .summary(h.summary)
    .description(`${h.description}\n\n${h.tcpLossWithoutRoot}`)
    .argument('<listen-port>', h.args.listenPort, argParser(v => parsePort(v, { allowZero: true })))
    .argument('<target>', h.args.target, argParser(v => parseTarget(v, ctx.t.link)))
    .addOption(new Option('--tcp', h.options.tcp).conflicts('udp'))
    .addOption(new Option('--udp', h.options.udp))
    .option('--loss <percent>', h.options.loss, argParser(v => parsePercent(v, 'loss')), 0)
    .option('--delay <ms>', h.options.delay, argParser(parseMs(ctx.t.link, 'delay')), 0)
    .option('--jitter <ms>', h.options.jitter, argParser(parseMs(ctx.t.link, 'jitter')), 0)
    .option('--reorder <percent>', h.options.reorder, argParser(v => parsePercent(v, 'reorder')), 0)
    .option('--duplicate <percent>', h.options.duplicate, argParser(v => parsePercent(v, 'duplicate')), 0)
    .option('--emulator <kind>', h.options.emulator, argParser(parseEmulator(ctx.t.link)), 'auto')
    .option('--seed <n>', h.options.seed, argParser(parseSeed(ctx.t.link)))
    .option('--host <address>', h.options.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--pace <bytes/s>', h.options.pace, argParser(v => parseNonNegativeInt(v, 'pace')), 0)
    .option('--max-clients <n>', h.options.maxClients, argParser(v => parseNonNegativeInt(v, 'max-clients')))
    .addOption(new Option('--quiet', h.options.quiet).conflicts('json'))
    .option('--json', h.options.json), ctx.t.addressFilter)
    .addHelpText('after', h.examples({ linesPerSecond: PACKET_LINES_PER_SECOND }))
    .action((listenPort: number, target: { host: string; port: number }, flags: LinkFlags) => runAction(ctx,
      () => runLink(ctx, listenPort, target, flags),
      { host: flags.host, port: listenPort, serverCommand: flags.udp ? 'udp-server' : 'tcp-server' }, flags.json ? JSON_ERROR_EVENT : undefined))
}

/**
 * link's own rules first; then the kernel is asked only where the answer depends on it (TCP
 * loss under auto). Without root, TCP loss goes through a user namespace when one can be made
 * (`kernelInUserns`); when none can, the refusal says why and how to get one.
 */
const checkLinkFlags = async (ctx: CliContext, flags: LinkFlags, transport: 'tcp' | 'udp', impairment: FullImpairment): Promise<{ support?: EmulatorSupport; kernelInUserns?: true }> => {
  const check = { transport, impairment, emulator: flags.emulator, pace: flags.pace, maxClientsGiven: flags.maxClients !== undefined } as const
  const problem = linkFlagsProblem(check, undefined, ctx.t)
  if (problem !== undefined) throw usageError(problem)
  const route = tcpLossRoute(ctx.io, { loss: impairment.loss, tcp: transport === 'tcp', emulator: flags.emulator, local: true })
  if (route && 'reexec' in route) {
    return { support: { available: true, userns: true, reason: { code: 'availableUsernsHop' }, netemReason: { code: 'netemNeedsRoot' } }, kernelInUserns: true }
  }
  const { problem: kernelProblem, support } =
    await checkImpairmentFlags({ command: 'link', transports: [transport], impairment, emulator: flags.emulator }, ctx.t.impairment)
  if (kernelProblem !== undefined) {
    const why = route && 'unavailable' in route ? route.unavailable : undefined
    const noUserns = why === 'userns-refused' || why === 'tools-missing' || why === 'userns-off'
    throw usageError(noUserns ? ctx.t.impairment.flagsTcpLossNoUserns({ command: 'link', reason: why }) : kernelProblem)
  }
  return support ? { support } : {}
}

/** The action: check, start the relay, print until Ctrl-C, then the summary. */
const runLink = async (ctx: CliContext, listenPort: number, target: { host: string; port: number }, flags: LinkFlags): Promise<number> => {
  const transport = flags.udp ? 'udp' : 'tcp'
  const impairment = { loss: flags.loss, delay: flags.delay, jitter: flags.jitter, reorder: flags.reorder, duplicate: flags.duplicate }
  const { support, kernelInUserns } = await checkLinkFlags(ctx, flags, transport, impairment)
  const addressFilter = addressFilterFrom(flags)
  const print = flags.json ? printJson(ctx) : printHuman(ctx, flags, addressFilter, target)
  // Tables left by runs that died still drop packets on their ports: remove them first.
  const stale = await sweepStaleTablesAtStart(ctx, false)
  if (stale.length > 0) print.event({ transport: 'kernel', type: 'stale-tables-removed', tables: stale })
  // Ctrl-C during the checks above: nothing is running yet, so nothing (no relay, no table) is started.
  if (ctx.io.signal.aborted) return EXIT_INTERRUPTED
  const running = await startImpairment({
    addressFilter, impairment, emulator: flags.emulator, transports: [transport], target, listenHost: flags.host, listenPort,
    pacingBytesPerSecond: flags.pace, maxClients: flags.maxClients, packetEvents: !flags.quiet,
    onEvent: print.event, ...(flags.seed !== undefined ? { seed: flags.seed } : {}), ...(support ? { support } : {}),
    ...(kernelInUserns ? { kernelInUserns } : {}),
  })
  print.started(running, transport, target, ctx.t.impairment.describe(impairment))
  warnAtStart(ctx, flags, running)
  let last = ''
  const ticker = setInterval(() => {
    void running.counters().then(c => {
      const key = JSON.stringify(c)
      if (key !== last) { last = key; print.totals(c) }
    })
  }, TOTALS_EVERY_MS)
  try {
    try {
      // Until Ctrl-C, or until a part the link needs dies (the user namespace's helper): an error, exit 1.
      await Promise.race([aborted(ctx.io.signal), running.failed])
    } catch (err) {
      await running.stop()
      throw err
    } finally {
      clearInterval(ticker)
    }
    print.summary(await running.stop())
    return EXIT_INTERRUPTED
  } finally {
    print.flush()
  }
}

/** Warnings on stderr whatever the output mode: duplication as an amplifier, an unrepeatable seed under --json. */
const warnAtStart = (ctx: CliContext, flags: LinkFlags, running: RunningImpairment): void => {
  const warn = lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))
  if (flags.duplicate > 0 && !isLoopback(flags.host)) {
    // Copies each way: one request can come back (1 + p)² times through an echo — an
    // amplifier for whoever can reach this port.
    const factor = Number(((1 + flags.duplicate / 100) ** 2).toFixed(2))
    warn(ctx.t.link.duplicateAmplifier({ percent: flags.duplicate, host: flags.host, factor, allowGiven: (flags.allow?.length ?? 0) > 0 }))
  }
  if (flags.json && flags.seed !== undefined && running.appliedBy.loss === 'kernel') warn(ctx.t.link.kernelSeedNote)
}

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

/**
 * Per-packet lines, at most {@link PACKET_LINES_PER_SECOND} a second per connection or client;
 * the rest are counted and said in one "… N more" line when the second is over.
 */
const packetLines = (t: Catalog['link'], log: LineWriter) => {
  const windows = new Map<string, PacketWindow>()
  const flushHidden = (key: string): void => {
    const w = windows.get(key)
    if (!w) return
    clearTimeout(w.timer)
    w.timer = undefined
    if (w.hidden === 0) return
    log(t.event.hidden({ label: w.label, hidden: w.hidden, kinds: [...w.hiddenKinds], bytes: w.hiddenBytes, perSecond: PACKET_LINES_PER_SECOND, unit: w.unit }))
    w.hidden = 0
    w.hiddenBytes = 0
    w.hiddenKinds.clear()
  }
  const forget = (key: string): void => {
    flushHidden(key)
    windows.delete(key)
  }
  /** Print a per-packet line unless this connection or client already had its share this second. */
  const line = (key: string, label: string, unit: PacketWindow['unit'], kind: string, bytes: number, text: () => string): void => {
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
  return {
    line,
    flushHidden,
    forget,
    forgetAll: (): void => { for (const key of [...windows.keys()]) forget(key) },
    stopTimers: (): void => { for (const w of windows.values()) clearTimeout(w.timer) },
  }
}

/** What the human printer shares between its parts. */
interface HumanState {
  ctx: CliContext
  t: Catalog['link']
  style: ChalkInstance
  log: LineWriter
  flags: LinkFlags
  addressFilter: AddressFilter | undefined
  target: { host: string; port: number }
  packets: ReturnType<typeof packetLines>
  deniedTotal: number
  /** The relay's reorder hold, ms, as its 'held' events say. */
  holdMs: number
  /** UDP with kernel loss: the kernel judges a reply after the relay has sent it. */
  kernelDropsAfterRelay: boolean
  reportDenied: ReturnType<typeof throttledReport>
  reportUnreachable: ReturnType<typeof throttledReport>
}

const printHuman = (ctx: CliContext, flags: LinkFlags, addressFilter: AddressFilter | undefined, target: { host: string; port: number }) => {
  const style = styleFor(ctx, ctx.io.stderr)
  // Batched: the lines of one event-loop turn go out in one write.
  const log = lineWriter(ctx.io.stderr, style, { batch: true })
  const t = ctx.t.link
  const s: HumanState = {
    ctx, t, style, log, flags, addressFilter, target, packets: packetLines(t, log), deniedTotal: 0,
    holdMs: REORDER_HOLD_MS, kernelDropsAfterRelay: false, reportDenied: throttledReport(), reportUnreachable: throttledReport(),
  }
  return {
    started: (r: RunningImpairment, transport: 'tcp' | 'udp', at: { host: string; port: number }, description: string) =>
      printStart(s, r, transport, at, description),
    event: (e: ImpairmentEvent) => { if (!udpEvent(s, e) && !tcpEvent(s, e)) otherEvent(s, e) },
    totals: (c: ImpairmentCountersReport) => printTotals(s, c, t.totals.prefixTotals),
    summary: (report: ImpairmentReport) => {
      s.packets.forgetAll()
      printTotals(s, report.counters, t.totals.prefixStopped({ durationMs: report.durationMs }))
      if (s.deniedTotal > 0) log(t.totals.denied({ udp: Boolean(flags.udp), n: s.deniedTotal }))
      const table = report.config.kernelTable
      if (table) log(report.counters.userns ? t.totals.kernelTableUsernsGone({ table }) : t.totals.kernelTableRemoved({ table }))
    },
    flush: (): void => {
      s.packets.stopTimers()
      log.flush()
    },
  }
}

/** The start block: where the link is, who applies what, what to expect, where to point the client. */
const printStart = (s: HumanState, r: RunningImpairment, transport: 'tcp' | 'udp', target: { host: string; port: number }, description: string): void => {
  const { t, log, style } = s
  const at = r.endpoints.tcp ?? r.endpoints.udp!
  const to = formatAddress(target.host, target.port)
  log(t.start.linking({ linking: style.green(t.start.linkingWord), from: formatAddress(at.host, at.port), to, transport: transport.toUpperCase(), description }))
  const userns = r.config.emulator.startsWith('kernel-userns')
  log(t.start.emulator({ emulator: style.bold(userns ? r.emulator.replace('kernel', t.start.emulatorUserns) : r.emulator), reason: s.ctx.t.impairment.planReason(r.reasonCode) }))
  // The expectation as data, worded in the run's language (config.expected.summary is English, for --json).
  const clauses = expectedClauses(r.config, r.config.expected, transport === 'tcp' ? { transport: 'tcp' } : {})
  const impaired = clauses.length > 0
  if (impaired) log(s.ctx.t.impairment.expected({ clauses }))
  if (r.config.kernelTable) log(userns ? t.start.kernelTableUserns({ table: r.config.kernelTable }) : t.start.kernelTable({ table: r.config.kernelTable }))
  if (r.appliedBy.loss === 'kernel' && transport === 'udp') {
    s.kernelDropsAfterRelay = true
    log(t.start.kernelDropsAfterRelay)
  }
  // No impairment, no decisions to repeat: a seed line would suggest otherwise.
  if (r.emulator !== 'kernel' && impaired) log(t.start.seed({ seed: r.seed }))
  if (s.flags.seed !== undefined && r.appliedBy.loss === 'kernel') log(t.kernelSeedNote)
  if (s.addressFilter) log(t.start.filter({ filter: describeAddressFilter(s.addressFilter, s.ctx.t.addressFilter), transport }))
  const unmatchable = unmatchableAllow(s.addressFilter, at.host, s.ctx.t.addressFilter)
  if (unmatchable) log(style.yellow(t.start.warning({ text: unmatchable })))
  // Bound to a wildcard, the relay is reached at one of this machine's addresses, not at 0.0.0.0.
  const reach = reachableAddresses(at.host).map(a => formatAddress(a, at.port))
  log(reach.length > 0
    ? t.start.pointClient({ reach: reach.slice(0, 3), more: reach.length > 3, target: to })
    : t.start.pointClient({ reach: [formatAddress(at.host, at.port)], more: false, target: to }))
}

const printTotals = (s: HumanState, c: ImpairmentCountersReport, prefix: string): void => {
  const { t, style } = s
  const direction = (d: DirectionCounters) => t.totals.direction({
    received: d.received, dropped: style.red(t.totals.dropped({ n: d.dropped })),
    ...(d.received ? { droppedPercent: (d.dropped / d.received) * 100 } : {}),
    forwarded: d.forwarded, delayed: d.delayed, reordered: d.reordered, duplicated: d.duplicated, bytes: d.bytesForwarded,
  })
  const relay = c.udp ?? c.tcp
  if (relay) s.log(t.totals.relay({ prefix, udp: Boolean(c.udp), c2s: direction(relay.clientToServer), s2c: direction(relay.serverToClient) }))
  const k = s.flags.udp ? c.kernel?.udp : c.kernel?.tcp
  if (k) s.log(t.totals.kernel({ prefix, c2s: direction(k.clientToServer), s2c: direction(k.serverToClient) }))
  if (c.userns?.retransSegs != null) s.log(t.totals.retransmitted({ prefix, n: c.userns.retransSegs }))
}

/** The UDP relay's per-datagram and per-client events; false when `e` is not one. */
const udpEvent = (s: HumanState, e: ImpairmentEvent): boolean => {
  const { t, log, style } = s
  const ev = t.event
  const packet = (p: { clientId: number }, kind: string, bytes: number, text: () => string) =>
    s.packets.line(`udp:${p.clientId}`, ev.clientLabel({ clientId: p.clientId }), 'client', kind, bytes, text)
  switch (e.type) {
    case 'dropped':
      packet(e, ev.kind.dropped, e.bytes, () => ev.dropped({ clientId: e.clientId, arrow: arrow(e.direction), index: e.index, dropped: style.red(ev.word.dropped), bytes: e.bytes }))
      return true
    case 'held':
      s.holdMs = e.holdMs
      packet(e, ev.kind.heldBack, 0, () => ev.held({ clientId: e.clientId, arrow: arrow(e.direction), index: e.index, held: style.yellow(ev.word.heldBack), holdMs: e.holdMs }))
      return true
    case 'forwarded':
      packet(e, ev.kind.forwarded, e.bytes, () => {
        const notes = [
          e.delayMs > 0 ? ev.noteAfter({ delayMs: e.delayMs }) : '',
          e.copy ? style.yellow(ev.word.duplicateCopy) : '',
          e.reordered ? style.yellow(ev.noteReordered({ passedBy: e.passedBy! })) : '',
          e.heldTimedOut ? ev.noteHeldTimedOut({ holdMs: s.holdMs }) : '',
        ].filter(Boolean)
        // With kernel loss, a reply the relay sends can still be dropped by the kernel on its way to the client.
        const handedToKernel = s.kernelDropsAfterRelay && e.direction === 'server-to-client'
        return ev.forwarded({ clientId: e.clientId, arrow: arrow(e.direction), index: e.index, handedToKernel, bytes: e.bytes, notes })
      })
      return true
    case 'overflow':
      packet(e, ev.kind.queueFull, e.bytes, () => ev.overflow({ clientId: e.clientId, arrow: arrow(e.direction), index: e.index, full: style.red(ev.word.queueFull), queuedBytes: e.queuedBytes }))
      return true
    case 'client': log(ev.client({ clientId: e.clientId, address: formatAddress(e.address, e.port), upstreamPort: e.upstreamPort, active: e.active })); return true
    case 'client-expired':
      s.packets.forget(`udp:${e.clientId}`)
      log(ev.clientExpired({ clientId: e.clientId, address: formatAddress(e.address, e.port), idleMs: e.idleMs }))
      return true
    case 'client-refused': log(ev.clientRefused({ ignored: style.yellow(ev.word.ignored), address: formatAddress(e.address, e.port), limit: e.limit })); return true
    case 'upstream-error':
      if (e.code === 'ECONNREFUSED') {
        // The target's host answered "port unreachable" (at most one line a second).
        const why = explainReported(e, { ...s.target, transport: 'udp', serverCommand: 'udp-server' })
        s.reportUnreachable(count => log(ev.udpUnreachable({ clientId: e.clientId, unreachable: style.red(ev.word.unreachable), why, count })))
      } else {
        log(ev.udpUpstreamError({ clientId: e.clientId, error: style.red(ev.word.upstreamError), code: e.code, message: e.message }))
      }
      return true
    default: return false
  }
}

/** The TCP relay's per-connection events; false when `e` is not one. */
const tcpEvent = (s: HumanState, e: ImpairmentEvent): boolean => {
  const { t, log, style } = s
  const ev = t.event
  switch (e.type) {
    case 'accepted': log(ev.accepted({ id: e.id, accepted: style.green(ev.word.accepted), remote: formatAddress(e.remoteAddress, e.remotePort), active: e.active })); return true
    case 'refused': log(ev.refused({ refused: style.yellow(ev.word.refused), remote: formatAddress(e.remoteAddress, e.remotePort), limit: e.limit })); return true
    case 'upstream-connected': log(ev.upstreamConnected({ id: e.id, localPort: e.localPort })); return true
    case 'upstream-failed': {
      // In plain words, as tcp-client would say it ("nothing is listening on …").
      const why = explainReported(e, { ...s.target, serverCommand: 'tcp-server' })
      log(ev.upstreamFailed({ id: e.id, unreachable: style.red(ev.word.unreachable), why }))
      return true
    }
    case 'chunk':
      s.packets.line(`tcp:${e.id}`, ev.connectionLabel({ id: e.id }), 'connection', ev.kind.chunks, e.bytes,
        () => ev.chunk({ id: e.id, arrow: arrow(e.direction), bytes: e.bytes, delayMs: e.delayMs }))
      return true
    case 'backpressure': log(ev.backpressure({ id: e.id, arrow: arrow(e.direction), queuedBytes: e.queuedBytes })); return true
    case 'half-close':
      s.packets.flushHidden(`tcp:${e.id}`)
      log(ev.halfClose({ id: e.id, arrow: arrow(e.direction), halfClose: style.yellow(ev.word.halfClose) }))
      return true
    case 'reset':
      s.packets.flushHidden(`tcp:${e.id}`)
      log(ev.reset({ id: e.id, reset: style.red(ev.word.reset), code: e.code, side: e.direction === 'client-to-server' ? 'client' : 'server' }))
      return true
    case 'closed':
      s.packets.forget(`tcp:${e.id}`)
      log(ev.closed({
        id: e.id, durationMs: e.durationMs, toServer: e.bytesToServer, toClient: e.bytesToClient,
        ...(e.reason === 'normal' ? {} : { reason: ev.closeReason[e.reason as TcpRelayCloseReason] }),
      }))
      return true
    default: return false
  }
}

/** Events both relays or the kernel table send. */
const otherEvent = (s: HumanState, e: ImpairmentEvent): void => {
  const { t, log, style } = s
  const ev = t.event
  switch (e.type) {
    case 'relay-error': log(ev.relayError({ error: style.red(ev.word.relayError), code: e.code, message: e.message })); break
    case 'denied':
      s.deniedTotal = e.denied
      if (e.transport === 'tcp') {
        log(ev.tcpDenied({
          denied: style.yellow(ev.word.denied), because: deniedBecause(s.addressFilter, e.remoteAddress, s.ctx.t.addressFilter),
          ...(e.remoteAddress === '' ? {} : { remote: formatAddress(e.remoteAddress, e.remotePort) }),
        }))
      } else {
        s.reportDenied(count => log(ev.udpDenied({
          denied: style.yellow(ev.word.denied), count, bytes: e.bytes, remote: formatAddress(e.address, e.port),
          because: deniedBecause(s.addressFilter, e.address, s.ctx.t.addressFilter), total: e.denied,
        })))
      }
      break
    case 'kernel-table':
      if (e.userns) { log(ev.kernelTableUserns({ table: e.table, loss: e.loss })); break }
      log(ev.kernelTable({ table: e.table, loss: e.loss, protocols: e.protocols, ports: e.ports, ...(e.watchdogPid ? { watchdogPid: e.watchdogPid } : {}) }))
      break
    case 'stale-tables-removed': log(staleTablesLine(e.tables, s.ctx.t.impairment)); break
    default: break
  }
}
