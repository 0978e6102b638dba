import type { Fmt, Mark } from '../fmt.js'


/** tcp-server: its events, warnings, Ctrl-C summary, refusal line and help. */
export const tcpServer = (f: Fmt) => {
  const connections = (n: number) => f.plural(n, { one: '# connection', other: '# connections' })
  return {
    listening: (p: { bound: string; reach: string; em: Mark }) =>
      `${p.em('listening')} on ${p.bound} (TCP)` + (p.reach !== p.bound ? ` — clients can use ${p.reach}` : ''),
    tryClient: (p: { host: string; port: number }) => `try: sockkit tcp-client ${p.host} ${p.port}`,
    greeting: (p: { preview: string }) => `greeting each client with "${p.preview}"`,
    /** Once per run: the first client that sends nothing for a few seconds after connecting, when no greeting is set. */
    silentHint: (p: { tag: string; silentMs: number; em: Mark }) =>
      `${p.tag} ${p.em('hint')}: this client has sent nothing for ${f.duration(p.silentMs)}; ` +
      `it may be waiting for the server to speak first — give it a greeting with --greeting 'text\\n'`,
    /** Once per run, as silentHint, when the greeting has no final newline. */
    silentNoNewline: (p: { tag: string; silentMs: number; em: Mark }) =>
      `${p.tag} ${p.em('hint')}: this client has sent nothing for ${f.duration(p.silentMs)}; ` +
      `it may still be waiting for the end of the greeting's line (it has no final \\n)`,
    /** At start, when --greeting does not end with a newline. */
    greetingNoNewline: (p: { em: Mark }) =>
      p.em('warning: the greeting does not end with a newline (\\n): ') +
      'clients that read a line (Java readLine(), Python readline()) will wait for one and never see it',
    filter: (p: { filter: string }) => `${p.filter}; filtered peers are closed at once`,
    warning: (p: { text: string; em: Mark }) => p.em(`warning: ${p.text}`),
    /** A peer that reset before its address could be read. */
    goneClient: 'a client that had already left',
    acceptedGone: (p: { tag: string; active: number; em: Mark }) =>
      `${p.tag} ${p.em('accepted')} a connection whose client had already left (${f.num(p.active)} open)`,
    accepted: (p: { tag: string; from: string; to: string; active: number; em: Mark }) =>
      `${p.tag} ${p.em('accepted')} ${p.from} → ${p.to} (${f.num(p.active)} open)`,
    refusedFull: (p: { from: string; active: number; limit: number; em: Mark }) =>
      `${p.em('refused')} ${p.from}: ${connections(p.active)} open, limit ${f.num(p.limit)} (told the client and closed)`,
    queued: (p: { from: string; waiting: number; limit: number; em: Mark }) =>
      `${p.em('waiting')} ${p.from}: all ${f.num(p.limit)} slots busy; ` +
      `${f.plural(p.waiting, { one: '# client', other: '# clients' })} in the queue, served as slots free`,
    refusedClosing: (p: { from: string; em: Mark }) => `${p.em('refused')} ${p.from}: shutting down (told the client and closed)`,
    read: (p: { tag: string; bytes: number; preview: string }) =>
      `${p.tag} read ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    readsHidden: (p: { tag: string; reads: number; bytes: number; limit: number }) =>
      `${p.tag} … ${f.plural(p.reads, { one: '# more read', other: '# more reads' })} (${f.bytes(p.bytes)}) not shown: ` +
      `at most ${f.num(p.limit)} read lines a second per connection (--json shows every read)`,
    denied: (p: { from: string; because: string; em: Mark }) => `${p.em('denied')} ${p.from} (${p.because}); closed at once`,
    halfCloseAnswer: (p: { tag: string; bytesIn: number }) =>
      `${p.tag} the client closed its side too (${f.bytes(p.bytesIn)} in), answering ours`,
    halfClose: (p: { tag: string; bytesIn: number; em: Mark }) =>
      `${p.tag} ${p.em('half-close received')}: the client finished sending (${f.bytes(p.bytesIn)} in); finishing the echo, then closing`,
    notReading: (p: { tag: string; forMs: number; bufferedBytes: number; em: Mark }) =>
      `${p.tag} ${p.em('client is not reading')} its echoes (for ${f.duration(p.forMs)}, ` +
      `${f.bytes(p.bufferedBytes)} queued for it): stopped reading from it until it catches up`,
    caughtUp: (p: { tag: string }) => `${p.tag} client caught up; reading again`,
    idle: (p: { tag: string; idleMs: number; em: Mark }) => `${p.tag} ${p.em('idle')} for ${f.duration(p.idleMs)}; closing`,
    closedReset: (p: { tag: string; code: string; durationMs: number; bytesIn: number; bytesOut: number; em: Mark }) =>
      `${p.tag} ${p.em('reset by peer')} (${p.code}) after ${f.duration(p.durationMs)}: ${f.bytes(p.bytesIn)} in, ${f.bytes(p.bytesOut)} out`,
    closedError: (p: { tag: string; code?: string; message?: string; durationMs: number; bytesIn: number; bytesOut: number; em: Mark }) =>
      `${p.tag} ${p.em('closed by error')} ${p.code}: ${p.message}; after ${f.duration(p.durationMs)}: ${f.bytes(p.bytesIn)} in, ${f.bytes(p.bytesOut)} out`,
    /** Why an ordinary close happened, after the byte counts ("" when there is nothing to say); keyed by CloseReason. */
    closedBecause: { 'normal': '', 'reset': '', 'error': '', 'idle-timeout': ' (idle timeout)', 'server-stopped': ' (server stopping)' },
    closed: (p: { tag: string; durationMs: number; bytesIn: number; bytesOut: number; because: string; em: Mark }) =>
      `${p.tag} ${p.em('closed')} after ${f.duration(p.durationMs)}: ${f.bytes(p.bytesIn)} in, ${f.bytes(p.bytesOut)} out${p.because}`,
    serverError: (p: { code: string; message: string; em: Mark }) => `${p.em('server error')} ${p.code}: ${p.message} (still listening)`,
    stopped: (p: { durationMs: number; accepted: number; peak: number; bytesIn: number; bytesOut: number; refused: number; denied: number; resets: number; idleTimeouts: number }) =>
      `stopped after ${f.duration(p.durationMs)}: ${connections(p.accepted)} (peak ${f.num(p.peak)} at once), ` +
      `${f.bytes(p.bytesIn)} in, ${f.bytes(p.bytesOut)} out` +
      (p.refused ? `, ${f.num(p.refused)} refused` : '') + (p.denied ? `, ${f.num(p.denied)} denied` : '') +
      (p.resets ? `, ${f.num(p.resets)} reset` : '') + (p.idleTimeouts ? `, ${f.num(p.idleTimeouts)} idle-closed` : ''),
    /** The line a refused client receives before the server closes (CRLF added by the server). */
    refusalFull: (p: { limit: number }) =>
      `server busy: ${f.plural(p.limit, { one: '# client', other: '# clients' })} connected, try again later`,
    refusalClosing: 'server shutting down, try again later',
    /** Said at start when the open-files limit is below --max-connections. */
    fdWarning: (p: { maxConnections: number; limit: number; usable: number; needed: number; em: Mark }) =>
      `${p.em('sockkit:')} warning: --max-connections ${p.maxConnections} is more than this process can hold: its open-files limit is ${p.limit} (ulimit -n), ` +
      `so past about ${p.usable} connections new clients are closed at once, with no refusal line and nothing logged here; ` +
      `raise it (ulimit -n ${p.needed}) or lower --max-connections`,
    help: {
      summary: 'TCP echo server that narrates every connection event',
      description: 'A TCP echo server. Echoes every byte back as it arrives, to any number of clients at once, ' +
        'and prints one line per event on stderr: listening, accepted, each read, half-close, closed, reset. ' +
        'A client that does not read its echoes is paused, not buffered for.',
      arguments: { port: 'port to listen on (0 = any free port)' },
      options: {
        host: 'address to bind; 0.0.0.0 or :: to accept from other machines',
        greeting: (p: { escapes: string }) => `send this to each client on accept (escapes: ${p.escapes})`,
        maxConnections: 'clients served at once; more are refused politely (or wait, with --queue)',
        queue: (p: { limit: number }) => `let clients beyond --max-connections wait their turn instead of being refused; at most n wait (default ${p.limit})`,
        idleTimeout: 'close a connection idle this long (0 = never)',
        noEcho: 'receive and report only; send nothing back',
        quiet: 'no per-read events (connections are still reported); also with --json',
        json: 'NDJSON events on stdout instead of text on stderr',
      },
      examples: `
Examples:
  $ sockkit tcp-server                   echo on 127.0.0.1:9000
  $ sockkit tcp-server 5000 --greeting 'Bienvenido al servidor!\\n'
  $ sockkit tcp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24
  $ sockkit tcp-server 0 --json --quiet > events.ndjson
                                         any free port; events as NDJSON

Event lines (stderr): "listening", "[#3] accepted A → B",
"[#3] read N bytes: preview", "[#3] half-close received",
"[#3] closed after T: N bytes in, N bytes out", "[#3] reset by peer",
"refused A: …", "denied A (not in --allow)", "[#3] client is not reading",
"[#3] idle for T; closing". At most 20 read lines a second per connection;
the rest are summed in one "… K more reads" line.
With --json each event is one object on stdout: {"time","event","id",…};
the last is "summary". Ctrl-C stops accepting, closes every connection,
prints a summary and exits 130.`,
    },
  }
}
