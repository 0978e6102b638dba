/**
 * Every error sockkit raises on purpose carries a stable `code`; tests assert the
 * code, the CLI turns it into a sentence and an exit code. Node's own network errors
 * (ECONNREFUSED, EADDRINUSE, …) are passed through untouched and explained at the
 * CLI edge.
 */
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
  /** The operation was stopped through its AbortSignal. */
  | 'ABORT_ERR'

export interface SockkitError extends Error {
  code: SockkitErrorCode
  [key: string]: unknown
}

/** Build an error with a stable code and optional extra fields (host, port, value…). */
export const sockkitError = (
  code: SockkitErrorCode,
  message: string,
  extra: Record<string, unknown> = {},
): SockkitError => Object.assign(new Error(message), { code, ...extra }) as SockkitError

/** A usage error: the CLI exits 2 with its message. */
export const invalidArg = (message: string, extra: Record<string, unknown> = {}) =>
  sockkitError('ERR_SOCKKIT_INVALID_ARG', message, extra)

/** Type guard for errors that carry a string `code` (ours and Node's). */
export const hasCode = (err: unknown): err is Error & { code: string } =>
  err instanceof Error && typeof (err as { code?: unknown }).code === 'string'

/**
 * A datagram the system refused for its size (EMSGSIZE) as one sentence, or undefined for any
 * other send error. Linux sends any UDP datagram up to 65507 bytes (IPv4); macOS refuses
 * more than net.inet.udp.maxdgram, 9216 bytes by default. `what` names the datagram
 * ("datagram", "UDP probe"); `where` is its destination as printed (host:port).
 */
export const datagramTooBig = (
  err: Error & { code?: string }, bytes: number, where: string, what = 'datagram', extra: Record<string, unknown> = {},
): SockkitError | undefined =>
  err.code !== 'EMSGSIZE'
    ? undefined
    : sockkitError('ERR_SOCKKIT_DATAGRAM_TOO_BIG',
      `the system refused to send a ${bytes}-byte ${what} to ${where} (EMSGSIZE): it is over this system's ` +
      'datagram limit (macOS allows 9216 bytes unless `sysctl net.inet.udp.maxdgram` is raised) — try a smaller --size',
      { bytes, ...extra, cause: err })

