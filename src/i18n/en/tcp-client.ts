import type { Fmt, Mark } from '../fmt.js'

/** Emphasis the CLI puts on a word of a line (a colour on a terminal); identity otherwise. */

/** tcp-client: its help, event lines and closing lines (stderr). */
export const tcpClient = (f: Fmt) => {
  const totals = (p: { bytesSent: number; bytesReceived: number }) => `${f.bytes(p.bytesSent)} sent, ${f.bytes(p.bytesReceived)} received`
  return {
    help: {
      summary: 'TCP client: stdin to the server, the server to stdout, events on stderr',
      description: 'Connect to a TCP server. Bytes typed or piped on stdin are sent unchanged, and every byte the ' +
        'server sends is written to stdout as it arrives (a greeting shows at once). On stdin EOF the ' +
        'client half-closes and keeps reading until the server closes. Events go to stderr.',
      host: 'server name or address',
      port: 'server port',
      message: (p: { escapes: string }) => `send this instead of stdin, then half-close; repeat for several writes (escapes: ${p.escapes})`,
      writeInterval: 'pause between --message writes (0 = back to back, so TCP may merge them)',
      writeIntervalZero: 'back to back',
      wait: 'after our half-close (or the end of stdin with --no-half-close), close anyway if the server has not closed within this time (0 = wait for it)',
      waitZero: 'until the server closes',
      timeout: 'connect timeout',
      crlf: 'send each LF newline as CRLF (for servers that read lines the Windows/HTTP way)',
      nagle: "leave Nagle's algorithm on (default off: small writes go out at once)",
      noHalfClose: 'keep the connection open after stdin ends (no FIN), like ncat --no-shutdown; ends when the server closes, or Ctrl-C',
      keepSending: 'if the server half-closes first, keep sending stdin until it ends (default: stop, as ncat does, and say how much was sent)',
      quiet: 'only errors and warnings on stderr',
      examples: `
Examples:
  $ sockkit tcp-client 127.0.0.1 9000    type lines, see the echo; Ctrl-D ends
                                         (Windows: Ctrl-Z, Enter)
  $ sockkit tcp-client 127.0.0.1 9000 < photo.jpg > back.jpg
                                         binary-safe round trip
  $ sockkit tcp-client 127.0.0.1 9000 --message hola --message mundo
                                         two writes; one read: "holamundo"
  $ sockkit tcp-client 127.0.0.1 9000 --no-half-close < request.txt
                                         no FIN after the request: for servers
                                         that stop answering at EOF

Event lines (stderr): "connecting", "connected from local A → B",
"wrote N bytes", "sent EOF (half-close)", "server finished sending",
"closed after T: N bytes sent, N received", "reset by the server".
Exit codes: 0 the server closed (or --wait passed), 1 network failure,
2 bad command line, 130 Ctrl-C.`,
    },
    connecting: (p: { where: string; timeoutMs: number }) => `connecting to ${p.where} (TCP, timeout ${f.duration(p.timeoutMs)})`,
    connected: (p: { mark: Mark; local: string; remote: string; noDelay: boolean }) =>
      `${p.mark('connected')} from local ${p.local} → ${p.remote} (Nagle ${p.noDelay ? 'off' : 'on'})`,
    typeLines: (p: { eofKey: string }) => `type lines to send them; ${p.eofKey} finishes sending (half-close), Ctrl-C quits`,
    /** typeLines with --no-half-close. */
    typeLinesOpen: (p: { eofKey: string }) => `type lines to send them; ${p.eofKey} ends your input (the connection stays open), Ctrl-C quits`,
    writesTogether: (p: { count: number }) =>
      `${f.num(p.count)} writes back to back, handed to the kernel together: TCP keeps bytes, not writes, so the server may read them as one`,
    writesApart: (p: { count: number; intervalMs: number }) =>
      `${f.num(p.count)} writes ${f.duration(p.intervalMs)} apart: each usually arrives as its own read`,
    /** `preview`: the bytes as shown (already emphasised). */
    wrote: (p: { bytes: number; index: number; count: number; preview: string }) =>
      `wrote ${f.bytes(p.bytes)} (message ${f.num(p.index)} of ${f.num(p.count)}): ${p.preview}`,
    /** --no-half-close: the input ended, no FIN sent. */
    inputEnded: (p: { mark: Mark; bytesSent: number; waitMs: number }) =>
      `${p.mark('input ended')} after ${f.bytes(p.bytesSent)}; connection kept open (no half-close): ` +
      `reading until the server closes${p.waitMs > 0 ? ` or ${f.duration(p.waitMs)} pass` : ''} (Ctrl-C to stop)`,
    sentEof: (p: { mark: Mark; bytesSent: number; waitMs: number }) =>
      `${p.mark('sent EOF (half-close)')} after ${f.bytes(p.bytesSent)}: we finished sending; ` +
      `reading until the server closes${p.waitMs > 0 ? ` or ${f.duration(p.waitMs)} pass` : ''}`,
    /** The server closed first and we stopped sending: what was sent, and what was read and left unsent. */
    serverClosedStopped: (p: { mark: Mark; bytesReceived: number; inputBytesSent: number; inputBytesWaiting: number }) =>
      `${p.mark('server closed its side')} (FIN) after ${f.bytes(p.bytesReceived)} received, before our input ended: ` +
      `stopped reading it after ${f.bytes(p.inputBytesSent)} sent` +
      (p.inputBytesWaiting > 0 ? `; ${f.bytes(p.inputBytesWaiting)} read and waiting were not sent` : '') +
      ' — any more input is not sent (--keep-sending sends it)',
    serverClosedStillSending: (p: { mark: Mark; bytesReceived: number }) =>
      `${p.mark('server closed its side')} (FIN) after ${f.bytes(p.bytesReceived)} received; it may still read: ` +
      'still sending (--keep-sending) until the input ends',
    serverFinished: (p: { bytesReceived: number }) => `server finished sending (FIN) after ${f.bytes(p.bytesReceived)} received`,
    waitElapsed: (p: { mark: Mark; waitMs: number }) =>
      `${p.mark('--wait elapsed')}: ${f.duration(p.waitMs)} after our half-close the server had not closed; closing`,
    /** waitElapsed with --no-half-close: counted from the end of our input. */
    waitElapsedOpen: (p: { mark: Mark; waitMs: number }) =>
      `${p.mark('--wait elapsed')}: ${f.duration(p.waitMs)} after our input ended the server had not closed; closing`,
    reset: (p: { mark: Mark; durationMs: number; bytesSent: number; bytesReceived: number }) =>
      `${p.mark('reset by the server')} (ECONNRESET) after ${f.duration(p.durationMs)}: ${totals(p)}`,
    broken: (p: { mark: Mark; code: string; durationMs: number; bytesSent: number; bytesReceived: number }) =>
      `${p.mark('connection broken')} (${p.code}) after ${f.duration(p.durationMs)}: ${totals(p)}`,
    interrupted: (p: { mark: Mark; durationMs: number; bytesSent: number; bytesReceived: number }) =>
      `${p.mark('interrupted')} after ${f.duration(p.durationMs)}: ${totals(p)}`,
    closed: (p: { mark: Mark; durationMs: number; bytesSent: number; bytesReceived: number }) =>
      `${p.mark('closed')} after ${f.duration(p.durationMs)}: ${totals(p)}`,
    interruptedConnecting: (p: { mark: Mark }) => `${p.mark('interrupted')} before the connection was made`,
    /** Usage error: words after the port (the message goes on stdin or in --message); `words` as typed. */
    messageWords: (p: { host: string; port: string; words: string[] }) =>
      `tcp-client sends what you type or pipe on stdin, not words after the port: give the message with --message, ` +
      `quoted, as in sockkit tcp-client ${p.host} ${p.port} --message "${p.words.join(' ')}"`,
  }
}
