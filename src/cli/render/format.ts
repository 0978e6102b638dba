/** Small, pure formatting helpers shared by every command's human output. */
import type { ChalkInstance } from 'chalk'

/**
 * `1 byte`, `65507 bytes`, `70.0 KiB`, `10.0 MiB`. Exact up to 65536: that is the range of
 * single reads, datagrams and their limits, where "64.0 KiB" would hide the very difference
 * (65507 versus 65536) a student is looking at. Larger counts are totals, where rounding helps.
 */
export const formatBytes = (n: number): string => {
  if (n === 1) return '1 byte'
  if (n <= 65536) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/**
 * `850 ms`, `1.2 s`, `3 min 05 s`, `2 h 05 min`, `24 d 20 h`. Each unit is rounded before it
 * is split, so 119.6 s is `2 min 00 s`, never `1 min 60 s`, and 999.7 ms is `1.0 s`.
 */
export const formatDuration = (ms: number): string => {
  if (Math.round(ms) < 1000) return `${Math.round(ms)} ms`
  const tenths = Math.round(ms / 100)
  if (tenths < 600) return `${(tenths / 10).toFixed(1)} s`
  const seconds = Math.round(ms / 1000)
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
  const minutes = Math.round(ms / 60_000)
  if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
  const hours = Math.round(ms / 3_600_000)
  return `${Math.floor(hours / 24)} d ${hours % 24} h`
}

/**
 * Said at once when a stop signal arrives with connections open, so the second or so spent
 * closing them is not a silent pause: "Ctrl-C: stopping — no new connections; closing 2
 * open connections (each gets up to 1.0 s to finish)".
 */
export const stoppingLine = (cause: string, open: number, graceMs: number): string =>
  `${cause}: stopping — no new connections; closing ${plural(open, 'open connection')} (each gets up to ${formatDuration(graceMs)} to finish)`

/** `1 probe` / `3 probes`. */
export const plural = (n: number, word: string, many = `${word}s`): string =>
  `${n} ${n === 1 ? word : many}`

/**
 * What follows "N bytes" in a datagram line: `: preview`, or words for an empty datagram —
 * a bare "0 bytes: " looks like something broke, though an empty datagram is valid UDP.
 */
export const datagramShown = (bytes: number, preview: string, style: ChalkInstance): string =>
  bytes === 0 ? ` ${style.dim('(empty datagram)')}` : `: ${style.bold(preview)}`
