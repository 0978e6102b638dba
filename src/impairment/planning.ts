/**
 * Which emulator applies what: the plan for a run (kernel, userspace relay or both) and the
 * checks that refuse an impossible combination of impairment, transports and emulator.
 */
import { sockkitErrorText } from '../core/errors.js'
import type { KernelSupport } from './nft-emulator.js'
import {
  activeImpairments, normalizeImpairment,
  type EmulatorChoice, type EmulatorKind, type Impairment, type ImpairmentKind,
} from './model.js'

/** Which engine applies each impairment in a run. */
export type AppliedBy = 'kernel' | 'userspace'

/** The emulator decision for a run, before anything is started. */
export interface EmulatorPlan {
  /** What runs: the kernel alone, the userspace relay alone, or kernel loss with relay delay. */
  emulator: EmulatorKind | 'kernel+userspace'
  /** One sentence: why this emulator (and, for auto, why not the other). */
  reason: string
  /** Who applies each active impairment. */
  appliedBy: Partial<Record<ImpairmentKind, AppliedBy>>
}

/** The capabilities {@link planEmulator} needs to know about (see `detectKernelSupport()` in nft-emulator). */
export interface EmulatorSupport {
  /** Kernel loss possible here (Linux, root, nft). */
  available: boolean
  /** Why not, when not. */
  reason: string
  /** Why the kernel cannot delay/jitter/reorder/duplicate. */
  netemReason: string
}

const STREAM_IMPOSSIBLE: ImpairmentKind[] = ['loss', 'reorder', 'duplicate']

/**
 * Choose the emulator, or throw ERR_SOCKKIT_UNSUPPORTED with one sentence saying what
 * cannot be done and why. Pure: the caller passes what the machine supports.
 *
 * - kernel: loss only (via nftables); asking it for delay, jitter, reorder or duplicate is an
 *   error that quotes the netem finding.
 * - userspace: everything for UDP; for TCP only delay and jitter (a relay sees a byte
 *   stream, not segments, so it cannot lose, reorder or duplicate them honestly).
 * - auto: kernel when it can do everything asked; else userspace when it can; else kernel
 *   loss plus relay delay/jitter (TCP loss with delay, as root); else the error.
 */
export const planEmulator = (
  choice: EmulatorChoice,
  impairment: Impairment,
  transports: Array<'tcp' | 'udp'>,
  support: EmulatorSupport,
): EmulatorPlan => {
  const imp = normalizeImpairment(impairment)
  const active = activeImpairments(imp)
  const nonLoss = active.filter(k => k !== 'loss')
  const tcp = transports.includes('tcp')
  const userspaceCannot = tcp ? active.filter(k => STREAM_IMPOSSIBLE.includes(k)) : []
  const all = (by: AppliedBy) => Object.fromEntries(active.map(k => [k, by])) as EmulatorPlan['appliedBy']
  const unsupported = (message: string) => sockkitErrorText('ERR_SOCKKIT_UNSUPPORTED', message)
  const kernelCannot = (kinds: ImpairmentKind[]) => `the kernel emulator cannot ${kinds.join(', ')}: ${support.netemReason}`
  const tcpCannot = (kinds: ImpairmentKind[]) =>
    `the userspace relay cannot ${kinds.map(k => k === 'loss' ? 'lose' : k).join(', ')} TCP segments (it sees a byte stream, and faking it would corrupt the stream)`

  if (choice === 'kernel') {
    if (!support.available) throw unsupported(support.reason)
    if (nonLoss.length > 0) throw unsupported(`${kernelCannot(nonLoss)} — use --emulator auto to add them with the userspace relay`)
    return { emulator: 'kernel', reason: `asked for the kernel emulator: ${support.reason}`, appliedBy: all('kernel') }
  }
  if (choice === 'userspace') {
    if (userspaceCannot.length > 0) {
      throw unsupported(`${tcpCannot(userspaceCannot)} — use UDP, or the kernel emulator (Linux, root, nft) for real TCP loss`)
    }
    return { emulator: 'userspace', reason: 'asked for the userspace relay', appliedBy: all('userspace') }
  }
  // auto: the most real emulator for each impairment. Loss is the kernel's whenever it can
  // drop here (both transports: real drops, and real retransmissions for TCP); everything
  // else is the relay's, since sockkit does not drive netem.
  if (active.length === 0) return { emulator: 'userspace', reason: 'no impairment asked: a plain relay', appliedBy: {} }
  const relayKinds = nonLoss.join(', ')
  const relayOnly = `${relayKinds} by the userspace relay (sockkit's kernel emulator only drops packets)`
  if (imp.loss > 0 && support.available) {
    const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
    if (tcpNonLoss.length > 0) throw unsupported(`${tcpCannot(tcpNonLoss)}, and ${kernelCannot(tcpNonLoss)}`)
    const drops = `loss by the kernel (${support.reason}${tcp ? '; TCP retransmits for real' : ''})`
    if (nonLoss.length === 0) return { emulator: 'kernel', reason: drops, appliedBy: all('kernel') }
    const appliedBy = all('userspace')
    appliedBy.loss = 'kernel'
    return { emulator: 'kernel+userspace', reason: `${drops}; ${relayOnly}`, appliedBy }
  }
  if (userspaceCannot.length === 0) {
    const reason = imp.loss > 0
      ? `the userspace relay does all of it for UDP, loss included: the kernel cannot drop packets here (${support.reason})`
      : `${relayKinds} by the userspace relay: no loss was asked, and sockkit's kernel emulator only drops packets`
    return { emulator: 'userspace', reason, appliedBy: all('userspace') }
  }
  // TCP asked for loss/reorder/duplicate: only the kernel can drop, and nothing here can reorder or duplicate a stream.
  const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
  if (tcpNonLoss.length > 0) throw unsupported(`${tcpCannot(tcpNonLoss)}, and ${kernelCannot(tcpNonLoss)}`)
  throw unsupported(`${tcpCannot(userspaceCannot)}, and ${support.reason}`)
}

/** What {@link impairmentFlagsProblem} needs to know about the kernel emulator (see `detectKernelSupport()`). */
export interface KernelAvailability {
  available: boolean
  linux: boolean
  root: boolean
  nft?: string
}

/**
 * The one sentence that explains why an impairment cannot be applied as asked, or undefined
 * when it can: the same rules, wording and advice for `compare` and `link`, so the same
 * impossible command line is the same usage error (exit 2) in both, and the advice given
 * does not lead into the next refusal. Pure.
 *
 * `kernel` is only consulted for TCP loss under `--emulator auto` with TCP alone: the one case
 * where whether it can run depends on this machine. An explicit `--emulator kernel` without
 * root stays a runtime failure (exit 1), like any other missing privilege. compare with both
 * transports under auto is never refused here: TCP then runs with what a stream can take and
 * the output says why.
 */
export const impairmentFlagsProblem = (flags: {
  command: 'compare' | 'link'
  transports: Array<'tcp' | 'udp'>
  impairment: Impairment
  emulator: EmulatorChoice
}, kernel?: KernelAvailability): string | undefined => {
  const imp = normalizeImpairment(flags.impairment)
  const { emulator } = flags
  const tcp = flags.transports.includes('tcp')
  const tcpOnly = tcp && !flags.transports.includes('udp')
  const udpFlag = flags.command === 'link' ? '--udp' : '--transports udp'
  const orAuto = flags.command === 'compare' && !tcpOnly
    ? ', or leave --emulator at auto: TCP then runs without it and the output says why'
    : ''
  const streamKinds = (['reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0)
  if (tcp && streamKinds.length > 0 && (tcpOnly || emulator === 'userspace')) {
    const why = streamKinds.map(kind => kind === 'reorder'
      ? 'reorder (TCP delivers bytes in order, so a program never sees reordered segments)'
      : 'duplicate (TCP discards duplicate segments, and copying bytes would corrupt the stream)')
    return `TCP cannot ${why.join(' or ')}; use ${udpFlag}${emulator === 'kernel' ? ' with --emulator auto' : ''} to watch ` +
      `${streamKinds.length === 2 ? 'them' : 'it'}${orAuto}`
  }
  if (emulator === 'kernel') {
    const nouns = { delay: 'delay', jitter: 'jitter', reorder: 'reordering', duplicate: 'duplication' } as const
    const others = (['delay', 'jitter', 'reorder', 'duplicate'] as const).filter(kind => imp[kind] > 0).map(kind => nouns[kind])
    if (others.length > 0) {
      return `--emulator kernel only drops packets (an nftables table) and cannot add ${others.join(' or ')}; ` +
        'use --emulator auto: the kernel drops, the userspace relay adds the rest'
    }
  }
  if (tcp && imp.loss > 0 && emulator === 'userspace') {
    return 'the userspace relay cannot lose TCP packets: it sees a byte stream, and dropping bytes would corrupt it rather than make TCP retransmit; ' +
      `use ${udpFlag}, or ` + (orAuto
      ? 'leave --emulator at auto (as root on Linux with nft the kernel then drops TCP segments for real; without, TCP runs without loss and the output says why)'
      : '--emulator auto as root on Linux with nft (the kernel then drops TCP segments for real)')
  }
  if (tcpOnly && imp.loss > 0 && emulator === 'auto' && kernel && !kernel.available) {
    const why = !kernel.linux ? `it needs Linux, and this is ${process.platform}` : !kernel.root ? 'it needs root (run with sudo)' : 'it needs the nft command (the nftables package)'
    return 'the TCP relay cannot lose packets (dropping bytes would corrupt the stream, not make TCP retransmit), and real TCP loss ' +
      `needs the kernel emulator, which cannot run here: ${why}; or use ${udpFlag}`
  }
  return undefined
}

/**
 * {@link impairmentFlagsProblem}, checking the kernel first when (and only when) the answer
 * depends on it: TCP alone with loss under auto.
 */
export const checkImpairmentFlags = async (flags: Parameters<typeof impairmentFlagsProblem>[0]): Promise<{ problem?: string; support?: KernelSupport }> => {
  const first = impairmentFlagsProblem(flags)
  if (first !== undefined) return { problem: first }
  const tcpOnly = flags.transports.includes('tcp') && !flags.transports.includes('udp')
  if (!(tcpOnly && (flags.impairment.loss ?? 0) > 0 && flags.emulator === 'auto')) return {}
  const support = await (await import('./nft-emulator.js')).detectKernelSupport()
  const problem = impairmentFlagsProblem(flags, support)
  return problem === undefined ? { support } : { problem, support }
}
