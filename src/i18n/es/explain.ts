import type { Area } from '../index.js'

/** La explicación en palabras sencillas de un fallo esperado: qué pasó y qué hacer. */
export const explain: Area<'explain'> = (f) => ({
  refused: (p) =>
    `no hay nada escuchando en ${p.where}${p.tried.length === 0 ? '' : ` (${p.tried.length === 1 ? 'se probó' : 'se probaron'} ${f.list(p.tried)})`}` +
    (p.portUnreachable ? ' (el host respondió \'puerto inalcanzable\')' : '') +
    (p.start === undefined ? '' : ` — inicia uno con \`${p.start}\``),
  addressInUse: (p) =>
    `el puerto ${p.port ?? '?'} ya está en uso en ${p.host} — elige otro puerto o detén el programa que lo usa`,
  addressInUseClosing: (p) =>
    `el puerto ${p.port} ya está en uso en ${p.host}, pero solo por conexiones cerradas hace un momento (${p.states}; ya no pertenecen a ningún programa): ` +
    `el sistema lo libera ${p.freesInS === undefined ? 'en menos de un minuto' : `en unos ${p.freesInS} s`} — espera o elige otro puerto`,
  addressNotAvailable: (p) => `${p.host} no es una dirección de esta máquina, así que nada puede escuchar en ella ni enviar desde ella`,
  bindDenied: (p) =>
    `permiso denegado para usar el puerto ${p.port ?? '?'} en ${p.host} ${p.why}`,
  sendDenied: (p) =>
    `permiso denegado para ${p.where} (${p.code}): puede deberse a una regla de firewall o a una dirección de broadcast (sockkit no envía broadcasts)`,
  noSuchName: (p) => `no se puede resolver el host "${p.host}": ese nombre no existe (revisa cómo está escrito o usa una IP)`,
  nameServerSilent: (p) => `no se puede resolver el host "${p.host}" ahora: el servidor de nombres no respondió`,
  hostUnreachable: (p) => `${p.host} es inalcanzable: no hay ruta hacia ese host`,
  networkUnreachable: (p) => `${p.host} es inalcanzable: esta máquina no tiene ruta hacia esa red`,
  networkDown: (p) => `la red hacia ${p.host} está caída`,
  stoppedAnswering: (p) =>
    `${p.where} dejó de responder: la conexión abierta agotó su tiempo de espera (el host o la red hacia él cayó sin cerrarla)`,
  connectTimeout: (p) =>
    `sin respuesta de ${p.where} en el tiempo de espera de conexión — quizá el host está apagado o un firewall descarta paquetes`,
  reset: (p) => `la conexión con ${p.where} fue reiniciada por el otro lado (RST)`,
  aborted: (p) =>
    `la pila de red de esta máquina abortó la conexión con ${p.where} (ECONNABORTED): el otro lado dejó de responder o la red desapareció`,
  brokenPipe: (p) => `el otro lado de ${p.where} cerró la conexión mientras todavía enviábamos`,
  linkLocalZone: (p) =>
    `${p.host} es una dirección IPv6 de enlace local: añade su interfaz, como ${p.host}%${p.zone} (mira \`${p.list}\`)`,
  invalidAddress: (p) => `dirección o puerto no válido para ${p.where} (${p.syscall} devolvió EINVAL)`,
  smallerSize: (p) => `${p.sentence} — prueba con un --size más pequeño`,
  theHost: 'el host',
  windowsReserved: (p) =>
    `(Windows reserva algunos rangos de puertos: mira \`netsh interface ipv4 show excludedportrange protocol=${p.protocol}\`` +
    `${p.eitherProtocol ? ' (o protocol=udp)' : ''} y elige un puerto fuera de ellos)`,
  macosLowPortOneAddress: (p) =>
    `(macOS deja usar puertos por debajo de 1024 a cualquiera solo en todas las direcciones (0.0.0.0 o ::), no en una sola como ${p.host}: elige 1024 o más, o ejecuta con sudo)`,
  privilegedPort: '(los puertos por debajo de 1024 necesitan permisos de administrador)',
  securityPolicy: (p) =>
    `(${p.port ?? 'el puerto'} no es privilegiado${p.macosWildcardOnly ? ' en toda dirección en macOS' : ''}: ` +
    'lo rechazó una política de seguridad (SELinux, AppArmor, sandbox))',
})
