import type { Fmt } from '../fmt.js'
import type { errorsUdp as En } from '../en/errors-udp.js'

/** Erros do servidor de eco UDP (src/servers/udp-server). */
export const errorsUdp = (f: Fmt): ReturnType<typeof En> => ({
  udpServerEventsPerSecond: (p) => `eventsPerSecond deve ser um número inteiro maior ou igual a 0, não ${f.num(p.value)}`,
  udpServerMaxPeers: (p) => `maxPeers deve ser um número inteiro maior ou igual a 1, não ${f.num(p.value)}`,
})
