import type { Area } from '../index.js'

/** El búfer de recepción de un socket UDP (SO_RCVBUF), como lo informan udp-server y udp-send. */
export const recvBuffer: Area<'recvBuffer'> = (f) => ({
  systemDefault: (p) => `búfer de recepción: ${f.bytes(p.granted)} (predeterminado del sistema; --rcvbuf lo cambia)`,
  refused: (p) =>
    `búfer de recepción: el kernel rechazó ${f.num(p.requested)} bytes (${p.why}); se usa su valor por defecto de ${f.num(p.granted)} bytes`,
  macosCap: (p) => `${p.code} — macOS lo limita a kern.ipc.maxsockbuf, mira \`sysctl kern.ipc.maxsockbuf\``,
  granted: (p) =>
    `búfer de recepción: se pidieron ${f.num(p.requested)} bytes y el kernel concedió ${f.num(p.granted)} bytes`,
  linuxCapped: (p) =>
    `búfer de recepción: se pidieron ${f.num(p.requested)} bytes, limitados por net.core.rmem_max = ${p.rmemMax} bytes, que Linux ` +
    `duplica a ${f.num(p.granted)} para su propia contabilidad — sube el límite con \`sysctl -w net.core.rmem_max=${p.requested}\``,
  linuxDoubled: (p) =>
    `búfer de recepción: se pidieron ${f.num(p.requested)} bytes y el kernel concedió ${f.num(p.granted)} bytes ` +
    '(Linux duplica lo pedido para dejar sitio a su propia contabilidad)',
})
