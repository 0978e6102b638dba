/**
 * Which emulator applies what: the plan for a run (kernel, userspace relay or both) and the
 * checks that refuse an impossible combination of impairment, transports and emulator.
 */
import { sockkitError, type ErrorKey, type ErrorParams } from '../core/errors.js'
import { EN } from '../i18n/index.js'
import {
  activeImpairments, normalizeImpairment,
  type EmulatorChoice, type EmulatorKind, type Impairment, type ImpairmentKind, type KernelReason, type NetemReason,
} from './model.js'

/** Which engine applies each impairment in a run. */
export type AppliedBy = 'kernel' | 'userspace'

/** The emulator decision for a run, before anything is started. */
export interface EmulatorPlan {
  /** What runs: the kernel alone, the userspace relay alone, or kernel loss with relay delay. */
  emulator: EmulatorKind | 'kernel+userspace'
  /** One sentence in English: why this emulator (and, for auto, why not the other). */
  reason: string
  /** The same reason as data, for the CLI to word in the user's language (`impairment.planReason`). */
  reasonCode: PlanReason
  /** Who applies each active impairment. */
  appliedBy: Partial<Record<ImpairmentKind, AppliedBy>>
}

/** The capabilities {@link planEmulator} needs to know about (see `detectKernelSupport()` in nft-emulator). */
export interface EmulatorSupport {
  /** Kernel loss possible here (Linux, root, nft). */
  available: boolean
  /** Why not, when not (or what it can do), as a code. */
  reason: KernelReason
  /** Available only inside a private user namespace (the emulator is then named `kernel-userns`). */
  userns?: boolean
  /** Why the kernel cannot delay/jitter/reorder/duplicate, as a code. */
  netemReason: NetemReason
}

/** Why the plan is what it is, as data; the catalogue (`impairment.planReason`) words it. */
export type PlanReason =
  | { kind: 'askedKernel'; support: KernelReason }
  | { kind: 'askedUserspace' }
  | { kind: 'plainRelay' }
  | { kind: 'kernelLoss'; support: KernelReason; tcp: boolean }
  | { kind: 'kernelLossRelayRest'; support: KernelReason; tcp: boolean; relayKinds: ImpairmentKind[] }
  | { kind: 'userspaceAll'; support: KernelReason }
  | { kind: 'userspaceNoLoss'; relayKinds: ImpairmentKind[] }

/** The plan's reason in English (`EmulatorPlan.reason`, compare's JSON `reason`) and as data (`reasonCode`). */
const because = (reasonCode: PlanReason): Pick<EmulatorPlan, 'reason' | 'reasonCode'> =>
  ({ reason: EN().impairment.planReason(reasonCode), reasonCode })

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
  const unsupported = <K extends ErrorKey>(key: K, params: ErrorParams<K>) => sockkitError('ERR_SOCKKIT_UNSUPPORTED', key, params)
  const { netemReason } = support

  if (choice === 'kernel') {
    if (!support.available) throw unsupported('impairmentKernelUnavailable', { reason: support.reason })
    if (nonLoss.length > 0) throw unsupported('impairmentKernelOnlyDrops', { kinds: nonLoss, netemReason })
    return { emulator: 'kernel', ...because({ kind: 'askedKernel', support: support.reason }), appliedBy: all('kernel') }
  }
  if (choice === 'userspace') {
    if (userspaceCannot.length > 0) {
      throw unsupported('impairmentRelayCannotTcp', { kinds: userspaceCannot })
    }
    return { emulator: 'userspace', ...because({ kind: 'askedUserspace' }), appliedBy: all('userspace') }
  }
  // auto: the most real emulator for each impairment. Loss is the kernel's whenever it can
  // drop here (both transports: real drops, and real retransmissions for TCP); everything
  // else is the relay's, since sockkit does not drive netem.
  if (active.length === 0) return { emulator: 'userspace', ...because({ kind: 'plainRelay' }), appliedBy: {} }
  if (imp.loss > 0 && support.available) {
    const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
    if (tcpNonLoss.length > 0) throw unsupported('impairmentNobodyCanTcp', { kinds: tcpNonLoss, netemReason })
    const drops = { support: support.reason, tcp }
    if (nonLoss.length === 0) return { emulator: 'kernel', ...because({ kind: 'kernelLoss', ...drops }), appliedBy: all('kernel') }
    const appliedBy = all('userspace')
    appliedBy.loss = 'kernel'
    return { emulator: 'kernel+userspace', ...because({ kind: 'kernelLossRelayRest', ...drops, relayKinds: nonLoss }), appliedBy }
  }
  if (userspaceCannot.length === 0) {
    const why = imp.loss > 0
      ? because({ kind: 'userspaceAll', support: support.reason })
      : because({ kind: 'userspaceNoLoss', relayKinds: nonLoss })
    return { emulator: 'userspace', ...why, appliedBy: all('userspace') }
  }
  // TCP asked for loss/reorder/duplicate: only the kernel can drop, and nothing here can reorder or duplicate a stream.
  const tcpNonLoss = userspaceCannot.filter(k => k !== 'loss')
  if (tcpNonLoss.length > 0) throw unsupported('impairmentNobodyCanTcp', { kinds: tcpNonLoss, netemReason })
  throw unsupported('impairmentTcpNeedsKernel', { kinds: userspaceCannot, reason: support.reason })
}
