import type { Fmt } from '../fmt.js'

/** Errors of the UDP echo server (src/servers/udp-server). */
export const errorsUdp = (_f: Fmt) => ({
  udpServerEventsPerSecond: (p: { value: number }) => `eventsPerSecond must be a whole number of at least 0, not ${p.value}`,
  udpServerMaxPeers: (p: { value: number }) => `maxPeers must be a whole number of at least 1, not ${p.value}`,
})
