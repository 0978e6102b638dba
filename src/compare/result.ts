/** Result assembly: the per-transport outcomes of a run become the CompareResult (v2) and the raw runs. */
import { analyzeRun, type TransportRun } from './compare-stats.js'
import type { CompareConfig, CompareDetail, CompareResult, CompareTransportResult, KernelReport, TransportError } from './compare-types.js'
import type { TransportId, TransportRegistry } from './transport-types.js'
import { compareFindings } from './findings.js'

/** What the runner learnt of one transport: its run (when measured) and its error (when any). */
export interface TransportOutcome {
  id: TransportId
  run?: TransportRun
  kernel?: KernelReport
  error?: Error & { code?: string }
}

/**
 * When no transport could be measured, the error to throw: the one of the transport last in
 * the registry's order, carrying the others as `<id>Error` (with TCP and UDP: the UDP error,
 * with `tcpError`).
 */
const nothingMeasured = (outcomes: TransportOutcome[], registry: TransportRegistry): Error => {
  const order = [...registry.keys()]
  const failed = outcomes.filter(o => o.error).sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id))
  const last = failed.at(-1)!
  const others = Object.fromEntries(failed.slice(0, -1).map(o => [`${o.id}Error`, o.error]))
  return Object.assign(last.error!, others)
}

/** The v2 result from the outcomes; throws when nothing was measured and the run was not stopped. */
export const assembleResult = (run: {
  config: CompareConfig
  registry: TransportRegistry
  outcomes: TransportOutcome[]
  interrupted: boolean
  startedAt: string
}): CompareDetail => {
  const { config, registry, outcomes, interrupted } = run
  const measured = outcomes.filter(o => o.run !== undefined)
  if (measured.length === 0 && !interrupted) throw nothingMeasured(outcomes, registry)
  const results: Record<TransportId, CompareTransportResult> = {}
  const kernel: CompareResult['kernel'] = {}
  const runs: CompareDetail['runs'] = {}
  for (const o of measured) {
    runs[o.id] = o.run!
    results[o.id] = analyzeRun(o.run!)
    if (o.kernel) kernel[o.id] = o.kernel
  }
  const errors: Record<TransportId, TransportError> = Object.fromEntries(outcomes.filter(o => o.error)
    .map(o => [o.id, { code: o.error!.code ?? 'ERROR', message: o.error!.message }]))
  const result: CompareResult = {
    schema: 'sockkit.compare/v2',
    config,
    transports: Object.fromEntries(config.transports.map(id => [id, registry.get(id)!.traits])),
    results,
    kernel,
    interrupted,
    startedAt: run.startedAt,
    finishedAt: new Date().toISOString(),
    ...(Object.keys(errors).length ? { errors } : {}),
    findings: [],
    headline: [],
  }
  // What the run means is computed once, here, as data; every renderer words the same findings.
  Object.assign(result, compareFindings(result))
  return { result, runs }
}
