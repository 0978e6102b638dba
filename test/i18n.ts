import t from 'tap'
import { runMain } from './fixtures/main.js'
import { catalog, makeFmt, LANGS } from '../src/i18n/index.js'
import { langArg, langFromEnv, parseLang, pickLang } from '../src/i18n/locale.js'
import { commanderSentence } from '../src/cli/commander-words.js'

// The language plumbing (issue 15): which language a run speaks, the catalogues' shape at
// run time, locale formatting, commander's own words. The scripted es/pt session is
// test/i18n-session.ts.

/** A clean environment: none of the four locale variables, whatever the machine has. */
const NO_LOCALE = { LANGUAGE: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, LANG: undefined }

t.test('parseLang: a language code with any region, charset or modifier; C, POSIX and others are not', async t => {
  for (const [value, lang] of [['es', 'es'], ['ES', 'es'], ['es_AR.UTF-8', 'es'], ['es-419', 'es'], ['pt_BR', 'pt'],
    ['pt_PT', 'pt'], ['pt_PT.UTF-8@euro', 'pt'], ['en_US.UTF-8', 'en'], [' pt-BR ', 'pt']] as const) {
    t.equal(parseLang(value), lang, value)
  }
  for (const value of ['C', 'POSIX', 'C.UTF-8', 'fr_FR.UTF-8', 'español', '', 'e']) t.equal(parseLang(value), undefined, value)
})

t.test('langFromEnv: LANGUAGE (first supported entry), then LC_ALL, LC_MESSAGES, LANG; the first set decides', async t => {
  t.equal(langFromEnv({}), 'en', 'nothing set: English')
  t.equal(langFromEnv({ LANG: 'es_AR.UTF-8' }), 'es')
  t.equal(langFromEnv({ LANG: 'pt_BR.UTF-8' }), 'pt')
  t.equal(langFromEnv({ LANG: 'C' }), 'en')
  t.equal(langFromEnv({ LANG: 'POSIX' }), 'en')
  t.equal(langFromEnv({ LANG: 'de_DE.UTF-8' }), 'en', 'unknown: English')
  t.equal(langFromEnv({ LC_MESSAGES: 'pt_PT', LANG: 'es_ES' }), 'pt', 'LC_MESSAGES before LANG')
  t.equal(langFromEnv({ LC_ALL: 'es_MX', LC_MESSAGES: 'pt_BR', LANG: 'en_US' }), 'es', 'LC_ALL before LC_MESSAGES')
  t.equal(langFromEnv({ LC_ALL: 'C', LANG: 'es_ES' }), 'en', 'LC_ALL=C overrides LANG, as POSIX says')
  t.equal(langFromEnv({ LC_ALL: '', LANG: 'es_ES' }), 'es', 'an empty variable is unset')
  t.equal(langFromEnv({ LANGUAGE: 'fr:pt_BR:es', LANG: 'es_ES' }), 'pt', 'LANGUAGE: first supported entry')
  t.equal(langFromEnv({ LANGUAGE: 'fr:de', LANG: 'es_ES' }), 'es', 'LANGUAGE with nothing supported falls through')
})

t.test('langArg and pickLang: --lang X or --lang=X wins over the environment, up to --', async t => {
  t.equal(langArg(['tcp-server', '--lang', 'es']), 'es')
  t.equal(langArg(['--lang=pt', 'compare']), 'pt')
  t.equal(langArg(['udp-send', 'h', '1', '--', '--lang', 'es']), undefined, 'after -- it is data')
  t.equal(langArg(['--lang', 'es', 'serve', '--lang', 'pt']), 'pt', 'the last one, as commander keeps')
  t.equal(pickLang(['--lang', 'pt'], { LANG: 'es_ES' }), 'pt')
  t.equal(pickLang([], { LANG: 'es_ES' }), 'es')
  t.equal(pickLang(['--lang', 'fr'], { LANG: 'es_ES' }), 'es', 'a bad value: the usage error is worded in the environment\'s language')
})

/** Every key path of a catalogue, with a function's arity: `cli.help.lang` → 'string', `…` → 'fn/1'. */
const shape = (value: unknown, path = '', out = new Map<string, string>()): Map<string, string> => {
  if (typeof value === 'function') out.set(path, `fn/${value.length}`)
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, inner] of Object.entries(value)) shape(inner, path ? `${path}.${key}` : key, out)
  } else out.set(path, Array.isArray(value) ? `array/${value.length}` : typeof value)
  return out
}

t.test('every es and pt area has every key of en, of the same kind and arity (a cast cannot hide a gap)', async t => {
  const en = shape(catalog('en').t)
  t.ok(en.size > 100, `the English catalogue has its keys (${en.size})`)
  for (const lang of ['es', 'pt'] as const) {
    const other = shape(catalog(lang).t)
    const missing = [...en.keys()].filter(k => !other.has(k))
    const extra = [...other.keys()].filter(k => !en.has(k))
    const differ = [...en].filter(([k, kind]) => other.has(k) && other.get(k) !== kind).map(([k, kind]) => `${k}: en ${kind}, ${lang} ${other.get(k)}`)
    t.same({ missing, extra, differ }, { missing: [], extra: [], differ: [] }, `${lang} matches en`)
  }
})

t.test('locale formatting: 1.234,5 ms in es and pt, 1234.5 ms in en; pt is pt-BR', async t => {
  t.equal(makeFmt('en').num(1234.5, 1), '1234.5')
  t.equal(makeFmt('es').num(1234.5, 1), '1.234,5', 'es groups 4-digit numbers too (CLDR would not)')
  t.equal(makeFmt('pt').num(1234.5, 1), '1.234,5')
  t.equal(makeFmt('es').num(1234567), '1.234.567')
  t.equal(makeFmt('pt').locale, 'pt-BR')
  t.equal(makeFmt('es').duration(850), '850 ms')
  t.equal(makeFmt('es').duration(1500), '1,5 s')
  t.equal(makeFmt('pt').bytes(70 * 1024), '70,0 KiB')
})

t.test('plural forms follow Intl.PluralRules, with a zero form where one is given', async t => {
  const es = makeFmt('es')
  const pt = makeFmt('pt')
  const lost = { zero: 'ningún datagrama perdido', one: '# datagrama perdido', other: '# datagramas perdidos' }
  t.equal(es.plural(0, lost), 'ningún datagrama perdido')
  t.equal(es.plural(1, lost), '1 datagrama perdido')
  t.equal(es.plural(2, lost), '2 datagramas perdidos')
  t.equal(es.plural(1500, lost), '1.500 datagramas perdidos')
  const perdidos = { zero: 'nenhum datagrama perdido', one: '# datagrama perdido', other: '# datagramas perdidos' }
  t.equal(pt.plural(0, perdidos), 'nenhum datagrama perdido')
  t.equal(pt.plural(1, perdidos), '1 datagrama perdido')
  t.equal(pt.plural(3, perdidos), '3 datagramas perdidos')
  // Without a zero form 0 takes "other" in es (CLDR) and in pt-BR too ("0 sondas", where CLDR says "one").
  t.equal(es.plural(0, { one: '# uno', other: '# otros' }), '0 otros')
  t.equal(pt.plural(0, { one: '# sonda', other: '# sondas' }), '0 sondas')
  t.equal(pt.plural(1, { one: '# sonda', other: '# sondas' }), '1 sonda')
  // CLDR's "many" (a million) in es and pt: "1.000.000 de datagramas".
  t.equal(es.plural(1e6, { one: '# datagrama', many: '# de datagramas', other: '# datagramas' }), '1.000.000 de datagramas')
  t.equal(makeFmt('en').plural(0, { one: '# datagram', other: '# datagrams' }), '0 datagrams')
  t.same(LANGS, ['en', 'es', 'pt'])
})

t.test('commander\'s usage errors are reworded from the catalogue; our own sentences pass through', async t => {
  const { t: en } = catalog('en')
  const cases: Array<[string, string]> = [
    ["missing required argument 'port'", en.cli.commander.missingArgument({ name: 'port' })],
    ["option '--count <n>' argument missing", en.cli.commander.optionArgumentMissing({ flag: '--count <n>' })],
    ["unknown option '--cont' (Did you mean --count?)", `${en.cli.commander.unknownOption({ flag: '--cont' })} ${en.cli.commander.didYouMean({ candidates: ['--count'] })}`],
    ["unknown command 'tcp' (Did you mean one of tcp-server, tcp-client?)", `${en.cli.commander.unknownCommand({ name: 'tcp' })} ${en.cli.commander.didYouMean({ candidates: ['tcp-server', 'tcp-client'] })}`],
    ["too many arguments for 'serve'. Expected 1 argument but got 2.", en.cli.commander.tooManyArguments({ command: 'serve', expected: 1, got: 2 })],
    ['--count: count must be a whole number', '--count: count must be a whole number'],
  ]
  for (const [commander, ours] of cases) t.equal(commanderSentence(commander, en), ours, commander)
  // Every pattern is recognised: none comes back as commander's raw English.
  for (const [commander] of cases.slice(0, -1)) t.not(commanderSentence(commander, { ...en, cli: { ...en.cli, commander: mark(en.cli.commander) } }), commander)
})

/** The same messages with a marker, to see that a pattern was recognised. */
const mark = <T extends object>(area: T): T =>
  Object.fromEntries(Object.entries(area).map(([k, fn]) => [k, (p: never) => `«${(fn as (p: never) => string)(p)}»`])) as T

t.test('--lang is a root option every command accepts; a bad value is a usage error listing the three', async t => {
  const bad = await runMain(['tcp-server', '0', '--lang', 'fr'], { env: NO_LOCALE })
  t.equal(bad.code, 2)
  t.match(bad.stderr, /^sockkit: --lang: .*en, es or pt.*"fr"\n$/)
  for (const argv of [['--lang', 'es', 'serve', '--help'], ['serve', '--lang=pt', '--help'], ['chat-server', '--help', '--lang', 'en']]) {
    const run = await runMain(argv, { env: NO_LOCALE })
    t.equal(run.code, 0, argv.join(' '))
    t.match(run.stdout, /--lang <en\|es\|pt>/, 'every command\'s help shows --lang')
  }
})

t.test('the language reaches the help before commander builds it: LANG=es_AR.UTF-8 gives es digits in defaults', async t => {
  // chat-server's --flood-timeout defaults to 10000 ms: es writes it 10.000 whatever the words.
  const es = await runMain(['chat-server', '--help'], { env: { ...NO_LOCALE, LANG: 'es_AR.UTF-8' } })
  t.match(es.stdout, /--flood-timeout[\s\S]*?10\.000\)/)
  const en = await runMain(['chat-server', '--help'], { env: { ...NO_LOCALE, LANG: 'es_AR.UTF-8', LC_ALL: 'C' } })
  t.match(en.stdout, /--flood-timeout[\s\S]*?10000\)/, 'LC_ALL=C: English')
  const flag = await runMain(['chat-server', '--help', '--lang', 'pt'], { env: { ...NO_LOCALE, LANG: 'C' } })
  t.match(flag.stdout, /--flood-timeout[\s\S]*?10\.000\)/, '--lang pt beats LANG=C')
})

t.test('a mistyped value is worded in the run\'s language: --lang es, --lang pt, LANG=es_AR.UTF-8, and English without', async t => {
  const port = (lang: 'en' | 'es' | 'pt', min: number, text: string) => catalog(lang).t.errors.corePort({ min, text })
  const cases: Array<[string, string[], Record<string, string | undefined>, string]> = [
    ['--lang es', ['tcp-server', 'abc', '--lang', 'es'], NO_LOCALE, `<port>: ${port('es', 0, 'abc')}`],
    ['--lang pt', ['--lang', 'pt', 'udp-send', '127.0.0.1', '99999'], NO_LOCALE, `<port>: ${port('pt', 1, '99999')}`],
    ['LANG=es_AR.UTF-8', ['tcp-client', '127.0.0.1', 'x'], { ...NO_LOCALE, LANG: 'es_AR.UTF-8' }, `<port>: ${port('es', 1, 'x')}`],
    ['LANG=pt_BR.UTF-8, an option', ['compare', '--loss', '200'], { ...NO_LOCALE, LANG: 'pt_BR.UTF-8' }, `--loss: ${catalog('pt').t.errors.corePercent({ name: 'loss', value: '200' })}`],
    ['LANG=C', ['tcp-server', 'abc'], NO_LOCALE, `<port>: ${port('en', 0, 'abc')}`],
    // A bad --lang is worded in the environment's language, the one the run falls back to.
    ['--lang xx under LANG=es_ES', ['--lang', 'xx', 'serve'], { ...NO_LOCALE, LANG: 'es_ES.UTF-8' }, `--lang: ${catalog('es').t.errors.chatLangUnreadable({ value: 'xx' })}`],
    // A two-argument parser (--allow collects its values) keeps working, and speaks pt.
    ['--allow under --lang pt', ['serve', '--lang', 'pt', '--allow', '10.0.0.0/33'], NO_LOCALE,
      `--allow: ${catalog('pt').t.errors.coreCidrPrefix({ what: 'allow', value: '10.0.0.0/33', maxPrefix: 32, family: 'IPv4' })}`],
  ]
  for (const [name, argv, env, sentence] of cases) {
    const run = await runMain(argv, { env })
    t.equal(run.code, 2, `${name}: exit 2`)
    t.equal(run.stderr, `sockkit: ${sentence}\n`, name)
  }
  t.not(port('es', 0, 'abc'), port('en', 0, 'abc'), 'the es sentence is not the English one')
})

t.test('commander\'s own words in help and errors: usage line, headings, placeholders, unknown option, missing argument, conflicts', async t => {
  for (const lang of ['es', 'pt'] as const) {
    const words = catalog(lang).t.cli
    const root = await runMain(['--help', '--lang', lang], { env: NO_LOCALE })
    t.equal(root.code, 0)
    const usage = `${words.help.titles['Usage:']} sockkit ${words.help.usageWords['[options]']} ${words.help.usageWords['[command]']}`
    t.ok(root.stdout.startsWith(`${usage}\n`), `${lang}: ${usage}`)
    t.match(root.stdout, `\n${words.help.titles['Options:']}\n`)
    t.match(root.stdout, `\n${words.help.titles['Commands:']}\n`)
    t.match(root.stdout, `help ${words.help.usageWords['[command]']}`)
    t.match(root.stdout, words.help.help)
    const sub = await runMain(['link', '--help'], { env: { ...NO_LOCALE, LANG: lang } })
    t.match(sub.stdout, new RegExp(`^${words.help.titles['Usage:']} sockkit link \\S+ <listen-port> <target>\n`))
    t.match(sub.stdout, `\n${words.help.titles['Arguments:']}\n`)
    t.match(sub.stdout, words.help.defaultValue({ value: '' }).trim(), `${lang}: the defaults' word`)
    // Not one of commander's English words left in a help page.
    for (const help of [root.stdout, sub.stdout]) {
      t.notMatch(help, /\b(Usage|Options|Commands|Arguments|default|display help)\b|\[options\]|\[command\]/, `${lang}: no English of commander's`)
    }
    const errors: Array<[string[], string]> = [
      [['tcp-server', '--bogus'], words.commander.unknownOption({ flag: '--bogus' })],
      [['udp-send'], words.commander.missingArgument({ name: 'host' })],
      [['tcp-server', '--host'], words.commander.optionArgumentMissing({ flag: '--host <address>' })],
      [['serve', '1', '2'], words.commander.tooManyArguments({ command: 'serve', expected: 1, got: 2 })],
      [['udp-send', '127.0.0.1', '9', '--interval', '5', '--rate', '3'], words.commander.conflictingOptions({ option: '--interval', other: '--rate' })],
      [['tcp-servr'], `${words.commander.unknownCommand({ name: 'tcp-servr' })} ${words.commander.didYouMean({ candidates: ['tcp-server'] })}`],
    ]
    for (const [argv, sentence] of errors) {
      const run = await runMain([...argv, '--lang', lang], { env: NO_LOCALE })
      t.equal(run.code, 2, `${lang} ${argv.join(' ')}: exit 2`)
      t.equal(run.stderr, `sockkit: ${sentence}\n`, `${lang} ${argv.join(' ')}`)
    }
  }
  const en = await runMain(['--help'], { env: NO_LOCALE })
  t.ok(en.stdout.startsWith('Usage: sockkit [options] [command]\n'), 'English keeps commander\'s usage line')
  const conflict = await runMain(['link', '1', '127.0.0.1:2', '--tcp', '--udp'], { env: NO_LOCALE })
  t.equal(conflict.stderr, 'sockkit: --tcp cannot be used with --udp: give one of them\n')
})
