/**
 * The Linux kernel's own protocol counters, from /proc/net/snmp. compare reads them
 * before and after each transport's run: a rise in `Udp: RcvbufErrors` is the
 * receiver's socket buffer overflowing, `Tcp: RetransSegs` is retransmissions.
 *
 * The file holds pairs of lines per protocol, a header then the values:
 *   Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors …
 *   Udp: 1234 5 0 1230 0 0 …
 */
import { readFile } from 'node:fs/promises'

/** Counters by name, exactly as /proc/net/snmp spells them (RcvbufErrors, RetransSegs…). */
export interface SnmpCounters {
  udp: Record<string, number>
  tcp: Record<string, number>
}

const SNMP_PATH = '/proc/net/snmp'

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

/** Read /proc/net/snmp; undefined where it does not exist or cannot be read (not Linux). */
export async function readSnmp (): Promise<SnmpCounters | undefined> {
  try {
    return parseSnmp(await readFile(SNMP_PATH, 'utf8'))
  } catch {
    return undefined
  }
}

/**
 * after − before for every counter present in both. Counters that went backwards (a
 * reset or a 32-bit wrap) are reported as 0 rather than as a negative count.
 */
export function diffSnmp (before: SnmpCounters, after: SnmpCounters): SnmpCounters {
  return { udp: diffSection(before.udp, after.udp), tcp: diffSection(before.tcp, after.tcp) }
}

function diffSection (before: Record<string, number>, after: Record<string, number>): Record<string, number> {
  const delta: Record<string, number> = {}
  for (const [name, value] of Object.entries(after)) {
    const earlier = before[name]
    if (earlier !== undefined) delta[name] = Math.max(0, value - earlier)
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
