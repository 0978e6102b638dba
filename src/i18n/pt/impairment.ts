import type { ExpectedClause } from '../../impairment/expectation.js'
import type { KernelReason, NetemReason } from '../../impairment/model.js'
import type { Area } from '../index.js'

type Command = 'compare' | 'link'
const udpFlag = (command: Command): string => command === 'link' ? '--udp' : '--transports udp'
const orAutoText = ', ou deixe --emulator em auto: aí o TCP roda sem isso e a saída diz por quê'
const kindNoun = { delay: 'atraso', jitter: 'jitter', reorder: 'reordenação', duplicate: 'duplicação' } as const
const nounOf = (kind: string): string => (kindNoun as Record<string, string>)[kind] ?? kind

/** O que o kernel desta máquina consegue fazer (detectKernelSupport): os motivos que um plano cita. */
const KERNEL: ReturnType<Area<'impairment'>>['kernel'] = {
  available: 'Linux, root e nft: o kernel descarta pacotes de verdade',
  availableUsernsHop: 'kernel (namespace de usuário): cada conexão atravessa o loopback de um namespace de usuário e de rede privado, onde o nftables descarta segmentos de verdade sem root',
  availableUserns: 'kernel (namespace de usuário): o sockkit se executou de novo num namespace de usuário e de rede privado, onde o nftables descarta pacotes de verdade sem root',
  needsLinux: (p) => `o emulador do kernel precisa de Linux (nftables); isto é ${p.platform}`,
  needsRoot: 'o emulador do kernel precisa de root (adiciona uma tabela nftables): use sudo',
  needsNft: 'o emulador do kernel precisa do comando nft (instale o pacote nftables)',
  netemUndriven: 'o kernel tem netem, mas o sockkit ainda não o controla: atraso, jitter, reordenação e duplicação ficam com o encaminhador em espaço de usuário',
  noNetem: 'este kernel não tem netem (sch_netem): não consegue atrasar, reordenar nem duplicar pacotes, nem adicionar jitter',
  netemUnchecked: (p) => `não foi possível verificar o netem (${p.detail}): o emulador do kernel só faz perda`,
  netemLinuxOnly: 'o netem só existe no Linux',
  netemNeedsRoot: 'netem não verificado (precisa de root)',
  notNeeded: 'o emulador do kernel não foi necessário',
  netemNotChecked: 'não verificado',
}
export const kernelReasonWords = (r: KernelReason): string => r.code === 'needsLinux' ? KERNEL.needsLinux(r) : KERNEL[r.code]
export const netemReasonWords = (r: NetemReason): string => r.code === 'netemUnchecked' ? KERNEL.netemUnchecked(r) : KERNEL[r.code]

/** Palavras de degradação da rede que a CLI mostra (compare e link); citam opções da CLI. */
export const impairment: Area<'impairment'> = (f) => ({
  flagsTcpStream: (p) => {
    const why = p.kinds.map(kind => kind === 'reorder'
      ? 'reordenar (o TCP entrega os bytes em ordem, então um programa nunca vê segmentos fora de ordem)'
      : 'duplicar (o TCP descarta segmentos duplicados, e copiar bytes corromperia o fluxo)')
    return `o TCP não consegue ${why.join(' nem ')}; use ${udpFlag(p.command)}${p.kernelAsked ? ' com --emulator auto' : ''} para ` +
      `${p.kinds.length === 2 ? 'vê-los' : 'ver isso'}${p.orAuto ? orAutoText : ''}`
  },
  flagsKernelOnlyDrops: (p) =>
    `--emulator kernel só descarta pacotes (uma tabela do nftables) e não consegue adicionar ${p.kinds.map(k => kindNoun[k]).join(' nem ')}; ` +
    'use --emulator auto: o kernel descarta e o encaminhador em espaço de usuário adiciona o resto',
  flagsRelayCannotLoseTcp: (p) =>
    'o encaminhador em espaço de usuário não consegue perder pacotes TCP: ele vê um fluxo de bytes, e descartar bytes o corromperia em vez de fazer o TCP retransmitir; ' +
    `use ${udpFlag(p.command)}, ou ` + (p.orAuto
      ? 'deixe --emulator em auto (como root no Linux com nft, o kernel descarta segmentos TCP de verdade; senão, o TCP roda sem perda e a saída diz por quê)'
      : '--emulator auto como root no Linux com nft (o kernel então descarta segmentos TCP de verdade)'),
  flagsTcpLossNeedsKernel: (p) => {
    const why = p.missing === 'linux' ? `precisa de Linux, e isto é ${p.platform}` : p.missing === 'root' ? 'precisa de root (rode com sudo)' : 'precisa do comando nft (o pacote nftables)'
    return 'o encaminhador TCP não consegue perder pacotes (descartar bytes corromperia o fluxo, não faria o TCP retransmitir), e uma perda TCP real ' +
      `precisa do emulador do kernel, que não pode rodar aqui: ${why}; ou use ${udpFlag(p.command)}`
  },
  flagsTcpLossNoUserns: (p) => {
    const why = {
      'userns-refused': 'este sistema não permite namespaces de usuário sem privilégios; rode com sudo ou habilite-os (sysctl kernel.unprivileged_userns_clone=1)',
      'tools-missing': 'falta unshare, ip ou nft; instale util-linux, iproute2 e nftables, ou rode com sudo',
      'userns-off': 'SOCKKIT_NO_USERNS está definida; remova-a ou rode com sudo',
    }[p.reason]
    return 'aqui o TCP não estaria exposto a perda: o encaminhador não pode descartar segmentos (isso corromperia o fluxo em vez de fazer o TCP retransmitir), ' +
      `e o kernel só pode descartá-los como root ou dentro de um namespace de usuário sem privilégios — ${why}; ou use ${udpFlag(p.command)}`
  },
  reorderSpacing: (p) =>
    `--reorder precisa de sondas espaçadas menos de ${f.num(p.holdMs)} ms (estas vão a cada ${f.num(Math.round(p.intervalMs * 10) / 10)} ms): ` +
    `um datagrama retido espera no máximo ${f.num(p.holdMs)} ms pelo próximo, então aqui cada retenção só adiciona até ${f.num(p.holdMs)} ms ` +
    `de atraso em vez de reordenar — aumente --rate para mais de ${f.num(1000 / p.holdMs)}/s para ver a reordenação`,
  staleTablesRemoved: (p) =>
    `kernel: ${p.tables.length === 1 ? 'removida uma tabela do nftables deixada' : `removidas ${f.num(p.tables.length)} tabelas do nftables deixadas`} por ` +
    (p.tables.length === 1 ? 'uma execução que morreu (ela descartava pacotes nas portas dessa execução até agora)' : 'execuções que morreram (elas descartavam pacotes nas portas dessas execuções até agora)') +
    `: ${p.tables.join(', ')}`,
  expected: (p) => {
    const clause = (c: ExpectedClause): string => {
      switch (c.kind) {
        case 'lossStream': return `0% perdido: o TCP retransmite o que a perda de ${f.num(c.lossEachWay)}% em cada sentido descarta, então chega mais tarde em vez de se perder`
        case 'loss': return `${f.num(c.percent)}% das sondas perdidas (${f.num(c.lossEachWay)}% em cada sentido)`
        case 'rtt': return `RTT +${f.num(c.addedMs)} ms`
        case 'rttJitter': return `RTT +${f.num(c.addedMs)} ms em média (+${f.num(c.minMs)}…${f.num(c.maxMs)} ms)`
        case 'jitterReorder': return `cerca de ${f.num(c.percent)}% reordenado pelo jitter`
        case 'reorder': return `cerca de ${f.num(c.percent)}% reordenado`
        case 'held': return `cerca de ${f.num(c.percent)}% dos datagramas retidos em cada sentido, cada um enviado depois do seguinte se este chegar em ` +
          `${f.num(c.holdMs)} ms, senão em ordem com ${f.num(c.holdMs)} ms de atraso`
        case 'duplicate': return `${f.num(c.percent)}% de cópias extras`
      }
    }
    return p.clauses.length ? `ida e volta esperada: ${p.clauses.map(clause).join(', ')}` : 'sem degradação'
  },
  describe: (p) => {
    const parts: string[] = []
    if (p.loss > 0) parts.push(`perda ${f.num(p.loss)}%`)
    if (p.delay > 0 || p.jitter > 0) parts.push(p.jitter > 0 ? `atraso ${f.num(p.delay)} ±${f.num(p.jitter)} ms` : `atraso ${f.num(p.delay)} ms`)
    if (p.reorder > 0) parts.push(`reordenados ${f.num(p.reorder)}%`)
    if (p.duplicate > 0) parts.push(`duplicados ${f.num(p.duplicate)}%`)
    return parts.length ? `${parts.join(', ')} por sentido` : 'sem degradação (um encaminhador simples)'
  },
  planReason: (p) => {
    const relayOnly = (kinds: string[]) => `${f.list(kinds.map(nounOf))} pelo encaminhador em espaço de usuário (o emulador do kernel do sockkit só descarta pacotes)`
    const drops = (support: KernelReason, tcp: boolean) => `perda pelo kernel (${kernelReasonWords(support)}${tcp ? '; o TCP retransmite de verdade' : ''})`
    switch (p.kind) {
      case 'askedKernel': return `o emulador do kernel foi pedido: ${kernelReasonWords(p.support)}`
      case 'askedUserspace': return 'o encaminhador em espaço de usuário foi pedido'
      case 'plainRelay': return 'nenhuma degradação pedida: um encaminhador simples'
      case 'kernelLoss': return drops(p.support, p.tcp)
      case 'kernelLossRelayRest': return `${drops(p.support, p.tcp)}; ${relayOnly(p.relayKinds)}`
      case 'userspaceAll': return `o encaminhador em espaço de usuário faz tudo para o UDP, inclusive a perda: o kernel não consegue descartar pacotes aqui (${kernelReasonWords(p.support)})`
      case 'userspaceNoLoss': return `${f.list(p.relayKinds.map(nounOf))} pelo encaminhador em espaço de usuário: nenhuma perda pedida, e o emulador do kernel do sockkit só descarta pacotes`
    }
  },
  kernel: KERNEL,
  kernelReason: kernelReasonWords,
  netemReason: netemReasonWords,
})
