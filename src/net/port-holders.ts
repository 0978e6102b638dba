import { readFile } from 'node:fs/promises'

/**
 * Who holds a TCP port that a listen was refused (EADDRINUSE), read from Linux's
 * /proc/net/tcp and /proc/net/tcp6 — no `ss` needed.
 *
 * Node sets SO_REUSEADDR on every TCP socket it binds, so a TIME_WAIT left by a sockkit (or any
 * Node) server never blocks a new listener. One left by a program that did not set it — a
 * student's Python or C server, or a client's ephemeral port — does, for the 60 s Linux keeps
 * it. Such a socket belongs to no program any more (inode 0): nothing can be stopped, it frees
 * itself. docs/dev/servers.md has the measurements.
 */

/** Which sockets hold the port: a program's (listening or connected), or only closing ones no program owns. */
export type PortHolders =
  | { kind: 'program' }
  | { kind: 'closing'; states: string[]; freesInS: number | undefined }

/** TCP states (include/net/tcp_states.h) a socket passes through after its program closed it. */
const CLOSING_STATES: Record<string, string> = {
  '04': 'FIN_WAIT1', '05': 'FIN_WAIT2', '06': 'TIME_WAIT', '09': 'LAST_ACK', '0B': 'CLOSING',
}
/** Timer kind 3 is TIME_WAIT's; its `when` is in USER_HZ ticks (100 a second on Linux). */
const TIMEWAIT_TIMER = '03'
const TICKS_PER_SECOND = 100

/** One row of /proc/net/tcp{,6}, the parts we read. */
interface TcpRow { address: string; port: number; state: string; timer: string; ticksLeft: number; inode: string }

/** `0100007F` → 127.0.0.1; 32 hex digits → an IPv6 address (four little-endian words), as text. */
const procAddress = (hex: string): string => {
  if (hex.length === 8) return [3, 2, 1, 0].map(i => parseInt(hex.slice(i * 2, i * 2 + 2), 16)).join('.')
  const bytes: string[] = []
  for (let w = 0; w < 4; w++) for (let b = 3; b >= 0; b--) bytes.push(hex.slice(w * 8 + b * 2, w * 8 + b * 2 + 2))
  const groups = Array.from({ length: 8 }, (_, i) => parseInt(bytes[i * 2]! + bytes[i * 2 + 1]!, 16))
  if (groups.slice(0, 5).every(g => g === 0) && groups[5] === 0xffff) {
    return `${groups[6]! >> 8}.${groups[6]! & 255}.${groups[7]! >> 8}.${groups[7]! & 255}`
  }
  return canonicalIPv6(groups.map(g => g.toString(16)).join(':'))
}

/** The shortest form of an IPv6 address (`0:0:0:0:0:0:0:1` → `::1`), as the WHATWG URL parser writes it. */
const canonicalIPv6 = (address: string): string => {
  try {
    return new URL(`http://[${address}]/`).hostname.slice(1, -1)
  } catch {
    return address
  }
}

/** The rows of one /proc table; none where it cannot be read. */
export const parseProcTcp = (text: string): TcpRow[] => text.split('\n').slice(1).flatMap(line => {
  const c = line.trim().split(/\s+/)
  if (c.length < 10) return []
  const [hexAddress, hexPort] = c[1]!.split(':')
  const [timer, when] = c[5]!.split(':')
  return [{
    address: procAddress(hexAddress!), port: parseInt(hexPort!, 16), state: c[3]!,
    timer: timer!, ticksLeft: parseInt(when!, 16), inode: c[9]!,
  }]
})

const WILDCARDS = new Set(['0.0.0.0', '::'])

/** A row can conflict with binding `host`: the same address, or a wildcard on either side. */
const overlaps = (row: TcpRow, host: string): boolean =>
  WILDCARDS.has(host) || WILDCARDS.has(row.address) || row.address === comparable(host)

/** `::ffff:127.0.0.1` → `127.0.0.1` (as procAddress reads a mapped address); IPv6 in its shortest form. */
const comparable = (host: string): string => {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(host)
  return mapped ? mapped[1]! : host.includes(':') ? canonicalIPv6(host) : host
}

/**
 * Classify the holders of `port` for a bind to `host` from the table texts. `undefined` when
 * no row holds it (the holder is invisible from here).
 */
export const classifyPortHolders = (tables: string[], host: string, port: number): PortHolders | undefined => {
  const rows = tables.flatMap(parseProcTcp).filter(r => r.port === port && overlaps(r, host))
  if (rows.length === 0) return undefined
  // A socket a program still owns (inode ≠ 0), or one in a state no close leads to, is the program's.
  if (rows.some(r => r.inode !== '0' || CLOSING_STATES[r.state] === undefined)) return { kind: 'program' }
  const ticks = rows.filter(r => r.timer === TIMEWAIT_TIMER).map(r => r.ticksLeft)
  const allTimeWait = rows.every(r => r.timer === TIMEWAIT_TIMER)
  return {
    kind: 'closing',
    states: [...new Set(rows.map(r => CLOSING_STATES[r.state]!))],
    freesInS: allTimeWait ? Math.ceil(Math.max(...ticks) / TICKS_PER_SECOND) : undefined,
  }
}

/** Who holds `port` for a bind to `host` on this Linux machine; `undefined` elsewhere or when unknown. */
export const tcpPortHolders = async (host: string, port: number): Promise<PortHolders | undefined> => {
  if (process.platform !== 'linux') return undefined
  const tables = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map(p => readFile(p, 'utf8').catch(() => '')))
  return classifyPortHolders(tables, host, port)
}
