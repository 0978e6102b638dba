/**
 * compare's table: one column per transport, one row per figure, labels and cells from the
 * catalogue. Pure: the result in, lines out.
 */
import type { ChalkInstance } from 'chalk'
import type { CompareResult, KernelReport } from '../../compare/compare-types.js'
import type { TransportId, TransportTraits } from '../../compare/transport-types.js'
import { minSamplesFor, type LatencySummary, type TransportResult } from '../../compare/compare-stats.js'
import { kernelScope, traitsOf } from '../../compare/findings.js'
import { compareUnits } from '../../i18n/compare-units.js'
import type { Catalog, Fmt } from '../../i18n/index.js'

const LABEL_WIDTH = 24
const MAX_COLUMN_WIDTH = 28

type Words = Catalog['compare']['table']
interface Row { label: string; cells: string[] }

export function compareTable (result: CompareResult, transports: TransportId[], style: ChalkInstance, width: number, t: Catalog, f: Fmt): string[] {
  const w = t.compare.table
  const u = compareUnits(f)
  const columnWidth = Math.min(MAX_COLUMN_WIDTH, Math.floor((width - LABEL_WIDTH) / Math.max(1, transports.length)))
  const results = transports.map(id => result.results[id]!)
  const row = (label: string, cell: (r: TransportResult) => string): Row => ({ label, cells: results.map(cell) })
  const latencyRows = (label: (p: { stat: string }) => string, pick: (r: TransportResult) => LatencySummary, keys: Array<keyof LatencySummary>): Row[] =>
    keys.map(key => row(label({ stat: w.stats[key] }), r => latencyCell(pick(r), key, r, w, u.ms)))
  const naNeedsTwo = (value: number | null, text: (v: number) => string) => (value === null ? w.naNeedsTwoProbes : text(value))

  const rows: Row[] = [
    row(w.sent, r => f.num(r.sent)),
    row(w.received, r => f.num(r.received)),
    row(w.lost, r => w.lostCell({ lost: r.lost, percent: u.percent(r.lossPercent) })),
    row(w.late, r => f.num(r.late)),
    row(w.duplicates, r => f.num(r.duplicates)),
    row(w.reordered, r => w.reorderedCell({ reordered: r.reordered, maxExtent: r.maxReorderExtent })),
    ...latencyRows(w.rtt, r => r.rttMs, ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']),
    row(w.jitter, r => (r.jitterMs === null ? w.naNeedsTwoSamples : u.ms(r.jitterMs))),
    // |IPDV|: the size of the change from the previous probe (RFC 5481's IPDV is signed and
    // centred on 0); PDV p99 is RFC 5481's recommended summary (how much buffer smooths it).
    ...latencyRows(w.ipdv, r => r.ipdvMs, ['p50', 'p99']),
    ...latencyRows(w.pdv, r => r.pdvMs, ['p99']),
    row(w.sendLag, r => (r.sendLagMs.max === null ? w.na : w.sendLagCell({ meanMs: r.sendLagMs.mean!, maxMs: r.sendLagMs.max }))),
    row(w.probesPerSecond, r => naNeedsTwo(r.throughput.probesPerSecond, v => f.num(v, 1))),
    row(w.mbitPerSecond, r => naNeedsTwo(r.throughput.mbitPerSecond, u.mbit)),
    // Over the measured interval only, never the Tmax wait for probes that did not come back;
    // "end of sending" is the last scheduled send + one interval (or the last actual send).
    row(w.throughputOver, r => w.over({ durationMs: r.throughput.durationMs, endsAt: r.throughput.endsAt })),
    row(w.tmax, r => `${u.ms(r.tmaxMs)}${w.tmaxRule[r.tmaxRule]}`),
  ]
  if (results.some(r => r.sendFailures > 0)) rows.push(row(w.sendsRefused, r => f.num(r.sendFailures)))
  rows.push(...kernelRows(result, transports, w, f))

  const cell = (text: string) => fit(text, columnWidth - 1).padEnd(columnWidth)
  const lines = [style.bold(''.padEnd(LABEL_WIDTH) + transports.map(id => cell(traitsOf(result, id).label)).join('').trimEnd())]
  for (const { label, cells } of rows) {
    lines.push(style.dim(label.padEnd(LABEL_WIDTH)) + cells.map(cell).join('').trimEnd())
  }
  return lines
}

/** The kernel's counters and the measuring socket's receive buffer, when any transport has them. */
function kernelRows (result: CompareResult, transports: TransportId[], w: Words, f: Fmt): Row[] {
  const kernels = transports.map(id => result.kernel[id])
  const traits = transports.map(id => traitsOf(result, id))
  const rows: Row[] = []
  if (kernels.some(k => k !== undefined)) {
    rows.push({ label: kernelScope(result) === 'namespace' ? w.kernelNamespace : w.kernel, cells: kernels.map((k, i) => kernelCell(traits[i]!, k, w)) })
  }
  if (kernels.some(k => k?.socketBuffers?.receiveBytes !== undefined)) {
    // Over TCP it comes from Linux's ss (Node cannot read a TCP socket's buffer sizes).
    rows.push({ label: w.receiveBuffer, cells: kernels.map((k, i) => (k?.socketBuffers?.receiveBytes === undefined
      ? (traits[i]!.carriedOver === 'tcp' ? w.naNoSs : w.na)
      : f.bytes(k.socketBuffers.receiveBytes))) })
  }
  return rows
}

const KEY_QUANTILES: Partial<Record<keyof LatencySummary, number>> = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999 }

function latencyCell (summary: LatencySummary, key: keyof LatencySummary, r: TransportResult, w: Words, ms: (v: number) => string): string {
  const value = summary[key]
  if (value !== null) return ms(value)
  if (r.samples === 0) return w.naNoSamples
  const quantile = KEY_QUANTILES[key]
  return quantile === undefined ? w.na : w.naNeedsSamples({ samples: minSamplesFor(quantile) })
}

/** The counter that matters for what the transport is carried over: RcvbufErrors (UDP), RetransSegs (TCP). */
function kernelCell (traits: TransportTraits, kernel: KernelReport | undefined, w: Words): string {
  if (kernel === undefined || !kernel.available) return w.na
  if (traits.carriedOver === 'udp') return kernel.udp === undefined ? w.na : w.rcvbufErrors({ n: kernel.udp.rcvbufErrors })
  return kernel.tcp === undefined ? w.na : w.retransSegs({ n: kernel.tcp.retransSegs })
}

/** Cut text to `max` columns with an ellipsis (cells are short by design; this is a guard). */
function fit (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
}
