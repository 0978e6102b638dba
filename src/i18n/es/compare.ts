/**
 * La pantalla de `sockkit compare` en español: cabecera, bloque de degradación, etiquetas y celdas
 * de la tabla (etiquetas ≤ 23 columnas, celdas ≤ 27: anchos fijos de compare-table.ts), gráfico y pie.
 */
import type { Area } from '../index.js'
import { compareUnits } from '../compare-units.js'
import { compareFindingsEs } from './compare-findings.js'

export const compare: Area<'compare'> = (f) => {
  const { ms } = compareUnits(f)
  const probes = (n: number) => f.plural(n, { one: '# sonda', many: '# de sondas', other: '# sondas' })
  return {
    findings: compareFindingsEs(f),
    header: {
      target: (p) => `sockkit compare → ${p.address}${p.local ? ' (reflector propio en esta máquina)' : ''}`,
      plan: (p) =>
        `${probes(p.count)} por transporte ${p.ratePerSecond === null ? 'lo más rápido posible (--blast)' : `a ${f.num(p.ratePerSecond)}/s`}, ` +
        `de ${f.num(p.sizeBytes)} bytes cada una${p.extras.length > 0 ? ` (${p.extras.join(', ')})` : ''}`,
      nagle: 'Nagle activado',
      warmup: (p) => `${f.num(p.warmup)} de calentamiento`,
      stoppedEarly: 'detenido antes de tiempo',
    },
    impairment: {
      title: (p) =>
        `degradación de la red (${p.emulator}): ${p.asked.length === 0 ? 'ninguna (un reenviador simple: su propio coste está en los RTT)' : `${p.asked.join(', ')} en cada sentido`}` +
        (p.seed === null ? '' : ` · semilla ${p.seed}`),
      kind: (p) =>
        p.kind === 'delay' ? `retardo ${f.num(p.value)} ms` : p.kind === 'jitter' ? `jitter ±${f.num(p.value)} ms`
          : `${p.kind === 'loss' ? 'pérdida' : p.kind === 'reorder' ? 'desorden' : 'duplicación'} ${f.num(p.value)}%`,
      why: (p) => `por qué ${p.emulator}: ${p.reason}`,
      line: (p) => `${p.label}: ${p.clauses.join('; ')}`,
    },
    table: {
      sent: 'enviadas',
      received: 'recibidas',
      lost: 'perdidas (%)',
      late: 'tardías (tras Tmax)',
      duplicates: 'duplicadas',
      reordered: 'fuera de orden (máx.)',
      rtt: (p) => `RTT ${p.stat}`,
      jitter: 'jitter RTT (RFC 3550)',
      ipdv: (p) => `|IPDV| ${p.stat}`,
      pdv: (p) => `PDV ${p.stat}`,
      sendLag: 'retr. emisor media/máx',
      probesPerSecond: 'transferencia sondas/s',
      mbitPerSecond: 'transferencia Mbit/s',
      throughputOver: 'transferencia medida en',
      tmax: 'Tmax',
      sendsRefused: 'envíos rechazados aquí',
      kernel: 'kernel (de la máquina)',
      kernelNamespace: 'kernel (namespace)',
      receiveBuffer: 'búfer de recepción',
      stats: { min: 'mín', mean: 'media', p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'máx' },
      lostCell: (p) => `${f.num(p.lost)} (${p.percent})`,
      reorderedCell: (p) => `${f.num(p.reordered)} (${f.num(p.maxExtent)})`,
      na: 'n/d',
      naNoSamples: 'n/d (sin muestras)',
      naNeedsSamples: (p) => `n/d (mín. ${f.num(p.samples)} muestras)`,
      naNeedsTwoSamples: 'n/d (mín. 2 muestras)',
      naNeedsTwoProbes: 'n/d (mín. 2 sondas)',
      naNoSs: 'n/d (sin ss: no legible)',
      sendLagCell: (p) => `${ms(p.meanMs)} / ${ms(p.maxMs)}`,
      over: (p) => `${ms(p.durationMs)} ${p.endsAt === 'last-arrival' ? 'al último eco' : 'al fin del envío'}`,
      tmaxRule: { given: '', auto: '', 'tcp-delivery': ' (tope)', stopped: ' (detenido)' },
      rcvbufErrors: (p) => `RcvbufErrors +${f.num(p.n)}`,
      retransSegs: (p) => `RetransSegs +${f.num(p.n)}`,
    },
    plot: {
      title: (p) => `tiempos de ida y vuelta de ${p.label} desde el envío programado (${f.plural(p.samples, { zero: 'ninguna muestra', one: '# muestra', many: '# de muestras', other: '# muestras' })})`,
      empty: 'no volvió nada a tiempo, no hay nada que graficar',
      row: (p) => `${p.from}–${p.to} ms`,
      count: (p) => `${f.num(p.count)} (${p.percent})`,
    },
    footer: {
      tmaxRule: {
        given: ' (--tmax)',
        auto: ' (automático)',
        'tcp-delivery': ' (espera cada sonda mientras hay conexión, hasta este tope)',
        stopped: ' (la parada acortó la espera)',
      },
      tmax: (p) => `Tmax ${p.ms}${p.rule}`,
      tmaxEach: (p) => `Tmax ${p.each.map(e => `${e.label} ${e.ms}${e.rule}`).join(', ')}`,
      definitions: (p) => `${p.tmax} · RFC 6673 pérdida · 4737 desorden · 3550 jitter · 5481 PDV`,
    },
  }
}
