/** Small, pure formatting helpers shared by every command's human output. */

/** `1 byte`, `512 bytes`, `1.5 KiB`, `10.0 MiB`. */
export const formatBytes = (n: number): string => {
  if (n === 1) return '1 byte'
  if (n < 1024) return `${n} bytes`
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`
  return `${(n / 1024 ** 3).toFixed(2)} GiB`
}

/** `850 ms`, `1.2 s`, `3 min 05 s`. */
export const formatDuration = (ms: number): string => {
  if (ms < 1000) return `${Math.round(ms)} ms`
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`
  const min = Math.floor(ms / 60_000)
  const s = Math.round((ms % 60_000) / 1000)
  return `${min} min ${String(s).padStart(2, '0')} s`
}

/** `1 probe` / `3 probes`. */
export const plural = (n: number, word: string, many = `${word}s`): string =>
  `${n} ${n === 1 ? word : many}`
