import t from 'tap'
import { existsSync } from 'node:fs'
import { diffSnmp, parseSnmp, readSnmp } from '../src/snmp.js'

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
  // A counter that went backwards (reset) reads as 0, not a negative drop count.
  t.equal(diffSnmp(after, before).udp.RcvbufErrors, 0)
  // Counters only in one snapshot are left out rather than guessed.
  t.same(diffSnmp({ udp: { A: 1 }, tcp: {} }, { udp: { B: 2 }, tcp: {} }), { udp: {}, tcp: {} })
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
})
