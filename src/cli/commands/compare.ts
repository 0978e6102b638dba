import type { FileHandle } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_PORT, MAX_UDP_PAYLOAD_IPV4 } from '../../core/constants.js'
import { invalidArgText } from '../../core/errors.js'
import { parseMilliseconds, parseNonNegativeInt, parseNumberText, parsePercent, parsePort, parseHost, parseRate as parseRateWithin } from '../../core/parse.js'
import { checkImpairmentFlags, MAX_IMPAIRMENT_DELAY_MS, reorderSpacingNote, type EmulatorChoice, type Impairment, type ImpairmentEvent } from '../../impairment/impairment.js'
import type { CompareConfig, CompareEvent } from '../../compare/compare-types.js'
import type { TransportId } from '../../compare/transport-types.js'
import { defaultTransports } from '../../compare/transports/index.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { sweepStaleTablesAtStart } from '../stale-tables.js'
import { plural } from '../render/format.js'
import { clock, jsonReplacer, lineWriter, stopCause, styleFor, type CliContext } from '../io.js'
import { KERNEL_SEED_NOTE } from './link.js'
import { argParser, runAction } from '../action.js'
import { explainError, explainReported } from '../explain.js'

interface CompareFlags {
  port: number
  count: number
  rate: number
  size: number
  transports: TransportId[]
  blast?: boolean
  warmup: number
  nagle?: boolean
  tmax?: number
  json?: boolean
  csv?: string
  loss?: number
  delay?: number
  jitter?: number
  reorder?: number
  duplicate?: number
  emulator: EmulatorChoice
  seed?: number
}

const IMPAIRMENT_FLAGS = ['loss', 'delay', 'jitter', 'reorder', 'duplicate'] as const

const parseEmulator = (value: string): EmulatorChoice => {
  if (value === 'auto' || value === 'kernel' || value === 'userspace') return value
  throw invalidArgText(`emulator must be auto, kernel or userspace, not "${value}"`, { value })
}

const parseDelayMs = (name: string) => (value: string): number => {
  const n = parseNonNegativeInt(value, name)
  if (n > MAX_IMPAIRMENT_DELAY_MS) throw invalidArgText(`${name} must be at most ${MAX_IMPAIRMENT_DELAY_MS} ms, not "${value}"`, { value })
  return n
}

const parseSeed = (value: string): number => {
  const n = parseNonNegativeInt(value, 'seed')
  if (n >= 2 ** 32) throw invalidArgText(`seed must be below 4294967296, not "${value}"`, { value })
  return n
}

/** `tcp,udp` → ['tcp', 'udp']: registered transports, each once. */
const parseTransports = (value: string): TransportId[] => {
  const names = value.split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (names.length === 0 || names.some(n => !defaultTransports.has(n)) || new Set(names).size !== names.length) {
    throw invalidArgText(`transports must be tcp, udp or tcp,udp, not "${value}"`, { value })
  }
  return names
}

/** The IP transports under `ids` (what an impairment acts on). */
const carriersOf = (ids: TransportId[]): Array<'tcp' | 'udp'> =>
  [...new Set(ids.map(id => defaultTransports.get(id)!.traits.carriedOver))]

const parseNumber = parseNumberText

/** A whole number of at least `min`, in any form that means one: 1000, 1e3, 1000.0. */
const parseWhole = (name: string, min: number, unit = '') => (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isSafeInteger(n) || n < min) {
    throw invalidArgText(`${name} must be a whole number${unit} of at least ${min} (like 1000 or 1e3), not "${value}"`, { value })
  }
  return n
}

/**
 * Probes per second: a finite number above 0, and at least one per 24.8 days (the longest
 * interval a timer holds). No upper bound on purpose: a schedule faster than this machine
 * can send is still measured honestly — probes leave as fast as they can, RTTs run from the
 * schedule, and the send lag says how far behind it fell.
 */
const parseRate = (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isFinite(n) || n <= 0) throw invalidArgText(`rate must be a number of probes per second above 0 (like 200, 0.5 or 1e4), not "${value}"`, { value })
  return parseRateWithin(value, 'rate')
}

/** Probe header (24 bytes) as the floor; the UDP ceiling is checked once transports are known. */
const parseSize = (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isSafeInteger(n) || n < 24) throw invalidArgText(`size must be a whole number of bytes, at least 24 (the probe header), not "${value}"`, { value })
  return n
}

/** Where `--csv` rows go: a file opened before the run, or stdout (`-`). */
type CsvSink = { kind: 'stdout' } | { kind: 'file'; path: string; handle: FileHandle }

/**
 * Open the `--csv` file before any probe is sent, so a path that cannot be written fails
 * at once (exit 2: the user typed it) instead of after the whole measurement. Like a shell
 * redirection, an existing file is emptied now.
 */
const openCsv = async (path: string): Promise<CsvSink> => {
  if (path === '-') return { kind: 'stdout' }
  const { open } = await import('node:fs/promises')
  try {
    return { kind: 'file', path, handle: await open(path, 'w') }
  } catch (e) {
    throw invalidArgText(`cannot write the CSV file ${path}: ${fileProblem(e, path)}`, { value: path })
  }
}

/** Node's file error, as the few words a user needs. */
const fileProblem = (e: unknown, path: string): string => {
  switch ((e as { code?: string }).code) {
    case 'ENOENT': return `the directory ${dirname(resolve(path))} does not exist`
    case 'ENOTDIR': return 'a part of that path is a file, not a directory'
    case 'EISDIR': return 'that is a directory; give a file name'
    case 'EACCES':
    case 'EPERM': return 'permission denied'
    case 'EROFS': return 'the file system is read-only'
    case 'ENOSPC': return 'the disk is full'
    default: return (e as Error).message
  }
}

const TRANSPORTS_OPTION = new Option('--transports <list>', 'tcp, udp or both, in that order')
  .argParser(argParser(parseTransports))
  .default(['tcp', 'udp'], 'tcp,udp')

/** compare --help after the options: examples, definitions, exit codes; wrapped for 80 columns. */
const COMPARE_HELP_AFTER = `
Examples:
  $ sockkit compare                      TCP versus UDP on this machine
  $ sockkit compare --loss 5 --delay 20  a lossy, slow network (classroom)
  $ sockkit compare 192.168.1.20 --json  against \`sockkit serve\` there

What each figure means:
  RTT         from each probe's SCHEDULED send time (open loop: a stalled
              sender shows up, it is not hidden); send lag = actual −
              scheduled. A --rate faster than this machine can send is
              allowed: probes leave as fast as they can, the lag shows it.
  lost        not back within Tmax (RFC 7680/6673), which is reported; late
              echoes count as lost, duplicates once. --tmax applies to both.
              Automatic Tmax: UDP the larger of 1 s (+ any added delay) and
              3 × the largest RTT, frozen at the last send; TCP, which
              delivers or dies, waits for every probe while the connection
              lives, up to 60 s (its Tmax is that cap).
  reordered   below the highest number seen + 1 (RFC 4737).
  jitter      RFC 3550 A.8, on RTTs from the schedule: round trip (RFC
              3550's is one-way), and a sender stall is in it. |IPDV| (the
              size of the change from the previous probe) and PDV (RTT −
              min): RFC 5481. A percentile needs enough samples (p99: 100,
              p99.9: 1000), else it reads n/a.
  throughput  probes back in time over the measured interval: from the
              first scheduled send to the last echo, or to the end of
              sending if later (last send + one interval: N probes own N
              intervals, so it never exceeds --rate); n/a for one probe.
              The wait for lost probes is not counted.
  kernel      /proc/net/snmp deltas (Udp RcvbufErrors, Tcp RetransSegs),
              read around each transport; they count the whole machine.

Impairments act on each direction: 20% loss each way is 36% round trip.
auto gives loss to the kernel (nftables) where it can drop (Linux, root,
nft), UDP and TCP alike, and the rest to a userspace relay; without it the
relay does all of it for UDP, but cannot drop, reorder or duplicate TCP
segments, so TCP then gets only delay and jitter (the output says so).

--csv - writes the rows to stdout and the table to stderr (not with --json);
its seq is the probe header's, from 0 as on the wire.
Exit codes: 0 done, 1 no answer or a runtime failure (with --json, stdout
then holds {"schema", "error"}), 2 bad option or a --csv file that cannot
be opened, 130 Ctrl-C (partial result printed).`

export const makeCompareCommand = (ctx: CliContext): Command =>
  new Command('compare')
    .summary('TCP versus UDP side by side: loss, ordering, latency, with the same traffic')
    .description('Sends the same stream of numbered probes, on a fixed schedule, over TCP and then UDP ' +
      'to a reflector, and shows in one table what each transport did with it. Without a host it ' +
      'starts its own reflector in a separate process on 127.0.0.1; with a host it measures ' +
      '`sockkit serve` running there.')
    .argument('[host]', 'where `sockkit serve` runs (default: own reflector)', argParser(v => parseHost(v)))
    .option('--port <port>', "`sockkit serve`'s port on that host", argParser(v => parsePort(v)), DEFAULT_PORT)
    .option('--count <n>', 'probes per transport', argParser(parseWhole('count', 1)), 1000)
    .option('--rate <per-second>', 'probes per second, on a fixed schedule', argParser(parseRate), 200)
    .option('--size <bytes>', `probe size, 24 to ${MAX_UDP_PAYLOAD_IPV4} with UDP`, argParser(parseSize), 64)
    .addOption(TRANSPORTS_OPTION)
    .option('--blast', 'send as fast as the sockets accept (buffer overflow)')
    .option('--warmup <n>', 'probes sent and discarded first', argParser(parseWhole('warmup', 0)), 0)
    .option('--nagle', "leave Nagle's algorithm on for the probes sent (default: off; the reflector's echo is always without it)")
    .option('--tmax <ms>', 'loss waiting time (default: automatic, see below)', argParser(v => parseMilliseconds(v, 'tmax')))
    .option('--loss <percent>', 'impair: drop this share of packets', argParser(v => parsePercent(v, 'loss')))
    .option('--delay <ms>', 'impair: add this one-way delay', argParser(parseDelayMs('delay')))
    .option('--jitter <ms>', 'impair: vary the delay by ± this much', argParser(parseDelayMs('jitter')))
    .option('--reorder <percent>', 'impair: hold back this share of datagrams', argParser(v => parsePercent(v, 'reorder')))
    .option('--duplicate <percent>', 'impair: send this share of datagrams twice', argParser(v => parsePercent(v, 'duplicate')))
    .option('--emulator <kind>', 'auto, kernel (nft) or userspace', argParser(parseEmulator), 'auto')
    .option('--seed <n>', "the relay's random seed (default: random, reported); the kernel's drops are random, --emulator userspace (UDP) repeats them too", argParser(parseSeed))
    .addOption(new Option('--json', 'the result as one JSON document on stdout'))
    .option('--csv <file>', 'one row per probe into <file>; - for stdout')
    .addHelpText('after', COMPARE_HELP_AFTER)
    .action((host: string | undefined, flags: CompareFlags, command: Command) => runAction(ctx, async () => {
      if (host === undefined && command.getOptionValueSource('port') === 'cli') {
        throw invalidArgText(`--port ${flags.port} needs a host: without one compare starts its own reflector (to measure a local \`sockkit serve\`, give 127.0.0.1)`)
      }
      if (flags.transports.includes('udp') && flags.size > MAX_UDP_PAYLOAD_IPV4) {
        throw invalidArgText(`--size: size must be at most ${MAX_UDP_PAYLOAD_IPV4} bytes with UDP (the largest datagram), not ${flags.size}`)
      }
      if (flags.csv === '-' && flags.json) {
        throw invalidArgText('--csv - and --json both write to stdout: give --csv a file name')
      }
      const { makeCompareConfig, runCompareDetailed } = await import('../../compare/compare.js')
      // Validate everything before starting a reflector process.
      const config = makeCompareConfig({
        host: host ?? '127.0.0.1',
        port: host === undefined ? 9000 : flags.port,
        local: host === undefined,
        count: flags.count,
        ratePerSecond: flags.rate,
        sizeBytes: flags.size,
        transports: flags.transports,
        blast: flags.blast ?? false,
        warmup: flags.warmup,
        nagle: flags.nagle ?? false,
        tmaxMs: flags.tmax ?? null,
      })
      const impairmentGiven = IMPAIRMENT_FLAGS.some(name => command.getOptionValueSource(name) === 'cli')
      if (!impairmentGiven && (command.getOptionValueSource('emulator') === 'cli' || flags.seed !== undefined)) {
        throw invalidArgText(`--${command.getOptionValueSource('emulator') === 'cli' ? 'emulator' : 'seed'} needs an impairment to apply: add --loss, --delay, --jitter, --reorder or --duplicate`)
      }
      const impairment: Impairment | undefined = impairmentGiven
        ? Object.fromEntries(IMPAIRMENT_FLAGS.filter(name => flags[name] !== undefined).map(name => [name, flags[name]]))
        : undefined
      if (impairment) {
        // The same impossible combination is the same usage error as in link (exit 2).
        const { problem } = await checkImpairmentFlags({ command: 'compare', transports: carriersOf(flags.transports), impairment, emulator: flags.emulator })
        if (problem !== undefined) throw invalidArgText(problem)
      }
      // Last of the checks, first of the effects: the file is opened before any probe is sent.
      const csv = flags.csv === undefined ? undefined : await openCsv(flags.csv)
      // Tables left by runs that died still drop packets on their ports: remove them first (one line says so).
      await sweepStaleTablesAtStart(ctx)
      if (impairment && flags.transports.includes('udp')) {
        const note = reorderSpacingNote(impairment, config.intervalMs)
        if (note !== undefined) lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(note)
      }
      try {
        return await measureAndReport(ctx, { host, flags, config, impairment, csv, runCompareDetailed })
      } finally {
        if (csv?.kind === 'file') await csv.handle.close()
      }
    }, { host: host ?? '127.0.0.1', port: flags.port, serverCommand: 'serve' }, flags.json ? { kind: 'document', schema: 'sockkit.compare/v2' } : undefined))

const measureAndReport = async (ctx: CliContext, { host, flags, config, impairment, csv, runCompareDetailed }: {
  host: string | undefined
  flags: CompareFlags
  config: CompareConfig
  impairment: Impairment | undefined
  csv: CsvSink | undefined
  runCompareDetailed: typeof import('../../compare/compare.js').runCompareDetailed
}): Promise<number> => {
  const progress = progressLine(ctx)
  const { startLocalReflector } = await import('../../probe/local-reflector.js')
  const local = host === undefined ? await startLocalReflector() : undefined
  if (local) config.port = local.port
  let detail
  try {
    detail = await runCompareDetailed(config, {
      signal: ctx.io.signal,
      onEvent: progress.event,
      ...(impairment ? { impairment: { impairment, emulator: flags.emulator, ...(flags.seed !== undefined ? { seed: flags.seed, onEvent: seedNote(ctx) } : {}) } } : {}),
    })
  } catch (err) {
    progress.clear()
    const tcpError = (err as { tcpError?: unknown }).tcpError
    if (tcpError !== undefined) {
      // Both transports failed: say why TCP failed, then the UDP sentence.
      const explain = { host: config.host, port: config.port, serverCommand: 'serve' }
      const tcpSentence = explainError(tcpError, explain) ?? (tcpError as Error).message
      const udpSentence = explainError(err, explain) ?? (err as Error).message
      throw Object.assign(new Error(tcpSentence === udpSentence ? tcpSentence : `${tcpSentence}; and ${udpSentence}`),
        { code: 'ERR_SOCKKIT_NO_ANSWER' })
    }
    throw err
  } finally {
    await local?.close()
  }
  progress.clear()
  const { result, runs } = detail
  const { formatCompare, formatCsvRows } = await import('../render/format-compare.js')

  // stdout carries one kind of data: the JSON, the CSV (--csv -) or else the table. With
  // --csv - the table moves to stderr, as irtt moves its text when JSON takes stdout.
  const tableStream = csv?.kind === 'stdout' ? ctx.io.stderr : ctx.io.stdout
  if (flags.json) ctx.io.stdout.write(`${JSON.stringify(result, jsonReplacer, 2)}\n`)
  else tableStream.write(formatCompare(result, styleFor(ctx, tableStream), { width: (tableStream as { columns?: number }).columns }))

  if (csv !== undefined) {
    let rows = ''
    for (const transport of config.transports) {
      const run = runs[transport]
      const measured = result.results[transport]
      if (run === undefined || measured === undefined) continue
      // One header for the whole file.
      rows += formatCsvRows(run, measured, { header: rows === '' })
    }
    if (csv.kind === 'stdout') ctx.io.stdout.write(rows)
    else {
      try {
        await csv.handle.writeFile(rows)
      } catch (e) {
        // Opened fine but the write failed (a full disk): a runtime failure, after the result was shown.
        throw new Error(`could not finish writing the CSV file ${csv.path}: ${fileProblem(e, csv.path)}`)
      }
    }
  }

  const err = styleFor(ctx, ctx.io.stderr)
  for (const [transport, failure] of Object.entries(result.errors ?? {})) {
    if (!failure) continue
    const sentence = explainReported(failure, { host: config.host, port: config.port, serverCommand: 'serve' })
    ctx.io.stderr.write(`${err.red('sockkit:')} ${transport.toUpperCase()}: ${sentence}\n`)
  }
  if (result.interrupted) {
    ctx.io.stderr.write(`sockkit: stopped by ${stopCause(ctx.io.signal)}; the result covers the probes sent so far\n`)
    return EXIT_INTERRUPTED
  }
  return result.errors ? EXIT_FAILURE : EXIT_OK
}

/** With --seed: when the kernel table is made (the kernel drops, unseeded), say so once at the start. */
const seedNote = (ctx: CliContext) => {
  let said = false
  return (e: ImpairmentEvent): void => {
    if (e.type !== 'kernel-table' || said) return
    said = true
    lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(KERNEL_SEED_NOTE)
  }
}

/**
 * One line on stderr, rewritten in place, while a terminal is watching; otherwise one
 * plain line per transport (a log file or a CI run should not fill with carriage returns).
 */
const progressLine = (ctx: CliContext) => {
  const stream = ctx.io.stderr
  const live = Boolean(stream.isTTY)
  const style = styleFor(ctx, stream)
  let shown = false
  let target = ''
  let saidWaiting = false
  const write = (text: string) => {
    if (!live) return
    stream.write(`\r\x1b[K${text}`)
    shown = true
  }
  return {
    event: (e: CompareEvent): void => {
      if (e.type === 'phase') {
        target = formatAddress(e.host, e.port) + (e.via ? ` via ${formatAddress(e.via.host, e.via.port)}` : '')
        // Without a terminal, one plain line per transport instead of a live counter.
        // Prefixed with the clock, like every other event line.
        if (!live) stream.write(`${style.dim(clock())} ${e.transport.toUpperCase()} → ${target}: sending ${plural(e.total, 'probe')}${e.warmup ? ` after ${plural(e.warmup, 'warm-up probe')}` : ''}\n`)
        write(`${e.transport.toUpperCase()} → ${target}: ${e.warmup ? `warming up with ${plural(e.warmup, 'probe')}, then ` : ''}sending ${plural(e.total, 'probe')}…`)
      } else if (e.type === 'progress') {
        const percent = Math.floor((100 * e.sent) / e.total)
        write(`${e.transport.toUpperCase()} → ${target}: sent ${e.sent}/${e.total} (${percent}%), ${e.received} back`)
      } else if (e.type === 'waiting') {
        const text = `waiting for ${plural(e.outstanding, `${e.transport.toUpperCase()} probe`)} still in flight (TCP retransmits; up to ${Math.round(e.capMs / 1000)} s)`
        // Without a terminal, said once: a log shows why the run is taking longer.
        if (!live && !saidWaiting) stream.write(`${style.dim(clock())} ${e.transport.toUpperCase()} → ${target}: ${text}\n`)
        saidWaiting = true
        write(`${e.transport.toUpperCase()} → ${target}: ${text}…`)
      } else if (e.type === 'transport-failed') {
        write(`${e.transport.toUpperCase()} → ${target}: failed (${e.code})`)
      }
    },
    clear: (): void => {
      if (shown) stream.write('\r\x1b[K')
      shown = false
    },
  }
}
