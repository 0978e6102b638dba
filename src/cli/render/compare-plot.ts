/** compare's latency plot: one horizontal bar per histogram bucket, fitted to the terminal. */
import type { ChalkInstance } from 'chalk'
import type { HistogramBucket, TransportResult } from '../../compare/compare-stats.js'
import type { TransportTraits } from '../../compare/transport-types.js'
import { compareUnits } from '../../i18n/compare-units.js'
import type { Catalog, Fmt } from '../../i18n/index.js'

/** A plot taller than this hides its long empty stretches behind one "…" line. */
const MAX_PLOT_ROWS = 14

export function latencyPlot (r: TransportResult, traits: TransportTraits, style: ChalkInstance, width: number, t: Catalog, f: Fmt): string[] {
  const w = t.compare.plot
  const u = compareUnits(f)
  const title = w.title({ label: traits.label, samples: r.samples })
  if (r.histogram.length === 0) return [style.bold(title), `  ${w.empty}`]
  const rows = plotRows(r.histogram)
  const labels = rows.map(row => (row === undefined ? '…' : w.row({ from: u.edge(row.fromMs), to: u.edge(row.toMs) })))
  const labelWidth = Math.max(...labels.map(label => label.length))
  const counts = rows.map(row => (row === undefined ? '' : w.count({ count: row.count, percent: u.percent((row.count / r.samples) * 100) })))
  const countWidth = Math.max(...counts.map(count => count.length))
  const barWidth = Math.max(10, width - 2 - labelWidth - 3 - 1 - countWidth)
  const largest = Math.max(...rows.map(row => row?.count ?? 0))
  // Reliable transports in cyan, the others in yellow: the two families read apart at a glance.
  const colour = traits.reliable ? style.cyan : style.yellow
  const block = style.level > 0 ? '█' : '#'
  const lines = [style.bold(title)]
  rows.forEach((row, i) => {
    if (row === undefined) { lines.push(`  ${labels[i]!.padStart(labelWidth)}`); return }
    const length = row.count === 0 ? 0 : Math.max(1, Math.round((row.count / largest) * barWidth))
    const bar = block.repeat(length)
    lines.push(`  ${labels[i]!.padStart(labelWidth)} | ${colour(bar)}${bar.length > 0 ? ' ' : ''}${counts[i]}`.trimEnd())
  })
  return lines
}

/** The histogram's rows, with long runs of empty buckets folded into one `undefined` row. */
function plotRows (histogram: HistogramBucket[]): Array<HistogramBucket | undefined> {
  if (histogram.length <= MAX_PLOT_ROWS) return histogram
  const rows: Array<HistogramBucket | undefined> = []
  for (let i = 0; i < histogram.length; i++) {
    let end = i
    while (end < histogram.length && histogram[end]!.count === 0) end++
    if (end - i >= 2) { rows.push(undefined); i = end - 1; continue }
    rows.push(histogram[i])
  }
  return rows
}
