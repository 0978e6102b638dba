import type { Fmt } from '../fmt.js'
import type { Area } from '../index.js'
import type { DropSource, SummaryDrops } from '../en/udp-server.js'

const udpServerText = (f: Fmt) => {
  const datagrams = (n: number) => f.plural(n, { zero: 'ningún datagrama', one: '# datagrama', many: '# de datagramas', other: '# datagramas' })
  const duplicates = (n: number) => f.plural(n, { zero: 'ningún duplicado', one: '# duplicado', many: '# de duplicados', other: '# duplicados' })
  const missing = (n: number) => f.plural(n, { zero: 'ninguno perdido', one: '# perdido', many: '# de perdidos', other: '# perdidos' })
  const reordered = (n: number) => f.plural(n, { zero: 'ninguno desordenado', one: '# desordenado', many: '# de desordenados', other: '# desordenados' })
  const machine = (p: DropSource) => p.machineWide === null ? '' : `; todos los sockets de esta máquina: ${p.counter} +${f.num(p.machineWide)}`
  /** Las palabras de toda línea de descartes del kernel, para que quien lee (o grep) las encuentre todas. */
  const dropped = (p: DropSource & { dropped: number }) =>
    `el kernel descartó ${datagrams(p.dropped)} enviados a este socket: búfer de recepción lleno (descartes en ${p.table}${machine(p)})`
  return { datagrams, duplicates, missing, reordered, machine, dropped }
}

/** udp-server: sus eventos, su resumen de Ctrl-C y su ayuda. */
export const udpServer: Area<'udpServer'> = (f) => {
  const w = udpServerText(f)
  const summaryDrops = (p: SummaryDrops) => p.dropped === null ? ''
    : p.dropped > 0 ? `; el kernel descartó ${w.datagrams(p.dropped)}: búfer de recepción lleno`
      : p.machineWide ? `; ningún descarte del kernel aquí (${p.counter} +${f.num(p.machineWide)} en esta máquina: descartes de otros sockets)`
        : '; ningún descarte del kernel'
  const bytes = (n: number) => f.plural(n, { one: '# byte', many: '# de bytes', other: '# bytes' })
  return {
    listening: (p) =>
      `${p.em('escuchando')} en ${p.here} (UDP${p.reachable !== p.here ? `; vía ${p.reachable}` : ''}), ` +
      `${p.echo ? 'con eco' : 'sin eco'}; búfer de recepción ${f.bytes(p.bufferBytes)}` +
      (p.dropsCounted ? '' : '; aquí no se pueden contar los descartes del kernel (solo Linux)'),
    filter: (p) => `${p.filter}; los datagramas de equipos filtrados no reciben respuesta`,
    warning: (p) => `aviso: ${p.text}`,
    tryIt: (p) => `prueba: sockkit udp-send ${p.host} ${p.port} hola --seq`,
    datagram: (p) =>
      `${p.peer} ${bytes(p.bytes)}${p.shown}` + (p.newPeer ? p.dim(' (equipo nuevo)') : ''),
    seqGap: (p) =>
      `${p.peer} ${p.em('hueco en seq')}: llegó ${f.num(p.seq)}, se esperaba ${f.num(p.expected)} — ${f.plural(p.missingSoFar, { one: '# perdido', other: '# perdidos' })} hasta ahora` +
      (p.missing !== p.missingSoFar ? ` (${f.plural(p.missing, { one: '# saltado', other: '# saltados' })} aquí)` : '') +
      (p.jump ? `; un salto mayor que la ventana de ${f.num(65536)} números` : ''),
    seqLate: (p) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} llegó tarde`)} (desordenado: se esperaba ${f.num(p.expected)}; distancia ${f.num(p.extent)})`,
    seqDuplicate: (p) => `${p.peer} ${p.em(`seq ${f.num(p.seq)} otra vez`)} (duplicado)`,
    seqTooOld: (p) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} demasiado antiguo`)} (más de ${f.num(65536)} por debajo del mayor, ${f.num(p.highest)}: tardío o una copia)`,
    datagramsHidden: (p) =>
      `${p.peer} … ${f.plural(p.datagrams, { one: '# datagrama más', many: '# de datagramas más', other: '# datagramas más' })} (${f.bytes(p.bytes)}) sin mostrar: ` +
      `como máximo ${f.num(p.limit)} líneas de datagrama por segundo y equipo (el resumen los cuenta; --json muestra todos)`,
    sequenceHidden: (p) => {
      const kinds = [
        p.gaps ? `${f.plural(p.gaps, { one: '# hueco', many: '# de huecos', other: '# huecos' })} que saltan ${f.plural(p.missing, { one: '# número', many: '# de números', other: '# números' })}` : '',
        p.reordered ? `${f.num(p.reordered)} ${p.reordered === 1 ? 'tardío' : 'tardíos'}` : '',
        p.duplicates ? w.duplicates(p.duplicates) : '',
        p.tooOld ? `${f.plural(p.tooOld, { one: '# demasiado antiguo para saberlo', other: '# demasiado antiguos para saberlo' })}` : '',
      ].filter(Boolean).join(', ')
      const lines = p.gaps + p.reordered + p.duplicates + p.tooOld
      return `${p.peer} … ${p.em(f.plural(lines, { one: '# línea de seq más', many: '# de líneas de seq más', other: '# líneas de seq más' }))} sin mostrar (${kinds}) — ` +
        `${f.plural(p.missingSoFar, { one: '# perdido', other: '# perdidos' })} hasta ahora: como máximo ${f.num(p.limit)} líneas de seq por segundo y equipo (el resumen las cuenta)`
    },
    seqRestart: (p) =>
      `${p.peer} ${p.em('seq volvió a 1')} (tanda nueva; la anterior: seq ${f.num(p.lowest)}–${f.num(p.highest)}, ` +
      `${f.plural(p.missing, { one: '# perdido', other: '# perdidos' })}, ${w.duplicates(p.duplicates)}, ${f.plural(p.reordered, { one: '# desordenado', other: '# desordenados' })})`,
    peerEvicted: (p) =>
      `${p.em('demasiados equipos')}: se guardan estadísticas de ${f.num(p.maxPeers)} como máximo; se olvidó a ${p.peer} ` +
      `(el que hace más que no se oye, ${w.datagrams(p.datagrams)}); los siguientes se cuentan en el resumen`,
    echoSkipped: (p) =>
      `${p.em('eco omitido')}: ya hay ${f.num(p.pendingEchoes)} ecos esperando al kernel (una avalancha); las siguientes omisiones se cuentan en el resumen`,
    denied: (p) =>
      `${p.em('denegados')} ${w.datagrams(p.count)} (el último: ${bytes(p.bytes)} de ` +
      `${p.from}, ${p.because}): sin respuesta; ${f.num(p.denied)} en total`,
    kernelDrops: (p) => `${p.em(w.dropped(p))}; ${f.num(p.total)} desde el inicio`,
    echoError: (p) => `${p.peer} ${p.em('falló el eco')} ${p.code}: ${p.message}`,
    serverError: (p) => `${p.em('error del servidor')} ${p.code}: ${p.message} (sigue escuchando)`,
    stopped: (p) =>
      `detenido tras ${f.duration(p.durationMs)}: ${f.plural(p.peers, { zero: 'ningún equipo', one: '# equipo', many: '# de equipos', other: '# equipos' })}, ${w.datagrams(p.datagrams)} (${f.bytes(p.bytes)})` +
      (p.echoed !== undefined ? `, ${f.plural(p.echoed, { one: '# devuelto', other: '# devueltos' })}` : '') +
      (p.echoesSkipped ? `, ${f.plural(p.echoesSkipped, { one: '# eco omitido', other: '# ecos omitidos' })} (avalancha)` : '') +
      (p.peersEvicted ? `, ${f.plural(p.peersEvicted, { one: '# equipo olvidado', other: '# equipos olvidados' })} (más de --max-peers)` : '') +
      (p.denied ? `, ${f.plural(p.denied, { one: '# denegado', other: '# denegados' })} (sin respuesta)` : '') + summaryDrops(p),
    peer: (p) => {
      const base = `  ${p.peer}: ${w.datagrams(p.datagrams)}, ${f.bytes(p.bytes)}`
      const q = p.seq
      if (!q) return base
      return `${base}; seq ${f.num(q.lowest)}–${f.num(q.highest)}: ${w.missing(q.missing)}, ${w.duplicates(q.duplicates)}, ${w.reordered(q.reordered)}` +
        (q.reordered ? ` (distancia máxima ${f.num(q.maxReorderExtent)})` : '') +
        (q.tooOld ? `, ${f.plural(q.tooOld, { one: '# demasiado antiguo para saberlo', other: '# demasiado antiguos para saberlo' })}` : '') +
        (q.earlierRuns ? `; volvió a empezar ${f.plural(q.restarts, { one: '# vez', other: '# veces' })}; tandas anteriores: ` +
          `${f.plural(q.earlierRuns.received, { zero: 'ninguno recibido', one: '# recibido', other: '# recibidos' })}, ${w.missing(q.earlierRuns.missing)}` : '')
    },
    morePeers: (p) => `  … y ${f.plural(p.more, { one: '# equipo más', other: '# equipos más' })} (--json los lista todos)`,
    help: {
      summary: 'eco UDP para todos los equipos; huecos, duplicados y desorden de seq= por equipo',
      description: 'Un servidor de eco UDP. Imprime cada datagrama (dirección:puerto del emisor, tamaño, vista previa) en stderr y ' +
        'lo devuelve, byte a byte, a quien lo envió. Atiende a todos los equipos a la vez — nunca se queda fijo en el ' +
        'primero — y un eco nunca es más grande que el datagrama que lo causó (sin amplificación).\n\n' +
        'Los datagramas que empiezan por "seq=<n> " (como los envía `sockkit udp-send --seq`) se siguen por equipo: ' +
        'los huecos, duplicados y desórdenes (RFC 4737) se informan en cuanto ocurren. Ctrl-C imprime un resumen por ' +
        'equipo y sale con 130.',
      arguments: { port: 'puerto en el que escuchar (0 = cualquier puerto libre)' },
      options: {
        host: 'dirección en la que escuchar; 0.0.0.0 o :: para aceptar otras máquinas',
        noEcho: 'solo recibe e informa; no devuelve nada',
        rcvbuf: 'pide al kernel este búfer de recepción del socket (SO_RCVBUF) e informa de lo que concedió',
        maxPeers: 'equipos cuyas estadísticas se guardan; por encima se olvida al que hace más que no se oye',
        quiet: 'sin líneas ni eventos por datagrama (los problemas de secuencia se siguen informando)',
        json: 'eventos NDJSON en stdout en lugar de texto en stderr',
      },
      examples: `
Ejemplos:
  $ sockkit udp-server                   eco en 127.0.0.1:9000
  $ sockkit udp-server 5000 --host 0.0.0.0 --no-echo
  $ sockkit udp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --rcvbuf 4e6
  $ sockkit udp-server 0 --json > events.ndjson
                                         puerto libre cualquiera; NDJSON

Líneas de evento (stderr): "escuchando", "[A:P] N bytes: vista previa",
"[A:P] hueco en seq: llegó 7, se esperaba 5",
"[A:P] seq 5 llegó tarde (desordenado …)", "[A:P] seq 5 otra vez (duplicado)",
"[A:P] seq volvió a empezar en 1 (…)",
"denegados N datagramas (el último: … de A:P, fuera de --allow): sin respuesta",
"el kernel descartó N datagramas enviados a este socket: búfer de recepción
lleno (…)". Como máximo 20 líneas de datagrama y 20 de seq por segundo y
equipo; el resto se suma en una línea "… N más" (--json informa de cada
evento). En Linux el contador de descartes propio de este socket (la columna
drops de /proc/net/udp, /proc/net/udp6 para IPv6 y ::) se lee cada 2 s
mientras llegan datagramas y al pulsar Ctrl-C; a su lado se muestra el
RcvbufErrors de toda la máquina (/proc/net/snmp). Los números empiezan en 1
(udp-send --seq). Ctrl-C imprime datagramas, bytes y estadísticas de seq por
equipo y sale con 130.`,
    },
  }
}
