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
import { readSnmp, udpFamilyOf } from '../net/snmp.js'
import { kernelReport } from './kernel-report.js'
import { ProbeRun } from './probe-run.js'
import { assembleResult, type TransportOutcome } from './result.js'
import type { TransportRun } from './compare-stats.js'
import type { CompareConfig, CompareDetail, CompareEvent, CompareTarget, KernelReport, RunCompareOptions, TransportError } from './compare-types.js'
import type { ChannelExtras, TransportAdapter, TransportId, TransportRegistry } from './transport-types.js'
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

/** One transport's run through its channel: open, run the schedule, close and keep the extras. */
const measureTransport = async (
  transport: TransportAdapter, config: CompareConfig, target: CompareTarget, shownTarget: CompareTarget, options: MeasureOptions,
): Promise<Measured> => {
  const probeRun = new ProbeRun({
    transport, config, target, shownTarget,
    emit: event => options.onEvent?.(event),
    ...(options.signal ? { signal: options.signal } : {}),
    ...(options.progressIntervalMs !== undefined ? { progressIntervalMs: options.progressIntervalMs } : {}),
    ...(options.tcpWaitCapMs !== undefined ? { deliveryCapMs: options.tcpWaitCapMs } : {}),
    extraWaitMs: options.extraWaitMs ?? 0,
    lingerMs: options.lingerMs ?? 0,
    lossy: options.lossy?.(transport) ?? false,
  })
  const channel = await transport.open({
    target, shownTarget, sizeBytes: config.sizeBytes, nagle: config.nagle,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    ...(options.signal ? { signal: options.signal } : {}),
    onArrivals: probes => {
      const receivedMs = probeRun.now()
      for (const { data, offset } of probes) probeRun.arrived(decodeProbe(data, offset), receivedMs)
    },
    onSendFailure: () => { probeRun.sendFailures++ },
    onFailure: error => probeRun.fail(error),
  })
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

/** Measure every transport of `config` in turn; rejects when none could be measured. */
export const measureAll = async (config: CompareConfig, options: MeasureOptions): Promise<CompareDetail> => {
  const registry: TransportRegistry = options.transports ?? defaultTransports
  const startedAt = new Date().toISOString()
  const outcomes: TransportOutcome[] = []
  const emit = (event: CompareEvent) => options.onEvent?.(event)
  let interrupted = false

  for (const id of config.transports) {
    if (options.signal?.aborted) { interrupted = true; break }
    const transport = adapterOf(registry, id)
    const reflector = { host: config.host, port: config.port }
    const target = options.targets?.[id] ?? reflector
    const via = target.host !== reflector.host || target.port !== reflector.port ? { via: target } : {}
    emit({ type: 'phase', transport: id, host: reflector.host, port: reflector.port, total: config.count, warmup: config.warmup, ...via })
    const before = await readSnmp()
    try {
      const measured = await measureTransport(transport, config, target, reflector, options)
      const after = await readSnmp()
      const family = udpFamilyOf(isIPv6(target.host) ? target.host : '0.0.0.0')
      const kernel = kernelReport(transport.traits.carriedOver, before, after, measured.socketBuffers, family)
      if (measured.interrupted) interrupted = true
      // Measured, but cut short by a channel error: the result stands, the error is reported.
      const error = measured.error ? relayedCause(measured.error, transport, config, options) : undefined
      outcomes.push({ id, run: measured.run, kernel, ...(error ? { error } : {}) })
    } catch (err) {
      const error = relayedCause(err as Error & { code?: string }, transport, config, options)
      if (error.code === 'ABORT_ERR' && options.signal?.aborted) { interrupted = true; break }
      outcomes.push({ id, error })
      emit({ type: 'transport-failed', transport: id, code: error.code ?? 'ERROR', message: error.message })
    }
  }
  if (options.signal?.aborted) interrupted = true
  emit({ type: 'done', interrupted })
  return assembleResult({ config, registry, outcomes, interrupted, startedAt })
}

const adapterOf = (registry: TransportRegistry, id: TransportId): TransportAdapter => {
  const adapter = registry.get(id)
  if (adapter === undefined) throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'compareTransportsUnknown', { known: [...registry.keys()], value: id }, { value: id })
  return adapter
}
