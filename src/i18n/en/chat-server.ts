import type { Fmt, Mark } from '../fmt.js'


/** chat-server: the operator's side (events, notes, summary, help). What clients read is area `chat`. */
export const chatServer = (f: Fmt) => {
  const people = (n: number) => f.plural(n, { one: '# person', other: '# people' })
  const messages = (n: number) => f.plural(n, { one: '# message', other: '# messages' })
  return {
    listening: (p: { where: string; em: Mark }) => `${p.em('chat listening')} on ${p.where} (TCP, one line per message)`,
    joinWith: (p: { host: string; port: number }) => `join with: nc ${p.host} ${p.port}   (or telnet ${p.host} ${p.port}, or sockkit tcp-client ${p.host} ${p.port})`,
    youAre: (p: { name: string }) => `you are "${p.name}": type a line to talk to everyone; /who, /kick <name or #id>, /help`,
    /** Keyed by the chat's language code. */
    languageNames: { en: 'English', es: 'Spanish', pt: 'Portuguese' },
    clientLanguage: (p: { language: string; code: string }) => `clients are told things in ${p.language} (--lang ${p.code}), and so are you`,
    filter: (p: { filter: string }) => `${p.filter}; filtered peers are closed at once`,
    warning: (p: { text: string; em: Mark }) => p.em(`warning: ${p.text}`),
    goneClient: 'a client that had already left',
    connected: (p: { tag: string; from: string; active: number }) => `${p.tag} connected from ${p.from}; asked for a name (${f.num(p.active)} connected)`,
    refused: (p: { from: string; limit: number; em: Mark }) => `${p.em('refused')} ${p.from}: the chat is full (${people(p.limit)}); told them politely`,
    denied: (p: { from: string; because: string; em: Mark }) => `${p.em('denied')} ${p.from} (${p.because}); closed at once`,
    nameRejected: (p: { tag: string; attempt: string; problem: string }) => `${p.tag} name "${p.attempt}" not accepted (${p.problem}); asked again`,
    /** `requested` differs from `name` when the name asked for was taken. */
    joined: (p: { tag: string; name: string; requested: string; present: number; historySent: number; em: Mark }) =>
      `${p.tag} ${p.em(`* ${p.name} joined`)}` + (p.name !== p.requested ? ` (asked for ${p.requested}, which was taken)` : '') +
      ` — ${people(p.present)} here, ${f.plural(p.historySent, { one: '# history message', other: '# history messages' })} sent`,
    nick: (p: { tag: string; from: string; to: string }) => `${p.tag} * ${p.from} is now ${p.to}`,
    /** Who sent a cut, unterminated or flooding line before naming themselves. */
    aClient: 'a client',
    lineCut: (p: { tag: string; who: string; limitBytes: number; em: Mark }) =>
      `${p.tag} ${p.em('line cut')}: ${p.who} sent more than ${f.num(p.limitBytes)} bytes in one line; told them`,
    noNewline: (p: { tag: string; who: string; waitedMs: number; em: Mark }) =>
      `${p.tag} ${p.em('no newline')}: ${p.who} sent a line without "\\n"; taken after ${f.num(p.waitedMs)} ms`,
    flood: (p: { tag: string; who: string; linesPerSecond: number; em: Mark }) =>
      `${p.tag} ${p.em('flood')}: ${p.who} is sending more than ${f.num(p.linesPerSecond)} lines/s; holding their lines back`,
    /** Why someone left, in words (not the library's identifiers); keyed by ChatLeaveReason. */
    leaveReasons: {
      'quit': 'said /quit',
      'closed': 'closed the connection',
      'reset': 'connection reset',
      'error': 'connection error',
      'idle-timeout': 'idle too long',
      'name-timeout': 'gave no name in time',
      'flood': 'sent too fast for too long',
      'slow-reader': 'was not reading',
      'kicked': 'removed by the operator',
      'server-stopped': 'the chat was closed',
    },
    /** `why` is a leave reason, or '' for an ordinary leave. */
    left: (p: { name: string; why: string; durationMs: number; messages: number }) =>
      `* ${p.name} left${p.why ? ` (${p.why})` : ''} after ${f.duration(p.durationMs)}, ${messages(p.messages)}`,
    disconnected: (p: { tag: string; from: string; why: string }) => `${p.tag} ${p.from} left before giving a name (${p.why})`,
    serverError: (p: { code: string; message: string; em: Mark }) => `${p.em('server error')} ${p.code}: ${p.message} (still listening)`,
    participant: (p: { name: string; messages: number }) => `${p.name} (${messages(p.messages)})`,
    closed: (p: { durationMs: number; participants: readonly string[]; messages: number; operatorMessages: number; operator: string; refused: number; denied: number; dropped: number }) =>
      `chat closed after ${f.duration(p.durationMs)}: ` +
      (p.participants.length ? `${people(p.participants.length)} took part: ${p.participants.join(', ')}` : 'nobody joined') +
      `; ${messages(p.messages)} in all, ${f.num(p.operatorMessages)} from ${p.operator}` +
      (p.refused ? `; ${f.num(p.refused)} refused (full)` : '') + (p.denied ? `; ${f.num(p.denied)} denied` : '') +
      (p.dropped ? `; ${f.num(p.dropped)} disconnected for flooding or not reading` : ''),
    /** Answers to the operator's own typing. */
    operatorLineCut: (p: { max: number; kept: number }) => `your line was longer than ${f.num(p.max)} bytes; only the first ${f.num(p.kept)} were sent`,
    stdinClosed: 'stdin closed: you can no longer type, but the chat goes on — Ctrl-C to stop it',
    meUsage: 'usage: /me <action>, e.g. /me waves',
    unknownCommand: (p: { command: string }) =>
      `unknown command ${p.command}: /who, /kick <name or #id>, /me <action>; start with // to say a line beginning with "/"`,
    /** `operator` is the operator's own name; `present` the others as `name #id`. */
    hereNow: (p: { operator: string; present: readonly string[] }) => `here now: ${[`${p.operator} (you)`, ...p.present].join(', ')}`,
    nobodyWithId: (p: { target: string }) => `nobody with connection id "${p.target}" is here (/who lists them; #id is the [#N] in the event lines)`,
    nobodyCalled: (p: { target: string }) => `nobody called "${p.target}" is here (/who lists them; #id is the [#N] in the event lines)`,
    operatorHelp: 'type a line to say it to everyone; /me <action>; /who lists people; /kick <name> or /kick #id removes one; Ctrl-C ends the chat',
    help: {
      summary: 'line-based chat room that nc, telnet and classroom clients can join',
      description: 'A chat room over TCP, one line per message. Each client is asked for a name; then every ' +
        'line it sends goes to everyone else as "name: text", and a newcomer gets the recent history. Lines ' +
        'you type here go to everyone, from you as the operator.\n\n' +
        'The transcript goes to stdout; joins, leaves and refusals to stderr. Names and messages are cleaned ' +
        'of terminal escape sequences and control characters first.\n\n' +
        '--lang chooses the language of this run: what clients are told (prompt, notices, /help) ' +
        'and your own event lines; the commands keep their names.',
      arguments: { port: 'port to listen on (0 = any free port)' },
      options: {
        host: 'address to bind; 0.0.0.0 or :: lets others join',
        name: 'your name in the chat',
        history: 'messages a newcomer receives (0 = none)',
        maxLine: 'cut longer lines and tell the sender',
        maxConnections: 'clients at once; more refused politely',
        idleTimeout: 'disconnect a client silent this long (0 = never)',
        floodRate: 'lines/s a client may keep up',
        floodBurst: 'lines a client may send at once',
        floodTimeout: 'cut off a flooder held back this long',
        maxOutput: 'unread bytes before a cut-off',
        colorClients: 'ANSI colour to clients (many show garbage)',
        timestamps: 'prefix every line with [HH:MM]',
        lang: 'language of what clients are told; es-AR, pt-BR… accepted',
        json: 'NDJSON events on stdout instead of the transcript',
      },
      examples: `
Examples:
  $ sockkit chat-server
      chat on 127.0.0.1:9000; join with: nc 127.0.0.1 9000
  $ sockkit chat-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --lang es
      a classroom chat in Spanish, open to that network only
  $ sockkit chat-server 0 --json > chat.ndjson
      any free port; every event as NDJSON, for grading

Clients type a name, then lines; they have /who, /nick <name>, /me <action>,
/quit and /help. You type lines to talk to everyone; /who lists people,
/kick <name> (or #id) removes one, /me <action>. stdout: the transcript
("ana: hola", "~ ana waves"); stderr: "[#3] connected", "* ana joined",
"* ana left", refusals, cut lines, floods. Ctrl-C says goodbye to everyone,
prints who took part and how many messages, and exits 130.`,
    },
  }
}
