/**
 * The message catalogue: `catalog(lang)` gives every sentence in one language, with numbers,
 * sizes, durations and plurals formatted for it. The library uses only English (for
 * `Error.message`); the CLI renders in the user's language.
 */
import { en } from './en/index.js'
import { es } from './es/index.js'
import { pt } from './pt/index.js'
import { makeFmt, type Fmt, type Lang } from './fmt.js'

export { LANGS, makeFmt, type Fmt, type Lang, type Mark, type PluralForms } from './fmt.js'

/** Every message area in one language: the English catalogue's shape, which others must match. */
export type Catalog = ReturnType<typeof en>
/** One area's messages, for a language file to implement: `(f: Fmt) => Catalog['common']`. */
export type Area<K extends keyof Catalog> = (f: Fmt) => Catalog[K]

const builders: Record<Lang, (f: Fmt) => Catalog> = { en, es, pt }
const cache = new Map<Lang, { t: Catalog; f: Fmt }>()

/** The messages and the formatter of one language (cached). */
export const catalog = (lang: Lang = 'en'): { t: Catalog; f: Fmt } => {
  let entry = cache.get(lang)
  if (!entry) {
    const f = makeFmt(lang)
    entry = { t: builders[lang](f), f }
    cache.set(lang, entry)
  }
  return entry
}

/** The English messages: what library errors carry as their `message`. */
export const EN = (): Catalog => catalog('en').t
