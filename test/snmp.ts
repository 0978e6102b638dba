import t from 'tap'
import { existsSync } from 'node:fs'
import { diffSnmp, parseSnmp, parseSnmp6, readSnmp, udpCounterDelta, udpFamilyOf, type SnmpCounters } from '../src/net/snmp.js'

// Captured from a Linux 6.x machine's /proc/net/snmp (header line + value line per protocol).
const SAMPLE = `Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits
Ip: 2 64 5332 0 0 0 0 0 5332 3565 0 0 0 0 0 0 0 0 0 3565
Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds InParmProbs InSrcQuenchs InRedirects InEchos InEchoReps InTimestamps InTimestampReps InAddrMasks InAddrMaskReps OutMsgs OutErrors OutRateLimitGlobal OutRateLimitHost OutDestUnreachs OutTimeExcds OutParmProbs OutSrcQuenchs OutRedirects OutEchos OutEchoReps OutTimestamps OutTimestampReps OutAddrMasks OutAddrMaskReps
Icmp: 5 0 0 5 0 0 0 0 0 0 0 0 0 0 4 0 0 0 4 0 0 0 0 0 0 0 0 0 0
IcmpMsg: InType3 OutType3
IcmpMsg: 5 4
Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors
Tcp: 1 200 120000 -1 64 28 0 6 1 5277 3504 8 0 49 0
Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
Udp: 46 4 0 51 0 0 0 0 0
UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors
UdpLite: 0 0 0 0 0 0 0 0 0
`

t.test('parses the Tcp and Udp sections of the real format', async t => {
  const counters = parseSnmp(SAMPLE)
  t.same(counters.udp, {
    InDatagrams: 46, NoPorts: 4, InErrors: 0, OutDatagrams: 51, RcvbufErrors: 0,
    SndbufErrors: 0, InCsumErrors: 0, IgnoredMulti: 0, MemErrors: 0,
  }, 'UdpLite does not overwrite Udp')
  t.equal(counters.tcp.RetransSegs, 8)
  t.equal(counters.tcp.InSegs, 5277)
  t.equal(counters.tcp.OutRsts, 49)
  t.equal(counters.tcp.MaxConn, -1, 'negative values parse')
  t.equal(Object.keys(counters.tcp).length, 15)
})

t.test('tolerates junk: missing value lines, CRLF, empty text', async t => {
  t.same(parseSnmp(''), { udp: {}, tcp: {} })
  // A header without its value line, then a complete pair.
  const text = 'Udp: InDatagrams RcvbufErrors\r\nTcp: RetransSegs\r\nTcp: 7\r\n'
  t.same(parseSnmp(text), { udp: {}, tcp: { RetransSegs: 7 } })
})

t.test('diffSnmp: deltas, never negative', async t => {
  const before = parseSnmp(SAMPLE)
  const after = parseSnmp(SAMPLE.replace('Udp: 46 4 0 51 0 0', 'Udp: 1046 4 31 1051 31 0').replace(' 5277 3504 8 ', ' 6277 4504 20 '))
  const delta = diffSnmp(before, after)
  t.equal(delta.udp.InDatagrams, 1000)
  t.equal(delta.udp.RcvbufErrors, 31)
  t.equal(delta.udp.InErrors, 31)
  t.equal(delta.tcp.RetransSegs, 12)
  // A counter that went backwards (a reset, or a 32-bit wrap: 4294967290 → 10) is unknown,
  // never an exact 0 drops.
  t.equal(diffSnmp(after, before).udp.RcvbufErrors, null)
  const wrapped = diffSnmp({ udp: { RcvbufErrors: 4294967290 }, tcp: {} }, { udp: { RcvbufErrors: 10 }, tcp: {} })
  t.equal(wrapped.udp.RcvbufErrors, null, 'a wrap is not reported as 0')
  // Counters only in one snapshot are unknown rather than guessed.
  t.same(diffSnmp({ udp: { A: 1 }, tcp: {} }, { udp: { B: 2 }, tcp: {} }), { udp: { A: null, B: null }, tcp: {} })
})

// Captured from /proc/net/snmp6 (Linux 6.x), the UDP lines and neighbours.
const SAMPLE6 = `Ip6InReceives                   	120
Icmp6OutMsgs                    	4
Udp6InDatagrams                 	15024
Udp6NoPorts                     	0
Udp6InErrors                    	4976
Udp6OutDatagrams                	20000
Udp6RcvbufErrors                	4976
Udp6SndbufErrors                	0
Udp6InCsumErrors                	0
Udp6IgnoredMulti                	0
Udp6MemErrors                   	0
UdpLite6InDatagrams             	7
UdpLite6RcvbufErrors            	9
`

t.test('parseSnmp6: the Udp6 counters, named like the IPv4 ones', async t => {
  t.same(parseSnmp6(SAMPLE6), {
    InDatagrams: 15024, NoPorts: 0, InErrors: 4976, OutDatagrams: 20000, RcvbufErrors: 4976,
    SndbufErrors: 0, InCsumErrors: 0, IgnoredMulti: 0, MemErrors: 0,
  }, 'UdpLite6 and other protocols are left out')
  t.same(parseSnmp6(''), {})
  t.same(parseSnmp6('Udp6RcvbufErrors\nUdp6InErrors x\nUdp6NoPorts 3\r\n'), { NoPorts: 3 }, 'a line without a number is skipped')
})

t.test('udpCounterDelta: by family, unknown stays unknown', async t => {
  const before: SnmpCounters = { udp: { RcvbufErrors: 100, InErrors: 100 }, tcp: {}, udp6: { RcvbufErrors: 0, InErrors: 0 } }
  const after: SnmpCounters = { udp: { RcvbufErrors: 103, InErrors: 103 }, tcp: {}, udp6: { RcvbufErrors: 4976, InErrors: 4976 } }
  const delta = diffSnmp(before, after)
  t.equal(udpCounterDelta(delta, 'RcvbufErrors', 'ipv4'), 3)
  t.equal(udpCounterDelta(delta, 'RcvbufErrors', 'ipv6'), 4976)
  t.equal(udpCounterDelta(delta, 'RcvbufErrors', 'both'), 4979)
  t.equal(udpCounterDelta(delta, 'SndbufErrors', 'ipv6'), null, 'a counter in neither reading')
  // No /proc/net/snmp6 (a kernel without IPv6): IPv6 is unknown, IPv4 still known.
  const noV6 = diffSnmp({ udp: { RcvbufErrors: 1 }, tcp: {} }, { udp: { RcvbufErrors: 1 }, tcp: {} })
  t.equal(udpCounterDelta(noV6, 'RcvbufErrors', 'ipv6'), null)
  t.equal(udpCounterDelta(noV6, 'RcvbufErrors', 'both'), null)
  t.equal(udpCounterDelta(noV6, 'RcvbufErrors', 'ipv4'), 0)
  // One family gone backwards: the sum is unknown too.
  const reset = diffSnmp(after, { ...after, udp6: { RcvbufErrors: 5, InErrors: 5 } })
  t.equal(udpCounterDelta(reset, 'RcvbufErrors', 'both'), null)
  t.equal(udpCounterDelta(reset, 'RcvbufErrors', 'ipv4'), 0)
})

t.test('udpFamilyOf: the counters a socket address lands in', async t => {
  t.equal(udpFamilyOf('127.0.0.1'), 'ipv4')
  t.equal(udpFamilyOf('0.0.0.0'), 'ipv4')
  t.equal(udpFamilyOf('::1'), 'ipv6')
  t.equal(udpFamilyOf('fe80::1'), 'ipv6')
  t.equal(udpFamilyOf('::'), 'both', 'dual-stack wildcard')
  t.equal(udpFamilyOf('::ffff:127.0.0.1'), 'ipv4', 'IPv4-mapped travels as IPv4')
  t.equal(udpFamilyOf('::FFFF:10.0.0.1'), 'ipv4')
  t.equal(udpFamilyOf('localhost'), 'both', 'a name may resolve to either')
})

t.test('readSnmp on this machine', async t => {
  const counters = await readSnmp()
  if (!existsSync('/proc/net/snmp')) {
    t.equal(counters, undefined, 'no /proc/net/snmp: undefined')
    return
  }
  t.ok(counters, 'Linux: counters were read')
  for (const name of ['InDatagrams', 'RcvbufErrors', 'InErrors', 'SndbufErrors']) {
    t.type(counters!.udp[name], 'number', `Udp ${name}`)
    t.ok(Number.isInteger(counters!.udp[name]))
  }
  t.type(counters!.tcp.RetransSegs, 'number')
  if (!existsSync('/proc/net/snmp6')) {
    t.equal(counters!.udp6, undefined, 'no /proc/net/snmp6: udp6 absent')
    return
  }
  for (const name of ['InDatagrams', 'RcvbufErrors', 'InErrors', 'SndbufErrors']) t.type(counters!.udp6?.[name], 'number', `Udp6${name}`)
})
