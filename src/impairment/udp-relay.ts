import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import { isIPv6 } from 'node:net'
import { DEFAULT_HOST } from '../core/constants.js'
import { DelayTimer } from './delay-timer.js'
import {
  createRandom, deriveSeed, drawDelayMs, emptyCounters, normalizeImpairment, randomSeed, REORDER_HOLD_MS,
  type Direction, type DirectionCounters, type FullImpairment, type Impairment, type ImpairmentCounters, type Random,
} from './model.js'

/** Default cap on client address:port mappings a UDP relay keeps at once. */
export const DEFAULT_UDP_RELAY_MAX_CLIENTS = 256
/** Default idle time after which a client mapping (and its upstream socket) is dropped, ms. */
export const DEFAULT_UDP_RELAY_IDLE_MS = 60_000
/** Default longest wait of a datagram held back for reordering, ms. */
export const DEFAULT_REORDER_HOLD_MS = REORDER_HOLD_MS
/** Default cap on bytes waiting in delay timers, per relay. */
export const DEFAULT_RELAY_MAX_QUEUED_BYTES = 16 * 1024 * 1024

/** Options for {@link UdpRelay}. */
export interface UdpRelayOptions {
  /** Where datagrams are forwarded. */
  target: { host: string; port: number }
  /** Port to listen on; 0 lets the OS pick. Default 0. */
  port?: number
  /** Address to bind. Default 127.0.0.1. */
  host?: string
  /** Applied to each direction independently. Default none (a plain relay). */
  impairment?: Impairment
  /** PRNG seed; the same seed and the same traffic give the same decisions. Default random (see {@link UdpRelay.seed}). */
  seed?: number
  /** Client address:port mappings kept at once; datagrams from further clients are dropped and reported. Default 256. */
  maxClients?: number
  /**
   * Which client addresses may use the relay (see `createAddressFilter()` in cidr). A datagram
   * from one it rejects is not forwarded and creates no mapping; it is counted and reported as
   * `denied`. Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** A mapping with no traffic either way for this long is removed, ms. Default 60000. */
  idleTimeoutMs?: number
  /** Longest a datagram held for reordering waits for a successor before going out in order, ms. Default 100. */
  reorderHoldMs?: number
  /** Bytes allowed to wait in delay timers; beyond it datagrams are dropped as overflow (not as loss). Default 16 MiB. */
  maxQueuedBytes?: number
  /** Emit one event per datagram (default true); totals are kept either way. */
  datagramEvents?: boolean
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: UdpRelayEvent) => void
}

/**
 * Events. `clientId` numbers the client address:port mappings from 1; `index` numbers the
 * datagrams of one mapping and direction from 1, so log lines read "client 2 c→s #17 dropped".
 */
export type UdpRelayEvent =
  | { type: 'listening'; address: string; port: number; family: string; target: { host: string; port: number }; seed: number }
  | { type: 'client'; clientId: number; address: string; port: number; upstreamPort: number; active: number }
  | { type: 'client-expired'; clientId: number; address: string; port: number; idleMs: number }
  | { type: 'client-refused'; address: string; port: number; limit: number }
  /** A datagram from a client the address filter rejects, not forwarded; `denied` counts them all so far. */
  | { type: 'denied'; address: string; port: number; bytes: number; denied: number }
  | { type: 'dropped'; direction: Direction; clientId: number; index: number; bytes: number }
  | { type: 'overflow'; direction: Direction; clientId: number; index: number; bytes: number; queuedBytes: number }
  /** Held back for reordering: sent after the next datagram, or in order after `holdMs` if none comes. */
  | { type: 'held'; direction: Direction; clientId: number; index: number; holdMs: number }
  | { type: 'forwarded'; direction: Direction; clientId: number; index: number; bytes: number; delayMs: number; copy: boolean; reordered: boolean; passedBy?: number; heldTimedOut?: boolean }
  | { type: 'upstream-error'; clientId: number; code: string; message: string }
  | { type: 'relay-error'; code: string; message: string }

/** Totals, returned by {@link UdpRelay.close}. */
export interface UdpRelaySummary {
  counters: ImpairmentCounters
  /** Datagrams dropped because the delay queue was full (not impairment loss). */
  overflow: number
  clients: number
  refusedDatagrams: number
  /** Datagrams from clients the address filter rejects. */
  deniedDatagrams: number
  seed: number
  durationMs: number
}

interface Packet { data: Buffer; index: number; delayMs: number; copy: boolean }

/**
 * One direction of one client mapping: drop → duplicate → delay (per copy) → reorder, in that order.
 * Reordering acts on what leaves the delay stage: a datagram drawn for reordering is held
 * until the next datagram of the same mapping and direction has been sent, then sent right
 * after it (that successor is never held itself); a held datagram with no successor within
 * `reorderHoldMs` goes out in order, and is not counted as reordered.
 */
class DirectionPipe {
  private held: { packet: Packet; timer: DelayTimer } | undefined
  private nextIndex = 1
  /**
   * Delayed copies not yet gone, in the order they are due (ties: arrival order), from
   * `waitingHead` on. Each has its own timer, but timers fire late under load, and one still
   * sleeping its last whole millisecond could be overtaken by a later one already polling for
   * its last fraction: a fixed delay reordered datagrams nobody asked to reorder. So whichever
   * timer fires sends every copy that is due by then, earliest first.
   */
  private waiting: Array<{ dueAt: number; packet: Packet; timer?: DelayTimer }> = []
  private waitingHead = 0

  constructor (
    private readonly relay: UdpRelay,
    readonly clientId: number,
    readonly direction: Direction,
    private readonly random: Random,
    private readonly send: (data: Buffer) => void,
  ) {}

  get counters (): DirectionCounters {
    return this.direction === 'client-to-server' ? this.relay.countersRef.clientToServer : this.relay.countersRef.serverToClient
  }

  receive (data: Buffer): void {
    const imp = this.relay.impairment
    const index = this.nextIndex++
    this.counters.received++
    if (imp.loss > 0 && this.random() * 100 < imp.loss) {
      this.counters.dropped++
      this.relay.emitDatagram({ type: 'dropped', direction: this.direction, clientId: this.clientId, index, bytes: data.length })
      return
    }
    const copies = imp.duplicate > 0 && this.random() * 100 < imp.duplicate ? 2 : 1
    for (let c = 0; c < copies; c++) {
      const delayMs = drawDelayMs(imp, this.random)
      const packet: Packet = { data, index, delayMs, copy: c > 0 }
      if (c > 0) this.counters.duplicated++
      if (delayMs <= 0) { this.departDue(); this.depart(packet); continue }
      if (!this.relay.reserve(data.length)) {
        this.relay.overflowed(this.direction, this.clientId, index, data.length)
        continue
      }
      // Per copy, like forwarded and duplicated: delayed counts every copy that waited.
      this.counters.delayed++
      const entry: { dueAt: number; packet: Packet; timer?: DelayTimer } = { dueAt: performance.now() + delayMs, packet }
      this.enqueue(entry)
      // The timer is made after the entry is queued; it never fires synchronously (DelayTimer).
      entry.timer = this.relay.later(delayMs, () => { entry.timer = undefined; this.departDue() })
    }
  }

  /** Insert in due order; after equal due times (a fixed delay: always at the end). */
  private enqueue (entry: { dueAt: number; packet: Packet; timer?: DelayTimer }): void {
    let low = this.waitingHead
    let high = this.waiting.length
    while (low < high) {
      const mid = (low + high) >>> 1
      if (this.waiting[mid]!.dueAt <= entry.dueAt) low = mid + 1
      else high = mid
    }
    if (low === this.waiting.length) this.waiting.push(entry)
    else this.waiting.splice(low, 0, entry)
  }

  /** Send every delayed copy whose time has come, earliest due first; their own timers are cancelled. */
  private departDue (): void {
    const now = performance.now()
    while (this.waitingHead < this.waiting.length && this.waiting[this.waitingHead]!.dueAt <= now) {
      const entry = this.waiting[this.waitingHead]!
      this.waiting[this.waitingHead++] = undefined as never
      if (entry.timer !== undefined) this.relay.cancel(entry.timer)
      this.relay.release(entry.packet.data.length)
      this.depart(entry.packet)
    }
    // Drop the consumed front now and then, so the array does not grow with every datagram ever sent.
    if (this.waitingHead > 1024 && this.waitingHead * 2 > this.waiting.length) {
      this.waiting = this.waiting.slice(this.waitingHead)
      this.waitingHead = 0
    }
  }

  /** The reorder stage, then the wire. */
  private depart (packet: Packet): void {
    const imp = this.relay.impairment
    if (this.held) {
      const held = this.held
      this.held = undefined
      this.relay.cancel(held.timer)
      this.out(packet, false)
      // Its own duplicate copy going first reorders nothing a receiver can see (RFC 4737
      // leaves duplicates out): not counted, not logged as reordered.
      const overtaken = held.packet.index !== packet.index
      if (overtaken) this.counters.reordered++
      this.out(held.packet, overtaken, overtaken ? packet.index : undefined)
      return
    }
    if (imp.reorder > 0 && this.random() * 100 < imp.reorder) {
      const timer = this.relay.later(this.relay.reorderHoldMs, () => {
        if (this.held?.packet !== packet) return
        this.held = undefined
        this.out(packet, false, undefined, true)
      })
      this.held = { packet, timer }
      this.relay.emitDatagram({ type: 'held', direction: this.direction, clientId: this.clientId, index: packet.index, holdMs: this.relay.reorderHoldMs })
      return
    }
    this.out(packet, false)
  }

  private out (packet: Packet, reordered: boolean, passedBy?: number, heldTimedOut?: boolean): void {
    this.counters.forwarded++
    this.counters.bytesForwarded += packet.data.length
    this.send(packet.data)
    this.relay.emitDatagram({
      type: 'forwarded', direction: this.direction, clientId: this.clientId, index: packet.index,
      bytes: packet.data.length, delayMs: Math.round(packet.delayMs * 1000) / 1000, copy: packet.copy, reordered,
      ...(passedBy !== undefined ? { passedBy } : {}), ...(heldTimedOut ? { heldTimedOut } : {}),
    })
  }

  /** Send a held datagram at once (the relay is closing). */
  flush (): void {
    if (!this.held) return
    const held = this.held
    this.held = undefined
    this.relay.cancel(held.timer)
    this.out(held.packet, false, undefined, true)
  }
}

interface ClientMapping {
  id: number
  key: string
  address: string
  port: number
  upstream: Socket
  lastActivity: number
  toServer: DirectionPipe
  toClient: DirectionPipe
}

/**
 * A UDP relay that applies an {@link Impairment} to every datagram, each direction on its
 * own. Each client address:port gets its own upstream socket (so replies go back to the
 * right client); mappings are capped and expire when idle.
 */
export class UdpRelay {
  readonly impairment: FullImpairment
  /** The PRNG seed in use (the one given, or a random one), so a run can be repeated. */
  readonly seed: number
  readonly reorderHoldMs: number
  /** @internal */
  readonly countersRef: ImpairmentCounters = emptyCounters()
  private readonly options: UdpRelayOptions
  private readonly socket: Socket
  private readonly clients = new Map<string, ClientMapping>()
  private readonly timers = new Set<DelayTimer>()
  private targetAddress = ''
  private targetFamily: 4 | 6 = 4
  private nextClientId = 1
  private queuedBytes = 0
  private overflow = 0
  private refusedDatagrams = 0
  private deniedDatagrams = 0
  private startedAt = 0
  private sweepTimer: NodeJS.Timeout | undefined
  private closed = false

  constructor (options: UdpRelayOptions) {
    this.options = options
    this.impairment = normalizeImpairment(options.impairment)
    this.seed = options.seed ?? randomSeed()
    this.reorderHoldMs = options.reorderHoldMs ?? DEFAULT_REORDER_HOLD_MS
    const host = options.host ?? DEFAULT_HOST
    this.socket = createSocket(isIPv6(host) ? 'udp6' : 'udp4')
    this.socket.on('message', (data, rinfo) => this.fromClient(data, rinfo))
  }

  /** The bound address, once listening. */
  address (): { address: string; port: number; family: string } {
    return this.socket.address()
  }

  /** Counters so far (a copy). */
  counters (): ImpairmentCounters {
    return structuredClone(this.countersRef)
  }

  /** Open client mappings right now. */
  get activeClients (): number {
    return this.clients.size
  }

  /** Resolve the target and bind. Rejects with Node's error (EADDRINUSE, ENOTFOUND…). */
  async listen (): Promise<{ address: string; port: number; family: string }> {
    const target = this.options.target
    const resolved = await lookup(target.host)
    this.targetAddress = resolved.address
    this.targetFamily = resolved.family === 6 ? 6 : 4
    const host = this.options.host ?? DEFAULT_HOST
    const port = this.options.port ?? 0
    await new Promise<void>((resolve, reject) => {
      const onError = (err: Error) => reject(Object.assign(err, { host, port }))
      this.socket.once('error', onError)
      this.socket.bind(port, host, () => {
        this.socket.off('error', onError)
        resolve()
      })
    })
    this.socket.on('error', err => this.emit({ type: 'relay-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message }))
    this.startedAt = Date.now()
    const idleMs = this.options.idleTimeoutMs ?? DEFAULT_UDP_RELAY_IDLE_MS
    if (idleMs > 0) {
      this.sweepTimer = setInterval(() => this.expireIdle(idleMs), Math.max(50, Math.min(idleMs / 2, 5000)))
      this.sweepTimer.unref()
    }
    const a = this.address()
    this.emit({ type: 'listening', address: a.address, port: a.port, family: a.family, target: { ...target }, seed: this.seed })
    return a
  }

  /** Stop: send datagrams still held for reordering, drop the ones still delayed, close every socket. */
  async close (): Promise<UdpRelaySummary> {
    if (!this.closed) {
      this.closed = true
      if (this.sweepTimer) clearInterval(this.sweepTimer)
      for (const client of this.clients.values()) { client.toServer.flush(); client.toClient.flush() }
      for (const timer of this.timers) timer.cancel()
      this.timers.clear()
      await Promise.all([...this.clients.values()].map(c => closeSocket(c.upstream)))
      this.clients.clear()
      await closeSocket(this.socket)
    }
    return this.summary()
  }

  /** Totals so far. */
  summary (): UdpRelaySummary {
    return {
      counters: this.counters(), overflow: this.overflow, clients: this.nextClientId - 1,
      refusedDatagrams: this.refusedDatagrams, deniedDatagrams: this.deniedDatagrams, seed: this.seed,
      durationMs: this.startedAt ? Date.now() - this.startedAt : 0,
    }
  }

  /** @internal */ emitDatagram (event: UdpRelayEvent): void {
    if (this.options.datagramEvents ?? true) this.emit(event)
  }

  /** @internal Run `fn` after `ms` (never before), cancelled by close(). */
  later (ms: number, fn: () => void): DelayTimer {
    const timer = new DelayTimer(ms, () => { this.timers.delete(timer); if (!this.closed) fn() })
    this.timers.add(timer)
    return timer
  }

  /** @internal */ cancel (timer: DelayTimer): void {
    timer.cancel()
    this.timers.delete(timer)
  }

  /** @internal Account for bytes entering a delay timer; false when the queue is full. */
  reserve (bytes: number): boolean {
    if (this.queuedBytes + bytes > (this.options.maxQueuedBytes ?? DEFAULT_RELAY_MAX_QUEUED_BYTES)) return false
    this.queuedBytes += bytes
    return true
  }

  /** @internal */ release (bytes: number): void {
    this.queuedBytes -= bytes
  }

  /** @internal */ overflowed (direction: Direction, clientId: number, index: number, bytes: number): void {
    this.overflow++
    this.emitDatagram({ type: 'overflow', direction, clientId, index, bytes, queuedBytes: this.queuedBytes })
  }

  private emit (event: UdpRelayEvent): void {
    this.options.onEvent?.(event)
  }

  private fromClient (data: Buffer, rinfo: RemoteInfo): void {
    if (this.closed) return
    if (this.options.addressFilter !== undefined && !this.options.addressFilter(rinfo.address)) {
      this.deniedDatagrams++
      this.emit({ type: 'denied', address: rinfo.address, port: rinfo.port, bytes: data.length, denied: this.deniedDatagrams })
      return
    }
    const key = `${rinfo.address}|${rinfo.port}`
    let client = this.clients.get(key)
    if (!client) {
      const limit = this.options.maxClients ?? DEFAULT_UDP_RELAY_MAX_CLIENTS
      if (this.clients.size >= limit) {
        this.refusedDatagrams++
        this.emit({ type: 'client-refused', address: rinfo.address, port: rinfo.port, limit })
        return
      }
      client = this.addClient(key, rinfo)
    }
    client.lastActivity = Date.now()
    client.toServer.receive(data)
  }

  private addClient (key: string, rinfo: RemoteInfo): ClientMapping {
    const id = this.nextClientId++
    const upstream = createSocket(this.targetFamily === 6 ? 'udp6' : 'udp4')
    const seed = this.seed
    // Connected to the target: the kernel passes on only its replies, and an ICMP "port
    // unreachable" comes back as ECONNREFUSED (upstream-error) instead of silence. Datagrams
    // due before the connect completes (microseconds) wait for it, in order — a bounded few:
    // a connect that never completes must not hold a client's flood in memory.
    let waiting: Buffer[] | undefined = []
    const toTarget = (data: Buffer): void => {
      if (waiting === undefined) upstream.send(data)
      else if (waiting.length < MAX_WAITING_FOR_CONNECT) waiting.push(data)
    }
    const client: ClientMapping = {
      id, key, address: rinfo.address, port: rinfo.port, upstream, lastActivity: Date.now(),
      toServer: new DirectionPipe(this, id, 'client-to-server', createRandom(deriveSeed(seed, id, 0)), toTarget),
      toClient: new DirectionPipe(this, id, 'server-to-client', createRandom(deriveSeed(seed, id, 1)),
        data => { if (!this.closed) this.socket.send(data, rinfo.port, rinfo.address) }),
    }
    upstream.on('message', data => {
      // Only the target's replies reach a connected socket; they go back to the client.
      client.lastActivity = Date.now()
      client.toClient.receive(data)
    })
    upstream.on('error', err => this.emit({ type: 'upstream-error', clientId: id, code: (err as { code?: string }).code ?? 'ERROR', message: err.message }))
    // Bind now (to the wildcard of the target's family) so the event can name the upstream port.
    upstream.bind(0, () => {
      if (this.closed) return
      this.emit({ type: 'client', clientId: id, address: rinfo.address, port: rinfo.port, upstreamPort: upstream.address().port, active: this.clients.size })
      upstream.connect(this.options.target.port, this.targetAddress, () => {
        const due = waiting ?? []
        waiting = undefined
        if (!this.closed) for (const data of due) upstream.send(data)
      })
    })
    this.clients.set(key, client)
    return client
  }

  private expireIdle (idleMs: number): void {
    const now = Date.now()
    for (const client of this.clients.values()) {
      if (now - client.lastActivity < idleMs) continue
      client.toServer.flush()
      client.toClient.flush()
      this.clients.delete(client.key)
      void closeSocket(client.upstream)
      this.emit({ type: 'client-expired', clientId: client.id, address: client.address, port: client.port, idleMs })
    }
  }
}

/** Datagrams kept per client while its upstream socket connects; more are dropped (UDP may). */
const MAX_WAITING_FOR_CONNECT = 64

const closeSocket = (socket: Socket): Promise<void> => new Promise(resolve => {
  try { socket.close(() => resolve()) } catch { resolve() }
})

/** Create and start a {@link UdpRelay}; resolves once it is listening. */
export const startUdpRelay = async (options: UdpRelayOptions): Promise<UdpRelay> => {
  const relay = new UdpRelay(options)
  await relay.listen()
  return relay
}
