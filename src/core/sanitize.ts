/**
 * Cleaning text that one chat user sends before any other terminal shows it.
 *
 * A chat relays one person's bytes to everyone else's terminal, so bytes a terminal acts on
 * (clear the screen, move the cursor, retitle the window, ring the bell, rewrite what was
 * printed with backspaces) must never pass through. Everything is decoded as UTF-8 first,
 * so invalid bytes become U+FFFD and cannot be stitched into a control sequence later.
 */

const decoder = new TextDecoder('utf-8', { fatal: false, ignoreBOM: true })

// One pass, left to right, so removing one sequence can never join its neighbours into a
// new one (ESC, then a removed C1 CSI, then "g" must not become ESC g).
/** OSC, DCS, SOS, PM, APC strings (7-bit `ESC ] P X ^ _` or their C1 forms) up to BEL or ST, or the end. */
const CONTROL_STRING = /(?:\x1b[\]PX^_]|[\u0090\u0098\u009d\u009e\u009f])[\s\S]*?(?:\x07|\x1b\\|\u009c|$)/.source
/** CSI (`ESC [` or C1 U+009B): parameter bytes, intermediate bytes, one final byte. */
const CSI = /(?:\x1b\[|\u009b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?/.source
/** Every other escape: ESC, intermediate bytes, one final byte — or a lone ESC. */
const OTHER_ESCAPE = /\x1b[\x20-\x2f]*[\x30-\x7e]?/.source
/** C0 controls but tab, DEL, C1 controls. */
const CONTROL_CHAR = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/.source
/**
 * Bidirectional embedding/override/isolate controls: they make a terminal show text in an
 * order other than the bytes' ("Trojan Source"), so a name or message could look like another.
 */
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/.source
// Alternatives are tried in this order at each position: whole sequences before single characters.
const TERMINAL_CONTROLS = new RegExp([CONTROL_STRING, CSI, OTHER_ESCAPE, CONTROL_CHAR, BIDI_CONTROL].join('|'), 'g')
/** Escape sequences and control strings only (their 7-bit and C1 forms). */
const ESCAPES = new RegExp([CONTROL_STRING, CSI, OTHER_ESCAPE].join('|'), 'g')

/**
 * Decode `input` as UTF-8 (invalid bytes → U+FFFD) and remove every terminal control:
 * complete escape sequences (CSI such as `ESC[2J`, OSC such as a window title whether ended
 * by BEL or ST, DCS/APC/PM/SOS strings, two-byte escapes, a lone ESC), their C1 forms, C0
 * controls except tab (BEL, backspace, CR, LF…), DEL, C1 controls U+0080–U+009F and bidi
 * override characters. An unterminated OSC/DCS string swallows the rest of the text, as a
 * terminal would have.
 */
export const sanitizeText = (input: Uint8Array | string): string => {
  const text = typeof input === 'string' ? input : decoder.decode(input)
  return text.replace(TERMINAL_CONTROLS, '')
}

/**
 * Decode `input` like {@link sanitizeText}, but first apply what a terminal's line editing
 * would have: backspace (BS) and DEL each erase the character before them. Windows telnet
 * and PuTTY in raw mode send every keystroke as it is typed, corrections included, so
 * "holx", BS, "a" was meant as "hola". Escape sequences are removed before erasing, so a
 * backspace can never reach into one; it can only erase within this line's own text.
 */
export const sanitizeTypedLine = (input: Uint8Array | string): string => {
  const text = (typeof input === 'string' ? input : decoder.decode(input)).replace(ESCAPES, '')
  if (!/[\b\x7f]/.test(text)) return sanitizeText(text)
  const kept: string[] = []
  for (const char of text) {
    if (char === '\b' || char === '\x7f') kept.pop()
    else kept.push(char)
  }
  return sanitizeText(kept.join(''))
}

/** Longest chat name, in characters. */
export const MAX_NAME_LENGTH = 24

/** Why a name was not accepted. */
export type NameProblem = 'empty' | 'too-long' | 'invalid'

/**
 * Characters that show as nothing (combining grapheme joiner, variation selectors, Hangul
 * fillers, zero-width space and joiners, soft hyphen…): with one of them, "profe" and a
 * copy of it would look the same and still be two names.
 */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u
/** Scripts whose letters look alike ("а" Cyrillic, "a" Latin, "ο" Greek, "o" Latin). */
const LOOKALIKE_SCRIPTS = [/\p{Script=Latin}/u, /\p{Script=Greek}/u, /\p{Script=Cyrillic}/u]

/**
 * Clean and check a chat name: letters of any script, digits, `-`, `_` and `.`, starting
 * with a letter or digit, at most {@link MAX_NAME_LENGTH} characters. No spaces and no `:`,
 * so `name: text` and `/who` can never be ambiguous. So that nobody can pass for someone
 * else, a name is NFKC-normalised (fullwidth "ａｎａ" becomes "ana"), may not contain
 * invisible characters, and may not mix Latin, Greek and Cyrillic letters ("аna" with a
 * Cyrillic "а" is refused). The server compares names ignoring case.
 */
export const checkName = (input: Uint8Array | string): { ok: true; name: string } | { ok: false; problem: NameProblem } => {
  const name = sanitizeText(input).trim().normalize('NFKC')
  if (name.length === 0) return { ok: false, problem: 'empty' }
  if ([...name].length > MAX_NAME_LENGTH) return { ok: false, problem: 'too-long' }
  if (!/^[\p{L}\p{N}][\p{L}\p{M}\p{N}_.-]*$/u.test(name) || INVISIBLE.test(name)) return { ok: false, problem: 'invalid' }
  if (LOOKALIKE_SCRIPTS.filter(script => script.test(name)).length > 1) return { ok: false, problem: 'invalid' }
  return { ok: true, name }
}
