/**
 * Frame headers read off a WebSocket byte stream, for `--frames`: which frames each TCP read
 * carried, and whether a read ended inside a frame. Only headers are parsed; payloads are
 * counted and skipped (the `ws` package does the real decoding).
 */

/** One frame header as it arrived (RFC 6455 §5.2). */
export interface FrameHeader {
  fin: boolean
  /** 0 continuation, 1 text, 2 binary, 8 close, 9 ping, 10 pong. */
  opcode: number
  masked: boolean
  /** Payload length in bytes. */
  length: number
  /** Header bytes: 2, 4 or 10, plus 4 for the mask key. */
  headerBytes: number
}

/** What one TCP read carried. */
export interface ReadFrames {
  bytes: number
  /** The read began inside a frame (its payload or header) that an earlier read started. */
  continued: boolean
  /** Frames whose header completed in this read. */
  frames: FrameHeader[]
  /** The read ended inside a frame: more of it is still to come. */
  endsInside: boolean
}

/** Opcode names as the RFC spells them; not sentences. */
export const OPCODE_NAMES: Record<number, string> = { 0: 'continuation', 1: 'text', 2: 'binary', 8: 'close', 9: 'ping', 10: 'pong' }

/** Parse a header at the start of `b`, or undefined if `b` does not hold all of it yet. */
export const parseFrameHeader = (b: Uint8Array): FrameHeader | undefined => {
  if (b.length < 2) return undefined
  const masked = (b[1]! & 0x80) !== 0
  let length = b[1]! & 0x7f
  let headerBytes = 2
  if (length === 126) headerBytes = 4
  else if (length === 127) headerBytes = 10
  if (masked) headerBytes += 4
  if (b.length < headerBytes) return undefined
  const view = Buffer.from(b.buffer, b.byteOffset, b.byteLength)
  if (length === 126) length = view.readUInt16BE(2)
  else if (length === 127) length = Number(view.readBigUInt64BE(2))
  return { fin: (b[0]! & 0x80) !== 0, opcode: b[0]! & 0x0f, masked, length, headerBytes }
}

/** Follows one direction of a connection read by read. */
export class FrameTracker {
  /** Header bytes of a frame whose header is split over reads. */
  private partialHeader: Buffer = Buffer.alloc(0)
  /** Payload bytes of the current frame still to come. */
  private remaining = 0

  feed (chunk: Buffer): ReadFrames {
    const continued = this.remaining > 0 || this.partialHeader.length > 0
    const frames: FrameHeader[] = []
    const data = this.partialHeader.length > 0 ? Buffer.concat([this.partialHeader, chunk]) : chunk
    this.partialHeader = Buffer.alloc(0)
    let i = 0
    while (i < data.length) {
      if (this.remaining > 0) {
        const take = Math.min(this.remaining, data.length - i)
        this.remaining -= take
        i += take
        continue
      }
      const header = parseFrameHeader(data.subarray(i))
      if (header === undefined) {
        this.partialHeader = Buffer.from(data.subarray(i))
        break
      }
      frames.push(header)
      i += header.headerBytes
      this.remaining = header.length
    }
    return { bytes: chunk.length, continued, frames, endsInside: this.remaining > 0 || this.partialHeader.length > 0 }
  }
}
