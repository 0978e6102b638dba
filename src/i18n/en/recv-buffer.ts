import type { Fmt } from '../fmt.js'

/** A UDP socket's receive buffer (SO_RCVBUF), as udp-server and udp-send report it. */
export const recvBuffer = (f: Fmt) => ({
  systemDefault: (p: { granted: number }) => `receive buffer ${f.bytes(p.granted)} (the system default; --rcvbuf changes it)`,
  /** `why`: the system's error code, or the code and what caps it (macOS). */
  refused: (p: { requested: number; granted: number; why: string }) =>
    `receive buffer: the kernel refused ${f.num(p.requested)} bytes (${p.why}); using its default of ${f.num(p.granted)} bytes`,
  macosCap: (p: { code: string }) => `${p.code} — macOS caps it at kern.ipc.maxsockbuf, see \`sysctl kern.ipc.maxsockbuf\``,
  granted: (p: { requested: number; granted: number }) =>
    `receive buffer: asked for ${f.num(p.requested)} bytes, the kernel granted ${f.num(p.granted)} bytes`,
  linuxCapped: (p: { requested: number; granted: number; rmemMax: number }) =>
    `receive buffer: asked for ${f.num(p.requested)} bytes, capped at net.core.rmem_max = ${f.num(p.rmemMax)} bytes, which Linux ` +
    `doubles to ${f.num(p.granted)} for its bookkeeping — raise the cap with \`sysctl -w net.core.rmem_max=${p.requested}\``,
  linuxDoubled: (p: { requested: number; granted: number }) =>
    `receive buffer: asked for ${f.num(p.requested)} bytes, the kernel granted ${f.num(p.granted)} bytes ` +
    '(Linux doubles the request to leave room for its own bookkeeping)',
})
