import type { FileHandle } from 'node:fs/promises'
import { dirname, resolve } from 'node:path'
import { Command, Option } from 'commander'
import { formatAddress } from '../../core/addresses.js'
import { DEFAULT_PORT, MAX_UDP_PAYLOAD_IPV4 } from '../../core/constants.js'
import { usageError as invalidArgText } from '../usage-error.js'
import { parseMilliseconds, parseNonNegativeInt, parseNumberText, parsePercent, parsePort, parseHost, parseRate as parseRateWithin } from '../../core/parse.js'
import { MAX_IMPAIRMENT_DELAY_MS, type EmulatorChoice, type Impairment, type ImpairmentEvent } from '../../impairment/impairment.js'
import { checkImpairmentFlags, reorderSpacingNote } from '../impairment-flags.js'
import type { CompareConfig, CompareEvent } from '../../compare/compare-types.js'
import type { TransportId } from '../../compare/transport-types.js'
import { defaultTransports } from '../../compare/transports/index.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { sweepStaleTablesAtStart } from '../stale-tables.js'
import type { Catalog } from '../../i18n/index.js'
import { clock, jsonReplacer, lineWriter, stopCause, styleFor, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { explainError, explainReported } from '../explain.js'
import { reexecInUserns, tcpLossRoute } from '../userns-reexec.js'
import type { TcpLossUnavailable } from '../../net/userns.js'

interface CompareFlags {
  port: number
  count: number
  rate: number
  size: number
  transports: TransportId[]
  blast?: boolean
  sequential?: boolean
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

/** compare's messages (ctx.t.compareCli). */
type Messages = Catalog['compareCli']

// Usage errors are worded here, by the CLI, in the user's language (they name flags).
const usage = (message: string, value: unknown) => invalidArgText(message, { value })

const parseEmulator = (t: Messages) => (value: string): EmulatorChoice => {
  if (value === 'auto' || value === 'kernel' || value === 'userspace') return value
  throw usage(t.emulatorInvalid({ value }), value)
}

const parseDelayMs = (t: Messages, name: string) => (value: string): number => {
  const n = parseNonNegativeInt(value, name)
  if (n > MAX_IMPAIRMENT_DELAY_MS) throw usage(t.delayTooLong({ name, max: MAX_IMPAIRMENT_DELAY_MS, value }), value)
  return n
}

const parseSeed = (t: Messages) => (value: string): number => {
  const n = parseNonNegativeInt(value, 'seed')
  if (n >= 2 ** 32) throw usage(t.seedTooBig({ value }), value)
  return n
}

/** `tcp,udp` → ['tcp', 'udp']: registered transports, each once. */
const parseTransports = (t: Messages) => (value: string): TransportId[] => {
  const names = value.split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (names.length === 0 || names.some(n => !defaultTransports.has(n)) || new Set(names).size !== names.length) {
    throw usage(t.transportsInvalid({ value }), value)
  }
  return names
}

/** The IP transports under `ids` (what an impairment acts on). */
const carriersOf = (ids: TransportId[]): Array<'tcp' | 'udp'> =>
  [...new Set(ids.map(id => defaultTransports.get(id)!.traits.carriedOver))]

const parseNumber = parseNumberText

/** A whole number of at least `min`, in any form that means one: 1000, 1e3, 1000.0. */
const parseWhole = (t: Messages, name: string, min: number, unit = '') => (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isSafeInteger(n) || n < min) throw usage(t.wholeInvalid({ name, unit, min, value }), value)
  return n
}

/**
 * Probes per second: a finite number above 0, and at least one per 24.8 days (the longest
 * interval a timer holds). No upper bound on purpose: a schedule faster than this machine
 * can send is still measured honestly — probes leave as fast as they can, RTTs run from the
 * schedule, and the send lag says how far behind it fell.
 */
const parseRate = (t: Messages) => (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isFinite(n) || n <= 0) throw usage(t.rateInvalid({ value }), value)
  return parseRateWithin(value, 'rate')
}

/** Probe header (24 bytes) as the floor; the UDP ceiling is checked once transports are known. */
const parseSize = (t: Messages) => (value: string): number => {
  const n = parseNumber(value)
  if (!Number.isSafeInteger(n) || n < 24) throw usage(t.sizeInvalid({ value }), value)
  return n
}

/** Where `--csv` rows go: a file opened before the run, or stdout (`-`). */
type CsvSink = { kind: 'stdout' } | { kind: 'file'; path: string; handle: FileHandle }

/**
 * Open the `--csv` file before any probe is sent, so a path that cannot be written fails
 * at once (exit 2: the user typed it) instead of after the whole measurement. Like a shell
 * redirection, an existing file is emptied now.
 */
const openCsv = async (t: Messages, path: string): Promise<CsvSink> => {
  if (path === '-') return { kind: 'stdout' }
  const { open } = await import('node:fs/promises')
  try {
    return { kind: 'file', path, handle: await open(path, 'w') }
  } catch (e) {
    throw usage(t.csvCannotWrite({ path, problem: fileProblem(t, e, path) }), path)
  }
}

/** Node's file error, as the few words a user needs. */
const fileProblem = (t: Messages, e: unknown, path: string): string => {
  const code = (e as { code?: string }).code
  switch (code) {
    case 'ENOENT': return t.fileProblem.ENOENT({ dir: dirname(resolve(path)) })
    case 'ENOTDIR': case 'EISDIR': case 'EACCES': case 'EROFS': case 'ENOSPC': return t.fileProblem[code]
    case 'EPERM': return t.fileProblem.EACCES
    default: return (e as Error).message
  }
}

export const makeCompareCommand = (ctx: CliContext): Command => {
  const t = ctx.t.compareCli
  const help = t.help
  return new Command('compare')
    .summary(help.summary)
    .description(help.description)
    .argument('[host]', help.arguments.host, argParser(v => parseHost(v)))
    .option('--port <port>', help.options.port, argParser(v => parsePort(v)), DEFAULT_PORT)
    .option('--count <n>', help.options.count, argParser(parseWhole(t, 'count', 1)), 1000)
    .option('--rate <per-second>', help.options.rate, argParser(parseRate(t)), 200)
    .option('--size <bytes>', help.options.size({ max: MAX_UDP_PAYLOAD_IPV4 }), argParser(parseSize(t)), 64)
    .addOption(new Option('--transports <list>', help.options.transports).argParser(argParser(parseTransports(t))).default(['tcp', 'udp'], 'tcp,udp'))
    .option('--blast', help.options.blast)
    .option('--sequential', help.options.sequential)
    .option('--warmup <n>', help.options.warmup, argParser(parseWhole(t, 'warmup', 0)), 0)
    .option('--nagle', help.options.nagle)
    .option('--tmax <ms>', help.options.tmax, argParser(v => parseMilliseconds(v, 'tmax')))
    .option('--loss <percent>', help.options.loss, argParser(v => parsePercent(v, 'loss')))
    .option('--delay <ms>', help.options.delay, argParser(parseDelayMs(t, 'delay')))
    .option('--jitter <ms>', help.options.jitter, argParser(parseDelayMs(t, 'jitter')))
    .option('--reorder <percent>', help.options.reorder, argParser(v => parsePercent(v, 'reorder')))
    .option('--duplicate <percent>', help.options.duplicate, argParser(v => parsePercent(v, 'duplicate')))
    .option('--emulator <kind>', help.options.emulator, argParser(parseEmulator(t)), 'auto')
    .option('--seed <n>', help.options.seed, argParser(parseSeed(t)))
    .addOption(new Option('--json', help.options.json))
    .option('--csv <file>', help.options.csv)
    .addHelpText('after', help.after)
    .action((host: string | undefined, flags: CompareFlags, command: Command) => runAction(ctx, () => compareAction(ctx, host, flags, command),
      { host: host ?? '127.0.0.1', port: flags.port, serverCommand: 'serve' }, flags.json ? { kind: 'document', schema: 'sockkit.compare/v2' } : undefined))
}

/** The flags that need one another or exclude one another: each a usage error (exit 2). */
const checkFlagCombinations = (t: Messages, host: string | undefined, flags: CompareFlags, command: Command): void => {
  if (host === undefined && command.getOptionValueSource('port') === 'cli') {
    throw invalidArgText(t.portNeedsHost({ port: flags.port }))
  }
  if (flags.transports.includes('udp') && flags.size > MAX_UDP_PAYLOAD_IPV4) {
    throw invalidArgText(t.sizeTooBigForUdp({ max: MAX_UDP_PAYLOAD_IPV4, value: flags.size }))
  }
  if (flags.csv === '-' && flags.json) {
    throw invalidArgText(t.csvAndJsonOnStdout)
  }
}

/** `compare`'s action: checks, the config, the impairment route (maybe a user namespace), then the run. */
const compareAction = async (ctx: CliContext, host: string | undefined, flags: CompareFlags, command: Command): Promise<number> => {
  const t = ctx.t.compareCli
  checkFlagCombinations(t, host, flags, command)
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
    schedule: flags.sequential ? 'sequential' : 'interleaved',
    warmup: flags.warmup,
    nagle: flags.nagle ?? false,
    tmaxMs: flags.tmax ?? null,
  })
  const impairmentGiven = IMPAIRMENT_FLAGS.some(name => command.getOptionValueSource(name) === 'cli')
  if (!impairmentGiven && (command.getOptionValueSource('emulator') === 'cli' || flags.seed !== undefined)) {
    throw invalidArgText(t.needsImpairment({ flag: command.getOptionValueSource('emulator') === 'cli' ? 'emulator' : 'seed' }))
  }
  const impairment: Impairment | undefined = impairmentGiven
    ? Object.fromEntries(IMPAIRMENT_FLAGS.filter(name => flags[name] !== undefined).map(name => [name, flags[name]]))
    : undefined
  if (impairment) {
    // The same impossible combination is the same usage error as in link (exit 2).
    const { problem } = await checkImpairmentFlags({ command: 'compare', transports: carriersOf(flags.transports), impairment, emulator: flags.emulator }, ctx.t.impairment)
    if (problem !== undefined) throw invalidArgText(problem)
  }
  // TCP loss without root: the whole run moves into a private user + network namespace.
  const route = impairment && tcpLossRoute(ctx.io, { loss: impairment.loss ?? 0, tcp: carriersOf(flags.transports).includes('tcp'), emulator: flags.emulator, local: host === undefined })
  if (route && 'reexec' in route) return await reexecInUserns(ctx, (command.parent as unknown as { rawArgs: string[] }).rawArgs)
  const lossUnavailable = route && 'unavailable' in route ? route.unavailable : undefined
  // Last of the checks, first of the effects: the file is opened before any probe is sent.
  const csv = flags.csv === undefined ? undefined : await openCsv(t, flags.csv)
  // Tables left by runs that died still drop packets on their ports: remove them first (one line says so).
  await sweepStaleTablesAtStart(ctx)
  if (impairment && flags.transports.includes('udp')) {
    const note = reorderSpacingNote(impairment, config.intervalMs)
    if (note !== undefined) lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(note)
  }
  try {
    return await measureAndReport(ctx, { host, flags, config, impairment, csv, runCompareDetailed, lossUnavailable })
  } finally {
    if (csv?.kind === 'file') await csv.handle.close()
  }
}

const measureAndReport = async (ctx: CliContext, { host, flags, config, impairment, csv, runCompareDetailed, lossUnavailable }: {
  lossUnavailable?: TcpLossUnavailable | undefined
  host: string | undefined
  flags: CompareFlags
  config: CompareConfig
  impairment: Impairment | undefined
  csv: CsvSink | undefined
  runCompareDetailed: typeof import('../../compare/compare.js').runCompareDetailed
}): Promise<number> => {
  const progress = progressLine(ctx, () => formatAddress(config.host, config.port))
  const { startLocalReflector } = await import('../../probe/local-reflector.js')
  const local = host === undefined ? await startLocalReflector() : undefined
  if (local) config.port = local.port
  let detail
  try {
    detail = await runCompareDetailed(config, {
      signal: ctx.io.signal,
      onEvent: progress.event,
      ...(impairment ? { impairment: { impairment, emulator: flags.emulator, ...(lossUnavailable ? { lossUnavailable } : {}), ...(flags.seed !== undefined ? { seed: flags.seed, onEvent: seedNote(ctx) } : {}) } } : {}),
    })
  } catch (err) {
    progress.clear()
    const tcpError = (err as { tcpError?: unknown }).tcpError
    if (tcpError !== undefined) {
      // Both transports failed: say why TCP failed, then the UDP sentence.
      const explain = { host: config.host, port: config.port, serverCommand: 'serve' }
      const tcpSentence = explainError(tcpError, explain) ?? (tcpError as Error).message
      const udpSentence = explainError(err, explain) ?? (err as Error).message
      throw Object.assign(new Error(tcpSentence === udpSentence ? tcpSentence : ctx.t.compareCli.bothFailed({ first: tcpSentence, second: udpSentence })),
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
  else tableStream.write(formatCompare(result, styleFor(ctx, tableStream), { width: (tableStream as { columns?: number }).columns, t: ctx.t, f: ctx.f }))

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
        throw new Error(ctx.t.compareCli.csvWriteFailed({ path: csv.path, problem: fileProblem(ctx.t.compareCli, e, csv.path) }))
      }
    }
  }

  const err = styleFor(ctx, ctx.io.stderr)
  for (const [transport, failure] of Object.entries(result.errors ?? {})) {
    if (!failure) continue
    const sentence = explainReported(failure, { host: config.host, port: config.port, serverCommand: 'serve' })
    ctx.io.stderr.write(`${err.red('sockkit:')} ${ctx.t.compareCli.transportError({ transport: transport.toUpperCase(), sentence })}\n`)
  }
  if (result.interrupted) {
    ctx.io.stderr.write(`${ctx.t.compareCli.stopped({ cause: stopCause(ctx.io.signal) })}\n`)
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
    lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(ctx.t.link.kernelSeedNote)
  }
}

/**
 * One line on stderr, rewritten in place, while a terminal is watching; otherwise one
 * plain line per transport (a log file or a CI run should not fill with carriage returns).
 */
const progressLine = (ctx: CliContext, reflector: () => string) => {
  const t = ctx.t.compareCli.progress
  const stream = ctx.io.stderr
  const live = Boolean(stream.isTTY)
  const style = styleFor(ctx, stream)
  let shown = false
  // Per transport: interleaved runs announce every transport before any progress, each with its own relay.
  const targets = new Map<string, string>()
  let saidWaiting = false
  const write = (text: string) => {
    if (!live) return
    stream.write(`\r\x1b[K${text}`)
    shown = true
  }
  return {
    event: (e: CompareEvent): void => {
      const transport = e.type === 'done' ? '' : e.transport.toUpperCase()
      let target = targets.get(transport) ?? ''
      if (e.type === 'phase') {
        target = e.via ? t.via({ target: formatAddress(e.host, e.port), relay: formatAddress(e.via.host, e.via.port) }) : formatAddress(e.host, e.port)
        targets.set(transport, target)
        // Without a terminal, one plain line per transport instead of a live counter.
        // Prefixed with the clock, like every other event line.
        const phase = { transport, target, total: e.total, warmup: e.warmup }
        if (!live) stream.write(`${style.dim(clock())} ${t.phaseLine(phase)}\n`)
        write(t.phaseLive(phase))
      } else if (e.type === 'progress') {
        const percent = Math.floor((100 * e.sent) / e.total)
        write(t.counter({ transport, target, sent: e.sent, total: e.total, percent, received: e.received }))
      } else if (e.type === 'waiting') {
        const text = t.waiting({ transport, outstanding: e.outstanding, capS: Math.round(e.capMs / 1000) })
        // Without a terminal, said once: a log shows why the run is taking longer.
        if (!live && !saidWaiting) stream.write(`${style.dim(clock())} ${t.line({ transport, target, text })}\n`)
        saidWaiting = true
        write(`${t.line({ transport, target, text })}…`)
      } else if (e.type === 'transport-failed') {
        // Interleaved runs check every channel first: a refusal comes before any phase line.
        const failed = t.failed({ transport, target: target || reflector(), code: e.code })
        if (!live) stream.write(`${style.dim(clock())} ${failed}\n`)
        write(failed)
      }
    },
    clear: (): void => {
      if (shown) stream.write('\r\x1b[K')
      shown = false
    },
  }
}
