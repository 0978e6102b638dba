import type { Fmt } from '../fmt.js'
import { kernelReasonWords, netemReasonWords } from './impairment.js'
import type { errorsImpairment as En } from '../en/errors-impairment.js'

// `kind` chega como identificador (loss, delay, reorder, duplicate…): vira palavra aqui.
const KIND: Record<string, string> = {
  loss: 'perda', delay: 'atraso', jitter: 'jitter', reorder: 'reordenação', duplicate: 'duplicação',
}
const kindName = (kind: string): string => KIND[kind] ?? kind
/** O verbo de cada tipo de degradação ("não consegue perder, reordenar segmentos TCP"). */
const VERB: Record<string, string> = { loss: 'perder', reorder: 'reordenar', duplicate: 'duplicar', delay: 'atrasar' }
const verb = (kind: string): string => VERB[kind] ?? kind
const joinOr = (items: readonly string[]): string =>
  items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ou ${items.at(-1)}`
const tcpCannot = (kinds: readonly string[]): string =>
  `o encaminhador (relay) em espaço de usuário não consegue ${joinOr(kinds.map(verb))} segmentos TCP (ele vê um fluxo de bytes, e simular isso corromperia o fluxo)`
const kernelCannot = (kinds: readonly string[], netemReason: string): string =>
  `o emulador do kernel não consegue aplicar ${joinOr(kinds.map(kindName))}: ${netemReason}`

/** Erros de src/impairment (encaminhadores, emulador do kernel, planejamento). Nenhuma frase cita uma opção da CLI. */
export const errorsImpairment = (f: Fmt): ReturnType<typeof En> => ({
  impairmentPercentRange: (p) => `${kindName(p.kind)} deve ser uma porcentagem de 0 a 100, não "${String(p.value)}"`,
  impairmentDelayRange: (p) =>
    `${kindName(p.kind)} deve ser um número de ms de 0 a ${f.num(p.maxMs)}, não "${String(p.value)}"`,
  impairmentNoTransport: 'é preciso pelo menos um transporte (tcp ou udp)',
  impairmentKernelUnavailable: (p) => kernelReasonWords(p.reason),
  impairmentKernelOnlyDrops: (p) =>
    `o kernel não consegue aplicar ${joinOr(p.kinds.map(kindName))}: ${netemReasonWords(p.netemReason)} — o emulador auto faz isso com o encaminhador`,
  impairmentRelayCannotTcp: (p) =>
    `${tcpCannot(p.kinds)} — use UDP, ou o emulador do kernel (Linux, root, nft) para uma perda TCP real`,
  impairmentNobodyCanTcp: (p) => `${tcpCannot(p.kinds)}, e ${kernelCannot(p.kinds, netemReasonWords(p.netemReason))}`,
  impairmentTcpNeedsKernel: (p) => `${tcpCannot(p.kinds)}, e ${kernelReasonWords(p.reason)}`,
  impairmentTcpRelayCannot: (p) =>
    `o encaminhador TCP em espaço de usuário não consegue ${joinOr(p.kinds.map(verb))} pacotes: ele só vê o fluxo de bytes, ` +
    'não os segmentos, e simular isso corromperia o fluxo — encaminhe UDP, ou use o emulador do kernel (Linux, root, nft) para uma perda TCP real',
  impairmentNftLossRange: (p) => `a perda deve ser uma porcentagem de 0 a 100, não "${f.num(p.value)}"`,
  impairmentNftPorts: (p) => `o emulador do kernel precisa de portas reais (1–65535), não ${JSON.stringify(p.ports)}`,
  impairmentNftMissing: 'o emulador do kernel precisa do comando nft (instale o pacote nftables)',
  impairmentNftRefused: (p) => `o nft recusou a tabela de perda (${p.detail}); o emulador do kernel precisa de root e de suporte a nftables`,
  lossyHopProgramMissing: (p) => `falta o programa do salto com perda em ${p.path}; rode \`npm run build\``,
  lossyHopStartTimeout: (p) => `o namespace de usuário que descarta segmentos TCP não iniciou em ${f.num(p.timeoutMs)} ms`,
  lossyHopExited: (p) =>
    `o namespace de usuário que descarta segmentos TCP terminou (${p.signal ?? `código de saída ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
