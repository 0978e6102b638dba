/**
 * The English catalogue: every sentence sockkit shows a person, by area. Its shape is the
 * `Catalog` type that every other language must fill completely (same keys, same parameters).
 * Each area lives in its own file; a message is a string or a function of named parameters.
 */
import type { Fmt } from '../fmt.js'
import { common } from './common.js'
import { compareCli } from './compare-cli.js'
import { errors } from './errors.js'

export const en = (f: Fmt) => ({
  common: common(f),
  errors: errors(f),
  compareCli: compareCli(f),
})
