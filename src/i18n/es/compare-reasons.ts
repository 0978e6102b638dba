/** Por qué compare no pudo hacer algo, desde los códigos de su JSON (ver en/compare-reasons.ts). */
import type { Fmt } from '../fmt.js'
import type { CompareReasons } from '../en/compare-reasons.js'

const KIND: Record<string, string> = { loss: 'pérdida', delay: 'retardo', jitter: 'jitter', reorder: 'desorden', duplicate: 'duplicación' }

export const compareReasons = (f: Fmt): CompareReasons => ({
  kernel: (p) => {
    switch (p.reason) {
      case 'no-snmp': return 'no se puede leer /proc/net/snmp (no es Linux, o /proc no está montado)'
      case 'tcp-counter-unknown': return 'falta Tcp RetransSegs o retrocedió (se reinició): no se sabe cuánto subió'
      case 'no-snmp6': return `no se sabe cuánto subieron los contadores ${f.list(p.counters)} del kernel (no se puede leer /proc/net/snmp6: no hay contadores de IPv6)`
      case 'udp-counters-unknown': return `no se sabe cuánto subieron los contadores ${f.list(p.counters)} del kernel (faltan, o retrocedieron: se reiniciaron)`
    }
  },
  tcpDegraded: (p) => {
    const streamKinds = p.notApplied.filter(k => k !== 'loss').map(k => (k === 'reorder' ? 'desordenado' : 'duplicado'))
    const parts = p.reason.map(code => code === 'loss-needs-kernel'
      ? 'desde el espacio de usuario no se pueden descartar segmentos TCP; ejecútalo como root con nft para tener pérdida real (entonces TCP retransmite)'
      : `un flujo de bytes TCP no puede ser ${streamKinds.join(' o ')} por un reenviador sin corromperlo (el kernel necesitaría netem)`)
    return `TCP funcionó sin ${f.list(p.notApplied.map(k => KIND[k] ?? k))}: ${parts.join('; ')}`
  },
})
