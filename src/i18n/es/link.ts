import type { Area } from '../index.js'

/** Todo lo que dice `sockkit link`: ayuda, bloque de inicio, una línea por evento, totales y resumen. */
export const link: Area<'link'> = (f) => ({
  help: {
    summary: 'reenviador (relay) que añade pérdida, retardo, jitter, desorden o duplicación entre cliente y servidor',
    description: 'Un reenviador (relay) que degrada el tráfico a propósito, entre cualquier cliente y cualquier servidor (también ' +
      'tus propios programas en Python o Java): pérdida, retardo, jitter, desorden, duplicación, cada sentido por separado. ' +
      'Los clientes se conectan a <listen-port>; el reenviador reenvía a <target> y registra cada descarte, retardo, ' +
      'desorden y copia en stderr.\n\n' +
      'UDP: el reenviador aplica todas las degradaciones, datagrama a datagrama. TCP: retarda, aplica jitter y limita el ritmo del ' +
      'flujo de bytes, pero no puede perder, desordenar ni duplicar segmentos sin corromper el flujo, así que se niega ' +
      'a hacerlo. La pérdida TCP real viene del emulador del kernel (Linux, root, nft), que auto elige cuando puede.',
    tcpLossWithoutRoot: 'Sin root, donde Linux permite espacios de nombres de usuario sin privilegios (Debian, Ubuntu y Fedora lo permiten), ' +
      'la pérdida TCP sigue viniendo del kernel: cada conexión cruza el loopback de un espacio de nombres de usuario y de red privado ' +
      'donde nftables descarta segmentos, y TCP los retransmite de verdad.',
    args: { listenPort: 'puerto al que se conectan los clientes (0 = cualquier puerto libre)', target: 'el servidor real, host:puerto' },
    options: {
      tcp: 'reenvía TCP (por defecto)',
      udp: 'reenvía datagramas UDP',
      loss: 'descarta esta proporción de paquetes, en cada sentido',
      delay: 'añade este retardo de ida, en cada sentido',
      jitter: 'varía el retardo hasta ± esta cantidad',
      reorder: 'UDP: retiene esta proporción detrás del siguiente',
      duplicate: 'UDP: envía dos veces esta proporción de datagramas',
      emulator: 'auto, kernel (pérdida) o userspace',
      seed: 'repite las decisiones del reenviador: misma semilla y mismo tráfico, mismos descartes, retardos y copias ' +
        '(por defecto: aleatoria); los descartes del emulador del kernel son aleatorios, --emulator userspace (UDP) también los repite',
      host: 'dirección en la que escuchar',
      pace: 'TCP: tasa máxima por sentido (0 = sin límite)',
      maxClients: 'UDP: asociaciones de clientes mantenidas a la vez (por defecto: 256)',
      quiet: 'sin líneas por paquete; solo totales',
      json: 'eventos NDJSON en stdout en lugar de texto en stderr',
    },
    examples: (p) => `
Ejemplos:
  $ sockkit link 9001 127.0.0.1:9000 --udp --loss 20
      un servidor UDP detrás de un enlace que pierde el 20% en cada sentido
  $ sockkit link 9001 127.0.0.1:9000 --delay 100 --jitter 30
      TCP con 100 ± 30 ms en cada sentido
  $ sudo sockkit link 9001 127.0.0.1:9000 --loss 5
      pérdida TCP real: el kernel descarta paquetes y TCP retransmite

Cada sentido se degrada por separado: un 20% de pérdida en cada sentido
pierde el 36% de los pares petición/respuesta (1 − 0,8²), y 100 ms en cada
sentido suman 200 ms al RTT; la ida y vuelta esperada se imprime al inicio.
Las líneas por paquete se limitan a ${f.num(p.linesPerSecond)} por segundo por conexión o
cliente (--json las tiene todas). Ctrl-C imprime los totales por sentido y
sale con 130.`,
  },
  usage: {
    targetForm: (p) =>
      `el destino debe ser host:puerto (como 127.0.0.1:9000), no "${p.value}"` +
      (p.ipv6 ? `; una dirección IPv6 va entre corchetes: [${p.ipv6.host}]:${p.ipv6.port}` : ''),
    targetHost: 'el host del destino',
    emulator: (p) => `el emulador debe ser auto, kernel o userspace, no "${p.value}"`,
    msTooLong: (p) => `${p.name} debe ser como máximo ${f.num(p.maxMs)} ms, no "${p.value}"`,
    seedTooBig: (p) => `la semilla debe ser menor que 4294967296, no "${p.value}"`,
    maxClientsTcp: '--max-clients (solo con --udp) limita los clientes UDP asociados; en TCP se aceptan hasta 1000 conexiones a la vez',
    paceUdp: '--pace limita un flujo de bytes TCP; el reenviador UDP pasa datagramas enteros: limita el ritmo del emisor o usa --delay',
  },
  kernelSeedNote: '--seed repite las decisiones del reenviador (retardo, jitter, desorden, duplicación); ' +
    'los descartes del kernel son aleatorios — --emulator userspace (UDP) hace que los descartes se repitan',
  duplicateAmplifier: (p) =>
    `sockkit: aviso: con --duplicate ${p.percent} en ${p.host}, cualquiera que llegue a este puerto puede recibir hasta ` +
    `${f.num(p.factor)}× los bytes que envía, devueltos por un destino de eco` +
    `${p.allowGiven ? '' : '; --allow <cidr> limita quién puede usarlo'} (mira docs/security.md)`,
  start: {
    linking: (p) => `${p.linking} ${p.from} → ${p.to} (${p.transport}): ${p.description}`,
    linkingWord: 'enlazando',
    emulator: (p) => `emulador: ${p.emulator} — ${p.reason}`,
    kernelTable: (p) => `tabla del kernel inet ${p.table} (se elimina al salir; un vigilante la elimina si se mata este proceso)`,
    emulatorUserns: 'kernel (espacio de nombres de usuario)',
    kernelTableUserns: (p) => `tabla del kernel inet ${p.table} en un espacio de nombres de usuario privado que cruza cada conexión ` +
      'reenviada camino del destino (no hace falta root; termina con link)',
    kernelDropsAfterRelay: 'el kernel descarta datagramas donde el reenviador no lo ve: un datagrama c→s que descarta nunca llega al reenviador, y una línea s→c ' +
      'dice "entregado al kernel" porque el kernel todavía puede descartarlo — los totales del kernel cuentan cada descarte; ' +
      '--emulator userspace registra cada descarte en su lugar',
    seed: (p) => `semilla ${p.seed} (repite las mismas decisiones con --seed ${p.seed})`,
    filter: (p) => `${p.filter}; ` +
      (p.transport === 'udp' ? 'los datagramas de clientes filtrados no se reenvían' : 'a los clientes filtrados se les cierra la conexión al instante'),
    warning: (p) => `aviso: ${p.text}`,
    pointClient: (p) =>
      `apunta tu cliente a ${p.reach.join(' o ')}${p.more ? ' (u otra dirección de esta máquina)' : ''} en lugar de ${p.target}`,
  },
  event: {
    word: {
      dropped: 'descartado',
      heldBack: 'retenido',
      duplicateCopy: 'copia duplicada',
      queueFull: 'descartado: cola de retardo llena',
      ignored: 'ignorado',
      unreachable: 'no se pudo alcanzar el destino',
      upstreamError: 'error hacia el destino',
      relayError: 'error del reenviador',
      accepted: 'aceptada',
      denied: 'denegado',
      refused: 'rechazada',
      halfClose: 'semicierre',
      reset: 'reiniciada',
    },
    kind: { dropped: 'descartados', heldBack: 'retenidos', forwarded: 'reenviados', queueFull: 'descartados: cola de retardo llena', chunks: 'fragmentos' },
    clientLabel: (p) => `cliente ${p.clientId}`,
    connectionLabel: (p) => `[#${p.id}]`,
    hidden: (p) =>
      `${p.label} … ${f.plural(p.hidden, { one: '# línea de paquete más', many: '# de líneas de paquete más', other: '# líneas de paquete más' })} sin mostrar (${p.kinds.map(([kind, n]) => `${f.num(n)} ${kind}`).join(', ')}` +
      (p.bytes ? `; ${f.bytes(p.bytes)}` : '') +
      `): como máximo ${f.num(p.perSecond)} por segundo por ${p.unit === 'connection' ? 'conexión' : 'cliente'}; los totales lo cuentan todo, --json las muestra todas`,
    dropped: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.dropped} (${f.bytes(p.bytes)})`,
    held: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.held} para desordenar: ` +
      `se envía después del siguiente datagrama si llega en ${f.num(p.holdMs)} ms, o si no en orden con ${f.num(p.holdMs)} ms de retraso`,
    forwarded: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.handedToKernel ? 'entregado al kernel' : 'reenviado'} ${f.bytes(p.bytes)}` +
      (p.notes.length ? ` ${p.notes.join(', ')}` : ''),
    noteAfter: (p) => `tras ${f.num(p.delayMs, 1)} ms`,
    noteReordered: (p) => `desordenado: enviado después de #${p.passedBy}`,
    noteHeldTimedOut: (p) => `retenido ${f.num(p.holdMs)} ms, no llegó ningún sucesor: enviado en orden`,
    overflow: (p) =>
      `cliente ${p.clientId} ${p.arrow} #${p.index} ${p.full} (${f.bytes(p.queuedBytes)} en espera) — no forma parte de --loss`,
    client: (p) =>
      `cliente ${p.clientId}: ${p.address} (puerto hacia el destino ${p.upstreamPort}, ${f.plural(p.active, { one: '# activo', other: '# activos' })})`,
    clientExpired: (p) =>
      `cliente ${p.clientId}: ${p.address} inactivo durante ${f.duration(p.idleMs)}; asociación eliminada`,
    clientRefused: (p) =>
      `${p.ignored} un datagrama de ${p.address}: ya hay ${f.num(p.limit)} clientes asociados (--max-clients)`,
    udpUnreachable: (p) =>
      `cliente ${p.clientId}: ${p.unreachable}: ${p.why}` + (p.count > 1 ? ` (${f.num(p.count)} veces desde la última línea así)` : ''),
    udpUpstreamError: (p) =>
      `cliente ${p.clientId}: ${p.error} ${p.code}: ${p.message}`,
    relayError: (p) => `${p.error} ${p.code}: ${p.message}`,
    accepted: (p) => `[#${p.id}] ${p.accepted} ${p.remote} (${f.plural(p.active, { one: '# abierta', other: '# abiertas' })})`,
    tcpDenied: (p) =>
      `${p.denied} ${p.remote ?? 'un cliente que ya se había ido'} (${p.because}); conexión cerrada al instante`,
    udpDenied: (p) =>
      `${p.denied} ${f.plural(p.count, { one: '# datagrama', many: '# de datagramas', other: '# datagramas' })} (último: ${f.plural(p.bytes, { one: '# byte', many: '# de bytes', other: '# bytes' })} de ` +
      `${p.remote}, ${p.because}): no reenviados; ${f.plural(p.total, { one: '# denegado', other: '# denegados' })} en total`,
    refused: (p) => `${p.refused} ${p.remote}: ${f.plural(p.limit, { one: '# conexión abierta', many: '# de conexiones abiertas', other: '# conexiones abiertas' })}`,
    upstreamConnected: (p) => `[#${p.id}] conectado al destino desde el puerto ${p.localPort}`,
    upstreamFailed: (p) =>
      `[#${p.id}] ${p.unreachable}: ${p.why}; se reinicia la conexión del cliente para que vea el fallo`,
    chunk: (p) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.bytes)}` + (p.delayMs > 0 ? ` retardado ${f.num(p.delayMs, 1)} ms` : ''),
    backpressure: (p) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.queuedBytes)} en cola: se pausa la lectura hasta que se vacíe`,
    halfClose: (p) =>
      `[#${p.id}] ${p.arrow} ${p.halfClose} (FIN) recibido; se pasa después de los datos que lo preceden`,
    reset: (p) =>
      `[#${p.id}] ${p.reset} ${p.code} en el lado del ${p.side === 'client' ? 'cliente' : 'servidor'} — se reinicia también el otro lado`,
    closed: (p) =>
      `[#${p.id}] cerrada tras ${f.duration(p.durationMs)}: c→s ${f.bytes(p.toServer)}, s→c ${f.bytes(p.toClient)}` +
      (p.reason === undefined ? '' : ` (${p.reason})`),
    closeReason: {
      normal: 'cierre normal',
      reset: 'reiniciada',
      'upstream-failed': 'no se pudo alcanzar el destino',
      'relay-stopped': 'se detuvo el enlace',
      error: 'un error de socket',
    },
    kernelTable: (p) =>
      `kernel: tabla nftables inet ${p.table} descarta ${f.num(p.loss)}% de los paquetes ${p.protocols.join('/')} en el puerto ${p.ports.join(', ')}` +
      (p.watchdogPid ? ` (vigilante: pid ${p.watchdogPid})` : ''),
    kernelTableUserns: (p) =>
      `kernel: la tabla de nftables inet ${p.table} descarta el ${f.num(p.loss)}% de los segmentos TCP en cada sentido en el loopback de un espacio de nombres de usuario privado, entre el reenviador y el destino`,
  },
  totals: {
    direction: (p) =>
      `entran ${f.num(p.received)}, ${p.dropped}${p.droppedPercent === undefined ? '' : ` (${f.num(p.droppedPercent, 1)}%)`}, salen ${f.num(p.forwarded)}` +
      (p.delayed ? `, ${f.plural(p.delayed, { one: '# retardado', other: '# retardados' })}` : '') + (p.reordered ? `, ${f.plural(p.reordered, { one: '# desordenado', other: '# desordenados' })}` : '') +
      (p.duplicated ? `, ${f.plural(p.duplicated, { one: '# duplicado', other: '# duplicados' })}` : '') + (p.bytes ? `, ${f.bytes(p.bytes)}` : ''),
    dropped: (p) => `${f.plural(p.n, { one: '# descartado', other: '# descartados' })}`,
    relay: (p) => `${p.prefix} reenviador (${p.udp ? 'datagramas' : 'fragmentos'}): c→s ${p.c2s}; s→c ${p.s2c}`,
    kernel: (p) => `${p.prefix} kernel (paquetes): c→s ${p.c2s}; s→c ${p.s2c}`,
    prefixTotals: 'totales:',
    prefixStopped: (p) => `detenido tras ${f.duration(p.durationMs)}:`,
    denied: (p) => `${p.udp ? 'denegados' : 'denegadas'} ${p.udp
      ? f.plural(p.n, { zero: 'ningún datagrama', one: '# datagrama', many: '# de datagramas', other: '# datagramas' })
      : f.plural(p.n, { zero: 'ninguna conexión', one: '# conexión', many: '# de conexiones', other: '# conexiones' })} de clientes filtrados (--allow/--deny)`,
    kernelTableRemoved: (p) => `tabla del kernel inet ${p.table} eliminada`,
    kernelTableUsernsGone: (p) => `la tabla del kernel inet ${p.table} desapareció con su espacio de nombres de usuario`,
    retransmitted: (p) =>
      `${p.prefix} TCP retransmitió ${f.plural(p.n, { zero: 'ningún segmento', one: '# segmento', many: '# de segmentos', other: '# segmentos' })} en el namespace de usuario (RetransSegs)`,
  },
})
