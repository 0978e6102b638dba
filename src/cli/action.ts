import { InvalidArgumentError } from 'commander'
import { hasCode } from '../core/errors.js'
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
 * argParser, so a bad value is reported by commander as a usage error (exit 2).
 */
export const argParser = <T>(parse: (value: string) => T) => (value: string): T => {
  try {
    return parse(value)
  } catch (e) {
    throw new InvalidArgumentError(e instanceof Error ? e.message : String(e))
  }
}

/** `--json` in an NDJSON command: a fatal error is one more event line on stdout. */
export const JSON_ERROR_EVENT: JsonErrors = { kind: 'events' }
