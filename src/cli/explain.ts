import { formatAddress, isWildcard } from '../core/addresses.js'
import { hasCode } from '../core/errors.js'
import { catalog, type Catalog } from '../i18n/index.js'
import type { PortHolders } from '../net/port-holders.js'

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

type NodeError = Error & { code: string; address?: string; port?: number; hostname?: string; syscall?: string; errors?: unknown; holders?: PortHolders }
type Explain = Catalog['explain']

/** Where the failure happened, as the sentences name it. */
interface Place { host: string; port: number | undefined; where: string; platform: NodeJS.Platform }

/**
 * One plain sentence for an expected failure — what happened and what to do — or
 * `undefined` when the error is not one we expected (the caller shows its message).
 * `t`: the messages in the user's language; our own errors are worded from their
 * catalogue key and parameters, so they follow the language too.
 */
export const explainError = (err: unknown, ctx: ExplainContext = {}, t: Catalog = catalog('en').t): string | undefined => {
  if (!hasCode(err)) return undefined
  const e = err as NodeError
  const host = ctx.host ?? e.address ?? e.hostname ?? t.explain.theHost
  const port = ctx.port ?? e.port
  const place: Place = { host, port, where: port !== undefined ? formatAddress(host, port) : host, platform: ctx.platform ?? process.platform }
  return explainConnect(e, ctx, place, t.explain) ?? explainLocal(e, ctx, place, t.explain) ?? explainOurs(e, t)
}

/** Failures of reaching the other side: refused, unresolved, unreachable, timed out, broken. */
const explainConnect = (e: NodeError, ctx: ExplainContext, { host, port, where }: Place, x: Explain): string | undefined => {
  const name = ctx.host ?? e.hostname ?? '?'
  switch (e.code) {
    case 'ECONNREFUSED':
      return x.refused({
        where, tried: triedAddresses(e, host), portUnreachable: ctx.transport === 'udp',
        ...(port !== undefined ? { start: `sockkit ${ctx.serverCommand ?? 'tcp-server'} ${port}${hostFlag(host, x)}` } : {}),
      })
    case 'ENOTFOUND':
    case 'EAI_NONAME':
    case 'EAI_FAIL':
      return x.noSuchName({ host: name })
    case 'EAI_AGAIN':
      return x.nameServerSilent({ host: name })
    case 'EHOSTUNREACH': return x.hostUnreachable({ host })
    case 'ENETUNREACH': return x.networkUnreachable({ host })
    case 'ENETDOWN': return x.networkDown({ host })
    case 'ETIMEDOUT':
    case 'ERR_SOCKKIT_CONNECT_TIMEOUT':
      // On an open connection (read/write), the kernel gave up retransmitting or its
      // keepalive went unanswered: the peer vanished, not a connect that never finished.
      if (e.code === 'ETIMEDOUT' && (e.syscall === 'read' || e.syscall === 'write')) return x.stoppedAnswering({ where })
      return x.connectTimeout({ where })
    case 'ECONNRESET': return x.reset({ where })
    // Windows reports a connection its own stack gave up on (retransmission timeout, a
    // keepalive failure) this way; elsewhere it is rare.
    case 'ECONNABORTED': return x.aborted({ where })
    case 'EPIPE': return x.brokenPipe({ where })
    default: return undefined
  }
}

/** Failures of this machine: the address or port cannot be used here. */
const explainLocal = (e: NodeError, ctx: ExplainContext, { host, port, where, platform }: Place, x: Explain): string | undefined => {
  switch (e.code) {
    case 'EADDRINUSE':
      // Linux showed only closing sockets (TIME_WAIT…) on the port: nothing to stop, it frees itself.
      if (e.holders?.kind === 'closing' && port !== undefined) {
        const { states, freesInS } = e.holders
        return x.addressInUseClosing({ host, port, states: states.join(', '), ...(freesInS !== undefined ? { freesInS } : {}) })
      }
      return x.addressInUse({ host, ...(port !== undefined ? { port } : {}) })
    case 'EADDRNOTAVAIL': return x.addressNotAvailable({ host })
    case 'EACCES':
    case 'EPERM':
      return e.syscall === 'bind' || e.syscall === 'listen'
        ? x.bindDenied({ host, why: bindDeniedWhy(platform, ctx.transport, port, host, x), ...(port !== undefined ? { port } : {}) })
        : x.sendDenied({ where, code: e.code })
    case 'EINVAL':
      // A link-local IPv6 address (fe80::/10) means nothing without the interface it is on.
      if (/^fe[89ab][0-9a-f]:/i.test(host) && !host.includes('%')) {
        const [zone, list] = LINK_LOCAL_ZONE[platform] ?? LINK_LOCAL_ZONE.linux!
        return x.linkLocalZone({ host, zone, list })
      }
      return x.invalidAddress({ where, syscall: e.syscall ?? 'socket' })
    default: return undefined
  }
}

/**
 * Our own errors, worded from their catalogue entry (their message when they have none),
 * plus the CLI's hint where the library may not name a flag.
 */
const explainOurs = (e: NodeError & { key?: string; params?: unknown }, t: Catalog): string | undefined => {
  const entry = e.key !== undefined ? (t.errors as Record<string, unknown>)[e.key] : undefined
  const sentence = typeof entry === 'function' ? String((entry as (p: unknown) => string)(e.params ?? {}))
    : typeof entry === 'string' ? entry : e.message
  switch (e.code) {
    case 'EMSGSIZE':
      return e.message
    case 'ERR_SOCKKIT_DATAGRAM_TOO_BIG':
      return t.explain.smallerSize({ sentence })
    case 'ERR_SOCKKIT_INVALID_ARG':
    case 'ERR_SOCKKIT_UNSUPPORTED':
    case 'ERR_SOCKKIT_NO_ANSWER':
      return sentence
    default:
      return undefined
  }
}

/**
 * For a name, the addresses actually tried — "localhost" may be 127.0.0.1, ::1 or both, and a
 * server on the other one looks the same as no server: ` (tried ::1 and 127.0.0.1)`. Node
 * puts the address on the error, or on each error of an AggregateError when it tried several
 * (happy eyeballs). None when the host is already that address.
 */
const triedAddresses = (e: { address?: unknown; errors?: unknown }, host: string): string[] => {
  const inner = Array.isArray(e.errors) ? e.errors.map(x => (x as { address?: unknown }).address) : []
  return [...new Set([e.address, ...inner])].filter((a): a is string => typeof a === 'string' && a !== '' && a !== host)
}

/**
 * The same sentence for an error that arrived as data — a `{ code, message }` in an event or
 * a result — rather than as an Error; its own message when the code is not one we explain.
 */
export const explainReported = (reported: { code: string; message: string }, ctx: ExplainContext = {}, t: Catalog = catalog('en').t): string =>
  explainError(Object.assign(new Error(reported.message), { code: reported.code }), ctx, t) ?? reported.message

/** Servers bind 127.0.0.1 by default: any other address needs --host to be heard on it. */
const hostFlag = (host: string, x: Explain): string =>
  host === '127.0.0.1' || host === 'localhost' || host === x.theHost ? '' : ` --host ${host}`

/**
 * Why a bind is refused. Linux and the BSDs keep ports below 1024 for administrators. macOS
 * (since 10.14) lets anyone use them on the wildcard address (0.0.0.0, ::) but still not on
 * one address such as 127.0.0.1, sockkit's default. Above 1023 the port is not the reason:
 * a security policy (SELinux, AppArmor, a macOS sandbox) is. Windows has no privileged
 * ports, and EACCES there is a port range reserved by Hyper-V, WSL or Docker
 * (`netsh … show excludedportrange`).
 */
const bindDeniedWhy = (platform: NodeJS.Platform, transport: 'tcp' | 'udp' | undefined, port: number | undefined, host: string, x: Explain): string => {
  if (platform === 'win32') return x.windowsReserved({ protocol: transport ?? 'tcp', eitherProtocol: transport === undefined })
  const privileged = port === undefined || port < 1024
  if (privileged && platform === 'darwin' && !isWildcard(host)) return x.macosLowPortOneAddress({ host })
  if (privileged && platform !== 'darwin') return x.privilegedPort
  return x.securityPolicy({ macosWildcardOnly: privileged, ...(port !== undefined ? { port } : {}) })
}

/** How a link-local zone is written on each system, and the command that lists the interfaces. */
const LINK_LOCAL_ZONE: Partial<Record<NodeJS.Platform, [string, string]>> = {
  linux: ['eth0', 'ip addr'],
  darwin: ['en0', 'ifconfig'],
  freebsd: ['em0', 'ifconfig'],
  win32: ['12', 'ipconfig'],
}

