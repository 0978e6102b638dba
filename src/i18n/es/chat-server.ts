import type { Area } from '../index.js'

/** chat-server: el lado del operador (eventos, notas, resumen, ayuda). Lo que leen los clientes es el área `chat`. */
export const chatServer: Area<'chatServer'> = (f) => {
  const people = (n: number) => f.plural(n, { zero: 'nadie', one: '# persona', many: '# de personas', other: '# personas' })
  const messages = (n: number) => f.plural(n, { zero: 'ningún mensaje', one: '# mensaje', many: '# de mensajes', other: '# mensajes' })
  return {
    listening: (p) => `${p.em('chat escuchando')} en ${p.where} (TCP, una línea por mensaje)`,
    joinWith: (p) => `únete con: nc ${p.host} ${p.port}   (o telnet ${p.host} ${p.port}, o sockkit tcp-client ${p.host} ${p.port})`,
    youAre: (p) => `eres "${p.name}": escribe una línea para hablar con todos; /who, /kick <nombre o #id>, /help`,
    languageNames: { en: 'inglés', es: 'español', pt: 'portugués' },
    clientLanguage: (p) => `a los clientes se les habla en ${p.language} (--lang ${p.code}), y a ti también`,
    filter: (p) => `${p.filter}; a los equipos filtrados se les cierra la conexión al instante`,
    warning: (p) => p.em(`aviso: ${p.text}`),
    goneClient: 'un cliente que ya se había ido',
    connected: (p) => `${p.tag} conexión desde ${p.from}; se le pidió un nombre (${f.plural(p.active, { one: '# conectado', other: '# conectados' })})`,
    refused: (p) => `${p.em('rechazada')} ${p.from}: el chat está lleno (${people(p.limit)}); se le avisó con amabilidad`,
    denied: (p) => `${p.em('denegada')} ${p.from} (${p.because}); cerrada al instante`,
    nameRejected: (p) => `${p.tag} nombre "${p.attempt}" no aceptado (${p.problem}); se le volvió a pedir`,
    joined: (p) =>
      `${p.tag} ${p.em(`* ${p.name} entró`)}` + (p.name !== p.requested ? ` (pidió ${p.requested}, ya en uso)` : '') +
      ` — ${f.num(p.present)} en el chat, ` +
      `${f.plural(p.historySent, { zero: 'ningún mensaje del historial enviado', one: '# mensaje del historial enviado', many: '# de mensajes del historial enviados', other: '# mensajes del historial enviados' })}`,
    nick: (p) => `${p.tag} * ${p.from} ahora se llama ${p.to}`,
    aClient: 'un cliente',
    lineCut: (p) =>
      `${p.tag} ${p.em('línea cortada')}: ${p.who} envió más de ${f.num(p.limitBytes)} bytes en una línea; se le avisó`,
    noNewline: (p) =>
      `${p.tag} ${p.em('sin salto de línea')}: ${p.who} envió una línea sin "\\n"; aceptada tras ${f.num(p.waitedMs)} ms`,
    flood: (p) =>
      `${p.tag} ${p.em('inundación')}: ${p.who} envía más de ${f.num(p.linesPerSecond)} líneas/s; sus líneas quedan en espera`,
    leaveReasons: {
      'quit': 'escribió /quit',
      'closed': 'cerró la conexión',
      'reset': 'la conexión fue reiniciada',
      'error': 'error de conexión',
      'idle-timeout': 'demasiado tiempo inactivo',
      'name-timeout': 'no dio su nombre a tiempo',
      'flood': 'envió demasiado rápido durante demasiado tiempo',
      'slow-reader': 'no estaba leyendo',
      'kicked': 'el operador lo sacó',
      'server-stopped': 'se cerró el chat',
    },
    left: (p) =>
      `* ${p.name} salió${p.why ? ` (${p.why})` : ''} tras ${f.duration(p.durationMs)}, ${messages(p.messages)}`,
    disconnected: (p) => `${p.tag} ${p.from} se fue antes de dar un nombre (${p.why})`,
    serverError: (p) => `${p.em('error del servidor')} ${p.code}: ${p.message} (sigue escuchando)`,
    participant: (p) => `${p.name} (${messages(p.messages)})`,
    closed: (p) =>
      `chat cerrado tras ${f.duration(p.durationMs)}: ` +
      (p.participants.length ? `${p.participants.length === 1 ? 'participó' : 'participaron'} ${people(p.participants.length)}: ${p.participants.join(', ')}` : 'no entró nadie') +
      `; ${messages(p.messages)} en total, ${f.num(p.operatorMessages)} de ${p.operator}` +
      (p.refused ? `; ${f.plural(p.refused, { one: '# rechazada', other: '# rechazadas' })} (lleno)` : '') + (p.denied ? `; ${f.plural(p.denied, { one: '# denegada', other: '# denegadas' })}` : '') +
      (p.dropped ? `; ${f.plural(p.dropped, { one: '# desconectada', other: '# desconectadas' })} por inundar o no leer` : ''),
    operatorLineCut: (p) => `tu línea tenía más de ${f.num(p.max)} bytes; solo se enviaron los primeros ${f.num(p.kept)}`,
    stdinClosed: 'stdin cerrado: ya no puedes escribir, pero el chat sigue — Ctrl-C para detenerlo',
    meUsage: 'uso: /me <acción>, por ejemplo /me saluda',
    unknownCommand: (p) =>
      `comando desconocido ${p.command}: /who, /kick <nombre o #id>, /me <acción>; usa // para decir una línea que empiece por "/"`,
    hereNow: (p) => `en el chat: ${[`${p.operator} (tú)`, ...p.present].join(', ')}`,
    nobodyWithId: (p) => `no hay nadie con el id de conexión "${p.target}" (/who los lista; #id es el [#N] de las líneas de evento)`,
    nobodyCalled: (p) => `no hay nadie llamado "${p.target}" (/who los lista; #id es el [#N] de las líneas de evento)`,
    operatorHelp: 'escribe una línea para decírsela a todos; /me <acción>; /who lista a las personas; /kick <nombre> o /kick #id saca a una; Ctrl-C termina el chat',
    help: {
      summary: 'sala de chat por líneas a la que se unen nc, telnet y los clientes de clase',
      description: 'Una sala de chat sobre TCP, una línea por mensaje. A cada cliente se le pide un nombre; después, cada ' +
        'línea que envía llega a todos los demás como "nombre: texto", y quien llega recibe el historial reciente. Las líneas ' +
        'que escribes aquí llegan a todos, de tu parte como operador.\n\n' +
        'La transcripción va a stdout; entradas, salidas y rechazos a stderr. A los nombres y mensajes se les quitan antes ' +
        'las secuencias de escape de terminal y los caracteres de control.\n\n' +
        '--lang elige el idioma de lo que se dice a los clientes (pregunta del nombre, avisos, /help); ' +
        'los comandos conservan sus nombres.',
      arguments: { port: 'puerto en el que escuchar (0 = cualquier puerto libre)' },
      options: {
        host: 'dirección en la que escuchar; 0.0.0.0 o :: deja entrar a otros',
        name: 'tu nombre en el chat',
        history: 'mensajes que recibe quien llega (0 = ninguno)',
        maxLine: 'corta las líneas más largas y avisa a quien las envió',
        maxConnections: 'clientes a la vez; a los demás se les rechaza con amabilidad',
        idleTimeout: 'desconecta a un cliente callado este tiempo (0 = nunca)',
        floodRate: 'líneas/s que un cliente puede mantener',
        floodBurst: 'líneas que un cliente puede enviar de golpe',
        floodTimeout: 'desconecta a quien inunda si sigue retenido este tiempo',
        maxOutput: 'bytes sin leer antes de desconectar',
        colorClients: 'colores ANSI a los clientes (muchos muestran basura)',
        timestamps: 'antepone [HH:MM] a cada línea',
        lang: 'idioma de lo que se dice a los clientes; se acepta es-AR, pt-BR…',
        json: 'eventos NDJSON en stdout en lugar de la transcripción',
      },
      examples: `
Ejemplos:
  $ sockkit chat-server
      chat en 127.0.0.1:9000; únete con: nc 127.0.0.1 9000
  $ sockkit chat-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --lang es
      un chat de clase en español, abierto solo a esa red
  $ sockkit chat-server 0 --json > chat.ndjson
      cualquier puerto libre; cada evento en NDJSON, para evaluar

Los clientes escriben un nombre y luego líneas; tienen /who, /nick <nombre>,
/me <acción>, /quit y /help. Tú escribes líneas para hablar con todos; /who
lista a las personas, /kick <nombre> (o #id) saca a una, /me <acción>.
stdout: la transcripción ("ana: hola", "~ ana saluda"); stderr:
"[#3] conexión desde …", "* ana entró al chat", "* ana salió", rechazos,
líneas cortadas, inundaciones. Ctrl-C se despide de todos, imprime quién
participó y cuántos mensajes hubo, y sale con 130.`,
    },
  }
}
