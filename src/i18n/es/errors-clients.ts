import type { Fmt } from '../fmt.js'
import type { errorsClients as En } from '../en/errors-clients.js'

/** Errores de los clientes (tcp-client, udp-send), de la biblioteca y de uso de sus comandos. */
export const errorsClients = (f: Fmt): ReturnType<typeof En> => ({
  tcpClientAborted: 'se canceló el intento de conexión',
  tcpClientConnectTimeout: (p) => `no se pudo conectar con ${p.where} en ${f.num(p.timeoutMs)} ms`,
  messageWords: (p: { command: string; host: string; port: string; words: string[] }) =>
    `el mensaje es un solo argumento y se dieron ${f.num(p.words.length)} palabras: ponlo entre comillas, como en ` +
    `sockkit ${p.command} ${p.host} ${p.port} "${p.words.join(' ')}"`,
  udpSendIntervalAndRate: 'indica un intervalo o una tasa, no los dos',
  udpSendCount: (p) => `la cantidad debe ser un número entero mayor o igual que 1, no ${f.num(p.count)}`,
  udpSendPort: (p) => `el puerto debe ser un número entero de 1 a 65535, no ${f.num(p.port)}`,
  udpSendRecvBuffer: (p) => `el búfer de recepción debe ser un número entero de bytes, al menos 1, no ${f.num(p.size)}`,
  udpSendSizeOverFamilyLimit: (p) =>
    `el tamaño ${f.num(p.size)} supera el límite de UDP de ${f.num(p.limit)} bytes para ${p.family} (${p.address})`,
  udpSendSizeOverLimit: (p) =>
    `el tamaño ${f.num(p.size)} supera el límite UDP: hasta ${f.num(p.ipv4)} bytes en IPv4, ${f.num(p.ipv6)} en IPv6`,
  udpSendMessageOverSize: (p) =>
    `el mensaje ocupa ${f.num(p.bytes)} bytes${p.seq ? ' con su prefijo seq=' : ''}, más que --size ${p.size}`,
  udpSendMessageOverLimit: (p) =>
    `el mensaje ocupa ${f.num(p.bytes)} bytes y supera el límite de UDP (${f.num(p.ipv4)} bytes sobre IPv4, ${f.num(p.ipv6)} sobre IPv6)`,
  udpSendEmptyStdin: 'stdin estaba vacío: no se envió nada (escribe un mensaje o usa una tubería)',
})
