import type { Fmt } from '../fmt.js'
import type { errorsCore as En } from '../en/errors-core.js'

/** Errores de src/core: valores que escribió la persona y el límite del datagrama. `name` es el nombre del valor. */
export const errorsCore = (f: Fmt): ReturnType<typeof En> => ({
  corePort: (p) => `el puerto debe ser un número entero de ${f.num(p.min)} a 65535, no "${p.text}"`,
  coreHostWithPort: (p) =>
    `${p.name} "${p.value}" incluye un puerto: indica solo el host (${p.host}) y el puerto ${p.port} como argumento aparte`,
  coreHostEmpty: (p) => `${p.name} debe ser un nombre o una dirección, no puede estar vacío`,
  coreHostSpace: (p) => `${p.name} "${p.value}" tiene un espacio dentro; indica un solo nombre o dirección`,
  coreHostBracket: (p) =>
    `${p.name} "${p.value}" tiene un corchete sin cerrar: escribe una IPv6 como [::1] o ::1`,
  coreHostNotIpv6: (p) => `${p.name} "${p.value}" no es una dirección IPv6 (un nombre no lleva dos puntos)`,
  coreHostNotIpv4: (p) =>
    `${p.name} "${p.host}" no es una dirección IPv4: sus cuatro números deben ir de 0 a 255`,
  corePositiveInt: (p) => `${p.name} debe ser un número entero mayor o igual que 1, no "${p.text}"`,
  coreNonNegativeInt: (p) => `${p.name} debe ser un número entero de 0 o más, no "${p.text}"`,
  coreMilliseconds: (p) =>
    `${p.name} debe ser un número entero de milisegundos de ${f.num(p.min)}${p.zero === undefined ? '' : ` (0: ${p.zero})`} ` +
    `a ${f.num(p.max)} (${f.num(24.8)} días), no "${p.text}"`,
  coreRateTooLow: (p) =>
    `${p.name} debe ser al menos ${f.num(Number(p.min.toPrecision(3)))} por segundo (uno cada ${f.num(24.8)} días), no "${p.text}"`,
  corePositiveNumber: (p) => `${p.name} debe ser un número mayor que 0, no "${p.text}"`,
  corePercent: (p) => `${p.name} debe ser un porcentaje de 0 a 100, no "${p.value}"`,
  coreCidrEmpty: (p) => `${p.what} "${p.value}" no es una dirección IP ni un bloque CIDR: está vacío`,
  coreCidrNotAddress: (p) =>
    `${p.what} "${p.value}" no es una dirección IP ni un bloque CIDR: se esperaba algo como 192.168.1.0/24, 10.0.0.7 o fd00::/8 (no se aceptan nombres de host)`,
  coreCidrPrefix: (p) =>
    `${p.what} "${p.value}" no es una dirección IP ni un bloque CIDR: la longitud del prefijo después de "/" debe ser un número entero de 0 a ${f.num(p.maxPrefix)} para ${p.family}`,
  coreSequenceWindow: (p) => `la ventana de secuencia debe ser un entero de al menos 1 (o Infinity), no ${f.num(p.window)}`,
  coreFirstExpected: (p) => `firstExpected debe ser un número entero mayor o igual que 0, no ${f.num(p.value)}`,
  coreSequenceNumber: (p) => `un número de secuencia debe ser un número entero de 0 a 2^53 − 1, no ${f.num(p.seq)}`,
  coreDatagramTooBig: (p) =>
    `el sistema se negó a enviar un datagrama de ${f.num(p.bytes)} bytes a ${p.where} (EMSGSIZE): supera el límite de datagrama ` +
    'de este sistema (macOS permite 9216 bytes salvo que se suba `sysctl net.inet.udp.maxdgram`)',
  coreProbeTooBig: (p) =>
    `el sistema se negó a enviar una sonda UDP de ${f.num(p.bytes)} bytes a ${p.where} (EMSGSIZE): supera el límite de datagrama ` +
    'de este sistema (macOS permite 9216 bytes salvo que se suba `sysctl net.inet.udp.maxdgram`)',
})
