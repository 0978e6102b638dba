import type { Fmt } from '../fmt.js'

/** Errors of ws-server and ws-client (src/ws). */
export const errorsWs = (f: Fmt) => ({
  wsBadUrl: (p: { url: string }) => `"${p.url}" is not a WebSocket address: write it as ws://host:port/path (or wss://…)`,
  /** The server answered the upgrade with another HTTP status; `statusText` may be empty. */
  wsNotWebSocket: (p: { where: string; status: number; statusText: string }) =>
    `${p.where} is not a WebSocket server here: it answered the upgrade with HTTP ${f.num(p.status)}${p.statusText ? ` ${p.statusText}` : ''} instead of 101 Switching Protocols`,
  wsHandshakeRejected: (p: { where: string; problem: 'accept' | 'subprotocol' | 'upgrade' | 'other' }) =>
    `the handshake with ${p.where} failed: ${{
      accept: 'its Sec-WebSocket-Accept does not match the key we sent',
      subprotocol: 'it did not agree on a subprotocol we offered',
      upgrade: 'its 101 answer has no "Upgrade: websocket" header',
      other: 'its 101 answer is not a valid WebSocket handshake',
    }[p.problem]}`,
  wsTlsFailed: (p: { where: string; code: string }) => `the TLS handshake with ${p.where} failed (${p.code}): its certificate could not be verified`,
  wsBadCloseCode: (p: { value: string }) =>
    `close code must be 1000–1003, 1007–1014 or 3000–4999 (optionally followed by :reason), not "${p.value}"`,
  wsBadHeader: (p: { value: string }) => `a header is written as 'Name: value', not "${p.value}"`,
})
