import type { Fmt } from '../fmt.js'
import type { errorsCore as En } from '../en/errors-core.js'

/**
 * Erros de src/core: valores digitados (portas, hosts, contagens, durações, blocos CIDR) e o
 * limite de datagrama. `name` é o nome do valor como a biblioteca o passa ("count", "host").
 */
export const errorsCore = (f: Fmt): ReturnType<typeof En> => ({
  corePort: (p) => `a porta deve ser um número inteiro de ${f.num(p.min)} a 65535, não "${p.text}"`,
  coreHostWithPort: (p) =>
    `${p.name} "${p.value}" inclui uma porta: informe só o host (${p.host}) e a porta ${p.port} como outro argumento`,
  coreHostEmpty: (p) => `${p.name} deve ser um nome ou um endereço, não pode ficar vazio`,
  coreHostSpace: (p) => `${p.name} "${p.value}" tem um espaço no meio; informe um único nome ou endereço`,
  coreHostBracket: (p) =>
    `${p.name} "${p.value}" tem um colchete sem par: escreva um endereço IPv6 como [::1] ou ::1`,
  coreHostNotIpv6: (p) => `${p.name} "${p.value}" não é um endereço IPv6 (um nome não tem dois-pontos)`,
  coreHostNotIpv4: (p) =>
    `${p.name} "${p.host}" não é um endereço IPv4: seus quatro números devem ir de 0 a 255`,
  corePositiveInt: (p) => `${p.name} deve ser um número inteiro maior ou igual a 1, não "${p.text}"`,
  coreNonNegativeInt: (p) => `${p.name} deve ser um número inteiro maior ou igual a 0, não "${p.text}"`,
  coreMilliseconds: (p) =>
    `${p.name} deve ser um número inteiro de milissegundos de ${f.num(p.min)}${p.zero === undefined ? '' : ` (0: ${p.zero})`} ` +
    `a ${f.num(p.max)} (${f.num(24.8)} dias), não "${p.text}"`,
  coreRateTooLow: (p) =>
    `${p.name} deve ser pelo menos ${f.num(Number(p.min.toPrecision(3)))} por segundo (um a cada ${f.num(24.8)} dias), não "${p.text}"`,
  corePositiveNumber: (p) => `${p.name} deve ser um número maior que 0, não "${p.text}"`,
  corePercent: (p) => `${p.name} deve ser uma porcentagem de 0 a 100, não "${p.value}"`,
  coreCidrEmpty: (p) => `${p.what} "${p.value}" não é um endereço IP nem um bloco CIDR: está vazio`,
  coreCidrNotAddress: (p) =>
    `${p.what} "${p.value}" não é um endereço IP nem um bloco CIDR: esperava algo como 192.168.1.0/24, 10.0.0.7 ou fd00::/8 (nomes de host não são aceitos)`,
  coreCidrPrefix: (p) =>
    `${p.what} "${p.value}" não é um endereço IP nem um bloco CIDR: o tamanho do prefixo depois de "/" deve ser um número inteiro de 0 a ${f.num(p.maxPrefix)} para ${p.family}`,
  coreSequenceWindow: (p) => `a janela de sequência deve ser um inteiro a partir de 1 (ou Infinity), não ${f.num(p.window)}`,
  coreFirstExpected: (p) => `firstExpected deve ser um número inteiro maior ou igual a 0, não ${f.num(p.value)}`,
  coreSequenceNumber: (p) => `um número de sequência deve ser um número inteiro de 0 a 2^53 − 1, não ${f.num(p.seq)}`,
  coreDatagramTooBig: (p) =>
    `o sistema se recusou a enviar um datagrama de ${f.num(p.bytes)} bytes para ${p.where} (EMSGSIZE): ele passa do limite ` +
    'de datagrama deste sistema (o macOS permite 9216 bytes, a menos que `sysctl net.inet.udp.maxdgram` seja aumentado)',
  coreProbeTooBig: (p) =>
    `o sistema se recusou a enviar uma sonda UDP de ${f.num(p.bytes)} bytes para ${p.where} (EMSGSIZE): ela passa do limite ` +
    'de datagrama deste sistema (o macOS permite 9216 bytes, a menos que `sysctl net.inet.udp.maxdgram` seja aumentado)',
})
