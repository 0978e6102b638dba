import type { Fmt } from '../fmt.js'
import type { errorsUdp as En } from '../en/errors-udp.js'

/** Errores del servidor de eco UDP (src/servers/udp-server). */
export const errorsUdp = (f: Fmt): ReturnType<typeof En> => ({
  udpServerEventsPerSecond: (p) => `eventsPerSecond debe ser un número entero mayor o igual que 0, no ${f.num(p.value)}`,
  udpServerMaxPeers: (p) => `maxPeers debe ser un número entero mayor o igual que 1, no ${f.num(p.value)}`,
})
