import { invalidArg } from '../core/errors.js'
import { EN, type Catalog } from '../i18n/index.js'

/**
 * Languages the chat server can speak to its clients. English is the default; Spanish and
 * (Brazilian) Portuguese because the course this chat is built for is taught in them.
 */
export const CHAT_LANGUAGES = ['en', 'es', 'pt'] as const
export type ChatLanguage = typeof CHAT_LANGUAGES[number]

/**
 * Every line the chat server itself sends to a client, in one language: the catalogue's
 * area `chat` (English in src/i18n/en/chat.ts). Spanish and Portuguese live here for now.
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

const pt: ChatMessages = {
  namePrompt: 'Seu nome?',
  nameEmpty: 'o nome não pode ficar vazio',
  nameTooLong: ({ max }) => `o nome pode ter no máximo ${max} caracteres`,
  nameInvalid: 'um nome só pode ter letras, dígitos, "-", "_" ou ".", começar por uma letra ou um dígito, e não ter espaços nem caracteres invisíveis ou que imitem outros',
  byeBeforeName: 'tchau!',
  nameTaken: ({ requested, given }) => `${requested} já está em uso; seu nome será ${given}`,
  welcome: ({ name, here }) => `olá, ${name}! No chat: ${here.join(', ')}. Digite /help para ver os comandos`,
  historyStart: ({ n }) => n === 1 ? 'a última mensagem:' : `as últimas ${n} mensagens:`,
  historyEnd: 'fim do histórico',
  joined: ({ name }) => `${name} entrou no chat`,
  who: ({ names }) => `no chat (${names.length}): ${names.join(', ')}`,
  operatorTag: ({ name }) => `${name} (responsável)`,
  youTag: ({ name }) => `${name} (você)`,
  nickUsage: ({ max }) => `uso: /nick <nome> — letras, dígitos, "-", "_" ou ".", no máximo ${max} caracteres`,
  nickSame: ({ name }) => `você já se chama ${name}`,
  nickTaken: ({ name }) => `o nome ${name} já está em uso; tente outro`,
  nickChanged: ({ from, to }) => `${from} agora se chama ${to}`,
  meUsage: 'uso: /me <ação>, por exemplo /me acena',
  byeQuit: ({ name }) => `tchau, ${name}!`,
  help: ({ name }) => [
    'comandos:',
    '  /who           quem está no chat',
    '  /nick <nome>   mudar seu nome',
    `  /me <ação>     "/me acena" aparece como "~ ${name} acena"`,
    '  /quit          sair do chat',
    '  //texto        enviar uma linha que começa com "/"',
    `qualquer outra linha vai para todos como "${name}: texto"`,
  ],
  unknownCommand: ({ command }) => `comando desconhecido /${command}; digite /help (comece a linha com // para enviar "/" como texto)`,
  lineTruncated: ({ max }) => `sua linha tinha mais de ${max} bytes; só a primeira parte foi mantida`,
  noNewline: ({ ms }) => `sua linha não tinha quebra de linha; foi aceita depois de ${waitText(ms, decimalComma)} — termine cada linha com Enter ("\\n")`,
  slowDown: ({ rate, seconds }) => `mais devagar: mais de ${decimalComma(rate)} linhas por segundo. Suas linhas estão em espera; ` +
    `se continuar assim por ${decimalComma(seconds)} s, sua conexão será encerrada`,
  floodDisconnected: 'sua conexão foi encerrada por excesso de mensagens',
  idleDisconnected: ({ ms }) => `${waitText(ms, decimalComma)} sem atividade. Tchau!`,
  nameTimeout: 'você não informou seu nome a tempo. Tchau!',
  kicked: ({ operator }) => `${operator} removeu você do chat`,
  closing: 'o chat está sendo encerrado. Tchau!',
  refusedFull: ({ max }) => `desculpe, o chat está cheio (${max} ${max === 1 ? 'pessoa' : 'pessoas'}); tente de novo mais tarde`,
  refusedClosing: 'desculpe, o chat está sendo encerrado; tente de novo mais tarde',
  left: ({ name }) => `${name} saiu do chat`,
  leftReset: ({ name }) => `${name} saiu do chat (conexão cortada com RST)`,
  leftError: ({ name }) => `${name} saiu do chat (erro de conexão)`,
  leftIdle: ({ name }) => `${name} saiu do chat (inatividade)`,
  leftFlood: ({ name }) => `${name} saiu do chat (conexão encerrada por excesso de mensagens)`,
  leftSlowReader: ({ name, bytes }) => `${name} saiu do chat (conexão encerrada: não estava lendo; ${bytes} bytes esperando)`,
  leftKicked: ({ name, operator }) => `${operator} removeu ${name} do chat`,
}

/** The catalogue for each language; `satisfies` makes a language without one a compile error. */
export const CHAT_MESSAGES = { en: EN().chat, es, pt } as const satisfies Record<ChatLanguage, ChatMessages>

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
