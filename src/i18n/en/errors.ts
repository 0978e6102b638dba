import type { Fmt } from '../fmt.js'
import { errorsCompare } from './errors-compare.js'

/**
 * Errors the library raises, worded for a person. The library stores the key and parameters
 * on the error (`sockkitError(code, key, params)`); no sentence here names a CLI flag — the
 * CLI adds its own hint (see cli/explain).
 */
export const errors = (f: Fmt) => ({
  ...errorsCompare(f),
  reflectorProgramMissing: (p: { path: string }) => `the reflector program is missing (looked for ${p.path}); run \`npm run build\``,
})
