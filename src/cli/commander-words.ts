import { Help, type Command, type Option, type Argument } from 'commander'
import type { Catalog, Fmt } from '../i18n/index.js'

/**
 * Commander's own words in the run's language: its help headings and `(default: …)` through
 * configureHelp overrides, its usage errors by rewording the English it produced (commander 14
 * has no message hook; the patterns are those of lib/command.js and lib/suggestSimilar.js).
 */

/** A default or a choice as help shows it: numbers with the language's digits, text quoted. */
const shown = (value: unknown, f: Fmt): string =>
  typeof value === 'number' ? f.num(value) : JSON.stringify(value)

/** `text (default: 1000)` — commander's rule for which defaults to show, our words. */
const described = (text: string, extra: string[]): string =>
  extra.length === 0 ? text : text ? `${text} (${extra.join(', ')})` : `(${extra.join(', ')})`

/** The configureHelp() overrides that word commander's help in `t`'s language. */
export const helpWords = (t: Catalog, f: Fmt): Partial<Help> => {
  const words = t.cli.help
  // `[options]`, `[command]`: commander's placeholders, token by token (argument names stay).
  const usageTerms = (text: string): string => text.split(' ').map(w => words.usageWords[w] ?? w).join(' ')
  const choicesOf = (choices: readonly string[] | undefined): string[] =>
    choices ? [words.choices({ values: choices.map(c => shown(c, f)).join(', ') })] : []
  return {
    styleTitle: (title: string) => words.titles[title] ?? title,
    commandUsage (this: Help, cmd: Command) { return usageTerms(Help.prototype.commandUsage.call(this, cmd)) },
    // Commands listed as `name <args>` without "[options]": the narrower column leaves room
    // for commander to wrap the summaries inside 80 columns (a projector, a split terminal).
    subcommandTerm: (cmd: Command) =>
      usageTerms([cmd.name(), ...cmd.registeredArguments.map(a => a.required ? `<${a.name()}>` : `[${a.name()}]`)].join(' ')),
    optionDescription: (option: Option) => {
      const extra = choicesOf(option.argChoices)
      const showDefault = option.required || option.optional ||
        (option.isBoolean() && typeof option.defaultValue === 'boolean')
      if (option.defaultValue !== undefined && showDefault) {
        extra.push(words.defaultValue({ value: option.defaultValueDescription ?? shown(option.defaultValue, f) }))
      }
      return described(option.description, extra)
    },
    argumentDescription: (argument: Argument) => {
      const extra = choicesOf(argument.argChoices)
      if (argument.defaultValue !== undefined) {
        extra.push(words.defaultValue({ value: argument.defaultValueDescription ?? shown(argument.defaultValue, f) }))
      }
      return described(argument.description, extra)
    },
  }
}

/** The candidates of commander's `(Did you mean x?)` / `(Did you mean one of x, y?)`. */
const suggestion = (text: string, t: Catalog): { rest: string; hint: string } => {
  const m = /\s*\(Did you mean (?:one of )?(.+)\?\)$/.exec(text)
  if (!m) return { rest: text, hint: '' }
  return { rest: text.slice(0, m.index), hint: ` ${t.cli.commander.didYouMean({ candidates: m[1]!.split(', ') })}` }
}

/**
 * One of commander's usage errors (one line, without `error: `) in `t`'s language; text that
 * matches no known pattern (our own sentences, already translated) is returned as it is.
 */
export const commanderSentence = (text: string, t: Catalog): string => {
  const words = t.cli.commander
  const { rest, hint } = suggestion(text, t)
  let m: RegExpExecArray | null
  if ((m = /^missing required argument '([^']+)'$/.exec(rest))) return words.missingArgument({ name: m[1]! }) + hint
  if ((m = /^option '([^']+)' argument missing$/.exec(rest))) return words.optionArgumentMissing({ flag: m[1]! }) + hint
  if ((m = /^required option '([^']+)' not specified$/.exec(rest))) return words.requiredOption({ flag: m[1]! }) + hint
  if ((m = /^unknown option '([^']+)'$/.exec(rest))) return words.unknownOption({ flag: m[1]! }) + hint
  if ((m = /^unknown command '([^']+)'$/.exec(rest))) return words.unknownCommand({ name: m[1]! }) + hint
  if ((m = /^option '(-[^' ]+)[^']*' cannot be used with option '(-[^' ]+)[^']*'$/.exec(rest))) {
    return words.conflictingOptions({ option: m[1]!, other: m[2]! }) + hint
  }
  if ((m = /^too many arguments(?: for '([^']+)')?\. Expected (\d+) arguments? but got (\d+)\.$/.exec(rest))) {
    return words.tooManyArguments({ command: m[1] ?? 'sockkit', expected: Number(m[2]), got: Number(m[3]) }) + hint
  }
  return text
}
