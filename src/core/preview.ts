/**
 * A short, printable, single-line preview of bytes, so students can see what a read
 * or a datagram held. Valid UTF-8 is shown as text (¿Cómo?), control characters as
 * escapes (\n, \r, \t, \x1b), invalid bytes as \xHH, and characters a terminal would
 * act on or draw as nothing (C1 controls, bidi overrides, zero-width ones) as \u{H…}.
 * Never emits a raw control byte, so a preview can be printed to a terminal safely.
 */
export const preview = (data: Uint8Array, maxBytes = 48): string => {
  const shown = data.subarray(0, maxBytes)
  let out = ''
  let i = 0
  while (i < shown.length) {
    const byte = shown[i]!
    if (byte < 0x80) {
      out += escapeAscii(byte)
      i++
      continue
    }
    const len = utf8SequenceLength(shown, i)
    if (len > 0) {
      const char = Buffer.from(shown.subarray(i, i + len)).toString('utf8')
      const cp = char.codePointAt(0)!
      // C1 controls (U+0080–U+009F) and bidi overrides could confuse a terminal; characters
      // that show as nothing (zero-width space and joiners, variation selectors…) would hide
      // bytes the reader is meant to see.
      out += (cp >= 0x80 && cp <= 0x9f) || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069) || INVISIBLE.test(char)
        ? `\\u{${cp.toString(16)}}`
        : char
      i += len
    } else {
      out += `\\x${hex(byte)}`
      i++
    }
  }
  return data.length > maxBytes ? `${out}…` : out
}

/** Default-ignorable code points: a terminal draws nothing for them. */
const INVISIBLE = /\p{Default_Ignorable_Code_Point}/u

const hex = (byte: number) => byte.toString(16).padStart(2, '0')

const escapeAscii = (byte: number): string => {
  switch (byte) {
    case 0x0a: return '\\n'
    case 0x0d: return '\\r'
    case 0x09: return '\\t'
    case 0x5c: return '\\\\'
    default:
      return byte < 0x20 || byte === 0x7f ? `\\x${hex(byte)}` : String.fromCharCode(byte)
  }
}

/** Length of the well-formed UTF-8 sequence starting at `i`, or 0 if it is not one. */
const utf8SequenceLength = (bytes: Uint8Array, i: number): number => {
  const b0 = bytes[i]!
  let len: number
  let min: number
  if (b0 >= 0xc2 && b0 <= 0xdf) { len = 2; min = 0x80 }
  else if (b0 >= 0xe0 && b0 <= 0xef) { len = 3; min = 0x800 }
  else if (b0 >= 0xf0 && b0 <= 0xf4) { len = 4; min = 0x10000 }
  else return 0
  if (i + len > bytes.length) return 0
  let cp = b0 & (0xff >> (len + 1))
  for (let k = 1; k < len; k++) {
    const b = bytes[i + k]!
    if ((b & 0xc0) !== 0x80) return 0
    cp = (cp << 6) | (b & 0x3f)
  }
  if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0
  return len
}
