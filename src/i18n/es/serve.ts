import type { Area } from '../index.js'

/** serve (el reflector contra el que mide compare): sus eventos, su resumen de Ctrl-C y su ayuda. */
export const serve: Area<'serve'> = (f) => {
  const datagrams = (n: number) => f.plural(n, { zero: 'ningún datagrama', one: '# datagrama', many: '# de datagramas', other: '# datagramas' })
  const bytesWord = (n: number) => f.plural(n, { one: '# byte', many: '# de bytes', other: '# bytes' })
  const closedBecause = {
    'normal': (_code?: string) => '',
    'reset': (code?: string) => ` (reiniciada por el cliente, ${code ?? 'ECONNRESET'})`,
    'error': (code?: string) => ` (cerrada por un error${code ? ` ${code}` : ''})`,
    'idle-timeout': (_code?: string) => ' (inactividad)',
    'server-stopped': (_code?: string) => ' (el servidor se detiene)',
  }
  return {
    listening: (p) => `${p.em('escuchando')} en ${p.here}, TCP y UDP — el extremo remoto para sockkit compare`,
    fromElsewhere: (p) => `desde otra máquina: sockkit compare ${p.host} --port ${p.port}`,
    everyAddress: (p) =>
      `(cada dirección de esta máquina: ${p.addresses.join(', ')}; el firewall debe permitir TCP y UDP al puerto ${p.port})`,
    fromHere: (p) => `desde esta máquina: sockkit compare ${p.host} --port ${p.port}`,
    onlyHere: (p) =>
      `${p.address} solo acepta a esta máquina; para medir desde otra, ejecuta \`sockkit serve ${p.port} --host ${p.wildcard}\``,
    filter: (p) => `${p.filter}; equipos filtrados: cierre inmediato (TCP) o sin respuesta (UDP)`,
    warning: (p) => `aviso: ${p.text}`,
    tcpAccepted: (p) =>
      `${p.tag} ${p.em('conexión tcp')} desde ${p.from} (${f.plural(p.active, { one: '# abierta', other: '# abiertas' })})`,
    tcpClosed: (p) =>
      `${p.tag} cerrada tras ${f.duration(p.durationMs)}: ${f.bytes(p.bytes)} devueltos${closedBecause[p.reason](p.code)}`,
    tcpRefused: (p) =>
      `${p.em('rechazada')} ${p.from}: ${f.plural(p.active, { one: '# conexión abierta', many: '# de conexiones abiertas', other: '# conexiones abiertas' })}, límite ${f.num(p.limit)}`,
    tcpDenied: (p) => `${p.em('denegada')} tcp ${p.from} (${p.because}); cerrada al instante`,
    tcpError: (p) => `${p.em('error tcp')} ${p.code}: ${p.message} (sigue escuchando)`,
    udpPeer: (p) => `${p.em('sondas udp')} desde ${p.from}`,
    ignoredBecause: {
      'not-a-probe': 'no es una sonda de compare',
      'bad-flags': 'una cabecera de sonda de compare con indicadores reservados activados',
      'too-large': 'más grande que cualquier sonda de compare',
      'bad-padding': 'una cabecera de sonda de compare con relleno distinto de cero',
    },
    udpIgnored: (p) =>
      `${p.em(p.count === 1 ? 'ignorado' : 'ignorados')} ${datagrams(p.count)} (el último: ${bytesWord(p.bytes)} de ${p.from}): ${p.because}, sin eco; ` +
      `${f.plural(p.total, { one: '# ignorado', other: '# ignorados' })} en total`,
    udpDenied: (p) =>
      `${p.em(p.count === 1 ? 'denegado' : 'denegados')} ${datagrams(p.count)} (el último: ${bytesWord(p.bytes)} de ${p.from}, ${p.because}): sin respuesta; ` +
      `${f.num(p.total)} en total`,
    udpSendError: (p) => `${p.em('falló el eco udp')} hacia ${p.from}: ${p.code} (esa sonda se pierde)`,
    udpError: (p) => `${p.em('error udp')} ${p.code}: ${p.message} (sigue escuchando)`,
    stopped: (p) =>
      `detenido tras ${f.duration(p.durationMs)}: UDP ${f.plural(p.udp.probesEchoed, { zero: 'ninguna sonda devuelta', one: '# sonda devuelta', many: '# de sondas devueltas', other: '# sondas devueltas' })} a ` +
      `${f.plural(p.udp.peers, { zero: 'ningún equipo', one: '# equipo', many: '# de equipos', other: '# equipos' })}` +
      (p.udp.ignored ? `, ${f.plural(p.udp.ignored, { one: '# ignorado', other: '# ignorados' })}` : '') + (p.udp.denied ? `, ${f.plural(p.udp.denied, { one: '# denegado', other: '# denegados' })}` : '') +
      (p.udp.sendErrors ? `, ${f.plural(p.udp.sendErrors, { one: '# eco fallido', other: '# ecos fallidos' })}` : '') +
      `; TCP ${f.plural(p.tcp.accepted, { zero: 'ninguna conexión', one: '# conexión', many: '# de conexiones', other: '# conexiones' })}, ${f.bytes(p.tcp.bytesIn)} devueltos` +
      (p.tcp.denied ? `, ${f.plural(p.tcp.denied, { one: '# denegada', other: '# denegadas' })}` : ''),
    help: {
      summary: 'el extremo remoto de `sockkit compare`: eco TCP y UDP en un mismo puerto',
      description: 'El reflector contra el que mide `sockkit compare <host>`: un eco TCP y un eco UDP ' +
        'en el mismo número de puerto. UDP solo devuelve sondas de compare, cada una tal como llegó (nunca ' +
        'más grande, así que no sirve para amplificar tráfico); cualquier otro datagrama se cuenta y se ignora.',
      arguments: { port: 'puerto TCP y UDP, 0 = cualquiera libre' },
      options: {
        host: 'dirección de escucha (0.0.0.0: todas)',
        maxConnections: 'clientes TCP atendidos a la vez',
        idleTimeout: 'cierra TCP inactivo este tiempo; 0 = nunca',
        json: 'eventos NDJSON en stdout en lugar de texto en stderr',
      },
      examples: `
Ejemplos:
  $ sockkit serve                       en 127.0.0.1:9000 (solo esta máquina)
  $ sockkit serve 9000 --host 0.0.0.0   accesible desde otras máquinas
  luego, en otra máquina:
  $ sockkit compare 192.168.1.20 --port 9000

Eventos (stderr), una línea cada uno: escuchando; una conexión TCP aceptada y
cerrada, con los bytes devueltos; la primera sonda UDP de cada equipo; los
datagramas ignorados (no son sondas de compare) y los equipos denegados, como
máximo una línea por segundo. Ctrl-C imprime un resumen y sale con 130.`,
    },
  }
}
