/**
 * compare against real kernel packet loss: a private network namespace whose nftables
 * rule drops a known share of packets on its loopback. Needs root, `ip` and `nft`
 * (.ci/run installs nftables); skipped with the reason otherwise.
 *
 * The rule drops on the INPUT hook, which every loopback packet crosses once: a probe
 * and its echo each face the drop, independently.
 *
 * UDP: p = 20 % per packet → a round trip survives with (1 − p)² = 0.64, so the expected
 * round-trip loss is 36 %. Over n = 500 probes the lost count is Binomial(500, 0.36):
 * mean 180, standard deviation √(500 · 0.36 · 0.64) ≈ 10.7. We accept mean ± 5 sd,
 * 126–234 lost (25.3 %–46.7 %): a false failure has odds below 1 in 10⁶.
 *
 * TCP: the same 20 % drop, but only on segments without SYN/FIN/RST (data and ACKs), so
 * the handshake cannot stall past the connect timeout (three lost SYNs take 7 s).
 * TCP must deliver every probe (lost 0) and the kernel must have retransmitted
 * (Tcp RetransSegs > 0 — the namespace has its own /proc/net/snmp, so nothing else
 * counts in it). Retransmissions after a timeout back off (200 ms, 400 ms, …), so a
 * probe may come back seconds late: Tmax is set to 30 s for the TCP run so that a slow
 * delivery is not counted as "late" (lost); the run still ends as soon as everything
 * is back. UDP runs separately with the automatic Tmax (1 s), since its lost probes
 * would otherwise hold the run open for the whole 30 s.
 */
import t from 'tap'
import { inNetns, netnsSkipReason, privateNetns, sockkitInNetns } from './fixtures/netns.js'

const compareIn = (ns: string, args: string[]) => sockkitInNetns(ns, ['compare', ...args, '--json'], 50_000)

t.test('compare under real kernel packet loss in a private network namespace', { skip: netnsSkipReason({ nft: true }), timeout: 58_000 }, async t => {
  const ns = privateNetns(t, 'sockkit-cmp')
  if (ns === undefined) return
  const rules = `
table inet sockkit_loss {
  chain input {
    type filter hook input priority 0; policy accept;
    meta l4proto udp numgen random mod 100 < 20 drop
    tcp flags & (syn | fin | rst) == 0 numgen random mod 100 < 20 drop
  }
}
`
  const nft = inNetns(ns, ['nft', '-f', '-'], rules)
  t.equal(nft.status, 0, `nftables rules loaded ${nft.stderr}`)

  const udp = await compareIn(ns, ['--transports', 'udp', '--count', '500', '--rate', '500'])
  t.equal(udp.code, 0, udp.stderr)
  const udpResult = JSON.parse(udp.stdout).results.udp
  t.equal(udpResult.sent, 500)
  t.ok(udpResult.lost >= 126 && udpResult.lost <= 234,
    `UDP lost ${udpResult.lost}/500 (${udpResult.lossPercent}%), expected 180 ± 54 (36 % ± 5 sd)`)
  // `lost` already includes the late ones (back after Tmax); `received` is only those back in time.
  t.equal(udpResult.lost + udpResult.received, 500, 'every probe is either back in time or lost')
  t.ok(udpResult.late <= udpResult.lost, 'late probes are counted among the lost')

  const tcp = await compareIn(ns, ['--transports', 'tcp', '--count', '300', '--rate', '300', '--tmax', '30000'])
  t.equal(tcp.code, 0, tcp.stderr)
  const tcpJson = JSON.parse(tcp.stdout)
  t.match(tcpJson.results.tcp, { sent: 300, received: 300, lost: 0 }, 'TCP delivered every probe')
  t.ok(tcpJson.kernel.tcp.tcp.retransSegs > 0, `the kernel retransmitted (RetransSegs +${tcpJson.kernel.tcp.tcp.retransSegs})`)
  t.comment(`UDP loss ${udpResult.lossPercent}%; TCP p50 ${tcpJson.results.tcp.rttMs.p50} ms, p99 ${tcpJson.results.tcp.rttMs.p99} ms, max ${tcpJson.results.tcp.rttMs.max} ms`)
})
