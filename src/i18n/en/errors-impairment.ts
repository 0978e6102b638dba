import type { Fmt } from '../fmt.js'
import type { KernelReason, NetemReason } from '../../impairment/model.js'
import { kernelReasonWords, netemReasonWords } from './impairment.js'

/** The word for each impairment kind where a verb is needed ("cannot lose, reorder TCP segments"). */
const segmentVerb = (kind: string): string => kind === 'loss' ? 'lose' : kind
const packetVerb = (kind: string): string =>
  kind === 'loss' ? 'lose packets' : kind === 'reorder' ? 'reorder packets' : 'duplicate packets'
const tcpCannot = (kinds: readonly string[]): string =>
  `the userspace relay cannot ${kinds.map(segmentVerb).join(', ')} TCP segments (it sees a byte stream, and faking it would corrupt the stream)`
const kernelCannot = (kinds: readonly string[], netemReason: string): string =>
  `the kernel emulator cannot ${kinds.join(', ')}: ${netemReason}`

/** Errors of src/impairment (relays, kernel emulator, planning). No sentence names a CLI flag. */
export const errorsImpairment = (f: Fmt) => ({
  impairmentPercentRange: (p: { kind: string; value: unknown }) => `${p.kind} must be a percentage from 0 to 100, not "${String(p.value)}"`,
  impairmentDelayRange: (p: { kind: string; value: unknown; maxMs: number }) =>
    `${p.kind} must be a number of ms from 0 to ${f.num(p.maxMs)}, not "${String(p.value)}"`,
  impairmentNoTransport: 'at least one transport (tcp or udp) is needed',
  /** The kernel emulator cannot run here; `reason` is detectKernelSupport()'s. */
  impairmentKernelUnavailable: (p: { reason: KernelReason }) => kernelReasonWords(p.reason),
  impairmentKernelOnlyDrops: (p: { kinds: string[]; netemReason: NetemReason }) =>
    `${kernelCannot(p.kinds, netemReasonWords(p.netemReason))} — the auto emulator adds them with the userspace relay`,
  impairmentRelayCannotTcp: (p: { kinds: string[] }) =>
    `${tcpCannot(p.kinds)} — use UDP, or the kernel emulator (Linux, root, nft) for real TCP loss`,
  impairmentNobodyCanTcp: (p: { kinds: string[]; netemReason: NetemReason }) => `${tcpCannot(p.kinds)}, and ${kernelCannot(p.kinds, netemReasonWords(p.netemReason))}`,
  impairmentTcpNeedsKernel: (p: { kinds: string[]; reason: KernelReason }) => `${tcpCannot(p.kinds)}, and ${kernelReasonWords(p.reason)}`,
  impairmentTcpRelayCannot: (p: { kinds: string[] }) =>
    `the userspace TCP relay cannot ${p.kinds.map(packetVerb).join(', ')}: it only sees the byte stream, ` +
    'not the segments, and faking it would corrupt the stream — relay UDP instead, or use the kernel emulator (Linux, root, nft) for real TCP loss',
  impairmentNftLossRange: (p: { value: number }) => `loss must be a percentage from 0 to 100, not "${p.value}"`,
  impairmentNftPorts: (p: { ports: number[] }) => `the kernel emulator needs real ports (1–65535), not ${JSON.stringify(p.ports)}`,
  impairmentNftMissing: 'the kernel emulator needs the nft command (install the nftables package)',
  impairmentNftRefused: (p: { detail: string }) => `nft refused the loss table (${p.detail}); the kernel emulator needs root and nftables support`,
  lossyHopProgramMissing: (p: { path: string }) => `the lossy-hop program is missing (looked for ${p.path}); run \`npm run build\``,
  lossyHopStartTimeout: (p: { timeoutMs: number }) => `the user namespace that drops TCP segments did not start within ${f.num(p.timeoutMs)} ms`,
  /** `signal` when killed, else `code`; `stderrLine`: its first line of stderr, null when it wrote none. */
  lossyHopExited: (p: { signal: string | null; code: number | null; stderrLine: string | null }) =>
    `the user namespace that drops TCP segments ended (${p.signal ?? `exit code ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
