import { Command, Option } from 'commander'
import { formatAddress } from '../../addresses.js'
import { DEFAULT_PORT, MAX_UDP_PAYLOAD_IPV4 } from '../../constants.js'
import { invalidArg } from '../../errors.js'
import { parseNonNegativeInt, parsePercent, parsePort, parsePositiveInt, parsePositiveNumber } from '../../parse.js'
import { MAX_IMPAIRMENT_DELAY_MS, type EmulatorChoice, type Impairment } from '../../impairment.js'
import type { CompareEvent } from '../../compare.js'
import type { Transport } from '../../compare-types.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED, EXIT_OK } from '../exit-codes.js'
import { jsonReplacer, styleFor, type CliContext } from '../io.js'
import { argParser, runAction } from '../action.js'
import { explainError } from '../explain.js'

interface CompareFlags {
  port: number
  count: number
  rate: number
  size: number
  transports: Transport[]
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
  throw invalidArg(`emulator must be auto, kernel or userspace, not "${value}"`, { value })
}

const parseDelayMs = (name: string) => (value: string): number => {
  const n = parseNonNegativeInt(value, name)
  if (n > MAX_IMPAIRMENT_DELAY_MS) throw invalidArg(`${name} must be at most ${MAX_IMPAIRMENT_DELAY_MS} ms, not "${value}"`, { value })
  return n
}

const parseSeed = (value: string): number => {
  const n = parseNonNegativeInt(value, 'seed')
  if (n >= 2 ** 32) throw invalidArg(`seed must be below 4294967296, not "${value}"`, { value })
  return n
}

/** `tcp,udp` → ['tcp', 'udp']; each once, nothing else. */
const parseTransports = (value: string): Transport[] => {
  const names = value.split(',').map(s => s.trim().toLowerCase()).filter(s => s !== '')
  if (names.length === 0 || names.some(n => n !== 'tcp' && n !== 'udp') || new Set(names).size !== names.length) {
    throw invalidArg(`transports must be tcp, udp or tcp,udp, not "${value}"`, { value })
  }
  return names as Transport[]
}

/** Probe header (24 bytes) as the floor; the UDP ceiling is checked once transports are known. */
const parseSize = (value: string): number => {
  const n = parsePositiveInt(value, 'size')
  if (n < 24) throw invalidArg(`size must be at least 24 bytes (the probe header), not "${value}"`, { value })
  return n
}

export const makeCompareCommand = (ctx: CliContext): Command =>
  new Command('compare')
    .summary('TCP versus UDP side by side: loss, ordering, latency, with the same traffic')
    .description('Sends the same open-loop, fixed-interval stream of numbered probes over TCP and then UDP to a\n' +
      'reflector and shows, in one table, what each transport did with it. Without a host it starts its own\n' +
      'reflector in a separate process on 127.0.0.1; with a host it measures `sockkit serve` running there.')
    .argument('[host]', 'machine running `sockkit serve` (default: start a local reflector)')
    .option('--port <port>', 'port of `sockkit serve` on that host (TCP and UDP)', argParser(v => parsePort(v)), DEFAULT_PORT)
    .option('--count <n>', 'probes per transport', argParser(v => parsePositiveInt(v, 'count')), 1000)
    .option('--rate <per-second>', 'probes per second, on a fixed schedule', argParser(v => parsePositiveNumber(v, 'rate')), 200)
    .option('--size <bytes>', `probe size, 24 (the header) to ${MAX_UDP_PAYLOAD_IPV4} with UDP`, argParser(parseSize), 64)
    .option('--transports <list>', 'tcp, udp or tcp,udp (in that order)', argParser(parseTransports), ['tcp', 'udp'])
    .option('--blast', 'send back-to-back as fast as the sockets accept (shows buffer-overflow loss)')
    .option('--warmup <n>', 'probes sent and discarded before measuring', argParser(v => parseNonNegativeInt(v, 'warmup')), 0)
    .option('--nagle', "leave Nagle's algorithm on for TCP (default off: setNoDelay(true))")
    .option('--tmax <ms>', 'a probe not back this long after its scheduled send is lost (default: max(1000, 3 × largest RTT))',
      argParser(v => parsePositiveInt(v, 'tmax')))
    .option('--loss <percent>', 'impair: drop this share of packets, each way (UDP; TCP only with the kernel emulator)', argParser(v => parsePercent(v, 'loss')))
    .option('--delay <ms>', 'impair: add this one-way delay, each way', argParser(parseDelayMs('delay')))
    .option('--jitter <ms>', 'impair: vary the delay uniformly by ± this much, each way', argParser(parseDelayMs('jitter')))
    .option('--reorder <percent>', 'impair: hold this share of datagrams until the next has passed, each way (UDP)', argParser(v => parsePercent(v, 'reorder')))
    .option('--duplicate <percent>', 'impair: send this share of datagrams twice, each way (UDP)', argParser(v => parsePercent(v, 'duplicate')))
    .option('--emulator <kind>', 'who applies the impairment: auto (most real available), kernel (root + nft: loss only) or userspace (a relay)', argParser(parseEmulator), 'auto')
    .option('--seed <n>', 'impairment PRNG seed: same seed, same drop decisions (default random, reported)', argParser(parseSeed))
    .addOption(new Option('--json', 'print the result as one JSON document on stdout (schema sockkit.compare/v1)'))
    .option('--csv <file>', 'write one row per probe: transport, seq, scheduled/sent/received ms, RTT, status')
    .addHelpText('after', `
Examples:
  $ sockkit compare                                  on this machine, own reflector
  $ sockkit compare --blast --count 20000            as fast as possible: real buffer-overflow loss
  $ sockkit compare 192.168.1.20 --port 9000 --json  against \`sockkit serve\` on another machine
  $ sockkit compare --loss 5 --delay 20              a lossy, slow network on one laptop (classroom)
  $ sudo sockkit compare --loss 5 --emulator kernel  real kernel loss: TCP retransmits (RetransSegs)

Impairments (--loss, --delay, --jitter, --reorder, --duplicate) apply to each direction independently:
a probe and its echo each face them, so 20% loss each way is 36% round-trip loss. auto picks the kernel
(nftables, root) for loss when it can do all that is asked, else a userspace relay. The relay cannot drop,
reorder or duplicate TCP segments: with auto and both transports, UDP gets every impairment and TCP the
ones a stream can take (the output says which); with --emulator userspace that is an error.

Definitions: RTT runs from each probe's SCHEDULED send time (open loop; no coordinated omission), and
the send lag (actual − scheduled) is shown. Lost (RFC 7680/6673): not back within Tmax, which is reported;
late arrivals count as lost; duplicates count once. Reordered (RFC 4737): below the highest number seen
+ 1; extent as in the RFC. Jitter: RFC 3550 A.8 over RTTs in arrival order. IPDV and PDV: RFC 5481.
A percentile needs enough samples (p99: 100, p99.9: 1000); otherwise it is shown as unavailable.
On Linux the kernel's own counters (/proc/net/snmp: Udp RcvbufErrors, InErrors; Tcp RetransSegs)
are read before and after each transport; they count the whole machine, not only this run.
Exit codes: 0 done, 1 the reflector did not answer, 2 bad option, 130 Ctrl-C (partial result printed).`)
    .action((host: string | undefined, flags: CompareFlags, command: Command) => runAction(ctx, async () => {
      if (host === undefined && command.getOptionValueSource('port') === 'cli') {
        throw invalidArg(`--port ${flags.port} needs a host: without one compare starts its own reflector (to measure a local \`sockkit serve\`, give 127.0.0.1)`)
      }
      if (flags.transports.includes('udp') && flags.size > MAX_UDP_PAYLOAD_IPV4) {
        throw invalidArg(`size must be at most ${MAX_UDP_PAYLOAD_IPV4} bytes with UDP (the largest datagram), not ${flags.size}`)
      }
      const { makeCompareConfig, runCompareDetailed } = await import('../../compare.js')
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
        throw invalidArg(`--${command.getOptionValueSource('emulator') === 'cli' ? 'emulator' : 'seed'} needs an impairment to apply: add --loss, --delay, --jitter, --reorder or --duplicate`)
      }
      const impairment: Impairment | undefined = impairmentGiven
        ? Object.fromEntries(IMPAIRMENT_FLAGS.filter(name => flags[name] !== undefined).map(name => [name, flags[name]]))
        : undefined
      const progress = progressLine(ctx)
      const { startLocalReflector } = await import('../../local-reflector.js')
      const local = host === undefined ? await startLocalReflector() : undefined
      if (local) config.port = local.port
      let detail
      try {
        detail = await runCompareDetailed(config, {
          signal: ctx.io.signal,
          onEvent: progress.event,
          ...(impairment ? { impairment: { impairment, emulator: flags.emulator, ...(flags.seed !== undefined ? { seed: flags.seed } : {}) } } : {}),
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
      const { formatCompare, formatCsvRows } = await import('../format-compare.js')

      if (flags.csv !== undefined) {
        const { writeFile } = await import('node:fs/promises')
        let csv = ''
        for (const transport of config.transports) {
          const run = runs[transport]
          const measured = result.results[transport]
          if (run === undefined || measured === undefined) continue
          // One header for the whole file.
          csv += formatCsvRows(run, measured, { header: csv === '' })
        }
        try {
          await writeFile(flags.csv, csv)
        } catch (e) {
          throw Object.assign(new Error(`cannot write the CSV file ${flags.csv}: ${(e as Error).message}`), { code: 'ERR_SOCKKIT_UNSUPPORTED' })
        }
      }

      if (flags.json) ctx.io.stdout.write(`${JSON.stringify(result, jsonReplacer, 2)}\n`)
      else ctx.io.stdout.write(formatCompare(result, styleFor(ctx, ctx.io.stdout), { width: (ctx.io.stdout as { columns?: number }).columns }))

      const err = styleFor(ctx, ctx.io.stderr)
      for (const [transport, failure] of Object.entries(result.errors ?? {})) {
        const sentence = explainError(Object.assign(new Error(failure.message), { code: failure.code }),
          { host: config.host, port: config.port, serverCommand: 'serve' }) ?? failure.message
        ctx.io.stderr.write(`${err.red('sockkit:')} ${transport.toUpperCase()}: ${sentence}\n`)
      }
      if (result.interrupted) {
        ctx.io.stderr.write('sockkit: stopped by Ctrl-C; the result covers the probes sent so far\n')
        return EXIT_INTERRUPTED
      }
      return result.errors ? EXIT_FAILURE : EXIT_OK
    }, { host: host ?? '127.0.0.1', port: flags.port, serverCommand: 'serve' }))

/**
 * One line on stderr, rewritten in place, while a terminal is watching; otherwise one
 * plain line per transport (a log file or a CI run should not fill with carriage returns).
 */
const progressLine = (ctx: CliContext) => {
  const stream = ctx.io.stderr
  const live = Boolean(stream.isTTY)
  let shown = false
  let target = ''
  const write = (text: string) => {
    if (!live) return
    stream.write(`\r\x1b[K${text}`)
    shown = true
  }
  return {
    event: (e: CompareEvent): void => {
      if (e.type === 'phase') {
        target = formatAddress(e.host, e.port)
        // Without a terminal, one plain line per transport instead of a live counter.
        if (!live) stream.write(`${e.transport.toUpperCase()} → ${target}: sending ${e.total} probes${e.warmup ? ` after ${e.warmup} warm-up probes` : ''}\n`)
        write(`${e.transport.toUpperCase()} → ${target}: ${e.warmup ? `warming up with ${e.warmup} probes, then ` : ''}sending ${e.total} probes…`)
      } else if (e.type === 'progress') {
        const percent = Math.floor((100 * e.sent) / e.total)
        write(`${e.transport.toUpperCase()} → ${target}: sent ${e.sent}/${e.total} (${percent}%), ${e.received} back`)
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
