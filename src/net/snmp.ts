/**
 * The Linux kernel's own protocol counters. compare, udp-server and udp-send read them
 * before and after a run: a rise in `Udp: RcvbufErrors` is a receiver's socket buffer
 * overflowing, `Tcp: RetransSegs` is retransmissions.
 *
 * UDP is counted per IP family. /proc/net/snmp holds the IPv4 counters (and TCP's, which
 * cover both families), in pairs of lines per protocol, a header then the values:
 *   Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors …
 *   Udp: 1234 5 0 1230 0 0 …
 * /proc/net/snmp6 holds the IPv6 ones, one "name value" pair per line:
 *   Udp6RcvbufErrors                	4976
 * A datagram counts in the family it travelled in: an IPv4 datagram received by a
 * dual-stack (`::`) socket counts in `Udp:`, so such a socket needs both.
 */
import { readFile } from 'node:fs/promises'
import { isIPv4, isIPv6 } from 'node:net'

/** Counters by name, exactly as /proc/net/snmp spells them (RcvbufErrors, RetransSegs…). */
export interface SnmpCounters {
  /** `Udp:` of /proc/net/snmp: UDP over IPv4. */
  udp: Record<string, number>
  tcp: Record<string, number>
  /**
   * `Udp6*` of /proc/net/snmp6 (UDP over IPv6), named without the prefix so the names
   * match `udp` (RcvbufErrors, InErrors…). Absent where that file cannot be read
   * (a kernel without IPv6).
   */
  udp6?: Record<string, number>
}

/**
 * Counter rises between two readings. null where the rise cannot be told: the counter
 * is missing from either reading, or it went backwards. Never 0 for "unknown".
 */
export interface SnmpDelta {
  udp: Record<string, number | null>
  tcp: Record<string, number | null>
  /** Absent where /proc/net/snmp6 could not be read in either reading. */
  udp6?: Record<string, number | null>
}

/**
 * Which UDP counters a socket's traffic lands in: `ipv4` (Udp), `ipv6` (Udp6), or `both`
 * for a dual-stack socket bound to `::`, which receives both families.
 */
export type UdpFamily = 'ipv4' | 'ipv6' | 'both'

const SNMP_PATH = '/proc/net/snmp'
const SNMP6_PATH = '/proc/net/snmp6'

/**
 * Parse /proc/net/snmp text. Only the `Udp:` and `Tcp:` sections are kept; lines that
 * do not pair up (a header without values, a value that is not a number) are skipped
 * rather than trusted.
 */
export function parseSnmp (text: string): SnmpCounters {
  const counters: SnmpCounters = { udp: {}, tcp: {} }
  const lines = text.split('\n').map(line => line.trim()).filter(line => line !== '')
  for (let i = 0; i + 1 < lines.length; i++) {
    const header = splitLine(lines[i]!)
    const values = splitLine(lines[i + 1]!)
    if (header === undefined || values === undefined || header.protocol !== values.protocol) continue
    // A header line has names, its value line numbers: a name that parses as a number
    // means we are looking at a value line followed by the next section's header.
    if (header.fields.some(isNumeric) || !values.fields.every(isNumeric)) continue
    const target = header.protocol === 'Udp' ? counters.udp : header.protocol === 'Tcp' ? counters.tcp : undefined
    if (target !== undefined) {
      header.fields.forEach((name, index) => {
        const value = values.fields[index]
        if (value !== undefined) target[name] = Number(value)
      })
    }
    i++
  }
  return counters
}

/**
 * Parse /proc/net/snmp6 text: the `Udp6…` counters, without the prefix
 * (`Udp6RcvbufErrors 4976` → `{ RcvbufErrors: 4976 }`). `UdpLite6…` and every other line,
 * and a line whose value is not a number, are skipped.
 */
export function parseSnmp6 (text: string): Record<string, number> {
  const counters: Record<string, number> = {}
  for (const line of text.split('\n')) {
    const match = /^\s*Udp6(\w+)\s+(\d+)\s*$/.exec(line)
    if (match) counters[match[1]!] = Number(match[2])
  }
  return counters
}

/**
 * Read /proc/net/snmp and /proc/net/snmp6; undefined where /proc/net/snmp cannot be read
 * (not Linux, or /proc not mounted). `udp6` is absent where only snmp6 is missing.
 */
export async function readSnmp (): Promise<SnmpCounters | undefined> {
  let counters: SnmpCounters
  try {
    counters = parseSnmp(await readFile(SNMP_PATH, 'utf8'))
  } catch {
    return undefined
  }
  try {
    counters.udp6 = parseSnmp6(await readFile(SNMP6_PATH, 'utf8'))
  } catch { /* no IPv6 in this kernel: udp6 stays absent, and its deltas unknown */ }
  return counters
}

/**
 * after − before for every counter in either reading. A counter missing from one of them
 * is null (unknown), never 0. A counter that went backwards is null too: the kernel's
 * SNMP counters are `unsigned long`, 64-bit on 64-bit kernels, where a wrap cannot happen
 * in practice, so going backwards means a reset (a new network namespace, a module
 * reload) and the rise cannot be known. A 32-bit kernel could wrap at 2^32, but from
 * here a wrap cannot be told from a reset, so it is not computed modulo 2^32 either.
 */
export function diffSnmp (before: SnmpCounters, after: SnmpCounters): SnmpDelta {
  const delta: SnmpDelta = { udp: diffSection(before.udp, after.udp), tcp: diffSection(before.tcp, after.tcp) }
  if (before.udp6 !== undefined || after.udp6 !== undefined) delta.udp6 = diffSection(before.udp6 ?? {}, after.udp6 ?? {})
  return delta
}

/**
 * The rise of UDP counter `name` (RcvbufErrors, InErrors, SndbufErrors…) for a socket of
 * `family`: Udp for IPv4, Udp6 for IPv6, their sum for `both`. null when unknown (missing
 * or gone backwards in a family counted).
 */
export function udpCounterDelta (delta: SnmpDelta, name: string, family: UdpFamily): number | null {
  const v4 = delta.udp[name] ?? null
  const v6 = delta.udp6?.[name] ?? null
  if (family === 'ipv4') return v4
  if (family === 'ipv6') return v6
  return v4 === null || v6 === null ? null : v4 + v6
}

/**
 * Which UDP counters traffic to or from `address` lands in: an IPv4 address (or an
 * IPv4-mapped `::ffff:a.b.c.d`) → ipv4, the IPv6 wildcard `::` (dual-stack) → both,
 * any other IPv6 address → ipv6. A name (not an address) → both, as it may resolve to either.
 */
export function udpFamilyOf (address: string): UdpFamily {
  if (isIPv4(address)) return 'ipv4'
  if (!isIPv6(address)) return 'both'
  const lower = address.toLowerCase()
  if (/^(0{0,4}:){2,7}ffff:\d+\.\d+\.\d+\.\d+$/.test(lower) || /^::ffff:\d+\.\d+\.\d+\.\d+$/.test(lower)) return 'ipv4'
  if (/^[0:]+$/.test(lower)) return 'both'
  return 'ipv6'
}

function diffSection (before: Record<string, number>, after: Record<string, number>): Record<string, number | null> {
  const delta: Record<string, number | null> = {}
  for (const name of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const earlier = before[name]
    const later = after[name]
    delta[name] = earlier === undefined || later === undefined || later < earlier ? null : later - earlier
  }
  return delta
}

function splitLine (line: string): { protocol: string; fields: string[] } | undefined {
  const colon = line.indexOf(':')
  if (colon <= 0) return undefined
  return { protocol: line.slice(0, colon), fields: line.slice(colon + 1).trim().split(/\s+/) }
}

function isNumeric (field: string): boolean {
  return /^-?\d+$/.test(field)
}
