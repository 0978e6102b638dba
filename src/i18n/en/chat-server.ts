import type { Fmt } from '../fmt.js'

/** chat-server: the operator's side (help; its event lines move here next). Clients' lines are area `chat`. */
export const chatServer = (_f: Fmt) => ({
  help: {
    summary: 'line-based chat room that nc, telnet and classroom clients can join',
    description: 'A chat room over TCP, one line per message. Each client is asked for a name; then every ' +
      'line it sends goes to everyone else as "name: text", and a newcomer gets the recent history. Lines ' +
      'you type here go to everyone, from you as the operator.\n\n' +
      'The transcript goes to stdout; joins, leaves and refusals to stderr. Names and messages are cleaned ' +
      'of terminal escape sequences and control characters first.\n\n' +
      '--lang chooses the language of what clients are told (prompt, notices, /help); your own ' +
      'event lines stay in English, and the commands keep their names.',
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
})
