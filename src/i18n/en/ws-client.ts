import type { Fmt, Mark } from '../fmt.js'

/** ws-client: help, event lines (stderr) and how the connection ended. Close codes in words: wsServer.closeCode. */
export const wsClient = (f: Fmt) => {
  const messages = (n: number) => f.plural(n, { one: '# message', other: '# messages' })
  const totals = (p: { messagesSent: number; messagesReceived: number; durationMs: number }) =>
    `after ${f.duration(p.durationMs)}: ${messages(p.messagesSent)} sent, ${messages(p.messagesReceived)} received`
  return {
    help: {
      summary: 'WebSocket client: stdin lines as messages, messages received to stdout',
      description: 'Open a WebSocket (ws:// or wss://). Each stdin line is sent as one text message, in order, ' +
        'even lines typed or piped before the connection opened. Each message received is written to stdout, ' +
        'one per line (binary ones in hex unless --raw). When stdin ends, it waits --wait for replies, then ' +
        'closes with 1000 and says how the close went. Events go to stderr.',
      url: 'ws://host:port/path or wss://host:port/path',
      message: 'send this message instead of reading stdin (repeatable)',
      binary: 'send binary messages instead of text',
      raw: 'write binary messages received as raw bytes, not hex',
      wait: 'after the input ends, wait this long for replies before closing',
      close: 'close code, and optional reason, of our close frame (1000 normal, 3000–4999 the application\'s)',
      header: "an extra request header 'Name: value' (repeatable)",
      subprotocol: 'a subprotocol to offer (repeatable)',
      origin: 'the Origin header to send (as a browser page from that site would)',
      pingInterval: 'ping the server this often and show each round trip (0 = never)',
      timeout: 'give up if the handshake has not completed within this time',
      insecure: 'wss://: accept a certificate that does not verify (self-signed)',
      frames: 'show each TCP read and the frame headers it carried',
      quiet: 'only errors, warnings and the close on stderr',
      json: 'one JSON object per event and per message on stdout (NDJSON)',
      examples: `
Examples:
  $ sockkit ws-client ws://127.0.0.1:8080/         type lines, see the echo; Ctrl-D ends
  $ printf 'a\\nb\\n' | sockkit ws-client ws://127.0.0.1:8080/
                                                   two messages, sent as soon as it opens
  $ sockkit ws-client ws://127.0.0.1:8080/ --message hola --close 4000:bye

Exit codes: 0 closed with 1000 (normal), 1 no WebSocket or closed with another code,
2 bad command line, 130 Ctrl-C.`,
    },
    connecting: (p: { url: string; timeoutMs: number }) => `connecting to ${p.url} (HTTP upgrade over TCP, timeout ${f.duration(p.timeoutMs)})`,
    upgraded: (p: { mark: Mark; local: string; remote: string; key: string; accept: string; protocol: string }) =>
      `${p.mark('101 Switching Protocols')} from ${p.remote} (local ${p.local}): sent Sec-WebSocket-Key ${p.key}, ` +
      `got Sec-WebSocket-Accept ${p.accept}${p.protocol ? `, protocol ${p.protocol}` : ''}: a WebSocket now`,
    typeLines: (p: { eofKey: string }) => `type lines to send them as messages; ${p.eofKey} finishes, Ctrl-C quits`,
    flushing: (p: { count: number }) => `sending ${messages(p.count)} typed or piped before the connection opened, in order`,
    sent: (p: { binary: boolean; index: number; bytes: number; preview: string }) =>
      `sent ${p.binary ? 'binary' : 'text'} message ${f.num(p.index)}, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p: { bytes: number }) => `ping from the server (${f.bytes(p.bytes)}), answered with a pong`,
    pong: (p: { rttMs?: number }) => p.rttMs === undefined ? 'pong (unasked)' : `pong: round trip ${f.duration(p.rttMs)}`,
    inputEnded: (p: { sent: number; waitMs: number }) =>
      `input finished: ${messages(p.sent)} sent; waiting ${f.duration(p.waitMs)} for replies, then closing`,
    closing: (p: { code: number; words: string; reason: string }) =>
      `sending our close frame: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}`,
    closedByUs: (p: { mark: Mark; code: number; words: string; summary: string }) =>
      `${p.mark('closed')}: the server answered our close with ${p.code} (${p.words}); ${p.summary}`,
    closedByServer: (p: { mark: Mark; code: number; words: string; reason: string; summary: string }) =>
      `${p.mark('closed by the server')} with code ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedAbnormally: (p: { mark: Mark; summary: string }) =>
      `${p.mark('connection lost')}: 1006, the TCP connection ended without a close frame; ${p.summary}`,
    interrupted: (p: { mark: Mark; summary: string }) => `${p.mark('interrupted')}: closed with 1001 (going away); ${p.summary}`,
    interruptedConnecting: (p: { mark: Mark }) => `${p.mark('interrupted')} before the WebSocket opened`,
    summary: totals,
    hintLabel: 'hint:',
    /** The hint after "not a WebSocket server", by what answered. */
    hintSocketIo: 'this looks like a Socket.IO server: Socket.IO speaks its own protocol on top of WebSocket, so a plain WebSocket client cannot talk to it — use a Socket.IO client',
    hintNotFound: 'nothing answers WebSockets at this path: check the path in the URL',
    hintPage: 'it is a web server that sent a page: check the port and the path',
    hintOther: 'check that the URL names a WebSocket endpoint',
    hintTls: 'the server\'s certificate did not verify; if it is a self-signed test certificate, --insecure accepts it',
    hintWss: 'the server may speak TLS: try wss://',
  }
}
