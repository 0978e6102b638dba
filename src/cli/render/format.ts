/** Small, pure formatting helpers shared by every command's human output. */
import type { ChalkInstance } from 'chalk'
import { catalog } from '../../i18n/index.js'

const en = () => catalog('en')

/** `1 byte`, `65507 bytes`, `70.0 KiB` in English: see Fmt.bytes (exact up to 65536). */
export const formatBytes = (n: number): string => en().f.bytes(n)

/** `850 ms`, `1.2 s`, `3 min 05 s` in English: see Fmt.duration. */
export const formatDuration = (ms: number): string => en().f.duration(ms)

/** The English "Ctrl-C: stopping — no new connections; closing …" line (catalogue `common.stopping`). */
export const stoppingLine = (cause: string, open: number, graceMs: number): string =>
  en().t.common.stopping({ cause, open, graceMs })

/** `1 probe` / `3 probes`. */
export const plural = (n: number, word: string, many = `${word}s`): string =>
  `${n} ${n === 1 ? word : many}`

/**
 * What follows "N bytes" in a datagram line: `: preview`, or words for an empty datagram —
 * a bare "0 bytes: " looks like something broke, though an empty datagram is valid UDP.
 */
export const datagramShown = (bytes: number, preview: string, style: ChalkInstance, empty: string = en().t.common.emptyDatagram): string =>
  bytes === 0 ? ` ${style.dim(empty)}` : `: ${style.bold(preview)}`
