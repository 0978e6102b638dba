import type { Fmt } from '../fmt.js'

/** The CLI's own words: root help, usage errors, stop causes, typed-input hints. */
export const cli = (f: Fmt) => ({
  help: {
    description: 'Honest TCP and UDP socket tools: echo servers, clients, and a TCP-versus-UDP comparison.',
    version: 'print the version',
    noColor: 'no colour in the output (NO_COLOR is honoured too)',
    help: 'show help',
    helpCommand: 'show help for a command',
    lang: 'output language: en, es or pt (default: the locale)',
    /** Commander's headings, keyed by the English it passes to styleTitle(). */
    titles: { 'Usage:': 'Usage:', 'Arguments:': 'Arguments:', 'Options:': 'Options:', 'Commands:': 'Commands:', 'Global Options:': 'Global Options:' } as Record<string, string>,
    /** Commander's placeholders in the usage line (`Usage: sockkit [options] [command]`) and in `help [command]`. */
    usageWords: { '[options]': '[options]', '[command]': '[command]' } as Record<string, string>,
    /** `(default: 1000)` after an option's text; `value` is already formatted. */
    defaultValue: (p: { value: string }) => `default: ${p.value}`,
    choices: (p: { values: string }) => `choices: ${p.values}`,
    examples: `
Examples:
  $ sockkit compare                      TCP versus UDP here (its own reflector)
  $ sockkit tcp-server 9000              echo server; every event on stderr
  $ sockkit tcp-client 127.0.0.1 9000    type lines, see the echo
  $ sockkit udp-send 127.0.0.1 9000 hola --count 5 --seq

Exit codes: 0 done, 1 network or runtime failure, 2 bad command line,
130 Ctrl-C.`,
  },
  /** `help <name>` for a command that does not exist. */
  unknownCommand: (p: { name: string }) => `unknown command '${p.name}' — \`sockkit --help\` lists the commands`,
  /** Commander's own usage errors, reworded (src/cli/commander-words.ts). */
  commander: {
    missingArgument: (p: { name: string }) => `missing required argument '${p.name}'`,
    optionArgumentMissing: (p: { flag: string }) => `option '${p.flag}' needs a value`,
    requiredOption: (p: { flag: string }) => `required option '${p.flag}' not given`,
    unknownOption: (p: { flag: string }) => `unknown option '${p.flag}'`,
    unknownCommand: (p: { name: string }) => `unknown command '${p.name}'`,
    /** Two options that exclude each other (`.conflicts()`): `option`, `other` are their flags (`--interval`). */
    conflictingOptions: (p: { option: string; other: string }) => `${p.option} cannot be used with ${p.other}: give one of them`,
    tooManyArguments: (p: { command: string; expected: number; got: number }) =>
      `too many arguments for '${p.command}': it takes ${f.num(p.expected)}, got ${f.num(p.got)}`,
    /** `candidates`: the similar names commander found, one or more. */
    didYouMean: (p: { candidates: string[] }) =>
      `(Did you mean ${p.candidates.length > 1 ? 'one of ' : ''}${p.candidates.join(', ')}?)`,
  },
  /** An option given twice with different values; `oneAddress`: it was --host of a server. */
  repeatedOption: (p: { flag: string; first: string; then: string; oneAddress: boolean }) =>
    `${p.flag} was given twice ("${p.first}", then "${p.then}"); give it once` +
    (p.oneAddress ? ' — a server listens on one address (0.0.0.0 or :: is every address)' : ''),
  /** After commander's "missing required argument 'port'" when the host was written host:port. */
  hostPortHint: (p: { command: string; host: string; port: string }) =>
    ` — give the host and the port as two arguments: \`sockkit ${p.command} ${p.host} ${p.port}\``,
  /** `tcp-server --port 9000`: the port is a positional argument on this command. */
  portIsArgument: (p: { flag: string; command: string; example: string }) =>
    `${p.command} takes no ${p.flag} option: the port is an argument — \`sockkit ${p.example}\``,
  /** `compare 127.0.0.1:9000`: this command takes its port as --port. */
  hostPortOption: (p: { value: string; command: string; example: string }) =>
    `"${p.value}" includes a port: ${p.command} takes the port as --port — \`sockkit ${p.example}\``,
  /** What stopped a run, as the stop lines name it. */
  stopCause: { SIGTERM: 'SIGTERM (kill or timeout)', SIGHUP: 'SIGHUP (the terminal closed)', SIGBREAK: 'Ctrl-Break', SIGINT: 'Ctrl-C' },
  /** The key that ends typed input. */
  eofKey: { posix: 'Ctrl-D', windows: 'Ctrl-Z then Enter' },
  /** The escapes a typed message may hold, for help texts and the warning below. */
  escapes: '\\n \\r \\t \\0 \\\\ \\xHH (one byte) \\uHHHH \\u{H…} (a character, as UTF-8)',
  /** `sequences`: the backslash sequences that are not escapes, each once; `count`: how many times they occur. */
  notEscapes: (p: { option: string; sequences: string[]; count: number; escapes: string }) =>
    `${p.option}: ${p.sequences.join(' ')} ${p.count === 1 ? 'is not an escape' : 'are not escapes'}; sent as typed (escapes: ${p.escapes})`,
})
