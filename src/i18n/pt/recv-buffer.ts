import type { Area } from '../index.js'

/** O buffer de recepção de um socket UDP (SO_RCVBUF), como udp-server e udp-send o informam. */
export const recvBuffer: Area<'recvBuffer'> = (f) => ({
  systemDefault: (p) => `buffer de recepção ${f.bytes(p.granted)} (o padrão do sistema; --rcvbuf muda isso)`,
  refused: (p) =>
    `buffer de recepção: o kernel recusou ${f.num(p.requested)} bytes (${p.why}); usando o padrão dele, ${f.num(p.granted)} bytes`,
  macosCap: (p) => `${p.code} — o macOS o limita a kern.ipc.maxsockbuf, veja \`sysctl kern.ipc.maxsockbuf\``,
  granted: (p) =>
    `buffer de recepção: pedidos ${f.num(p.requested)} bytes, o kernel concedeu ${f.num(p.granted)} bytes`,
  linuxCapped: (p) =>
    `buffer de recepção: pedidos ${f.num(p.requested)} bytes, limitado a net.core.rmem_max = ${p.rmemMax} bytes, que o Linux ` +
    `dobra para ${f.num(p.granted)} para o próprio controle interno — aumente o limite com \`sysctl -w net.core.rmem_max=${p.requested}\``,
  linuxDoubled: (p) =>
    `buffer de recepção: pedidos ${f.num(p.requested)} bytes, o kernel concedeu ${f.num(p.granted)} bytes ` +
    '(o Linux dobra o pedido para deixar espaço para o próprio controle interno)',
})
