/**
 * compare's runner: each asked transport in turn, through its adapter, with the same probe
 * schedule (ProbeRun); the kernel's counters are read before and after each one. It names no
 * transport: the adapter opens the channel, the traits say how to wait.
 */
import { isIPv6 } from 'node:net'
import { DEFAULT_CONNECT_TIMEOUT_MS } from '../core/constants.js'
import { formatAddress } from '../core/addresses.js'
import { sockkitError } from '../core/errors.js'
import { decodeProbe } from '../probe/probe.js'
import { readSnmp, udpFamilyOf, type SnmpCounters } from '../net/snmp.js'
import { kernelReport } from './kernel-report.js'
import { ProbeRun, startBarrier, type ProbeRunOptions } from './probe-run.js'
import { assembleResult, type TransportOutcome } from './result.js'
import type { TransportRun } from './compare-stats.js'
import type { CompareConfig, CompareDetail, CompareEvent, KernelReport, RunCompareOptions, TransportError } from './compare-types.js'
import type { ChannelExtras, TransportAdapter, TransportChannel, TransportId, TransportRegistry } from './transport-types.js'
import { defaultTransports } from './transports/index.js'

/** What the runner takes beyond {@link RunCompareOptions} (set by the impairment glue). */
export interface MeasureOptions extends RunCompareOptions {
  /** Largest RTT the impairment adds, ms (raises the automatic Tmax). Default 0. */
  extraWaitMs?: number
  /** ms to keep receiving after every probe is back (trailing duplicates). Default 0. */
  lingerMs?: number
  /** Whether a loss impairment applies to this transport. Default: none does. */
  lossy?: (transport: TransportAdapter) => boolean
  /** What the impairment relay reported when it could not reach the reflector, per transport. */
  relayFailure?: (transport: TransportAdapter) => TransportError | undefined
}

interface Measured {
  run: TransportRun
  interrupted: boolean
  /** The channel failed after some probes came back: the run is partial. */
  error?: Error & { code?: string }
  socketBuffers?: KernelReport['socketBuffers']
}

/** Errors that, behind a relay, only echo the relay's own failure to reach the reflector. */
const RELAYED_SYMPTOMS = new Set(['ECONNRESET', 'EPIPE', 'ERR_SOCKKIT_NO_ANSWER'])

/**
 * With a relay in the path, a refused reflector reaches compare as a reset (TCP: the relay
 * had accepted) or as silence (UDP). When the relay reported why, that is the error, and it
 * names the reflector the user gave, as it would without the relay.
 */
const relayedCause = (error: Error & { code?: string }, transport: TransportAdapter, config: CompareConfig, options: MeasureOptions): Error & { code?: string } => {
  const cause = options.relayFailure?.(transport)
  if (cause === undefined || !RELAYED_SYMPTOMS.has(error.code ?? '')) return error
  const where = formatAddress(config.host, config.port)
  const relayed = sockkitError('ERR_SOCKKIT_NO_ANSWER', 'compareRelayUnreachable', { where, cause: cause.message }, { host: config.host, port: config.port })
  return Object.assign(relayed, { code: cause.code })
}

/** One transport ready to run: its bookkeeping and its open channel. */
interface Opened { transport: TransportAdapter; probeRun: ProbeRun; channel: TransportChannel }

/** Where a transport's probes go, and the phase event that announces them. */
const targetOf = (config: CompareConfig, id: TransportId, options: MeasureOptions) => {
  const reflector = { host: config.host, port: config.port }
  const target = options.targets?.[id] ?? reflector
  const via = target.host !== reflector.host || target.port !== reflector.port ? { via: target } : {}
  const phase: CompareEvent = { type: 'phase', transport: id, host: reflector.host, port: reflector.port, total: config.count, warmup: config.warmup, ...via }
  return { target, reflector, phase }
}

/** A transport's bookkeeping, then its channel opened (rejects as the adapter's open does). */
const openTransport = async (
  transport: TransportAdapter, config: CompareConfig, options: MeasureOptions, shared: Pick<ProbeRunOptions, 'slot' | 'startBarrier'> = {},
): Promise<Opened> => {
  const { target, reflector } = targetOf(config, transport.id, options)
  const probeRun = new ProbeRun({
    transport, config, target, shownTarget: reflector,
    emit: event => options.onEvent?.(event),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.tcpWaitCapMs !== undefined ? { deliveryCapMs: options.tcpWaitCapMs } : {}),
    extraWaitMs: options.extraWaitMs ?? 0,
    lingerMs: options.lingerMs ?? 0,
    lossy: options.lossy?.(transport) ?? false,
    ...shared,
  })
  const channel = await transport.open({
    target, shownTarget: reflector, sizeBytes: config.sizeBytes, nagle: config.nagle,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    onArrivals: probes => {
      const receivedMs = probeRun.now()
      for (const { data, offset } of probes) probeRun.arrived(decodeProbe(data, offset), receivedMs)
    },
    onSendFailure: () => { probeRun.sendFailures++ },
    onFailure: error => probeRun.fail(error),
  })
  return { transport, probeRun, channel }
}

/** Run the schedule through an open channel, then close it and keep the extras. */
const runOpened = async ({ probeRun, channel }: Opened): Promise<Measured> => {
  let completed = false
  let failure: Measured['error']
  let extras: ChannelExtras = {}
  try {
    completed = await probeRun.run(probe => (probeRun.failure ? undefined : channel.send(probe)))
    probeRun.finish()
    // Taken before closing: our own close is no failure of the run.
    failure = probeRun.failure
  } finally {
    // An echo that still comes while the channel closes is recorded (as late, when after Tmax).
    extras = await channel.close()
  }
  return {
    run: probeRun.result(),
    interrupted: !completed,
    ...(extras.socketBuffers ? { socketBuffers: extras.socketBuffers } : {}),
    ...(failure ? { error: failure } : {}),
  }
}

/** Measure every transport of `config` (interleaved by default); rejects when none could be measured. */
export const measureAll = async (config: CompareConfig, options: MeasureOptions): Promise<CompareDetail> => {
  const registry: TransportRegistry = options.transports ?? defaultTransports
  const startedAt = new Date().toISOString()
  const run = config.schedule === 'sequential' ? measureSequential : measureInterleaved
  const { outcomes, interrupted } = await run(config, options, registry)
  options.onEvent?.({ type: 'done', interrupted })
  return assembleResult({ config, registry, outcomes, interrupted, startedAt })
}

interface Outcomes { outcomes: TransportOutcome[]; interrupted: boolean }

/** The outcome of a transport that could not be measured (or the stop, when that was why). */
const failedOutcome = (id: TransportId, err: unknown, transport: TransportAdapter, config: CompareConfig, options: MeasureOptions): TransportOutcome | 'stopped' => {
  const error = relayedCause(err as Error & { code?: string }, transport, config, options)
  if (error.code === 'ABORT_ERR' && options.signal?.aborted) return 'stopped'
  options.onEvent?.({ type: 'transport-failed', transport: id, code: error.code ?? 'ERROR', message: error.message })
  return { id, error }
}

/** A measured run's outcome, with the kernel's counters between `before` and `after`. */
const measuredOutcome = (opened: Opened, measured: Measured, before: SnmpCounters | undefined, after: SnmpCounters | undefined, config: CompareConfig, options: MeasureOptions): TransportOutcome => {
  const { transport } = opened
  const { target } = targetOf(config, transport.id, options)
  const family = udpFamilyOf(isIPv6(target.host) ? target.host : '0.0.0.0')
  const kernel = kernelReport(transport.traits.carriedOver, before, after, measured.socketBuffers, family)
  // Measured, but cut short by a channel error: the result stands, the error is reported.
  const error = measured.error ? relayedCause(measured.error, transport, config, options) : undefined
  return { id: transport.id, run: measured.run, kernel, ...(error ? { error } : {}) }
}

/** `--sequential`: each transport in turn, its kernel counters read around its own run. */
const measureSequential = async (config: CompareConfig, options: MeasureOptions, registry: TransportRegistry): Promise<Outcomes> => {
  const outcomes: TransportOutcome[] = []
  let interrupted = false
  for (const id of config.transports) {
    if (options.signal?.aborted) { interrupted = true; break }
    const transport = adapterOf(registry, id)
    const before = await readSnmp()
    try {
      const opened = await openTransport(transport, config, options)
      options.onEvent?.(targetOf(config, id, options).phase)
      const measured = await runOpened(opened)
      if (measured.interrupted) interrupted = true
      outcomes.push(measuredOutcome(opened, measured, before, await readSnmp(), config, options))
    } catch (err) {
      const failed = failedOutcome(id, err, transport, config, options)
      if (failed === 'stopped') { interrupted = true; break }
      outcomes.push(failed)
    }
  }
  return { outcomes, interrupted: interrupted || Boolean(options.signal?.aborted) }
}

/**
 * The default: every channel opened and checked first (a refusal is said before any probe
 * is scheduled), then all transports on one schedule, their probes interleaved, so what
 * the machine does meanwhile falls on each alike. One kernel window for all.
 */
const measureInterleaved = async (config: CompareConfig, options: MeasureOptions, registry: TransportRegistry): Promise<Outcomes> => {
  const adapters = config.transports.map(id => adapterOf(registry, id))
  const barrier = startBarrier(adapters.length)
  const before = await readSnmp()
  const failed: TransportOutcome[] = []
  let stopped = false
  const ready = await Promise.all(adapters.map(async (transport, index): Promise<Opened | undefined> => {
    let opened: Opened | undefined
    try {
      opened = await openTransport(transport, config, options, { slot: { index, of: adapters.length }, startBarrier: barrier })
      await opened.probeRun.check(probe => opened!.channel.send(probe), CHECK_WAIT_MS + (options.extraWaitMs ?? 0))
      return opened
    } catch (err) {
      if (opened) await opened.channel.close()
      barrier.leave()
      const outcome = failedOutcome(transport.id, err, transport, config, options)
      if (outcome === 'stopped') stopped = true
      else failed.push(outcome)
      return undefined
    }
  }))
  const running = ready.filter((o): o is Opened => o !== undefined && !options.signal?.aborted)
  for (const o of ready) if (o && !running.includes(o)) { barrier.leave(); await o.channel.close() }
  for (const o of running) options.onEvent?.(targetOf(config, o.transport.id, options).phase)
  const settled = await Promise.allSettled(running.map(runOpened))
  const after = await readSnmp()
  const outcomes: TransportOutcome[] = [...failed]
  let interrupted = stopped
  settled.forEach((s, i) => {
    const opened = running[i]!
    if (s.status === 'fulfilled') {
      if (s.value.interrupted) interrupted = true
      outcomes.push(measuredOutcome(opened, s.value, before, after, config, options))
      return
    }
    const outcome = failedOutcome(opened.transport.id, s.reason, opened.transport, config, options)
    if (outcome === 'stopped') interrupted = true
    else outcomes.push(outcome)
  })
  // Reported in the configured order, whatever order they finished in.
  outcomes.sort((a, b) => config.transports.indexOf(a.id) - config.transports.indexOf(b.id))
  return { outcomes, interrupted: interrupted || Boolean(options.signal?.aborted) }
}

/** How long the check before the schedule waits for its probe's echo, ms (silence is no verdict). */
const CHECK_WAIT_MS = 1000

const adapterOf = (registry: TransportRegistry, id: TransportId): TransportAdapter => {
  const adapter = registry.get(id)
  if (adapter === undefined) throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'compareTransportsUnknown', { known: [...registry.keys()], value: id }, { value: id })
  return adapter
}
