import type { Fmt } from '../fmt.js'
import type { errorsServers as En } from '../en/errors-servers.js'

/** Errores de los servidores TCP (tcp-server, chat-server). */
export const errorsServers = (f: Fmt): ReturnType<typeof En> => ({
  chatLangUnknown: (p) => `lang debe ser ${p.languages.slice(0, -1).join(', ')} o ${p.languages.at(-1)}, no "${p.value}"`,
  chatLangUnreadable: (p) => `lang debe ser en, es o pt (se acepta una región, como es-AR o pt-BR), no "${p.value}"`,
  chatOperatorNameInvalid: (p) =>
    `nombre de operador no válido: "${p.value}" (1–${f.num(p.max)} letras, dígitos, "-", "_" o ".")`,
  chatLimitNotPositive: (p) => `${p.option} debe ser mayor que 0, no ${f.num(p.value)}`,
  chatNameInvalid: (p) => `nombre no válido: "${p.value}" (1–24 letras, dígitos, "-", "_" o ".", sin espacios)`,
})
