/** The reflector's options, events and summary, and the contract of its endpoints (one per transport). */
import type { ProbeProblem } from './probe.js'
import type { TcpServerEvent, TcpServerSummary } from '../servers/tcp-server.js'

/** Options for {@link Reflector}. */
export interface ReflectorOptions {
  /** Port for both TCP and UDP; 0 lets the OS pick one free for both. Default 9000. */
  port?: number
  /** Address to bind. Default 127.0.0.1 (loopback only). */
  host?: string
  /** TCP connections served at once. Default 1000. */
  maxConnections?: number
  /** Close a TCP connection idle this long, ms; 0 = never. Default 300000. */
  idleTimeoutMs?: number
  /** Distinct UDP peers remembered for per-peer counts; beyond it peers are still echoed. Default 10000. */
  maxUdpPeers?: number
  /**
   * Which peers are served, by remote address (`createAddressFilter` from `cidr.ts` fits).
   * A rejected TCP peer is destroyed at once (`tcp` → `denied`); a rejected UDP datagram
   * gets no reply and is counted (`udp-denied`). Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: ReflectorEvent) => void
  /**
   * The endpoints, one per transport, all on the same port number; the first is bound first
   * (with port 0, the OS picks its number). Default: TCP, then UDP.
   */
  endpoints?: ReflectorEndpointFactory[]
}

/** The options every endpoint gets, defaults applied. */
export type ResolvedReflectorOptions = Required<Omit<ReflectorOptions, 'onEvent' | 'addressFilter' | 'endpoints'>> & Pick<ReflectorOptions, 'onEvent' | 'addressFilter'>

/** One transport's echo in the reflector (TCP, UDP, later WebSocket). */
export interface ReflectorEndpoint {
  /** Its key in the summary: 'tcp', 'udp'. */
  readonly id: string
  /** Listen on `port` (0: the OS picks one). Rejects with Node's error (EADDRINUSE…). */
  listen: (port: number) => Promise<{ address: string; port: number; family: string }>
  /** Stop, release everything, and resolve with this endpoint's totals. */
  close: () => Promise<unknown>
  /** This endpoint's totals so far. */
  summary: () => unknown
}

/** Makes an endpoint from the reflector's options and its event sink. */
export type ReflectorEndpointFactory = (options: ResolvedReflectorOptions, emit: (event: ReflectorEvent) => void) => ReflectorEndpoint

/**
 * What the reflector reports. TCP connection events are passed through from
 * {@link TcpEchoServer} (without per-read events) inside `{ type: 'tcp', event }`.
 */
export type ReflectorEvent =
  | { type: 'listening'; address: string; port: number; family: string; reachable: string[] }
  | { type: 'tcp'; event: TcpServerEvent }
  /** The first probe from a UDP peer not seen before. */
  | { type: 'udp-peer'; remoteAddress: string; remotePort: number; peers: number }
  /** A datagram that is not a compare probe: not echoed. `total` counts them all so far. */
  /** A datagram that is not exactly a compare probe (`reason`, see `probeProblem`): not echoed. */
  | { type: 'udp-ignored'; remoteAddress: string; remotePort: number; bytes: number; total: number; reason: ProbeProblem }
  /** A datagram from a peer the address filter rejects: no reply. `total` counts them all so far. */
  | { type: 'udp-denied'; remoteAddress: string; remotePort: number; bytes: number; total: number }
  /** Sending an echo failed (ENOBUFS, EAGAIN…): that echo is lost, the reflector keeps going. */
  | { type: 'udp-send-error'; remoteAddress: string; remotePort: number; code: string; message: string }
  | { type: 'udp-error'; code: string; message: string }

/** Totals over the reflector's life, returned by {@link Reflector.close}. */
export interface ReflectorSummary {
  udp: {
    /** Probe datagrams received and echoed back (same size). */
    probesEchoed: number
    bytesEchoed: number
    /** Datagrams that were not probes: counted, not echoed. */
    ignored: number
    /** Datagrams from peers the address filter rejected: counted, not echoed. */
    denied: number
    /** Echoes the kernel refused to send. */
    sendErrors: number
    /** Distinct peers that sent probes (up to `maxUdpPeers`). */
    peers: number
  }
  tcp: TcpServerSummary
  durationMs: number
}

