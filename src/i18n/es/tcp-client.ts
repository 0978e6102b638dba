import type { Area } from '../index.js'

/** tcp-client: su ayuda, líneas de evento y líneas de cierre (stderr). */
export const tcpClient: Area<'tcpClient'> = (f) => {
  const totals = (p: { bytesSent: number; bytesReceived: number }) => `${f.bytes(p.bytesSent)} enviados, ${f.bytes(p.bytesReceived)} recibidos`
  return {
    help: {
      summary: 'cliente TCP: stdin al servidor, el servidor a stdout, eventos en stderr',
      description: 'Se conecta a un servidor TCP. Los bytes que escribes o pasas por stdin se envían sin cambios, y cada byte ' +
        'que envía el servidor se escribe en stdout en cuanto llega (un saludo se ve al instante). Al llegar EOF a stdin, ' +
        'el cliente hace un semicierre y sigue leyendo hasta que el servidor cierra. Los eventos van a stderr.',
      host: 'nombre o dirección del servidor',
      port: 'puerto del servidor',
      message: (p) => `envía esto en lugar de stdin y luego hace un semicierre; repítelo para varias escrituras (escapes: ${p.escapes})`,
      writeInterval: 'pausa entre escrituras de --message (0 = seguidas, así que TCP puede juntarlas)',
      writeIntervalZero: 'seguidas',
      wait: 'tras nuestro semicierre (o el fin de stdin con --no-half-close), cierra igualmente si el servidor no ha cerrado en este tiempo (0 = esperarlo)',
      waitZero: 'hasta que el servidor cierre',
      timeout: 'tiempo de espera de conexión',
      crlf: 'envía cada salto de línea LF como CRLF (para servidores que leen líneas al estilo Windows/HTTP)',
      nagle: 'deja activado el algoritmo de Nagle (por defecto desactivado: las escrituras pequeñas salen al instante)',
      noHalfClose: 'mantiene la conexión abierta cuando termina stdin (no envía FIN), como ncat --no-shutdown; termina cuando el servidor cierra, o con Ctrl-C',
      keepSending: 'si el servidor hace el semicierre primero, sigue enviando stdin hasta que termine (por defecto: para, como ncat, y dice cuánto se envió)',
      quiet: 'solo errores y avisos en stderr',
      examples: `
Ejemplos:
  $ sockkit tcp-client 127.0.0.1 9000    escribe y mira el eco; Ctrl-D termina
                                         (Windows: Ctrl-Z, Enter)
  $ sockkit tcp-client 127.0.0.1 9000 < photo.jpg > back.jpg
                                         ida y vuelta que respeta los binarios
  $ sockkit tcp-client 127.0.0.1 9000 --message hola --message mundo
                                         dos escrituras; se lee "holamundo"
  $ sockkit tcp-client 127.0.0.1 9000 --no-half-close < request.txt
                                         sin FIN tras la petición: para
                                         servidores que dejan de responder al
                                         recibir EOF

Líneas de evento (stderr): "conectando", "conectado desde local A → B",
"escritos N bytes", "EOF enviado (semicierre)", "el servidor terminó de enviar",
"cerrada tras T: N bytes enviados, N recibidos", "reiniciada por el servidor".
Códigos de salida: 0 el servidor cerró (o pasó --wait), 1 fallo de red,
2 línea de comandos incorrecta, 130 Ctrl-C.`,
    },
    connecting: (p) => `conectando con ${p.where} (TCP, tiempo de espera ${f.duration(p.timeoutMs)})`,
    connected: (p) =>
      `${p.mark('conectado')} desde local ${p.local} → ${p.remote} (Nagle ${p.noDelay ? 'desactivado' : 'activado'})`,
    typeLines: (p) => `escribe líneas para enviarlas; ${p.eofKey} termina el envío (semicierre), Ctrl-C sale`,
    typeLinesOpen: (p) => `escribe líneas para enviarlas; ${p.eofKey} termina tu entrada (la conexión sigue abierta), Ctrl-C sale`,
    writesTogether: (p) =>
      `${f.num(p.count)} escrituras seguidas van juntas al kernel: TCP conserva bytes, no escrituras; el servidor puede leerlas de una vez`,
    writesApart: (p) =>
      `${f.num(p.count)} escrituras separadas por ${f.duration(p.intervalMs)}: cada una suele llegar en su propia lectura`,
    wrote: (p) =>
      `${p.bytes === 1 ? 'escrito' : 'escritos'} ${f.bytes(p.bytes)} (mensaje ${f.num(p.index)} de ${f.num(p.count)}): ${p.preview}`,
    inputEnded: (p) =>
      `${p.mark('entrada terminada')} tras ${f.bytes(p.bytesSent)}; la conexión sigue abierta (sin semicierre): ` +
      `leyendo hasta que el servidor cierre${p.waitMs > 0 ? ` o pasen ${f.duration(p.waitMs)}` : ''} (Ctrl-C para parar)`,
    sentEof: (p) =>
      `${p.mark('EOF enviado (semicierre)')} tras ${f.bytes(p.bytesSent)}: terminamos de enviar; ` +
      `leyendo hasta que el servidor cierre${p.waitMs > 0 ? ` o pasen ${f.duration(p.waitMs)}` : ''}`,
    serverClosedStopped: (p) =>
      `${p.mark('el servidor cerró su lado')} (FIN) tras ${f.bytes(p.bytesReceived)} recibidos, antes de que terminara nuestra entrada: ` +
      `dejamos de leerla tras ${f.bytes(p.inputBytesSent)} enviados` +
      (p.inputBytesWaiting > 0 ? `; ${f.bytes(p.inputBytesWaiting)} leídos y en espera no se enviaron` : '') +
      ' — el resto de la entrada no se envía (--keep-sending la envía)',
    serverClosedStillSending: (p) =>
      `${p.mark('el servidor cerró su lado')} (FIN) tras ${f.bytes(p.bytesReceived)} recibidos; puede que aún lea: ` +
      'seguimos enviando (--keep-sending) hasta que termine la entrada',
    serverFinished: (p) => `el servidor terminó de enviar (FIN) tras ${f.bytes(p.bytesReceived)} recibidos`,
    waitElapsed: (p) =>
      `${p.mark('--wait cumplido')}: ${f.duration(p.waitMs)} tras nuestro semicierre el servidor no cerró; cerrando`,
    waitElapsedOpen: (p) =>
      `${p.mark('--wait cumplido')}: ${f.duration(p.waitMs)} tras terminar la entrada el servidor no cerró; cerrando`,
    reset: (p) =>
      `${p.mark('reiniciada por el servidor')} (ECONNRESET) tras ${f.duration(p.durationMs)}: ${totals(p)}`,
    broken: (p) =>
      `${p.mark('conexión rota')} (${p.code}) tras ${f.duration(p.durationMs)}: ${totals(p)}`,
    interrupted: (p) =>
      `${p.mark('interrumpido')} tras ${f.duration(p.durationMs)}: ${totals(p)}`,
    closed: (p) =>
      `${p.mark('cerrada')} tras ${f.duration(p.durationMs)}: ${totals(p)}`,
    interruptedConnecting: (p) => `${p.mark('interrumpido')} antes de establecer la conexión`,
    messageWords: (p) =>
      `tcp-client envía lo que escribes o pasas por stdin, no palabras tras el puerto: da el mensaje con --message, ` +
      `entre comillas, como en sockkit tcp-client ${p.host} ${p.port} --message "${p.words.join(' ')}"`,
  }
}
