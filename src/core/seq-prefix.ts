/**
 * The `--seq` wire format shared by udp-send and udp-server: an ASCII prefix
 * `seq=<n> ` (decimal, one space) in front of the message. Plain text on purpose, so a
 * student's own receiver can read it without a library:
 * Python `int(data.split(b' ', 1)[0][4:])`, Java `Integer.parseInt(s.split(" ", 2)[0].substring(4))`.
 * udp-send numbers datagrams from 1.
 */

const PREFIX = Buffer.from('seq=', 'latin1')
const SPACE = 0x20
const DIGIT_0 = 0x30
const DIGIT_9 = 0x39
/** Digits accepted in a sequence number: 15 keeps every value a safe integer. */
const MAX_DIGITS = 15

/** `seq=<n> ` followed by `payload`, as one Buffer. */
export const encodeSeq = (seq: number, payload: Uint8Array | string = ''): Buffer => {
  if (!Number.isSafeInteger(seq) || seq < 0) throw new RangeError(`sequence number must be a whole number of 0 or more, not ${seq}`)
  const body = typeof payload === 'string' ? Buffer.from(payload) : payload
  return Buffer.concat([Buffer.from(`seq=${seq} `, 'latin1'), body])
}

/** Bytes the prefix for `seq` takes (`seq=12 ` is 7). */
export const seqPrefixBytes = (seq: number): number => 5 + String(seq).length

/**
 * The sequence number and the rest of a datagram that starts with `seq=<digits> `,
 * or `undefined` for anything else (any other datagram is simply not numbered).
 * `payload` is a view into `datagram`, not a copy.
 */
export const parseSeq = (datagram: Uint8Array): { seq: number; payload: Buffer } | undefined => {
  if (datagram.length < PREFIX.length + 2) return undefined
  for (let i = 0; i < PREFIX.length; i++) if (datagram[i] !== PREFIX[i]) return undefined
  let seq = 0
  let i = PREFIX.length
  for (; i < datagram.length && i - PREFIX.length <= MAX_DIGITS; i++) {
    const byte = datagram[i]!
    if (byte === SPACE) break
    if (byte < DIGIT_0 || byte > DIGIT_9) return undefined
    seq = seq * 10 + (byte - DIGIT_0)
  }
  const digits = i - PREFIX.length
  if (digits === 0 || digits > MAX_DIGITS || datagram[i] !== SPACE) return undefined
  const bytes = Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength)
  return { seq, payload: bytes.subarray(i + 1) }
}
