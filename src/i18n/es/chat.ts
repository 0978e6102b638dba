import type { Area } from '../index.js'

/**
 * chat: cada línea que el propio servidor de chat envía a un cliente. Los comandos (/who, /nick,
 * /me, /quit, /help) no se traducen: es lo que escribe el cliente. Se trata al estudiante de tú y
 * se evitan participios con género ("desconectado/a") nombrando la conexión.
 */
export const chat: Area<'chat'> = (f) => {
  /** `1 s`, `1,5 s`, `500 ms`. */
  const waitText = (ms: number): string => ms >= 1000 ? `${f.num(ms / 1000)} s` : `${f.num(ms)} ms`
  return {
    namePrompt: '¿Tu nombre?',
    nameEmpty: 'el nombre no puede estar vacío',
    nameTooLong: ({ max }) => `el nombre puede tener como máximo ${f.num(max)} caracteres`,
    nameInvalid: 'un nombre solo puede tener letras, dígitos, "-", "_" o ".", empezar por una letra o un dígito, y no llevar espacios ni caracteres invisibles o que imiten a otros',
    byeBeforeName: '¡adiós!',
    nameTaken: ({ requested, given }) => `${requested} ya está en uso; tu nombre será ${given}`,
    welcome: ({ name, here }) => `¡hola, ${name}! En el chat: ${here.join(', ')}. Escribe /help para ver los comandos`,
    historyStart: ({ n }) => f.plural(n, { one: 'el último mensaje:', many: 'los últimos # de mensajes:', other: 'los últimos # mensajes:' }),
    historyEnd: 'fin del historial',
    joined: ({ name }) => `${name} entró al chat`,
    who: ({ names }) => `en el chat (${f.num(names.length)}): ${names.join(', ')}`,
    operatorTag: ({ name }) => `${name} (operador)`,
    youTag: ({ name }) => `${name} (tú)`,
    nickUsage: ({ max }) => `uso: /nick <nombre> — letras, dígitos, "-", "_" o ".", hasta ${f.num(max)} caracteres`,
    nickSame: ({ name }) => `ya te llamas ${name}`,
    nickTaken: ({ name }) => `el nombre ${name} ya está en uso; prueba otro`,
    nickChanged: ({ from, to }) => `${from} ahora se llama ${to}`,
    meUsage: 'uso: /me <acción>, por ejemplo /me saluda',
    byeQuit: ({ name }) => `¡adiós, ${name}!`,
    help: ({ name }) => [
      'comandos:',
      '  /who            quién está en el chat',
      '  /nick <nombre>  cambiar tu nombre',
      `  /me <acción>    "/me saluda" se ve como "~ ${name} saluda"`,
      '  /quit           salir del chat',
      '  //texto         enviar una línea que empieza con "/"',
      `todo lo demás llega a todos como "${name}: texto"`,
    ],
    unknownCommand: ({ command }) => `comando desconocido /${command}; escribe /help (usa // para enviar "/" como texto)`,
    lineTruncated: ({ max }) => `tu línea tenía más de ${f.num(max)} bytes; solo se conservó la primera parte`,
    noNewline: ({ ms }) => `tu línea no tenía salto de línea; se aceptó tras ${waitText(ms)} — termina cada línea con Enter ("\\n")`,
    slowDown: ({ rate, seconds }) => `más despacio: más de ${f.num(rate)} líneas por segundo. Tus líneas esperan; ` +
      `si sigues así durante ${f.num(seconds)} s, se cerrará tu conexión`,
    floodDisconnected: 'se cerró tu conexión por enviar demasiados mensajes',
    idleDisconnected: ({ ms }) => `${waitText(ms)} sin actividad. ¡Adiós!`,
    nameTimeout: 'no diste tu nombre a tiempo. ¡Adiós!',
    kicked: ({ operator }) => `${operator} te sacó del chat`,
    closing: 'el chat se cierra. ¡Adiós!',
    refusedFull: ({ max }) => `lo siento, el chat está lleno (${f.plural(max, { one: '# persona', many: '# de personas', other: '# personas' })}); inténtalo más tarde`,
    refusedClosing: 'lo siento, el chat se está cerrando; inténtalo más tarde',
    left: ({ name }) => `${name} salió del chat`,
    leftReset: ({ name }) => `${name} salió del chat (la conexión fue reiniciada, RST)`,
    leftError: ({ name }) => `${name} salió del chat (error de conexión)`,
    leftIdle: ({ name }) => `${name} salió del chat (inactividad)`,
    leftFlood: ({ name }) => `${name} salió del chat (conexión cerrada por exceso de mensajes)`,
    leftSlowReader: ({ name, bytes }) => `${name} salió del chat (conexión cerrada: no leía; ${f.bytes(bytes)} en espera)`,
    leftKicked: ({ name, operator }) => `${operator} sacó a ${name} del chat`,
  }
}
