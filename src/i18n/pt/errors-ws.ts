import type { Fmt } from '../fmt.js'
import type { errorsWs as En } from '../en/errors-ws.js'

/** Erros do ws-server e do ws-client (src/ws). */
export const errorsWs = (f: Fmt): ReturnType<typeof En> => ({
  wsBadUrl: (p) => `"${p.url}" não é um endereço WebSocket: use ws://host:porta/caminho (ou wss://…)`,
  wsNotWebSocket: (p) =>
    `${p.where} não é um servidor WebSocket aqui: respondeu ao upgrade com HTTP ${f.num(p.status)}${p.statusText ? ` ${p.statusText}` : ''} em vez de 101 Switching Protocols`,
  wsHandshakeRejected: (p) =>
    `o handshake (negociação inicial) com ${p.where} falhou: ${{
      accept: 'o Sec-WebSocket-Accept dele não corresponde à chave que enviamos',
      subprotocol: 'ele não aceitou nenhum dos subprotocolos que oferecemos',
      upgrade: 'a resposta 101 dele não tem o cabeçalho "Upgrade: websocket"',
      other: 'a resposta 101 dele não é um handshake WebSocket válido',
    }[p.problem]}`,
  wsTlsFailed: (p) => `o handshake TLS com ${p.where} falhou (${p.code}): o certificado não pôde ser verificado`,
  wsBadCloseCode: (p) =>
    `o código de fechamento deve ser 1000–1003, 1007–1014 ou 3000–4999 (com :motivo opcional), não "${p.value}"`,
  wsBadHeader: (p) => `um cabeçalho se escreve 'Nome: valor', não "${p.value}"`,
})
