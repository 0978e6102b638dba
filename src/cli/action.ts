import { InvalidArgumentError, type Command } from 'commander'
import { hasCode, renderError, type ErrorKey, type SockkitError } from '../core/errors.js'
import type { Catalog } from '../i18n/index.js'
import { explainError, type ExplainContext } from './explain.js'
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js'
import { styleFor, type CliContext } from './io.js'

/**
 * How a command in `--json` mode also puts a fatal error on stdout, so a script reading
 * only stdout sees why the stream ended: `events` — one more NDJSON line,
 * `{"time","event":"error","code","message","exitCode"}`; `document` (compare) — the one
 * document stdout would have held, `{"schema":"sockkit.compare/v1","error":{…}}`.
 */
export type JsonErrors = { kind: 'events' } | { kind: 'document'; schema: string }

/**
 * Print an unexpected or expected error as one sentence and choose the exit code:
 * 2 for a bad value, 1 for everything else. A stack trace only with SOCKKIT_DEBUG=1.
 * The sentence always goes to stderr; with `json`, a runtime failure (exit 1) goes to stdout
 * as JSON too. A usage error (exit 2) leaves stdout empty, like commander's own: nothing ran.
 */
export const reportError = (ctx: CliContext, e: unknown, explain: ExplainContext = {}, json?: JsonErrors): number => {
  const style = styleFor(ctx, ctx.io.stderr)
  const sentence = explainError(e, explain, ctx.t) ?? (e instanceof Error ? e.message : String(e))
  ctx.io.stderr.write(`${style.red('sockkit:')} ${sentence}\n`)
  if (ctx.io.env.SOCKKIT_DEBUG && e instanceof Error && e.stack) ctx.io.stderr.write(`${e.stack}\n`)
  const exitCode = hasCode(e) && e.code === 'ERR_SOCKKIT_INVALID_ARG' ? EXIT_USAGE : EXIT_FAILURE
  if (json !== undefined && exitCode === EXIT_FAILURE) {
    const error = { code: hasCode(e) ? e.code : 'ERROR', message: sentence, exitCode }
    const doc = json.kind === 'events' ? { time: new Date().toISOString(), event: 'error', ...error } : { schema: json.schema, error }
    ctx.io.stdout.write(`${JSON.stringify(doc)}\n`)
  }
  return exitCode
}

/**
 * Wrap a command's work: its return value is the exit code; a thrown error becomes
 * one sentence on stderr and exit 1 (or 2 for a bad value) — and, given `json`, a JSON
 * error on stdout as well.
 */
export const runAction = async (
  ctx: CliContext,
  work: () => Promise<number>,
  explain: ExplainContext | (() => ExplainContext) = {},
  json?: JsonErrors,
): Promise<void> => {
  try {
    ctx.exitCode = await work()
  } catch (e) {
    ctx.exitCode = reportError(ctx, e, typeof explain === 'function' ? explain() : explain, json)
  }
}

/**
 * Adapt one of our parse functions (which throw ERR_SOCKKIT_INVALID_ARG) to a commander
 * argParser, so a bad value is reported by commander as a usage error (exit 2). The sentence
 * is the error's English message; the error itself rides along as `cause`, so that
 * {@link localizeParsers} can word it again in the run's language.
 */
export const argParser = <T>(parse: (value: string) => T) => (value: string): T => {
  try {
    return parse(value)
  } catch (e) {
    throw Object.assign(new InvalidArgumentError(e instanceof Error ? e.message : String(e)), { cause: e })
  }
}

/**
 * A rejected value's sentence in `t`'s language: its `errors` entry when the error carries
 * one (parsePort, parseHost…), else its message — a sentence the command already worded
 * from the catalogue (compare's and link's own checks).
 */
const parseErrorSentence = (e: Error, t: Catalog): string => {
  const source = (e.cause instanceof Error ? e.cause : e) as Partial<SockkitError> & Error
  const key = source.key as ErrorKey | undefined
  return key !== undefined && key in t.errors
    ? renderError(t.errors, key, source.params as never)
    : source.message
}

/**
 * Give every argument and option parser of `cmd` (and of its subcommands) the run's
 * catalogue: commander's "option '--port <port>' argument 'abc' is invalid. <sentence>" gets
 * the sentence in `t`'s language, not the English of Error.message. Wraps each parseArg once
 * the commands are built, so the commands keep plain `argParser(parse)` calls; the arity is
 * kept (a two-argument parser collects repeated values, and main reads that).
 */
export const localizeParsers = (cmd: Command, t: Catalog): void => {
  type Parse = (value: string, previous: unknown) => unknown
  const reword = (e: unknown): unknown =>
    e instanceof Error && (e as { code?: unknown }).code === 'commander.invalidArgument'
      ? new InvalidArgumentError(parseErrorSentence(e, t))
      : e
  for (const target of [...cmd.options, ...cmd.registeredArguments] as Array<{ parseArg?: Parse }>) {
    const parse = target.parseArg
    if (parse === undefined) continue
    target.parseArg = parse.length >= 2
      ? (value: string, previous: unknown) => { try { return parse(value, previous) } catch (e) { throw reword(e) } }
      : (value: string) => { try { return parse(value, undefined) } catch (e) { throw reword(e) } }
  }
  for (const sub of cmd.commands) localizeParsers(sub, t)
}

/** `--json` in an NDJSON command: a fatal error is one more event line on stdout. */
export const JSON_ERROR_EVENT: JsonErrors = { kind: 'events' }
