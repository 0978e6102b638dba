import type { Fmt } from '../fmt.js'
import type { errorsCompare as En } from '../en/errors-compare.js'

/** Erros da biblioteca do compare (configuração, execução, transportes) e do refletor de sondas. */
export const errorsCompare = (f: Fmt): ReturnType<typeof En> => ({
  compareCountRange: (p) =>
    `a contagem deve ser um número inteiro de 1 a ${f.num(p.max)}, não ${f.num(p.value)}`,
  compareRateRange: (p) =>
    `a taxa deve ser um número de sondas por segundo maior que 0, não ${f.num(p.value)}`,
  compareTransportsUnknown: (p) =>
    `os transportes devem ser ${p.known.slice(0, -1).join(', ')}${p.known.length > 1 ? ', ' : ''}${p.known.at(-1) ?? ''} ou ${p.known.length === 2 ? 'os dois' : 'vários'} (cada um uma vez), não "${p.value}"`,
  compareSizeRange: (p) =>
    `o tamanho deve ser um número inteiro de bytes de ${f.num(p.min)} (o cabeçalho da sonda) a ${f.num(p.max)}${p.datagramLimit ? ' (o maior datagrama UDP)' : ''}, não ${f.num(p.value)}`,
  compareWarmupRange: (p) => `o aquecimento (warmup) deve ser um inteiro de 0 ou mais sondas, não ${f.num(p.value)}`,
  compareTmaxRange: (p) => `tmax deve ser um número de milissegundos maior que 0, não ${f.num(p.value)}`,
  comparePortRange: (p) => `a porta deve ser um número inteiro de 1 a 65535, não ${f.num(p.value)}`,
  compareUdpNoAnswer: (p) =>
    `nenhuma sonda UDP voltou de ${p.where} — o \`sockkit serve\` está rodando lá, e o UDP consegue passar?`,
  compareTcpNoAnswer: (p) =>
    `nenhuma sonda TCP voltou de ${p.where} — algo aceitou a conexão mas não devolveu o eco: é mesmo o \`sockkit serve\`?`,
  compareTcpClosedDuringRun: (p) => `${p.where} fechou a conexão TCP durante a medição`,
  compareTcpConnectStopped: 'parado antes de a conexão TCP ser feita',
  compareTcpConnectTimeout: (p) =>
    `nenhuma conexão TCP com ${p.where} em ${f.num(p.timeoutMs)} ms`,
  compareRelayUnreachable: (p) =>
    `o encaminhador (relay) na frente de ${p.where} não conseguiu alcançá-lo: ${p.cause}`,
  probeTooSmall: (p) => `uma sonda de ${f.num(p.size)} bytes é pequena demais: precisa de pelo menos ${f.num(p.min)} bytes`,
  probeRunIdRange: (p) => `o id de execução da sonda ${p.value} não é um inteiro sem sinal de 32 bits`,
  probeSeqRange: (p) => `o número de sequência da sonda ${p.value} não é um inteiro sem sinal de 32 bits`,
  probeScheduledRange: (p) => `o horário agendado da sonda, ${p.value} ns, está fora do intervalo`,
  localReflectorStartTimeout: (p) => `o refletor local não iniciou em ${f.num(p.timeoutMs)} ms`,
  localReflectorExited: (p) =>
    `o refletor local terminou antes de ficar pronto (${p.signal ?? `código de saída ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
