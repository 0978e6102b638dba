/**
 * The impairment rules of the command line, shared by compare and link: which flag
 * combinations cannot run, worded from the catalogue (area `impairment`), so the same
 * impossible command line is the same usage error (exit 2) in both.
 */
import { catalog, type Catalog } from '../i18n/index.js'
import { normalizeImpairment, REORDER_HOLD_MS, type EmulatorChoice, type Impairment } from '../impairment/model.js'
import type { KernelSupport } from '../impairment/nft-emulator.js'

/** What {@link impairmentFlagsProblem} needs to know about the kernel emulator (see `detectKernelSupport()`). */
export interface KernelAvailability {
  available: boolean
  linux: boolean
  root: boolean
  nft?: string
}

export interface ImpairmentFlags {
  command: 'compare' | 'link'
  transports: Array<'tcp' | 'udp'>
  impairment: Impairment
  emulator: EmulatorChoice
}

/**
 * The one sentence that explains why an impairment cannot be applied as asked, or undefined
 * when it can; the advice given never leads into the next refusal. Pure.
 *
 * `kernel` is only consulted for TCP loss under `--emulator auto` with TCP alone: the one case
 * where whether it can run depends on this machine. An explicit `--emulator kernel` without
 * root stays a runtime failure (exit 1), like any other missing privilege. compare with both
 * transports under auto is never refused here: TCP then runs with what a stream can take.
 */
export const impairmentFlagsProblem = (
  flags: ImpairmentFlags, kernel?: KernelAvailability, t: Catalog['impairment'] = catalog('en').t.impairment,
): string | undefined => {
  const imp = normalizeImpairment(flags.impairment)
  const { emulator, command } = flags
  const tcp = flags.transports.includes('tcp')
  const tcpOnly = tcp && !flags.transports.includes('udp')
  const orAuto = command === 'compare' && !tcpOnly
  const streamKinds = (['reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0)
  if (tcp && streamKinds.length > 0 && (tcpOnly || emulator === 'userspace')) {
    return t.flagsTcpStream({ command, kinds: streamKinds, kernelAsked: emulator === 'kernel', orAuto })
  }
  if (emulator === 'kernel') {
    const kinds = (['delay', 'jitter', 'reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0)
    if (kinds.length > 0) return t.flagsKernelOnlyDrops({ kinds })
  }
  if (tcp && imp.loss > 0 && emulator === 'userspace') return t.flagsRelayCannotLoseTcp({ command, orAuto })
  if (tcpOnly && imp.loss > 0 && emulator === 'auto' && kernel && !kernel.available) {
    const missing = !kernel.linux ? 'linux' : !kernel.root ? 'root' : 'nft'
    return t.flagsTcpLossNeedsKernel({ command, missing, platform: process.platform })
  }
  return undefined
}

/**
 * {@link impairmentFlagsProblem}, checking the kernel first when (and only when) the answer
 * depends on it: TCP alone with loss under auto.
 */
export const checkImpairmentFlags = async (
  flags: ImpairmentFlags, t: Catalog['impairment'] = catalog('en').t.impairment,
): Promise<{ problem?: string; support?: KernelSupport }> => {
  const first = impairmentFlagsProblem(flags, undefined, t)
  if (first !== undefined) return { problem: first }
  const tcpOnly = flags.transports.includes('tcp') && !flags.transports.includes('udp')
  if (!(tcpOnly && (flags.impairment.loss ?? 0) > 0 && flags.emulator === 'auto')) return {}
  const support = await (await import('../impairment/nft-emulator.js')).detectKernelSupport()
  const problem = impairmentFlagsProblem(flags, support, t)
  return problem === undefined ? { support } : { problem, support }
}

/**
 * One line when `--reorder` cannot do what it says at this probe spacing, else undefined: a
 * held datagram is reordered only if the next one comes within {@link REORDER_HOLD_MS}; at
 * wider spacing each hold is just a delay of up to that long.
 */
export const reorderSpacingNote = (
  impairment: Impairment, intervalMs: number, t: Catalog['impairment'] = catalog('en').t.impairment,
): string | undefined => {
  const imp = normalizeImpairment(impairment)
  if (imp.reorder === 0 || intervalMs < REORDER_HOLD_MS) return undefined
  return t.reorderSpacing({ holdMs: REORDER_HOLD_MS, intervalMs })
}
