import { isIP } from 'node:net'
import { invalidArg } from './errors.js'
import { EN } from '../i18n/index.js'

/**
 * Parsers for user-supplied values. Each throws an ERR_SOCKKIT_INVALID_ARG error
 * whose message is one sentence naming the bad value, so the CLI can print it as is.
 */

const WHOLE = /^\s*\d+\s*$/

/**
 * A number as people type it on a command line: 200, 0.5, .5, 1e3, 2.5e4, 5e-1. No sign,
 * no hex, no underscores: `Number()` alone would take "0x10", "" and " ". NaN otherwise.
 */
const NUMBER = /^(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i
export const parseNumberText = (value: string | number): number => {
  const text = String(value).trim()
  return NUMBER.test(text) ? Number(text) : NaN
}

/** A TCP/UDP port, 1–65535 (0 too when `allowZero`: "let the OS pick"). */
export const parsePort = (value: string | number, opts: { allowZero?: boolean } = {}): number => {
  const text = String(value)
  const port = WHOLE.test(text) ? Number(text) : NaN
  const min = opts.allowZero ? 0 : 1
  if (!Number.isInteger(port) || port < min || port > 65535) {
    throw invalidArg('corePort', { min, text }, { value: text })
  }
  return port
}

/**
 * A host name or address as typed or pasted (from slides, from our own output): spaces
 * around it dropped, `[::1]` unbracketed. Empty, or a space inside, is a bad value here
 * rather than a failed name lookup later ("cannot resolve host").
 */
export const parseHost = (value: string, name = 'host'): string => {
  const text = value.trim()
  // 127.0.0.1:9000 or [::1]:9000, as sockkit prints addresses: the port does not belong here.
  const withPort = /^([^:\s[\]]+):(\d{1,5})$/.exec(text) ?? /^\[([^\]]+)\]:(\d{1,5})$/.exec(text)
  if (withPort) {
    throw invalidArg('coreHostWithPort', { name, value, host: withPort[1]!, port: withPort[2]! }, { value })
  }
  const host = /^\[([^\]]*)\]$/.exec(text)?.[1] ?? text
  if (host === '') throw invalidArg('coreHostEmpty', { name }, { value })
  if (/\s/.test(host)) throw invalidArg('coreHostSpace', { name, value }, { value })
  // No name has brackets or colons: "[::1" or "::1::2" is a mistyped IPv6 address, a usage
  // error — not a name to look up and fail on ("cannot resolve host", exit 1).
  if (/[[\]]/.test(host)) throw invalidArg('coreHostBracket', { name, value }, { value })
  if (host.includes(':') && isIP(host) === 0) throw invalidArg('coreHostNotIpv6', { name, value }, { value })
  // Four numbers with dots is an IPv4 address, never a name: a number over 255 is a typo to
  // point at, not a name to look up ("cannot resolve host" would send the student to DNS).
  const quad = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host)
  if (quad && quad.slice(1).some(part => Number(part) > 255)) {
    throw invalidArg('coreHostNotIpv4', { name, host }, { value })
  }
  return host
}

/** A whole number ≥ 1 (counts, rates, sizes), in any form that means one: 1000, 1e3, 1000.0. */
export const parsePositiveInt = (value: string | number, name: string): number => {
  const text = String(value)
  const n = parseNumberText(text)
  if (!Number.isSafeInteger(n) || n < 1) {
    throw invalidArg('corePositiveInt', { name, text }, { value: text })
  }
  return n
}

/** A whole number ≥ 0 (timeouts in ms where 0 means "off"): 5000, 5e3. */
export const parseNonNegativeInt = (value: string | number, name: string): number => {
  const text = String(value)
  const n = parseNumberText(text)
  if (!Number.isSafeInteger(n) || n < 0) {
    throw invalidArg('coreNonNegativeInt', { name, text }, { value: text })
  }
  return n
}

/**
 * The longest wait a timer can hold: Node keeps timers in a signed 32-bit count of ms and
 * turns anything longer into 1 ms (with a TimeoutOverflowWarning) — "a huge number, meaning
 * forever" would fire at once.
 */
export const MAX_TIMER_MS = 2 ** 31 - 1

/**
 * A duration in whole milliseconds, 1 up to {@link MAX_TIMER_MS} (24.8 days); 0 too when
 * `zero` says what it means there ("no limit", "off", "no wait").
 */
export const parseMilliseconds = (value: string | number, name: string, opts: { zero?: string } = {}): number => {
  const text = String(value)
  const n = parseNumberText(text)
  const min = opts.zero === undefined ? 1 : 0
  if (!Number.isSafeInteger(n) || n < min || n > MAX_TIMER_MS) {
    throw invalidArg('coreMilliseconds', { name, min, ...(opts.zero === undefined ? {} : { zero: opts.zero }), max: MAX_TIMER_MS, text }, { value: text })
  }
  return n
}

/** A rate per second whose interval a timer can hold (at least one per 24.8 days), fractions allowed. */
export const parseRate = (value: string | number, name: string): number => {
  const n = parsePositiveNumber(value, name)
  if (1000 / n > MAX_TIMER_MS) {
    throw invalidArg('coreRateTooLow', { name, min: 1000 / MAX_TIMER_MS, text: String(value).trim() }, { value })
  }
  return n
}

/** A positive number, fractions allowed (rates per second). */
export const parsePositiveNumber = (value: string | number, name: string): number => {
  const text = String(value).trim()
  const n = parseNumberText(text)
  if (!Number.isFinite(n) || n <= 0) {
    throw invalidArg('corePositiveNumber', { name, text }, { value: text })
  }
  return n
}

/** A percentage, 0–100, fractions allowed. */
export const parsePercent = (value: string | number, name: string): number => {
  const text = String(value).trim().replace(/%$/, '')
  const n = parseNumberText(text)
  if (!Number.isFinite(n) || n < 0 || n > 100) {
    throw invalidArg('corePercent', { name, value: String(value) }, { value })
  }
  return n
}

/** The escapes {@link unescapeBytes} understands, for help texts. */
export const ESCAPES_HELP: string = EN().cli.escapes

/** A known escape (group 1), or a backslash before anything else (group 2, left as typed). */
const ESCAPE = /\\(x[0-9a-fA-F]{2}|u\{[0-9a-fA-F]{1,6}\}|u[0-9a-fA-F]{4}|[nrt0\\])|\\(.?)/g

/**
 * Turn the escapes a teacher types on a command line into bytes: `\n`, `\r`, `\t`, `\0`,
 * `\\`, `\xHH` (that one byte, so `\xff` sends 0xFF, not its UTF-8 form), and `\uHHHH` or
 * `\u{H…}` (that character in UTF-8, so `\u00e9` sends é). The rest is UTF-8 text; a
 * backslash before anything else stays as typed (see {@link unknownEscapes} to warn).
 */
export const unescapeBytes = (text: string): Buffer => {
  const parts: Buffer[] = []
  let last = 0
  for (const m of text.matchAll(ESCAPE)) {
    parts.push(Buffer.from(text.slice(last, m.index), 'utf8'))
    const esc = m[1]
    if (esc === undefined) parts.push(Buffer.from(m[0], 'utf8'))
    else if (esc.startsWith('x')) parts.push(Buffer.from([parseInt(esc.slice(1), 16)]))
    else if (esc.startsWith('u')) {
      const code = escapedCodePoint(esc)
      parts.push(Buffer.from(isCharacter(code) ? String.fromCodePoint(code) : m[0], 'utf8'))
    } else parts.push(Buffer.from(({ n: '\n', r: '\r', t: '\t', '0': '\0', '\\': '\\' } as Record<string, string>)[esc]!, 'utf8'))
    last = m.index + m[0].length
  }
  parts.push(Buffer.from(text.slice(last), 'utf8'))
  return Buffer.concat(parts)
}

/** Backslash sequences in `text` that {@link unescapeBytes} leaves as typed (`\q`, `\x4`…). */
export const unknownEscapes = (text: string): string[] => {
  return [...text.matchAll(ESCAPE)]
    .filter(m => m[1] === undefined || (m[1].startsWith('u') && !isCharacter(escapedCodePoint(m[1]))))
    .map(m => m[0])
}

/** The code point of a `uHHHH` or `u{H…}` escape (without its backslash). */
const escapedCodePoint = (esc: string): number => parseInt(esc.replace(/^u\{?|\}$/g, ''), 16)

/**
 * Whether `\u` can send this code point as UTF-8: beyond U+10FFFF there are no characters,
 * and a lone surrogate (U+D800–U+DFFF) has no UTF-8 form (it would go out as U+FFFD).
 */
const isCharacter = (code: number): boolean => code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)

/** {@link unescapeBytes} as a string (for text-only uses). */
export const unescapeText = (text: string): string => unescapeBytes(text).toString('utf8')

