import type { Fmt } from '../fmt.js'
import { kernelReasonWords, netemReasonWords } from './impairment.js'
import type { errorsImpairment as En } from '../en/errors-impairment.js'

/** Cada tipo de degradación como infinitivo ("no puede perder, reordenar segmentos TCP"). */
const verb = (kind: string): string =>
  kind === 'loss' ? 'perder' : kind === 'reorder' ? 'reordenar' : kind === 'duplicate' ? 'duplicar' : kind === 'delay' ? 'retardar' : kind
/** El nombre de cada degradación ("pérdida"); los demás quedan como vienen. */
const noun = (kind: string): string =>
  kind === 'loss' ? 'pérdida' : kind === 'reorder' ? 'reordenamiento' : kind === 'duplicate' ? 'duplicación' : kind === 'delay' ? 'retardo' : kind === 'jitter' ? 'jitter' : kind
const tcpCannot = (f: Fmt, kinds: readonly string[]): string =>
  `el reenviador en espacio de usuario no puede ${f.list(kinds.map(verb))} segmentos TCP (ve un flujo de bytes, y simularlo corrompería el flujo)`
const kernelCannot = (f: Fmt, kinds: readonly string[], netemReason: string): string =>
  `el emulador del kernel no puede aplicar ${f.list(kinds.map(noun))}: ${netemReason}`

/** Errores de src/impairment (reenviadores, emulador del kernel, planificación). */
export const errorsImpairment = (f: Fmt): ReturnType<typeof En> => ({
  impairmentPercentRange: (p) => `${noun(p.kind)}: debe ser un porcentaje de 0 a 100, no "${String(p.value)}"`,
  impairmentDelayRange: (p) =>
    `${noun(p.kind)}: debe ser un número de ms de 0 a ${f.num(p.maxMs)}, no "${String(p.value)}"`,
  impairmentNoTransport: 'hace falta al menos un transporte (tcp o udp)',
  impairmentKernelUnavailable: (p) => kernelReasonWords(p.reason),
  impairmentKernelOnlyDrops: (p) =>
    `${kernelCannot(f, p.kinds, netemReasonWords(p.netemReason))} — el emulador auto las añade con el reenviador en espacio de usuario`,
  impairmentRelayCannotTcp: (p) =>
    `${tcpCannot(f, p.kinds)} — usa UDP, o el emulador del kernel (Linux, root, nft) para una pérdida TCP real`,
  impairmentNobodyCanTcp: (p) => `${tcpCannot(f, p.kinds)}, y ${kernelCannot(f, p.kinds, netemReasonWords(p.netemReason))}`,
  impairmentTcpNeedsKernel: (p) => `${tcpCannot(f, p.kinds)}, y ${kernelReasonWords(p.reason)}`,
  impairmentTcpRelayCannot: (p) =>
    `el reenviador TCP en espacio de usuario no puede ${f.list(p.kinds.map(verb))} paquetes: solo ve el flujo de bytes, ` +
    'no los segmentos, y simularlo corrompería el flujo — reenvía UDP, o usa el emulador del kernel (Linux, root, nft) para una pérdida TCP real',
  impairmentNftLossRange: (p) => `la pérdida debe ser un porcentaje de 0 a 100, no "${f.num(p.value)}"`,
  impairmentNftPorts: (p) => `el emulador del kernel necesita puertos reales (1–65535), no ${JSON.stringify(p.ports)}`,
  impairmentNftMissing: 'el emulador del kernel necesita el comando nft (instala el paquete nftables)',
  impairmentNftRefused: (p) => `nft rechazó la tabla de pérdida (${p.detail}); el emulador del kernel necesita root y soporte de nftables`,
  lossyHopProgramMissing: (p) => `falta el programa del salto con pérdida en ${p.path}; ejecuta \`npm run build\``,
  lossyHopStartTimeout: (p) => `el espacio de nombres de usuario que pierde segmentos TCP no arrancó en ${f.num(p.timeoutMs)} ms`,
  lossyHopExited: (p) =>
    `el espacio de nombres de usuario que descarta segmentos TCP terminó (${p.signal ?? `código de salida ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
