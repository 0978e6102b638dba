import { isIPv6 } from 'node:net'
import { Command } from 'commander'
import { formatAddress, isLoopback, isWildcard } from '../../core/addresses.js'
import { DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../../core/constants.js'
import { parseMilliseconds, parsePort, parsePositiveInt, parseHost } from '../../core/parse.js'
import type { ReflectorEvent, ReflectorSummary } from '../../probe/reflector.js'
import { jsonWriter, lineWriter, styleFor, throttledReport, type CliContext, type LineWriter } from '../io.js'
import type { ChalkInstance } from 'chalk'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, type AddressFilterFlags } from '../address-filter.js'
import { filterWords, runUntilInterrupted, type FilterWords } from '../server-kit.js'
import { sweepStaleTablesAtStart } from '../stale-tables.js'

interface ServeFlags extends AddressFilterFlags {
  host: string
  maxConnections: number
  idleTimeout: number
  json?: boolean
}

export const makeServeCommand = (ctx: CliContext): Command => {
  const help = ctx.t.serve.help
  return addAddressFilterOptions(new Command('serve')
    .summary(help.summary)
    .description(help.description)
    .argument('[port]', help.arguments.port, argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', help.options.host, argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--max-connections <n>', help.options.maxConnections,
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--idle-timeout <ms>', help.options.idleTimeout,
      argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--json', help.options.json), ctx.t.addressFilter)
    .addHelpText('after', help.examples)
    .action((port: number, flags: ServeFlags) => runAction(ctx, () => runServe(ctx, port, flags),
      { host: flags.host, port, serverCommand: 'serve' }, flags.json ? JSON_ERROR_EVENT : undefined))
}

/** Reflect until Ctrl-C, printing every event; then the summary and 130. */
const runServe = async (ctx: CliContext, port: number, flags: ServeFlags): Promise<number> => {
  const { Reflector } = await import('../../probe/reflector.js')
  const addressFilter = addressFilterFrom(flags)
  const print = flags.json ? printJson(ctx) : printHuman(ctx, filterWords(ctx, addressFilter))
  // Tables left by runs that died still drop packets on their ports: remove them first.
  const stale = await sweepStaleTablesAtStart(ctx, !flags.json)
  if (flags.json && stale.length > 0) jsonWriter(ctx.io.stdout)({ event: 'stale-tables-removed', tables: stale })
  const reflector = new Reflector({
    addressFilter,
    port,
    host: flags.host,
    maxConnections: flags.maxConnections,
    idleTimeoutMs: flags.idleTimeout,
    onEvent: print.event,
  })
  return runUntilInterrupted(ctx, reflector, print)
}

const printJson = (ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: (e: ReflectorEvent): void => {
      // TCP events are nested in the library; flatten them with a tcp- prefix for graders.
      if (e.type === 'tcp') write({ event: `tcp-${e.event.type}`, ...e.event, type: undefined })
      else write({ event: e.type, ...e, type: undefined })
    },
    summary: (s: ReflectorSummary) => write({ event: 'summary', ...s }),
  }
}

/** What every human line handler shares: the words, the colours, the writer and the address filter. */
interface HumanOut {
  t: CliContext['t']['serve']
  style: ChalkInstance
  log: LineWriter
  filter: FilterWords
}

const printHuman = (ctx: CliContext, filter: FilterWords) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const out: HumanOut = { t: ctx.t.serve, style, log: lineWriter(ctx.io.stderr, style), filter }
  // Trailing: after a burst, one more line says how many followed the first.
  const reportIgnored = throttledReport(undefined, { trailing: true })
  const reportDenied = throttledReport(undefined, { trailing: true })
  const { t, log } = out
  return {
    event: (e: ReflectorEvent): void => {
      if (e.type === 'listening') printListening(out, e)
      else if (e.type === 'tcp') printTcpEvent(out, e.event)
      else if (e.type === 'udp-ignored') {
        reportIgnored(count => log(t.udpIgnored({
          count, bytes: e.bytes, from: formatAddress(e.remoteAddress, e.remotePort), because: t.ignoredBecause[e.reason], total: e.total, em: style.yellow,
        })))
      } else if (e.type === 'udp-denied') {
        reportDenied(count => log(t.udpDenied({
          count, bytes: e.bytes, from: formatAddress(e.remoteAddress, e.remotePort), because: filter.because(e.remoteAddress), total: e.total, em: style.yellow,
        })))
      } else if (e.type === 'udp-peer') log(t.udpPeer({ from: formatAddress(e.remoteAddress, e.remotePort), em: style.green }))
      else if (e.type === 'udp-send-error') log(t.udpSendError({ from: formatAddress(e.remoteAddress, e.remotePort), code: e.code, em: style.red }))
      else if (e.type === 'udp-error') log(t.udpError({ code: e.code, message: e.message, em: style.red }))
    },
    summary: (s: ReflectorSummary): void => {
      // The summary has the totals: a trailing line after it would only repeat them.
      reportIgnored.stop()
      reportDenied.stop()
      log(t.stopped(s))
    },
  }
}

/** The lines that open a run: where it listens and the compare command to run against it, from here or elsewhere. */
const printListening = (out: HumanOut, e: Extract<ReflectorEvent, { type: 'listening' }>): void => {
  const { t, style, log, filter } = out
  log(t.listening({ here: formatAddress(e.address, e.port), em: style.green }))
  const remote = e.reachable.find(a => !isLoopback(a))
  if (isWildcard(e.address) || !isLoopback(e.address)) {
    log(t.fromElsewhere({ host: remote ?? e.reachable[0] ?? e.address, port: e.port }))
    log(t.everyAddress({ addresses: e.reachable, port: e.port }))
  } else {
    log(t.fromHere({ host: e.address, port: e.port }))
    // Bound to IPv6 loopback: the IPv6 wildcard (which takes IPv4 too on Linux), not 0.0.0.0 (IPv4 only).
    log(t.onlyHere({ address: e.address, port: e.port, wildcard: isIPv6(e.address) ? '::' : '0.0.0.0' }))
  }
  const described = filter.describe()
  if (described !== '') log(t.filter({ filter: described }))
  const unmatchable = filter.unmatchable(e.address)
  if (unmatchable) log(style.yellow(t.warning({ text: unmatchable })))
}

/** One line for an event of the TCP echo half. */
const printTcpEvent = (out: HumanOut, e: Extract<ReflectorEvent, { type: 'tcp' }>['event']): void => {
  const { t, style, log, filter } = out
  const tag = (id: number) => style.cyan(`[#${id}]`)
  if (e.type === 'accepted') log(t.tcpAccepted({ tag: tag(e.id), from: formatAddress(e.remoteAddress, e.remotePort), active: e.active, em: style.green }))
  else if (e.type === 'closed') {
    log(t.tcpClosed({ tag: tag(e.id), durationMs: e.durationMs, bytes: e.bytesIn, reason: e.reason, ...(e.code !== undefined ? { code: e.code } : {}) }))
  } else if (e.type === 'refused') log(t.tcpRefused({ from: formatAddress(e.remoteAddress, e.remotePort), active: e.active, limit: e.limit, em: style.yellow }))
  else if (e.type === 'denied') log(t.tcpDenied({ from: formatAddress(e.remoteAddress, e.remotePort), because: filter.because(e.remoteAddress), em: style.yellow }))
  else if (e.type === 'server-error') log(t.tcpError({ code: e.code, message: e.message, em: style.red }))
}
