import type { Fmt } from '../fmt.js'

/** Errors of the TCP servers (tcp-server, chat-server): keys start with the server's name. */
export const errorsServers = (f: Fmt) => ({
  /** A `lang` option the chat does not speak; `languages` is every one it does. */
  chatLangUnknown: (p: { languages: readonly string[]; value: string }) =>
    `lang must be ${p.languages.slice(0, -1).join(', ')} or ${p.languages.at(-1)}, not "${p.value}"`,
  /** A language as a person typed it, which parseChatLanguage could not read. */
  chatLangUnreadable: (p: { value: string }) => `lang must be en, es or pt (a region such as es-AR or pt-BR is accepted), not "${p.value}"`,
  chatOperatorNameInvalid: (p: { max: number; value: string }) =>
    `the operator's name must be 1–${f.num(p.max)} letters, digits, "-", "_" or ".", not "${p.value}"`,
  /** `option` is the library option's name (maxLineBytes…). */
  chatLimitNotPositive: (p: { option: string; value: number }) => `${p.option} must be greater than 0, not ${p.value}`,
  chatNameInvalid: (p: { value: string }) => `name must be 1–24 letters, digits, "-", "_" or "." with no spaces, not "${p.value}"`,
})
