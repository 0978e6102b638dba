/**
 * Las conclusiones de compare en español: una frase (o, en el bloque de degradación, una cláusula)
 * por código de conclusión, a partir de sus parámetros. `label` es el nombre del transporte.
 */
import type { Fmt } from '../fmt.js'
import { compareReasons as reasons } from './compare-reasons.js'
import type { TcpLossUnavailable } from '../../net/userns.js'
import { compareUnits } from '../compare-units.js'
import { byKernelScope } from '../finding-scope.js'
import type { FindingParams, TailName } from '../../compare/findings/params.js'
import type { KernelScope } from '../../compare/compare-types.js'

const NO_EXPUESTO: Record<TcpLossUnavailable, string> = {
  'not-linux': 'descartar segmentos TCP requiere el kernel Linux (nftables); ejecuta compare en Linux',
  'userns-refused': 'este sistema no permite espacios de nombres de usuario sin privilegios; ejecútalo con sudo o actívalos (sysctl kernel.unprivileged_userns_clone=1)',
  'tools-missing': 'falta unshare, ip o nft; instala util-linux, iproute2 y nftables, o ejecútalo con sudo',
  'userns-off': 'SOCKKIT_NO_USERNS está definida; quítala o ejecútalo con sudo',
  'remote-target': 'el kernel solo puede descartar paquetes para el reflector local de compare; ejecuta compare sin host, o como root en la máquina que lo ejecuta',
  'no-kernel': 'el emulador del kernel no está disponible aquí; ejecútalo como root en Linux con nft',
}

/** `scope`: whose kernel counters these are — the machine's, or compare's own network namespace (kernel-userns). */
type Messages = { [C in keyof FindingParams]: (p: FindingParams[C] & { label: string; scope?: KernelScope }) => string }

export const compareFindingsEs = (f: Fmt): Messages =>
  byKernelScope((scope: KernelScope): Messages => {
    const c = clauses(f, scope)
    return { ...extras(f, c), ...unreliable(f, c), ...reliable(f, c), ...impairment(f, c) }
  })

/** Cláusulas que comparten varias conclusiones (sondas tardías, envíos rechazados, contadores del kernel). */
const clauses = (f: Fmt, scope: KernelScope) => {
  const { ms, percent, count } = compareUnits(f)
  // Dentro del espacio de nombres de red propio de compare (kernel-userns) los contadores son de ese namespace.
  const where = scope === 'machine' ? 'en esta máquina' : 'en el espacio de nombres de red (namespace) propio de compare'
  const wide = scope === 'machine' ? 'de toda la máquina' : 'solo de ese namespace'
  const probes = (n: number) => f.plural(n, { zero: 'ninguna sonda', one: '# sonda', many: '# de sondas', other: '# sondas' })
  const allProbes = (n: number) => (n === 1 ? 'su única sonda' : `las ${f.num(n)} sondas`)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'peor RTT')
  const tmaxHint = (p: { givenTmaxMs: number | null }) => (p.givenTmaxMs === null ? ''
    : `: la ida y vuelta tardó más que --tmax ${p.givenTmaxMs}; indica un --tmax mayor, u omítelo para usar el automático (al menos 1 s)`)
  const lateNote = (p: { late: number; tmaxMs: number; givenTmaxMs: number | null }) =>
    (p.late > 0 ? `; ${probes(p.late)} ${p.late === 1 ? 'volvió' : 'volvieron'} después de Tmax (${ms(p.tmaxMs)}) y cuentan como perdidas${tmaxHint(p)}` : '')
  const refusedSentence = (p: { refused: number; sndbufErrors: number | null }) =>
    `${probes(p.refused)} nunca ${p.refused === 1 ? 'salió' : 'salieron'} de esta máquina: el kernel rechazó el envío porque su búfer de envío estaba lleno${p.sndbufErrors !== null ? ` (SndbufErrors +${f.num(p.sndbufErrors)})` : ''}`
  const after = (p: FindingParams['loss-send-refused']) => `${p.refused > 0 ? `; ${refusedSentence(p)}` : ''}${lateNote(p)}`
  const lost = (p: { label: string; lossPercent: number }) => `${p.label} perdió el ${percent(p.lossPercent)}`
  const udpCounted = (p: { rcvbufErrors: number; inErrors: number }) =>
    `RcvbufErrors +${f.num(p.rcvbufErrors)}${p.inErrors !== p.rcvbufErrors ? `, InErrors +${f.num(p.inErrors)}` : ''}`
  const tcpCounted = (retransSegs: number | null) => (retransSegs === null ? ''
    : retransSegs === 0 ? `el kernel no contó ningún segmento retransmitido ${where} durante la medición (RetransSegs +0)`
      : `el kernel contó ${f.plural(retransSegs, { one: '# segmento retransmitido', many: '# de segmentos retransmitidos', other: '# segmentos retransmitidos' })} ${where} durante la medición (RetransSegs +${f.num(retransSegs)}, ${wide})`)
  const withCounted = (retransSegs: number | null) => { const c = tcpCounted(retransSegs); return c === '' ? '' : `; ${c}` }
  const kernelDropped = (n: number) => (n > 0 ? `el kernel descartó ${f.plural(n, { one: '# paquete TCP', many: '# de paquetes TCP', other: '# paquetes TCP' })}; ` : '')
  const queue = '--blast escribe sondas más rápido de lo que vuelven sus ecos, así que se acumulan unas detrás de otras en los búferes del socket'
  const heldNote = (holdMs: number) =>
    ` (un datagrama retenido al final espera toda la retención del reenviador, ${f.num(holdMs)} ms, a un sucesor que nunca llega: el RTT máximo y una transferencia "al último eco" pueden incluir esa espera)`
  const connectionEnd = (code: string) => {
    switch (code) {
      case 'ECONNRESET': return 'el reflector reinició la conexión (ECONNRESET)'
      case 'EPIPE': return 'la conexión se rompió (EPIPE: el reflector la había cerrado)'
      case 'ERR_SOCKKIT_NO_ANSWER': return 'el reflector cerró la conexión'
      default: return `la conexión falló (${code})`
    }
  }
  return { wide, ms, percent, count, probes, allProbes, tailWord, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted, tcpCounted, withCounted, kernelDropped, queue, heldNote, connectionEnd }
}
type Clauses = ReturnType<typeof clauses>

/** Conclusiones de toda la medición y lo demás que muestran las cifras de un transporte. */
const extras = (f: Fmt, c: Clauses) => {
  const { ms, probes } = c
  return {
    'interrupted': () => 'Detenido antes de tiempo: las cifras solo cubren las sondas enviadas antes de la parada.',
    'not-measured': p => `${p.label}: sin medir (${p.message}).`,
    'stopped-mid-run': p => `${p.label} se detuvo a mitad de la medición (${p.message}): sus cifras cubren las sondas enviadas antes de eso.`,
    'nothing-sent': p => `${p.label}: no se envió nada antes de que se detuviera la medición.`,
    'foreign-replies': p => `${p.label}: se ${f.plural(p.foreign, { one: 'ignoró # respuesta que no era una sonda de esta medición', many: 'ignoraron # de respuestas que no eran sondas de esta medición', other: 'ignoraron # respuestas que no eran sondas de esta medición' })} ` +
      '(no se cuentan; "foreign" en --json): algo más responde ahí, o el reflector no devuelve las sondas sin cambios.',
    'duplicates': p => `${p.label} entregó ${f.plural(p.duplicates, { one: '# copia duplicada', many: '# de copias duplicadas', other: '# copias duplicadas' })}${p.reliable ? '' : `: ${p.label} no elimina duplicados, debe hacerlo la aplicación`}.`,
    'reordered': p => `${p.label} entregó ${probes(p.reordered)} fuera de orden (distancia máxima ${f.num(p.maxExtent)}, RFC 4737)${p.ordered ? '' : `: ${p.label} no restablece el orden`}.`,
    'tcp-not-exposed-to-loss': p => `${p.label} no estuvo expuesto a la pérdida (${NO_EXPUESTO[p.reason]}), así que sus cifras no dicen nada sobre ` +
      `una pérdida del ${f.num(p.lossEachWayPercent)}%; solo los otros transportes la sufrieron`,
    'sender-fell-behind': p => `${p.label}: el emisor se atrasó respecto a su calendario hasta ${ms(p.lagMaxMs)}: ` +
      (p.cause === 'rate' ? `esta máquina no pudo enviar ${f.num(p.ratePerSecond ?? 0)} sondas/s (--rate)` : 'esta máquina estaba ocupada') +
      `; los RTT se miden desde el calendario, así que ${p.cause === 'rate' ? 'la espera está incluida' : 'el parón está incluido'}.`,
  } satisfies Partial<Messages>
}

/** El veredicto de un transporte que no retransmite. */
const unreliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, count, probes, allProbes, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted } = c
  return {
    'delivered-all': p => (p.reliable
      ? `${p.label} entregó ${allProbes(p.sent)}, en orden, como se esperaba${p.retransSegs === null ? '' : ` (RetransSegs +${f.num(p.retransSegs)}: nada en esta máquina tuvo que reenviarse)`}.`
      : `${p.label} entregó ${allProbes(p.sent)}${p.suggestBlast ? ': a esta tasa los búferes de loopback tienen sitio para todo; --blast envía lo más rápido posible y muestra cómo se desborda el búfer de recepción' : ''}.`),
    'loss-all-late': p => `${lost(p)}: volvieron las ${f.num(p.lost)}, pero después de Tmax (${ms(p.tmaxMs)}), así que cuentan como perdidas (RFC 7680)${tmaxHint(p)}.`,
    'loss-none-in-time': p => `${lost(p)}: ninguna volvió dentro de Tmax (${ms(p.tmaxMs)}); ${probes(p.late)} ${p.late === 1 ? 'volvió' : 'volvieron'} más tarde (tardías, cuentan como perdidas, RFC 7680)${tmaxHint(p)}.`,
    'loss-send-refused': p => `${lost(p)}: ${refusedSentence(p)}${lateNote(p)}.`,
    'loss-counters-unavailable': p => `${lost(p)}: los contadores de descartes del kernel no están disponibles aquí${p.reason !== null ? ` (${reasons(f).kernel({ reason: p.reason, counters: p.counters })})` : ''}, así que no se puede saber dónde se perdieron${after(p)}.`,
    'loss-impairment-split': p => `${lost(p)}, por encima del ${percent(p.rangeHighPercent)} que permite el azar: ${count(p.emulatorDrops)} descartadas por el emulador` +
      (p.exact ? `, ${count(p.rcvbufErrors)} por el búfer de recepción de esta máquina (RcvbufErrors)`
        : `; las otras ${count(p.dropped - p.emulatorDrops)} no, y RcvbufErrors subió ${count(p.rcvbufErrors)} durante la medición (de toda la máquina: se desbordaron búferes de recepción de esta máquina)`) +
      `${after(p)}.`,
    'loss-impairment-expected': p => `${lost(p)}: el emulador ${p.emulator} descartó el ${f.num(p.lossEachWayPercent)}% en cada sentido, así que se esperaba que fallara el ${percent(p.expectedPercent)} de las idas y vueltas` +
      `${p.rcvbufErrors > 0 ? `; RcvbufErrors +${f.num(p.rcvbufErrors)} durante la medición (de toda la máquina: algunos pueden ser desbordes reales del búfer)` : ''}${after(p)}.`,
    'loss-network': p => `${lost(p)}: perdidas en la red o descartadas por un firewall${p.emulator !== null ? ` (aquí: el emulador de degradación ${p.emulator})` : ''}, no por los búferes de esta máquina (${udpCounted(p)})${after(p)}.`,
    'loss-receive-buffer': p => {
      const counted = `${udpCounted(p)}${p.receiveBufferBytes !== null ? `; búfer de recepción de ${f.bytes(p.receiveBufferBytes)}` : ''}`
      if (p.match === 'same') return `${lost(p)}: se desbordó el búfer del receptor — el kernel contó los mismos descartes (${counted})${after(p)}.`
      if (p.match === 'more') return `${lost(p)}: se desbordó el búfer del receptor — el kernel contó ${f.num(p.rcvbufErrors)} descartes, al menos los mismos (${counted}; el contador cubre toda la máquina)${after(p)}.`
      return `${lost(p)}: el búfer del receptor se desbordó para ${f.num(p.rcvbufErrors)} de ellas (${counted}); las otras ${f.num(p.dropped - p.rcvbufErrors)} se perdieron en la red o las descartó un firewall${after(p)}.`
    },
  } satisfies Partial<Messages>
}

/** El veredicto de un transporte que retransmite. */
const reliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, probes, allProbes, tailWord, tcpCounted, withCounted, kernelDropped, queue, connectionEnd } = c
  return {
    'delivered-all-retransmissions': p => `${p.label} entregó ${allProbes(p.sent)}, en orden, sin un gran coste en la cola ` +
      `(${tailWord(p.tail)} ${p.tailMs === null ? 'n/d' : ms(p.tailMs)}${p.medianMs === null ? '' : ` frente a una mediana de ${ms(p.medianMs)}`}); ${tcpCounted(p.retransSegs)}.`,
    'connection-lost': p => `${p.label}: ${connectionEnd(p.errorCode)} después de que volvieran ${probes(p.received)}; ` +
      `las otras ${probes(p.lost)} (${percent(p.lossPercent)}) se perdieron con la conexión — ` +
      `${p.label} solo entrega mientras dura su conexión${withCounted(p.retransSegs)}.`,
    'not-back-within-tmax': p => {
      const ended = p.tmaxRule === 'tcp-delivery' ? `cuando terminó la espera (espera cada sonda ${p.label} mientras vive la conexión, como mucho este tiempo)`
        : p.tmaxRule === 'given' ? 'cuando terminó la espera' : 'cuando la parada acortó la espera'
      const head = `${p.label}: ${probes(p.lost)} (${percent(p.lossPercent)}) no ${p.lost === 1 ? 'volvió' : 'volvieron'} dentro de Tmax (${ms(p.tmaxMs)}). ${p.label} no descarta datos, así que seguían en camino ${ended}`
      const late = p.late > 0 ? `; ${f.num(p.late)} de ellas volvieron más tarde` : ''
      const hint = p.tmaxRule === 'given' ? `: indica un --tmax mayor, u omítelo (${p.label} espera entonces cada sonda mientras vive su conexión, hasta ${f.num(p.capMs / 1000)} s)` : ''
      if (p.retransSegs !== null && p.retransSegs > 0) return `${head}, lo que concuerda con retransmisiones: ${tcpCounted(p.retransSegs)}${late}${hint}.`
      return `${head}${withCounted(p.retransSegs)}${late}${hint}.`
    },
    'most-waited': p => {
      const head = `${p.label} no perdió nada, pero la mayoría de las sondas esperaron: mediana ${ms(p.medianMs)}, ${tailWord(p.tail)} ${p.tailMs === null ? 'n/d' : ms(p.tailMs)}, la más rápida ${ms(p.fastestMs)}`
      if (p.cause === 'sender-lag') return `${head} — sobre todo por el retraso de esta misma máquina: el emisor fue ${ms(p.lagMeanMs ?? 0)} por detrás de su calendario de media, y los RTT se cuentan desde el calendario${withCounted(p.retransSegs)}.`
      if (p.cause === 'blast-queue') return `${head} — ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'head-of-line') {
        return `${head} — un segmento que hay que reenviar retiene todos los bytes que vienen detrás (bloqueo de cabeza de línea): concuerda con retransmisiones — ` +
          `${`${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}`.replace(/; $/, '')}.`
      }
      return `${head}${withCounted(p.retransSegs)}.`
    },
    'tail-grew': p => {
      const head = `${p.label} no perdió nada, pero su ${tailWord(p.tail)} creció hasta ${ms(p.tailMs)}`
      if (p.cause === 'blast-queue') return `${head}: ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'sender-stall') return `${head}, sobre todo por un parón de esta misma máquina: el emisor se atrasó ${ms(p.lagP99Ms ?? 0)} respecto a su calendario en el p99, y los RTT se cuentan desde el calendario${withCounted(p.retransSegs)}.`
      if (p.cause === 'retransmissions') return `${head}: concuerda con retransmisiones — ${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}.`
      if (p.retransSegs === 0) return `${head} (mediana ${ms(p.medianMs)}); ${tcpCounted(0)}.`
      return `${head} (mediana ${ms(p.medianMs)}); el contador de retransmisiones del kernel no está disponible aquí.`
    },
    'rare-tail': p => {
      const why = p.kernelDropped > 0
        ? `unas pocas sondas esperaron una retransmisión (${kernelDropped(p.kernelDropped)}RetransSegs +${f.num(p.retransSegs)})`
        : `unas pocas sondas esperaron, lo que concuerda con retransmisiones — ${tcpCounted(p.retransSegs)}`
      return `${p.label} no perdió nada; su peor RTT fue ${ms(p.worstMs)} (${p.p999Ms === null ? '' : `p99.9 ${ms(p.p999Ms)}, `}${tailWord(p.tail)} ${ms(p.tailMs)}): ${why}.`
    },
  } satisfies Partial<Messages>
}

/** Las cláusulas del bloque de degradación: lo esperado junto a lo medido. */
const impairment = (f: Fmt, c: Clauses) => {
  const { wide, ms, percent, count, heldNote } = c
  return {
    'impairment-loss': p => `pérdida ${f.num(p.lossEachWayPercent)}% en cada sentido → esperado ${percent(p.expectedPercent)} en la ida y vuelta ±${f.num(Number((p.sdPercent * 2).toFixed(2)))} puntos ` +
      `(binomial, 2 desviaciones típicas para ${count(p.probes)} sondas), medido ${percent(p.measuredPercent)}: ${p.within ? 'dentro' : 'fuera'} de ese rango`,
    'impairment-loss-retransmitted': p => `pérdida ${f.num(p.lossEachWayPercent)}% en cada sentido (${p.appliedBy}) → esperado 0% perdido (${p.label} retransmite), medido ${percent(p.measuredPercent)}` +
      (p.retransSegs !== null ? `, RetransSegs +${f.num(p.retransSegs)} (${wide})` : ''),
    'impairment-delay': p => `retardo → esperado ${p.jitterMs > 0 ? `RTT +${f.num(p.addedRttMs)} ms de media (≥ ${f.num(p.floorMs)} ms)` : `RTT ≥ ${f.num(p.floorMs)} ms`}, ` +
      `medido mín ${p.minRttMs === null ? 'n/d' : ms(p.minRttMs)}, p50 ${p.p50RttMs === null ? 'n/d' : ms(p.p50RttMs)}`,
    'impairment-duplicate': p => `duplicación ${f.num(p.duplicateEachWayPercent)}% en cada sentido → esperado ${percent(p.expectedPercent)} de copias extra, medido ${percent(p.measuredPercent)}`,
    'impairment-reorder': p => reorderClause(f, p) + (p.reorderEachWayPercent > 0 ? heldNote(p.holdMs) : ''),
    'impairment-reorder-approx': p => `desorden ${f.num(p.reorderEachWayPercent)}% en cada sentido → esperado alrededor del ${percent(p.approxPercent)} fuera de orden, medido ${percent(p.measuredPercent)}${heldNote(p.holdMs)}`,
    'impairment-not-applied': p => (p.reason !== null ? reasons(f).tcpDegraded({ notApplied: p.notApplied, reason: p.reason }) : `no aplicado: ${p.notApplied.join(', ')}`),
    'impairment-none': () => 'nada que esperar (sin degradación)',
    'impairment-kernel-drops': p => `${p.label}: el kernel descartó ${count(p.dropped)} de ${count(p.seen)} paquetes ` +
      `(c→s ${count(p.clientToServer)}, s→c ${count(p.serverToClient)})`,
  } satisfies Partial<Messages>
}

/** La cláusula de desorden: el rango simulado del 95%, lo medido y — fuera de él — qué pudo causarlo. */
function reorderClause (f: Fmt, p: FindingParams['impairment-reorder']): string {
  const { ms, percent, percentRange, count } = compareUnits(f)
  const causes = f.list([p.reorderEachWayPercent > 0 ? `desorden ${f.num(p.reorderEachWayPercent)}%` : '', p.jitterMs > 0 ? `jitter ±${f.num(p.jitterMs)} ms` : ''].filter(Boolean))
  const spread = p.highPercent === 0 ? 'ninguna fuera de orden' : `${percentRange(p.lowPercent, p.highPercent)} fuera de orden`
  const basis = `95% de ${count(p.runs)} ejecuciones simuladas de ${count(p.probes)} sondas separadas ${ms(p.spacingMs)}`
  const head = `${causes} en cada sentido → esperado ${spread} (${basis}), medido ${percent(p.measuredPercent)}`
  if (p.judgement === 'within') return `${head}: dentro de ese rango`
  const chance = `1 ejecución de cada 40 sale así de ${p.judgement === 'above' ? 'alta' : 'baja'} solo por azar`
  const where = p.judgement === 'above' ? 'por encima de' : 'por debajo de'
  if (p.jitterMs === 0) {
    return `${head}: ${where} ese rango — ${chance}; la regla de retención depende del tiempo solo cuando las sondas llegan a estar ` +
      `a menos de la retención de ${f.num(p.holdMs)} ms, así que si se repite, a la simulación se le escapa algo aquí`
  }
  if (p.judgement === 'below') {
    return `${head}: por debajo de ese rango — ${chance}; una máquina ocupada junta más los datagramas, lo que desordena más, no menos, ` +
      'así que si se repite, a la simulación se le escapa algo aquí'
  }
  const lag = p.lagMaxMs === null ? '' : ` (retraso del emisor aquí: media ${ms(p.lagMeanMs ?? 0)}, máx ${ms(p.lagMaxMs)})`
  return `${head}: por encima de ese rango — la simulación envía según el calendario y reenvía a su hora; en una máquina ocupada el emisor${lag}, ` +
    'el reenviador y el reflector se paran de vez en cuando y se ponen al día de golpe, así que los datagramas salen más juntos que ' +
    `${ms(p.spacingMs)}, y con jitter los datagramas más juntos se adelantan más entre sí; ${chance}`
}
