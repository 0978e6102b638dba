import t from 'tap'
import { CHAT_LANGUAGES, CHAT_MESSAGES, parseChatLanguage, type ChatMessages } from '../src/chat/chat-messages.js'

/** Sample values for every entry; typed, so a new entry without a sample does not compile. */
const SAMPLES: { [K in keyof ChatMessages]: ChatMessages[K] extends (p: infer P) => unknown ? P : undefined } = {
  namePrompt: undefined, nameEmpty: undefined, nameTooLong: { max: 24 }, nameInvalid: undefined, byeBeforeName: undefined,
  nameTaken: { requested: 'ana', given: 'ana-2' }, welcome: { name: 'ana', here: ['server', 'bob'] }, historyStart: { n: 3 },
  historyEnd: undefined, joined: { name: 'ana' }, who: { names: ['server', 'ana'] }, operatorTag: { name: 'server' },
  youTag: { name: 'ana' }, nickUsage: { max: 24 }, nickSame: { name: 'ana' }, nickTaken: { name: 'bob' },
  nickChanged: { from: 'ana', to: 'anita' }, meUsage: undefined, byeQuit: { name: 'ana' }, help: { name: 'ana' },
  unknownCommand: { command: 'dance' }, lineTruncated: { max: 4096 }, noNewline: { ms: 1000 }, slowDown: { rate: 10, seconds: 10 },
  floodDisconnected: undefined, idleDisconnected: { ms: 60 }, nameTimeout: undefined, kicked: { operator: 'profe' },
  closing: undefined, refusedFull: { max: 100 }, refusedClosing: undefined, left: { name: 'ana' }, leftReset: { name: 'ana' },
  leftError: { name: 'ana' }, leftIdle: { name: 'ana' }, leftFlood: { name: 'ana' }, leftSlowReader: { name: 'ana', bytes: 70000 },
  leftKicked: { name: 'ana', operator: 'profe' },
}

/** Every entry as text, so catalogues can be compared line by line. */
const render = (messages: ChatMessages): Record<string, string> =>
  Object.fromEntries(Object.entries(messages).map(([key, value]) => {
    const out: unknown = typeof value === 'function' ? (value as (p: unknown) => unknown)(SAMPLES[key as keyof ChatMessages]) : value
    return [key, Array.isArray(out) ? out.join('\n') : String(out)]
  }))

t.test('es and pt translate every line: none is left in English', async t => {
  const en = render(CHAT_MESSAGES.en)
  for (const lang of ['es', 'pt'] as const) {
    const other = render(CHAT_MESSAGES[lang])
    t.same(Object.keys(other).sort(), Object.keys(en).sort(), `${lang} has exactly the English keys`)
    t.same(Object.keys(en).sort(), Object.keys(SAMPLES).sort(), 'every entry has a sample')
    for (const key of Object.keys(en)) t.not(other[key], en[key], `${lang}.${key} is translated`)
  }
})

t.test('the English lines and prompts are the documented ones', async t => {
  t.equal(CHAT_MESSAGES.en.namePrompt, 'Your name? / ¿Tu nombre?', 'en keeps the bilingual prompt')
  t.equal(CHAT_MESSAGES.es.namePrompt, '¿Tu nombre?')
  t.equal(CHAT_MESSAGES.pt.namePrompt, 'Seu nome?')
  t.equal(CHAT_MESSAGES.en.welcome({ name: 'ana', here: ['server', 'bob'] }), 'welcome, ana! Here now: server, bob. Type /help for commands')
  t.equal(CHAT_MESSAGES.en.refusedFull({ max: 1 }), 'sorry, the chat is full (1 person); try again later')
  t.equal(CHAT_MESSAGES.en.refusedFull({ max: 40 }), 'sorry, the chat is full (40 people); try again later')
  t.equal(CHAT_MESSAGES.es.slowDown({ rate: 2, seconds: 0.5 }), 'más despacio: más de 2 líneas por segundo. Tus líneas esperan; si sigues así durante 0,5 s, se cerrará tu conexión')
})

t.test('Spanish and Portuguese write a decimal comma and the right plural', async t => {
  t.match(CHAT_MESSAGES.en.noNewline({ ms: 1500 }), /after 1\.5 s/)
  t.match(CHAT_MESSAGES.es.noNewline({ ms: 1500 }), /tras 1,5 s/)
  t.match(CHAT_MESSAGES.pt.noNewline({ ms: 250 }), /após 250 ms/)
  t.match(CHAT_MESSAGES.pt.slowDown({ rate: 0.5, seconds: 10 }), /mais de 0,5 linhas por segundo/)
  t.equal(CHAT_MESSAGES.es.historyStart({ n: 1 }), 'el último mensaje:')
  t.equal(CHAT_MESSAGES.es.historyStart({ n: 5 }), 'los últimos 5 mensajes:')
  t.match(CHAT_MESSAGES.es.refusedFull({ max: 1 }), /\(1 persona\)/)
  t.match(CHAT_MESSAGES.pt.refusedFull({ max: 30 }), /\(30 pessoas\)/)
})

t.test('parseChatLanguage: the code in any case, with or without a region', async t => {
  for (const [input, lang] of [
    ['en', 'en'], ['es', 'es'], ['pt', 'pt'], ['PT', 'pt'], ['Es', 'es'], ['es-ES', 'es'], ['es-419', 'es'],
    ['pt-BR', 'pt'], ['pt_BR', 'pt'], ['pt-PT', 'pt'], ['EN-us', 'en'], [' es ', 'es'],
  ] as const) t.equal(parseChatLanguage(input), lang, JSON.stringify(input))
  for (const input of ['fr', 'de-DE', 'esperanto', 'español', 'e', 'es-', 'pt--BR', '']) {
    t.throws(() => parseChatLanguage(input), { code: 'ERR_SOCKKIT_INVALID_ARG', message: /must be en, es or pt/ }, JSON.stringify(input))
  }
  t.same([...CHAT_LANGUAGES], ['en', 'es', 'pt'])
})
