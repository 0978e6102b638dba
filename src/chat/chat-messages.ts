import { invalidArg } from '../core/errors.js'
import { catalog, EN, type Catalog } from '../i18n/index.js'

/**
 * Languages the chat server can speak to its clients. English is the default; Spanish and
 * (Brazilian) Portuguese because the course this chat is built for is taught in them.
 */
export const CHAT_LANGUAGES = ['en', 'es', 'pt'] as const
export type ChatLanguage = typeof CHAT_LANGUAGES[number]

/**
 * Every line the chat server itself sends to a client, in one language: the catalogue's
 * area `chat` (English in src/i18n/en/chat.ts). Spanish lives here for now; Portuguese is in src/i18n/pt/chat.ts.
 */
export type ChatMessages = Catalog['chat']

/** `1.5` → `1,5`: Spanish and Portuguese write a decimal comma. */
const decimalComma = (n: number): string => String(n).replace('.', ',')
/** `1 s`, `1.5 s`, `500 ms` — with the language's decimal mark. */
const waitText = (ms: number, decimal: (n: number) => string = String): string =>
  ms >= 1000 ? `${decimal(ms / 1000)} s` : `${ms} ms`


// Spanish and Portuguese address the student informally (tú / você), as a teacher in class
// would, and avoid gendered participles ("desconectado/a") by naming the connection instead.

const es: ChatMessages = {
  namePrompt: '¿Tu nombre?',
  nameEmpty: 'el nombre no puede estar vacío',
  nameTooLong: ({ max }) => `el nombre puede tener como máximo ${max} caracteres`,
  nameInvalid: 'un nombre solo puede tener letras, dígitos, "-", "_" o ".", empezar por una letra o un dígito, y no llevar espacios ni caracteres invisibles o que imiten a otros',
  byeBeforeName: '¡adiós!',
  nameTaken: ({ requested, given }) => `${requested} ya está en uso; tu nombre será ${given}`,
  welcome: ({ name, here }) => `¡hola, ${name}! En el chat: ${here.join(', ')}. Escribe /help para ver los comandos`,
  historyStart: ({ n }) => n === 1 ? 'el último mensaje:' : `los últimos ${n} mensajes:`,
  historyEnd: 'fin del historial',
  joined: ({ name }) => `${name} entró al chat`,
  who: ({ names }) => `en el chat (${names.length}): ${names.join(', ')}`,
  operatorTag: ({ name }) => `${name} (responsable)`,
  youTag: ({ name }) => `${name} (tú)`,
  nickUsage: ({ max }) => `uso: /nick <nombre> — letras, dígitos, "-", "_" o ".", como máximo ${max} caracteres`,
  nickSame: ({ name }) => `ya te llamas ${name}`,
  nickTaken: ({ name }) => `el nombre ${name} ya está en uso; prueba otro`,
  nickChanged: ({ from, to }) => `${from} ahora se llama ${to}`,
  meUsage: 'uso: /me <acción>, por ejemplo /me saluda',
  byeQuit: ({ name }) => `¡adiós, ${name}!`,
  help: ({ name }) => [
    'comandos:',
    '  /who            quién está en el chat',
    '  /nick <nombre>  cambiar tu nombre',
    `  /me <acción>    "/me saluda" se ve como "~ ${name} saluda"`,
    '  /quit           salir del chat',
    '  //texto         enviar una línea que empieza con "/"',
    `todo lo demás llega a todos como "${name}: texto"`,
  ],
  unknownCommand: ({ command }) => `comando desconocido /${command}; escribe /help (empieza la línea con // para enviar "/" como texto)`,
  lineTruncated: ({ max }) => `tu línea tenía más de ${max} bytes; solo se conservó la primera parte`,
  noNewline: ({ ms }) => `tu línea no tenía salto de línea; se aceptó tal cual después de ${waitText(ms, decimalComma)} — termina cada línea con Enter ("\\n")`,
  slowDown: ({ rate, seconds }) => `más despacio: más de ${decimalComma(rate)} líneas por segundo. Tus líneas quedan en espera; ` +
    `si sigues así durante ${decimalComma(seconds)} s, se cerrará tu conexión`,
  floodDisconnected: 'se cerró tu conexión por enviar demasiados mensajes',
  idleDisconnected: ({ ms }) => `${waitText(ms, decimalComma)} sin actividad. ¡Adiós!`,
  nameTimeout: 'no diste tu nombre a tiempo. ¡Adiós!',
  kicked: ({ operator }) => `${operator} te sacó del chat`,
  closing: 'el chat se cierra. ¡Adiós!',
  refusedFull: ({ max }) => `lo siento, el chat está lleno (${max} ${max === 1 ? 'persona' : 'personas'}); inténtalo más tarde`,
  refusedClosing: 'lo siento, el chat se está cerrando; inténtalo más tarde',
  left: ({ name }) => `${name} salió del chat`,
  leftReset: ({ name }) => `${name} salió del chat (conexión cortada con RST)`,
  leftError: ({ name }) => `${name} salió del chat (error de conexión)`,
  leftIdle: ({ name }) => `${name} salió del chat (inactividad)`,
  leftFlood: ({ name }) => `${name} salió del chat (conexión cerrada por exceso de mensajes)`,
  leftSlowReader: ({ name, bytes }) => `${name} salió del chat (conexión cerrada: no leía; ${bytes} bytes en espera)`,
  leftKicked: ({ name, operator }) => `${operator} sacó a ${name} del chat`,
}

/** The catalogue for each language; `satisfies` makes a language without one a compile error. */
export const CHAT_MESSAGES = { en: EN().chat, es, pt: catalog('pt').t.chat } as const satisfies Record<ChatLanguage, ChatMessages>

/** True for exactly `en`, `es` or `pt`. */
export const isChatLanguage = (value: unknown): value is ChatLanguage =>
  typeof value === 'string' && (CHAT_LANGUAGES as readonly string[]).includes(value)

/**
 * A language as a person types it: `es`, `ES`, `es-AR`, `pt_BR` — the language code, any case,
 * optionally followed by a region, which is accepted and ignored (there is one Spanish and one
 * Portuguese, the Brazilian, catalogue). Throws ERR_SOCKKIT_INVALID_ARG for anything else.
 */
export const parseChatLanguage = (value: string): ChatLanguage => {
  const match = /^([a-z]{2})(?:[-_][a-z0-9]{1,8})*$/i.exec(value.trim())
  const code = match?.[1]!.toLowerCase()
  if (!isChatLanguage(code)) {
    throw invalidArg('chatLangUnreadable', { value }, { value })
  }
  return code
}
