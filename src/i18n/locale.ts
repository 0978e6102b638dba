/**
 * Which language a run speaks: `--lang` when given, else the POSIX locale variables.
 * Pure functions of argv and env, so main() can decide before commander builds the commands
 * (their help text comes from the catalogue).
 */
import { LANGS, type Lang } from './fmt.js'

/**
 * A language as a person or a locale variable writes it: `es`, `ES`, `es-AR`, `pt_BR`,
 * `es_AR.UTF-8`, `pt_PT@euro`. The region, charset and modifier are ignored (one Spanish, one
 * Portuguese — the Brazilian); undefined for anything else, `C` and `POSIX` included.
 */
export const parseLang = (value: string): Lang | undefined => {
  const match = /^([a-z]{2})(?:[-_][a-z0-9]{1,8})*(?:\.[\w-]+)?(?:@\w+)?$/i.exec(value.trim())
  const code = match?.[1]!.toLowerCase()
  return (LANGS as readonly string[]).includes(code ?? '') ? code as Lang : undefined
}

/**
 * The language of the environment: `LANGUAGE` (a colon list; its first supported entry),
 * then `LC_ALL`, `LC_MESSAGES`, `LANG` — the first of these that is set decides, as POSIX
 * says, so `LC_ALL=C` means English whatever `LANG` holds. Unset or unknown: English.
 */
export const langFromEnv = (env: Record<string, string | undefined>): Lang => {
  for (const entry of (env.LANGUAGE ?? '').split(':')) {
    const lang = parseLang(entry)
    if (lang) return lang
  }
  for (const name of ['LC_ALL', 'LC_MESSAGES', 'LANG']) {
    const value = env[name]
    if (value) return parseLang(value) ?? 'en'
  }
  return 'en'
}

/**
 * The raw value of `--lang X` or `--lang=X` in argv (the last one, as commander keeps), up to
 * a `--`; undefined when absent.
 */
export const langArg = (argv: readonly string[]): string | undefined => {
  let value: string | undefined
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!
    if (arg === '--') break
    if (arg === '--lang') value = argv[++i]
    else if (arg.startsWith('--lang=')) value = arg.slice('--lang='.length)
  }
  return value
}

/**
 * The run's language: a valid `--lang` wins; without one (or with a value commander will
 * refuse as a usage error) the environment's.
 */
export const pickLang = (argv: readonly string[], env: Record<string, string | undefined>): Lang => {
  const given = langArg(argv)
  return (given !== undefined ? parseLang(given) : undefined) ?? langFromEnv(env)
}
