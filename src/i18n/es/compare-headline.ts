/** El resumen de `compare` en español: las primeras líneas, qué cambió entre los transportes. */
import type { Area } from '../index.js'
import { compareUnits } from '../compare-units.js'
import type { HeadlineCause } from '../../compare/findings/headline.js'
import type { TailName } from '../../compare/findings/params.js'

export const compareHeadline: Area<'compareHeadline'> = (f) => {
  const { ms, percent } = compareUnits(f)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'peor RTT')
  const times = (r: number | null) => (r === null ? 'pocas muestras' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 1)}×`)
  // The halves' ratios in hundredths: 1.08× must not read as the 1.1× that counts as a difference.
  const timesExact = (r: number | null) => (r === null ? 'pocas muestras' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 2)}×`)
  const ratio = (mine: number | null, other: number | null) => (mine === null || other === null || other === 0 ? null : mine / other)
  const cause: Record<HeadlineCause, string> = {
    'retransmissions': 'retransmisiones',
    'head-of-line': 'bloqueo de cabeza de línea (head-of-line) tras un segmento retransmitido',
    'machine-stall': 'una pausa de esta misma máquina',
    'sender-lag': 'el emisor se atrasó respecto a su calendario',
    'queue': 'sondas en cola en los búferes del socket (--blast)',
    'receive-buffer': 'búfer de recepción lleno',
    'impairment': 'la pérdida que pediste',
    'network': 'perdidas por el camino',
    'send-refused': 'el kernel rechazó envíos',
    'connection-lost': 'la conexión se cayó',
    'late': 'no volvieron dentro de Tmax',
  }
  return {
    'headline-transport': (p) =>
      `${p.label}: pérdida ${percent(p.lossPercent)}, ${tailWord(p.tail)} ${p.tailMs === null ? 'ninguno (no volvió nada)' : ms(p.tailMs)}` +
      `${p.ratio === null ? '' : ` (${times(p.ratio)} el de ${p.otherLabel})`}${p.cause === null ? '' : ` — ${cause[p.cause]}`}`,
    'headline-noise': (p) => p.measure === 'tail'
      ? `dentro del ruido de esta ejecución: el ${tailWord(p.tail)} de ${p.label} fue ${timesExact(ratio(p.firstMine, p.firstOther))} el de ${p.otherLabel} ` +
        `en la primera mitad y ${timesExact(ratio(p.secondMine, p.secondOther))} en la segunda`
      : `dentro del ruido de esta ejecución: ${p.label} perdió ${percent(p.firstMine ?? 0)} en la primera mitad y ${percent(p.secondMine ?? 0)} ` +
        `en la segunda; ${p.otherLabel}, ${percent(p.firstOther ?? 0)} y ${percent(p.secondOther ?? 0)}`,
  }
}
