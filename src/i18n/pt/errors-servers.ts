import type { Fmt } from '../fmt.js'
import type { errorsServers as En } from '../en/errors-servers.js'

/** Erros dos servidores TCP (tcp-server, chat-server). */
export const errorsServers = (f: Fmt): ReturnType<typeof En> => ({
  chatLangUnknown: (p) =>
    `lang deve ser ${p.languages.slice(0, -1).join(', ')} ou ${p.languages.at(-1)}, não "${p.value}"`,
  chatLangUnreadable: (p) => `lang deve ser en, es ou pt (uma região como es-AR ou pt-BR é aceita), não "${p.value}"`,
  chatOperatorNameInvalid: (p) =>
    `nome de operador inválido: "${p.value}" (1–${f.num(p.max)} letras, dígitos, "-", "_" ou ".")`,
  chatLimitNotPositive: (p) => `${p.option} deve ser maior que 0, não ${f.num(p.value)}`,
  chatNameInvalid: (p) => `nome inválido: "${p.value}" (1–24 letras, dígitos, "-", "_" ou ".", sem espaços)`,
})
