import type { Fmt } from '../fmt.js'

/**
 * The CLI's plain-language explanation of an expected failure: what happened and what to do.
 * `where` is `host:port` as sockkit prints it (or the host alone); `port` is what the user gave.
 */
export const explain = (_f: Fmt) => ({
  /** `tried`: the addresses a name stood for, when they differ from it; `start`: the command that would listen there. */
  refused: (p: { where: string; tried: string[]; portUnreachable: boolean; start?: string }) =>
    `nothing is listening on ${p.where}${p.tried.length === 0 ? '' : ` (tried ${p.tried.join(' and ')})`}` +
    (p.portUnreachable ? ' (the host answered \'port unreachable\')' : '') +
    (p.start === undefined ? '' : ` — start one with \`${p.start}\``),
  addressInUse: (p: { port?: number; host: string }) =>
    `port ${p.port ?? '?'} is already in use on ${p.host} — pick another port or stop the program using it`,
  /**
   * EADDRINUSE where Linux shows only closing sockets no program owns (TIME_WAIT…): nothing to
   * stop. `freesInS`: the longest TIME_WAIT timer left, when every holder is in TIME_WAIT.
   */
  addressInUseClosing: (p: { port: number; host: string; states: string; freesInS?: number }) =>
    `port ${p.port} is already in use on ${p.host}, but only by connections closed a moment ago (${p.states}; no program owns them): ` +
    `the system frees it ${p.freesInS === undefined ? 'within a minute' : `in about ${p.freesInS} s`} — wait, or pick another port`,
  addressNotAvailable: (p: { host: string }) => `${p.host} is not an address of this machine, so nothing can listen on it or send from it`,
  bindDenied: (p: { port?: number; host: string; why: string }) =>
    `permission denied to use port ${p.port ?? '?'} on ${p.host} ${p.why}`,
  sendDenied: (p: { where: string; code: string }) =>
    `permission denied for ${p.where} (${p.code}): a firewall rule, or a broadcast address (sockkit does not send broadcasts), can cause this`,
  noSuchName: (p: { host: string }) => `cannot resolve host "${p.host}": no such name (check the spelling, or use an IP address)`,
  nameServerSilent: (p: { host: string }) => `cannot resolve host "${p.host}" right now: the name server did not answer`,
  hostUnreachable: (p: { host: string }) => `${p.host} is unreachable: no route to that host`,
  networkUnreachable: (p: { host: string }) => `${p.host} is unreachable: this machine has no route to that network`,
  networkDown: (p: { host: string }) => `the network to ${p.host} is down`,
  stoppedAnswering: (p: { where: string }) =>
    `${p.where} stopped answering: the open connection timed out (the host or the network to it went away without closing it)`,
  connectTimeout: (p: { where: string }) =>
    `no answer from ${p.where} within the connect timeout — the host may be down or a firewall may be dropping packets`,
  reset: (p: { where: string }) => `the connection to ${p.where} was reset by the other side`,
  aborted: (p: { where: string }) =>
    `the connection to ${p.where} was aborted by this machine's network stack (ECONNABORTED): the other side stopped answering or the network went away`,
  brokenPipe: (p: { where: string }) => `the other side of ${p.where} closed the connection while we were still sending`,
  linkLocalZone: (p: { host: string; zone: string; list: string }) =>
    `${p.host} is a link-local IPv6 address: add the interface it is on, like ${p.host}%${p.zone} (see \`${p.list}\`)`,
  invalidAddress: (p: { where: string; syscall: string }) => `invalid address or port for ${p.where} (${p.syscall} said EINVAL)`,
  /** Appended to a datagram the system refused for its size: every command that sends one has --size. */
  smallerSize: (p: { sentence: string }) => `${p.sentence} — try a smaller --size`,
  /** Stands for the host when neither the user nor the error named one. */
  theHost: 'the host',
  // Why a bind was refused (see bindDeniedWhy in src/cli/explain.ts).
  windowsReserved: (p: { protocol: string; eitherProtocol: boolean }) =>
    `(Windows reserves some port ranges: see \`netsh interface ipv4 show excludedportrange protocol=${p.protocol}\`` +
    `${p.eitherProtocol ? ' (or protocol=udp)' : ''}, and pick a port outside them)`,
  macosLowPortOneAddress: (p: { host: string }) =>
    `(macOS lets anyone use ports below 1024 only on every address (0.0.0.0 or ::), not on one such as ${p.host}: pick 1024 or above, or run with sudo)`,
  privilegedPort: '(ports below 1024 need administrator rights)',
  securityPolicy: (p: { port?: number; macosWildcardOnly: boolean }) =>
    `(${p.port ?? 'the port'} is not a privileged port${p.macosWildcardOnly ? ' on every address for macOS' : ''}: ` +
    'a security policy (SELinux, AppArmor, a sandbox) refused it)',
})
