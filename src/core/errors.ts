/**
 * Every error sockkit raises on purpose carries a stable `code`; tests assert the
 * code, the CLI turns it into a sentence and an exit code. Node's own network errors
 * (ECONNREFUSED, EADDRINUSE, …) are passed through untouched and explained at the
 * CLI edge.
 */
import { EN, type Catalog } from '../i18n/index.js'

export type SockkitErrorCode =
  /** A value the user gave is out of range or malformed. */
  | 'ERR_SOCKKIT_INVALID_ARG'
  /** A TCP connect did not complete within the connect timeout. */
  | 'ERR_SOCKKIT_CONNECT_TIMEOUT'
  /** A datagram would exceed what one UDP packet can carry. */
  | 'ERR_SOCKKIT_DATAGRAM_TOO_BIG'
  /** A feature needs something this platform or user lacks (Linux, root, nft…). */
  | 'ERR_SOCKKIT_UNSUPPORTED'
  /** The remote end did not answer a measurement. */
  | 'ERR_SOCKKIT_NO_ANSWER'
  /** The peer did not complete a WebSocket handshake (another HTTP status, a bad 101). */
  | 'ERR_SOCKKIT_WS_HANDSHAKE'
  /** The operation was stopped through its AbortSignal. */
  | 'ABORT_ERR'

export interface SockkitError extends Error {
  code: SockkitErrorCode
  /** The catalogue entry (`errors.<key>`) that words this error, and its parameters. */
  key?: ErrorKey
  params?: Record<string, unknown>
  [key: string]: unknown
}

/** An entry of the catalogue's `errors` area. */
export type ErrorKey = keyof Catalog['errors']
type Entry<K extends ErrorKey> = Catalog['errors'][K]
/** The parameters an `errors` entry takes (none for a plain string). */
export type ErrorParams<K extends ErrorKey> = Entry<K> extends (p: infer P) => string ? P : Record<string, never>

/** Words one catalogue entry with its parameters. */
export const renderError = <K extends ErrorKey>(errors: Catalog['errors'], key: K, params: ErrorParams<K>): string => {
  const entry = errors[key] as string | ((p: ErrorParams<K>) => string)
  return typeof entry === 'function' ? entry(params) : entry
}

/**
 * Build an error with a stable code, worded by the catalogue entry `errors.<key>`: its
 * `message` is the English text; `key` and `params` let the CLI say it in the user's language.
 * `extra` adds fields a caller may read (host, port, value, cause…).
 */
export const sockkitError = <K extends ErrorKey>(
  code: SockkitErrorCode,
  key: K,
  params: ErrorParams<K>,
  extra: Record<string, unknown> = {},
): SockkitError => Object.assign(new Error(renderError(EN().errors, key, params)), { code, key, params, ...extra }) as unknown as SockkitError

/** A usage error worded by the catalogue: the CLI exits 2 with its message. */
export const invalidArg = <K extends ErrorKey>(key: K, params: ErrorParams<K>, extra: Record<string, unknown> = {}) =>
  sockkitError('ERR_SOCKKIT_INVALID_ARG', key, params, extra)

/** Type guard for errors that carry a string `code` (ours and Node's). */
export const hasCode = (err: unknown): err is Error & { code: string } =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'string'

/**
 * A datagram the system refused for its size (EMSGSIZE) as an ERR_SOCKKIT_DATAGRAM_TOO_BIG
 * error, or undefined for any other send error. Linux sends any UDP datagram up to 65507
 * bytes (IPv4); macOS refuses more than net.inet.udp.maxdgram, 9216 bytes by default. `what`
 * names the datagram; `where` is its destination as printed (host:port). The CLI adds how to
 * send a smaller one.
 */
export const datagramTooBig = (
  err: Error & { code?: string }, bytes: number, where: string, what: 'datagram' | 'UDP probe' = 'datagram', extra: Record<string, unknown> = {},
): SockkitError | undefined =>
  err.code !== 'EMSGSIZE'
    ? undefined
    : sockkitError('ERR_SOCKKIT_DATAGRAM_TOO_BIG', what === 'UDP probe' ? 'coreProbeTooBig' : 'coreDatagramTooBig',
      { bytes, where }, { bytes, ...extra, cause: err })

