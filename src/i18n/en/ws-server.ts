import type { Fmt, Mark } from '../fmt.js'

/** ws-server: help, event lines, close codes in words (ws-client uses them too), the browser page. */
export const wsServer = (f: Fmt) => {
  const messages = (n: number) => f.plural(n, { one: '# message', other: '# messages' })
  return {
    help: {
      summary: 'WebSocket echo server that narrates the handshake, each message and the close',
      description: 'A WebSocket server (RFC 6455) on top of TCP. Echoes every message (text or binary, as received), ' +
        'or with --broadcast sends it to every other client. Prints on stderr the HTTP upgrade request and the ' +
        '101 answer (Sec-WebSocket-Key → Sec-WebSocket-Accept), each message (type, size, preview), pings, ' +
        'pongs and each close with its code in words. A browser visiting http://host:port/ gets a small page ' +
        'that connects back to it.',
      port: 'port to listen on (0: the system picks one)',
      host: 'address to bind (127.0.0.1: this machine only; 0.0.0.0: every interface)',
      broadcast: 'send each message to every other client instead of echoing it (a chat without names)',
      noEcho: 'do not echo: only narrate what arrives',
      maxMessage: 'largest message accepted, bytes; a larger one closes the connection with 1009 (message too big)',
      maxConnections: 'connections served at once; the next one gets HTTP 503',
      idleTimeout: 'close a WebSocket with 1001 after this long without a message (0 = never)',
      pingInterval: 'ping every client this often and drop one that did not answer the previous ping (0 = never)',
      subprotocol: 'a subprotocol this server speaks (repeatable, preferred first)',
      frames: 'show each TCP read and the frame headers it carried (FIN, opcode, mask, length)',
      quiet: 'no line per message, ping or pong',
      json: 'one JSON object per event on stdout (NDJSON)',
      examples: `
Examples:
  $ sockkit ws-server                      echo on ws://127.0.0.1:8080/
  $ sockkit ws-client ws://127.0.0.1:8080/  in another terminal: type lines, see them back
  $ sockkit ws-server 8080 --broadcast --host 0.0.0.0
                                         a class chat: open http://<this machine>:8080/
  $ sockkit ws-server --frames             see how frames ride on TCP reads

Exit codes: 130 after Ctrl-C (the normal way to stop), 1 if it cannot listen, 2 bad command line.`,
    },
    listening: (p: { bound: string; reach: string; em: Mark }) =>
      `${p.em('listening')} on ws://${p.bound}/ (WebSocket over TCP)` + (p.reach !== p.bound ? ` — clients can use ${p.reach}` : ''),
    tryClient: (p: { url: string }) => `try: sockkit ws-client ${p.url}   or open http${p.url.slice(2)} in a browser`,
    modeBroadcast: 'each message goes to every other client (--broadcast)',
    modeNoEcho: 'not echoing (--no-echo): messages are only shown',
    filter: (p: { filter: string }) => `${p.filter}; filtered peers are closed at once`,
    connected: (p: { tag: string; from: string; to: string; active: number; em: Mark }) =>
      `${p.tag} ${p.em('TCP connection')} ${p.from} → ${p.to} (${f.num(p.active)} open); waiting for the HTTP upgrade request`,
    refused: (p: { from: string; active: number; limit: number; em: Mark }) =>
      `${p.em('refused')} ${p.from}: ${f.num(p.active)} open, limit ${f.num(p.limit)} (answered HTTP 503)`,
    refusedClosing: (p: { from: string; em: Mark }) => `${p.em('refused')} ${p.from}: shutting down (answered HTTP 503)`,
    denied: (p: { from: string; because: string; em: Mark }) => `${p.em('denied')} ${p.from} (${p.because}); closed at once`,
    /** `protocols`: comma list, '' for none; `origin`: '' when absent. */
    upgradeRequest: (p: { tag: string; method: string; path: string; key: string; protocols: string; origin: string }) =>
      `${p.tag} upgrade request: ${p.method} ${p.path}, Sec-WebSocket-Key ${p.key || '(none)'}` +
      (p.protocols ? `, protocols ${p.protocols}` : '') + (p.origin ? `, Origin ${p.origin}` : ''),
    upgraded: (p: { tag: string; accept: string; protocol: string; websockets: number; em: Mark }) =>
      `${p.tag} ${p.em('101 Switching Protocols')}, Sec-WebSocket-Accept ${p.accept} = base64(SHA-1(key + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))` +
      `${p.protocol ? `, protocol ${p.protocol}` : ''}: now a WebSocket (${f.num(p.websockets)} open)`,
    /** Why a handshake was refused, by HandshakeProblem. */
    problem: {
      'not-http': 'what arrived is not an HTTP request',
      method: 'the method is not GET',
      'upgrade-header': 'no "Upgrade: websocket" header',
      key: 'Sec-WebSocket-Key is missing or is not 16 bytes in base64',
      version: 'Sec-WebSocket-Version is not 13',
    },
    rejected: (p: { tag: string; status: number; problem: string; em: Mark }) =>
      `${p.tag} ${p.em('handshake refused')}: ${p.problem}; answered HTTP ${p.status} and closed`,
    httpRequest: (p: { tag: string; method: string; path: string; status: number }) =>
      p.status === 200
        ? `${p.tag} ${p.method} ${p.path}: a browser visit, sent the page (HTTP 200)`
        : `${p.tag} ${p.method} ${p.path}: a plain HTTP request, not an upgrade (HTTP ${p.status})`,
    message: (p: { tag: string; binary: boolean; bytes: number; preview: string }) =>
      `${p.tag} ${p.binary ? 'binary' : 'text'} message, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p: { tag: string; bytes: number }) => `${p.tag} ping from the client (${f.bytes(p.bytes)}), answered with a pong`,
    pong: (p: { tag: string; rttMs?: number }) =>
      p.rttMs === undefined ? `${p.tag} pong (unasked)` : `${p.tag} pong: round trip ${f.duration(p.rttMs)}`,
    /** --frames: one TCP read. `frames`: the list of headers, already worded. */
    tcpRead: (p: { tag: string; bytes: number; continued: boolean; frames: string; endsInside: boolean }) =>
      `${p.tag} TCP read of ${f.bytes(p.bytes)}:` + (p.continued ? ' continues a frame;' : '') +
      (p.frames ? ` ${p.frames}` : ' no new frame header') + (p.endsInside ? '; ends inside a frame (the rest comes in a later read)' : ''),
    frameHeader: (p: { fin: boolean; opcode: string; masked: boolean; length: number }) =>
      `[${p.fin ? 'FIN' : 'no FIN'} ${p.opcode}${p.masked ? ' masked' : ''} ${f.bytes(p.length)}]`,
    backpressure: (p: { tag: string; bufferedBytes: number; em: Mark }) =>
      `${p.tag} ${p.em('client is not reading')} its echoes (${f.bytes(p.bufferedBytes)} queued): stopped reading from it until they go out`,
    resumed: (p: { tag: string }) => `${p.tag} echoes went out; reading again`,
    /** The server closes a WebSocket, by ServerCloseCause. */
    closing: {
      'too-big': (p: { tag: string; code: number; limit: number; em: Mark }) =>
        `${p.tag} ${p.em('message too big')}: over the ${f.bytes(p.limit)} limit (--max-message); closing with ${p.code}`,
      'protocol-error': (p: { tag: string; code: number; em: Mark }) =>
        `${p.tag} ${p.em('protocol error')}: the client broke the framing rules; closing with ${p.code}`,
      'idle-timeout': (p: { tag: string; code: number; limit: number; em: Mark }) =>
        `${p.tag} ${p.em('idle')} for ${f.duration(p.limit)}; closing with ${p.code} (going away)`,
      'ping-timeout': (p: { tag: string; limit: number; em: Mark }) =>
        `${p.tag} ${p.em('no pong')} to a ping sent ${f.duration(p.limit)} ago: the client is gone or stuck; dropping the connection`,
      'slow-reader': (p: { tag: string; bufferedBytes: number; em: Mark }) =>
        `${p.tag} ${p.em('not reading')}: ${f.bytes(p.bufferedBytes)} of broadcasts wait for it; dropping it so it cannot fill the server's memory`,
      'server-stopped': (p: { tag: string; code: number }) => `${p.tag} closing with ${p.code} (going away): the server is stopping`,
    },
    /** Close codes in words, by CloseCodeKind. */
    closeCode: {
      normal: 'normal closure',
      goingAway: 'going away',
      protocolError: 'protocol error',
      unsupportedData: 'unsupported data',
      noStatus: 'no code in the close frame',
      abnormal: 'abnormal: the connection ended without a close frame',
      invalidData: 'invalid data (e.g. text that is not UTF-8)',
      policy: 'policy violation',
      tooBig: 'message too big',
      extension: 'a required extension is missing',
      internal: 'internal server error',
      restart: 'service restart',
      tryAgain: 'try again later',
      badGateway: 'bad gateway',
      tls: 'TLS handshake failure',
      registered: 'a code registered for a library or framework',
      private: 'a code of the application',
      unknown: 'not a valid close code',
    },
    /** `words`: the code in words; `reason`: '' when none. */
    closedByClient: (p: { tag: string; code: number; words: string; reason: string; summary: string; em: Mark }) =>
      `${p.tag} ${p.em('closed by the client')}: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedByServer: (p: { tag: string; sentCode: number; sentWords: string; code: number; words: string; summary: string; em: Mark }) =>
      `${p.tag} ${p.em('closed')}: we sent ${p.sentCode} (${p.sentWords}), the client answered ${p.code} (${p.words}); ${p.summary}`,
    closedNoAnswer: (p: { tag: string; sentCode: number; sentWords: string; summary: string; em: Mark }) =>
      `${p.tag} ${p.em('closed')}: we sent ${p.sentCode} (${p.sentWords}) and stopped reading: the client's close frame, if one came, was not taken (1006); ${p.summary}`,
    closedAbnormally: (p: { tag: string; summary: string; em: Mark }) =>
      `${p.tag} ${p.em('closed without a close frame')}: 1006 (abnormal, the TCP connection just ended); ${p.summary}`,
    connSummary: (p: { durationMs: number; messagesIn: number; messagesOut: number; bytesIn: number; bytesOut: number }) =>
      `after ${f.duration(p.durationMs)}: ${messages(p.messagesIn)} in (${f.bytes(p.bytesIn)}), ${messages(p.messagesOut)} out (${f.bytes(p.bytesOut)})`,
    disconnected: (p: { tag: string; durationMs: number }) => `${p.tag} TCP connection closed after ${f.duration(p.durationMs)} (never a WebSocket)`,
    serverError: (p: { code: string; message: string; em: Mark }) => `${p.em('server error')} ${p.code}: ${p.message} (still listening)`,
    stopped: (p: { durationMs: number; websockets: number; connections: number; peak: number; messagesIn: number; messagesOut: number; rejected: number; refused: number; denied: number }) =>
      `stopped after ${f.duration(p.durationMs)}: ${f.plural(p.websockets, { one: '# WebSocket', other: '# WebSockets' })} ` +
      `(${f.plural(p.connections, { one: '# TCP connection', other: '# TCP connections' })}, peak ${f.num(p.peak)} at once), ` +
      `${messages(p.messagesIn)} in, ${messages(p.messagesOut)} out` +
      (p.rejected ? `, ${f.plural(p.rejected, { one: '# handshake refused', other: '# handshakes refused' })}` : '') + (p.refused ? `, ${f.num(p.refused)} refused` : '') +
      (p.denied ? `, ${f.num(p.denied)} denied` : ''),
    /** The browser page (GET /). */
    page: {
      title: 'sockkit ws-server',
      intro: 'This page opened a WebSocket back to the server it came from. Type a message and press Enter: the server echoes it (or, with --broadcast, sends it to everyone else).',
      send: 'Send',
      connecting: 'connecting…',
      open: 'connected',
      closed: 'closed, code',
      sent: 'sent',
      received: 'received',
    },
  }
}
