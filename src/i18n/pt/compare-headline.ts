/** O resumo do `compare` em português: as primeiras linhas, o que mudou entre os transportes. */
import type { Area } from '../index.js'
import { compareUnits } from '../compare-units.js'
import type { HeadlineCause } from '../../compare/findings/headline.js'
import type { TailName } from '../../compare/findings/params.js'

export const compareHeadline: Area<'compareHeadline'> = (f) => {
  const { ms, percent } = compareUnits(f)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'pior RTT')
  const times = (r: number | null) => (r === null ? 'poucas amostras' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 1)}×`)
  // The halves' ratios in hundredths: 1.08× must not read as the 1.1× that counts as a difference.
  const timesExact = (r: number | null) => (r === null ? 'poucas amostras' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 2)}×`)
  const ratio = (mine: number | null, other: number | null) => (mine === null || other === null || other === 0 ? null : mine / other)
  const cause: Record<HeadlineCause, string> = {
    'retransmissions': 'retransmissões',
    'head-of-line': 'bloqueio de cabeça de fila (head-of-line) atrás de um segmento retransmitido',
    'machine-stall': 'uma pausa desta própria máquina',
    'sender-lag': 'o emissor ficou para trás do seu cronograma',
    'queue': 'sondas enfileiradas nos buffers do socket (--blast)',
    'receive-buffer': 'buffer de recepção cheio',
    'impairment': 'a perda que você pediu',
    'network': 'perdidas no caminho',
    'send-refused': 'o kernel recusou envios',
    'connection-lost': 'a conexão caiu',
    'late': 'não voltaram dentro do Tmax',
  }
  return {
    'headline-transport': (p) =>
      `${p.label}: perda ${percent(p.lossPercent)}, ${tailWord(p.tail)} ${p.tailMs === null ? 'nenhum (nada voltou)' : ms(p.tailMs)}` +
      `${p.ratio === null ? '' : ` (${times(p.ratio)} o do ${p.otherLabel})`}${p.cause === null ? '' : ` — ${cause[p.cause]}`}`,
    'headline-noise': (p) => p.measure === 'tail'
      ? `dentro do ruído desta execução: o ${tailWord(p.tail)} do ${p.label} foi ${timesExact(ratio(p.firstMine, p.firstOther))} o do ${p.otherLabel} ` +
        `na primeira metade e ${timesExact(ratio(p.secondMine, p.secondOther))} na segunda`
      : `dentro do ruído desta execução: ${p.label} perdeu ${percent(p.firstMine ?? 0)} na primeira metade e ${percent(p.secondMine ?? 0)} ` +
        `na segunda; ${p.otherLabel}, ${percent(p.firstOther ?? 0)} e ${percent(p.secondOther ?? 0)}`,
  }
}
