import { formatAddress, isWildcard } from '../core/addresses.js'
import { hasCode } from '../core/errors.js'

export interface ExplainContext {
  host?: string
  port?: number
  /** What the user was doing, for the connection-refused hint ("tcp-server", "serve"…). */
  serverCommand?: string
  /** 'udp': a refusal came back as an ICMP "port unreachable" to a connected UDP socket. */
  transport?: 'tcp' | 'udp'
  /** The system the advice is for (interface names, reserved ports). Default: this one. */
  platform?: NodeJS.Platform
}

/**
 * One plain sentence for an expected failure — what happened and what to do — or
 * `undefined` when the error is not one we expected (the caller shows its message).
 */
export const explainError = (err: unknown, ctx: ExplainContext = {}): string | undefined => {
  if (!hasCode(err)) return undefined
  const e = err as Error & { code: string; address?: string; port?: number; hostname?: string; syscall?: string }
  const host = ctx.host ?? e.address ?? e.hostname ?? 'the host'
  const port = ctx.port ?? e.port
  const where = port !== undefined ? formatAddress(host, port) : host
  const platform = ctx.platform ?? process.platform
  switch (e.code) {
    case 'ECONNREFUSED':
      return `nothing is listening on ${where}${triedAddresses(e, host)}` +
        (ctx.transport === 'udp' ? ' (the host answered \'port unreachable\')' : '') +
        (port !== undefined ? ` — start one with \`sockkit ${ctx.serverCommand ?? 'tcp-server'} ${port}${hostFlag(host)}\`` : '')
    case 'EADDRINUSE':
      return `port ${port ?? '?'} is already in use on ${host} — pick another port or stop the program using it`
    case 'EADDRNOTAVAIL':
      return `${host} is not an address of this machine, so nothing can listen on it or send from it`
    case 'EACCES':
    case 'EPERM':
      return e.syscall === 'bind' || e.syscall === 'listen'
        ? `permission denied to use port ${port ?? '?'} on ${host} ${bindDeniedWhy(platform, ctx.transport, port, host)}`
        : `permission denied for ${where} (${e.code}): a firewall rule, or a broadcast address (sockkit does not send broadcasts), can cause this`
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return `cannot resolve host "${ctx.host ?? e.hostname ?? '?'}": no such name (check the spelling, or use an IP address)`
    case 'EAI_AGAIN':
      return `cannot resolve host "${ctx.host ?? e.hostname ?? '?'}" right now: the name server did not answer`
    case 'EHOSTUNREACH':
      return `${host} is unreachable: no route to that host`
    case 'ENETUNREACH':
      return `${host} is unreachable: this machine has no route to that network`
    case 'ENETDOWN':
      return `the network to ${host} is down`
    case 'ETIMEDOUT':
    case 'ERR_SOCKKIT_CONNECT_TIMEOUT':
      // On an open connection (read/write), the kernel gave up retransmitting or its
      // keepalive went unanswered: the peer vanished, not a connect that never finished.
      if (e.code === 'ETIMEDOUT' && (e.syscall === 'read' || e.syscall === 'write')) {
        return `${where} stopped answering: the open connection timed out (the host or the network to it went away without closing it)`
      }
      return `no answer from ${where} within the connect timeout — the host may be down or a firewall may be dropping packets`
    case 'ECONNRESET':
      return `the connection to ${where} was reset by the other side`
    case 'ECONNABORTED':
      // Windows reports a connection its own stack gave up on (retransmission timeout, a
      // keepalive failure) this way; elsewhere it is rare.
      return `the connection to ${where} was aborted by this machine's network stack (ECONNABORTED): the other side stopped answering or the network went away`
    case 'EPIPE':
      return `the other side of ${where} closed the connection while we were still sending`
    case 'EINVAL':
      // A link-local IPv6 address (fe80::/10) means nothing without the interface it is on.
      if (/^fe[89ab][0-9a-f]:/i.test(host) && !host.includes('%')) {
        const [zone, list] = LINK_LOCAL_ZONE[platform] ?? LINK_LOCAL_ZONE.linux!
        return `${host} is a link-local IPv6 address: add the interface it is on, like ${host}%${zone} (see \`${list}\`)`
      }
      return `invalid address or port for ${where} (${e.syscall ?? 'socket'} said EINVAL)`
    case 'EMSGSIZE':
    case 'ERR_SOCKKIT_DATAGRAM_TOO_BIG':
      return e.message
    case 'ERR_SOCKKIT_INVALID_ARG':
    case 'ERR_SOCKKIT_UNSUPPORTED':
    case 'ERR_SOCKKIT_NO_ANSWER':
      return e.message
    default:
      return undefined
  }
}

/**
 * For a name, the addresses actually tried — "localhost" may be 127.0.0.1, ::1 or both, and a
 * server on the other one looks the same as no server: ` (tried ::1 and 127.0.0.1)`. Node
 * puts the address on the error, or on each error of an AggregateError when it tried several
 * (happy eyeballs). Empty when the host is already that address.
 */
const triedAddresses = (e: { address?: unknown; errors?: unknown }, host: string): string => {
  const inner = Array.isArray(e.errors) ? e.errors.map(x => (x as { address?: unknown }).address) : []
  const addresses = [...new Set([e.address, ...inner])].filter((a): a is string => typeof a === 'string' && a !== '' && a !== host)
  return addresses.length === 0 ? '' : ` (tried ${addresses.join(' and ')})`
}

/**
 * The same sentence for an error that arrived as data — a `{ code, message }` in an event or
 * a result — rather than as an Error; its own message when the code is not one we explain.
 */
export const explainReported = (reported: { code: string; message: string }, ctx: ExplainContext = {}): string =>
  explainError(Object.assign(new Error(reported.message), { code: reported.code }), ctx) ?? reported.message

/** Servers bind 127.0.0.1 by default: any other address needs --host to be heard on it. */
const hostFlag = (host: string): string =>
  host === '127.0.0.1' || host === 'localhost' || host === 'the host' ? '' : ` --host ${host}`

/**
 * Why a bind is refused. Linux and the BSDs keep ports below 1024 for administrators. macOS
 * (since 10.14) lets anyone use them on the wildcard address (0.0.0.0, ::) but still not on
 * one address such as 127.0.0.1, sockkit's default. Above 1023 the port is not the reason:
 * a security policy (SELinux, AppArmor, a macOS sandbox) is. Windows has no privileged
 * ports, and EACCES there is a port range reserved by Hyper-V, WSL or Docker
 * (`netsh … show excludedportrange`).
 */
const bindDeniedWhy = (platform: NodeJS.Platform, transport: 'tcp' | 'udp' | undefined, port: number | undefined, host: string): string => {
  if (platform === 'win32') {
    return `(Windows reserves some port ranges: see \`netsh interface ipv4 show excludedportrange protocol=${transport ?? 'tcp'}\`${transport === undefined ? ' (or protocol=udp)' : ''}, and pick a port outside them)`
  }
  const privileged = port === undefined || port < 1024
  if (privileged && platform === 'darwin' && !isWildcard(host)) {
    return `(macOS lets anyone use ports below 1024 only on every address (0.0.0.0 or ::), not on one such as ${host}: pick 1024 or above, or run with sudo)`
  }
  if (privileged && platform !== 'darwin') return '(ports below 1024 need administrator rights)'
  const which = port === undefined ? 'the port' : String(port)
  return `(${which} is not a privileged port${privileged ? ' on every address for macOS' : ''}: a security policy (SELinux, AppArmor, a sandbox) refused it)`
}

/** How a link-local zone is written on each system, and the command that lists the interfaces. */
const LINK_LOCAL_ZONE: Partial<Record<NodeJS.Platform, [string, string]>> = {
  linux: ['eth0', 'ip addr'],
  darwin: ['en0', 'ifconfig'],
  freebsd: ['em0', 'ifconfig'],
  win32: ['12', 'ipconfig'],
}

