import type { ExpectedClause } from '../../impairment/expectation.js'
import type { KernelReason, NetemReason } from '../../impairment/model.js'
import type { PlanReason } from '../../impairment/planning.js'
import type { Fmt } from '../fmt.js'

type Command = 'compare' | 'link'
const udpFlag = (command: Command): string => command === 'link' ? '--udp' : '--transports udp'
const orAutoText = ', or leave --emulator at auto: TCP then runs without it and the output says why'
const kindNoun = { delay: 'delay', jitter: 'jitter', reorder: 'reordering', duplicate: 'duplication' } as const

/** What this machine's kernel can do (detectKernelSupport): the reasons a plan quotes. */
const KERNEL = {
  available: 'Linux, root and nft: the kernel drops packets for real',
  availableUsernsHop: 'kernel (user namespace): each connection crosses the loopback of a private user and network namespace, where nftables drops segments for real without root',
  availableUserns: 'kernel (user namespace): sockkit re-ran itself in a private user and network namespace, where nftables drops packets for real without root',
  needsLinux: (p: { platform: string }) => `the kernel emulator needs Linux (nftables); this is ${p.platform}`,
  needsRoot: 'the kernel emulator needs root (it adds an nftables table): run with sudo',
  needsNft: 'the kernel emulator needs the nft command (install the nftables package)',
  netemUndriven: 'the kernel has netem, but sockkit does not drive it yet: delay, jitter, reorder and duplicate stay in the userspace relay',
  noNetem: 'this kernel has no netem (sch_netem), so the kernel cannot delay, jitter, reorder or duplicate packets',
  netemUnchecked: (p: { detail: string }) => `netem could not be checked (${p.detail}), so the kernel emulator does loss only`,
  netemLinuxOnly: 'netem is Linux only',
  netemNeedsRoot: 'netem was not checked (needs root)',
  /** Placeholders when the plan did not need to ask the kernel. */
  notNeeded: 'the kernel emulator was not needed',
  netemNotChecked: 'not checked',
}

/** A kernel-support code (detectKernelSupport's `reason`) in words. */
export const kernelReasonWords = (r: KernelReason): string => r.code === 'needsLinux' ? KERNEL.needsLinux(r) : KERNEL[r.code]
/** A netem code (detectKernelSupport's `netemReason`) in words. */
export const netemReasonWords = (r: NetemReason): string => r.code === 'netemUnchecked' ? KERNEL.netemUnchecked(r) : KERNEL[r.code]

/**
 * Impairment words the CLI shows (compare and link): why a command line cannot run as asked,
 * and notes about what an impairment will do. These name CLI flags, so they live here, not
 * in the library's errors.
 */
export const impairment = (f: Fmt) => ({
  /** TCP asked to reorder or duplicate. `orAuto`: compare with both transports, where auto would run. */
  flagsTcpStream: (p: { command: Command; kinds: Array<'reorder' | 'duplicate'>; kernelAsked: boolean; orAuto: boolean }) => {
    const why = p.kinds.map(kind => kind === 'reorder'
      ? 'reorder (TCP delivers bytes in order, so a program never sees reordered segments)'
      : 'duplicate (TCP discards duplicate segments, and copying bytes would corrupt the stream)')
    return `TCP cannot ${why.join(' or ')}; use ${udpFlag(p.command)}${p.kernelAsked ? ' with --emulator auto' : ''} to watch ` +
      `${p.kinds.length === 2 ? 'them' : 'it'}${p.orAuto ? orAutoText : ''}`
  },
  flagsKernelOnlyDrops: (p: { kinds: Array<keyof typeof kindNoun> }) =>
    `--emulator kernel only drops packets (an nftables table) and cannot add ${p.kinds.map(k => kindNoun[k]).join(' or ')}; ` +
    'use --emulator auto: the kernel drops, the userspace relay adds the rest',
  flagsRelayCannotLoseTcp: (p: { command: Command; orAuto: boolean }) =>
    'the userspace relay cannot lose TCP packets: it sees a byte stream, and dropping bytes would corrupt it rather than make TCP retransmit; ' +
    `use ${udpFlag(p.command)}, or ` + (p.orAuto
      ? 'leave --emulator at auto (as root on Linux with nft the kernel then drops TCP segments for real; without, TCP runs without loss and the output says why)'
      : '--emulator auto as root on Linux with nft (the kernel then drops TCP segments for real)'),
  flagsTcpLossNeedsKernel: (p: { command: Command; missing: 'linux' | 'root' | 'nft'; platform: string }) => {
    const why = p.missing === 'linux' ? `it needs Linux, and this is ${p.platform}` : p.missing === 'root' ? 'it needs root (run with sudo)' : 'it needs the nft command (the nftables package)'
    return 'the TCP relay cannot lose packets (dropping bytes would corrupt the stream, not make TCP retransmit), and real TCP loss ' +
      `needs the kernel emulator, which cannot run here: ${why}; or use ${udpFlag(p.command)}`
  },
  /** TCP loss without root, where no user namespace can be made: why, and how to get it. */
  flagsTcpLossNoUserns: (p: { command: Command; reason: 'userns-refused' | 'tools-missing' | 'userns-off' }) => {
    const why = {
      'userns-refused': 'this system does not allow unprivileged user namespaces; run with sudo, or enable them (sysctl kernel.unprivileged_userns_clone=1)',
      'tools-missing': 'unshare, ip or nft is missing; install util-linux, iproute2 and nftables, or run with sudo',
      'userns-off': 'SOCKKIT_NO_USERNS is set; unset it, or run with sudo',
    }[p.reason]
    return 'TCP would not be exposed to loss here: the relay cannot drop segments (that would corrupt the stream, not make TCP retransmit), ' +
      `and the kernel can drop them only as root or inside an unprivileged user namespace — ${why}; or use ${udpFlag(p.command)}`
  },
  /** --reorder at a probe spacing where a held datagram never finds a successor in time. */
  reorderSpacing: (p: { holdMs: number; intervalMs: number }) =>
    `--reorder needs probes less than ${f.num(p.holdMs)} ms apart (these are ${f.num(Math.round(p.intervalMs * 10) / 10)} ms apart): ` +
    `a held datagram waits at most ${f.num(p.holdMs)} ms for the next one, so here each hold only adds up to ${f.num(p.holdMs)} ms ` +
    `of delay instead of reordering — raise --rate above ${f.num(1000 / p.holdMs)}/s to see reordering`,
  /** Tables of runs that died, removed at start. */
  staleTablesRemoved: (p: { tables: string[] }) =>
    `kernel: removed ${p.tables.length === 1 ? 'an nftables table' : `${f.num(p.tables.length)} nftables tables`} left by ` +
    (p.tables.length === 1 ? 'a run that died (it dropped packets on that run\'s ports until now)' : 'runs that died (they dropped packets on those runs\' ports until now)') +
    `: ${p.tables.join(', ')}`,
  /** The expected round trip compare and link print: "expected round trip: 36% of probes lost (20% each way), …". */
  expected: (p: { clauses: ExpectedClause[] }) => {
    const clause = (c: ExpectedClause): string => {
      switch (c.kind) {
        case 'lossStream': return `0% lost: TCP retransmits what the ${f.num(c.lossEachWay)}% loss each way drops, so it arrives later instead`
        case 'loss': return `${f.num(c.percent)}% of probes lost (${f.num(c.lossEachWay)}% each way)`
        case 'rtt': return `RTT +${f.num(c.addedMs)} ms`
        case 'rttJitter': return `RTT +${f.num(c.addedMs)} ms on average (+${f.num(c.minMs)}…${f.num(c.maxMs)} ms)`
        case 'jitterReorder': return `about ${f.num(c.percent)}% reordered by the jitter`
        case 'reorder': return `about ${f.num(c.percent)}% reordered`
        case 'held': return `about ${f.num(c.percent)}% of datagrams held back each way, each sent after the next one if that comes within ` +
          `${f.num(c.holdMs)} ms, else in order ${f.num(c.holdMs)} ms late`
        case 'duplicate': return `${f.num(c.percent)}% extra copies`
      }
    }
    return p.clauses.length ? `expected round trip: ${p.clauses.map(clause).join(', ')}` : 'no impairment'
  },
  /** `loss 20%, delay 50 ms ±10 ms, reorder 5%, duplicate 1% each way`, for log lines. */
  describe: (p: { loss: number; delay: number; jitter: number; reorder: number; duplicate: number }) => {
    const parts: string[] = []
    if (p.loss > 0) parts.push(`loss ${f.num(p.loss)}%`)
    if (p.delay > 0 || p.jitter > 0) parts.push(`delay ${f.num(p.delay)} ms` + (p.jitter > 0 ? ` ±${f.num(p.jitter)} ms` : ''))
    if (p.reorder > 0) parts.push(`reorder ${f.num(p.reorder)}%`)
    if (p.duplicate > 0) parts.push(`duplicate ${f.num(p.duplicate)}%`)
    return parts.length ? `${parts.join(', ')} each way` : 'no impairment (a plain relay)'
  },
  /** Why this emulator: one sentence after "emulator: kernel — ". */
  planReason: (p: PlanReason): string => {
    const relayOnly = (kinds: string[]) => `${kinds.join(', ')} by the userspace relay (sockkit's kernel emulator only drops packets)`
    const drops = (support: KernelReason, tcp: boolean) => `loss by the kernel (${kernelReasonWords(support)}${tcp ? '; TCP retransmits for real' : ''})`
    switch (p.kind) {
      case 'askedKernel': return `asked for the kernel emulator: ${kernelReasonWords(p.support)}`
      case 'askedUserspace': return 'asked for the userspace relay'
      case 'plainRelay': return 'no impairment asked: a plain relay'
      case 'kernelLoss': return drops(p.support, p.tcp)
      case 'kernelLossRelayRest': return `${drops(p.support, p.tcp)}; ${relayOnly(p.relayKinds)}`
      case 'userspaceAll': return `the userspace relay does all of it for UDP, loss included: the kernel cannot drop packets here (${kernelReasonWords(p.support)})`
      case 'userspaceNoLoss': return `${p.relayKinds.join(', ')} by the userspace relay: no loss was asked, and sockkit's kernel emulator only drops packets`
    }
  },
  kernel: KERNEL,
  /** Why the kernel emulator can or cannot drop here, from its code. */
  kernelReason: kernelReasonWords,
  /** What was found about netem, from its code. */
  netemReason: netemReasonWords,
})
