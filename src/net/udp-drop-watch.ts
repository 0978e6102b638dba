import { diffSnmp, readSnmp, udpCounterDelta, udpFamilyOf, type SnmpCounters, type UdpFamily } from './snmp.js'
import { findOwnUdpSocket, readUdpSocketDrops } from './udp-socket-drops.js'

/** A rise of a socket's drop count: `dropped` since the last report, `total` since the baseline. */
export interface UdpDrops {
  dropped: number
  total: number
  /** The rise of the family's machine-wide `RcvbufErrors` since the baseline; null where unknown. */
  machineWide: number | null
}

/**
 * Datagrams the kernel dropped for one bound UDP socket (Linux: its `drops` in /proc/net/udp or
 * /proc/net/udp6, nearly always a full receive buffer), with the machine-wide `RcvbufErrors` of
 * its family (/proc/net/snmp, snmp6) as context. Elsewhere every count is unknown (null).
 * Call {@link baseline} before binding, {@link attach} after, then {@link check} when wanted;
 * every rise is handed once to `onDrops`.
 */
export class UdpDropWatch {
  family: UdpFamily = 'ipv4'
  private snmpAtStart: SnmpCounters | undefined
  /** The socket's inode in /proc/net/udp{,6} and its `drops` right after binding; undefined off Linux. */
  private inode: string | undefined
  private dropsAtStart = 0
  private reported = 0
  /** Set once the socket's count could not be read (it vanished): drops are unknown from then on. */
  private unknown = false
  /** The machine-wide rise at the last check; null once unknown. */
  private machine: number | null = 0
  private pending: Promise<void> | undefined
  private timer: NodeJS.Timeout | undefined
  private open = false

  constructor (private readonly onDrops: (drops: UdpDrops) => void) {}

  /** Read the machine-wide counters: before binding, so every drop on the socket is after them. */
  async baseline (): Promise<void> {
    this.snmpAtStart = await readSnmp()
  }

  /** Find the bound socket by its address and port, and its drop count now. */
  attach (address: string, port: number): void {
    this.family = udpFamilyOf(address)
    const own = findOwnUdpSocket(port)
    this.inode = own?.inode
    this.dropsAtStart = own?.drops ?? 0
    this.open = true
  }

  /** Whether this socket's own drop count was found (Linux). */
  get socketReadable (): boolean {
    return this.inode !== undefined
  }

  /** Whether the machine-wide counters of the socket's family were there at the baseline. */
  get machineReadable (): boolean {
    if (this.snmpAtStart === undefined) return false
    return this.family === 'ipv4' || this.snmpAtStart.udp6 !== undefined
  }

  /** Drops since the baseline as of the last check; null where they cannot be told. */
  get total (): number | null {
    return !this.socketReadable || this.unknown ? null : this.reported
  }

  /** The machine-wide rise as of the last check; null where it cannot be told. */
  get machineWide (): number | null {
    return this.machineReadable ? this.machine : null
  }

  /**
   * Every `everyMs`, while `activity()` (datagrams seen so far) changes — a quiet socket has
   * nothing to lose — check. Only where the count is readable.
   */
  watch (everyMs: number, activity: () => number): void {
    if (!this.socketReadable || everyMs <= 0) return
    let seen = activity()
    this.timer = setInterval(() => {
      if (activity() === seen) return
      seen = activity()
      void this.check()
    }, everyMs)
    this.timer.unref()
  }

  /** Stop the periodic checks (a last {@link check} may follow). */
  stop (): void {
    clearInterval(this.timer)
  }

  /** The socket is closing: a read still under way reports nothing. */
  detach (): void {
    this.stop()
    this.open = false
  }

  /**
   * Read the counts now and hand a rise to `onDrops`. Resolves with {@link total}.
   * Concurrent calls share one read (and one report).
   */
  async check (): Promise<number | null> {
    if (!this.socketReadable) return null
    this.pending ??= this.read().finally(() => { this.pending = undefined })
    await this.pending
    return this.total
  }

  private async read (): Promise<void> {
    const [drops, now] = await Promise.all([readUdpSocketDrops(this.inode!), readSnmp()])
    if (!this.open) return
    this.machine = now !== undefined && this.machineReadable
      ? udpCounterDelta(diffSnmp(this.snmpAtStart!, now), 'RcvbufErrors', this.family)
      : null
    // The socket's sk_drops only grows while it is open; below the start it is not ours.
    if (drops === undefined || drops < this.dropsAtStart) {
      this.unknown = true
      return
    }
    const total = drops - this.dropsAtStart
    if (total <= this.reported) return
    const dropped = total - this.reported
    this.reported = total
    this.onDrops({ dropped, total, machineWide: this.machine })
  }
}
