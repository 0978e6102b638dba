import { isIPv6 } from 'node:net'
import { Command } from 'commander'
import { formatAddress, isLoopback, isWildcard } from '../../core/addresses.js'
import { DEFAULT_CLOSE_GRACE_MS, DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../../core/constants.js'
import { parseMilliseconds, parsePort, parsePositiveInt, parseHost } from '../../core/parse.js'
import type { ReflectorEvent, ReflectorSummary } from '../../probe/reflector.js'
import type { CloseReason } from '../../servers/tcp-server.js'
import { EXIT_INTERRUPTED } from '../exit-codes.js'
import type { ProbeProblem } from '../../probe/probe.js'
import { aborted, announceStopping, jsonWriter, lineWriter, styleFor, throttledReport, type CliContext } from '../io.js'
import { argParser, JSON_ERROR_EVENT, runAction } from '../action.js'
import { addAddressFilterOptions, addressFilterFrom, deniedBecause, describeAddressFilter, unmatchableAllow, type AddressFilterFlags } from '../address-filter.js'
import type { AddressFilter } from '../../core/cidr.js'
import { formatBytes, formatDuration, plural } from '../render/format.js'
import { sweepStaleTablesAtStart } from '../stale-tables.js'

interface ServeFlags extends AddressFilterFlags {
  host: string
  maxConnections: number
  idleTimeout: number
  json?: boolean
}

export const makeServeCommand = (ctx: CliContext): Command =>
  addAddressFilterOptions(new Command('serve')
    .summary('the far end for `sockkit compare`: TCP and UDP echo on one port')
    .description('The reflector `sockkit compare <host>` measures against: a TCP echo and a UDP echo ' +
      'on the same port number. UDP echoes only compare probes, each exactly as received (never ' +
      'larger, so it cannot be used to amplify traffic); any other datagram is counted and ignored.')
    .argument('[port]', 'TCP and UDP port, 0 = any free one', argParser(v => parsePort(v, { allowZero: true })), DEFAULT_PORT)
    .option('--host <address>', 'bind address (0.0.0.0: all)', argParser(v => parseHost(v)), DEFAULT_HOST)
    .option('--max-connections <n>', 'TCP clients served at once',
      argParser(v => parsePositiveInt(v, 'max-connections')), DEFAULT_MAX_CONNECTIONS)
    .option('--idle-timeout <ms>', 'close TCP idle this long; 0 = never',
      argParser(v => parseMilliseconds(v, 'idle-timeout', { zero: 'off' })), DEFAULT_IDLE_TIMEOUT_MS)
    .option('--json', 'NDJSON events on stdout instead of text on stderr'))
    .addHelpText('after', `
Examples:
  $ sockkit serve                       on 127.0.0.1:9000 (this machine only)
  $ sockkit serve 9000 --host 0.0.0.0   reachable from other machines
  then, on another machine:
  $ sockkit compare 192.168.1.20 --port 9000

Events (stderr), one line each: listening; a TCP connection accepted and
closed, with the bytes echoed; the first UDP probe from each peer; ignored
datagrams (not compare probes) and denied peers, at most one line a second.
Ctrl-C prints a summary and exits 130.`)
    .action((port: number, flags: ServeFlags) => runAction(ctx, async () => {
      const { Reflector } = await import('../../probe/reflector.js')
      const addressFilter = addressFilterFrom(flags)
      const print = flags.json ? printJson(ctx) : printHuman(ctx, addressFilter)
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
      await reflector.listen()
      await aborted(ctx.io.signal)
      announceStopping(ctx, reflector.activeConnections, DEFAULT_CLOSE_GRACE_MS)
      print.summary(await reflector.close())
      return EXIT_INTERRUPTED
    }, { host: flags.host, port, serverCommand: 'serve' }, flags.json ? JSON_ERROR_EVENT : undefined))

/** Why a TCP connection ended, in the words tcp-server uses ("" for an ordinary close). */
const CLOSED_BECAUSE: Record<CloseReason, (code?: string) => string> = {
  'normal': () => '',
  'reset': code => ` (reset by the client, ${code ?? 'ECONNRESET'})`,
  'error': code => ` (closed by error${code ? ` ${code}` : ''})`,
  'idle-timeout': () => ' (idle timeout)',
  'server-stopped': () => ' (server stopping)',
}

/** Why a datagram was not echoed, in words. */
const IGNORED_BECAUSE: Record<ProbeProblem, string> = {
  'not-a-probe': 'not a compare probe',
  'bad-flags': 'a compare probe header with reserved flags set',
  'too-large': 'larger than any compare probe',
  'bad-padding': 'a compare probe header with non-zero padding',
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

const printHuman = (ctx: CliContext, addressFilter: AddressFilter | undefined) => {
  const style = styleFor(ctx, ctx.io.stderr)
  const log = lineWriter(ctx.io.stderr, style)
  const tag = (id: number) => style.cyan(`[#${id}]`)
  // Trailing: after a burst, one more line says how many followed the first.
  const reportIgnored = throttledReport(undefined, { trailing: true })
  const reportDenied = throttledReport(undefined, { trailing: true })
  return {
    event: (e: ReflectorEvent): void => {
      switch (e.type) {
        case 'listening': {
          log(`${style.green('listening')} on ${formatAddress(e.address, e.port)}, TCP and UDP — the far end for sockkit compare`)
          const remote = e.reachable.find(a => !isLoopback(a))
          if (isWildcard(e.address) || !isLoopback(e.address)) {
            log(`from another machine: sockkit compare ${remote ?? e.reachable[0] ?? e.address} --port ${e.port}`)
            log(`(every address of this machine: ${e.reachable.join(', ')}; a firewall must let TCP and UDP port ${e.port} through)`)
          } else {
            log(`from this machine: sockkit compare ${e.address} --port ${e.port}`)
            // Bound to IPv6 loopback: the IPv6 wildcard (which takes IPv4 too on Linux), not 0.0.0.0 (IPv4 only).
            log(`${e.address} accepts only this machine; to measure from another one, run \`sockkit serve ${e.port} --host ${isIPv6(e.address) ? '::' : '0.0.0.0'}\``)
          }
          if (addressFilter) log(`${describeAddressFilter(addressFilter)}; filtered peers are closed at once (TCP) or get no reply (UDP)`)
          const unmatchable = unmatchableAllow(addressFilter, e.address)
          if (unmatchable) log(style.yellow(`warning: ${unmatchable}`))
          break
        }
        case 'tcp': {
          const t = e.event
          if (t.type === 'accepted') log(`${tag(t.id)} ${style.green('tcp connection')} from ${formatAddress(t.remoteAddress, t.remotePort)} (${t.active} open)`)
          else if (t.type === 'closed') {
            log(`${tag(t.id)} closed after ${formatDuration(t.durationMs)}: ${formatBytes(t.bytesIn)} echoed${CLOSED_BECAUSE[t.reason](t.code)}`)
          } else if (t.type === 'refused') log(`${style.yellow('refused')} ${formatAddress(t.remoteAddress, t.remotePort)}: ${t.active} connections open, limit ${t.limit}`)
          else if (t.type === 'denied') log(`${style.yellow('denied')} tcp ${formatAddress(t.remoteAddress, t.remotePort)} (${deniedBecause(addressFilter, t.remoteAddress)}); closed at once`)
          else if (t.type === 'server-error') log(`${style.red('tcp error')} ${t.code}: ${t.message} (still listening)`)
          break
        }
        case 'udp-peer':
          log(`${style.green('udp probes')} from ${formatAddress(e.remoteAddress, e.remotePort)}`)
          break
        case 'udp-ignored':
          reportIgnored(count => log(`${style.yellow('ignored')} ${plural(count, 'datagram')} (latest: ${plural(e.bytes, 'byte')} from ` +
            `${formatAddress(e.remoteAddress, e.remotePort)}): ${IGNORED_BECAUSE[e.reason]}, not echoed; ${e.total} ignored in all`))
          break
        case 'udp-denied':
          reportDenied(count => log(`${style.yellow('denied')} ${plural(count, 'datagram')} (latest: ${plural(e.bytes, 'byte')} from ` +
            `${formatAddress(e.remoteAddress, e.remotePort)}, ${deniedBecause(addressFilter, e.remoteAddress)}): no reply; ${e.total} denied in all`))
          break
        case 'udp-send-error':
          log(`${style.red('udp echo failed')} to ${formatAddress(e.remoteAddress, e.remotePort)}: ${e.code} (that probe is lost)`)
          break
        case 'udp-error':
          log(`${style.red('udp error')} ${e.code}: ${e.message} (still listening)`)
          break
      }
    },
    summary: (s: ReflectorSummary): void => {
      // The summary has the totals: a trailing line after it would only repeat them.
      reportIgnored.stop()
      reportDenied.stop()
      log(`stopped after ${formatDuration(s.durationMs)}: UDP ${plural(s.udp.probesEchoed, 'probe')} echoed from ${plural(s.udp.peers, 'peer')}` +
        (s.udp.ignored ? `, ${s.udp.ignored} ignored` : '') + (s.udp.denied ? `, ${s.udp.denied} denied` : '') + (s.udp.sendErrors ? `, ${s.udp.sendErrors} echoes failed` : '') +
        `; TCP ${plural(s.tcp.accepted, 'connection')}, ${formatBytes(s.tcp.bytesIn)} echoed` +
        (s.tcp.denied ? `, ${s.tcp.denied} denied` : ''))
    },
  }
}
