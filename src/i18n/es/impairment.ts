import type { ExpectedClause } from '../../impairment/expectation.js'
import type { KernelReason, NetemReason } from '../../impairment/model.js'
import type { Area } from '../index.js'

type Command = 'compare' | 'link'
const udpFlag = (command: Command): string => command === 'link' ? '--udp' : '--transports udp'
const orAutoText = ', o deja --emulator en auto: entonces TCP se ejecuta sin ello y la salida dice por qué'
const kindNoun = { delay: 'retardo', jitter: 'jitter', reorder: 'reordenamiento', duplicate: 'duplicación' } as const
const nounOf = (kind: string): string => (kindNoun as Record<string, string>)[kind] ?? kind

/** Lo que puede hacer el kernel de esta máquina (detectKernelSupport): las razones que cita un plan. */
const KERNEL: ReturnType<Area<'impairment'>>['kernel'] = {
  available: 'Linux, root y nft: el kernel descarta paquetes de verdad',
  availableUsernsHop: 'kernel (espacio de nombres de usuario): cada conexión cruza el loopback de un espacio de nombres de usuario y de red privado, donde nftables descarta segmentos de verdad sin root',
  availableUserns: 'kernel (espacio de nombres de usuario): sockkit se volvió a ejecutar en un espacio de nombres de usuario y de red privado, donde nftables descarta paquetes de verdad sin root',
  needsLinux: (p) => `el emulador del kernel necesita Linux (nftables); esto es ${p.platform}`,
  needsRoot: 'el emulador del kernel necesita root (añade una tabla nftables): usa sudo',
  needsNft: 'el emulador del kernel necesita el comando nft (instala el paquete nftables)',
  netemUndriven: 'el kernel tiene netem, pero sockkit todavía no lo maneja: retardo, jitter, desorden y duplicación quedan en el reenviador en espacio de usuario',
  noNetem: 'este kernel no tiene netem (sch_netem): no puede retardar, reordenar ni duplicar paquetes, ni añadir jitter',
  netemUnchecked: (p) => `no se pudo comprobar netem (${p.detail}): el emulador del kernel solo hace pérdida`,
  netemLinuxOnly: 'netem solo existe en Linux',
  netemNeedsRoot: 'no se comprobó netem (necesita root)',
  notNeeded: 'no hizo falta el emulador del kernel',
  netemNotChecked: 'no comprobado',
}
export const kernelReasonWords = (r: KernelReason): string => r.code === 'needsLinux' ? KERNEL.needsLinux(r) : KERNEL[r.code]
export const netemReasonWords = (r: NetemReason): string => r.code === 'netemUnchecked' ? KERNEL.netemUnchecked(r) : KERNEL[r.code]

/** Palabras de degradación de la red que muestra la CLI (compare y link); nombran opciones de la CLI. */
export const impairment: Area<'impairment'> = (f) => ({
  flagsTcpStream: (p) => {
    const why = p.kinds.map(kind => kind === 'reorder'
      ? 'reordenar (TCP entrega los bytes en orden, así que un programa nunca ve segmentos desordenados)'
      : 'duplicar (TCP descarta los segmentos duplicados, y copiar bytes corrompería el flujo)')
    return `TCP no puede ${why.join(' ni ')}; usa ${udpFlag(p.command)}${p.kernelAsked ? ' con --emulator auto' : ''} para ` +
      `${p.kinds.length === 2 ? 'verlos' : 'verlo'}${p.orAuto ? orAutoText : ''}`
  },
  flagsKernelOnlyDrops: (p) =>
    `--emulator kernel solo descarta paquetes (una tabla de nftables) y no puede añadir ${p.kinds.map(k => kindNoun[k]).join(' ni ')}; ` +
    'usa --emulator auto: el kernel descarta y el reenviador en espacio de usuario añade el resto',
  flagsRelayCannotLoseTcp: (p) =>
    'el reenviador en espacio de usuario no puede perder paquetes TCP: ve un flujo de bytes, y descartar bytes lo corrompería en lugar de hacer que TCP retransmita; ' +
    `usa ${udpFlag(p.command)}, o ` + (p.orAuto
      ? 'deja --emulator en auto (como root en Linux con nft el kernel descarta entonces segmentos TCP de verdad; si no, TCP se ejecuta sin pérdida y la salida dice por qué)'
      : '--emulator auto como root en Linux con nft (el kernel descarta entonces segmentos TCP de verdad)'),
  flagsTcpLossNeedsKernel: (p) => {
    const why = p.missing === 'linux' ? `necesita Linux, y esto es ${p.platform}` : p.missing === 'root' ? 'necesita root (ejecútalo con sudo)' : 'necesita el comando nft (el paquete nftables)'
    return 'el reenviador TCP no puede perder paquetes (descartar bytes corrompería el flujo, no haría que TCP retransmita), y una pérdida TCP real ' +
      `necesita el emulador del kernel, que no puede ejecutarse aquí: ${why}; o usa ${udpFlag(p.command)}`
  },
  flagsTcpLossNoUserns: (p) => {
    const why = {
      'userns-refused': 'este sistema no permite espacios de nombres de usuario sin privilegios; ejecútalo con sudo o actívalos (sysctl kernel.unprivileged_userns_clone=1)',
      'tools-missing': 'falta unshare, ip o nft; instala util-linux, iproute2 y nftables, o ejecútalo con sudo',
      'userns-off': 'SOCKKIT_NO_USERNS está definida; quítala o ejecútalo con sudo',
    }[p.reason]
    return 'aquí TCP no estaría expuesto a pérdida: el reenviador no puede descartar segmentos (corrompería el flujo en vez de hacer que TCP retransmita), ' +
      `y el kernel solo puede descartarlos como root o dentro de un espacio de nombres de usuario sin privilegios — ${why}; o usa ${udpFlag(p.command)}`
  },
  reorderSpacing: (p) =>
    `--reorder necesita sondas separadas por menos de ${f.num(p.holdMs)} ms (estas van cada ${f.num(Math.round(p.intervalMs * 10) / 10)} ms): ` +
    `un datagrama retenido espera como máximo ${f.num(p.holdMs)} ms al siguiente, así que aquí cada retención solo añade hasta ${f.num(p.holdMs)} ms ` +
    `de retardo en lugar de desordenar — sube --rate por encima de ${f.num(1000 / p.holdMs)}/s para ver el desorden`,
  staleTablesRemoved: (p) =>
    `kernel: se ${p.tables.length === 1 ? 'eliminó una tabla de nftables' : `eliminaron ${f.num(p.tables.length)} tablas de nftables`} que dejó ` +
    (p.tables.length === 1 ? 'una ejecución que murió (descartaba paquetes en los puertos de esa ejecución hasta ahora)' : 'ejecuciones que murieron (descartaban paquetes en los puertos de esas ejecuciones hasta ahora)') +
    `: ${p.tables.join(', ')}`,
  expected: (p) => {
    const clause = (c: ExpectedClause): string => {
      switch (c.kind) {
        case 'lossStream': return `0% perdido: TCP retransmite lo que descarta la pérdida del ${f.num(c.lossEachWay)}% en cada sentido, así que llega más tarde en lugar de perderse`
        case 'loss': return `${f.num(c.percent)}% de las sondas perdidas (${f.num(c.lossEachWay)}% en cada sentido)`
        case 'rtt': return `RTT +${f.num(c.addedMs)} ms`
        case 'rttJitter': return `RTT +${f.num(c.addedMs)} ms de media (+${f.num(c.minMs)}…${f.num(c.maxMs)} ms)`
        case 'jitterReorder': return `alrededor del ${f.num(c.percent)}% desordenado por el jitter`
        case 'reorder': return `alrededor del ${f.num(c.percent)}% desordenado`
        case 'held': return `alrededor del ${f.num(c.percent)}% de los datagramas retenidos en cada sentido, cada uno enviado después del siguiente si este llega en ` +
          `${f.num(c.holdMs)} ms, o si no en orden con ${f.num(c.holdMs)} ms de retraso`
        case 'duplicate': return `${f.num(c.percent)}% de copias extra`
      }
    }
    return p.clauses.length ? `ida y vuelta esperada: ${p.clauses.map(clause).join(', ')}` : 'sin degradación'
  },
  describe: (p) => {
    const parts: string[] = []
    if (p.loss > 0) parts.push(`pérdida ${f.num(p.loss)}%`)
    if (p.delay > 0 || p.jitter > 0) parts.push(p.jitter > 0 ? `retardo ${f.num(p.delay)} ±${f.num(p.jitter)} ms` : `retardo ${f.num(p.delay)} ms`)
    if (p.reorder > 0) parts.push(`desorden ${f.num(p.reorder)}%`)
    if (p.duplicate > 0) parts.push(`duplicados ${f.num(p.duplicate)}%`)
    return parts.length ? `${parts.join(', ')} por sentido` : 'sin degradación (un reenviador simple)'
  },
  planReason: (p) => {
    const relayOnly = (kinds: string[]) => `${f.list(kinds.map(nounOf))} con el reenviador en espacio de usuario (el emulador del kernel de sockkit solo descarta paquetes)`
    const drops = (support: KernelReason, tcp: boolean) => `pérdida con el kernel (${kernelReasonWords(support)}${tcp ? '; TCP retransmite de verdad' : ''})`
    switch (p.kind) {
      case 'askedKernel': return `se pidió el emulador del kernel: ${kernelReasonWords(p.support)}`
      case 'askedUserspace': return 'se pidió el reenviador en espacio de usuario'
      case 'plainRelay': return 'no se pidió ninguna degradación: un reenviador simple'
      case 'kernelLoss': return drops(p.support, p.tcp)
      case 'kernelLossRelayRest': return `${drops(p.support, p.tcp)}; ${relayOnly(p.relayKinds)}`
      case 'userspaceAll': return `el reenviador en espacio de usuario lo hace todo para UDP, pérdida incluida: el kernel no puede descartar paquetes aquí (${kernelReasonWords(p.support)})`
      case 'userspaceNoLoss': return `${f.list(p.relayKinds.map(nounOf))} con el reenviador en espacio de usuario: no se pidió pérdida, y el emulador del kernel de sockkit solo descarta paquetes`
    }
  },
  kernel: KERNEL,
  kernelReason: kernelReasonWords,
  netemReason: netemReasonWords,
})
