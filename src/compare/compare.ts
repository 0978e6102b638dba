/**
 * `compare`'s entry point: measure several transports with the same open-loop probe schedule
 * against a reflector, with an optional impairment in front of it. The jobs live apart:
 * config.ts (defaults, checks), probe-run.ts (schedule, Tmax, waiting), measure.ts (the
 * runner), kernel-report.ts, compare-impairment.ts, result.ts, transports/ (one adapter each).
 */
import { impairmentOutcome, probeSpacingMs, startCompareImpairment } from './compare-impairment.js'
import { compareFindings } from './findings.js'
import { measureAll } from './measure.js'
import type { CompareConfig, CompareDetail, CompareImpairmentCounters, CompareImpairmentRequest, CompareResult, RunCompareOptions, TransportError } from './compare-types.js'
import type { TransportAdapter, TransportTraits } from './transport-types.js'
import { defaultTransports } from './transports/index.js'

export {
  DEFAULT_COMPARE_COUNT, DEFAULT_COMPARE_RATE, DEFAULT_COMPARE_SIZE, MAX_COMPARE_COUNT, MAX_TCP_PROBE_BYTES,
  makeCompareConfig, type CompareOptions,
} from './config.js'
export { MIN_AUTO_TMAX_MS } from './probe-run.js'
export { marginFromOvershoots } from './probe-run.js'
export { TCP_DELIVERY_CAP_MS } from './compare-stats.js'
export { readTcpBuffers, parseSkmem } from './kernel-report.js'
export { lossRangePercent } from './compare-impairment.js'
export { defaultTransports, transportRegistry, tcpTransport, udpTransport } from './transports/index.js'

/** ms compare keeps listening after every probe is back, when duplicates are expected. */
const DUPLICATE_LINGER_MS = 50

/**
 * Measure every transport of `config` with the same traffic against a reflector (`sockkit
 * serve` or startLocalReflector). Rejects when no asked transport could be measured: with
 * Node's error (ECONNREFUSED, ETIMEDOUT, ERR_SOCKKIT_CONNECT_TIMEOUT…) or ERR_SOCKKIT_NO_ANSWER
 * when nothing came back within Tmax; when several failed, the error of the one last in the
 * registry (UDP) is thrown and carries the others as `<id>Error` (`tcpError`).
 */
export const runCompare = async (config: CompareConfig, options: RunCompareOptions = {}): Promise<CompareResult> =>
  (await runCompareDetailed(config, options)).result

/** {@link runCompare}, also returning the raw per-probe runs (for `--csv`). */
export const runCompareDetailed = async (config: CompareConfig, options: RunCompareOptions = {}): Promise<CompareDetail> => {
  if (options.impairment === undefined) return measureAll(config, options)
  const registry = options.transports ?? defaultTransports
  const traitsOf = (id: string): TransportTraits => registry.get(id)!.traits
  // The impairment does NOT get the signal: on Ctrl-C compare stops sending but still waits
  // (up to Tmax) for the probes already sent, which may be held in a delay relay. It is
  // stopped below, once the wait is over (RFC 6673: a probe is lost only once Tmax has passed).
  // What the relays could not reach: a refused target reaches compare only as a reset
  // (TCP: the relay had accepted) or as silence (UDP: the relay's socket got the ICMP).
  const relayFailures: Partial<Record<'tcp' | 'udp', TransportError>> = {}
  const request = options.impairment
  const onEvent: CompareImpairmentRequest['onEvent'] = e => {
    if (e.transport === 'tcp' && e.type === 'upstream-failed') relayFailures.tcp ??= { code: e.code, message: e.message }
    if (e.transport === 'udp' && e.type === 'upstream-error' && e.code === 'ECONNREFUSED') relayFailures.udp ??= { code: e.code, message: e.message }
    request.onEvent?.(e)
  }
  const carriers = [...new Set(config.transports.map(id => traitsOf(id).carriedOver))]
  const impaired = await startCompareImpairment(config, carriers, { ...request, onEvent })
  const endpoints = Object.fromEntries(config.transports.flatMap(id => {
    const endpoint = impaired.endpoints[traitsOf(id).carriedOver]
    return endpoint ? [[id, endpoint]] : []
  }))
  const duplicates = impaired.config.duplicate > 0 || (impaired.config.tcpDegraded?.applied?.duplicate ?? 0) > 0
  let detail: CompareDetail | undefined
  try {
    detail = await measureAll({ ...config, impairment: impaired.config }, {
      ...options,
      relayFailure: (t: TransportAdapter) => relayFailures[t.traits.carriedOver],
      lossy: (t: TransportAdapter) => impaired.applied[t.traits.carriedOver].impairment.loss > 0,
      targets: { ...endpoints, ...options.targets },
      extraWaitMs: impaired.extraWaitMs,
      // Duplicated echoes can trail the last first copy: wait a little for them, or the count falls short.
      lingerMs: duplicates ? DUPLICATE_LINGER_MS + impaired.extraWaitMs : 0,
    })
  } finally {
    // Relays closed and kernel table deleted whatever happened (error, Ctrl-C).
    const counters = await impaired.stop()
    if (detail) detail.result.impairmentCounters = counters as CompareImpairmentCounters
  }
  for (const id of config.transports) {
    const measured = detail.result.results[id]
    if (measured) measured.impairment = impairmentOutcome(traitsOf(id), measured, impaired, probeSpacingMs(config, detail.runs[id]))
  }
  // The impairment's expectations and counters are known only now: the findings read them.
  Object.assign(detail.result, compareFindings(detail.result))
  return detail
}
