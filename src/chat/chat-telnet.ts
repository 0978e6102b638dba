/**
 * Telnet's in-band commands (RFC 854), removed from what a telnet client sends to the chat.
 *
 * PuTTY in Telnet mode opens every connection with option negotiation — `IAC WILL NAWS`,
 * `IAC DO ECHO`… (ff fb 1f ff fb 20 …) — and sends `IAC SB NAWS … IAC SE` when its window is
 * resized and `IAC IP` for Ctrl-C. Those bytes are not text: left in, they turned the first
 * line into "��…ana", so a telnet user's name was refused before they had typed anything.
 * The chat answers no option, which leaves both ends in telnet's default mode (the client
 * echoes and edits lines itself), exactly what a raw-TCP chat wants.
 */

/** "Interpret as command": starts every telnet command. */
export const TELNET_IAC = 0xff
const SE = 0xf0
const SB = 0xfa
/** WILL, WONT, DO, DONT (0xfb–0xfe) take one option byte. */
const FIRST_OPTION_VERB = 0xfb
/**
 * Longest subnegotiation skipped before giving up on it: real ones (window size, terminal
 * type) are a few bytes, and a peer that never sends IAC SE must not swallow the chat.
 */
const MAX_SUBNEGOTIATION_BYTES = 512

type State = 'data' | 'command' | 'option' | 'sub' | 'sub-command'

/**
 * Strips telnet commands from a byte stream, across chunk boundaries, in constant memory.
 * `IAC IAC` is a data byte 0xFF (which is not UTF-8, so it then shows as U+FFFD).
 */
export class TelnetCommandFilter {
  private state: State = 'data'
  private subBytes = 0

  /** The chunk without telnet commands (possibly empty). */
  push (chunk: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(chunk.length)
    let kept = 0
    for (const byte of chunk) {
      switch (this.state) {
        case 'data':
          if (byte === TELNET_IAC) this.state = 'command'
          else out[kept++] = byte
          break
        case 'command':
          if (byte === TELNET_IAC) {
            out[kept++] = byte
            this.state = 'data'
          } else if (byte === SB) {
            this.state = 'sub'
            this.subBytes = 0
          } else {
            this.state = byte >= FIRST_OPTION_VERB ? 'option' : 'data'
          }
          break
        case 'option':
          this.state = 'data'
          break
        case 'sub':
        case 'sub-command':
          if (this.state === 'sub-command' && byte === SE) this.state = 'data'
          else if (++this.subBytes > MAX_SUBNEGOTIATION_BYTES) this.state = 'data'
          else this.state = byte === TELNET_IAC && this.state === 'sub' ? 'sub-command' : 'sub'
          break
      }
    }
    return out.subarray(0, kept)
  }
}
