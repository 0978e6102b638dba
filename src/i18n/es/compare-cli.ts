import type { Area } from '../index.js'

/** Las líneas propias de `sockkit compare`: errores de uso, progreso, fallos y su --help. */
export const compareCli: Area<'compareCli'> = (f) => {
  const probes = (n: number) => f.plural(n, { one: '# sonda', many: '# de sondas', other: '# sondas' })
  return {
    emulatorInvalid: (p) => `el emulador debe ser auto, kernel o userspace, no "${p.value}"`,
    delayTooLong: (p) => `${p.name} debe ser como máximo ${f.num(p.max)} ms, no "${p.value}"`,
    seedTooBig: (p) => `la semilla debe ser menor que 4294967296, no "${p.value}"`,
    transportsInvalid: (p) => `los transportes deben ser tcp, udp o tcp,udp, no "${p.value}"`,
    wholeInvalid: (p) =>
      `${p.name} debe ser un entero${p.unit} de al menos ${f.num(p.min)} (como 1000 o 1e3), no "${p.value}"`,
    rateInvalid: (p) => `la tasa debe ser un número de sondas por segundo mayor que 0 (como 200, 0.5 o 1e4), no "${p.value}"`,
    sizeInvalid: (p) => `usa un tamaño entero de al menos 24 bytes (la cabecera de la sonda), no "${p.value}"`,
    csvCannotWrite: (p) => `no se puede escribir el archivo CSV ${p.path}: ${p.problem}`,
    csvWriteFailed: (p) => `no se pudo terminar de escribir el archivo CSV ${p.path}: ${p.problem}`,
    fileProblem: {
      ENOENT: (p) => `el directorio ${p.dir} no existe`,
      ENOTDIR: 'una parte de esa ruta es un archivo, no un directorio',
      EISDIR: 'eso es un directorio; indica un nombre de archivo',
      EACCES: 'permiso denegado',
      EROFS: 'el sistema de archivos es de solo lectura',
      ENOSPC: 'el disco está lleno',
    },
    portNeedsHost: (p) =>
      `--port ${p.port} necesita un host: sin él, compare arranca su propio reflector (para medir un \`sockkit serve\` local, indica 127.0.0.1)`,
    sizeTooBigForUdp: (p) => `--size: el tamaño debe ser como máximo ${f.num(p.max)} bytes con UDP (el datagrama más grande), no ${p.value}`,
    csvAndJsonOnStdout: '--csv - y --json escriben ambos en stdout: da a --csv un nombre de archivo',
    needsImpairment: (p) => `--${p.flag} necesita una degradación: añade --loss, --delay, --jitter, --reorder o --duplicate`,
    bothFailed: (p) => `${p.first}; y ${p.second}`,
    transportError: (p) => `${p.transport}: ${p.sentence}`,
    stopped: (p) => `sockkit: detenido por ${p.cause}; el resultado cubre las sondas enviadas hasta ahora`,
    progress: {
      via: (p) => `${p.target} vía ${p.relay}`,
      phaseLine: (p) =>
        `${p.transport} → ${p.target}: enviando ${probes(p.total)}${p.warmup ? ` tras ${f.plural(p.warmup, { one: '# sonda de calentamiento', many: '# de sondas de calentamiento', other: '# sondas de calentamiento' })}` : ''}`,
      phaseLive: (p) =>
        `${p.transport} → ${p.target}: ${p.warmup ? `calentando con ${probes(p.warmup)}, luego ` : ''}enviando ${probes(p.total)}…`,
      counter: (p) =>
        `${p.transport} → ${p.target}: enviadas ${f.num(p.sent)}/${f.num(p.total)} (${f.num(p.percent)}%), ${f.num(p.received)} de vuelta`,
      waiting: (p) =>
        `esperando ${f.plural(p.outstanding, { one: `# sonda ${p.transport} aún en camino`, many: `# de sondas ${p.transport} aún en camino`, other: `# sondas ${p.transport} aún en camino` })} (TCP retransmite; hasta ${f.num(p.capS)} s)`,
      line: (p) => `${p.transport} → ${p.target}: ${p.text}`,
      failed: (p) => `${p.transport} → ${p.target}: falló (${p.code})`,
    },
    help: {
      summary: 'TCP frente a UDP, lado a lado: pérdida, orden y latencia con el mismo tráfico',
      description: 'Envía el mismo flujo de sondas numeradas, con un calendario fijo, por TCP y luego por UDP ' +
        'a un reflector, y muestra en una tabla qué hizo cada transporte con él. Sin host arranca su propio ' +
        'reflector en un proceso aparte en 127.0.0.1; con un host mide el ' +
        '`sockkit serve` que se ejecuta allí.',
      arguments: { host: 'dónde se ejecuta `sockkit serve` (por defecto: reflector propio)' },
      options: {
        port: 'el puerto de `sockkit serve` en ese host',
        count: 'sondas por transporte',
        rate: 'sondas por segundo, con un calendario fijo',
        size: (p) => `tamaño de la sonda, de 24 a ${f.num(p.max)} con UDP`,
        transports: 'tcp, udp o ambos, en ese orden',
        blast: 'envía tan rápido como acepten los sockets (desborde del búfer)',
        sequential: 'mide un transporte después del otro (por defecto: sus sondas intercaladas en un mismo calendario)',
        warmup: 'sondas que se envían y descartan primero',
        nagle: 'deja activado el algoritmo de Nagle en las sondas enviadas (por defecto: desactivado; el eco del reflector nunca lo usa)',
        tmax: 'tiempo de espera para dar una sonda por perdida (por defecto: automático, mira abajo)',
        loss: 'degradación: descarta esta proporción de paquetes',
        delay: 'degradación: añade este retardo de ida',
        jitter: 'degradación: varía el retardo en ± esta cantidad',
        reorder: 'degradación: retiene esta proporción de datagramas',
        duplicate: 'degradación: envía dos veces esta proporción de datagramas',
        emulator: 'auto, kernel (nft) o userspace',
        seed: 'la semilla aleatoria del reenviador (por defecto: aleatoria, se muestra); los descartes del kernel son aleatorios, --emulator userspace (UDP) también los repite',
        json: 'el resultado como un documento JSON en stdout',
        csv: 'una fila por sonda en <file>; - para stdout',
      },
      after: `
Ejemplos:
  $ sockkit compare                      TCP frente a UDP en esta máquina
  $ sockkit compare --loss 5 --delay 20  una red lenta que pierde (en clase)
  $ sockkit compare 192.168.1.20 --json  contra \`sockkit serve\` allí

Qué significa cada cifra:
  RTT         desde el envío PROGRAMADO de cada sonda (lazo abierto: un
              emisor atascado se ve, no se esconde); retraso del emisor =
              real − programado. Se admite un --rate más rápido de lo que
              esta máquina puede enviar: las sondas salen tan rápido como
              pueden, y el retraso lo muestra.
  perdidas    no volvieron dentro de Tmax (RFC 7680/6673), que se indica;
              los ecos tardíos cuentan como perdidos, los duplicados una
              vez. --tmax se aplica a los dos. Tmax automático: UDP, el
              mayor entre 1 s (+ el retardo añadido) y 3 × el mayor RTT,
              fijado en el último envío; TCP, que entrega o muere, espera
              cada sonda mientras vive la conexión, hasta 60 s (su Tmax es
              ese tope).
  fuera de orden
              por debajo del mayor número visto + 1 (RFC 4737).
  jitter      RFC 3550 A.8, sobre RTT medidos desde el calendario: de ida
              y vuelta (el de RFC 3550 es de ida), e incluye los parones
              del emisor. |IPDV| (cuánto cambia respecto a la sonda
              anterior) y PDV (RTT − mín): RFC 5481. Un percentil necesita
              suficientes muestras (p99: 100, p99.9: 1000); si no, n/d.
  transferencia
              sondas que volvieron a tiempo en el intervalo medido: desde
              el primer envío programado hasta el último eco, o hasta el
              fin del envío si es más tarde (último envío + un intervalo:
              N sondas ocupan N intervalos, así que nunca supera --rate);
              n/d con una sola sonda. No cuenta la espera de las perdidas.
  kernel      diferencias de /proc/net/snmp (Udp RcvbufErrors, Tcp
              RetransSegs), leídas alrededor de cada transporte; cuentan
              toda la máquina.

Las degradaciones actúan en cada sentido: 20% de pérdida en cada sentido
es un 36% en la ida y vuelta. auto le da la pérdida al kernel (nftables)
donde puede descartar (Linux, root, nft), a UDP y TCP por igual, y el resto
a un reenviador en espacio de usuario; sin él, el reenviador lo hace todo
para UDP, pero no puede descartar, desordenar ni duplicar segmentos TCP,
así que TCP solo recibe retardo y jitter (la salida lo dice).

--csv - escribe las filas en stdout y la tabla en stderr (no con --json);
su seq es el de la cabecera de la sonda, desde 0 como en la red.
Códigos de salida: 0 terminado, 1 sin respuesta o un fallo en ejecución
(con --json, stdout lleva entonces {"schema", "error"}), 2 opción no válida
o un archivo --csv que no se puede abrir, 130 Ctrl-C (se imprime el
resultado parcial).`,
    },
  }
}
