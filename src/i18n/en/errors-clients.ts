import type { Fmt } from '../fmt.js'

/** Errors of the clients (tcp-client, udp-send), the library's and their commands' usage errors. */
export const errorsClients = (f: Fmt) => ({
  tcpClientAborted: 'the connection attempt was aborted',
  tcpClientConnectTimeout: (p: { where: string; timeoutMs: number }) => `no connection to ${p.where} within ${f.num(p.timeoutMs)} ms`,
  /** A message given as several words: the shell split it; `words` as typed, from the message on. */
  messageWords: (p: { command: string; host: string; port: string; words: string[] }) =>
    `the message is one argument, and ${f.num(p.words.length)} words were given: quote it, as in ` +
    `sockkit ${p.command} ${p.host} ${p.port} "${p.words.join(' ')}"`,
  udpSendIntervalAndRate: 'give an interval or a rate, not both',
  udpSendCount: (p: { count: number }) => `count must be a whole number of at least 1, not ${f.num(p.count)}`,
  udpSendPort: (p: { port: number }) => `port must be a whole number from 1 to 65535, not ${f.num(p.port)}`,
  udpSendRecvBuffer: (p: { size: number }) => `the receive buffer size must be a whole number of bytes, at least 1, not ${f.num(p.size)}`,
  udpSendSizeOverFamilyLimit: (p: { size: number; limit: number; family: string; address: string }) =>
    `size ${f.num(p.size)} is over the ${f.num(p.limit)}-byte UDP limit for ${p.family} (${p.address})`,
  // Usage errors of the udp-send command: they may name its options.
  udpSendSizeOverLimit: (p: { size: number; ipv4: number; ipv6: number }) =>
    `size ${f.num(p.size)} is over the UDP limit: at most ${f.num(p.ipv4)} bytes over IPv4, ${f.num(p.ipv6)} over IPv6`,
  udpSendMessageOverSize: (p: { bytes: number; seq: boolean; size: number }) =>
    `the message is ${f.num(p.bytes)} bytes${p.seq ? ' with its seq= prefix' : ''}, longer than --size ${f.num(p.size)}`,
  udpSendMessageOverLimit: (p: { bytes: number; ipv4: number; ipv6: number }) =>
    `the message is ${f.num(p.bytes)} bytes, over the UDP limit (${f.num(p.ipv4)} bytes over IPv4, ${f.num(p.ipv6)} over IPv6)`,
  udpSendEmptyStdin: 'stdin was empty: nothing was sent (give a message, or pipe lines in)',
})
