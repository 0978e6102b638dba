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
 * area `chat` (English in src/i18n/en/chat.ts, Spanish in src/i18n/es/chat.ts). Portuguese lives here for now.
 */
export type ChatMessages = Catalog['chat']

/** `1.5` → `1,5`: Spanish and Portuguese write a decimal comma. */
const decimalComma = (n: number): string => String(n).replace('.', ',')
/** `1 s`, `1.5 s`, `500 ms` — with the language's decimal mark. */
const waitText = (ms: number, decimal: (n: number) => string = String): string =>
  ms >= 1000 ? `${decimal(ms / 1000)} s` : `${ms} ms`


// Spanish and Portuguese address the student informally (tú / você), as a teacher in class
// would, and avoid gendered participles ("desconectado/a") by naming the connection instead.

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
export const CHAT_MESSAGES = { en: EN().chat, es: catalog('es').t.chat, pt } as const satisfies Record<ChatLanguage, ChatMessages>

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
