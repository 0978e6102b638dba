import type { Fmt } from '../fmt.js'
import type { errorsCompare as En } from '../en/errors-compare.js'

/** Errores de la biblioteca de compare (configuración, ejecución, transportes) y del reflector. */
export const errorsCompare = (f: Fmt): ReturnType<typeof En> => ({
  compareCountRange: (p) => `la cantidad debe ser un número entero de 1 a ${f.num(p.max)}, no ${f.num(p.value)}`,
  compareRateRange: (p) => `la tasa debe ser un número de sondas por segundo mayor que 0, no ${f.num(p.value)}`,
  compareTransportsUnknown: (p) =>
    `los transportes deben ser ${p.known.join(', ')} o ${p.known.length === 2 ? 'los dos' : 'varios'} (cada uno una vez), no "${p.value}"`,
  compareSizeRange: (p) =>
    `el tamaño debe ser un número entero de bytes de ${f.num(p.min)} (cabecera de la sonda) a ${f.num(p.max)}${p.datagramLimit ? ' (el mayor datagrama UDP)' : ''}, no ${f.num(p.value)}`,
  compareWarmupRange: (p) => `el calentamiento (warmup) debe ser un número entero de sondas, 0 o más, no ${f.num(p.value)}`,
  compareTmaxRange: (p) => `tmax debe ser un número de milisegundos mayor que 0, no ${f.num(p.value)}`,
  comparePortRange: (p) => `el puerto debe ser un número entero de 1 a 65535, no ${f.num(p.value)}`,
  compareUdpNoAnswer: (p) =>
    `no volvió ninguna sonda UDP desde ${p.where}: ¿está corriendo \`sockkit serve\` allí y se deja pasar UDP?`,
  compareTcpNoAnswer: (p) =>
    `no volvió ninguna sonda TCP desde ${p.where}: algo aceptó la conexión pero no hizo eco; ¿es \`sockkit serve\`?`,
  compareTcpClosedDuringRun: (p) => `${p.where} cerró la conexión TCP durante la medición`,
  compareTcpConnectStopped: 'se detuvo antes de establecer la conexión TCP',
  compareTcpConnectTimeout: (p) => `no se pudo conectar por TCP con ${p.where} en ${f.num(p.timeoutMs)} ms`,
  compareRelayUnreachable: (p) => `el reenviador (relay) delante de ${p.where} no pudo alcanzarlo: ${p.cause}`,
  probeTooSmall: (p) => `una sonda de ${f.num(p.size)} bytes es demasiado pequeña: necesita al menos ${f.num(p.min)} bytes`,
  probeRunIdRange: (p) => `el id de ejecución de la sonda ${p.value} no es un entero sin signo de 32 bits`,
  probeSeqRange: (p) => `el número de secuencia de la sonda ${p.value} no es un entero sin signo de 32 bits`,
  probeScheduledRange: (p) => `la hora programada de la sonda, ${p.value} ns, está fuera de rango`,
  localReflectorStartTimeout: (p) => `el reflector local no arrancó en ${f.num(p.timeoutMs)} ms`,
  localReflectorExited: (p) =>
    `el reflector local terminó antes de estar listo (${p.signal ?? `código de salida ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
