import type { Fmt } from '../fmt.js'
import type { errorsClients as En } from '../en/errors-clients.js'

/** Erros dos clientes (tcp-client, udp-send): os da biblioteca e os erros de uso dos comandos. */
export const errorsClients = (f: Fmt): ReturnType<typeof En> => ({
  tcpClientAborted: 'a tentativa de conexão foi cancelada',
  tcpClientConnectTimeout: (p) => `nenhuma conexão com ${p.where} em ${f.num(p.timeoutMs)} ms`,
  messageWords: (p: { command: string; host: string; port: string; words: string[] }) =>
    `a mensagem é um só argumento e foram dadas ${f.num(p.words.length)} palavras: ponha-a entre aspas, como em ` +
    `sockkit ${p.command} ${p.host} ${p.port} "${p.words.join(' ')}"`,
  udpSendIntervalAndRate: 'informe um intervalo ou uma taxa, não os dois',
  udpSendCount: (p) => `a contagem deve ser um número inteiro maior ou igual a 1, não ${f.num(p.count)}`,
  udpSendPort: (p) => `a porta deve ser um número inteiro de 1 a 65535, não ${f.num(p.port)}`,
  udpSendRecvBuffer: (p) => `o buffer de recepção deve ser um número inteiro de bytes, ao menos 1, não ${f.num(p.size)}`,
  udpSendSizeOverFamilyLimit: (p) =>
    `o tamanho ${f.num(p.size)} passa do limite UDP de ${f.num(p.limit)} bytes para ${p.family} (${p.address})`,
  // Erros de uso do comando udp-send: podem citar as opções dele.
  udpSendSizeOverLimit: (p) =>
    `o tamanho ${f.num(p.size)} passa do limite UDP: até ${f.num(p.ipv4)} bytes em IPv4, ${f.num(p.ipv6)} em IPv6`,
  udpSendMessageOverSize: (p) =>
    `a mensagem tem ${f.num(p.bytes)} bytes${p.seq ? ' com o prefixo seq=' : ''}, mais que --size ${p.size}`,
  udpSendMessageOverLimit: (p) =>
    `a mensagem tem ${f.num(p.bytes)} bytes, acima do limite UDP (${f.num(p.ipv4)} bytes em IPv4, ${f.num(p.ipv6)} em IPv6)`,
  udpSendEmptyStdin: 'o stdin estava vazio: nada foi enviado (passe uma mensagem ou use um pipe)',
})
