/**
 * compare's findings in English: one sentence (or, for the impairment block, one clause) per
 * finding code, from its params. `label` is the transport's own name (traits.label).
 */
import type { Fmt } from '../fmt.js'
import { compareUnits } from '../compare-units.js'
import { byKernelScope } from '../finding-scope.js'
import { compareReasons as reasons } from './compare-reasons.js'
import type { FindingParams, TailName } from '../../compare/findings/params.js'
import type { KernelScope } from '../../compare/compare-types.js'
import type { TcpLossUnavailable } from '../../net/userns.js'

/** `scope`: whose kernel counters these are — the machine's, or compare's own network namespace (kernel-userns). */
type Messages = { [C in keyof FindingParams]: (p: FindingParams[C] & { label: string; scope?: KernelScope }) => string }

export const compareFindingsEn = (f: Fmt): Messages =>
  byKernelScope((scope: KernelScope): Messages => {
    const c = clauses(f, scope)
    return { ...extras(f, c), ...unreliable(f, c), ...reliable(f, c), ...impairment(f, c) }
  })

/** The clauses several findings share (late probes, refused sends, the kernel's counts). */
const clauses = (f: Fmt, scope: KernelScope) => {
  const { ms, percent, count } = compareUnits(f)
  // Inside compare's own network namespace (kernel-userns) the counters are the namespace's, not the machine's.
  const where = scope === 'machine' ? 'on this machine' : "in compare's own network namespace"
  const wide = scope === 'machine' ? 'machine-wide' : 'this namespace only'
  const probes = (n: number) => f.plural(n, { one: '# probe', other: '# probes' })
  const allProbes = (n: number) => (n === 1 ? 'its one probe' : `all ${f.num(n)} probes`)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'worst RTT')
  const tmaxHint = (p: { givenTmaxMs: number | null }) => (p.givenTmaxMs === null ? ''
    : `: the round trip took longer than --tmax ${f.num(p.givenTmaxMs)}; give a larger --tmax, or leave it out for the automatic one (at least 1 s)`)
  const lateNote = (p: { late: number; tmaxMs: number; givenTmaxMs: number | null }) =>
    (p.late > 0 ? `; ${probes(p.late)} came back after Tmax (${ms(p.tmaxMs)}) and count as lost${tmaxHint(p)}` : '')
  const refusedSentence = (p: { refused: number; sndbufErrors: number | null }) =>
    `${probes(p.refused)} never left this machine: the kernel refused the send, its send buffer was full${p.sndbufErrors !== null ? ` (SndbufErrors +${f.num(p.sndbufErrors)})` : ''}`
  /** What follows every loss sentence: refused sends, then late probes. */
  const after = (p: FindingParams['loss-send-refused']) => `${p.refused > 0 ? `; ${refusedSentence(p)}` : ''}${lateNote(p)}`
  const lost = (p: { label: string; lossPercent: number }) => `${p.label} lost ${percent(p.lossPercent)}`
  const udpCounted = (p: { rcvbufErrors: number; inErrors: number }) =>
    `RcvbufErrors +${f.num(p.rcvbufErrors)}${p.inErrors !== p.rcvbufErrors ? `, InErrors +${f.num(p.inErrors)}` : ''}`
  const tcpCounted = (retransSegs: number | null) => (retransSegs === null ? ''
    : retransSegs === 0 ? `the kernel counted no retransmitted segments ${where} during the run (RetransSegs +0)`
      : `the kernel counted ${f.plural(retransSegs, { one: '# retransmitted segment', other: '# retransmitted segments' })} ${where} during the run (RetransSegs +${f.num(retransSegs)}, ${wide})`)
  const withCounted = (retransSegs: number | null) => { const c = tcpCounted(retransSegs); return c === '' ? '' : `; ${c}` }
  const kernelDropped = (n: number) => (n > 0 ? `the kernel dropped ${f.plural(n, { one: '# TCP packet', other: '# TCP packets' })}; ` : '')
  const queue = '--blast writes probes faster than their echoes come back, so they queue behind each other in the socket buffers'
  const heldNote = (holdMs: number) =>
    ` (a datagram held at the end waits the relay's whole hold, ${f.num(holdMs)} ms, for a successor that never comes: the max RTT and a throughput "to last echo" can include that wait)`
  const connectionEnd = (code: string) => {
    switch (code) {
      case 'ECONNRESET': return 'the reflector reset the connection (ECONNRESET)'
      case 'EPIPE': return 'the connection broke (EPIPE: the reflector had closed it)'
      // compare's own code when the reflector ended the stream (FIN) during the run.
      case 'ERR_SOCKKIT_NO_ANSWER': return 'the reflector closed the connection'
      default: return `the connection failed (${code})`
    }
  }

  return { wide, ms, percent, count, probes, allProbes, tailWord, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted, tcpCounted, withCounted, kernelDropped, queue, heldNote, connectionEnd }
}
type Clauses = ReturnType<typeof clauses>

/** Run-wide findings and what else a transport's figures show. */
const extras = (f: Fmt, c: Clauses) => {
  const { ms, probes } = c
  return {
    'interrupted': () => 'Stopped early: the figures cover only the probes sent before the stop.',
    'not-measured': p => `${p.label}: not measured (${p.message}).`,
    'stopped-mid-run': p => `${p.label} stopped mid-run (${p.message}): its figures cover the probes sent before that.`,
    'nothing-sent': p => `${p.label}: nothing was sent before the run stopped.`,
    'foreign-replies': p => `${p.label}: ${f.plural(p.foreign, { one: "# reply that was not this run's probes was", other: "# replies that were not this run's probes were" })} ignored ` +
      '(not counted; "foreign" in --json): something else answers there, or the reflector does not echo probes unchanged.',
    'duplicates': p => `${p.label} delivered ${f.plural(p.duplicates, { one: '# duplicate copy', other: '# duplicate copies' })}${p.reliable ? '' : `: ${p.label} does not remove duplicates, the application must`}.`,
    'reordered': p => `${p.label} delivered ${probes(p.reordered)} out of order (largest extent ${f.num(p.maxExtent)}, RFC 4737)${p.ordered ? '' : `: ${p.label} does not restore order`}.`,
    'sender-fell-behind': p => `${p.label}: the sender fell behind its schedule by up to ${ms(p.lagMaxMs)}: ` +
      (p.cause === 'rate' ? `this machine could not send ${f.num(p.ratePerSecond ?? 0)} probes/s (--rate)` : 'this machine was busy') +
      `; RTTs are measured from the schedule so the ${p.cause === 'rate' ? 'wait' : 'stall'} is included.`,
  } satisfies Partial<Messages>
}

/** The verdict of a transport that does not retransmit. */
const unreliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, count, probes, allProbes, tmaxHint, lateNote, refusedSentence, after, lost, udpCounted } = c
  return {
    'delivered-all': p => (p.reliable
      ? `${p.label} delivered ${allProbes(p.sent)}, in order, as expected${p.retransSegs === null ? '' : ` (RetransSegs +${f.num(p.retransSegs)}: nothing on this machine had to be resent)`}.`
      : `${p.label} delivered ${allProbes(p.sent)}${p.suggestBlast ? ": at this rate loopback's buffers have room for everything; --blast sends as fast as possible and shows the receive buffer overflowing" : ''}.`),
    'loss-all-late': p => `${lost(p)}: all ${f.num(p.lost)} came back, but after Tmax (${ms(p.tmaxMs)}), so they count as lost (RFC 7680)${tmaxHint(p)}.`,
    'loss-none-in-time': p => `${lost(p)}: none came back within Tmax (${ms(p.tmaxMs)}); ${probes(p.late)} came back later (late, counted as lost, RFC 7680)${tmaxHint(p)}.`,
    'loss-send-refused': p => `${lost(p)}: ${refusedSentence(p)}${lateNote(p)}.`,
    'loss-counters-unavailable': p => `${lost(p)}: the kernel's drop counters are not available here${p.reason !== null ? ` (${reasons(f).kernel({ reason: p.reason, counters: p.counters })})` : ''}, so where they were lost cannot be told${after(p)}.`,
    'loss-impairment-split': p => `${lost(p)}, above the ${percent(p.rangeHighPercent)} that chance allows: ${count(p.emulatorDrops)} dropped by the emulator` +
      (p.exact ? `, ${count(p.rcvbufErrors)} by this machine's receive buffer (RcvbufErrors)`
        : `; the other ${count(p.dropped - p.emulatorDrops)} were not, and RcvbufErrors rose by ${count(p.rcvbufErrors)} during the run (machine-wide: this machine's receive buffers overflowed)`) +
      `${after(p)}.`,
    'loss-impairment-expected': p => `${lost(p)}: the ${p.emulator} emulator dropped ${f.num(p.lossEachWayPercent)}% each way, so ${percent(p.expectedPercent)} of round trips were expected to fail` +
      `${p.rcvbufErrors > 0 ? `; RcvbufErrors +${f.num(p.rcvbufErrors)} during the run (machine-wide: some may be real buffer overflows)` : ''}${after(p)}.`,
    'loss-network': p => `${lost(p)}: lost in the network or dropped by a firewall${p.emulator !== null ? ` (here: the ${p.emulator} impairment emulator)` : ''}, not by this machine's buffers (${udpCounted(p)})${after(p)}.`,
    'loss-receive-buffer': p => {
      const counted = `${udpCounted(p)}${p.receiveBufferBytes !== null ? `; receive buffer ${f.bytes(p.receiveBufferBytes)}` : ''}`
      if (p.match === 'same') return `${lost(p)}: the receiver's buffer overflowed — the kernel counted the same drops (${counted})${after(p)}.`
      if (p.match === 'more') return `${lost(p)}: the receiver's buffer overflowed — the kernel counted ${f.num(p.rcvbufErrors)} drops, at least as many (${counted}; the counter covers the whole machine)${after(p)}.`
      return `${lost(p)}: the receiver's buffer overflowed for ${f.num(p.rcvbufErrors)} of them (${counted}); the other ${f.num(p.dropped - p.rcvbufErrors)} were lost in the network or dropped by a firewall${after(p)}.`
    },
  } satisfies Partial<Messages>
}

/** The verdict of a transport that retransmits. */
const reliable = (f: Fmt, c: Clauses) => {
  const { ms, percent, probes, allProbes, tailWord, tcpCounted, withCounted, kernelDropped, queue, connectionEnd } = c
  return {
    'delivered-all-retransmissions': p => `${p.label} delivered ${allProbes(p.sent)}, in order, with no large cost to the tail ` +
      `(${tailWord(p.tail)} ${p.tailMs === null ? 'n/a' : ms(p.tailMs)}${p.medianMs === null ? '' : ` against a median of ${ms(p.medianMs)}`}); ${tcpCounted(p.retransSegs)}.`,
    'connection-lost': p => `${p.label}: ${connectionEnd(p.errorCode)} after ${probes(p.received)} had come back; ` +
      `the other ${probes(p.lost)} (${percent(p.lossPercent)}) were lost with the connection — ` +
      `${p.label} delivers only while its connection lasts${withCounted(p.retransSegs)}.`,
    'not-back-within-tmax': p => {
      const ended = p.tmaxRule === 'tcp-delivery' ? `when the wait ended (it waits for every ${p.label} probe while the connection lives, at most this long)`
        : p.tmaxRule === 'given' ? 'when the wait ended' : 'when the stop cut the wait short'
      const head = `${p.label}: ${probes(p.lost)} (${percent(p.lossPercent)}) did not come back within Tmax (${ms(p.tmaxMs)}). ${p.label} does not drop data, so they were still on their way ${ended}`
      const late = p.late > 0 ? `; ${f.num(p.late)} of them came back later` : ''
      // A --tmax applies strictly, to TCP too: under loss its retransmissions outlast a short one.
      const hint = p.tmaxRule === 'given' ? `: give a larger --tmax, or leave it out (${p.label} then waits for every probe while its connection lives, up to ${f.num(p.capMs / 1000)} s)` : ''
      if (p.retransSegs !== null && p.retransSegs > 0) return `${head}, consistent with retransmissions: ${tcpCounted(p.retransSegs)}${late}${hint}.`
      return `${head}${withCounted(p.retransSegs)}${late}${hint}.`
    },
    'most-waited': p => {
      const head = `${p.label} lost nothing, but most probes waited: median ${ms(p.medianMs)}, ${tailWord(p.tail)} ${p.tailMs === null ? 'n/a' : ms(p.tailMs)}, fastest ${ms(p.fastestMs)}`
      if (p.cause === 'sender-lag') return `${head} — mostly this machine's own lag: the sender ran ${ms(p.lagMeanMs ?? 0)} behind its schedule on average, and RTTs run from the schedule${withCounted(p.retransSegs)}.`
      if (p.cause === 'blast-queue') return `${head} — ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'head-of-line') {
        return `${head} — a segment that must be resent holds back every byte behind it (head-of-line blocking): consistent with retransmissions — ` +
          `${`${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}`.replace(/; $/, '')}.`
      }
      return `${head}${withCounted(p.retransSegs)}.`
    },
    'tail-grew': p => {
      const head = `${p.label} lost nothing but its ${tailWord(p.tail)} grew to ${ms(p.tailMs)}`
      if (p.cause === 'blast-queue') return `${head}: ${queue}${withCounted(p.retransSegs)}.`
      if (p.cause === 'sender-stall') return `${head}, mostly this machine's own stall: the sender fell behind its schedule by ${ms(p.lagP99Ms ?? 0)} at p99, and RTTs run from the schedule${withCounted(p.retransSegs)}.`
      if (p.cause === 'retransmissions') return `${head}: consistent with retransmissions — ${kernelDropped(p.kernelDropped)}${tcpCounted(p.retransSegs)}.`
      // No count above 0: the facts, no cause (a remote reflector's retransmissions are not in this machine's counter).
      if (p.retransSegs === 0) return `${head} (median ${ms(p.medianMs)}); ${tcpCounted(0)}.`
      return `${head} (median ${ms(p.medianMs)}); the kernel's retransmission counter is not available here.`
    },
    'rare-tail': p => {
      const why = p.kernelDropped > 0
        ? `a few probes waited for a retransmission (${kernelDropped(p.kernelDropped)}RetransSegs +${f.num(p.retransSegs)})`
        : `a few probes waited, consistent with retransmissions — ${tcpCounted(p.retransSegs)}`
      return `${p.label} lost nothing; its worst RTT was ${ms(p.worstMs)} (${p.p999Ms === null ? '' : `p99.9 ${ms(p.p999Ms)}, `}${tailWord(p.tail)} ${ms(p.tailMs)}): ${why}.`
    },
  } satisfies Partial<Messages>
}

/** The impairment block's clauses: expected next to measured. */
/** Why TCP got no loss, and how to get it. */
const notExposedWhy: Record<TcpLossUnavailable, string> = {
  'not-linux': 'dropping TCP segments needs the Linux kernel (nftables); run compare on Linux',
  'userns-refused': 'this system does not allow unprivileged user namespaces; run with sudo, or enable them (sysctl kernel.unprivileged_userns_clone=1)',
  'tools-missing': 'unshare, ip or nft is missing; install util-linux, iproute2 and nftables, or run with sudo',
  'userns-off': 'SOCKKIT_NO_USERNS is set; unset it, or run with sudo',
  'remote-target': 'the kernel can drop packets only for compare\'s own local reflector; run compare without a host, or as root on the machine that runs it',
  'no-kernel': 'the kernel emulator is not available here; run as root on Linux with nft',
}

const impairment = (f: Fmt, c: Clauses) => {
  const { wide, ms, percent, count, heldNote } = c
  return {
    'impairment-loss': p => `loss ${f.num(p.lossEachWayPercent)}% each way → expected ${percent(p.expectedPercent)} round trip ±${f.num(Number((p.sdPercent * 2).toFixed(2)))} points ` +
      `(binomial, 2 sd for ${count(p.probes)} probes), measured ${percent(p.measuredPercent)}: ${p.within ? 'within' : 'outside'} that range`,
    'impairment-loss-retransmitted': p => `loss ${f.num(p.lossEachWayPercent)}% each way (${p.appliedBy}) → expected 0% lost (${p.label} retransmits), measured ${percent(p.measuredPercent)}` +
      (p.retransSegs !== null ? `, RetransSegs +${f.num(p.retransSegs)} (${wide})` : ''),
    'impairment-delay': p => `delay → expected ${p.jitterMs > 0 ? `RTT +${f.num(p.addedRttMs)} ms on average (≥ ${f.num(p.floorMs)} ms)` : `RTT ≥ ${f.num(p.floorMs)} ms`}, ` +
      `measured min ${p.minRttMs === null ? 'n/a' : ms(p.minRttMs)}, p50 ${p.p50RttMs === null ? 'n/a' : ms(p.p50RttMs)}`,
    'impairment-duplicate': p => `duplicate ${f.num(p.duplicateEachWayPercent)}% each way → expected ${percent(p.expectedPercent)} extra copies, measured ${percent(p.measuredPercent)}`,
    'impairment-reorder': p => reorderClause(f, p) + (p.reorderEachWayPercent > 0 ? heldNote(p.holdMs) : ''),
    'impairment-reorder-approx': p => `reorder ${f.num(p.reorderEachWayPercent)}% each way → expected about ${percent(p.approxPercent)} reordered, measured ${percent(p.measuredPercent)}${heldNote(p.holdMs)}`,
    'impairment-not-applied': p => (p.reason !== null ? reasons(f).tcpDegraded({ notApplied: p.notApplied, reason: p.reason }) : `not applied: ${p.notApplied.join(', ')}`),
    'impairment-none': () => 'nothing to expect (no impairment)',
    'tcp-not-exposed-to-loss': p => `${p.label} was not exposed to loss (${notExposedWhy[p.reason]}), so its figures say nothing about ` +
      `${f.num(p.lossEachWayPercent)}% loss; only the other transports faced it`,
    'impairment-kernel-drops': p => `${p.label}: the kernel dropped ${count(p.dropped)} of ${count(p.seen)} packets ` +
      `(c→s ${count(p.clientToServer)}, s→c ${count(p.serverToClient)})`,
  } satisfies Partial<Messages>
}

/** The reordering clause: the simulated 95% range, the measured share, and — outside it — what could have caused that. */
function reorderClause (f: Fmt, p: FindingParams['impairment-reorder']): string {
  const { ms, percent, percentRange, count } = compareUnits(f)
  const causes = f.list([p.reorderEachWayPercent > 0 ? `reorder ${f.num(p.reorderEachWayPercent)}%` : '', p.jitterMs > 0 ? `jitter ±${f.num(p.jitterMs)} ms` : ''].filter(Boolean))
  const spread = p.highPercent === 0 ? 'none reordered' : `${percentRange(p.lowPercent, p.highPercent)} reordered`
  const basis = `95% of ${count(p.runs)} simulated runs of ${count(p.probes)} probes ${ms(p.spacingMs)} apart`
  const head = `${causes} each way → expected ${spread} (${basis}), measured ${percent(p.measuredPercent)}`
  if (p.judgement === 'within') return `${head}: within that range`
  const chance = `1 run in 40 is this ${p.judgement === 'above' ? 'high' : 'low'} by chance alone`
  if (p.jitterMs === 0) {
    return `${head}: ${p.judgement} that range — ${chance}; the hold rule depends on timing only when probes come close to ` +
      `the ${f.num(p.holdMs)} ms hold apart, so if it repeats the simulation misses something here`
  }
  if (p.judgement === 'below') {
    return `${head}: below that range — ${chance}; a busy machine packs datagrams closer, which reorders more, not less, ` +
      'so if it repeats the simulation misses something here'
  }
  const lag = p.lagMaxMs === null ? '' : ` (send lag here: mean ${ms(p.lagMeanMs ?? 0)}, max ${ms(p.lagMaxMs)})`
  return `${head}: above that range — the simulation sends on schedule and forwards when due; on a busy machine the sender${lag}, ` +
    'the relay and the reflector stall now and then and catch up in a burst, so datagrams leave closer together than ' +
    `${ms(p.spacingMs)}, and under jitter closer datagrams overtake each other more; ${chance}`
}
