import type { Area } from '../index.js'

/** udp-send: su ayuda, líneas de evento y resumen (stderr). */
export const udpSend: Area<'udpSend'> = (f) => {
  const datagrams = (n: number) => f.plural(n, { zero: 'ningún datagrama', one: '# datagrama', many: '# de datagramas', other: '# datagramas' })
  const replies = (n: number) => f.plural(n, { zero: 'ninguna respuesta', one: '# respuesta', many: '# de respuestas', other: '# respuestas' })
  const bytes = (n: number) => f.plural(n, { one: '# byte', many: '# de bytes', other: '# bytes' })
  /** Windows nunca pasa a un programa el ICMP "puerto inalcanzable". */
  const windowsNoRefusal = 'Windows no informa del \'puerto inalcanzable\', así que "no hay nada escuchando" y "sin respuesta" se ven igual aquí'
  /** Un retraso del emisor: centésimas de ms por debajo de 10 ms, donde se juzga el ritmo. */
  const lag = (ms: number) => ms < 10 ? `${f.num(ms, 2)} ms` : f.duration(ms)
  const stopWhen = (stop: 'stopped' | 'ended') => stop === 'stopped' ? 'al detenerlo' : 'al terminar la ejecución'
  return {
    refusedGoingOn: (p: { target: string }) =>
      `aún no hay nada escuchando en ${p.target} (el host dijo 'puerto inalcanzable'); ` +
      'escribe otra línea cuando el servidor funcione',
    pace: (p: { asked: number | null; achieved: number; lagMaxMs?: number; lagP99Ms?: number }) =>
      p.asked === null
        ? `tasa: ${f.num(Math.round(p.achieved))} datagramas/s (tan rápido como el socket los aceptó)`
        : `tasa: ${f.num(Math.round(p.achieved))}/s de los ${f.num(Math.round(p.asked))}/s pedidos` +
          (p.lagMaxMs === undefined ? '' : `; retraso del emisor: máx. ${lag(p.lagMaxMs)} (p99 ${lag(p.lagP99Ms ?? 0)})`),
    paceShort: (p: { asked: number; achieved: number }) =>
      `esta máquina no dio abasto: llegó a ${f.num(Math.round(p.achieved))}/s, ` +
      `el ${f.num(Math.floor(p.achieved / p.asked * 100))}% de los ${f.num(Math.round(p.asked))}/s pedidos`,
    sendRefusals: (p: { refusals: number }) =>
      `el kernel rechazó ${f.plural(p.refusals, { one: '# envío', other: '# envíos' })} por falta de búfer (ENOBUFS); cada uno se reintentó`,
    seqMerged: (p: { merged: number; runs: string; more: boolean }) =>
      `${f.plural(p.merged, { one: '# respuesta traía', other: '# respuestas traían' })} varias líneas seq= (el servidor juntó datagramas en una respuesta); ` +
      `respondidos dentro de ellas, no perdidos: ${p.runs}${p.more ? ', …' : ''}`,
    windowsNoRefusal,
    help: {
      summary: 'envía datagramas y recoge todas las respuestas durante una espera',
      description: (p) => 'Envía datagramas UDP a HOST:PUERTO e imprime cada respuesta que llega.\n\n' +
        'Cada mensaje es un datagrama. Sin mensaje, cada línea de stdin es un datagrama, sin su fin de ' +
        'línea: \\n, o \\r\\n como lo escribe Windows, no se envía (cualquier otro \\r sí). La entrada binaria se corta ' +
        'igual. Para enviar los bytes exactos, fines de línea incluidos, pasa el mensaje como argumento ' +
        '("hola\\r\\n" envía los 6 bytes). Un stdin vacío es un error de uso (salida 2): no hay nada que enviar.\n\n' +
        'UDP no tiene fin de flujo, así que tras el último envío espera --wait ms y recoge todas las respuestas: ' +
        'un servidor puede responder a un datagrama con varios. Las respuestas van a stdout, un datagrama por línea: ' +
        'se añade un salto de línea tras una respuesta que no termina en uno, así que dos datagramas "hola" y "mundo" ' +
        'nunca salen como "holamundo" (--raw escribe los bytes tal como llegaron). Los eventos y el resumen ' +
        'van a stderr.\n\n' +
        (p.windows
          ? `Solo se oyen las respuestas del propio HOST:PUERTO (un socket conectado). ${windowsNoRefusal}. ` +
            'Un servidor que responde desde otro puerto — el new DatagramSocket() de Java, por ejemplo — necesita --any-source.\n\n'
          : 'Solo se oyen las respuestas del propio HOST:PUERTO (un socket conectado, que es también como se detecta que ' +
            '"no hay nada escuchando"). Un servidor que responde desde otro puerto — el new DatagramSocket() de Java, ' +
            'por ejemplo — necesita --any-source.\n\n') +
        'Con --seq cada datagrama empieza por "seq=<n> " (desde 1) y el resumen dice cuáles volvieron: ' +
        'emparejados, perdidos (sin respuesta durante la espera, RFC 7680; "sin respuesta al detenerlo" si Ctrl-C cortó la ejecución), ' +
        'duplicados, desordenados (RFC 4737). Con respuestas ' +
        'sin el prefijo no se puede saber la pérdida; el resumen lo dice en lugar de adivinar.',
      host: 'nombre o dirección del host al que enviar',
      port: 'puerto al que enviar',
      message: (p) => `texto a enviar (escapes: ${p.escapes}); líneas de stdin si se omite`,
      count: 'envía cada mensaje esta cantidad de veces',
      interval: 'ms entre datagramas (por defecto: lo más rápido posible)',
      intervalZero: 'seguidos',
      rate: 'datagramas por segundo, en lugar de --interval',
      size: (p) => `rellena cada datagrama con '.' hasta este tamaño exacto (como máximo ${f.num(p.ipv4)} sobre IPv4, ${f.num(p.ipv6)} sobre IPv6)`,
      seq: 'antepone "seq=<n> " a cada datagrama e informa de respuestas perdidas, duplicadas y desordenadas',
      wait: 'tras el último envío, recoge respuestas durante este tiempo',
      waitZero: 'sin espera',
      anySource: (p) => p.windows
        ? 'acepta respuestas de cualquier dirección y puerto, con un socket no conectado (por defecto: solo se oye HOST:PUERTO)'
        : 'acepta respuestas de cualquier dirección y puerto (un socket no conectado); ' +
          'en este modo no se puede detectar un \'puerto inalcanzable\' (por defecto: solo se oye HOST:PUERTO)',
      rcvbuf: 'pide al kernel este búfer de recepción del socket (SO_RCVBUF) e informa de lo que concedió (por defecto: el del sistema)',
      raw: 'escribe en stdout los bytes tal como llegaron (por defecto: añade un salto de línea a la respuesta que no lo tenga)',
      quiet: 'sin líneas por datagrama en stderr (el resumen sí)',
      examples: (p) => `
Ejemplos:
  # un datagrama; cada respuesta en su propia línea
  $ sockkit udp-send 127.0.0.1 9000 hola
  # dos datagramas, uno por línea de stdin
  $ printf 'hola\\nmundo\\n' | sockkit udp-send 127.0.0.1 9000
  # 100 datagramas numerados; oye al servidor que responde desde otro puerto
  $ sockkit udp-send 127.0.0.1 9000 hola --count 100 --seq --any-source

Líneas de evento (stderr): "enviados N bytes: vista previa",
"respuesta de A, N bytes: vista previa", "esperando …", y luego el resumen.
En Linux el resumen también dice cuándo el kernel de esta máquina descartó
datagramas porque un búfer de recepción estaba lleno (Udp RcvbufErrors en
/proc/net/snmp, Udp6RcvbufErrors en /proc/net/snmp6 para IPv6; un contador
de toda la máquina); --rcvbuf ayuda.
${p.windows
  ? `Códigos de salida: 0 terminado (también con respuestas perdidas, y sin nada
escuchando: Windows no informa del 'puerto inalcanzable'), 1 un mensaje no
enviado, 2 línea de comandos incorrecta o stdin vacío (nada que enviar),
130 Ctrl-C (tras el resumen).`
  : `Códigos de salida: 0 terminado (también con respuestas perdidas), 1 nada
escuchando (ICMP puerto inalcanzable; antes se imprime el resumen) o un mensaje
no enviado, 2 línea de comandos incorrecta o stdin vacío (nada que enviar),
130 Ctrl-C (tras el resumen).`}`,
    },
    datagramLimit: (p) =>
      `como máximo ${f.num(p.maxBytes)} bytes por datagrama` + (p.macos ? '; macOS envía como máximo 9216 salvo que se suba `sysctl net.inet.udp.maxdgram`' : ''),
    readyConnected: (p) =>
      `enviando a ${p.remote} desde ${p.local} (UDP sobre ${p.family}, ${p.limit})`,
    readyAnySource: (p) =>
      `enviando a ${p.remote} desde el puerto ${p.localPort} en ${p.localAddress ?? 'todas las direcciones locales'} (UDP sobre ${p.family}, ${p.limit})`,
    anySourceNote: (p) => p.windows
      ? `--any-source: se aceptan respuestas de cualquier dirección y puerto; ${windowsNoRefusal}`
      : '--any-source: se aceptan respuestas de cualquier dirección y puerto; en este modo no se puede detectar un ' +
        '\'puerto inalcanzable\', así que "no hay nada escuchando" se ve igual que "sin respuesta"',
    typeLines: (p) => `escribe líneas: cada una se envía como un datagrama (sin el fin de línea); ${p.eofKey} para terminar`,
    sent: (p) =>
      `${p.arrow} ${p.bytes === 1 ? 'enviado' : 'enviados'} ${p.seq !== undefined ? `seq ${f.num(p.seq)}, ` : ''}${bytes(p.bytes)}${p.shown}`,
    notSent: (p) =>
      `${p.line === undefined ? 'el mensaje' : `la línea ${f.num(p.line)}`} ocupa ${f.num(p.bytes)} bytes` +
      (p.datagramBytes !== p.bytes ? ` (${f.num(p.datagramBytes)} con su prefijo seq=)` : '') +
      `, ${p.overSize ? `más que --size ${p.limitBytes}` : `más que el límite de UDP de ${f.num(p.limitBytes)} bytes`}; no se envió`,
    reply: (p) =>
      `${p.arrow} respuesta de ${p.source}${p.fromTarget ? '' : p.mark(' (no es el destino)')}, ${bytes(p.bytes)}${p.shown}`,
    waiting: (p) =>
      `último datagrama enviado; recogiendo respuestas ${f.duration(p.waitMs)} (UDP no tiene fin de flujo; --wait lo cambia)`,
    totals: (p) =>
      `${p.interrupted ? `${p.interrupted('interrumpido')}: ` : ''}` +
      `${f.plural(p.sent, { zero: 'ningún datagrama enviado', one: '# datagrama', many: '# de datagramas', other: '# datagramas' })} (${f.bytes(p.bytesSent)}) a ${p.target}, ` +
      `${f.plural(p.replies, { zero: 'ninguna respuesta recibida', one: '# respuesta', many: '# de respuestas', other: '# respuestas' })} (${f.bytes(p.bytesReceived)})` +
      (p.notSent ? `; ${p.red(`${f.num(p.notSent)} sin enviar`)} (demasiado largos)` : ''),
    stoppedPlanned: (p) => `la ejecución se detuvo ahí: ${f.num(p.unsent)} de ${datagrams(p.planned)} sin enviar`,
    stoppedStdin: 'la ejecución se detuvo ahí: las líneas siguientes de stdin no se enviaron',
    otherSources: (p) =>
      `${replies(p.replies)} desde otra dirección o puerto que el destino ${p.target}: ` +
      `${p.sources.map(s => `${s.source} (${f.num(s.count)})`).join(', ')}${p.more ? ', …' : ''}`,
    seqNoPrefix: (p) =>
      'seq: las respuestas no llevaban el prefijo seq= (el servidor respondió con sus propias palabras), así que no se puede ' +
      `saber la pérdida a partir de ellas: ${f.plural(p.sent, { one: '# enviado', other: '# enviados' })}, ` +
      f.plural(p.replies, { zero: 'ninguna respuesta recibida', one: '# respuesta recibida', many: '# de respuestas recibidas', other: '# respuestas recibidas' }),
    seqMissing: (p) =>
      p.stop === undefined
        ? f.plural(p.lost, { zero: 'ningún datagrama perdido', one: '# perdido', other: '# perdidos' })
        : `${f.num(p.lost)} sin respuesta ${stopWhen(p.stop)}`,
    seqLine: (p) =>
      `seq: ${f.num(p.matched)} de ${f.num(p.sent)} con respuesta, ${p.missing}, ` +
      `${f.plural(p.duplicates, { zero: 'ningún duplicado', one: '# duplicado', many: '# de duplicados', other: '# duplicados' })}, ` +
      `${f.plural(p.reordered, { zero: 'ninguno desordenado', one: '# desordenado', other: '# desordenados' })}` +
      (p.reordered ? ` (distancia máxima ${f.num(p.maxReorderExtent)})` : '') +
      (p.unnumbered ? `, ${f.num(p.unnumbered)} sin prefijo seq=` : '') +
      (p.unknown ? `, ${f.num(p.unknown)} con un número que nunca enviamos` : ''),
    seqLost: (p) =>
      `${p.stop === undefined ? 'perdidos (sin respuesta durante la espera)' : `todavía sin respuesta ${stopWhen(p.stop)}`}: ` +
      `${p.runs}${p.more ? ', …' : ''}` +
      (p.unnumbered ? ` — según las respuestas numeradas; las ${f.num(p.unnumbered)} sin prefijo pueden responder a algunos de estos` : ''),
    kernelCounter: (p) =>
      `${p.ipv6 ? 'Udp6RcvbufErrors' : 'Udp RcvbufErrors'} +${f.num(p.drops)}; un contador de toda la máquina: el búfer del propio udp-send, ` +
      'el del servidor si corre en esta máquina, o el de cualquier otro programa',
    kernelMissing: (p) =>
      `${f.plural(p.missing, { one: 'falta # respuesta', many: 'faltan # de respuestas', other: 'faltan # respuestas' })}, y el kernel de esta máquina descartó hasta ` +
      `${datagrams(p.drops)} durante la ejecución porque un búfer de recepción estaba lleno (${p.counter}) — ` +
      '--rcvbuf <bytes> da a udp-send un búfer más grande; --rate envía más despacio',
    kernelMaybe: (p) =>
      `el kernel de esta máquina descartó ${datagrams(p.drops)} durante la ejecución porque un búfer de recepción estaba lleno ` +
      `(${p.counter}); si esperabas más respuestas, puede que algunas estén entre ellos — --rcvbuf <bytes> da a udp-send un búfer más grande`,
    noReply: (p) => {
      const stop = p.aborted ? ' antes de detenerlo' : ''
      if (p.windows) return `sin respuesta de ${p.connected ? p.target : 'ninguna dirección'}${stop}: ${windowsNoRefusal}`
      return p.connected
        ? `sin respuesta de ${p.target}${stop}: si el servidor responde desde otro puerto (el new DatagramSocket() de Java lo hace), usa --any-source`
        : 'sin respuesta de ninguna dirección (con --any-source no se puede detectar un \'puerto inalcanzable\': si no hay nada escuchando se ve igual)'
    },
  }
}
