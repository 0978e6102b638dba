import type { Area } from '../index.js'

/** ws-server: ayuda, líneas de evento, códigos de cierre en palabras (también para ws-client), la página del navegador. */
export const wsServer: Area<'wsServer'> = (f) => {
  /** `word`: the participle in the singular (recibido, enviado): it agrees with the count. */
  const messages = (n: number, word: string) => f.plural(n, { zero: `ningún mensaje ${word}`, one: `# mensaje ${word}`, many: `# de mensajes ${word}s`, other: `# mensajes ${word}s` })
  const open = (n: number, noun: 'conexión' | 'WebSocket') => noun === 'conexión'
    ? f.plural(n, { one: '# abierta', other: '# abiertas' })
    : f.plural(n, { one: '# abierto', other: '# abiertos' })
  return {
    help: {
      summary: 'servidor de eco WebSocket que narra la negociación inicial, cada mensaje y el cierre',
      description: 'Un servidor WebSocket (RFC 6455) sobre TCP. Devuelve cada mensaje (texto o binario, tal como llega), ' +
        'o con --broadcast lo envía a todos los demás clientes. Muestra en stderr la petición HTTP de upgrade y la ' +
        'respuesta 101 (Sec-WebSocket-Key → Sec-WebSocket-Accept), cada mensaje (tipo, tamaño, vista previa), los ping, ' +
        'los pong y cada cierre con su código en palabras. Un navegador que visite http://host:puerto/ recibe una ' +
        'pequeña página que se conecta de vuelta a él.',
      port: 'puerto en el que escuchar (0: lo elige el sistema)',
      host: 'dirección en la que escuchar (127.0.0.1: solo esta máquina; 0.0.0.0: todas las interfaces)',
      broadcast: 'enviar cada mensaje a todos los demás clientes en lugar de devolverlo (un chat sin nombres)',
      noEcho: 'no devolver nada: solo narrar lo que llega',
      maxMessage: 'mensaje más grande aceptado, en bytes; uno mayor cierra la conexión con 1009 (mensaje demasiado grande)',
      maxConnections: 'conexiones atendidas a la vez; la siguiente recibe HTTP 503',
      idleTimeout: 'cerrar un WebSocket con 1001 tras este tiempo sin mensajes (0 = nunca)',
      pingInterval: 'enviar un ping a cada cliente con esta frecuencia y soltar al que no respondió el ping anterior (0 = nunca)',
      subprotocol: 'un subprotocolo que habla este servidor (repetible, el preferido primero)',
      frames: 'mostrar cada lectura TCP y las cabeceras de trama (frame) que trajo (FIN, opcode, máscara, longitud)',
      quiet: 'sin una línea por mensaje, ping o pong',
      json: 'un objeto JSON por evento en stdout (NDJSON)',
      examples: `
Ejemplos:
  $ sockkit ws-server                      eco en ws://127.0.0.1:8080/
  $ sockkit ws-client ws://127.0.0.1:8080/  en otra terminal: escribe líneas y mira cómo vuelven
  $ sockkit ws-server 8080 --broadcast --host 0.0.0.0
                                         un chat de clase: abre http://<esta máquina>:8080/
  $ sockkit ws-server --frames             mira cómo viajan las tramas en las lecturas TCP

Códigos de salida: 130 tras Ctrl-C (la forma normal de detenerlo), 1 si no puede escuchar, 2 línea de comandos incorrecta.`,
    },
    listening: (p) =>
      `${p.em('escuchando')} en ws://${p.bound}/ (WebSocket sobre TCP)` + (p.reach !== p.bound ? ` — los clientes pueden usar ${p.reach}` : ''),
    tryClient: (p) => `prueba: sockkit ws-client ${p.url}   o abre http${p.url.slice(2)} en un navegador`,
    modeBroadcast: 'cada mensaje va a todos los demás clientes (--broadcast)',
    modeNoEcho: 'sin eco (--no-echo): los mensajes solo se muestran',
    filter: (p) => `${p.filter}; los pares filtrados se cierran al instante`,
    connected: (p) =>
      `${p.tag} ${p.em('conexión TCP')} ${p.from} → ${p.to} (${open(p.active, 'conexión')}); esperando la petición HTTP de upgrade`,
    refused: (p) => `${p.em('rechazada')} ${p.from}: ${open(p.active, 'conexión')}, límite ${f.num(p.limit)} (respondió HTTP 503)`,
    refusedClosing: (p) => `${p.em('rechazada')} ${p.from}: el servidor se está deteniendo (respondió HTTP 503)`,
    denied: (p) => `${p.em('denegada')} ${p.from} (${p.because}); cerrada al instante`,
    upgradeRequest: (p) =>
      `${p.tag} petición de upgrade: ${p.method} ${p.path}, Sec-WebSocket-Key ${p.key || '(ninguna)'}` +
      (p.protocols ? `, protocolos ${p.protocols}` : '') + (p.origin ? `, Origin ${p.origin}` : ''),
    upgraded: (p) =>
      `${p.tag} ${p.em('101 Switching Protocols')}, Sec-WebSocket-Accept ${p.accept} = base64(SHA-1(clave + 258EAFA5-E914-47DA-95CA-C5AB0DC85B11))` +
      `${p.protocol ? `, protocolo ${p.protocol}` : ''}: ahora es un WebSocket (${open(p.websockets, 'WebSocket')})`,
    problem: {
      'not-http': 'lo que llegó no es una petición HTTP',
      method: 'el método no es GET',
      'upgrade-header': 'falta la cabecera "Upgrade: websocket"',
      key: 'Sec-WebSocket-Key falta o no son 16 bytes en base64',
      version: 'Sec-WebSocket-Version no es 13',
    },
    rejected: (p) => `${p.tag} ${p.em('negociación rechazada')}: ${p.problem}; respondió HTTP ${p.status} y cerró`,
    httpRequest: (p) =>
      p.status === 200
        ? `${p.tag} ${p.method} ${p.path}: la visita de un navegador, se envió la página (HTTP 200)`
        : `${p.tag} ${p.method} ${p.path}: una petición HTTP normal, no un upgrade (HTTP ${p.status})`,
    message: (p) =>
      `${p.tag} mensaje ${p.binary ? 'binario' : 'de texto'}, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p) => `${p.tag} ping del cliente (${f.bytes(p.bytes)}), respondido con un pong`,
    pong: (p) => p.rttMs === undefined ? `${p.tag} pong (sin haberlo pedido)` : `${p.tag} pong: ida y vuelta ${f.duration(p.rttMs)}`,
    tcpRead: (p) =>
      `${p.tag} lectura TCP de ${f.bytes(p.bytes)}:` + (p.continued ? ' continúa una trama;' : '') +
      (p.frames ? ` ${p.frames}` : ' ninguna cabecera de trama nueva') + (p.endsInside ? '; termina dentro de una trama (el resto llega en otra lectura)' : ''),
    frameHeader: (p) => `[${p.fin ? 'FIN' : 'sin FIN'} ${p.opcode}${p.masked ? ' con máscara' : ''} ${f.bytes(p.length)}]`,
    backpressure: (p) =>
      `${p.tag} ${p.em('el cliente no está leyendo')} sus ecos (${f.bytes(p.bufferedBytes)} en cola): se dejó de leerle hasta que salgan`,
    resumed: (p) => `${p.tag} los ecos salieron; se vuelve a leer`,
    closing: {
      'too-big': (p) => `${p.tag} ${p.em('mensaje demasiado grande')}: supera el límite de ${f.bytes(p.limit)} (--max-message); se cierra con ${p.code}`,
      'protocol-error': (p) => `${p.tag} ${p.em('error de protocolo')}: tramas mal formadas del cliente; se cierra con ${p.code}`,
      'idle-timeout': (p) => `${p.tag} ${p.em('inactiva')} durante ${f.duration(p.limit)}; se cierra con ${p.code} (going away)`,
      'ping-timeout': (p) => `${p.tag} ${p.em('sin pong')} a un ping enviado hace ${f.duration(p.limit)}: el cliente se fue o está bloqueado; se corta la conexión`,
      'slow-reader': (p) => `${p.tag} ${p.em('no está leyendo')}: ${f.bytes(p.bufferedBytes)} de difusiones lo esperan; se le desconecta para que no llene la memoria del servidor`,
      'server-stopped': (p) => `${p.tag} se cierra con ${p.code} (going away): el servidor se está deteniendo`,
    },
    closeCode: {
      normal: 'cierre normal',
      goingAway: 'se va (going away)',
      protocolError: 'error de protocolo',
      unsupportedData: 'datos no admitidos',
      noStatus: 'la trama de cierre no trae código',
      abnormal: 'anormal: la conexión terminó sin trama de cierre',
      invalidData: 'datos no válidos (p. ej., texto que no es UTF-8)',
      policy: 'violación de política',
      tooBig: 'mensaje demasiado grande',
      extension: 'falta una extensión requerida',
      internal: 'error interno del servidor',
      restart: 'reinicio del servicio',
      tryAgain: 'inténtalo más tarde',
      badGateway: 'puerta de enlace incorrecta',
      tls: 'fallo en la negociación TLS',
      registered: 'un código registrado por una biblioteca o framework',
      private: 'un código de la aplicación',
      unknown: 'no es un código de cierre válido',
    },
    closedByClient: (p) =>
      `${p.tag} ${p.em('cerrada por el cliente')}: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedByServer: (p) =>
      `${p.tag} ${p.em('cerrada')}: enviamos ${p.sentCode} (${p.sentWords}), el cliente respondió ${p.code} (${p.words}); ${p.summary}`,
    closedNoAnswer: (p) =>
      `${p.tag} ${p.em('cerrada')}: enviamos ${p.sentCode} (${p.sentWords}) y dejamos de leer: la trama de cierre del cliente, si llegó, no se leyó (1006); ${p.summary}`,
    closedAbnormally: (p) =>
      `${p.tag} ${p.em('cerrada sin trama de cierre')}: 1006 (anormal, la conexión TCP simplemente terminó); ${p.summary}`,
    connSummary: (p) =>
      `tras ${f.duration(p.durationMs)}: ${messages(p.messagesIn, 'recibido')} (${f.bytes(p.bytesIn)}), ${f.plural(p.messagesOut, { zero: 'ninguno enviado', one: '# enviado', other: '# enviados' })} (${f.bytes(p.bytesOut)})`,
    disconnected: (p) => `${p.tag} conexión TCP cerrada tras ${f.duration(p.durationMs)} (nunca fue un WebSocket)`,
    serverError: (p) => `${p.em('error del servidor')} ${p.code}: ${p.message} (sigue escuchando)`,
    stopped: (p) =>
      `detenido tras ${f.duration(p.durationMs)}: ${f.plural(p.websockets, { zero: 'ningún WebSocket', one: '# WebSocket', other: '# WebSockets' })} ` +
      `(${f.plural(p.connections, { zero: 'ninguna conexión TCP', one: '# conexión TCP', other: '# conexiones TCP' })}, máximo ${f.num(p.peak)} a la vez), ` +
      `${messages(p.messagesIn, 'recibido')}, ${messages(p.messagesOut, 'enviado')}` +
      (p.rejected ? `, ${f.plural(p.rejected, { one: '# negociación rechazada', other: '# negociaciones rechazadas' })}` : '') +
      (p.refused ? `, ${f.plural(p.refused, { one: '# conexión rechazada', other: '# conexiones rechazadas' })}` : '') +
      (p.denied ? `, ${f.plural(p.denied, { one: '# denegada', other: '# denegadas' })}` : ''),
    page: {
      title: 'sockkit ws-server',
      intro: 'Esta página abrió un WebSocket de vuelta al servidor del que vino. Escribe un mensaje y pulsa Enter: el servidor lo devuelve (o, con --broadcast, lo envía a todos los demás).',
      send: 'Enviar',
      connecting: 'conectando…',
      open: 'conectado',
      closed: 'cerrado, código',
      sent: 'enviado',
      received: 'recibido',
    },
  }
}
