/** One line cut out of a byte stream by {@link LineSplitter}. */
export interface SplitLine {
  /** The line's bytes without its LF or CRLF ending. */
  bytes: Buffer
  /**
   * True when the line was longer than the limit: `bytes` holds its first part (cut on a
   * UTF-8 character boundary) and the rest, up to the next newline, was thrown away.
   */
  truncated: boolean
}

/** Default longest line kept, in bytes (the line ending not counted). */
export const DEFAULT_MAX_LINE_BYTES = 4096

/**
 * Splits a byte stream into lines ending in LF or CRLF, in bounded memory.
 *
 * A line longer than `maxLineBytes` is emitted as soon as the limit is passed (cut on a
 * character boundary, `truncated: true`), and everything up to the next newline is then
 * discarded as it arrives. So a peer that never sends a newline costs at most
 * `maxLineBytes + 1` bytes here, however much it sends.
 */
export class LineSplitter {
  /** Longest line kept, in bytes without the line ending. Default 4096. */
  readonly maxLineBytes: number
  private pending: Buffer[] = []
  private pendingBytes = 0
  /** Inside an over-long line that was already emitted: drop bytes until a newline. */
  private discarding = false

  constructor (maxLineBytes: number = DEFAULT_MAX_LINE_BYTES) {
    if (!Number.isSafeInteger(maxLineBytes) || maxLineBytes < 1) throw new RangeError(`maxLineBytes must be a whole number ≥ 1, not ${maxLineBytes}`)
    this.maxLineBytes = maxLineBytes
  }

  /** Bytes held while waiting for a newline (never more than `maxLineBytes + 1`). */
  get bufferedBytes (): number {
    return this.pendingBytes
  }

  /** Feed bytes; returns every line they completed (or cut), in order. */
  push (chunk: Uint8Array): SplitLine[] {
    const data = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    const lines: SplitLine[] = []
    let start = 0
    while (start < data.length) {
      const newline = data.indexOf(0x0a, start)
      const end = newline === -1 ? data.length : newline
      if (this.discarding) {
        if (newline !== -1) this.discarding = false
      } else {
        this.append(data.subarray(start, end))
        if (newline !== -1) {
          lines.push(this.finishLine())
        } else if (this.pendingBytes > this.maxLineBytes + 1) {
          // +1: room for the CR of a CRLF whose LF has not arrived yet.
          lines.push(this.cut())
          this.discarding = true
        }
      }
      start = newline === -1 ? data.length : newline + 1
    }
    return lines
  }

  /** The stream ended: the unterminated last line, if there is one. */
  end (): SplitLine[] {
    const wasDiscarding = this.discarding
    this.discarding = false
    if (wasDiscarding || this.pendingBytes === 0) {
      this.reset()
      return []
    }
    return [this.finishLine()]
  }

  private append (part: Buffer): void {
    if (part.length === 0) return
    // Copy: the chunk's memory belongs to the socket and may be reused.
    this.pending.push(Buffer.from(part))
    this.pendingBytes += part.length
  }

  private finishLine (): SplitLine {
    let line = this.take()
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1)
    if (line.length <= this.maxLineBytes) return { bytes: line, truncated: false }
    return { bytes: line.subarray(0, utf8Boundary(line, this.maxLineBytes)), truncated: true }
  }

  private cut (): SplitLine {
    const line = this.take()
    return { bytes: line.subarray(0, utf8Boundary(line, this.maxLineBytes)), truncated: true }
  }

  private take (): Buffer {
    const line = this.pending.length === 1 ? this.pending[0]! : Buffer.concat(this.pending, this.pendingBytes)
    this.reset()
    return line
  }

  private reset (): void {
    this.pending = []
    this.pendingBytes = 0
  }
}

/**
 * The largest cut position ≤ `max` that does not split a UTF-8 character, so a cut line
 * does not end in a broken character (which would show as U+FFFD).
 */
export const utf8Boundary = (bytes: Uint8Array, max: number): number => {
  if (bytes.length <= max) return bytes.length
  let cut = max
  // Step back over at most 3 continuation bytes (10xxxxxx) to the character's first byte.
  for (let back = 0; back < 3 && cut > 0 && (bytes[cut]! & 0xc0) === 0x80; back++) cut--
  return cut
}
