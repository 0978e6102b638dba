/**
 * The transports compare knows, by id, in their default running order. A new transport is
 * one adapter here, one reflector endpoint (src/probe/reflector.ts) and one line below.
 */
import type { TransportAdapter, TransportRegistry } from '../transport-types.js'
import { tcpTransport } from './tcp.js'
import { udpTransport } from './udp.js'

/** Make a registry from adapters, keeping their order. */
export const transportRegistry = (adapters: TransportAdapter[]): TransportRegistry =>
  new Map(adapters.map(a => [a.id, a]))

/** The built-in transports: TCP, then UDP. */
export const defaultTransports: TransportRegistry = transportRegistry([tcpTransport, udpTransport])

export { tcpTransport, udpTransport }
