/**
 * compare's human output: the header, the impairment block, the table, a latency plot per
 * transport, the findings in plain words, and a footer with Tmax and the definitions. Pure
 * functions of the result (no I/O, no clock), worded from the catalogue, so the whole screen
 * can be snapshot-tested. What a run means is computed by compare/findings; here it is worded.
 */
import type { ChalkInstance } from 'chalk'
import type { CompareResult } from '../../compare/compare-types.js'
import type { Finding, TransportId } from '../../compare/transport-types.js'
import { probeOutcomes, type TransportResult, type TransportRun } from '../../compare/compare-stats.js'
import { compareFindings, IMPAIRMENT_CODES, kernelScope, shownTransports, traitsOf, type FindingCode } from '../../compare/findings.js'
import { formatAddress } from '../../core/addresses.js'
import { catalog, type Catalog, type Fmt } from '../../i18n/index.js'
import { compareUnits } from '../../i18n/compare-units.js'
import { compareTable } from './compare-table.js'
import { latencyPlot } from './compare-plot.js'

const DEFAULT_WIDTH = 80

/** How the text renderer is told its width (columns, default 80) and language. */
export interface FormatCompareOptions { width?: number; t?: Catalog; f?: Fmt }

/**
 * The whole human report. Uses `result.findings` when the runner filled them, else computes
 * them. The table and plots fit in `opts.width` columns.
 */
export function formatCompare (result: CompareResult, style: ChalkInstance, opts: FormatCompareOptions = {}): string {
  const { t, f } = words(opts)
  const width = Math.max(60, opts.width ?? DEFAULT_WIDTH)
  const transports = shownTransports(result)
  const findings = findingsOf(result)
  const lines: string[] = []
  const headline = headlineOf(result)
  for (const finding of headline) {
    const text = wordHeadline(result, finding, t)
    lines.push(...wrap(text, width - 2).map((part, j) => (j === 0 ? style.bold(part) : `  ${part}`)))
  }
  if (headline.length > 0) lines.push('')
  for (const line of headerLines(result, t, f)) lines.push(...wrap(line, width).map(part => style.bold(part)))
  const impairment = impairmentBlock(result, findings, t)
  if (impairment.length > 0) {
    lines.push('')
    impairment.forEach((line, i) => lines.push(...wrap(line, width - 2).map((part, j) => (i === 0 && j === 0 ? style.bold(part) : `  ${part}`))))
  }
  lines.push('')
  lines.push(...compareTable(result, transports, style, width, t, f))
  for (const id of transports) {
    lines.push('')
    lines.push(...latencyPlot(result.results[id]!, traitsOf(result, id), style, width, t, f))
  }
  const sentences = verdictOf(result, findings.filter(x => !headline.includes(x) && !headline.some(h => h.code === x.code && h.transport === x.transport)), t)
  if (sentences.length > 0) {
    lines.push('')
    for (const sentence of sentences) lines.push(...wrap(sentence, width - 2).map((line, i) => (i === 0 ? '• ' : '  ') + line))
  }
  lines.push('')
  lines.push(...wrap(footer(result, transports, t, f), width).map(line => style.dim(line)))
  return lines.join('\n') + '\n'
}

/** The plain-words verdict: one sentence per finding outside the impairment block, in reading order. */
export function verdict (result: CompareResult, t: Catalog = catalog('en').t): string[] {
  return verdictOf(result, findingsOf(result), t)
}

/** The headline's findings: the runner's, or computed for a result built by hand or read back. */
export function headlineOf (result: CompareResult): Finding[] {
  return result.headline.length > 0 ? result.headline : compareFindings(result).headline
}

/** One headline line: a `headline-*` code from its own area, any other finding as in the verdict. */
export function wordHeadline (result: CompareResult, finding: Finding, t: Catalog): string {
  const words = t.compareHeadline as Record<string, (p: object) => string>
  if (!(finding.code in words)) return wordFinding(result, finding, t)
  const other = (finding.params as { other?: string | null }).other
  const label = finding.transport === undefined ? '' : traitsOf(result, finding.transport).label
  return words[finding.code]!({ ...finding.params, label, otherLabel: other ? traitsOf(result, other).label : '' })
}

/** One finding in words (a sentence, or a clause of the impairment block). */
export function wordFinding (result: CompareResult, finding: Finding, t: Catalog): string {
  const label = finding.transport === undefined ? '' : traitsOf(result, finding.transport).label
  const message = t.compare.findings[finding.code as FindingCode] as (p: object) => string
  return message({ ...finding.params, label, scope: kernelScope(result) })
}

/**
 * One CSV line per probe, and one more per duplicate copy, with a header line first
 * (leave it out with `header: false` to append a second transport to the same file).
 * Columns: transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status — times in ms
 * since the run's start, empty where a probe never came back; status is ok,
 * reordered, late (back after Tmax, counted as lost), lost or duplicate.
 */
export function formatCsvRows (run: TransportRun, result: TransportResult, opts: { header?: boolean } = {}): string {
  const rows: string[] = []
  if (opts.header ?? true) rows.push('transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status')
  for (const outcome of probeOutcomes(run)) {
    rows.push([
      result.transport, outcome.seq, csvNumber(outcome.scheduledMs), csvNumber(outcome.sentMs),
      csvNumber(outcome.receivedMs), csvNumber(outcome.rttMs), outcome.status,
    ].join(','))
  }
  return rows.join('\n') + '\n'
}

/**
 * The impairment block: what ran and why, then per transport its expected-versus-measured
 * clauses on one line, and the kernel table's drops on another. Empty when no impairment ran.
 */
export function impairmentLines (result: CompareResult, t: Catalog = catalog('en').t): string[] {
  return impairmentBlock(result, findingsOf(result), t)
}

const IMPAIRMENT_KINDS = ['loss', 'delay', 'jitter', 'reorder', 'duplicate'] as const

function impairmentBlock (result: CompareResult, findings: Finding[], t: Catalog): string[] {
  const config = result.config.impairment
  if (config === undefined) return []
  const w = t.compare.impairment
  const asked = IMPAIRMENT_KINDS.filter(kind => config[kind] > 0).map(kind => w.kind({ kind, value: config[kind] }))
  const lines = [
    // The seed drives the userspace relay only: kernel drops (kernel, kernel-userns) are unseeded.
    w.title({ emulator: config.emulator, asked, seed: config.emulator.includes('userspace') ? config.seed : null }),
    // The reason worded in the run's language from its code (`config.reason` is English, for --json).
    w.why({ emulator: config.emulator, reason: t.impairment.planReason(config.reasonCode) }),
  ]
  for (const id of shownTransports(result)) {
    const mine = findings.filter(x => x.transport === id && IMPAIRMENT_CODES.has(x.code as FindingCode))
    const clauses = mine.filter(x => x.code !== 'impairment-kernel-drops').map(x => wordFinding(result, x, t))
    if (clauses.length > 0) lines.push(w.line({ label: traitsOf(result, id).label, clauses }))
    for (const drops of mine.filter(x => x.code === 'impairment-kernel-drops')) lines.push(wordFinding(result, drops, t))
  }
  return lines
}

function verdictOf (result: CompareResult, findings: Finding[], t: Catalog): string[] {
  return findings.filter(x => !IMPAIRMENT_CODES.has(x.code as FindingCode)).map(x => wordFinding(result, x, t))
}

/** The runner's findings when it filled them; computed here otherwise (a result built by hand or read back). */
function findingsOf (result: CompareResult): Finding[] {
  return result.findings.length > 0 ? result.findings : compareFindings(result).findings
}

function words (opts: { t?: Catalog; f?: Fmt }): { t: Catalog; f: Fmt } {
  const en = catalog('en')
  return { t: opts.t ?? en.t, f: opts.f ?? en.f }
}

// ——— header and footer ———

function headerLines (result: CompareResult, t: Catalog, f: Fmt): string[] {
  const { config } = result
  const w = t.compare.header
  const extras = [
    config.nagle ? w.nagle : '',
    config.warmup > 0 ? w.warmup({ warmup: config.warmup }) : '',
    result.interrupted ? w.stoppedEarly : '',
  ].filter(Boolean)
  return [
    // formatAddress brackets an IPv6 host ([::1]:9000), as every other line naming it does.
    w.target({ address: formatAddress(config.host, config.port), local: config.local }),
    w.plan({ count: config.count, ratePerSecond: config.blast ? null : config.ratePerSecond, sizeBytes: config.sizeBytes, extras }),
  ]
}

function footer (result: CompareResult, transports: TransportId[], t: Catalog, f: Fmt): string {
  const w = t.compare.footer
  const { ms } = compareUnits(f)
  const shown = transports.map(id => ({ r: result.results[id]!, label: traitsOf(result, id).label }))
  const first = shown[0]?.r
  const tmax = first === undefined
    ? w.tmax({ ms: ms(result.config.tmaxMs ?? 0), rule: '' })
    : shown.every(({ r }) => r.tmaxMs === first.tmaxMs && r.tmaxRule === first.tmaxRule)
      ? w.tmax({ ms: ms(first.tmaxMs), rule: w.tmaxRule[first.tmaxRule] })
      : w.tmaxEach({ each: shown.map(({ r, label }) => ({ label, ms: ms(r.tmaxMs), rule: w.tmaxRule[r.tmaxRule] })) })
  return w.definitions({ tmax })
}

// ——— small helpers ———

function csvNumber (value: number | null): string {
  return value === null ? '' : String(Number(value.toFixed(6)))
}

/** Word-wrap to `width` columns (a single word longer than that stays whole). */
function wrap (text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) { lines.push(line); line = word } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}
