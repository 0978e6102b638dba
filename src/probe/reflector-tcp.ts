/** The reflector's TCP endpoint: an echo with backpressure (compare frames its probes by size). */
import { TcpEchoServer, type TcpServerSummary } from '../servers/tcp-server.js'
import type { ReflectorEndpoint, ReflectorEndpointFactory } from './reflector-types.js'

export interface TcpEndpoint extends ReflectorEndpoint {
  /** Connections open right now. */
  readonly activeConnections: number
  close: () => Promise<TcpServerSummary>
  summary: () => TcpServerSummary
}

export const tcpEndpoint: ReflectorEndpointFactory = (options, emit): TcpEndpoint => {
  let server: TcpEchoServer | undefined
  const make = (port: number) => new TcpEchoServer({
    port,
    host: options.host,
    maxConnections: options.maxConnections,
    idleTimeoutMs: options.idleTimeoutMs,
    addressFilter: options.addressFilter,
    // Per-read events would cost more than the echo itself at compare's rates.
    readEvents: false,
    onEvent: event => { if (event.type !== 'listening') emit({ type: 'tcp', event }) },
  })
  const idle = make(options.port)
  return {
    id: 'tcp',
    get activeConnections () { return (server ?? idle).activeConnections },
    listen: port => {
      server = port === options.port ? idle : make(port)
      return server.listen()
    },
    close: () => (server ?? idle).close(),
    summary: () => (server ?? idle).summary(),
  }
}
