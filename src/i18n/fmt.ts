/**
 * Number, size, duration and plural formatting for one language: the part of every message
 * that is not words. Built on `Intl`, so es/pt get `1.234,5` and CLDR plural categories.
 * English keeps the output sockkit has always printed (no digit grouping: `10000 probes`).
 */
export const LANGS = ['en', 'es', 'pt'] as const
export type Lang = typeof LANGS[number]

/**
 * Plural forms of one phrase; `#` stands for the formatted count. `zero` is used for 0 when
 * given (es "ningún datagrama perdido"), otherwise the form `Intl.PluralRules` picks (pt: 0
 * takes `other`, "0 sondas").
 */
export interface PluralForms { zero?: string; one: string; many?: string; other: string }

/**
 * How a message highlights a word without knowing colours: the CLI passes chalk's bold/dim
 * (or identity when colour is off); the language file decides which words get it.
 */
export type Mark = (text: string) => string

export interface Fmt {
  readonly lang: Lang
  /** BCP 47 locale handed to Intl (`en-US`, `es`, `pt-BR`). */
  readonly locale: string
  /** A count or measurement: `12345` (en), `12.345` (es/pt); `digits` fixes the decimals. */
  num(n: number, digits?: number): string
  /** `1 byte`, `65507 bytes` (exact up to 65536), `70.0 KiB`, `10.0 MiB`, `1.00 GiB`. */
  bytes(n: number): string
  /** `850 ms`, `1.2 s`, `3 min 05 s`, `2 h 05 min`, `24 d 20 h`. */
  duration(ms: number): string
  /** The form of `forms` for `n`, with `#` replaced by `num(n)`. */
  plural(n: number, forms: PluralForms): string
  /** `a, b and c` in the language's words. */
  list(items: readonly string[]): string
}

const LOCALES: Record<Lang, string> = { en: 'en-US', es: 'es', pt: 'pt-BR' }

/** Build the formatter for a language; cheap to call, but callers usually keep one. */
export const makeFmt = (lang: Lang): Fmt => {
  const locale = LOCALES[lang]
  const grouping = lang !== 'en'
  const numberFormats = new Map<number, Intl.NumberFormat>()
  const plurals = new Intl.PluralRules(locale)
  const lists = new Intl.ListFormat(locale, { type: 'conjunction' })
  const num = (n: number, digits?: number): string => {
    if (!grouping && digits === undefined) return String(n)
    if (!grouping) return n.toFixed(digits)
    const key = digits ?? -1
    let nf = numberFormats.get(key)
    if (!nf) {
      // 'always': Spanish CLDR data leaves 4-digit numbers ungrouped (1234,5), which reads
      // as a typo next to 12.345 in the same table; the issue asks for 1.234,5 in es and pt.
      const grouping = { useGrouping: 'always' } as unknown as Intl.NumberFormatOptions
      nf = new Intl.NumberFormat(locale, digits === undefined
        ? { ...grouping, maximumFractionDigits: 20 }
        : { ...grouping, minimumFractionDigits: digits, maximumFractionDigits: digits })
      numberFormats.set(key, nf)
    }
    return nf.format(n)
  }
  const fmt: Fmt = {
    lang,
    locale,
    num,
    bytes: n => {
      if (n === 1) return lang === 'en' ? '1 byte' : '1 byte'
      if (n <= 65536) return `${num(n)} bytes`
      if (n < 1024 * 1024) return `${num(n / 1024, 1)} KiB`
      if (n < 1024 ** 3) return `${num(n / 1024 / 1024, 1)} MiB`
      return `${num(n / 1024 ** 3, 2)} GiB`
    },
    // Each unit is rounded before it is split: 119.6 s is `2 min 00 s`, never `1 min 60 s`.
    duration: ms => {
      if (Math.round(ms) < 1000) return `${num(Math.round(ms))} ms`
      const tenths = Math.round(ms / 100)
      if (tenths < 600) return `${num(tenths / 10, 1)} s`
      const seconds = Math.round(ms / 1000)
      if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${String(seconds % 60).padStart(2, '0')} s`
      const minutes = Math.round(ms / 60_000)
      if (minutes < 24 * 60) return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`
      const hours = Math.round(ms / 3_600_000)
      return `${Math.floor(hours / 24)} d ${hours % 24} h`
    },
    plural: (n, forms) => {
      // pt-BR: CLDR puts 0 with 1 ("0 sonda"), but a Brazilian screen says "0 sondas"
      // (Google's "0 resultados"); without a zero form, 0 takes `other` there.
      const category = n === 0 && lang === 'pt' ? 'other' : plurals.select(n)
      const form = (n === 0 && forms.zero !== undefined) ? forms.zero
        : category === 'one' ? forms.one
          : category === 'many' ? (forms.many ?? forms.other)
            : forms.other
      return form.replace(/#/g, num(n))
    },
    list: items => lists.format(items),
  }
  return fmt
}
