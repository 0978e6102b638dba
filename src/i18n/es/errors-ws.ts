import type { Fmt } from '../fmt.js'
import type { errorsWs as En } from '../en/errors-ws.js'

/** Errores de ws-server y ws-client (src/ws). */
export const errorsWs = (f: Fmt): ReturnType<typeof En> => ({
  wsBadUrl: (p) => `"${p.url}" no es una dirección WebSocket: usa ws://host:puerto/ruta (o wss://…)`,
  wsNotWebSocket: (p) =>
    `${p.where} no es un servidor WebSocket aquí: respondió al upgrade con HTTP ${f.num(p.status)}${p.statusText ? ` ${p.statusText}` : ''} en lugar de 101 Switching Protocols`,
  wsHandshakeRejected: (p) =>
    `falló la negociación inicial (handshake) con ${p.where}: ${{
      accept: 'su Sec-WebSocket-Accept no corresponde a la clave que enviamos',
      subprotocol: 'no aceptó ninguno de los subprotocolos que ofrecimos',
      upgrade: 'su respuesta 101 no trae la cabecera "Upgrade: websocket"',
      other: 'su respuesta 101 no es una negociación WebSocket válida',
    }[p.problem]}`,
  wsTlsFailed: (p) => `falló la negociación TLS con ${p.where} (${p.code}): no se pudo verificar su certificado`,
  wsBadCloseCode: (p) =>
    `el código de cierre debe ser 1000–1003, 1007–1014 o 3000–4999 (con :motivo opcional), no "${p.value}"`,
  wsBadHeader: (p) => `una cabecera se escribe 'Nombre: valor', no "${p.value}"`,
})
