/**
 * WebSocket close codes (RFC 6455 §7.4, IANA registry) as stable names the catalogue words:
 * the library reports the number and its kind; the CLI says it in the user's language.
 */
export type CloseCodeKind =
  | 'normal' | 'goingAway' | 'protocolError' | 'unsupportedData' | 'noStatus' | 'abnormal'
  | 'invalidData' | 'policy' | 'tooBig' | 'extension' | 'internal' | 'restart' | 'tryAgain'
  | 'badGateway' | 'tls' | 'registered' | 'private' | 'unknown'

const KNOWN: Record<number, CloseCodeKind> = {
  1000: 'normal',
  1001: 'goingAway',
  1002: 'protocolError',
  1003: 'unsupportedData',
  1005: 'noStatus',
  1006: 'abnormal',
  1007: 'invalidData',
  1008: 'policy',
  1009: 'tooBig',
  1010: 'extension',
  1011: 'internal',
  1012: 'restart',
  1013: 'tryAgain',
  1014: 'badGateway',
  1015: 'tls',
}

/** The kind of a close code: a known one by name, 3000–3999 registered, 4000–4999 private use. */
export const closeCodeKind = (code: number): CloseCodeKind => {
  const known = KNOWN[code]
  if (known !== undefined) return known
  if (code >= 3000 && code <= 3999) return 'registered'
  if (code >= 4000 && code <= 4999) return 'private'
  return 'unknown'
}

/**
 * Whether an endpoint may put `code` in a close frame: 1000–1003, 1007–1014 and 3000–4999.
 * 1005, 1006 and 1015 are only ever reported, never sent.
 */
export const isSendableCloseCode = (code: number): boolean =>
  (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999)

/** The close code ws sends when it fails a connection for one of its receiver errors. */
export const closeCodeForWsError = (code: string | undefined): number => {
  switch (code) {
    case 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH': return 1009
    case 'WS_ERR_INVALID_UTF8': return 1007
    default: return 1002
  }
}
