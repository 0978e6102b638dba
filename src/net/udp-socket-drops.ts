/**
 * One UDP socket's own drop count, from the kernel's socket tables (Linux only).
 *
 * /proc/net/udp (IPv4) and /proc/net/udp6 (IPv6, dual-stack `::` included) list every
 * UDP socket of the network namespace, one per line; the last column, `drops`, is the
 * socket's `sk_drops`: datagrams the kernel threw away for that socket — its receive
 * buffer was full, or (rarely) a bad checksum or a socket filter. Unlike `Udp
 * RcvbufErrors` in /proc/net/snmp, which adds up every socket on the machine (a flooder
 * that never reads its echoes included), it is this socket's alone.
 *
 *   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops
 *   2765: 0100007F:A978 00000000:0000 07 00000000:00000000 00:00000000 00000000  0  0 1769696 2 0000000057dba2fe 0
 *
 * The socket is found by its local port among the sockets this process holds
 * (/proc/self/fd links `socket:[inode]`), then followed by inode.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs'
import { readFile } from 'node:fs/promises'

const UDP_TABLES = ['/proc/net/udp', '/proc/net/udp6'] as const

/** One line of /proc/net/udp{,6}. */
export interface UdpSocketRow {
  localPort: number
  inode: string
  drops: number
}

/** Parse /proc/net/udp or /proc/net/udp6 text; the header and malformed lines are skipped. */
export function parseUdpTable (text: string): UdpSocketRow[] {
  const rows: UdpSocketRow[] = []
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (fields.length < 13 || !/^\d+:$/.test(fields[0]!)) continue
    const port = fields[1]!.split(':')[1]
    const drops = fields[12]!
    if (port === undefined || !/^[0-9A-Fa-f]+$/.test(port) || !/^\d+$/.test(drops) || !/^\d+$/.test(fields[9]!)) continue
    rows.push({ localPort: parseInt(port, 16), inode: fields[9]!, drops: Number(drops) })
  }
  return rows
}

/** The rows of the tables that could be read (undefined when none could: not Linux). */
const rowsOf = (texts: Array<string | undefined>): UdpSocketRow[] | undefined => {
  const read = texts.filter((text): text is string => text !== undefined)
  return read.length === 0 ? undefined : read.flatMap(parseUdpTable)
}

// A table that cannot be read is skipped: not Linux, or no IPv6 (the other may still be there).
const readRows = async (): Promise<UdpSocketRow[] | undefined> =>
  rowsOf(await Promise.all(UDP_TABLES.map(table => readFile(table, 'utf8').catch(() => undefined))))

const readRowsSync = (): UdpSocketRow[] | undefined =>
  rowsOf(UDP_TABLES.map(table => {
    try {
      return readFileSync(table, 'utf8')
    } catch {
      return undefined
    }
  }))

/** Inodes of the sockets this process holds, from /proc/self/fd; undefined off Linux. */
const ownSocketInodes = (): Set<string> | undefined => {
  let fds: string[]
  try {
    fds = readdirSync('/proc/self/fd')
  } catch {
    return undefined
  }
  const inodes = new Set<string>()
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/self/fd/${fd}`))
      if (match) inodes.add(match[1]!)
    } catch { /* closed meanwhile (the readdir fd itself) */ }
  }
  return inodes
}

/**
 * This process's UDP socket bound to `port`: its inode and current `drops`. Undefined
 * where it cannot be told: not Linux, /proc not mounted, or more than one of our sockets
 * on that port (SO_REUSEPORT), where the wrong one's drops must not be reported.
 * Synchronous (it runs once, right after bind), so nothing is received before it.
 */
export function findOwnUdpSocket (port: number): { inode: string; drops: number } | undefined {
  const inodes = ownSocketInodes()
  const rows = readRowsSync()
  if (inodes === undefined || rows === undefined) return undefined
  const ours = rows.filter(row => row.localPort === port && inodes.has(row.inode))
  return ours.length === 1 ? { inode: ours[0]!.inode, drops: ours[0]!.drops } : undefined
}

/** The `drops` column of the socket with this inode; undefined if it is not listed (closed) or unreadable. */
export async function readUdpSocketDrops (inode: string): Promise<number | undefined> {
  return (await readRows())?.find(row => row.inode === inode)?.drops
}
