import type { Area } from '../index.js'

/** tcp-server: sus eventos, avisos, resumen de Ctrl-C, línea de rechazo y ayuda. */
export const tcpServer: Area<'tcpServer'> = (f) => {
  const connections = (n: number) => f.plural(n, { zero: 'ninguna conexión', one: '# conexión', many: '# de conexiones', other: '# conexiones' })
  const open = (n: number) => f.plural(n, { one: '# abierta', other: '# abiertas' })
  /** `1.234 bytes leídos, 56 escritos`: la unidad se dice una vez cuando ambas cuentas van en bytes. */
  const inOut = (bytesIn: number, bytesOut: number) => {
    const read = f.bytes(bytesIn)
    const written = f.bytes(bytesOut)
    return / bytes$/.test(read) && / bytes$/.test(written)
      ? `${read} leídos, ${written.replace(/ bytes$/, '')} escritos`
      : `${read} leídos, ${written} escritos`
  }
  return {
    listening: (p) =>
      `${p.em('escuchando')} en ${p.bound} (TCP)` + (p.reach !== p.bound ? ` — los clientes pueden usar ${p.reach}` : ''),
    tryClient: (p) => `prueba: sockkit tcp-client ${p.host} ${p.port}`,
    greeting: (p) => `saludando a cada cliente con "${p.preview}"`,
    silentHint: (p) =>
      `${p.tag} ${p.em('sugerencia')}: este cliente no ha enviado nada en ${f.duration(p.silentMs)}; ` +
      `quizá espera que el servidor hable primero — dale un saludo con --greeting 'texto\\n'`,
    silentNoNewline: (p) =>
      `${p.tag} ${p.em('sugerencia')}: este cliente no ha enviado nada en ${f.duration(p.silentMs)}; ` +
      `quizá sigue esperando el final de la línea del saludo (no termina en \\n)`,
    greetingNoNewline: (p) =>
      p.em('aviso: el saludo no termina en salto de línea (\\n): ') +
      'los clientes que leen una línea (readLine() de Java, readline() de Python) lo esperarán y nunca lo verán',
    queued: (p) =>
      `${p.em('en espera')} ${p.from}: los ${f.num(p.limit)} lugares están ocupados; ` +
      `${f.plural(p.waiting, { one: '# cliente', other: '# clientes' })} en cola, atendidos según se liberan`,
    filter: (p) => `${p.filter}; a los equipos filtrados se les cierra la conexión al instante`,
    warning: (p) => p.em(`aviso: ${p.text}`),
    goneClient: 'un cliente que ya se había ido',
    acceptedGone: (p) =>
      `${p.tag} ${p.em('aceptada')} una conexión cuyo cliente ya se había ido (${open(p.active)})`,
    accepted: (p) =>
      `${p.tag} ${p.em('aceptada')} ${p.from} → ${p.to} (${open(p.active)})`,
    refusedFull: (p) =>
      `${p.em('rechazada')} ${p.from}: ${f.plural(p.active, { one: '# conexión abierta', many: '# de conexiones abiertas', other: '# conexiones abiertas' })}, límite ${f.num(p.limit)} (se avisó al cliente)`,
    refusedClosing: (p) => `${p.em('rechazada')} ${p.from}: el servidor se está deteniendo (se avisó al cliente y se cerró)`,
    read: (p) =>
      `${p.tag} lectura de ${f.plural(p.bytes, { one: '# byte', many: '# de bytes', other: '# bytes' })}: ${p.preview}`,
    readsHidden: (p) =>
      `${p.tag} … ${f.plural(p.reads, { one: '# lectura más', many: '# de lecturas más', other: '# lecturas más' })} (${f.bytes(p.bytes)}) ` +
      `${p.reads === 1 ? 'oculta' : 'ocultas'}: se muestran hasta ${f.num(p.limit)} por segundo y conexión (--json muestra todas)`,
    denied: (p) => `${p.em('denegada')} ${p.from} (${p.because}); cerrada al instante`,
    halfCloseAnswer: (p) =>
      `${p.tag} el cliente cerró su lado en respuesta al nuestro (${f.bytes(p.bytesIn)} recibidos)`,
    halfClose: (p) =>
      `${p.tag} ${p.em('semicierre recibido')}: el cliente terminó de enviar (${f.bytes(p.bytesIn)} recibidos); terminamos el eco y cerramos`,
    notReading: (p) =>
      `${p.tag} ${p.em('el cliente no lee')} sus ecos (desde hace ${f.duration(p.forMs)}, ` +
      `${f.bytes(p.bufferedBytes)} en cola): dejamos de leerle hasta que se ponga al día`,
    caughtUp: (p) => `${p.tag} el cliente se puso al día; volvemos a leer`,
    idle: (p) => `${p.tag} ${p.em('inactiva')} durante ${f.duration(p.idleMs)}; cerrando`,
    closedReset: (p) =>
      `${p.tag} ${p.em('el equipo la reinició')} (${p.code}) tras ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}`,
    closedError: (p) =>
      `${p.tag} ${p.em('cerrada por error')} ${p.code}: ${p.message}; en ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}`,
    closedBecause: { 'normal': '', 'reset': '', 'error': '', 'idle-timeout': ' (inactividad)', 'server-stopped': ' (el servidor se detiene)' },
    closed: (p) =>
      `${p.tag} ${p.em('cerrada')} tras ${f.duration(p.durationMs)}: ${inOut(p.bytesIn, p.bytesOut)}${p.because}`,
    serverError: (p) => `${p.em('error del servidor')} ${p.code}: ${p.message} (sigue escuchando)`,
    stopped: (p) =>
      `detenido tras ${f.duration(p.durationMs)}: ${connections(p.accepted)} (máximo ${f.num(p.peak)} a la vez), ` +
      inOut(p.bytesIn, p.bytesOut) +
      (p.refused ? `, ${f.plural(p.refused, { one: '# rechazada', other: '# rechazadas' })}` : '') + (p.denied ? `, ${f.plural(p.denied, { one: '# denegada', other: '# denegadas' })}` : '') +
      (p.resets ? `, ${f.plural(p.resets, { one: '# reiniciada', other: '# reiniciadas' })}` : '') + (p.idleTimeouts ? `, ${f.plural(p.idleTimeouts, { one: '# cerrada por inactividad', other: '# cerradas por inactividad' })}` : ''),
    refusalFull: (p) => `servidor ocupado: ${f.plural(p.limit, { one: '# cliente conectado', many: '# de clientes conectados', other: '# clientes conectados' })}; inténtalo más tarde`,
    refusalClosing: 'el servidor se está deteniendo; inténtalo más tarde',
    fdWarning: (p) =>
      `${p.em('sockkit:')} aviso: --max-connections ${p.maxConnections} es más de lo que este proceso puede mantener: su límite de archivos abiertos es ${f.num(p.limit)} (ulimit -n), ` +
      `así que a partir de unas ${f.num(p.usable)} conexiones los clientes nuevos se cierran al instante, sin línea de rechazo y sin nada registrado aquí; ` +
      `súbelo (ulimit -n ${p.needed}) o baja --max-connections`,
    help: {
      summary: 'servidor de eco TCP que narra cada evento de la conexión',
      description: 'Un servidor de eco TCP. Devuelve cada byte en cuanto llega, a cualquier cantidad de clientes a la vez, ' +
        'e imprime una línea por evento en stderr: escuchando, aceptada, cada lectura, semicierre, cerrada, reiniciada. ' +
        'A un cliente que no lee sus ecos se le pausa, en lugar de acumularle datos.',
      arguments: { port: 'puerto en el que escuchar (0 = cualquier puerto libre)' },
      options: {
        host: 'dirección en la que escuchar; 0.0.0.0 o :: para aceptar otras máquinas',
        greeting: (p) => `envía esto a cada cliente al aceptarlo (escapes: ${p.escapes})`,
        maxConnections: 'clientes atendidos a la vez; a los demás se les rechaza con amabilidad (o esperan, con --queue)',
        queue: (p) => `los clientes que pasen de --max-connections esperan su turno en vez de ser rechazados; como mucho n esperan (por defecto ${f.num(p.limit)})`,
        idleTimeout: 'cierra una conexión inactiva este tiempo (0 = nunca)',
        noEcho: 'solo recibe e informa; no devuelve nada',
        quiet: 'sin eventos por lectura (las conexiones se siguen informando); también con --json',
        json: 'eventos NDJSON en stdout en lugar de texto en stderr',
      },
      examples: `
Ejemplos:
  $ sockkit tcp-server                   eco en 127.0.0.1:9000
  $ sockkit tcp-server 5000 --greeting '¡Bienvenido al servidor!\\n'
  $ sockkit tcp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24
  $ sockkit tcp-server 0 --json --quiet > events.ndjson
                                         puerto libre cualquiera; NDJSON

Líneas de evento (stderr): "escuchando", "[#3] aceptada A → B",
"[#3] lectura de N bytes: vista previa", "[#3] semicierre recibido",
"[#3] cerrada tras T: N bytes recibidos, N bytes enviados",
"[#3] reiniciada por el otro lado", "rechazada A: …",
"denegada A (fuera de --allow)", "[#3] el cliente no está leyendo",
"[#3] inactiva durante T; cerrando". Como máximo 20 líneas de lectura
por segundo y conexión; el resto se suma en una línea "… K lecturas más".
Con --json cada evento es un objeto en stdout: {"time","event","id",…};
el último es "summary". Ctrl-C deja de aceptar, cierra cada conexión,
imprime un resumen y sale con 130.`,
    },
  }
}
