import { catalog, type Catalog } from '../i18n/index.js'
import { lineWriter, styleFor, type CliContext } from './io.js'

/** The one line printed when a start removed tables left by runs that died. */
export const staleTablesLine = (tables: string[], t: Catalog['impairment'] = catalog('en').t.impairment): string =>
  t.staleTablesRemoved({ tables })

/**
 * What compare, link and serve do first: remove the kernel-loss tables of runs that died
 * (Linux, root and nft only; silently nothing elsewhere). Returns the names removed; prints
 * one line on stderr about them unless `print` is false (link --json reports them as an event).
 */
export const sweepStaleTablesAtStart = async (ctx: CliContext, print = true): Promise<string[]> => {
  // Not root on Linux: no table of ours can exist, so not even nft.js is loaded.
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return []
  const { sweepStaleTables } = await import('../impairment/nft-emulator.js')
  const removed = await sweepStaleTables()
  if (removed.length > 0 && print) lineWriter(ctx.io.stderr, styleFor(ctx, ctx.io.stderr))(staleTablesLine(removed, ctx.t.impairment))
  return removed
}
