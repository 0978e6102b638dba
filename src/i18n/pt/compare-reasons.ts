/** Por que o compare não pôde fazer algo, a partir dos códigos do seu JSON (ver en/compare-reasons.ts). */
import type { Fmt } from '../fmt.js'
import type { CompareReasons } from '../en/compare-reasons.js'

const KIND: Record<string, string> = { loss: 'perda', delay: 'atraso', jitter: 'jitter', reorder: 'reordenação', duplicate: 'duplicação' }

export const compareReasons = (f: Fmt): CompareReasons => ({
  kernel: (p) => {
    switch (p.reason) {
      case 'no-snmp': return 'não é possível ler /proc/net/snmp (não é Linux, ou o /proc não está montado)'
      case 'tcp-counter-unknown': return 'o Tcp RetransSegs está ausente ou voltou para trás (foi zerado): não se sabe quanto subiu'
      case 'no-snmp6': return `não se sabe quanto subiram os contadores ${f.list(p.counters)} do kernel (não é possível ler /proc/net/snmp6: sem contadores de IPv6)`
      case 'udp-counters-unknown': return `não se sabe quanto subiram os contadores ${f.list(p.counters)} do kernel (ausentes, ou voltaram para trás: foram zerados)`
    }
  },
  tcpDegraded: (p) => {
    const streamKinds = p.notApplied.filter(k => k !== 'loss').map(k => (k === 'reorder' ? 'reordenado' : 'duplicado'))
    const parts = p.reason.map(code => code === 'loss-needs-kernel'
      ? 'no espaço de usuário não é possível descartar segmentos TCP; rode como root com nft para ter perda real (aí o TCP retransmite)'
      : `um fluxo de bytes TCP não pode ser ${streamKinds.join(' ou ')} por um encaminhador sem corrompê-lo (o kernel precisaria do netem)`)
    return `O TCP rodou sem ${f.list(p.notApplied.map(k => KIND[k] ?? k))}: ${parts.join('; ')}`
  },
})
