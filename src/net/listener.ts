import { createServer, type Server, type Socket } from 'node:net'
import { reachableAddresses } from '../core/addresses.js'
import { DEFAULT_CLOSE_GRACE_MS, LISTEN_BACKLOG } from '../core/constants.js'
import { tcpPortHolders } from './port-holders.js'

/**
 * The TCP listening side every sockkit server shares: bind, turn peers away by address or by
 * capacity, keep track of open sockets, and close with a grace period. What a server does
 * with a connection (echo, chat, relay) stays in the server.
 */

/** Why a connection was turned away: the limit was reached, or {@link TcpListener.close} had begun. */
export type RefusalReason = 'full' | 'shutting-down'

/** Where a listener is bound, and every address a client could use to reach it. */
export interface ListeningAddress {
  address: string
  port: number
  family: string
  /** For a wildcard bind, each address of this machine; otherwise just `address`. */
  reachable: string[]
}

/** A peer as the listener saw it on arrival; `remoteAddress` is '' (port 0) if it reset before it could be read. */
export interface PeerInfo {
  remoteAddress: string
  remotePort: number
}

/** Options for {@link TcpListener}. */
export interface TcpListenerOptions {
  /** Address to bind. */
  host: string
  /** Port to bind; 0 lets the OS pick. */
  port: number
  /** Listen backlog. Default LISTEN_BACKLOG (4096). */
  backlog?: number
  /** Hand sockets over paused (nothing read until the server resumes them). Default false. */
  pauseOnConnect?: boolean
  /** Open connections at once; the next one is refused. Default: no limit. */
  maxConnections?: number
  /**
   * Peers held, paused and told nothing, while the limit is reached, each admitted (in
   * arrival order) as a slot frees — as a server behind a semaphore does. Past this many
   * waiting, the next is refused. Default 0: no queue.
   */
  queueLimit?: number
  /** A peer put in the queue; `waiting` counts the queue with it. */
  onQueued?: (peer: PeerInfo & { waiting: number }) => void
  /** Ms an open connection gets to finish after its FIN before it is destroyed. Default 1000. */
  closeGraceMs?: number
  /**
   * Which peers may connect, by remote address (`createAddressFilter` from cidr fits). A peer
   * it rejects — or whose address cannot be read — is destroyed at once, nothing read or sent.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** An accepted connection, already counted as open. */
  onConnection: (socket: Socket, peer: PeerInfo) => void
  /** A peer the address filter turned away; `denied` counts them all so far. */
  onDenied?: (peer: PeerInfo & { denied: number }) => void
  /**
   * A peer turned away for capacity or shutdown. The server says no its own way (a line and
   * {@link endWithGrace}, or a reset); without this hook the socket is destroyed. The socket
   * already ignores errors and data, and close() waits for it.
   */
  onRefused?: (socket: Socket, refusal: PeerInfo & { reason: RefusalReason; active: number; limit: number }) => void
  /** Errors of the listening socket after it is listening (EMFILE on accept…); it keeps going. */
  onError?: (err: Error & { code?: string }) => void
}

/** Counts over the listener's life. */
export interface ListenerTotals {
  accepted: number
  refused: number
  denied: number
  /** Most connections open at once. */
  peak: number
}

/**
 * A TCP listener: `listen()`, then connections arrive at `onConnection` until `close()`.
 * Sockets are created with `allowHalfOpen` (a peer's FIN does not close our side) and
 * `noDelay` (small writes go out at once).
 */
export class TcpListener {
  readonly totals: ListenerTotals = { accepted: 0, refused: 0, denied: 0, peak: 0 }
  private readonly server: Server
  private readonly open = new Set<Socket>()
  private readonly refused = new Set<Socket>()
  /** Peers waiting for a slot, oldest first (see queueLimit). */
  private readonly waiting: Array<{ socket: Socket; peer: PeerInfo }> = []
  private closing = false
  private closePromise: Promise<void> | undefined

  constructor (private readonly options: TcpListenerOptions) {
    this.server = createServer({ allowHalfOpen: true, noDelay: true, pauseOnConnect: options.pauseOnConnect ?? false }, socket => this.accept(socket))
    this.server.on('error', err => {
      if (this.server.listening) options.onError?.(err)
    })
  }

  /** Connections open right now. */
  get active (): number {
    return this.open.size
  }

  /** True once close() has begun. */
  get isClosing (): boolean {
    return this.closing
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    const a = this.server.address()
    if (a === null || typeof a === 'string') throw new Error('server is not listening')
    return a
  }

  /**
   * Start listening. Rejects with Node's error (EADDRINUSE, EACCES, EADDRNOTAVAIL…) carrying
   * `host` and `port`; an EADDRINUSE also carries `holders` when Linux tells who holds the
   * port (see port-holders.ts: only closing sockets, or a program).
   */
  listen (): Promise<ListeningAddress> {
    const { host, port } = this.options
    return new Promise((resolve, reject) => {
      const onError = (err: Error & { code?: string }) => {
        if (err.code !== 'EADDRINUSE') return reject(Object.assign(err, { host, port }))
        void tcpPortHolders(host, port).catch(() => undefined)
          .then(holders => reject(Object.assign(err, { host, port }, holders ? { holders } : {})))
      }
      this.server.once('error', onError)
      this.server.listen({ port, host, backlog: this.options.backlog ?? LISTEN_BACKLOG }, () => {
        this.server.off('error', onError)
        const a = this.address()
        resolve({ ...a, reachable: reachableAddresses(a.address) })
      })
    })
  }

  /**
   * Stop accepting, then for each open socket call `farewell` (the server's goodbye; it may
   * write, end or destroy) and end it, destroying it if it has not closed within
   * `closeGraceMs`. Resolves once the listening socket and every socket it handed out
   * (refused ones included) are released. Calling it again returns the same promise.
   */
  close (farewell?: (socket: Socket) => void): Promise<void> {
    this.closePromise ??= this.closeAll(farewell)
    return this.closePromise
  }

  private async closeAll (farewell?: (socket: Socket) => void): Promise<void> {
    this.closing = true
    const serverClosed = new Promise<void>(resolve => {
      if (!this.server.listening) resolve()
      else this.server.close(() => resolve())
    })
    const grace = this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS
    // Peers still waiting for a slot are turned away as at any other shutdown.
    for (const { socket, peer } of this.waiting.splice(0)) {
      this.refuse(socket, peer, this.options.maxConnections ?? Infinity)
      socket.resume()
    }
    const open = [...this.open].map(socket => {
      farewell?.(socket)
      return endWithGrace(socket, grace)
    })
    await Promise.all([serverClosed, ...open, ...[...this.refused].map(whenClosed)])
  }

  private accept (socket: Socket): void {
    // A peer that reset before we got here has no address left to read.
    const peer = { remoteAddress: socket.remoteAddress ?? '', remotePort: socket.remotePort ?? 0 }
    const filter = this.options.addressFilter
    if (filter !== undefined && !filter(socket.remoteAddress)) {
      // Destroy, not end(): a filtered peer gets nothing from us, not even a FIN.
      socket.on('error', ignore)
      socket.destroy()
      this.totals.denied++
      this.options.onDenied?.({ ...peer, denied: this.totals.denied })
      return
    }
    const limit = this.options.maxConnections ?? Infinity
    if (!this.closing && this.open.size >= limit && this.waiting.length < (this.options.queueLimit ?? 0)) {
      this.enqueue(socket, peer)
      return
    }
    if (this.closing || this.open.size >= limit) {
      this.refuse(socket, peer, limit)
      return
    }
    this.admit(socket, peer)
  }

  /** Hold a peer until a slot frees: paused, so what it sends waits in the kernel. */
  private enqueue (socket: Socket, peer: PeerInfo): void {
    socket.pause()
    const entry = { socket, peer }
    this.waiting.push(entry)
    socket.on('error', ignore)
    // A waiting peer that resets leaves the queue (a plain FIN is only seen once it is admitted).
    socket.once('close', () => {
      const i = this.waiting.indexOf(entry)
      if (i >= 0) this.waiting.splice(i, 1)
    })
    this.options.onQueued?.({ ...peer, waiting: this.waiting.length })
  }

  /** Admit waiting peers while there is room. */
  private admitWaiting (): void {
    const limit = this.options.maxConnections ?? Infinity
    while (!this.closing && this.open.size < limit && this.waiting.length > 0) {
      const { socket, peer } = this.waiting.shift()!
      if (socket.destroyed) continue
      socket.off('error', ignore)
      this.admit(socket, peer)
      if (!this.options.pauseOnConnect) socket.resume()
    }
  }

  private admit (socket: Socket, peer: PeerInfo): void {
    this.open.add(socket)
    socket.once('close', () => {
      this.open.delete(socket)
      this.admitWaiting()
    })
    this.totals.accepted++
    this.totals.peak = Math.max(this.totals.peak, this.open.size)
    this.options.onConnection(socket, peer)
  }

  private refuse (socket: Socket, peer: PeerInfo, limit: number): void {
    this.totals.refused++
    this.refused.add(socket)
    socket.once('close', () => this.refused.delete(socket))
    socket.on('error', ignore)
    // Nothing a refused peer sends is read for meaning; draining it lets the close be clean.
    socket.on('data', ignore)
    const reason: RefusalReason = this.closing ? 'shutting-down' : 'full'
    if (this.options.onRefused) this.options.onRefused(socket, { ...peer, reason, active: this.open.size, limit })
    else socket.destroy()
  }
}

const ignore = (): void => {}

/** Resolves once `socket` has emitted 'close' (at once if it already has). */
export const whenClosed = (socket: Socket): Promise<void> =>
  new Promise(resolve => {
    if (socket.closed) resolve()
    else socket.once('close', () => resolve())
  })

/**
 * Send FIN after whatever is queued (with `lastWords` first, if given) and destroy the socket
 * if it has not closed within `graceMs`: a peer that never reads would otherwise hold it
 * open forever. Resolves when the socket is closed.
 */
export const endWithGrace = (socket: Socket, graceMs: number, lastWords?: string | Uint8Array): Promise<void> => {
  const done = whenClosed(socket)
  if (lastWords === undefined) socket.end()
  else socket.end(lastWords)
  const timer = setTimeout(() => socket.destroy(), graceMs)
  timer.unref()
  void done.then(() => clearTimeout(timer))
  return done
}
