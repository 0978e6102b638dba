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
 * area `chat` (src/i18n/{en,es,pt}/chat.ts).
 */
export type ChatMessages = Catalog['chat']



// Spanish and Portuguese address the student informally (tú / você), as a teacher in class
// would, and avoid gendered participles ("desconectado/a") by naming the connection instead.


/** The catalogue for each language; `satisfies` makes a language without one a compile error. */
export const CHAT_MESSAGES = { en: EN().chat, es: catalog('es').t.chat, pt: catalog('pt').t.chat } as const satisfies Record<ChatLanguage, ChatMessages>

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
