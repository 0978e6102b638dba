import type { Area } from '../index.js'

/** Las palabras de la propia CLI: ayuda raíz, errores de uso, causas de parada, avisos sobre lo escrito. */
export const cli: Area<'cli'> = (f) => ({
  commander: {
    missingArgument: (p: { name: string }) => `falta el argumento obligatorio '${p.name}'`,
    optionArgumentMissing: (p: { flag: string }) => `la opción '${p.flag}' necesita un valor`,
    requiredOption: (p: { flag: string }) => `falta la opción obligatoria '${p.flag}'`,
    unknownOption: (p: { flag: string }) => `opción desconocida '${p.flag}'`,
    unknownCommand: (p: { name: string }) => `comando desconocido '${p.name}'`,
    conflictingOptions: (p) => `${p.option} y ${p.other} no se pueden usar juntas: indica solo una`,
    tooManyArguments: (p: { command: string; expected: number; got: number }) =>
      `demasiados argumentos para '${p.command}': acepta ${f.num(p.expected)} y recibió ${f.num(p.got)}`,
    didYouMean: (p: { candidates: string[] }) =>
      `(¿quisiste decir ${p.candidates.length > 1 ? 'alguno de ' : ''}${p.candidates.join(', ')}?)`,
  },
  portIsArgument: (p: { flag: string; command: string; example: string }) =>
    `${p.command} no tiene la opción ${p.flag}: el puerto es un argumento — \`sockkit ${p.example}\``,
  hostPortOption: (p: { value: string; command: string; example: string }) =>
    `"${p.value}" incluye un puerto: ${p.command} recibe el puerto con --port — \`sockkit ${p.example}\``,
  help: {
    description: 'Herramientas honestas de sockets TCP y UDP: servidores de eco, clientes y una comparación TCP contra UDP.',
    version: 'muestra la versión',
    noColor: 'sin colores en la salida (también se respeta NO_COLOR)',
    help: 'muestra la ayuda',
    helpCommand: 'muestra la ayuda de un comando',
    lang: 'idioma de la salida: en, es o pt (por defecto: el de tu entorno)',
    titles: { 'Usage:': 'Uso:', 'Arguments:': 'Argumentos:', 'Options:': 'Opciones:', 'Commands:': 'Comandos:', 'Global Options:': 'Opciones globales:' } as Record<string, string>,
    usageWords: { '[options]': '[opciones]', '[command]': '[comando]' } as Record<string, string>,
    defaultValue: (p: { value: string }) => `por defecto: ${p.value}`,
    choices: (p: { values: string }) => `valores: ${p.values}`,
    examples: `
Ejemplos:
  $ sockkit compare                      TCP contra UDP aquí (con su propio reflector)
  $ sockkit tcp-server 9000              servidor de eco; cada evento en stderr
  $ sockkit tcp-client 127.0.0.1 9000    escribe líneas y mira el eco
  $ sockkit udp-send 127.0.0.1 9000 hola --count 5 --seq

Códigos de salida: 0 terminado, 1 fallo de red o de ejecución,
2 línea de comandos incorrecta, 130 Ctrl-C.`,
  },
  unknownCommand: (p) => `comando desconocido '${p.name}' — \`sockkit --help\` lista los comandos`,
  repeatedOption: (p) =>
    `${p.flag} aparece dos veces ("${p.first}" y luego "${p.then}"); indícalo una sola vez` +
    (p.oneAddress ? ' — un servidor escucha en una sola dirección (0.0.0.0 o :: son todas las direcciones)' : ''),
  hostPortHint: (p) =>
    ` — indica el host y el puerto como dos argumentos: \`sockkit ${p.command} ${p.host} ${p.port}\``,
  stopCause: { SIGTERM: 'SIGTERM (kill o tiempo agotado)', SIGHUP: 'SIGHUP (se cerró la terminal)', SIGBREAK: 'Ctrl-Break', SIGINT: 'Ctrl-C' },
  eofKey: { posix: 'Ctrl-D', windows: 'Ctrl-Z y luego Enter' },
  escapes: '\\n \\r \\t \\0 \\\\ \\xHH (un byte) \\uHHHH \\u{H…} (un carácter, en UTF-8)',
  notEscapes: (p) =>
    `${p.option}: ${p.sequences.join(' ')} ${p.count === 1 ? 'no es una secuencia de escape' : 'no son secuencias de escape'}; se envía tal cual (escapes: ${p.escapes})`,
})
