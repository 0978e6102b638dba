/**
 * compare's runner: sends the same open-loop, fixed-interval probe schedule over TCP and
 * then UDP to a reflector, records every send and arrival, and hands the raw runs to
 * analyzeRun (compare-stats.ts). The kernel's counters (/proc/net/snmp) are read before
 * and after each transport so loss can be explained by the kernel's own numbers.
 *
 * Timing: every time is float ms from a monotonic clock (performance.now()), relative to
 * the transport's first scheduled send. Probe i is scheduled at i × interval; the RTT
 * runs from the SCHEDULED time, so a sender that falls behind (a stalled event loop, TCP
 * backpressure) shows up as latency instead of being hidden (no coordinated omission),
 * and the lag itself is reported.
 */
import { randomInt } from 'node:crypto'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { connect as tcpConnect, isIPv6, type Socket as TcpSocket } from 'node:net'
import { performance } from 'node:perf_hooks'
import { DEFAULT_CONNECT_TIMEOUT_MS, MAX_UDP_PAYLOAD_IPV4 } from '../core/constants.js'
import { formatAddress } from '../core/addresses.js'
import { datagramTooBig, invalidArgText, sockkitErrorText } from '../core/errors.js'
import { decodeProbe, encodeProbe, PROBE_HEADER_BYTES, type ProbeHeader } from '../probe/probe.js'
import { analyzeRun, TCP_DELIVERY_CAP_MS, type ProbeArrival, type ProbeSend, type TmaxRule, type TransportRun } from './compare-stats.js'
import { diffSnmp, readSnmp, udpCounterDelta, udpFamilyOf, type SnmpCounters, type UdpFamily } from '../net/snmp.js'
import type { TransportTraits } from './transport-types.js'
import type { CompareConfig, CompareImpairmentConfig, CompareResult, CompareTransportResult, ImpairmentOutcome, KernelReport, Transport, TransportError } from './compare-types.js'
import {
  activeImpairments, expectedRoundTrip, normalizeImpairment, reorderRangePercent, startImpairment,
  type EmulatorChoice, type EmulatorSupport, type FullImpairment, type Impairment, type ImpairmentCountersReport, type ImpairmentKind, type RunningImpairment,
} from '../impairment/impairment.js'

/** Probes per transport when not told. */
/** What the runner and findings may know of each transport (moving to one adapter module each). */
const TRAITS: Record<Transport, TransportTraits> = {
  tcp: { label: 'TCP', reliable: true, ordered: true, framing: 'stream', carriedOver: 'tcp', maxProbeBytes: 16 * 1024 * 1024 },
  udp: { label: 'UDP', reliable: false, ordered: false, framing: 'datagram', carriedOver: 'udp', maxProbeBytes: 65507 },
}

export const DEFAULT_COMPARE_COUNT = 1000
/** Probes per second when not told. */
export const DEFAULT_COMPARE_RATE = 200
/** Probe size in bytes when not told. */
export const DEFAULT_COMPARE_SIZE = 64
/** Floor of the automatic Tmax, ms (RFC 7680 asks for a reported waiting time; never below 1 s). */
export const MIN_AUTO_TMAX_MS = 1000
// TCP's automatic wait cap lives with TmaxRule (compare-stats), so the formatter can name it without loading this runner.
export { TCP_DELIVERY_CAP_MS }
/**
 * With that TCP wait, how long nothing at all may come back before compare says nothing
 * echoes, ms (the first probe may itself wait for a retransmission or two under loss).
 */
const TCP_NO_ANSWER_MS = 3000
/**
 * The same under a loss impairment. Linux backs a lost segment off 1 s, 2 s, 4 s, 8 s when
 * the connection has no RTT sample yet (a retransmitted SYN gives none): 3 s is two missed
 * tries of the first probe or its echo, which happened in the full test suite at --loss 20,
 * and a reflector that works was called silent. 20 s needs five misses in a row (0.2⁵ each way).
 */
const TCP_NO_ANSWER_UNDER_LOSS_MS = 20_000
/** Largest probe count accepted (each probe costs a few dozen bytes of bookkeeping). */
export const MAX_COMPARE_COUNT = 10_000_000
/** Largest TCP-only probe size, bytes. */
export const MAX_TCP_PROBE_BYTES = 16 * 1024 * 1024

/** What {@link makeCompareConfig} accepts; every field has a default. */
export interface CompareOptions {
  /** Reflector host. Default 127.0.0.1. */
  host?: string
  /** Reflector port (TCP and UDP). Default 9000. */
  port?: number
  /** true when the caller started its own reflector. Default false. */
  local?: boolean
  /** Probes per transport. Default 1000. */
  count?: number
  /** Probes per second. Default 200. */
  ratePerSecond?: number
  /** Probe size in bytes, header included: at least 24; at most 65507 when UDP is measured. Default 64. */
  sizeBytes?: number
  /** Transports, in the order they run. Default ['tcp', 'udp']. */
  transports?: Transport[]
  /** Send back-to-back as fast as the sockets accept instead of on the schedule. Default false. */
  blast?: boolean
  /** Probes sent and discarded before measuring. Default 0. */
  warmup?: number
  /** Leave Nagle's algorithm on for TCP. Default false (setNoDelay(true)). */
  nagle?: boolean
  /**
   * Loss waiting time, ms; null (default) = automatic, frozen when the last probe is sent:
   * max(1000 + 2 × (delay + jitter), 3 × the largest RTT seen until then).
   */
  tmaxMs?: number | null
}

/** Check every value and fill in defaults. Throws ERR_SOCKKIT_INVALID_ARG naming the bad value. */
export const makeCompareConfig = (options: CompareOptions = {}): CompareConfig => {
  const count = options.count ?? DEFAULT_COMPARE_COUNT
  const ratePerSecond = options.ratePerSecond ?? DEFAULT_COMPARE_RATE
  const sizeBytes = options.sizeBytes ?? DEFAULT_COMPARE_SIZE
  const transports = options.transports ?? ['tcp', 'udp']
  const warmup = options.warmup ?? 0
  const tmaxMs = options.tmaxMs ?? null
  const port = options.port ?? 9000
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_COMPARE_COUNT) {
    throw invalidArgText(`count must be a whole number from 1 to ${MAX_COMPARE_COUNT}, not ${count}`, { value: count })
  }
  if (!Number.isFinite(ratePerSecond) || ratePerSecond <= 0) {
    throw invalidArgText(`rate must be a number of probes per second greater than 0, not ${ratePerSecond}`, { value: ratePerSecond })
  }
  if (transports.length === 0 || transports.some(t => t !== 'tcp' && t !== 'udp') || new Set(transports).size !== transports.length) {
    throw invalidArgText(`transports must be tcp, udp or both (each once), not "${transports.join(',')}"`, { value: transports })
  }
  const maxSize = transports.includes('udp') ? MAX_UDP_PAYLOAD_IPV4 : MAX_TCP_PROBE_BYTES
  if (!Number.isSafeInteger(sizeBytes) || sizeBytes < PROBE_HEADER_BYTES || sizeBytes > maxSize) {
    throw invalidArgText(`size must be a whole number of bytes from ${PROBE_HEADER_BYTES} (the probe header) to ${maxSize}` +
      `${transports.includes('udp') ? ' (the largest UDP datagram)' : ''}, not ${sizeBytes}`, { value: sizeBytes })
  }
  if (!Number.isSafeInteger(warmup) || warmup < 0 || warmup > MAX_COMPARE_COUNT) {
    throw invalidArgText(`warmup must be a whole number of probes, 0 or more, not ${warmup}`, { value: warmup })
  }
  if (tmaxMs !== null && (!Number.isFinite(tmaxMs) || tmaxMs <= 0)) {
    throw invalidArgText(`tmax must be a number of milliseconds greater than 0, not ${tmaxMs}`, { value: tmaxMs })
  }
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw invalidArgText(`port must be a whole number from 1 to 65535, not ${port}`, { value: port })
  }
  const blast = options.blast ?? false
  return {
    host: options.host ?? '127.0.0.1',
    port,
    local: options.local ?? false,
    count,
    // --blast has no schedule: a rate here would be read as the rate used.
    ratePerSecond: blast ? null : ratePerSecond,
    intervalMs: blast ? 0 : 1000 / ratePerSecond,
    sizeBytes,
    transports: [...transports],
    blast,
    warmup,
    nagle: options.nagle ?? false,
    tmaxMs,
  }
}

/** Where one transport's probes go. */
export interface CompareTarget { host: string; port: number }

/** Progress of a run, for a live display. */
export type CompareEvent =
  /**
   * A transport's run begins. host and port are the reflector's; `via` is the impairment
   * relay the probes are actually sent to, when one is in the path.
   */
  | { type: 'phase'; transport: Transport; host: string; port: number; total: number; warmup: number; via?: CompareTarget }
  /** Throttled (at most every `progressIntervalMs`), plus once at each transport's end. */
  | { type: 'progress'; transport: Transport; sent: number; received: number; total: number }
  /**
   * TCP with the automatic Tmax: sending is over, the automatic (UDP) Tmax has passed and
   * `outstanding` probes are still in flight (retransmissions); compare waits for them up to
   * `capMs` after the last send. Then throttled like progress, while the wait lasts.
   */
  | { type: 'waiting'; transport: Transport; outstanding: number; capMs: number }
  /** A transport could not be measured (connect refused, nothing came back…); the run goes on with the next. */
  | { type: 'transport-failed'; transport: Transport; code: string; message: string }
  | { type: 'done'; interrupted: boolean }

export interface RunCompareOptions {
  /** Per-transport destinations (a relay may sit in between). Default: config.host and config.port for both. */
  targets?: { tcp?: CompareTarget; udp?: CompareTarget }
  onEvent?: (event: CompareEvent) => void
  /** Abort stops sending; the probes already sent are still waited for and analysed (interrupted: true). */
  signal?: AbortSignal
  /** TCP connect timeout, ms. Default 5000. */
  connectTimeoutMs?: number
  /** Minimum ms between progress events. Default 100. */
  progressIntervalMs?: number
  /**
   * With the automatic Tmax, the most compare waits for TCP probes still in flight after the
   * last scheduled send, ms; also TCP's reported Tmax. Default {@link TCP_DELIVERY_CAP_MS} (60 s).
   */
  tcpWaitCapMs?: number
  /**
   * Put an impairment (loss, delay…) between compare and the reflector for the whole run
   * (started before the first transport, stopped in all cases before this resolves or
   * rejects). Absent: probes go straight to the reflector and `config.impairment` is absent.
   */
  impairment?: CompareImpairmentRequest
}

/** What `compare --loss … --emulator … --seed …` asks for. */
export interface CompareImpairmentRequest {
  /** Applied to each direction independently. */
  impairment: Impairment
  /** Default 'auto'. */
  emulator?: EmulatorChoice
  /** PRNG seed for the relays; default random (reported in config.impairment.seed). */
  seed?: number
  /** Override the detected kernel support (tests). */
  support?: EmulatorSupport
  /** The impairment's own events (tables created, relay errors…). */
  onEvent?: Parameters<typeof startImpairment>[0]['onEvent']
}

/**
 * The result plus what `--csv` and diagnostics need. `result` is exactly what `--json`
 * prints; when a transport failed but another was measured, `result.errors` says why.
 */
export interface CompareDetail {
  result: CompareResult
  /** The raw per-probe records each TransportResult was computed from. */
  runs: { tcp?: TransportRun; udp?: TransportRun }
}

/**
 * Measure TCP and UDP with the same traffic against a reflector (`sockkit serve` or
 * {@link startLocalReflector}). Rejects when no asked transport could be measured:
 * with Node's error (ECONNREFUSED, ETIMEDOUT, ERR_SOCKKIT_CONNECT_TIMEOUT…) or
 * ERR_SOCKKIT_NO_ANSWER when nothing came back within Tmax; when both failed the UDP
 * error is thrown and carries the TCP one as `tcpError`.
 */
export const runCompare = async (config: CompareConfig, options: RunCompareOptions = {}): Promise<CompareResult> =>
  (await runCompareDetailed(config, options)).result

/** {@link runCompare}, also returning the raw per-probe runs (for `--csv`). */
export const runCompareDetailed = async (config: CompareConfig, options: RunCompareOptions = {}): Promise<CompareDetail> => {
  if (options.impairment === undefined) return measureAll(config, options)
  // The impairment does NOT get the signal: on Ctrl-C compare stops sending but still waits
  // (up to Tmax) for the probes already sent, and those may be held in a delay relay. Stopping
  // the relay at the same moment would throw them away and report them as lost (RFC 6673: a
  // probe is lost only once Tmax has passed). It is stopped below, once the wait is over; a
  // second Ctrl-C exits the process at once (bin/sockkit.js), the kernel table's watchdog cleans up.
  // What the relays could not reach: a refused target reaches compare only as a reset
  // (TCP: the relay had accepted) or as silence (UDP: the relay's socket got the ICMP).
  const relayFailures: Partial<Record<Transport, TransportError>> = {}
  const request = options.impairment
  const onEvent: CompareImpairmentRequest['onEvent'] = e => {
    if (e.transport === 'tcp' && e.type === 'upstream-failed') relayFailures.tcp ??= { code: e.code, message: e.message }
    if (e.transport === 'udp' && e.type === 'upstream-error' && e.code === 'ECONNREFUSED') relayFailures.udp ??= { code: e.code, message: e.message }
    request.onEvent?.(e)
  }
  const impaired = await startCompareImpairment(config, { ...request, onEvent })
  let detail: CompareDetail | undefined
  try {
    detail = await measureAll({ ...config, impairment: impaired.config }, {
      ...options,
      relayFailure: transport => relayFailures[transport],
      targets: { ...impaired.endpoints, ...options.targets },
      extraWaitMs: impaired.extraWaitMs,
      // Duplicated echoes can trail the last first copy: wait a little for them, or the count falls short.
      lingerMs: impaired.config.duplicate > 0 || impaired.config.tcpDegraded?.applied?.duplicate ? DUPLICATE_LINGER_MS + impaired.extraWaitMs : 0,
    })
  } finally {
    // Relays closed and kernel table deleted whatever happened (error, Ctrl-C).
    const counters = await impaired.stop()
    if (detail) detail.result.impairmentCounters = counters
  }
  for (const transport of config.transports) {
    const measured = detail.result.results[transport]
    if (measured) measured.impairment = impairmentOutcome(transport, measured, impaired, probeSpacingMs(config, detail.runs[transport]))
  }
  return detail
}

/** ms compare keeps listening after every probe is back, when duplicates are expected. */
const DUPLICATE_LINGER_MS = 50

interface MeasureOptions extends RunCompareOptions {
  /** Largest RTT the impairment adds, ms (raises the automatic Tmax). Default 0. */
  extraWaitMs?: number
  /** ms to keep receiving after every probe is back (trailing duplicates). Default 0. */
  lingerMs?: number
  /** What the impairment relay reported when it could not reach the reflector, per transport. */
  relayFailure?: (transport: Transport) => TransportError | undefined
}

/** Errors that, behind a relay, only echo the relay's own failure to reach the reflector. */
const RELAYED_SYMPTOMS = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKKIT_NO_ANSWER'])

/**
 * With a relay in the path, a refused reflector reaches compare as a reset (TCP: the relay
 * had accepted) or as silence (UDP). When the relay reported why, that is the error, and it
 * names the reflector the user gave, as it would without the relay.
 */
const relayedCause = (error: Error & { code?: string }, transport: Transport, config: CompareConfig, options: MeasureOptions): Error & { code?: string } => {
  const cause = options.relayFailure?.(transport)
  if (cause === undefined || !RELAYED_SYMPTOMS.has(error.code ?? '')) return error
  const where = formatAddress(config.host, config.port)
  return Object.assign(new Error(`the relay in front of ${where} could not reach it: ${cause.message}`), { code: cause.code, host: config.host, port: config.port })
}

const measureAll = async (config: CompareConfig, options: MeasureOptions): Promise<CompareDetail> => {
  const startedAt = new Date().toISOString()
  const results: Record<string, CompareTransportResult> = {}
  const kernel: CompareResult['kernel'] = {}
  const runs: CompareDetail['runs'] = {}
  const failures: Partial<Record<Transport, Error & { code?: string }>> = {}
  const emit = (event: CompareEvent) => options.onEvent?.(event)
  let interrupted = false

  for (const transport of config.transports) {
    if (options.signal?.aborted) { interrupted = true; break }
    const reflector = { host: config.host, port: config.port }
    const target = options.targets?.[transport] ?? reflector
    const via = target.host !== reflector.host || target.port !== reflector.port ? { via: target } : {}
    emit({ type: 'phase', transport, host: reflector.host, port: reflector.port, total: config.count, warmup: config.warmup, ...via })
    const before = await readSnmp()
    try {
      const measured = transport === 'tcp'
        ? await measureTcp(config, target, reflector, options, emit, options.extraWaitMs ?? 0, options.lingerMs ?? 0)
        : await measureUdp(config, target, reflector, options, emit, options.extraWaitMs ?? 0, options.lingerMs ?? 0)
      const after = await readSnmp()
      runs[transport] = measured.run
      results[transport] = analyzeRun(measured.run)
      kernel[transport] = kernelReport(transport, before, after, measured.socketBuffers, udpFamilyOf(isIPv6(target.host) ? target.host : '0.0.0.0'))
      if (measured.interrupted) interrupted = true
      // Measured, but cut short by a socket error: the result stands, the error is reported.
      if (measured.error) failures[transport] = relayedCause(measured.error, transport, config, options)
    } catch (err) {
      const error = relayedCause(err as Error & { code?: string }, transport, config, options)
      if (error.code === 'ABORT_ERR' && options.signal?.aborted) { interrupted = true; break }
      failures[transport] = error
      emit({ type: 'transport-failed', transport, code: error.code ?? 'ERROR', message: error.message })
    }
  }
  if (options.signal?.aborted) interrupted = true
  emit({ type: 'done', interrupted })

  const measuredAny = Object.keys(results).length > 0
  if (!measuredAny && !interrupted) {
    const udpError = failures.udp
    const tcpError = failures.tcp
    if (udpError && tcpError) throw Object.assign(udpError, { tcpError })
    throw (udpError ?? tcpError)!
  }
  const errors: { tcp?: TransportError; udp?: TransportError } = Object.fromEntries(
    Object.entries(failures).map(([t, e]) => [t, { code: e!.code ?? 'ERROR', message: e!.message }]))
  return {
    result: {
      schema: 'sockkit.compare/v2',
      config,
      transports: Object.fromEntries(config.transports.map(id => [id, TRAITS[id]])),
      results,
      kernel,
      interrupted,
      startedAt,
      finishedAt: new Date().toISOString(),
      ...(Object.keys(errors).length ? { errors } : {}),
      // Filled by compareFindings (compare/findings.ts) once findings are data.
      findings: [],
      headline: [],
    },
    runs,
  }
}

const kernelReport = (
  transport: Transport,
  before: SnmpCounters | undefined,
  after: SnmpCounters | undefined,
  socketBuffers: KernelReport['socketBuffers'],
  // The probes' family (the socket is udp6 only for an IPv6 target): its drops are
  // counted in Udp6 (/proc/net/snmp6), an IPv4 one's in Udp.
  family: UdpFamily,
): KernelReport => {
  const buffers = socketBuffers ? { socketBuffers } : {}
  if (before === undefined || after === undefined) {
    return { available: false, reason: '/proc/net/snmp cannot be read (not Linux, or /proc is not mounted)', ...buffers }
  }
  const delta = diffSnmp(before, after)
  if (transport === 'tcp') {
    // Tcp: in /proc/net/snmp covers both IP families.
    const retransSegs = delta.tcp.RetransSegs ?? null
    return retransSegs === null
      ? { available: false, reason: 'Tcp RetransSegs is missing or went backwards (a reset): its rise is unknown', ...buffers }
      : { available: true, tcp: { retransSegs }, ...buffers }
  }
  const counter = (name: string) => family === 'ipv4' ? `Udp ${name}` : family === 'ipv6' ? `Udp6${name}` : `Udp/Udp6 ${name}`
  const rcvbufErrors = udpCounterDelta(delta, 'RcvbufErrors', family)
  const inErrors = udpCounterDelta(delta, 'InErrors', family)
  const sndbufErrors = udpCounterDelta(delta, 'SndbufErrors', family)
  // Unknown is never reported as +0: the verdict would blame the network for our drops.
  const unknown = [['RcvbufErrors', rcvbufErrors], ['InErrors', inErrors], ['SndbufErrors', sndbufErrors]]
    .filter(([, value]) => value === null).map(([name]) => counter(name as string))
  if (rcvbufErrors === null || inErrors === null || sndbufErrors === null) {
    const why = family !== 'ipv4' && after.udp6 === undefined ? ' (/proc/net/snmp6 cannot be read: no IPv6 counters)' : ' (missing, or went backwards: a reset)'
    return { available: false, reason: `the kernel's ${unknown.join(', ')} rise is unknown${why}`, ...buffers }
  }
  return { available: true, udp: { rcvbufErrors, inErrors, sndbufErrors }, ...buffers }
}

interface Measured {
  run: TransportRun
  interrupted: boolean
  /** The socket failed after some probes came back: the run is partial. */
  error?: Error & { code?: string }
  socketBuffers?: KernelReport['socketBuffers']
}

/** How a transport puts one probe on the wire; resolves when the next may be sent (backpressure). */
type SendProbe = (probe: Buffer) => void | Promise<void>

/**
 * The bookkeeping shared by both transports: the schedule, the sends, the arrivals, the
 * automatic Tmax, and the wait for the last echoes.
 */
class ProbeRun {
  readonly runId = randomInt(0, 0x1_0000_0000)
  /** Warm-up probes carry their own run id, so their echoes are dropped without being called foreign. */
  readonly warmupRunId = (this.runId + 1) >>> 0
  readonly sends: ProbeSend[] = []
  readonly arrivals: ProbeArrival[] = []
  foreign = 0
  sendFailures = 0
  uniqueReceived = 0
  maxRttMs = 0
  /** A first copy came back after Tmax (only possible with a fixed --tmax or a frozen one). */
  lateSeen = false
  /** performance.now() of the first scheduled measured send. */
  origin = 0
  /** How long before a send the sender stops sleeping and polls, ms (set by run()). */
  private marginMs = MIN_COARSE_MARGIN_MS
  private readonly seen: Uint8Array
  private lastProgress = -Infinity
  private allBack: (() => void) | undefined
  /** Set when the transport failed mid-run (socket error): stop sending, fail or finish. */
  failure: (Error & { code?: string }) | undefined
  private onFailure: (() => void) | undefined

  /** TCP with the automatic Tmax: wait for every probe while the connection lives (see {@link TCP_DELIVERY_CAP_MS}). */
  readonly tcpDelivery: boolean
  /** How long that wait lasts at most after the last scheduled send, ms (also TCP's Tmax then). */
  private readonly tcpWaitCapMs: number
  private tmaxRule: TmaxRule
  /** In TCP's wait for delivery, past the automatic Tmax: progress events become 'waiting' ones. */
  private waiting = false
  /** The transport's result was taken: arrivals are still recorded, but no more progress events. */
  private finished = false

  constructor (
    readonly transport: Transport,
    readonly config: CompareConfig,
    /** Where the probes go: the reflector, or the impairment relay in front of it. */
    readonly target: CompareTarget,
    /** The reflector the user named, for messages (the relay's port means nothing to them). */
    readonly shownTarget: CompareTarget,
    private readonly options: RunCompareOptions,
    private readonly emit: (event: CompareEvent) => void,
    /** ms the impairment adds to a round trip at most (2 × (delay + jitter)); raises the automatic Tmax. */
    private readonly extraWaitMs = 0,
    /** ms to keep receiving once every probe is back, so trailing duplicate copies are counted. */
    private readonly lingerMs = 0,
  ) {
    this.seen = new Uint8Array(config.count)
    this.tcpDelivery = transport === 'tcp' && config.tmaxMs === null
    this.tcpWaitCapMs = options.tcpWaitCapMs ?? TCP_DELIVERY_CAP_MS
    this.tmaxRule = config.tmaxMs !== null ? 'given' : this.tcpDelivery ? 'tcp-delivery' : 'auto'
  }

  now (): number {
    return performance.now() - this.origin
  }

  probe (seq: number, scheduledMs: number, warmup: boolean): Buffer {
    return encodeProbe({
      runId: warmup ? this.warmupRunId : this.runId,
      seq,
      scheduledNs: warmup ? 0n : BigInt(Math.round(scheduledMs * 1e6)),
    }, this.config.sizeBytes)
  }

  /** An arrival (a datagram, or a frame cut from the TCP stream); `header` undefined = not a probe. */
  arrived (header: ProbeHeader | undefined, receivedMs: number): void {
    if (header === undefined || (header.runId !== this.runId && header.runId !== this.warmupRunId)) {
      this.foreign++
      return
    }
    if (header.runId === this.warmupRunId) return
    const send = this.sends[header.seq]
    if (send === undefined) {
      // Our run id but a probe we never sent: forged or corrupt. Not ours to count.
      this.foreign++
      return
    }
    this.arrivals.push({ seq: header.seq, receivedMs })
    if (this.seen[header.seq] === 0) {
      this.seen[header.seq] = 1
      this.uniqueReceived++
      this.maxRttMs = Math.max(this.maxRttMs, receivedMs - send.scheduledMs)
      if (receivedMs - send.scheduledMs > this.tmaxMs()) this.lateSeen = true
    }
    this.progress(false)
    if (this.uniqueReceived === this.sends.length && this.allBack) this.allBack()
  }

  progress (force: boolean): void {
    if (this.finished) return
    const now = performance.now()
    if (!force && now - this.lastProgress < (this.options.progressIntervalMs ?? 100)) return
    this.lastProgress = now
    if (this.waiting && !force) {
      this.emit({ type: 'waiting', transport: this.transport, outstanding: this.sends.length - this.uniqueReceived, capMs: this.tcpWaitCapMs })
      return
    }
    this.emit({ type: 'progress', transport: this.transport, sent: this.sends.length, received: this.uniqueReceived, total: this.config.count })
  }

  /**
   * The waiting time: the configured one, or automatic — max(1 s + the impairment's largest
   * added RTT, 3 × the largest RTT seen so far) — frozen when the last probe is sent. Frozen
   * because a Tmax that keeps growing with the RTTs it judges can never find a probe late:
   * every RTT is ≤ the largest, < 3 × the largest.
   */
  tmaxMs (): number {
    return this.frozenTmaxMs ?? this.config.tmaxMs ?? (this.tcpDelivery ? this.tcpWaitCapMs : this.autoTmaxMs())
  }

  /** The automatic rule: max(1 s + the impairment's largest added RTT, 3 × the largest RTT seen so far). */
  private autoTmaxMs (): number {
    return Math.max(MIN_AUTO_TMAX_MS + this.extraWaitMs, 3 * this.maxRttMs)
  }

  private frozenTmaxMs: number | undefined

  /**
   * How long after a send compare listens for any sign of life: Tmax, but never less than
   * the automatic floor (1 s + the impairment's added RTT). Tmax decides what counts as
   * lost (RFC 7680); it is not the patience for deciding that nothing answers at all — a
   * --tmax below the RTT makes every probe late (lost), not the reflector absent.
   */
  noAnswerWaitMs (): number {
    // TCP's wait for delivery (up to a minute) is not the patience for "nothing echoes".
    if (this.tcpDelivery) {
      const impairment = this.config.impairment
      const lossy = (impairment?.tcpDegraded ? impairment.tcpDegraded.applied?.loss ?? 0 : impairment?.loss ?? 0) > 0
      return Math.max(this.autoTmaxMs(), (lossy ? TCP_NO_ANSWER_UNDER_LOSS_MS : TCP_NO_ANSWER_MS) + this.extraWaitMs)
    }
    return Math.max(this.tmaxMs(), MIN_AUTO_TMAX_MS + this.extraWaitMs)
  }

  /** Wait until every probe sent is back, `deadlineMs` passes, the transport fails or `keepWaiting` says no. */
  private async waitForEchoes (deadlineMs: number, keepWaiting: () => boolean = () => true): Promise<void> {
    while (this.uniqueReceived < this.sends.length && !this.failure && keepWaiting()) {
      const remaining = deadlineMs - this.now()
      if (remaining <= 0) break
      await new Promise<void>(resolve => {
        const timer = setTimeout(done, Math.min(remaining, 250) + 1)
        function done (): void { clearTimeout(timer); resolve() }
        this.allBack = done
      })
      this.allBack = undefined
    }
  }

  /** The run is over: echoes that still come are recorded, without progress events. */
  finish (): void {
    this.finished = true
  }

  fail (error: Error & { code?: string }): void {
    this.failure ??= error
    this.onFailure?.()
  }

  private noAnswer (): Error {
    const { host, port } = this.shownTarget
    const where = formatAddress(host, port)
    return this.transport === 'udp'
      ? sockkitErrorText('ERR_SOCKKIT_NO_ANSWER', `no UDP probe came back from ${where} — is \`sockkit serve\` running there and is UDP allowed through?`, { host, port })
      : sockkitErrorText('ERR_SOCKKIT_NO_ANSWER', `no TCP probe came back from ${where} — something accepted the connection but did not echo: is it \`sockkit serve\`?`, { host, port })
  }

  /**
   * Send the warm-up, then the measured schedule, then wait for the echoes. Returns false
   * when the signal stopped it early.
   */
  async run (send: SendProbe): Promise<boolean> {
    const { config } = this
    const signal = this.options.signal
    let stopped = false
    // Also ends a wait slice at once, so a Ctrl-C during TCP's long wait is answered now.
    const onAbort = () => { stopped = true; this.allBack?.() }
    signal?.addEventListener('abort', onAbort, { once: true })
    this.onFailure = () => { stopped = true; this.allBack?.() }
    try {
      // How late this system's timers wake, measured before the schedule's clock starts.
      this.marginMs = await coarseMarginMs()
      // Warm-up: the same pace, its own clock; its echoes are ignored.
      const warmupOrigin = performance.now()
      this.origin = warmupOrigin
      for (let seq = 0; seq < config.warmup && !stopped && !signal?.aborted; seq++) {
        const scheduledMs = seq * config.intervalMs
        await this.waitUntil(scheduledMs, seq, () => stopped)
        await send(this.probe(seq, scheduledMs, true))
      }

      // The measured schedule continues the warm-up's: probe 0 goes one interval after the
      // last warm-up probe, not back to back with it (it would queue behind that echo, the
      // very artefact a warm-up is there to remove). A warm-up that ran late does not put
      // the measured probes behind their schedule.
      this.origin = Math.max(performance.now(), warmupOrigin + config.warmup * config.intervalMs)
      this.progress(true)
      let firstAnswerDeadline = Infinity
      for (let seq = 0; seq < config.count; seq++) {
        if (stopped || signal?.aborted) break
        let scheduledMs = seq * config.intervalMs
        await this.waitUntil(scheduledMs, seq, () => stopped)
        if (stopped) break
        const actualMs = this.now()
        // With --blast there is no schedule: the send time is the schedule.
        if (config.blast) scheduledMs = actualMs
        this.sends.push({ seq, scheduledMs, actualMs })
        const pending = send(this.probe(seq, scheduledMs, false))
        if (pending) await pending
        if (seq === 0) firstAnswerDeadline = actualMs + this.noAnswerWaitMs()
        if (this.uniqueReceived === 0 && this.now() > firstAnswerDeadline) throw this.noAnswer()
        this.progress(false)
      }
      if (this.failure && this.uniqueReceived === 0) throw this.failure
      // From here on the echoes still coming back are judged, not used to move the goalposts.
      this.frozenTmaxMs = this.tmaxMs()

      // The final wait: until everything sent is back, or Tmax after the last scheduled send.
      const lastScheduled = this.sends.at(-1)?.scheduledMs ?? 0
      if (this.tcpDelivery) await this.waitForDelivery(lastScheduled)
      else await this.waitForEchoes(lastScheduled + this.tmaxMs())
      // Nothing back within Tmax, or echoes coming back after it: the RTT may just be longer
      // than a --tmax given too small. Keep listening up to the no-answer wait, so those
      // probes are reported as late (still lost, RFC 7680) and "nothing answers" is only
      // said when nothing did.
      // TCP loses nothing while its connection lives: its missing probes are on their way, so
      // they are listened for too, to be counted as late when they come (a --tmax that is too
      // short then says so).
      if (!this.tcpDelivery) await this.waitForEchoes(lastScheduled + this.noAnswerWaitMs(), () => this.uniqueReceived === 0 || this.lateSeen || this.transport === 'tcp')
      if (this.sends.length > 0 && this.uniqueReceived === 0) throw this.failure ?? this.noAnswer()
      if (this.lingerMs > 0 && !this.failure) await sleep(Math.min(this.lingerMs, Math.max(0, lastScheduled + this.tmaxMs() - this.now())))
      this.waiting = false
      this.progress(true)
      return !signal?.aborted
    } finally {
      signal?.removeEventListener('abort', onAbort)
      this.onFailure = undefined
    }
  }

  /**
   * TCP with the automatic Tmax: wait until every probe is back, the connection fails, or
   * the cap passes. Past the automatic (UDP) Tmax, say how many are still in flight. A stop
   * (Ctrl-C) ends the wait at the automatic Tmax or at once if that has passed; Tmax is then
   * how long the wait had lasted after the last send (rule `stopped`).
   */
  private async waitForDelivery (lastScheduledMs: number): Promise<void> {
    const signal = this.options.signal
    const autoEnd = lastScheduledMs + this.autoTmaxMs()
    await this.waitForEchoes(lastScheduledMs + this.tcpWaitCapMs, () => {
      const now = this.now()
      if (this.uniqueReceived === 0) return now < lastScheduledMs + this.noAnswerWaitMs()
      if (signal?.aborted) return now < autoEnd
      if (!this.waiting && now >= autoEnd) {
        this.waiting = true
        this.lastProgress = -Infinity
        this.progress(false)
      }
      return true
    })
    if (this.uniqueReceived < this.sends.length && signal?.aborted && !this.failure) {
      this.frozenTmaxMs = Math.max(this.autoTmaxMs(), this.now() - lastScheduledMs)
      this.tmaxRule = this.frozenTmaxMs > this.autoTmaxMs() ? 'stopped' : 'auto'
    }
  }

  /**
   * Wait until `scheduledMs` on this run's clock. A timer brings us to a margin before it
   * (1.5 ms where timers have 1 ms granularity; more where they wake later — see
   * {@link coarseMarginMs}), then the event loop is polled with setImmediate until the
   * moment, so echoes are still read and timestamped while we wait. A sender that is
   * behind sends at once — but yields every few probes so arrivals keep being timestamped
   * when they come, not after the whole backlog.
   */
  private async waitUntil (scheduledMs: number, seq: number, isStopped: () => boolean): Promise<void> {
    if (this.config.blast) {
      if (seq % 8 === 7) await yieldToLoop()
      return
    }
    let remaining = scheduledMs - this.now()
    if (remaining <= 0) {
      if (seq % 8 === 7) await yieldToLoop()
      return
    }
    // Slept in slices so a stop (Ctrl-C) is noticed within one, and so a slow --rate never
    // asks setTimeout for more than it can take (2^31−1 ms, after which it fires at once).
    while (!isStopped() && remaining > this.marginMs) {
      await sleep(Math.min(remaining - this.marginMs, MAX_SLEEP_SLICE_MS))
      remaining = scheduledMs - this.now()
    }
    while (!isStopped() && (remaining = scheduledMs - this.now()) > 0) await yieldToLoop()
  }

  result (): TransportRun {
    return {
      transport: this.transport,
      sends: this.sends,
      arrivals: this.arrivals,
      tmaxMs: this.tmaxMs(),
      tmaxRule: this.tmaxRule,
      intervalMs: this.config.intervalMs,
      sizeBytes: this.config.sizeBytes,
      foreign: this.foreign,
      sendFailures: this.sendFailures,
    }
  }
}

/** How early (ms) the coarse timer wakes before a scheduled send, at least; the rest is polled. */
const MIN_COARSE_MARGIN_MS = 1.5
/** Never poll for longer than this before a send (ms), however coarse the timers. */
const MAX_COARSE_MARGIN_MS = 20

/**
 * The margin for the measured timer lateness: the median of a few `setTimeout(1)` overshoots
 * plus half a millisecond, between 1.5 and 20 ms. Linux and macOS timers wake within about a
 * millisecond, so it stays 1.5 ms; where a timer rounds up to the system tick (Windows has
 * long used a 15.6 ms one), a sleep would wake up to a tick after a probe's time, and every
 * probe would be sent late — so the sender polls for that tick instead.
 */
export const marginFromOvershoots = (overshootsMs: number[]): number => {
  const sorted = [...overshootsMs].sort((a, b) => a - b)
  const median = sorted.length === 0 ? 0 : sorted[Math.floor(sorted.length / 2)]!
  return Math.min(MAX_COARSE_MARGIN_MS, Math.max(MIN_COARSE_MARGIN_MS, median + 0.5))
}

let marginOnce: Promise<number> | undefined
/** {@link marginFromOvershoots} of five 1 ms sleeps, measured once per process (≈ 5–80 ms). */
const coarseMarginMs = (): Promise<number> => {
  marginOnce ??= (async () => {
    const overshoots: number[] = []
    for (let i = 0; i < 5; i++) {
      const start = performance.now()
      await sleep(1)
      overshoots.push(performance.now() - start - 1)
    }
    return marginFromOvershoots(overshoots)
  })()
  return marginOnce
}
/** Longest single sleep while waiting for a scheduled send, ms. */
const MAX_SLEEP_SLICE_MS = 200

const sleep = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))
const yieldToLoop = () => new Promise<void>(resolve => setImmediate(resolve))

const measureUdp = async (
  config: CompareConfig, target: CompareTarget, shownTarget: CompareTarget, options: RunCompareOptions, emit: (e: CompareEvent) => void, extraWaitMs: number, lingerMs: number,
): Promise<Measured> => {
  const probeRun = new ProbeRun('udp', config, target, shownTarget, options, emit, extraWaitMs, lingerMs)
  const socket: UdpSocket = createSocket({ type: isIPv6(target.host) ? 'udp6' : 'udp4' })
  try {
    socket.on('message', data => probeRun.arrived(decodeProbe(data), probeRun.now()))
    socket.on('error', (err: Error & { code?: string }) => {
      // On a connected UDP socket an ICMP "port unreachable" comes back as ECONNREFUSED.
      // Before any echo that means nothing listens there; after, the reflector went away.
      probeRun.fail(Object.assign(err, { host: shownTarget.host, port: shownTarget.port }))
    })
    // Connected: the kernel filters other senders, and sends skip a lookup per datagram.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(target.port, target.host, () => { socket.off('error', reject); resolve() })
    })
    const socketBuffers = { receiveBytes: socket.getRecvBufferSize(), sendBytes: socket.getSendBufferSize() }

    // A bounded number of sends in flight: the socket is never handed more than it can take
    // (in blast mode this is "as fast as the socket accepts"); a send the kernel refuses
    // (ENOBUFS, EAGAIN) is a send failure, and that probe is simply lost.
    const maxInFlight = 32
    let inFlight = 0
    let slotFree: (() => void) | undefined
    const send: SendProbe = probe => {
      inFlight++
      socket.send(probe, err => {
        inFlight--
        if (err) {
          probeRun.sendFailures++
          // Over this system's datagram limit: every probe would fail the same way. Say so,
          // rather than report 100% loss as a full send buffer.
          const tooBig = datagramTooBig(err, probe.length, formatAddress(target.host, target.port), 'UDP probe', { host: target.host, port: target.port })
          if (tooBig) probeRun.fail(tooBig)
        }
        slotFree?.()
      })
      if (inFlight < maxInFlight) return
      return new Promise<void>(resolve => { slotFree = () => { slotFree = undefined; resolve() } })
    }
    const completed = await probeRun.run(send)
    probeRun.finish()
    return {
      run: probeRun.result(),
      interrupted: !completed,
      socketBuffers,
      ...(probeRun.failure ? { error: probeRun.failure } : {}),
    }
  } finally {
    await new Promise<void>(resolve => socket.close(() => resolve()))
  }
}

const measureTcp = async (
  config: CompareConfig, target: CompareTarget, shownTarget: CompareTarget, options: RunCompareOptions, emit: (e: CompareEvent) => void, extraWaitMs: number, lingerMs: number,
): Promise<Measured> => {
  const probeRun = new ProbeRun('tcp', config, target, shownTarget, options, emit, extraWaitMs, lingerMs)
  const socket = await connectTcp(target, options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS, options.signal)
  try {
    socket.setNoDelay(!config.nagle)
    const size = config.sizeBytes
    // Every probe is exactly `size` bytes, so the echoed stream is cut into size-byte frames.
    let leftover: Buffer = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      const receivedMs = probeRun.now()
      const data = leftover.length === 0 ? chunk : Buffer.concat([leftover, chunk])
      let offset = 0
      for (; offset + size <= data.length; offset += size) probeRun.arrived(decodeProbe(data, offset), receivedMs)
      leftover = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset))
    })
    socket.on('error', (err: Error & { code?: string }) => probeRun.fail(Object.assign(err, { host: shownTarget.host, port: shownTarget.port })))
    socket.on('end', () => probeRun.fail(sockkitErrorText('ERR_SOCKKIT_NO_ANSWER',
      `${formatAddress(shownTarget.host, shownTarget.port)} closed the TCP connection during the run`, { host: shownTarget.host, port: shownTarget.port })))

    const send: SendProbe = probe => {
      if (probeRun.failure) return
      if (socket.write(probe)) return
      // Backpressure: the kernel's send buffer is full. Wait; the probes after this one
      // go out late, and their lag (and RTT from the schedule) shows it.
      return new Promise<void>(resolve => {
        const done = () => { socket.off('drain', done); socket.off('close', done); resolve() }
        socket.on('drain', done)
        socket.on('close', done)
      })
    }
    const completed = await probeRun.run(send)
    probeRun.finish()
    const socketBuffers = await readTcpBuffers(socket)
    return {
      run: probeRun.result(),
      interrupted: !completed,
      ...(socketBuffers ? { socketBuffers } : {}),
      ...(probeRun.failure ? { error: probeRun.failure } : {}),
    }
  } finally {
    // The 'data' listener stays while the connection closes: an echo that still comes is
    // recorded (as late, when after Tmax) in the run returned above.
    socket.on('error', () => { /* closing; nothing left to report */ })
    await new Promise<void>(resolve => {
      if (socket.destroyed) { resolve(); return }
      const timer = setTimeout(() => socket.destroy(), 1000)
      socket.once('close', () => { clearTimeout(timer); resolve() })
      socket.end()
    })
  }
}

/**
 * The TCP socket's buffer sizes as the kernel holds them now (autotuned during the run):
 * Node has no getter for a TCP socket's SO_RCVBUF/SO_SNDBUF, so on Linux they are read from
 * `ss -tmn` (skmem rb/tb) for this one connection. undefined elsewhere, or when ss is missing,
 * slow (over 1 s) or says nothing — never a failure of the run.
 */
export const readTcpBuffers = async (socket: TcpSocket): Promise<KernelReport['socketBuffers'] | undefined> => {
  if (process.platform !== 'linux' || socket.destroyed || socket.localPort === undefined || socket.remotePort === undefined) return undefined
  const { execFile } = await import('node:child_process')
  const output = await new Promise<string | undefined>(resolve => {
    try {
      execFile('ss', ['-tmnH', 'state', 'established', 'sport', '=', `:${socket.localPort}`, 'and', 'dport', '=', `:${socket.remotePort}`],
        { timeout: 1000 }, (err, stdout) => resolve(err ? undefined : stdout))
    } catch {
      resolve(undefined)
    }
  })
  return output === undefined ? undefined : parseSkmem(output)
}

/** `skmem:(r0,rb131072,t0,tb2626560,…)` → { receiveBytes: 131072, sendBytes: 2626560 }; undefined when absent. */
export const parseSkmem = (ssOutput: string): KernelReport['socketBuffers'] | undefined => {
  const skmem = /skmem:\(([^)]*)\)/.exec(ssOutput)?.[1]
  if (skmem === undefined) return undefined
  const field = (name: string) => {
    const match = new RegExp(`(?:^|,)${name}(\\d+)(?:,|$)`).exec(skmem)
    return match ? Number(match[1]) : undefined
  }
  const receiveBytes = field('rb')
  const sendBytes = field('tb')
  if (receiveBytes === undefined && sendBytes === undefined) return undefined
  return { ...(receiveBytes !== undefined ? { receiveBytes } : {}), ...(sendBytes !== undefined ? { sendBytes } : {}) }
}

const connectTcp = (target: CompareTarget, timeoutMs: number, signal?: AbortSignal): Promise<TcpSocket> =>
  new Promise((resolve, reject) => {
    const socket = tcpConnect({ host: target.host, port: target.port })
    const fail = (err: Error) => {
      cleanup()
      socket.destroy()
      reject(Object.assign(err, { host: target.host, port: target.port }))
    }
    const onAbort = () => fail(sockkitErrorText('ABORT_ERR', 'stopped before the TCP connection was made'))
    const timer = setTimeout(() => fail(sockkitErrorText('ERR_SOCKKIT_CONNECT_TIMEOUT',
      `no TCP connection to ${formatAddress(target.host, target.port)} within ${timeoutMs} ms`)), timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('error', fail)
      signal?.removeEventListener('abort', onAbort)
    }
    socket.once('error', fail)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => { cleanup(); resolve(socket) })
  })

/** The impairment as compare runs it: one or two startImpairment runs, and what each transport got. */
interface CompareImpairment {
  config: CompareImpairmentConfig
  endpoints: RunningImpairment['endpoints']
  /** What each transport actually faces. */
  applied: Record<Transport, { impairment: FullImpairment; appliedBy: ImpairmentOutcome['appliedBy']; notApplied: ImpairmentKind[] }>
  /** Largest round-trip time the impairment can add, ms (raises the automatic Tmax). */
  extraWaitMs: number
  stop: () => Promise<ImpairmentCountersReport>
}

/** Why TCP ran without some asked impairments (the classroom default: UDP shows them, TCP says why not). */
const tcpDegradedReason = (notApplied: ImpairmentKind[]): string => {
  const parts: string[] = []
  if (notApplied.includes('loss')) parts.push('userspace cannot drop TCP segments; run as root with nft for real loss (TCP then retransmits)')
  const streamKinds = notApplied.filter(k => k !== 'loss')
  if (streamKinds.length) parts.push(`a TCP byte stream cannot be ${streamKinds.map(k => (k === 'reorder' ? 'reordered' : 'duplicated')).join(' or ')} by a relay without corrupting it (the kernel would need netem)`)
  return `TCP ran without ${notApplied.join(', ')}: ${parts.join('; ')}`
}

/**
 * Start the impairment between compare and the reflector. With `auto`, both transports and
 * an impairment TCP cannot take here (loss without root/nft; reorder or duplicate anywhere),
 * UDP gets everything and TCP gets what can honestly be applied to a stream — a teacher's
 * `compare --loss 5` still shows UDP losing and TCP's delay, and the output says why TCP did
 * not lose. With an explicit emulator, or one transport, the library's error stands.
 */
const startCompareImpairment = async (config: CompareConfig, request: CompareImpairmentRequest): Promise<CompareImpairment> => {
  const imp = normalizeImpairment(request.impairment)
  const common = {
    emulator: request.emulator ?? 'auto',
    target: { host: config.host, port: config.port },
    packetEvents: false,
    intervalMs: config.intervalMs,
    ...(request.seed !== undefined ? { seed: request.seed } : {}),
    ...(request.support ? { support: request.support } : {}),
    ...(request.onEvent ? { onEvent: request.onEvent } : {}),
  } as const
  const extraWaitMs = 2 * (imp.delay + imp.jitter)
  const outcome = (run: RunningImpairment | undefined, applied: FullImpairment) =>
    ({ impairment: applied, appliedBy: run?.appliedBy ?? {}, notApplied: activeImpairments(imp).filter(k => applied[k] === 0) })
  const stopAll = async (runs: Array<RunningImpairment | undefined>): Promise<ImpairmentCountersReport> => {
    const reports = await Promise.all(runs.map(r => r?.stop()))
    // Each run may have its own kernel table (UDP's and TCP's): merge per protocol, not per run.
    const kernel = Object.assign({}, ...reports.map(r => r?.counters.kernel ?? {})) as ImpairmentCountersReport['kernel']
    return Object.assign({}, ...reports.map(r => r?.counters ?? {}), Object.keys(kernel ?? {}).length > 0 ? { kernel } : {}) as ImpairmentCountersReport
  }

  let whole: RunningImpairment
  try {
    whole = await startImpairment({ ...common, impairment: imp, transports: config.transports })
  } catch (err) {
    const degradable = (err as { code?: string }).code === 'ERR_SOCKKIT_UNSUPPORTED' && common.emulator === 'auto' &&
      config.transports.includes('tcp') && config.transports.includes('udp')
    if (!degradable) throw err
    return startDegraded(config, imp, common, extraWaitMs, outcome, stopAll)
  }
  const applied = { tcp: outcome(whole, imp), udp: outcome(whole, imp) }
  return { config: whole.config, endpoints: whole.endpoints, applied, extraWaitMs, stop: () => stopAll([whole]) }
}

const startDegraded = async (
  config: CompareConfig,
  imp: FullImpairment,
  common: Omit<Parameters<typeof startImpairment>[0], 'impairment' | 'transports'>,
  extraWaitMs: number,
  outcome: (run: RunningImpairment | undefined, applied: FullImpairment) => CompareImpairment['applied']['tcp'],
  stopAll: (runs: Array<RunningImpairment | undefined>) => Promise<ImpairmentCountersReport>,
): Promise<CompareImpairment> => {
  const udp = await startImpairment({ ...common, impairment: imp, transports: ['udp'] })
  let tcp: RunningImpairment | undefined
  // A stream can never be reordered or duplicated here; loss only by the kernel.
  let tcpImpairment: FullImpairment = { ...imp, reorder: 0, duplicate: 0 }
  try {
    for (;;) {
      if (activeImpairments(tcpImpairment).length === 0) break
      try {
        tcp = await startImpairment({ ...common, impairment: tcpImpairment, transports: ['tcp'] })
        break
      } catch (err) {
        if ((err as { code?: string }).code !== 'ERR_SOCKKIT_UNSUPPORTED' || tcpImpairment.loss === 0) throw err
        tcpImpairment = { ...tcpImpairment, loss: 0 }
      }
    }
  } catch (err) {
    await udp.stop()
    throw err
  }
  const applied = { udp: outcome(udp, imp), tcp: outcome(tcp, tcpImpairment) }
  const configOut: CompareImpairmentConfig = {
    ...udp.config,
    tcpDegraded: {
      notApplied: applied.tcp.notApplied,
      reason: tcpDegradedReason(applied.tcp.notApplied),
      ...(tcp ? { applied: tcp.config } : {}),
    },
  }
  // Without a TCP run, TCP probes go straight to the reflector (config.host/port).
  const endpoints = { udp: udp.endpoints.udp, ...(tcp ? { tcp: tcp.endpoints.tcp } : {}) }
  return { config: configOut, endpoints, applied, extraWaitMs, stop: () => stopAll([udp, tcp]) }
}

/**
 * ms between probes for the reorder expectation: the schedule's interval; with --blast (no
 * schedule) the mean spacing the probes were actually sent at — back to back (0) would
 * predict far more jitter reordering than a sender ever achieves.
 */
const probeSpacingMs = (config: CompareConfig, run: TransportRun | undefined): number => {
  if (!config.blast) return config.intervalMs
  const sends = run?.sends ?? []
  if (sends.length < 2) return 0
  return (sends.at(-1)!.actualMs - sends[0]!.actualMs) / (sends.length - 1)
}

/** Expected round-trip effect next to the measured one, for one transport. */
const impairmentOutcome = (transport: Transport, r: CompareTransportResult, impaired: CompareImpairment, intervalMs: number): ImpairmentOutcome => {
  const { impairment, appliedBy, notApplied } = impaired.applied[transport]
  // The reorder figure depends on the probe spacing (a held probe needs a successor within the
  // hold; jitter reorders probes closer than its spread). For TCP, which retransmits every
  // dropped segment and delivers in order, it gives 0% lost, duplicated and reordered
  // without simulating anything.
  const e = expectedRoundTrip(impairment, { intervalMs, transport })
  const stream = transport === 'tcp'
  const pct = (n: number) => (r.sent === 0 ? 0 : Math.round((n / r.sent) * 100_000) / 1000)
  const lossRange = lossRangePercent(e.lossPercent, r.sent)
  const reorderedPercent = pct(r.reordered)
  // TCP never delivers out of order: no range for it. Seeded, so the same run shape gives the same range.
  const reorderRange = !stream && (impairment.reorder > 0 || impairment.jitter > 0)
    ? reorderRangePercent(impairment, intervalMs, r.sent)
    : undefined
  return {
    appliedBy,
    notApplied,
    expected: {
      lossPercent: e.lossPercent,
      lossRangePercent: lossRange,
      duplicatePercent: e.duplicatePercent,
      reorderPercentApprox: e.reorderPercentApprox,
      ...(reorderRange ? { reorderRangePercent: reorderRange } : {}),
      addedRttMs: e.addedRttMs,
      addedRttRangeMs: e.addedRttRangeMs,
    },
    measured: {
      lossPercent: r.lossPercent,
      // A little slack for the rounding of the percentages compared.
      lossWithinRange: r.lossPercent >= lossRange.low - 1e-9 && r.lossPercent <= lossRange.high + 1e-9,
      duplicatePercent: pct(r.duplicates),
      reorderedPercent,
      ...(reorderRange ? { reorderWithinRange: reorderedPercent >= reorderRange.low - 1e-9 && reorderedPercent <= reorderRange.high + 1e-9 } : {}),
      minRttMs: r.rttMs.min,
      p50RttMs: r.rttMs.p50,
    },
  }
}

/**
 * The binomial range for a loss of `expectedPercent` over `probes` probes: ± 2 standard
 * deviations (about 95% of runs fall inside), rounded to 0.01 points, clamped to 0–100.
 */
export const lossRangePercent = (expectedPercent: number, probes: number): ImpairmentOutcome['expected']['lossRangePercent'] => {
  const p = expectedPercent / 100
  const sdPercent = probes === 0 ? 0 : 100 * Math.sqrt((p * (1 - p)) / probes)
  const round = (x: number) => Math.round(x * 100) / 100
  return {
    low: round(Math.max(0, expectedPercent - 2 * sdPercent)),
    high: round(Math.min(100, expectedPercent + 2 * sdPercent)),
    sdPercent: round(sdPercent),
    probes,
  }
}
