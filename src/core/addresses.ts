import { networkInterfaces } from 'node:os'
import { isIPv6 } from 'node:net'

/**
 * `host:port`, with IPv6 hosts in brackets (`[::1]:9000`). An IPv4 client of a dual-stack
 * server (`--host ::`) arrives as `::ffff:127.0.0.1`; it is shown as the `127.0.0.1` it
 * used, the address the listening line told it to use.
 */
export const formatAddress = (host: string, port: number): string => {
  const shown = unmapIPv4(host)
  return isIPv6(shown) ? `[${shown}]:${port}` : `${shown}:${port}`
}

/** `::ffff:a.b.c.d` (an IPv4 peer of an IPv6 socket) as `a.b.c.d`; any other address as it is. */
export const unmapIPv4 = (host: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)
  return mapped ? mapped[1]! : host
}

/** Whether a bind address accepts connections on every interface. */
export const isWildcard = (host: string): boolean =>
  host === '0.0.0.0' || host === '::' || host === '::0' || host === ''

/**
 * Every address a client could use to reach a server bound to `host`.
 * For 0.0.0.0 that is each IPv4 address of this machine; for :: both families
 * (IPv6 sockets usually accept IPv4 too); otherwise just `host`.
 */
export const reachableAddresses = (host: string): string[] => {
  if (!isWildcard(host)) return [host]
  const wantV6 = host !== '0.0.0.0'
  const found: string[] = []
  for (const list of Object.values(networkInterfaces())) {
    for (const info of list ?? []) {
      if (info.family === 'IPv4') found.push(info.address)
      else if (wantV6 && !info.address.startsWith('fe80')) found.push(info.address)
    }
  }
  // Loopback first: it is what a student on the same laptop types.
  return found.sort((a, b) => Number(isLoopback(b)) - Number(isLoopback(a)))
}

export const isLoopback = (host: string): boolean => {
  const shown = unmapIPv4(host)
  return shown.startsWith('127.') || shown === '::1' || shown === 'localhost'
}
