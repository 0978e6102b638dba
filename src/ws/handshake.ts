import { STATUS_CODES, type IncomingMessage } from 'node:http'
import type { Socket } from 'node:net'

/**
 * The checks an upgrade request must pass (RFC 6455 §4.2.1), made here rather than left to
 * `ws`, so the server can say which one failed as data, not as ws's English message.
 */

/** What was wrong with a request that wanted to be a WebSocket (or with bytes that were not HTTP). */
export type HandshakeProblem = 'not-http' | 'method' | 'upgrade-header' | 'key' | 'version'

/** 16 random bytes in base64: 22 characters and `==`. */
const KEY = /^[+/0-9A-Za-z]{22}==$/

/** The first thing wrong with an upgrade request, or undefined when it may be accepted. */
export const checkUpgrade = (req: IncomingMessage): HandshakeProblem | undefined => {
  const h = req.headers
  if (req.method !== 'GET') return 'method'
  if (h.upgrade?.toLowerCase() !== 'websocket') return 'upgrade-header'
  const key = h['sec-websocket-key']
  if (key === undefined || !KEY.test(key)) return 'key'
  const version = h['sec-websocket-version']
  if (version !== '13' && version !== '8') return 'version'
  return undefined
}

/** The HTTP status each problem is answered with. */
export const HANDSHAKE_STATUS: Record<HandshakeProblem, number> = { 'not-http': 400, method: 405, 'upgrade-header': 400, key: 400, version: 426 }

/** Answer a bad upgrade with its status and close; returns the status. */
export const rejectHandshake = (socket: Socket, problem: HandshakeProblem): number => {
  const status = HANDSHAKE_STATUS[problem]
  socket.once('finish', () => socket.destroy())
  socket.end(emptyResponse(status, problem === 'version' ? ['Sec-WebSocket-Version: 13'] : []))
  return status
}

/** A whole HTTP/1.1 response with no body that closes the connection: wire text, never translated. */
export const emptyResponse = (status: number, headers: string[] = []): string =>
  [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}`, 'Connection: close', ...headers, 'Content-Length: 0', '', ''].join('\r\n')
