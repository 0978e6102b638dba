/**
 * Why compare could not do something, worded from the codes in its JSON: the kernel's
 * counters that could not be read (KernelReport.reason) and the impairments TCP ran without
 * (tcpDegraded.reason). Used by the findings of every language (each its own file).
 */
import type { Fmt } from '../fmt.js'
import type { KernelUnavailable, TcpDegradedReason } from '../../compare/compare-types.js'

export const compareReasons = (f: Fmt) => ({
  kernel: (p: { reason: KernelUnavailable; counters: string[] }): string => {
    switch (p.reason) {
      case 'no-snmp': return '/proc/net/snmp cannot be read (not Linux, or /proc is not mounted)'
      case 'tcp-counter-unknown': return 'Tcp RetransSegs is missing or went backwards (a reset): its rise is unknown'
      case 'no-snmp6': return `the kernel's ${p.counters.join(', ')} rise is unknown (/proc/net/snmp6 cannot be read: no IPv6 counters)`
      case 'udp-counters-unknown': return `the kernel's ${p.counters.join(', ')} rise is unknown (missing, or went backwards: a reset)`
    }
  },
  tcpDegraded: (p: { notApplied: string[]; reason: TcpDegradedReason[] }): string => {
    const streamKinds = p.notApplied.filter(k => k !== 'loss').map(k => (k === 'reorder' ? 'reordered' : 'duplicated'))
    const parts = p.reason.map(code => code === 'loss-needs-kernel'
      ? 'userspace cannot drop TCP segments; run as root with nft for real loss (TCP then retransmits)'
      : `a TCP byte stream cannot be ${streamKinds.join(' or ')} by a relay without corrupting it (the kernel would need netem)`)
    return `TCP ran without ${p.notApplied.join(', ')}: ${parts.join('; ')}`
  },
})

/** What each language's compare-reasons.ts returns. */
export type CompareReasons = ReturnType<typeof compareReasons>
