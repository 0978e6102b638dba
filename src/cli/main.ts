import { Command, CommanderError } from 'commander'
import { reportError } from './action.js'
import { EXIT_OK, EXIT_USAGE } from './exit-codes.js'
import { styleFor, type CliContext, type CliIo } from './io.js'
import { commandFactories } from './commands/index.js'
import { VERSION } from './version.js'
import { catalog, type Catalog } from '../i18n/index.js'
import { pickLang } from '../i18n/locale.js'
import { parseChatLanguage } from '../chat/chat-messages.js'
import { argParser, localizeParsers } from './action.js'
import { commanderSentence, helpWords } from './commander-words.js'

/**
 * Run the sockkit CLI with `argv` (without node and script) and return the exit code.
 * Never calls process.exit; the bin does that with the returned code.
 */
export const main = async (argv: string[], io: CliIo): Promise<number> => {
  // Host arguments and --host values go through parseHost(), which accepts [::1] as
  // sockkit prints it and drops spaces pasted around it.
  // The language is known before any command is built: their help comes from the catalogue.
  const { t, f } = catalog(pickLang(argv, io.env))
  const ctx: CliContext = { io, exitCode: EXIT_OK, colorFlag: !argv.includes('--no-color'), t, f }
  const err = styleFor(ctx, io.stderr)
  const program = new Command('sockkit')
  const help = t.cli.help
  program
    .description(help.description)
    .version(VERSION, '-V, --version', help.version)
    .option('--no-color', help.noColor)
    // One meaning everywhere: the language of everything this run says (chat-server's clients
    // included). Parsed again here so a bad value is commander's usage error, worded as always.
    .option('--lang <en|es|pt>', help.lang, argParser(parseChatLanguage))
    .helpOption('-h, --help', help.help)
    .helpCommand('help [command]', help.helpCommand)
    .showSuggestionAfterError(true)
    // Commander's words in the run's language; commands listed as `name <args>` (helpWords).
    .configureHelp({ ...helpWords(t, f), showGlobalOptions: true })
    .exitOverride()
    .configureOutput({
      writeOut: s => io.stdout.write(s),
      writeErr: s => io.stderr.write(s),
      // At most 80 columns even on a wide terminal: the examples under each command's
      // options are written for 80, and a projector shows 80 best.
      getOutHelpWidth: () => Math.min((io.stdout as { columns?: number }).columns ?? 80, 80),
      getErrHelpWidth: () => Math.min((io.stderr as { columns?: number }).columns ?? 80, 80),
      // Commander's own usage errors: one line, our prefix, a pointer to --help.
      outputError: (s, write) => write(`${err.red('sockkit:')} ${portSentence(s, argv, program, t) ?? usageSentence(s, t) + hostPortHint(s, argv, t)}
`),
    })
    .addHelpText('after', help.examples)

  for (const factory of commandFactories) {
    const cmd = factory(ctx)
    cmd.copyInheritedSettings(program)
    refuseRepeats(cmd, t)
    program.addCommand(cmd)
  }
  // A bad value is worded in the run's language (argParser alone would give Error.message).
  localizeParsers(program, t)

  // commander answers `help <unknown>` with the root help and exit 0; a typo deserves
  // the same usage error as `sockkit <unknown>`.
  const helpTarget = argv[0] === 'help' ? argv[1] : undefined
  if (helpTarget !== undefined && !helpTarget.startsWith('-') && !program.commands.some(c => c.name() === helpTarget)) {
    io.stderr.write(`${err.red('sockkit:')} ${t.cli.unknownCommand({ name: helpTarget })}\n`)
    return EXIT_USAGE
  }

  try {
    await program.parseAsync(argv, { from: 'user' })
  } catch (e) {
    if (e instanceof CommanderError) {
      // help and --version "fail" with exit code 0; a bare `sockkit` (no command) shows
      // the help on stderr with a non-zero code — a missing command is a usage error.
      if (e.exitCode === 0) return EXIT_OK
      return EXIT_USAGE
    }
    return reportError(ctx, e)
  }
  return ctx.exitCode
}

/**
 * Commander keeps the last of `--host a --host b` and drops the first without a word; a
 * server then listens somewhere the user did not expect. An option given twice with
 * different values is a usage error naming both, unless it collects its values
 * (--message, --allow, --deny). The same value twice is harmless and accepted.
 */
const refuseRepeats = (cmd: Command, t: Catalog): void => {
  for (const option of cmd.options) {
    // A parser that takes the previous value collects every occurrence (--message, --allow,
    // --deny): that is what repeatable means, whatever the help says in any language.
    if (option.variadic || (option.parseArg?.length ?? 0) >= 2) continue
    const flag = option.long ?? option.short ?? option.name()
    let first: string | undefined
    let seen = false
    cmd.on(`option:${option.name()}`, (value: unknown) => {
      const text = value === undefined ? '' : String(value)
      if (seen && text !== first) {
        const message = t.cli.repeatedOption({ flag, first: first ?? '', then: text, oneAddress: flag === '--host' })
        cmd.error(message, { exitCode: EXIT_USAGE, code: 'sockkit.repeatedOption' })
      }
      seen = true
      first = text
    })
  }
}

/**
 * Commander's messages for a value our parser rejected repeat the value twice
 * ("option '--count <n>' argument 'x' is invalid. count must be…"); keep the option
 * name and our sentence, which already names the bad value.
 */
const usageSentence = (message: string, t: Catalog): string => {
  // One line: commander puts "(Did you mean …?)" on a line of its own.
  const text = message.replace(/^error: /, '').trim().replace(/\s*\n\s*/g, ' ')
  const option = /^option '([^' ]+)[^']*' argument '.*' is invalid\. ([\s\S]+)$/.exec(text)
  if (option) return `${option[1]}: ${option[2]}`
  const argument = /^command-argument value '.*' is invalid for argument '([^']+)'\. ([\s\S]+)$/.exec(text)
  if (argument) return `<${argument[1]}>: ${argument[2]}`
  return commanderSentence(text, t)
}

/**
 * Ports written the other way round: `--port 9000` (or `-p`) on a command whose port is a
 * positional argument (every command but compare), and `compare 127.0.0.1:9000` where the
 * port is `--port`. Commander's own answers ("unknown option '--port' (Did you mean --host?)",
 * "give the port as its own argument") point the wrong way; this says the right form, built
 * from what was typed.
 */
const portSentence = (message: string, argv: string[], program: Command, t: Catalog): string | undefined => {
  const cmd = program.commands.find(c => c.name() === argv[0])
  if (!cmd) return undefined
  const unknown = /unknown option '(--port|-p)(?:=([^']*))?'/.exec(message)
  const portIndex = cmd.registeredArguments.findIndex(a => a.name() === 'port')
  if (unknown && portIndex >= 0) {
    const at = argv.findIndex(a => a === unknown[1] || a.startsWith(`${unknown[1]}=`))
    const value = unknown[2] ?? argv[at + 1] ?? String(cmd.registeredArguments[portIndex]!.defaultValue ?? '')
    const rest = argv.filter((_, i) => i !== at && (unknown[2] !== undefined || i !== at + 1))
    rest.splice(positionalSlot(cmd, rest, portIndex), 0, value)
    return t.cli.portIsArgument({ flag: unknown[1]!, command: cmd.name(), example: rest.join(' ') })
  }
  if (cmd.options.some(o => o.long === '--port') && /argument 'host'/.test(message)) {
    const i = argv.findIndex((a, n) => n > 0 && !a.startsWith('-') && /^\[?[^\s[\]]+?\]?:\d{1,5}$/.test(a))
    const m = i > 0 ? /^\[?([^\s[\]]+?)\]?:(\d{1,5})$/.exec(argv[i]!) : null
    if (m) {
      const example = [...argv.slice(0, i), m[1]!, ...argv.slice(i + 1), '--port', m[2]!].join(' ')
      return t.cli.hostPortOption({ value: argv[i]!, command: cmd.name(), example })
    }
  }
  return undefined
}

/** Where in `argv` (command first) the positional argument number `index` goes: after the ones before it, skipping options and their values. */
const positionalSlot = (cmd: Command, argv: string[], index: number): number => {
  let seen = 0
  for (let i = 1; i < argv.length; i++) {
    const a = argv[i]!
    if (a.startsWith('-')) {
      const option = cmd.options.find(o => o.long === a || o.short === a)
      if (option?.required) i++
      continue
    }
    if (seen++ === index) return i
  }
  return argv.length
}

/**
 * `sockkit tcp-client 127.0.0.1:9000` — the nc habit of host:port in one argument — gets
 * commander's "missing required argument 'port'"; say how to write it instead.
 */
const hostPortHint = (message: string, argv: string[], t: Catalog): string => {
  if (!/missing required argument 'port'/.test(message)) return ''
  for (const arg of argv) {
    const m = /^\[?([^\s\[\]]+?)\]?:(\d{1,5})$/.exec(arg)
    if (m && !arg.startsWith('-')) return t.cli.hostPortHint({ command: argv[0] ?? '', host: m[1]!, port: m[2]! })
  }
  return ''
}
