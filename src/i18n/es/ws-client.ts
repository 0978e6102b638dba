import type { Area } from '../index.js'

/** ws-client: ayuda, líneas de evento (stderr) y cómo terminó la conexión. Los códigos de cierre: wsServer.closeCode. */
export const wsClient: Area<'wsClient'> = (f) => {
  /** `word`: the participle in the singular (recibido, enviado): it agrees with the count. */
  const messages = (n: number, word: string) => f.plural(n, { zero: `ningún mensaje ${word}`, one: `# mensaje ${word}`, many: `# de mensajes ${word}s`, other: `# mensajes ${word}s` })
  const totals = (p: { messagesSent: number; messagesReceived: number; durationMs: number }) =>
    `tras ${f.duration(p.durationMs)}: ${messages(p.messagesSent, 'enviado')}, ${messages(p.messagesReceived, 'recibido')}`
  return {
    help: {
      summary: 'cliente WebSocket: líneas de stdin como mensajes, los mensajes recibidos a stdout',
      description: 'Abre un WebSocket (ws:// o wss://). Cada línea de stdin se envía como un mensaje de texto, en orden, ' +
        'incluso las líneas escritas o pasadas antes de que se abriera la conexión. Cada mensaje recibido se escribe en ' +
        'stdout, uno por línea (los binarios en hexadecimal salvo con --raw). Cuando stdin termina, espera --wait a las ' +
        'respuestas, cierra con 1000 y dice cómo fue el cierre. Los eventos van a stderr.',
      url: 'ws://host:puerto/ruta o wss://host:puerto/ruta',
      message: 'enviar este mensaje en lugar de leer stdin (repetible)',
      binary: 'enviar mensajes binarios en lugar de texto',
      raw: 'escribir los mensajes binarios recibidos como bytes tal cual, no en hexadecimal',
      wait: 'cuando termina la entrada, esperar este tiempo a las respuestas antes de cerrar',
      close: 'código, y motivo opcional, de nuestra trama de cierre (1000 normal, 3000–4999 los de la aplicación)',
      header: "una cabecera extra de la petición 'Nombre: valor' (repetible)",
      subprotocol: 'un subprotocolo que ofrecer (repetible)',
      origin: 'la cabecera Origin que enviar (como lo haría una página de ese sitio en un navegador)',
      pingInterval: 'enviar un ping al servidor con esta frecuencia y mostrar cada ida y vuelta (0 = nunca)',
      timeout: 'rendirse si la negociación inicial no terminó en este tiempo',
      insecure: 'wss://: aceptar un certificado que no se puede verificar (autofirmado)',
      frames: 'mostrar cada lectura TCP y las cabeceras de trama que trajo',
      quiet: 'en stderr solo errores, avisos y el cierre',
      json: 'un objeto JSON por evento y por mensaje en stdout (NDJSON)',
      examples: `
Ejemplos:
  $ sockkit ws-client ws://127.0.0.1:8080/         escribe líneas y mira el eco; Ctrl-D termina
  $ printf 'a\\nb\\n' | sockkit ws-client ws://127.0.0.1:8080/
                                                   dos mensajes, enviados en cuanto se abre
  $ sockkit ws-client ws://127.0.0.1:8080/ --message hola --close 4000:chao

Códigos de salida: 0 cerrado con 1000 (normal), 1 sin WebSocket o cerrado con otro código,
2 línea de comandos incorrecta, 130 Ctrl-C.`,
    },
    connecting: (p) => `conectando con ${p.url} (upgrade HTTP sobre TCP, tiempo de espera ${f.duration(p.timeoutMs)})`,
    upgraded: (p) =>
      `${p.mark('101 Switching Protocols')} desde ${p.remote} (local ${p.local}): enviamos Sec-WebSocket-Key ${p.key}, ` +
      `recibimos Sec-WebSocket-Accept ${p.accept}${p.protocol ? `, protocolo ${p.protocol}` : ''}: ya es un WebSocket`,
    typeLines: (p) => `escribe líneas para enviarlas como mensajes; ${p.eofKey} termina, Ctrl-C sale`,
    flushing: (p) => `enviando ${f.plural(p.count, { one: '# mensaje escrito o pasado', other: '# mensajes escritos o pasados' })} antes de abrir la conexión, en orden`,
    sent: (p) =>
      `enviado el mensaje ${p.binary ? 'binario' : 'de texto'} ${f.num(p.index)}, ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}: ${p.preview}`,
    ping: (p) => `ping del servidor (${f.bytes(p.bytes)}), respondido con un pong`,
    pong: (p) => p.rttMs === undefined ? 'pong (sin haberlo pedido)' : `pong: ida y vuelta ${f.duration(p.rttMs)}`,
    inputEnded: (p) =>
      `fin de entrada: ${messages(p.sent, 'enviado')}; se esperan respuestas ${f.duration(p.waitMs)} y se cierra`,
    closing: (p) => `enviando nuestra trama de cierre: ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}`,
    closedByUs: (p) => `${p.mark('cerrada')}: el servidor respondió a nuestro cierre con ${p.code} (${p.words}); ${p.summary}`,
    closedByServer: (p) =>
      `${p.mark('cerrada por el servidor')} con el código ${p.code} (${p.words})${p.reason ? ` "${p.reason}"` : ''}; ${p.summary}`,
    closedAbnormally: (p) => `${p.mark('conexión perdida')}: 1006, la conexión TCP terminó sin trama de cierre; ${p.summary}`,
    interrupted: (p) => `${p.mark('interrumpido')}: cerrado con 1001 (going away); ${p.summary}`,
    interruptedConnecting: (p) => `${p.mark('interrumpido')} antes de que se abriera el WebSocket`,
    summary: totals,
    hintLabel: 'sugerencia:',
    hintSocketIo: 'parece un servidor Socket.IO: Socket.IO habla su propio protocolo sobre WebSocket, así que un cliente WebSocket simple no puede hablar con él; usa un cliente Socket.IO',
    hintNotFound: 'nada responde WebSockets en esta ruta: revisa la ruta de la URL',
    hintPage: 'es un servidor web que envió una página: revisa el puerto y la ruta',
    hintOther: 'comprueba que la URL nombre un punto de acceso WebSocket',
    hintTls: 'no se pudo verificar el certificado del servidor; si es un certificado de prueba autofirmado, --insecure lo acepta',
    hintWss: 'puede que el servidor hable TLS: prueba con wss://',
  }
}
