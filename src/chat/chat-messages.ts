import { invalidArgText } from '../core/errors.js'

/**
 * Languages the chat server can speak to its clients. English is the default; Spanish and
 * (Brazilian) Portuguese because the course this chat is built for is taught in them.
 */
export const CHAT_LANGUAGES = ['en', 'es', 'pt'] as const
export type ChatLanguage = typeof CHAT_LANGUAGES[number]

/**
 * Every line the chat server itself sends to a client, in one language. Values are passed in;
 * the text around them is the catalogue's. Notices get their `* ` prefix from the server, so
 * none starts with one. Command names (/who, /nick, /me, /quit, /help) stay the same in every
 * language: they are what a client types.
 */
export interface ChatMessages {
  /** The first line a connection receives, and again after a name that was not accepted. */
  namePrompt: string
  nameEmpty: string
  nameTooLong: (maxCharacters: number) => string
  nameInvalid: string
  /** `/quit` typed instead of a name. */
  byeBeforeName: string
  nameTaken: (requestedName: string, givenName: string) => string
  /** `here` is everyone already in the chat, the operator first. */
  welcome: (name: string, here: string[]) => string
  historyStart: (messages: number) => string
  historyEnd: string
  joined: (name: string) => string
  /** The answer to /who: `names` are already tagged with {@link operatorTag} / {@link youTag}. */
  who: (names: string[]) => string
  operatorTag: (name: string) => string
  youTag: (name: string) => string
  nickUsage: (maxCharacters: number) => string
  nickSame: (name: string) => string
  nickTaken: (name: string) => string
  nickChanged: (from: string, to: string) => string
  meUsage: string
  byeQuit: (name: string) => string
  /** The /help text, one string per line; `name` is the asker's, for the examples. */
  help: (name: string) => string[]
  unknownCommand: (command: string) => string
  lineTruncated: (maxLineBytes: number) => string
  noNewline: (waitedMs: number) => string
  slowDown: (linesPerSecond: number, timeoutSeconds: number) => string
  floodDisconnected: string
  /** `ms`: the idle timeout. */
  idleDisconnected: (ms: number) => string
  nameTimeout: string
  kicked: (operator: string) => string
  closing: string
  refusedFull: (maxClients: number) => string
  refusedClosing: string
  /** What the others see when someone leaves, by reason. */
  left: (name: string) => string
  leftReset: (name: string) => string
  leftError: (name: string) => string
  leftIdle: (name: string) => string
  leftFlood: (name: string) => string
  leftSlowReader: (name: string, waitingBytes: number) => string
  leftKicked: (name: string, operator: string) => string
}

/** `1.5` → `1,5`: Spanish and Portuguese write a decimal comma. */
const decimalComma = (n: number): string => String(n).replace('.', ',')
/** `1 s`, `1.5 s`, `500 ms` — with the language's decimal mark. */
const waitText = (ms: number, decimal: (n: number) => string = String): string =>
  ms >= 1000 ? `${decimal(ms / 1000)} s` : `${ms} ms`

/** Today's English lines, byte for byte (tests and course material quote them). */
const en: ChatMessages = {
  // Bilingual on purpose: students meet the chat through `nc`, which shows this line and
  // nothing else, so the default has to be understood by a Spanish-speaking class too.
  namePrompt: 'Your name? / ¿Tu nombre?',
  nameEmpty: 'a name cannot be empty',
  nameTooLong: max => `a name can have at most ${max} characters`,
  nameInvalid: 'a name is letters, digits, "-", "_" or ".", starting with a letter or digit, with no spaces and no look-alike or invisible characters',
  byeBeforeName: 'bye!',
  nameTaken: (requested, given) => `${requested} is taken, so you are ${given}`,
  welcome: (name, here) => `welcome, ${name}! Here now: ${here.join(', ')}. Type /help for commands`,
  historyStart: n => `the last ${n === 1 ? 'message' : `${n} messages`}:`,
  historyEnd: 'end of history',
  joined: name => `${name} joined`,
  who: names => `here now (${names.length}): ${names.join(', ')}`,
  operatorTag: name => `${name} (operator)`,
  youTag: name => `${name} (you)`,
  nickUsage: max => `usage: /nick <name> — letters, digits, "-", "_" or ".", at most ${max} characters`,
  nickSame: name => `you are already ${name}`,
  nickTaken: name => `the name ${name} is taken; try another`,
  nickChanged: (from, to) => `${from} is now ${to}`,
  meUsage: 'usage: /me <action>, e.g. /me waves',
  byeQuit: name => `bye, ${name}!`,
  help: name => [
    'commands:',
    '  /who           who is here',
    '  /nick <name>   change your name',
    `  /me <action>   "/me waves" shows as "~ ${name} waves"`,
    '  /quit          leave the chat',
    '  //text         send a line that starts with "/"',
    `anything else goes to everyone as "${name}: text"`,
  ],
  unknownCommand: command => `unknown command /${command}; type /help (start a line with // to send "/" as text)`,
  lineTruncated: max => `your line was longer than ${max} bytes; only the first part was kept`,
  noNewline: ms => `your line had no newline; it was taken after ${waitText(ms)} — end each line with Enter ("\\n")`,
  slowDown: (rate, seconds) => `slow down: more than ${rate} lines a second. Your lines are held back; ` +
    `keep this up for ${seconds} s and you will be disconnected`,
  floodDisconnected: 'disconnected for flooding the chat',
  idleDisconnected: ms => `you were idle for ${waitText(ms)}. Bye!`,
  nameTimeout: 'no name given in time. Bye!',
  kicked: operator => `you were removed from the chat by ${operator}`,
  closing: 'the chat is closing. Bye!',
  refusedFull: max => `sorry, the chat is full (${max} ${max === 1 ? 'person' : 'people'}); try again later`,
  refusedClosing: 'sorry, the chat is closing; try again later',
  left: name => `${name} left`,
  leftReset: name => `${name} left (connection reset)`,
  leftError: name => `${name} left (connection error)`,
  leftIdle: name => `${name} left (idle)`,
  leftFlood: name => `${name} was disconnected for flooding`,
  leftSlowReader: (name, bytes) => `${name} was disconnected: not reading (${bytes} bytes waiting for them)`,
  leftKicked: (name, operator) => `${name} was removed by ${operator}`,
}

// Spanish and Portuguese address the student informally (tú / você), as a teacher in class
// would, and avoid gendered participles ("desconectado/a") by naming the connection instead.

const es: ChatMessages = {
  namePrompt: '¿Tu nombre?',
  nameEmpty: 'el nombre no puede estar vacío',
  nameTooLong: max => `el nombre puede tener como máximo ${max} caracteres`,
  nameInvalid: 'un nombre solo puede tener letras, dígitos, "-", "_" o ".", empezar por una letra o un dígito, y no llevar espacios ni caracteres invisibles o que imiten a otros',
  byeBeforeName: '¡adiós!',
  nameTaken: (requested, given) => `${requested} ya está en uso; tu nombre será ${given}`,
  welcome: (name, here) => `¡hola, ${name}! En el chat: ${here.join(', ')}. Escribe /help para ver los comandos`,
  historyStart: n => n === 1 ? 'el último mensaje:' : `los últimos ${n} mensajes:`,
  historyEnd: 'fin del historial',
  joined: name => `${name} entró al chat`,
  who: names => `en el chat (${names.length}): ${names.join(', ')}`,
  operatorTag: name => `${name} (responsable)`,
  youTag: name => `${name} (tú)`,
  nickUsage: max => `uso: /nick <nombre> — letras, dígitos, "-", "_" o ".", como máximo ${max} caracteres`,
  nickSame: name => `ya te llamas ${name}`,
  nickTaken: name => `el nombre ${name} ya está en uso; prueba otro`,
  nickChanged: (from, to) => `${from} ahora se llama ${to}`,
  meUsage: 'uso: /me <acción>, por ejemplo /me saluda',
  byeQuit: name => `¡adiós, ${name}!`,
  help: name => [
    'comandos:',
    '  /who            quién está en el chat',
    '  /nick <nombre>  cambiar tu nombre',
    `  /me <acción>    "/me saluda" se ve como "~ ${name} saluda"`,
    '  /quit           salir del chat',
    '  //texto         enviar una línea que empieza con "/"',
    `todo lo demás llega a todos como "${name}: texto"`,
  ],
  unknownCommand: command => `comando desconocido /${command}; escribe /help (empieza la línea con // para enviar "/" como texto)`,
  lineTruncated: max => `tu línea tenía más de ${max} bytes; solo se conservó la primera parte`,
  noNewline: ms => `tu línea no tenía salto de línea; se aceptó tal cual después de ${waitText(ms, decimalComma)} — termina cada línea con Enter ("\\n")`,
  slowDown: (rate, seconds) => `más despacio: más de ${decimalComma(rate)} líneas por segundo. Tus líneas quedan en espera; ` +
    `si sigues así durante ${decimalComma(seconds)} s, se cerrará tu conexión`,
  floodDisconnected: 'se cerró tu conexión por enviar demasiados mensajes',
  idleDisconnected: ms => `${waitText(ms, decimalComma)} sin actividad. ¡Adiós!`,
  nameTimeout: 'no diste tu nombre a tiempo. ¡Adiós!',
  kicked: operator => `${operator} te sacó del chat`,
  closing: 'el chat se cierra. ¡Adiós!',
  refusedFull: max => `lo siento, el chat está lleno (${max} ${max === 1 ? 'persona' : 'personas'}); inténtalo más tarde`,
  refusedClosing: 'lo siento, el chat se está cerrando; inténtalo más tarde',
  left: name => `${name} salió del chat`,
  leftReset: name => `${name} salió del chat (conexión cortada con RST)`,
  leftError: name => `${name} salió del chat (error de conexión)`,
  leftIdle: name => `${name} salió del chat (inactividad)`,
  leftFlood: name => `${name} salió del chat (conexión cerrada por exceso de mensajes)`,
  leftSlowReader: (name, bytes) => `${name} salió del chat (conexión cerrada: no leía; ${bytes} bytes en espera)`,
  leftKicked: (name, operator) => `${operator} sacó a ${name} del chat`,
}

const pt: ChatMessages = {
  namePrompt: 'Seu nome?',
  nameEmpty: 'o nome não pode ficar vazio',
  nameTooLong: max => `o nome pode ter no máximo ${max} caracteres`,
  nameInvalid: 'um nome só pode ter letras, dígitos, "-", "_" ou ".", começar por uma letra ou um dígito, e não ter espaços nem caracteres invisíveis ou que imitem outros',
  byeBeforeName: 'tchau!',
  nameTaken: (requested, given) => `${requested} já está em uso; seu nome será ${given}`,
  welcome: (name, here) => `olá, ${name}! No chat: ${here.join(', ')}. Digite /help para ver os comandos`,
  historyStart: n => n === 1 ? 'a última mensagem:' : `as últimas ${n} mensagens:`,
  historyEnd: 'fim do histórico',
  joined: name => `${name} entrou no chat`,
  who: names => `no chat (${names.length}): ${names.join(', ')}`,
  operatorTag: name => `${name} (responsável)`,
  youTag: name => `${name} (você)`,
  nickUsage: max => `uso: /nick <nome> — letras, dígitos, "-", "_" ou ".", no máximo ${max} caracteres`,
  nickSame: name => `você já se chama ${name}`,
  nickTaken: name => `o nome ${name} já está em uso; tente outro`,
  nickChanged: (from, to) => `${from} agora se chama ${to}`,
  meUsage: 'uso: /me <ação>, por exemplo /me acena',
  byeQuit: name => `tchau, ${name}!`,
  help: name => [
    'comandos:',
    '  /who           quem está no chat',
    '  /nick <nome>   mudar seu nome',
    `  /me <ação>     "/me acena" aparece como "~ ${name} acena"`,
    '  /quit          sair do chat',
    '  //texto        enviar uma linha que começa com "/"',
    `qualquer outra linha vai para todos como "${name}: texto"`,
  ],
  unknownCommand: command => `comando desconhecido /${command}; digite /help (comece a linha com // para enviar "/" como texto)`,
  lineTruncated: max => `sua linha tinha mais de ${max} bytes; só a primeira parte foi mantida`,
  noNewline: ms => `sua linha não tinha quebra de linha; foi aceita depois de ${waitText(ms, decimalComma)} — termine cada linha com Enter ("\\n")`,
  slowDown: (rate, seconds) => `mais devagar: mais de ${decimalComma(rate)} linhas por segundo. Suas linhas estão em espera; ` +
    `se continuar assim por ${decimalComma(seconds)} s, sua conexão será encerrada`,
  floodDisconnected: 'sua conexão foi encerrada por excesso de mensagens',
  idleDisconnected: ms => `${waitText(ms, decimalComma)} sem atividade. Tchau!`,
  nameTimeout: 'você não informou seu nome a tempo. Tchau!',
  kicked: operator => `${operator} removeu você do chat`,
  closing: 'o chat está sendo encerrado. Tchau!',
  refusedFull: max => `desculpe, o chat está cheio (${max} ${max === 1 ? 'pessoa' : 'pessoas'}); tente de novo mais tarde`,
  refusedClosing: 'desculpe, o chat está sendo encerrado; tente de novo mais tarde',
  left: name => `${name} saiu do chat`,
  leftReset: name => `${name} saiu do chat (conexão cortada com RST)`,
  leftError: name => `${name} saiu do chat (erro de conexão)`,
  leftIdle: name => `${name} saiu do chat (inatividade)`,
  leftFlood: name => `${name} saiu do chat (conexão encerrada por excesso de mensagens)`,
  leftSlowReader: (name, bytes) => `${name} saiu do chat (conexão encerrada: não estava lendo; ${bytes} bytes esperando)`,
  leftKicked: (name, operator) => `${operator} removeu ${name} do chat`,
}

/** The catalogue for each language; `satisfies` makes a language without one a compile error. */
export const CHAT_MESSAGES = { en, es, pt } as const satisfies Record<ChatLanguage, ChatMessages>

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
    throw invalidArgText(`lang must be en, es or pt (a region such as es-AR or pt-BR is accepted), not "${value}"`, { value })
  }
  return code
}
