/**
 * As conclusões do compare em português: uma frase (ou, no bloco de degradação, uma cláusula) por
 * código de conclusão, a partir dos parâmetros. `label` é o nome do transporte.
 */
import type { Fmt } from '../fmt.js'
import type { TcpLossUnavailable } from '../../net/userns.js'
import { compareUnits } from '../compare-units.js'
import { byKernelScope } from '../finding-scope.js'
import type { FindingParams, TailName } from '../../compare/findings/params.js'
import type { KernelScope } from '../../compare/compare-types.js'
import { compareReasons as reasons } from './compare-reasons.js'

const NAO_EXPOSTO: Record<TcpLossUnavailable, string> = {
  'not-linux': 'descartar segmentos TCP exige o kernel Linux (nftables); rode o compare no Linux',
  'userns-refused': 'este sistema não permite namespaces de usuário sem privilégios; rode com sudo ou ative-os (sysctl kernel.unprivileged_userns_clone=1)',
  'tools-missing': 'falta unshare, ip ou nft; instale util-linux, iproute2 e nftables, ou rode com sudo',
  'userns-off': 'SOCKKIT_NO_USERNS está definida; remova-a ou rode com sudo',
  'remote-target': 'o kernel só consegue descartar pacotes para o refletor local do compare; rode o compare sem host, ou como root na máquina que o executa',
  'no-kernel': 'o emulador do kernel não está disponível aqui; rode como root no Linux com nft',
}

/** `scope`: de quem são os contadores do kernel — da máquina, ou do namespace de rede próprio do compare (kernel-userns). */
type Messages = { [C in keyof FindingParams]: (p: FindingParams[C] & { label: string; scope?: KernelScope }) => string }

export const compareFindingsPt = (f: Fmt): Messages =>
  byKernelScope((scope: KernelScope): Messages => {
    const c = clauses(f, scope)
    return { ...extras(f, c), ...unreliable(f, c), ...reliable(f, c), ...impairment(f, c) }
  })

/** Cláusulas que várias conclusões compartilham (sondas atrasadas, envios recusados, contadores do kernel). */
const clauses = (f: Fmt, scope: KernelScope) => {
  const { ms, percent, count } = compareUnits(f)
  // Dentro do namespace de rede próprio do compare (kernel-userns) os contadores são desse namespace.
  const where = scope === 'machine' ? 'nesta máquina' : 'no namespace de rede próprio do compare'
  const wide = scope === 'machine' ? 'da máquina toda' : 'só desse namespace'
  const probes = (n: number) => f.plural(n, { zero: 'nenhuma sonda', one: '# sonda', other: '# sondas' })
  const allProbes = (n: number) => (n === 1 ? 'sua única sonda' : `as ${f.num(n)} sondas`)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'pior RTT')
  const tmaxHint = (p: { givenTmaxMs: number | null }) => (p.givenTmaxMs === null ? ''
    : `: a ida e volta demorou mais que --tmax ${p.givenTmaxMs}; informe um --tmax maior, ou omita-o para usar o automático (no mínimo 1 s)`)
  const lateNote = (p: { late: number; tmaxMs: number; givenTmaxMs: number | null }) =>
    (p.late > 0 ? `; ${probes(p.late)} ${p.late === 1 ? 'voltou' : 'voltaram'} depois do Tmax (${ms(p.tmaxMs)}) e ${p.late === 1 ? 'conta' : 'contam'} como ${p.late === 1 ? 'perdida' : 'perdidas'}${tmaxHint(p)}` : '')
  const refusedSentence = (p: { refused: number; sndbufErrors: number | null }) =>
    `${probes(p.refused)} nunca ${p.refused === 1 ? 'saiu' : 'saíram'} desta máquina: o kernel recusou o envio porque o buffer de envio estava cheio${p.sndbufErrors !== null ? ` (SndbufErrors +${f.num(p.sndbufErrors)})` : ''}`
  const after = (p: FindingParams['loss-send-refused']) => `${p.refused > 0 ? `; ${refusedSentence(p)}` : ''}${lateNote(p)}`
  const lost = (p: { label: string; lossPercent: number }) => `o ${p.label} perdeu ${percent(p.lossPercent)}`
  const udpCounted = (p: { rcvbufErrors: number; inErrors: number }) =>
    `RcvbufErrors +${f.num(p.rcvbufErrors)}${p.inErrors !== p.rcvbufErrors ? `, InErrors +${f.num(p.inErrors)}` : ''}`
  const tcpCounted = (retransSegs: number | null) => (retransSegs === null ? ''
    : retransSegs === 0 ? `o kernel não contou nenhum segmento retransmitido ${where} durante a medição (RetransSegs +0)`
      : `o kernel contou ${f.plural(retransSegs, { one: '# segmento retransmitido', other: '# segmentos retransmitidos' })} ${where} durante a medição (RetransSegs +${f.num(retransSegs)}, ${wide})`)
  const withCounted = (retransSegs: number | null) => { const c = tcpCounted(retransSegs); return c === '' ? '' : `; ${c}` }
  const kernelDropped = (n: number) => (n > 0 ? `o kernel descartou ${f.plural(n, { one: '# pacote TCP', other: '# pacotes TCP' })}; ` : '')
  const queue = 'o --blast escreve sondas mais rápido do que os ecos voltam, então elas se acumulam umas atrás das outras nos buffers do socket'
  const heldNote = (holdMs: number) =>
    ` (um datagrama retido no final espera toda a retenção do encaminhador, ${f.num(holdMs)} ms, por um sucessor que nunca chega: o RTT máximo e uma vazão "até o último eco" podem incluir essa espera)`
  const connectionEnd = (code: string) => {
    switch (code) {
      case 'ECONNRESET': return 'o refletor redefiniu a conexão (ECONNRESET)'
      case 'EPIPE': return 'a conexão se rompeu (EPIPE: o refletor já a tinha fechado)'
      case 'ERR_SOCKKIT_NO_ANSWER': return 'o refletor fechou a conexão'
      default: return `a conexão falhou (${code})`
    }
  }
  return { wide, ms, percent, count, probes, allProbes, tailWord, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted, tcpCounted, withCounted, kernelDropped, queue, heldNote, connectionEnd }
}
type Clauses = ReturnType<typeof clauses>

/** Conclusões sobre a medição inteira e o resto que os números de um transporte mostram. */
const extras = (f: Fmt, c: Clauses) => {
  const { ms, probes } = c
  return {
    'interrupted': () => 'Parado antes do fim: os números cobrem só as sondas enviadas antes da parada.',
    'not-measured': p => `${p.label}: não medido (${p.message}).`,
    'stopped-mid-run': p => `O ${p.label} parou no meio da medição (${p.message}): os números dele cobrem as sondas enviadas antes disso.`,
    'nothing-sent': p => `${p.label}: nada foi enviado antes de a medição parar.`,
    'foreign-replies': p => `${p.label}: ${f.plural(p.foreign, { one: '# resposta que não era sonda desta medição foi ignorada', other: '# respostas que não eram sondas desta medição foram ignoradas' })} ` +
      '(não entram na contagem; "foreign" no --json): outra coisa está respondendo lá, ou o refletor não devolve as sondas sem alterá-las.',
    'duplicates': p => `O ${p.label} entregou ${f.plural(p.duplicates, { one: '# cópia duplicada', other: '# cópias duplicadas' })}${p.reliable ? '' : `: o ${p.label} não elimina duplicatas, a aplicação precisa fazer isso`}.`,
    'reordered': p => `O ${p.label} entregou ${probes(p.reordered)} fora de ordem (distância máxima ${f.num(p.maxExtent)}, RFC 4737)${p.ordered ? '' : `: o ${p.label} não restaura a ordem`}.`,
    'tcp-not-exposed-to-loss': p => `o ${p.label} não foi exposto à perda (${NAO_EXPOSTO[p.reason]}), então os números dele não dizem nada sobre ` +
      `uma perda de ${f.num(p.lossEachWayPercent)}%; só os outros transportes a sofreram`,
    'sender-fell-behind': p => `${p.label}: o emissor ficou até ${ms(p.lagMaxMs)} atrás do seu cronograma: ` +
      (p.cause === 'rate' ? `esta máquina não conseguiu enviar ${f.num(p.ratePerSecond ?? 0)} sondas/s (--rate)` : 'esta máquina estava ocupada') +
      `; os RTTs são medidos a partir do cronograma, então ${p.cause === 'rate' ? 'essa espera está incluída' : 'essa parada está incluída'}.`,
  } satisfies Partial<Messages>
}

/** O veredito de um transporte que não retransmite. */
const unreliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, count, probes, allProbes, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted } = c
  const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1)
  return {
    'delivered-all': p => (p.reliable
      ? `O ${p.label} entregou ${allProbes(p.sent)}, em ordem, como esperado${p.retransSegs === null ? '' : ` (RetransSegs +${f.num(p.retransSegs)}: nada nesta máquina precisou ser reenviado)`}.`
      : `O ${p.label} entregou ${allProbes(p.sent)}${p.suggestBlast ? ': nesta taxa os buffers de loopback têm espaço para tudo; o --blast envia o mais rápido possível e mostra o buffer de recepção transbordando' : ''}.`),
    'loss-all-late': p => `${cap(lost(p))}: todas as ${f.num(p.lost)} voltaram, mas depois do Tmax (${ms(p.tmaxMs)}), então contam como perdidas (RFC 7680)${tmaxHint(p)}.`,
    'loss-none-in-time': p => `${cap(lost(p))}: nenhuma voltou dentro do Tmax (${ms(p.tmaxMs)}); ${probes(p.late)} ${p.late === 1 ? 'voltou' : 'voltaram'} mais tarde (atrasadas, contam como perdidas, RFC 7680)${tmaxHint(p)}.`,
    'loss-send-refused': p => `${cap(lost(p))}: ${refusedSentence(p)}${lateNote(p)}.`,
    'loss-counters-unavailable': p => `${cap(lost(p))}: os contadores de descarte do kernel não estão disponíveis aqui${p.reason !== null ? ` (${reasons(f).kernel({ reason: p.reason, counters: p.counters })})` : ''}, então não dá para saber onde elas se perderam${after(p)}.`,
    'loss-impairment-split': p => `${cap(lost(p))}, acima dos ${percent(p.rangeHighPercent)} que o acaso permite: ${count(p.emulatorDrops)} descartadas pelo emulador` +
      (p.exact ? `, ${count(p.rcvbufErrors)} pelo buffer de recepção desta máquina (RcvbufErrors)`
        : `; as outras ${count(p.dropped - p.emulatorDrops)} não, e RcvbufErrors subiu ${count(p.rcvbufErrors)} durante a medição (da máquina toda: buffers de recepção desta máquina transbordaram)`) +
      `${after(p)}.`,
    'loss-impairment-expected': p => `${cap(lost(p))}: o emulador ${p.emulator} descartou ${f.num(p.lossEachWayPercent)}% em cada sentido, então era esperado que ${percent(p.expectedPercent)} das idas e voltas falhassem` +
      `${p.rcvbufErrors > 0 ? `; RcvbufErrors +${f.num(p.rcvbufErrors)} durante a medição (da máquina toda: alguns podem ser transbordamentos reais do buffer)` : ''}${after(p)}.`,
    'loss-network': p => `${cap(lost(p))}: perdidas na rede ou descartadas por um firewall${p.emulator !== null ? ` (aqui: o emulador de degradação ${p.emulator})` : ''}, não pelos buffers desta máquina (${udpCounted(p)})${after(p)}.`,
    'loss-receive-buffer': p => {
      const counted = `${udpCounted(p)}${p.receiveBufferBytes !== null ? `; buffer de recepção de ${f.bytes(p.receiveBufferBytes)}` : ''}`
      if (p.match === 'same') return `${cap(lost(p))}: o buffer do receptor transbordou — o kernel contou os mesmos descartes (${counted})${after(p)}.`
      if (p.match === 'more') return `${cap(lost(p))}: o buffer do receptor transbordou — o kernel contou ${f.num(p.rcvbufErrors)} descartes, no mínimo os mesmos (${counted}; o contador cobre a máquina toda)${after(p)}.`
      return `${cap(lost(p))}: o buffer do receptor transbordou para ${f.num(p.rcvbufErrors)} delas (${counted}); as outras ${f.num(p.dropped - p.rcvbufErrors)} se perderam na rede ou foram descartadas por um firewall${after(p)}.`
    },
  } satisfies Partial<Messages>
}

/** O veredito de um transporte que retransmite. */
const reliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, probes, allProbes, tailWord, tcpCounted, withCounted, kernelDropped, queue, connectionEnd } = c
  return {
    'delivered-all-retransmissions': p => `O ${p.label} entregou ${allProbes(p.sent)}, em ordem, sem grande custo na cauda ` +
      `(${tailWord(p.tail)} ${p.tailMs === null ? 'n/d' : ms(p.tailMs)}${p.medianMs === null ? '' : ` contra uma mediana de ${ms(p.medianMs)}`}); ${tcpCounted(p.retransSegs)}.`,
    'connection-lost': p => `${p.label}: ${connectionEnd(p.errorCode)} depois que ${probes(p.received)} ${p.received === 1 ? 'voltou' : 'voltaram'}; ` +
      `as outras ${probes(p.lost)} (${percent(p.lossPercent)}) se perderam com a conexão — ` +
      `o ${p.label} só entrega enquanto a conexão dura${withCounted(p.retransSegs)}.`,
    'not-back-within-tmax': p => {
      const ended = p.tmaxRule === 'tcp-delivery' ? `quando a espera terminou (o ${p.label} espera cada sonda enquanto a conexão vive, no máximo este tempo)`
        : p.tmaxRule === 'given' ? 'quando a espera terminou' : 'quando a parada encurtou a espera'
      const head = `${p.label}: ${probes(p.lost)} (${percent(p.lossPercent)}) não ${p.lost === 1 ? 'voltou' : 'voltaram'} dentro do Tmax (${ms(p.tmaxMs)}). O ${p.label} não descarta dados, então elas ainda estavam a caminho ${ended}`
      const late = p.late > 0 ? `; ${f.num(p.late)} delas voltaram mais tarde` : ''
      const hint = p.tmaxRule === 'given' ? `: informe um --tmax maior, ou omita-o (o ${p.label} então espera cada sonda enquanto a conexão vive, até ${f.num(p.capMs / 1000)} s)` : ''
      if (p.retransSegs !== null && p.retransSegs > 0) return `${head}, o que condiz com retransmissões: ${tcpCounted(p.retransSegs)}${late}${hint}.`
      return `${head}${withCounted(p.retransSegs)}${late}${hint}.`
    },
    'most-waited': p => {
      const head = `O ${p.label} não perdeu nada, mas a maioria das sondas esperou: mediana ${ms(p.medianMs)}, ${tailWord(p.tail)} ${p.tailMs === null ? 'n/d' : ms(p.tailMs)}, a mais rápida ${ms(p.fastestMs)}`
      if (p.cause === 'sender-lag') return `${head} — principalmente pelo atraso desta própria máquina: o emissor ficou em média ${ms(p.lagMeanMs ?? 0)} atrás do cronograma, e os RTTs contam a partir do cronograma${withCounted(p.retransSegs)}.`
      if (p.cause === 'blast-queue') return `${head} — ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'head-of-line') {
        return `${head} — um segmento que precisa ser reenviado segura todos os bytes que vêm atrás dele (bloqueio de cabeça de fila): condiz com retransmissões — ` +
          `${`${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}`.replace(/; $/, '')}.`
      }
      return `${head}${withCounted(p.retransSegs)}.`
    },
    'tail-grew': p => {
      const head = `O ${p.label} não perdeu nada, mas o ${tailWord(p.tail)} dele cresceu até ${ms(p.tailMs)}`
      if (p.cause === 'blast-queue') return `${head}: ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'sender-stall') return `${head}, principalmente por uma parada desta própria máquina: o emissor ficou ${ms(p.lagP99Ms ?? 0)} atrás do cronograma no p99, e os RTTs contam a partir do cronograma${withCounted(p.retransSegs)}.`
      if (p.cause === 'retransmissions') return `${head}: condiz com retransmissões — ${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}.`
      if (p.retransSegs === 0) return `${head} (mediana ${ms(p.medianMs)}); ${tcpCounted(0)}.`
      return `${head} (mediana ${ms(p.medianMs)}); o contador de retransmissões do kernel não está disponível aqui.`
    },
    'rare-tail': p => {
      const why = p.kernelDropped > 0
        ? `algumas poucas sondas esperaram uma retransmissão (${kernelDropped(p.kernelDropped)}RetransSegs +${f.num(p.retransSegs)})`
        : `algumas poucas sondas esperaram, o que condiz com retransmissões — ${tcpCounted(p.retransSegs)}`
      return `O ${p.label} não perdeu nada; o pior RTT foi ${ms(p.worstMs)} (${p.p999Ms === null ? '' : `p99.9 ${ms(p.p999Ms)}, `}${tailWord(p.tail)} ${ms(p.tailMs)}): ${why}.`
    },
  } satisfies Partial<Messages>
}

/** As cláusulas do bloco de degradação: o esperado ao lado do medido. */
const impairment = (f: Fmt, c: Clauses) => {
  const { wide, ms, percent, count, heldNote } = c
  return {
    'impairment-loss': p => `perda ${f.num(p.lossEachWayPercent)}% em cada sentido → esperado ${percent(p.expectedPercent)} na ida e volta ±${f.num(Number((p.sdPercent * 2).toFixed(2)))} pontos ` +
      `(binomial, 2 desvios-padrão para ${count(p.probes)} sondas), medido ${percent(p.measuredPercent)}: ${p.within ? 'dentro' : 'fora'} dessa faixa`,
    'impairment-loss-retransmitted': p => `perda ${f.num(p.lossEachWayPercent)}% em cada sentido (${p.appliedBy}) → esperado 0% perdido (o ${p.label} retransmite), medido ${percent(p.measuredPercent)}` +
      (p.retransSegs !== null ? `, RetransSegs +${f.num(p.retransSegs)} (${wide})` : ''),
    'impairment-delay': p => `atraso → esperado ${p.jitterMs > 0 ? `RTT +${f.num(p.addedRttMs)} ms em média (≥ ${f.num(p.floorMs)} ms)` : `RTT ≥ ${f.num(p.floorMs)} ms`}, ` +
      `medido mín ${p.minRttMs === null ? 'n/d' : ms(p.minRttMs)}, p50 ${p.p50RttMs === null ? 'n/d' : ms(p.p50RttMs)}`,
    'impairment-duplicate': p => `duplicação ${f.num(p.duplicateEachWayPercent)}% em cada sentido → esperado ${percent(p.expectedPercent)} de cópias extras, medido ${percent(p.measuredPercent)}`,
    'impairment-reorder': p => reorderClause(f, p) + (p.reorderEachWayPercent > 0 ? heldNote(p.holdMs) : ''),
    'impairment-reorder-approx': p => `reordenação ${f.num(p.reorderEachWayPercent)}% em cada sentido → esperado cerca de ${percent(p.approxPercent)} fora de ordem, medido ${percent(p.measuredPercent)}${heldNote(p.holdMs)}`,
    'impairment-not-applied': p => (p.reason !== null ? reasons(f).tcpDegraded({ notApplied: p.notApplied, reason: p.reason }) : `não aplicado: ${p.notApplied.join(', ')}`),
    'impairment-none': () => 'nada a esperar (sem degradação)',
    'impairment-kernel-drops': p => `${p.label}: o kernel descartou ${count(p.dropped)} de ${count(p.seen)} pacotes ` +
      `(c→s ${count(p.clientToServer)}, s→c ${count(p.serverToClient)})`,
  } satisfies Partial<Messages>
}

/** A cláusula de reordenação: a faixa simulada de 95%, o medido e — fora dela — o que pode ter causado isso. */
function reorderClause (f: Fmt, p: FindingParams['impairment-reorder']): string {
  const { ms, percent, percentRange, count } = compareUnits(f)
  const causes = f.list([p.reorderEachWayPercent > 0 ? `reordenação ${f.num(p.reorderEachWayPercent)}%` : '', p.jitterMs > 0 ? `jitter ±${f.num(p.jitterMs)} ms` : ''].filter(Boolean))
  const spread = p.highPercent === 0 ? 'nenhuma fora de ordem' : `${percentRange(p.lowPercent, p.highPercent)} fora de ordem`
  const basis = `95% de ${count(p.runs)} execuções simuladas de ${count(p.probes)} sondas espaçadas de ${ms(p.spacingMs)}`
  const head = `${causes} em cada sentido → esperado ${spread} (${basis}), medido ${percent(p.measuredPercent)}`
  if (p.judgement === 'within') return `${head}: dentro dessa faixa`
  const chance = `1 execução em cada 40 sai ${p.judgement === 'above' ? 'alta' : 'baixa'} assim só por acaso`
  const where = p.judgement === 'above' ? 'acima dessa' : 'abaixo dessa'
  if (p.jitterMs === 0) {
    return `${head}: ${where} faixa — ${chance}; a regra de retenção só depende do tempo quando as sondas ficam ` +
      `a menos da retenção de ${f.num(p.holdMs)} ms umas das outras, então, se isso se repetir, a simulação está deixando passar algo aqui`
  }
  if (p.judgement === 'below') {
    return `${head}: abaixo dessa faixa — ${chance}; uma máquina ocupada aproxima mais os datagramas, o que reordena mais, não menos, ` +
      'então, se isso se repetir, a simulação está deixando passar algo aqui'
  }
  const lag = p.lagMaxMs === null ? '' : ` (atraso do emissor aqui: média ${ms(p.lagMeanMs ?? 0)}, máx ${ms(p.lagMaxMs)})`
  return `${head}: acima dessa faixa — a simulação envia no cronograma e encaminha na hora certa; numa máquina ocupada o emissor${lag}, ` +
    'o encaminhador e o refletor param de vez em quando e depois correm para recuperar o atraso, então os datagramas saem mais próximos que ' +
    `${ms(p.spacingMs)}, e com jitter datagramas mais próximos se ultrapassam mais; ${chance}`
}
