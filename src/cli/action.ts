import { InvalidArgumentError } from 'commander'
import { hasCode } from '../errors.js'
import { explainError, type ExplainContext } from './explain.js'
import { EXIT_FAILURE, EXIT_USAGE } from './exit-codes.js'
import { styleFor, type CliContext } from './io.js'

/**
 * Print an unexpected or expected error as one sentence and choose the exit code:
 * 2 for a bad value, 1 for everything else. A stack trace only with SOCKKIT_DEBUG=1.
 */
export const reportError = (ctx: CliContext, e: unknown, explain: ExplainContext = {}): number => {
  const style = styleFor(ctx, ctx.io.stderr)
  const sentence = explainError(e, explain) ?? (e instanceof Error ? e.message : String(e))
  ctx.io.stderr.write(`${style.red('sockkit:')} ${sentence}\n`)
  if (ctx.io.env.SOCKKIT_DEBUG && e instanceof Error && e.stack) ctx.io.stderr.write(`${e.stack}\n`)
  return hasCode(e) && e.code === 'ERR_SOCKKIT_INVALID_ARG' ? EXIT_USAGE : EXIT_FAILURE
}

/**
 * Wrap a command's work: its return value is the exit code; a thrown error becomes
 * one sentence on stderr and exit 1 (or 2 for a bad value).
 */
export const runAction = async (
  ctx: CliContext,
  work: () => Promise<number>,
  explain: ExplainContext | (() => ExplainContext) = {},
): Promise<void> => {
  try {
    ctx.exitCode = await work()
  } catch (e) {
    ctx.exitCode = reportError(ctx, e, typeof explain === 'function' ? explain() : explain)
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
