/**
 * A tela do `sockkit compare` em português: cabeçalho, bloco de degradação, rótulos e células da
 * tabela (rótulos ≤ 23 colunas, células ≤ 27: larguras fixas de compare-table.ts), gráfico e rodapé.
 */
import type { Area } from '../index.js'
import { compareUnits } from '../compare-units.js'
import { compareFindingsPt } from './compare-findings.js'

export const compare: Area<'compare'> = (f) => {
  const { ms } = compareUnits(f)
  const probes = (n: number) => f.plural(n, { one: '# sonda', other: '# sondas' })
  return {
    findings: compareFindingsPt(f),
    header: {
      target: (p) => `sockkit compare → ${p.address}${p.local ? ' (refletor próprio nesta máquina)' : ''}`,
      plan: (p) =>
        `${probes(p.count)} por transporte ${p.ratePerSecond === null ? 'o mais rápido possível (--blast)' : `a ${f.num(p.ratePerSecond)}/s`}, ` +
        `de ${f.num(p.sizeBytes)} bytes cada${p.extras.length > 0 ? ` (${p.extras.join(', ')})` : ''}`,
      nagle: 'Nagle ativado',
      warmup: (p) => `${f.num(p.warmup)} de aquecimento`,
      stoppedEarly: 'parado antes do fim',
    },
    impairment: {
      title: (p) =>
        `degradação da rede (${p.emulator}): ${p.asked.length === 0 ? 'nenhuma (um encaminhador simples: o custo dele está nos RTTs)' : `${p.asked.join(', ')} em cada sentido`}` +
        (p.seed === null ? '' : ` · semente ${p.seed}`),
      kind: (p) =>
        p.kind === 'delay' ? `atraso ${f.num(p.value)} ms` : p.kind === 'jitter' ? `jitter ±${f.num(p.value)} ms`
          : `${p.kind === 'loss' ? 'perda' : p.kind === 'reorder' ? 'reordenação' : 'duplicação'} ${f.num(p.value)}%`,
      why: (p) => `por que ${p.emulator}: ${p.reason}`,
      line: (p) => `${p.label}: ${p.clauses.join('; ')}`,
    },
    table: {
      sent: 'enviadas',
      received: 'recebidas',
      lost: 'perdidas (%)',
      late: 'atrasadas (após Tmax)',
      duplicates: 'duplicadas',
      reordered: 'fora de ordem (máx.)',
      rtt: (p) => `RTT ${p.stat}`,
      jitter: 'jitter RTT (RFC 3550)',
      ipdv: (p) => `|IPDV| ${p.stat}`,
      pdv: (p) => `PDV ${p.stat}`,
      sendLag: 'atraso emissor méd/máx',
      probesPerSecond: 'vazão sondas/s',
      mbitPerSecond: 'vazão Mbit/s',
      throughputOver: 'vazão medida em',
      tmax: 'Tmax',
      sendsRefused: 'envios recusados aqui',
      kernel: 'kernel (da máquina)',
      kernelNamespace: 'kernel (namespace)',
      receiveBuffer: 'buffer de recepção',
      stats: { min: 'mín', mean: 'média', p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'máx' },
      lostCell: (p) => `${f.num(p.lost)} (${p.percent})`,
      reorderedCell: (p) => `${f.num(p.reordered)} (${f.num(p.maxExtent)})`,
      na: 'n/d',
      naNoSamples: 'n/d (sem amostras)',
      naNeedsSamples: (p) => `n/d (mín. ${f.num(p.samples)} amostras)`,
      naNeedsTwoSamples: 'n/d (mín. 2 amostras)',
      naNeedsTwoProbes: 'n/d (mín. 2 sondas)',
      naNoSs: 'n/d (sem ss: ilegível)',
      sendLagCell: (p) => `${ms(p.meanMs)} / ${ms(p.maxMs)}`,
      over: (p) => `${ms(p.durationMs)} ${p.endsAt === 'last-arrival' ? 'até o último eco' : 'até o fim do envio'}`,
      tmaxRule: { given: '', auto: '', 'tcp-delivery': ' (teto)', stopped: ' (parado)' },
      rcvbufErrors: (p) => `RcvbufErrors +${f.num(p.n)}`,
      retransSegs: (p) => `RetransSegs +${f.num(p.n)}`,
    },
    plot: {
      title: (p) => `tempos de ida e volta do ${p.label} a partir do envio programado (${f.plural(p.samples, { zero: 'nenhuma amostra', one: '# amostra', other: '# amostras' })})`,
      empty: 'nada voltou a tempo, nada para mostrar no gráfico',
      row: (p) => `${p.from}–${p.to} ms`,
      count: (p) => `${f.num(p.count)} (${p.percent})`,
    },
    footer: {
      tmaxRule: {
        given: ' (--tmax)',
        auto: ' (automático)',
        'tcp-delivery': ' (espera cada sonda enquanto houver conexão, até este teto)',
        stopped: ' (a parada encurtou a espera)',
      },
      tmax: (p) => `Tmax ${p.ms}${p.rule}`,
      tmaxEach: (p) => `Tmax ${p.each.map(e => `${e.label} ${e.ms}${e.rule}`).join(', ')}`,
      definitions: (p) => `${p.tmax} · RFC 6673 perda · 4737 reordenação · 3550 jitter · 5481 PDV`,
    },
  }
}
