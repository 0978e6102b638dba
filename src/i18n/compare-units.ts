/**
 * compare's figures as text, for any language: times to about three significant digits,
 * shares that never round a real loss to 0%, counts with the locale's grouping. Built on the
 * language's Fmt, so every catalogue and the table format the same number the same way.
 */
import type { Fmt } from './fmt.js'

export interface CompareUnits {
  /** `0.031 ms`, `2.50 ms`, `14.2 ms`, `210 ms`: about three significant digits. */
  ms (value: number): string
  /** `0%`, `0.05%`, `3.1%`, `20%`, `100%`; never rounds a real loss to 0% or a partial one to 100%. */
  percent (value: number): string
  /** `12.6–19.4%`, with both ends in the precision of {@link percent}. */
  percentRange (low: number, high: number): string
  /** 2431 → `2,431` (grouped: counts in the impairment block are often large). */
  count (n: number): string
  /** Mbit/s: `0`, `0.097`, `12.3`. */
  mbit (value: number): string
  /** A histogram edge: `0.03`, `1.5`, `700` (edges are round numbers already). */
  edge (value: number): string
}

export const compareUnits = (f: Fmt): CompareUnits => {
  const ms = (value: number): string => {
    const magnitude = Math.abs(value)
    if (magnitude === 0) return `${f.num(0)} ms`
    if (magnitude < 1) return `${f.num(value, 3)} ms`
    if (magnitude < 10) return `${f.num(value, 2)} ms`
    if (magnitude < 100) return `${f.num(value, 1)} ms`
    return `${f.num(value, 0)} ms`
  }
  const percent = (value: number): string => {
    if (value === 0 || value === 100) return `${f.num(value)}%`
    if (value < 0.01) return `<${f.num(0.01)}%`
    if (value > 99.9) return `>${f.num(99.9)}%`
    return `${f.num(Number(value.toFixed(value < 1 ? 2 : 1)))}%`
  }
  return {
    ms,
    percent,
    percentRange: (low, high) => `${percent(low).replace('%', '')}–${percent(high)}`,
    count: n => n.toLocaleString(f.locale),
    mbit: value => (value === 0 ? f.num(0) : f.num(value, value < 1 ? 3 : 1)),
    edge: value => f.num(Number(value.toPrecision(3))),
  }
}
