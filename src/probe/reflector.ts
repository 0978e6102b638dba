import { DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../core/constants.js'
import { reachableAddresses } from '../core/addresses.js'
import type { ReflectorEndpoint, ReflectorEndpointFactory, ReflectorEvent, ReflectorOptions, ReflectorSummary, ResolvedReflectorOptions } from './reflector-types.js'
import { tcpEndpoint, type TcpEndpoint } from './reflector-tcp.js'
import { udpEndpoint } from './reflector-udp.js'

export { tcpEndpoint, udpEndpoint }
export type { TcpEndpoint } from './reflector-tcp.js'
export type { ReflectorEndpoint, ReflectorEndpointFactory, ReflectorEvent, ReflectorOptions, ReflectorSummary, ResolvedReflectorOptions } from './reflector-types.js'

/** The summary's first keys, in v1's order. */
const SUMMARY_ORDER = ['udp', 'tcp']

/**
 * compare's far end: one endpoint per transport, all on the same port number (by default a
 * TCP echo, reflector-tcp.ts, and a UDP probe echo, reflector-udp.ts). A new transport is one
 * more endpoint factory in `endpoints`.
 */
export class Reflector {
  readonly options: ResolvedReflectorOptions
  private readonly factories: ReflectorEndpointFactory[]
  private endpoints: ReflectorEndpoint[] = []
  private startedAt = 0
  private boundPort = 0

  constructor (options: ReflectorOptions = {}) {
    this.options = {
      port: options.port ?? DEFAULT_PORT,
      host: options.host ?? DEFAULT_HOST,
      maxConnections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      maxUdpPeers: options.maxUdpPeers ?? 10_000,
      addressFilter: options.addressFilter,
      onEvent: options.onEvent,
    }
    this.factories = options.endpoints ?? [tcpEndpoint, udpEndpoint]
    this.endpoints = this.makeEndpoints()
  }

  /** TCP connections open right now. */
  get activeConnections (): number {
    return (this.endpoints.find(e => e.id === 'tcp') as TcpEndpoint | undefined)?.activeConnections ?? 0
  }

  /** The port every endpoint listens on, once listening. */
  get port (): number {
    return this.boundPort
  }

  /**
   * Bind the first endpoint, then the others on the same port number. With port 0 the OS
   * picks the first one's port; if that number happens to be taken or reserved for another
   * transport, another is tried (a few times). Rejects with Node's error (EADDRINUSE, EACCES…).
   */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    for (let attempt = 0; ; attempt++) {
      const [first, ...rest] = this.endpoints
      const address = await first!.listen(this.options.port)
      const bound: ReflectorEndpoint[] = [first!]
      try {
        for (const endpoint of rest) {
          await endpoint.listen(address.port)
          bound.push(endpoint)
        }
        this.boundPort = address.port
        this.startedAt = Date.now()
        this.emit({ type: 'listening', ...address, reachable: reachableAddresses(address.address) })
        return address
      } catch (err) {
        await Promise.all(bound.map(e => e.close()))
        // The port the OS picked may be taken for another transport (EADDRINUSE) or, on Windows,
        // inside a UDP range reserved by Hyper-V/WSL (EACCES): with port 0, pick another.
        const code = (err as { code?: string }).code
        const retry = code === 'EADDRINUSE' || code === 'EACCES'
        if (this.options.port !== 0 || !retry || attempt >= 4) throw err
        this.endpoints = this.makeEndpoints()
      }
    }
  }

  /** Stop every endpoint, close TCP connections, and resolve with the totals. */
  async close (): Promise<ReflectorSummary> {
    const totals = await Promise.all(this.endpoints.map(e => e.close()))
    return this.summaryOf(totals)
  }

  /** Totals so far. */
  summary (): ReflectorSummary {
    return this.summaryOf(this.endpoints.map(e => e.summary()))
  }

  private summaryOf (totals: unknown[]): ReflectorSummary {
    // serve --json prints the summary as it is: keep v1's key order (udp, tcp, then the rest).
    const rank = (id: string) => { const i = SUMMARY_ORDER.indexOf(id); return i === -1 ? SUMMARY_ORDER.length : i }
    const entries = this.endpoints.map((e, i) => [e.id, totals[i]] as const).sort((a, b) => rank(a[0]) - rank(b[0]))
    return {
      ...Object.fromEntries(entries),
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    } as ReflectorSummary
  }

  private makeEndpoints (): ReflectorEndpoint[] {
    return this.factories.map(make => make(this.options, event => this.emit(event)))
  }

  private emit (event: ReflectorEvent): void {
    this.options.onEvent?.(event)
  }
}

/** Create and start a {@link Reflector}; resolves once every endpoint listens. */
export const startReflector = async (options: ReflectorOptions = {}): Promise<Reflector> => {
  const reflector = new Reflector(options)
  await reflector.listen()
  return reflector
}
