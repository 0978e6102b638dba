import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { DEFAULT_HOST, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_MAX_CONNECTIONS, DEFAULT_PORT } from '../core/constants.js'
import { reachableAddresses } from '../core/addresses.js'
import { probeProblem, type ProbeProblem } from './probe.js'
import { TcpEchoServer, type TcpServerEvent, type TcpServerSummary } from '../servers/tcp-server.js'

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
}

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

/**
 * compare's far end: a TCP echo and a UDP probe echo on the same port number.
 *
 * UDP echoes only datagrams that decode as compare probes, each exactly as received
 * (never larger: no amplification), so a stray or spoofed datagram cannot make it
 * send anything. TCP echoes bytes as they arrive with backpressure ({@link TcpEchoServer});
 * compare frames its probes by fixed size, so the reflector need not parse them.
 */
export class Reflector {
  readonly options: Required<Omit<ReflectorOptions, 'onEvent' | 'addressFilter'>> & Pick<ReflectorOptions, 'onEvent' | 'addressFilter'>
  private tcp: TcpEchoServer
  private udp: UdpSocket | undefined
  private startedAt = 0
  private boundPort = 0
  private readonly peers = new Set<string>()
  private readonly udpTotals = { probesEchoed: 0, bytesEchoed: 0, ignored: 0, denied: 0, sendErrors: 0 }

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
    this.tcp = this.makeTcpServer(this.options.port)
  }

  /** TCP connections open right now. */
  get activeConnections (): number {
    return this.tcp.activeConnections
  }

  /** The port TCP and UDP listen on, once listening. */
  get port (): number {
    return this.boundPort
  }

  /**
   * Bind TCP, then UDP on the same port number. With port 0 the OS picks the TCP port;
   * if that number happens to be taken or reserved for UDP, another is tried (a few times).
   * Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…).
   */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    for (let attempt = 0; ; attempt++) {
      const address = await this.tcp.listen()
      try {
        this.udp = await this.bindUdp(address.port)
        this.boundPort = address.port
        this.startedAt = Date.now()
        this.emit({ type: 'listening', ...address, reachable: reachableAddresses(address.address) })
        return address
      } catch (err) {
        await this.tcp.close()
        // The TCP port the OS picked may be taken for UDP (EADDRINUSE) or, on Windows, inside
        // a UDP range reserved by Hyper-V/WSL (EACCES): with port 0, pick another.
        const code = (err as { code?: string }).code
        const retry = code === 'EADDRINUSE' || code === 'EACCES'
        if (this.options.port !== 0 || !retry || attempt >= 4) throw err
        this.tcp = this.makeTcpServer(0)
      }
    }
  }

  /** Stop both listeners, close TCP connections, and resolve with the totals. */
  async close (): Promise<ReflectorSummary> {
    const udp = this.udp
    this.udp = undefined
    const udpClosed = new Promise<void>(resolve => {
      if (udp === undefined) resolve()
      else udp.close(() => resolve())
    })
    const [tcpSummary] = await Promise.all([this.tcp.close(), udpClosed])
    return this.summaryWith(tcpSummary)
  }

  /** Totals so far. */
  summary (): ReflectorSummary {
    return this.summaryWith(this.tcp.summary())
  }

  private summaryWith (tcp: TcpServerSummary): ReflectorSummary {
    return {
      udp: { ...this.udpTotals, peers: this.peers.size },
      tcp,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  private makeTcpServer (port: number): TcpEchoServer {
    return new TcpEchoServer({
      port,
      host: this.options.host,
      maxConnections: this.options.maxConnections,
      idleTimeoutMs: this.options.idleTimeoutMs,
      addressFilter: this.options.addressFilter,
      // Per-read events would cost more than the echo itself at compare's rates.
      readEvents: false,
      onEvent: event => { if (event.type !== 'listening') this.emit({ type: 'tcp', event }) },
    })
  }

  private bindUdp (port: number): Promise<UdpSocket> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type: isIPv6(this.options.host) ? 'udp6' : 'udp4' })
      const onError = (err: Error) => {
        socket.close()
        reject(Object.assign(err, { host: this.options.host, port }))
      }
      socket.once('error', onError)
      socket.bind(port, this.options.host, () => {
        socket.off('error', onError)
        socket.on('error', err => {
          // Errors after binding (an ICMP error surfacing on receive…) are reported; UDP goes on.
          this.emit({ type: 'udp-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
        })
        socket.on('message', (data, rinfo) => this.onDatagram(socket, data, rinfo))
        resolve(socket)
      })
    })
  }

  private onDatagram (socket: UdpSocket, data: Buffer, rinfo: RemoteInfo): void {
    if (this.options.addressFilter !== undefined && !this.options.addressFilter(rinfo.address)) {
      this.udpTotals.denied++
      this.emit({ type: 'udp-denied', remoteAddress: rinfo.address, remotePort: rinfo.port, bytes: data.length, total: this.udpTotals.denied })
      return
    }
    // Only what compare sends is answered (magic, flags 0, zero padding, at most the largest
    // probe): the reflector is no general-purpose echo for whoever finds the port.
    const problem = probeProblem(data)
    if (problem !== undefined) {
      this.udpTotals.ignored++
      this.emit({ type: 'udp-ignored', remoteAddress: rinfo.address, remotePort: rinfo.port, bytes: data.length, total: this.udpTotals.ignored, reason: problem })
      return
    }
    const peer = `${rinfo.address}|${rinfo.port}`
    if (!this.peers.has(peer) && this.peers.size < this.options.maxUdpPeers) {
      this.peers.add(peer)
      this.emit({ type: 'udp-peer', remoteAddress: rinfo.address, remotePort: rinfo.port, peers: this.peers.size })
    }
    // The very bytes received go back: the echo is never larger than the request.
    socket.send(data, rinfo.port, rinfo.address, err => {
      if (err) {
        this.udpTotals.sendErrors++
        this.emit({ type: 'udp-send-error', remoteAddress: rinfo.address, remotePort: rinfo.port, code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
      } else {
        this.udpTotals.probesEchoed++
        this.udpTotals.bytesEchoed += data.length
      }
    })
  }

  private emit (event: ReflectorEvent): void {
    this.options.onEvent?.(event)
  }
}

/** Create and start a {@link Reflector}; resolves once both transports listen. */
export const startReflector = async (options: ReflectorOptions = {}): Promise<Reflector> => {
  const reflector = new Reflector(options)
  await reflector.listen()
  return reflector
}
