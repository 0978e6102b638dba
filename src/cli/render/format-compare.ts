/**
 * compare's human output: the TCP | UDP table, a latency distribution plot per
 * transport, and the verdict in plain words, explained from the kernel's own counters
 * where they are available. Pure functions of the result: no I/O, no clock, so the
 * whole screen can be snapshot-tested.
 */
import type { ChalkInstance } from 'chalk'
import type { CompareResult, CompareTransportResult, KernelReport, Transport } from '../../compare/compare-types.js'
import { minSamplesFor, probeOutcomes, TCP_DELIVERY_CAP_MS, type HistogramBucket, type LatencySummary, type TransportResult, type TransportRun } from '../../compare/compare-stats.js'
import { formatBytes, plural } from './format.js'
import { formatAddress } from '../../core/addresses.js'
import { REORDER_HOLD_MS } from '../../impairment/impairment.js'

const DEFAULT_WIDTH = 80
const LABEL_WIDTH = 24
const MAX_COLUMN_WIDTH = 28
/** A plot taller than this hides its long empty stretches behind one "…" line. */
const MAX_PLOT_ROWS = 14

const NAMES: Record<Transport, string> = { tcp: 'TCP', udp: 'UDP' }

/**
 * The whole human report: header, table, one latency plot per transport, the verdict
 * and a footer with Tmax and the definitions. `opts.width` is the terminal width in
 * columns (default 80; the table and plots fit in it).
 */
export function formatCompare (result: CompareResult, style: ChalkInstance, opts: { width?: number } = {}): string {
  const width = Math.max(60, opts.width ?? DEFAULT_WIDTH)
  const transports = shownTransports(result)
  const lines: string[] = []
  for (const line of headerLines(result)) lines.push(...wrap(line, width).map(part => style.bold(part)))
  const impairment = impairmentLines(result)
  if (impairment.length > 0) {
    lines.push('')
    impairment.forEach((line, i) => lines.push(...wrap(line, width - 2).map((part, j) => (i === 0 && j === 0 ? style.bold(part) : `  ${part}`))))
  }
  lines.push('')
  lines.push(...table(result, transports, style, width))
  for (const transport of transports) {
    lines.push('')
    lines.push(...latencyPlot(result.results[transport]!, style, width))
  }
  const sentences = verdict(result)
  if (sentences.length > 0) {
    lines.push('')
    for (const sentence of sentences) lines.push(...wrap(sentence, width - 2).map((line, i) => (i === 0 ? '• ' : '  ') + line))
  }
  lines.push('')
  lines.push(...wrap(footer(result, transports), width).map(line => style.dim(line)))
  return lines.join('\n') + '\n'
}

/** The plain-words verdict, one sentence per finding, in the order the transports ran. */
export function verdict (result: CompareResult): string[] {
  const sentences: string[] = []
  if (result.interrupted) {
    sentences.push('Stopped early: the figures cover only the probes sent before the stop.')
  }
  for (const transport of result.config.transports) {
    const error = result.errors?.[transport]
    if (error === undefined) continue
    sentences.push(result.results[transport] === undefined
      ? `${NAMES[transport]}: not measured (${error.message}).`
      : `${NAMES[transport]} stopped mid-run (${error.message}): its figures cover the probes sent before that.`)
  }
  for (const transport of shownTransports(result)) {
    const r = result.results[transport]!
    const kernel = result.kernel[transport]
    if (r.sent === 0) {
      sentences.push(`${NAMES[transport]}: nothing was sent before the run stopped.`)
      continue
    }
    sentences.push(transport === 'udp' ? udpVerdict(result, r, kernel) : tcpVerdict(result, r, kernel))
    if (r.foreign > 0) {
      sentences.push(`${NAMES[transport]}: ${plural(r.foreign, 'reply', 'replies')} that ${r.foreign === 1 ? 'was' : 'were'} not this run's probes ${r.foreign === 1 ? 'was' : 'were'} ignored ` +
        `(not counted; "foreign" in --json): something else answers there, or the reflector does not echo probes unchanged.`)
    }
    if (r.duplicates > 0) {
      sentences.push(`${NAMES[transport]} delivered ${plural(r.duplicates, 'duplicate copy', 'duplicate copies')}${transport === 'udp' ? ': UDP does not remove duplicates, the application must' : ''}.`)
    }
    if (r.reordered > 0) {
      sentences.push(`${NAMES[transport]} delivered ${plural(r.reordered, 'probe')} out of order (largest extent ${r.maxReorderExtent}, RFC 4737)${transport === 'udp' ? ': UDP does not restore order' : ''}.`)
    }
    const lag = r.sendLagMs.max
    if (!result.config.blast && lag !== null && lag >= Math.max(5, result.config.intervalMs)) {
      // Behind on average by many intervals: the schedule itself was more than could be sent.
      const mean = r.sendLagMs.mean ?? 0
      const rateTooHigh = mean >= 1 && mean >= 10 * result.config.intervalMs
      const why = rateTooHigh ? `this machine could not send ${result.config.ratePerSecond} probes/s (--rate)` : 'this machine was busy'
      sentences.push(`${NAMES[transport]}: the sender fell behind its schedule by up to ${ms(lag)}: ${why}; RTTs are measured from the schedule so the ${rateTooHigh ? 'wait' : 'stall'} is included.`)
    }
  }
  return sentences
}

/**
 * One CSV line per probe, and one more per duplicate copy, with a header line first
 * (leave it out with `header: false` to append a second transport to the same file).
 * Columns: transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status — times in ms
 * since the run's start, empty where a probe never came back; status is ok,
 * reordered, late (back after Tmax, counted as lost), lost or duplicate.
 */
export function formatCsvRows (run: TransportRun, result: TransportResult, opts: { header?: boolean } = {}): string {
  const rows: string[] = []
  if (opts.header ?? true) rows.push('transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status')
  for (const outcome of probeOutcomes(run)) {
    rows.push([
      result.transport, outcome.seq, csvNumber(outcome.scheduledMs), csvNumber(outcome.sentMs),
      csvNumber(outcome.receivedMs), csvNumber(outcome.rttMs), outcome.status,
    ].join(','))
  }
  return rows.join('\n') + '\n'
}

/**
 * The impairment block: what ran and why, then per transport the expected round-trip effect
 * next to the measured one. Empty when no impairment ran.
 */
export function impairmentLines (result: CompareResult): string[] {
  const config = result.config.impairment
  if (config === undefined) return []
  const asked = IMPAIRMENT_NAMES.filter(kind => config[kind] > 0)
  const what = asked.length === 0 ? 'none (a plain relay: its own cost is in the RTTs)' : asked.map(kind => describeKind(kind, config)).join(', ') + ' each way'
  const seed = config.emulator === 'kernel' ? '' : ` · seed ${config.seed}`
  const lines = [`impairment (${config.emulator}): ${what}${seed}`, `why ${config.emulator}: ${config.reason}`]
  for (const transport of shownTransports(result)) {
    const r = result.results[transport]!
    const outcome = r.impairment
    if (outcome === undefined) continue
    const parts: string[] = []
    const e = outcome.expected
    const m = outcome.measured
    if (config.loss > 0 && !outcome.notApplied.includes('loss')) {
      if (transport === 'udp') {
        const range = e.lossRangePercent
        parts.push(`loss ${config.loss}% each way → expected ${percent(e.lossPercent)} round trip ±${Number((range.sdPercent * 2).toFixed(2))} points ` +
          `(binomial, 2 sd for ${count(range.probes)} probes), measured ${percent(m.lossPercent)}: ${m.lossWithinRange ? 'within' : 'outside'} that range`)
      }
      else {
        const retrans = result.kernel.tcp?.tcp?.retransSegs
        parts.push(`loss ${config.loss}% each way (${outcome.appliedBy.loss ?? 'kernel'}) → expected 0% lost (TCP retransmits), measured ${percent(m.lossPercent)}` +
          (retrans !== undefined ? `, RetransSegs +${retrans} (machine-wide)` : ''))
      }
    }
    if (config.delay > 0 || config.jitter > 0) {
      const floor = e.addedRttRangeMs.min
      const expected = config.jitter > 0 ? `RTT +${e.addedRttMs} ms on average (≥ ${floor} ms)` : `RTT ≥ ${floor} ms`
      parts.push(`delay → expected ${expected}, measured min ${m.minRttMs === null ? 'n/a' : ms(m.minRttMs)}, p50 ${m.p50RttMs === null ? 'n/a' : ms(m.p50RttMs)}`)
    }
    if (config.duplicate > 0 && !outcome.notApplied.includes('duplicate')) {
      parts.push(`duplicate ${config.duplicate}% each way → expected ${percent(e.duplicatePercent)} extra copies, measured ${percent(m.duplicatePercent)}`)
    }
    const heldNote = ` (a datagram held at the end waits the relay's whole hold, ${REORDER_HOLD_MS} ms, for a successor that never comes: the max RTT and a throughput "to last echo" can include that wait)`
    const reorderRange = e.reorderRangePercent
    if (reorderRange !== undefined) {
      const held = config.reorder > 0 ? heldNote : ''
      parts.push(reorderExpectation(config, reorderRange, m.reorderedPercent, m.reorderWithinRange ?? true, r.sendLagMs) + held)
    } else if (config.reorder > 0 && !outcome.notApplied.includes('reorder')) {
      // A result from before the range existed (JSON read back): the single simulated figure.
      parts.push(`reorder ${config.reorder}% each way → expected about ${percent(e.reorderPercentApprox)} reordered, measured ${percent(m.reorderedPercent)}` + heldNote)
    }
    if (outcome.notApplied.length > 0) parts.push(config.tcpDegraded?.reason ?? `not applied: ${outcome.notApplied.join(', ')}`)
    lines.push(`${NAMES[transport]}: ${parts.length > 0 ? parts.join('; ') : 'nothing to expect (no impairment)'}`)
    const drops = kernelDrops(result, transport)
    if (drops !== undefined) {
      lines.push(`${NAMES[transport]}: the kernel dropped ${count(drops.dropped)} of ${count(drops.seen)} packets ` +
        `(c→s ${count(drops.clientToServer)}, s→c ${count(drops.serverToClient)})`)
    }
  }
  return lines
}

/**
 * The reordering line (UDP under --reorder and/or --jitter): the simulated 95% range, the
 * measured share, and — outside the range — what could have caused it.
 */
function reorderExpectation (
  config: NonNullable<CompareResult['config']['impairment']>,
  range: NonNullable<CompareTransportResult['impairment']>['expected']['reorderRangePercent'] & object,
  measuredPercent: number, within: boolean, sendLagMs: TransportResult['sendLagMs'],
): string {
  const causes = [config.reorder > 0 ? `reorder ${config.reorder}%` : '', config.jitter > 0 ? `jitter ±${config.jitter} ms` : ''].filter(Boolean).join(' and ')
  const spread = range.high === 0 ? 'none reordered' : `${rangeText(range.low, range.high)} reordered`
  const basis = `95% of ${count(range.runs)} simulated runs of ${count(range.probes)} probes ${ms(range.spacingMs)} apart`
  const head = `${causes} each way → expected ${spread} (${basis}), measured ${percent(measuredPercent)}`
  if (within) return `${head}: within that range`
  const side = measuredPercent > range.high ? 'above' : 'below'
  const chance = `1 run in 40 is this ${side === 'above' ? 'high' : 'low'} by chance alone`
  if (config.jitter === 0) {
    return `${head}: ${side} that range — ${chance}; the hold rule depends on timing only when probes come close to ` +
      `the ${REORDER_HOLD_MS} ms hold apart, so if it repeats the simulation misses something here`
  }
  if (side === 'below') {
    return `${head}: below that range — ${chance}; a busy machine packs datagrams closer, which reorders more, not less, ` +
      'so if it repeats the simulation misses something here'
  }
  const lag = sendLagMs.max === null ? '' : ` (send lag here: mean ${ms(sendLagMs.mean ?? 0)}, max ${ms(sendLagMs.max)})`
  return `${head}: above that range — the simulation sends on schedule and forwards when due; on a busy machine the sender${lag}, ` +
    'the relay and the reflector stall now and then and catch up in a burst, so datagrams leave closer together than ' +
    `${ms(range.spacingMs)}, and under jitter closer datagrams overtake each other more; ${chance}`
}

/** `12.6–19.4%`, with both ends in the same precision as {@link percent}. */
function rangeText (low: number, high: number): string {
  return `${percent(low).replace('%', '')}–${percent(high)}`
}

/**
 * What the kernel emulator's nftables table dropped of one transport's packets (both
 * directions), or undefined when the kernel did not do this transport's loss.
 */
export function kernelDrops (result: CompareResult, transport: Transport):
  { dropped: number; seen: number; clientToServer: number; serverToClient: number } | undefined {
  if (result.results[transport]?.impairment?.appliedBy.loss !== 'kernel') return undefined
  const k = result.impairmentCounters?.kernel?.[transport]
  if (k === undefined) return undefined
  return {
    dropped: k.clientToServer.dropped + k.serverToClient.dropped,
    seen: k.clientToServer.received + k.serverToClient.received,
    clientToServer: k.clientToServer.dropped,
    serverToClient: k.serverToClient.dropped,
  }
}

/** 2431 → "2,431". */
const count = (n: number): string => n.toLocaleString('en-US')

const IMPAIRMENT_NAMES = ['loss', 'delay', 'jitter', 'reorder', 'duplicate'] as const

function describeKind (kind: typeof IMPAIRMENT_NAMES[number], config: NonNullable<CompareResult['config']['impairment']>): string {
  if (kind === 'delay') return `delay ${config.delay} ms`
  if (kind === 'jitter') return `jitter ±${config.jitter} ms`
  return `${kind} ${config[kind]}%`
}

// ——— verdict sentences ———

/** "all 300 probes", or "its one probe" (never "all 1 probe"). */
const allProbes = (n: number): string => n === 1 ? 'its one probe' : `all ${n} probes`

function udpVerdict (result: CompareResult, r: CompareTransportResult, kernel: KernelReport | undefined): string {
  if (r.lost === 0) {
    const hint = result.config.local && !result.config.blast && result.config.impairment === undefined
      ? ': at this rate loopback\'s buffers have room for everything; --blast sends as fast as possible and shows the receive buffer overflowing'
      : ''
    return `UDP delivered ${allProbes(r.sent)}${hint}.`
  }
  const head = `UDP lost ${percent(r.lossPercent)}`
  const hint = tmaxHint(result, r)
  const lateNote = r.late > 0 ? `; ${plural(r.late, 'probe')} came back after Tmax (${ms(r.tmaxMs)}) and count as lost${hint}` : ''
  if (r.late === r.lost) {
    return `UDP lost ${percent(r.lossPercent)}: all ${r.lost} came back, but after Tmax (${ms(r.tmaxMs)}), so they count as lost (RFC 7680)${hint}.`
  }
  if (r.received === 0 && r.late > 0) {
    // Nothing in time, but the reflector answered: the round trip is longer than Tmax.
    return `${head}: none came back within Tmax (${ms(r.tmaxMs)}); ${plural(r.late, 'probe')} came back later (late, counted as lost, RFC 7680)${hint}.`
  }
  // Probes the local kernel refused to send never reached the network or a buffer.
  const refused = Math.min(r.sendFailures, r.lost - r.late)
  const dropped = r.lost - r.late - refused
  const udpCounters = kernel?.available === true ? kernel.udp : undefined
  const refusedSentence = `${plural(refused, 'probe')} never left this machine: the kernel refused the send, its send buffer was full${udpCounters !== undefined ? ` (SndbufErrors +${udpCounters.sndbufErrors})` : ''}`
  if (dropped === 0) return `${head}: ${refusedSentence}${lateNote}.`
  const refusedNote = refused > 0 ? `; ${refusedSentence}` : ''
  if (udpCounters === undefined) {
    const why = kernel?.reason !== undefined ? ` (${kernel.reason})` : ''
    return `${head}: the kernel's drop counters are not available here${why}, so where they were lost cannot be told${refusedNote}${lateNote}.`
  }
  const { rcvbufErrors, inErrors } = udpCounters
  const impairment = result.config.impairment
  const impairedLoss = r.impairment !== undefined && impairment !== undefined && impairment.loss > 0 && !r.impairment.notApplied.includes('loss')
  if (impairedLoss) {
    const by = r.impairment!.appliedBy.loss ?? impairment!.emulator
    const split = lossSplit(result, r, dropped, rcvbufErrors)
    if (split !== undefined) return `${head}, above the ${percent(r.impairment!.expected.lossRangePercent.high)} that chance allows: ${split}${refusedNote}${lateNote}.`
    // The emulator's drops are the expected cause; the kernel counter is machine-wide, so it is only a side note.
    const also = rcvbufErrors > 0 ? `; RcvbufErrors +${rcvbufErrors} during the run (machine-wide: some may be real buffer overflows)` : ''
    return `${head}: the ${by} emulator dropped ${impairment!.loss}% each way, so ${percent(r.impairment!.expected.lossPercent)} of round trips were expected to fail${also}${refusedNote}${lateNote}.`
  }
  const buffer = kernel?.socketBuffers?.receiveBytes !== undefined ? `; receive buffer ${formatBytes(kernel.socketBuffers.receiveBytes)}` : ''
  const counted = `RcvbufErrors +${rcvbufErrors}${inErrors !== rcvbufErrors ? `, InErrors +${inErrors}` : ''}`
  if (rcvbufErrors === 0 && inErrors === 0) {
    const emulator = typeof result.config.impairment?.emulator === 'string' ? ` (here: the ${result.config.impairment.emulator} impairment emulator)` : ''
    return `${head}: lost in the network or dropped by a firewall${emulator}, not by this machine's buffers (${counted})${refusedNote}${lateNote}.`
  }
  if (rcvbufErrors === dropped) {
    return `${head}: the receiver's buffer overflowed — the kernel counted the same drops (${counted}${buffer})${refusedNote}${lateNote}.`
  }
  if (rcvbufErrors > dropped) {
    return `${head}: the receiver's buffer overflowed — the kernel counted ${rcvbufErrors} drops, at least as many (${counted}${buffer}; the counter covers the whole machine)${refusedNote}${lateNote}.`
  }
  return `${head}: the receiver's buffer overflowed for ${rcvbufErrors} of them (${counted}${buffer}); the other ${dropped - rcvbufErrors} were lost in the network or dropped by a firewall${refusedNote}${lateNote}.`
}

/**
 * UDP loss above the expected range, split between the emulator's drops (its own counters)
 * and this machine's receive buffer (RcvbufErrors) — when those counters explain the rest.
 * undefined when the loss is within range or nothing explains the difference.
 */
function lossSplit (result: CompareResult, r: CompareTransportResult, dropped: number, rcvbufErrors: number): string | undefined {
  const outcome = r.impairment
  if (outcome === undefined || outcome.measured.lossWithinRange || r.lossPercent < outcome.expected.lossRangePercent.high || rcvbufErrors === 0) return undefined
  const emulator = emulatorDrops(result, 'udp')
  if (emulator === undefined || emulator >= dropped) return undefined
  const by = `${count(emulator)} dropped by the emulator`
  if (emulator + rcvbufErrors === dropped) return `${by}, ${count(rcvbufErrors)} by this machine's receive buffer (RcvbufErrors)`
  return `${by}; the other ${count(dropped - emulator)} were not, and RcvbufErrors rose by ${count(rcvbufErrors)} during the run (machine-wide: this machine's receive buffers overflowed)`
}

/** Packets of one transport the emulator that did its loss dropped (kernel table or relay), both directions. */
function emulatorDrops (result: CompareResult, transport: Transport): number | undefined {
  const by = result.results[transport]?.impairment?.appliedBy.loss
  if (by === 'kernel') return kernelDrops(result, transport)?.dropped
  const relay = by === 'userspace' ? result.impairmentCounters?.[transport] : undefined
  return relay === undefined ? undefined : relay.clientToServer.dropped + relay.serverToClient.dropped
}

/**
 * When a --tmax was given and probes came back after it: the round trip is longer than
 * the waiting time the user chose, which is worth one suggestion.
 */
function tmaxHint (result: CompareResult, r: TransportResult): string {
  if (result.config.tmaxMs === null || r.late === 0) return ''
  return `: the round trip took longer than --tmax ${result.config.tmaxMs}; give a larger --tmax, or leave it out for the automatic one (at least 1 s)`
}

function tcpVerdict (result: CompareResult, r: TransportResult, kernel: KernelReport | undefined): string {
  // Tcp RetransSegs is machine-wide: other connections on this machine count too. So it is
  // reported as what the kernel counted, and a tail is only called "consistent with"
  // retransmissions when the count is above 0 — never blamed on them when it is 0.
  const retrans = kernel?.available === true ? kernel.tcp?.retransSegs : undefined
  const counted = retrans === undefined
    ? ''
    : retrans === 0
      ? 'the kernel counted no retransmitted segments on this machine during the run (RetransSegs +0)'
      : `the kernel counted ${plural(retrans, 'retransmitted segment')} on this machine during the run (RetransSegs +${retrans}, machine-wide)`
  const died = result.errors?.tcp
  if (r.lost > 0 && died !== undefined) {
    // The connection is gone: what was not back was lost with it, not "still on its way".
    return `TCP: ${connectionEnd(died.code)} after ${plural(r.received, 'probe')} had come back; ` +
      `the other ${plural(r.lost, 'probe')} (${percent(r.lossPercent)}) were lost with the connection — ` +
      `TCP delivers only while its connection lasts${counted === '' ? '' : `; ${counted}`}.`
  }
  if (r.lost > 0) {
    const late = r.late > 0 ? `; ${r.late} of them came back later` : ''
    const ended = r.tmaxRule === 'tcp-delivery' ? 'when the wait ended (it waits for every TCP probe while the connection lives, at most this long)'
      : r.tmaxRule === 'given' ? 'when the wait ended' : 'when the stop cut the wait short'
    const head = `TCP: ${plural(r.lost, 'probe')} (${percent(r.lossPercent)}) did not come back within Tmax (${ms(r.tmaxMs)}). TCP does not drop data, so they were still on their way ${ended}`
    // A --tmax applies strictly, to TCP too: under loss its retransmissions outlast a short one.
    const hint = r.tmaxRule === 'given'
      ? `: give a larger --tmax, or leave it out (TCP then waits for every probe while its connection lives, up to ${TCP_DELIVERY_CAP_MS / 1000} s)`
      : ''
    if (retrans !== undefined && retrans > 0) return `${head}, consistent with retransmissions: ${counted}${late}${hint}.`
    return `${head}${counted === '' ? '' : `; ${counted}`}${late}${hint}.`
  }
  const tail = r.rttMs.p99 ?? r.rttMs.max
  const tailName = r.rttMs.p99 !== null ? 'p99' : 'worst RTT'
  const median = r.rttMs.p50 ?? r.rttMs.min
  const tailGrew = tail !== null && median !== null && tail >= 1 && tail >= 4 * median
  const drops = kernelDrops(result, 'tcp')
  const dropped = drops !== undefined && drops.dropped > 0 ? `the kernel dropped ${plural(drops.dropped, 'TCP packet')}; ` : ''
  // Not only the tail: when the median itself sits far above the fastest probe, a stalled
  // segment held back most probes behind it (head-of-line blocking), and "p99 within 4× the
  // median" would call that no cost.
  const fastest = r.rttMs.min
  const shifted = median !== null && fastest !== null && median >= 1 && median >= 10 * fastest
  const countedNote = counted === '' ? '' : `; ${counted}`
  // --blast writes faster than the echoes return, so probes wait in the socket buffers behind
  // each other: that queue, not a resend, is what a blast's RTTs show (its send lag is 0).
  const queue = '--blast writes probes faster than their echoes come back, so they queue behind each other in the socket buffers'
  if (shifted) {
    const head = `TCP lost nothing, but most probes waited: median ${ms(median!)}, ${tailName} ${tail === null ? 'n/a' : ms(tail)}, fastest ${ms(fastest!)}`
    // RTTs run from the schedule: a sender behind it by about the median's rise explains the wait.
    const lagMean = r.sendLagMs.mean
    if (lagMean !== null && lagMean >= 0.5 * (median! - fastest!)) {
      return `${head} — mostly this machine's own lag: the sender ran ${ms(lagMean)} behind its schedule on average, and RTTs run from the schedule${countedNote}.`
    }
    if (result.config.blast && drops === undefined) return `${head} — ${queue}${countedNote}.`
    // Head-of-line blocking is named only when something was resent (or the kernel table dropped TCP packets).
    if ((retrans !== undefined && retrans > 0) || dropped !== '') {
      return `${head} — a segment that must be resent holds back every byte behind it (head-of-line blocking): consistent with retransmissions — ${`${dropped}${counted}`.replace(/; $/, '')}.`
    }
    return `${head}${countedNote}.`
  }
  if (tailGrew) {
    const head = `TCP lost nothing but its ${tailName} grew to ${ms(tail!)}`
    if (result.config.blast && drops === undefined) return `${head}: ${queue}${countedNote}.`
    // RTTs run from the schedule, so a sender that fell behind puts its own lag into the
    // tail. When the lag's p99 covers half the tail's rise or more, that is the likelier
    // cause than a (machine-wide) retransmission count — say so, and report the count.
    const lagP99 = r.sendLagMs.p99
    if (lagP99 !== null && tail! > median! && lagP99 >= 0.5 * (tail! - median!)) {
      return `${head}, mostly this machine's own stall: the sender fell behind its schedule by ${ms(lagP99)} at p99, and RTTs run from the schedule${counted === '' ? '' : `; ${counted}`}.`
    }
    if (retrans !== undefined && retrans > 0) return `${head}: consistent with retransmissions — ${dropped}${counted}.`
    // No count above 0: state the facts, name no cause (with a remote reflector its own
    // kernel's retransmissions are not in this machine's counter anyway).
    const medianText = `median ${ms(median!)}`
    if (retrans === 0) return `${head} (${medianText}); ${counted}.`
    return `${head} (${medianText}); the kernel's retransmission counter is not available here.`
  }
  // p99 did not grow 4×, but the rarest probes may have: a retransmission hits a few
  // probes in a thousand, below p99. Name the worst (and p99.9 when there are samples).
  const worst = r.rttMs.max
  const rareTail = worst !== null && median !== null && tail !== null && worst >= 1 && worst >= 4 * median && worst > tail
  if (rareTail && retrans !== undefined && retrans > 0) {
    const p999 = r.rttMs.p999 !== null && r.rttMs.p999 < worst! ? `p99.9 ${ms(r.rttMs.p999)}, ` : ''
    const why = dropped !== ''
      ? `a few probes waited for a retransmission (${dropped}RetransSegs +${retrans})`
      : `a few probes waited, consistent with retransmissions — ${counted}`
    return `TCP lost nothing; its worst RTT was ${ms(worst!)} (${p999}${tailName} ${ms(tail!)}): ${why}.`
  }
  if (retrans !== undefined && retrans > 0) {
    // The figures, not "no cost": the reader judges a tail that stayed within 4× the median.
    const against = median === null ? '' : ` against a median of ${ms(median)}`
    return `TCP delivered ${allProbes(r.sent)}, in order, with no large cost to the tail (${tailName} ${tail === null ? 'n/a' : ms(tail)}${against}); ${counted}.`
  }
  const note = retrans === undefined ? '' : ' (RetransSegs +0: nothing on this machine had to be resent)'
  return `TCP delivered ${allProbes(r.sent)}, in order, as expected${note}.`
}

/** How a TCP connection ended mid-run, from the error's code. */
function connectionEnd (code: string): string {
  switch (code) {
    case 'ECONNRESET': return 'the reflector reset the connection (ECONNRESET)'
    case 'EPIPE': return 'the connection broke (EPIPE: the reflector had closed it)'
    // compare's own code when the reflector ended the stream (FIN) during the run.
    case 'ERR_SOCKKIT_NO_ANSWER': return 'the reflector closed the connection'
    default: return `the connection failed (${code})`
  }
}

// ——— table ———

interface Row { label: string; cells: string[] }

function table (result: CompareResult, transports: Transport[], style: ChalkInstance, width: number): string[] {
  const columnWidth = Math.min(MAX_COLUMN_WIDTH, Math.floor((width - LABEL_WIDTH) / Math.max(1, transports.length)))
  const results = transports.map(transport => result.results[transport]!)
  const row = (label: string, cell: (r: TransportResult, transport: Transport) => string): Row =>
    ({ label, cells: results.map((r, i) => cell(r, transports[i]!)) })
  const latencyRows = (prefix: string, pick: (r: TransportResult) => LatencySummary, keys: Array<keyof LatencySummary>): Row[] =>
    keys.map(key => row(`${prefix} ${KEY_LABELS[key]}`, r => latencyCell(pick(r), key, r)))

  const rows: Row[] = [
    row('sent', r => String(r.sent)),
    row('received', r => String(r.received)),
    row('lost (%)', r => `${r.lost} (${percent(r.lossPercent)})`),
    row('late (after Tmax)', r => String(r.late)),
    row('duplicates', r => String(r.duplicates)),
    row('reordered (max extent)', r => `${r.reordered} (${r.maxReorderExtent})`),
    ...latencyRows('RTT', r => r.rttMs, ['min', 'mean', 'p50', 'p90', 'p99', 'p999', 'max']),
    row('RTT jitter (RFC 3550)', r => (r.jitterMs === null ? `n/a (needs ≥2 samples)` : ms(r.jitterMs))),
    // |IPDV|: the size of the change from the previous probe (RFC 5481's IPDV is signed and
    // centred on 0); PDV p99 is RFC 5481's recommended summary (how much buffer smooths it).
    ...latencyRows('|IPDV|', r => r.ipdvMs, ['p50', 'p99']),
    ...latencyRows('PDV', r => r.pdvMs, ['p99']),
    row('send lag mean / max', r => (r.sendLagMs.max === null ? 'n/a' : `${ms(r.sendLagMs.mean!)} / ${ms(r.sendLagMs.max)}`)),
    row('throughput probes/s', r => (r.throughput.probesPerSecond === null ? 'n/a (needs ≥2 probes)' : r.throughput.probesPerSecond.toFixed(1))),
    row('throughput Mbit/s', r => (r.throughput.mbitPerSecond === null ? 'n/a (needs ≥2 probes)' : mbit(r.throughput.mbitPerSecond))),
    // Over the measured interval only, never the Tmax wait for probes that did not come back;
    // "end of sending" is the last scheduled send + one interval (or the last actual send).
    row('throughput over', r => `${ms(r.throughput.durationMs)} to ${r.throughput.endsAt === 'last-arrival' ? 'last echo' : 'end of sending'}`),
    row('Tmax', r => `${ms(r.tmaxMs)}${TMAX_RULE_CELL[r.tmaxRule]}`),
  ]
  if (results.some(r => r.sendFailures > 0)) rows.push(row('sends refused (local)', r => String(r.sendFailures)))
  const kernels = transports.map(transport => result.kernel[transport])
  if (kernels.some(k => k !== undefined)) {
    rows.push({ label: 'kernel (machine-wide)', cells: transports.map((transport, i) => kernelCell(transport, kernels[i])) })
  }
  if (kernels.some(k => k?.socketBuffers?.receiveBytes !== undefined)) {
    // TCP's comes from Linux's ss (Node cannot read a TCP socket's buffer sizes).
    rows.push({ label: 'socket receive buffer', cells: kernels.map((k, i) => (k?.socketBuffers?.receiveBytes === undefined
      ? (transports[i] === 'tcp' ? 'n/a (no ss: not readable)' : 'n/a')
      : formatBytes(k.socketBuffers.receiveBytes))) })
  }

  const cell = (text: string) => fit(text, columnWidth - 1).padEnd(columnWidth)
  const lines = [style.bold(''.padEnd(LABEL_WIDTH) + transports.map(t => cell(NAMES[t])).join('').trimEnd())]
  for (const { label, cells } of rows) {
    lines.push(style.dim(label.padEnd(LABEL_WIDTH)) + cells.map(cell).join('').trimEnd())
  }
  return lines
}

const KEY_LABELS: Record<keyof LatencySummary, string> = {
  min: 'min', mean: 'mean', p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max',
}
const KEY_QUANTILES: Partial<Record<keyof LatencySummary, number>> = { p50: 0.5, p90: 0.9, p99: 0.99, p999: 0.999 }

function latencyCell (summary: LatencySummary, key: keyof LatencySummary, r: TransportResult): string {
  const value = summary[key]
  if (value !== null) return ms(value)
  if (r.samples === 0) return 'n/a (no samples)'
  const quantile = KEY_QUANTILES[key]
  return quantile === undefined ? 'n/a' : `n/a (needs ≥${minSamplesFor(quantile)} samples)`
}

function kernelCell (transport: Transport, kernel: KernelReport | undefined): string {
  if (kernel === undefined || !kernel.available) return 'n/a'
  if (transport === 'udp') return kernel.udp === undefined ? 'n/a' : `RcvbufErrors +${kernel.udp.rcvbufErrors}`
  return kernel.tcp === undefined ? 'n/a' : `RetransSegs +${kernel.tcp.retransSegs}`
}

// ——— latency plot ———

function latencyPlot (r: TransportResult, style: ChalkInstance, width: number): string[] {
  const title = `${NAMES[r.transport]} round-trip times from the scheduled send (${plural(r.samples, 'sample')})`
  if (r.histogram.length === 0) return [style.bold(title), '  nothing came back in time, nothing to plot']
  const rows = plotRows(r.histogram)
  const labels = rows.map(row => (row === undefined ? '…' : `${plotNumber(row.fromMs)}–${plotNumber(row.toMs)} ms`))
  const labelWidth = Math.max(...labels.map(label => label.length))
  const counts = rows.map(row => (row === undefined ? '' : `${row.count} (${percent((row.count / r.samples) * 100)})`))
  const countWidth = Math.max(...counts.map(count => count.length))
  const barWidth = Math.max(10, width - 2 - labelWidth - 3 - 1 - countWidth)
  const largest = Math.max(...rows.map(row => row?.count ?? 0))
  const colour = r.transport === 'tcp' ? style.cyan : style.yellow
  const block = style.level > 0 ? '█' : '#'
  const lines = [style.bold(title)]
  rows.forEach((row, i) => {
    if (row === undefined) { lines.push(`  ${labels[i]!.padStart(labelWidth)}`); return }
    const length = row.count === 0 ? 0 : Math.max(1, Math.round((row.count / largest) * barWidth))
    const bar = block.repeat(length)
    lines.push(`  ${labels[i]!.padStart(labelWidth)} | ${colour(bar)}${bar.length > 0 ? ' ' : ''}${counts[i]}`.trimEnd())
  })
  return lines
}

/** The histogram's rows, with long runs of empty buckets folded into one `undefined` row. */
function plotRows (histogram: HistogramBucket[]): Array<HistogramBucket | undefined> {
  if (histogram.length <= MAX_PLOT_ROWS) return histogram
  const rows: Array<HistogramBucket | undefined> = []
  for (let i = 0; i < histogram.length; i++) {
    let end = i
    while (end < histogram.length && histogram[end]!.count === 0) end++
    if (end - i >= 2) { rows.push(undefined); i = end - 1; continue }
    rows.push(histogram[i])
  }
  return rows
}

// ——— header and footer ———

function headerLines (result: CompareResult): string[] {
  const { config } = result
  // formatAddress brackets an IPv6 host ([::1]:9000), as every other line naming it does.
  const target = `${formatAddress(config.host, config.port)}${config.local ? ' (own reflector on this machine)' : ''}`
  const pace = config.blast ? 'as fast as possible (--blast)' : `at ${config.ratePerSecond}/s`
  const extras = [
    config.nagle ? 'Nagle on' : '',
    config.warmup > 0 ? `${config.warmup} warm-up` : '',
    result.interrupted ? 'stopped early' : '',
  ].filter(Boolean)
  return [
    `sockkit compare → ${target}`,
    `${plural(config.count, 'probe')} per transport ${pace}, ${config.sizeBytes} bytes each${extras.length > 0 ? ` (${extras.join(', ')})` : ''}`,
  ]
}

/** After the Tmax figure in the table: how it was chosen, when not --tmax or the automatic rule. */
const TMAX_RULE_CELL: Record<TransportResult['tmaxRule'], string> = { given: '', auto: '', 'tcp-delivery': ' (cap)', stopped: ' (stopped)' }
/** After the Tmax figure in the footer: how it was chosen. */
const TMAX_RULE_FOOTER: Record<TransportResult['tmaxRule'], string> = {
  given: ' (--tmax)',
  auto: ' (auto)',
  'tcp-delivery': ' (waits for every probe while connected, up to this cap)',
  stopped: ' (the stop cut the wait short)',
}

function footer (result: CompareResult, transports: Transport[]): string {
  const shown = transports.map(t => result.results[t]!)
  const first = shown[0]
  const tmax = first === undefined
    ? `Tmax ${ms(result.config.tmaxMs ?? 0)}`
    : shown.every(r => r.tmaxMs === first.tmaxMs && r.tmaxRule === first.tmaxRule)
      ? `Tmax ${ms(first.tmaxMs)}${TMAX_RULE_FOOTER[first.tmaxRule]}`
      : `Tmax ${shown.map(r => `${NAMES[r.transport]} ${ms(r.tmaxMs)}${TMAX_RULE_FOOTER[r.tmaxRule]}`).join(', ')}`
  // The definitions, by RFC; the full wording is in --help and docs/compare.md.
  return `${tmax} · RFC 6673 loss · 4737 reordering · 3550 jitter · 5481 PDV`
}

// ——— small helpers ———

function shownTransports (result: CompareResult): Transport[] {
  const asked = result.config.transports.filter(t => result.results[t] !== undefined)
  const rest = (['tcp', 'udp'] as const).filter(t => result.results[t] !== undefined && !asked.includes(t))
  return [...asked, ...rest]
}

/** `0.031 ms`, `2.50 ms`, `14.2 ms`, `210 ms`: about three significant digits. */
function ms (value: number): string {
  const magnitude = Math.abs(value)
  if (magnitude === 0) return '0 ms'
  if (magnitude < 1) return `${value.toFixed(3)} ms`
  if (magnitude < 10) return `${value.toFixed(2)} ms`
  if (magnitude < 100) return `${value.toFixed(1)} ms`
  return `${value.toFixed(0)} ms`
}

/** `0%`, `0.05%`, `3.1%`, `20%`, `100%`; never rounds a real loss to 0% or a partial one to 100%. */
function percent (value: number): string {
  if (value === 0 || value === 100) return `${value}%`
  if (value < 0.01) return '<0.01%'
  if (value > 99.9) return '>99.9%'
  return `${Number(value.toFixed(value < 1 ? 2 : 1))}%`
}

function mbit (value: number): string {
  if (value === 0) return '0'
  return value < 1 ? value.toFixed(3) : value.toFixed(1)
}

/** Histogram edge: `0.03`, `1.5`, `700` — edges are round numbers already. */
function plotNumber (value: number): string {
  return String(Number(value.toPrecision(3)))
}

function csvNumber (value: number | null): string {
  return value === null ? '' : String(Number(value.toFixed(6)))
}

/** Cut text to `max` columns with an ellipsis (cells are short by design; this is a guard). */
function fit (text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1))}…`
}

/** Word-wrap to `width` columns (a single word longer than that stays whole). */
function wrap (text: string, width: number): string[] {
  const lines: string[] = []
  let line = ''
  for (const word of text.split(' ')) {
    if (line !== '' && line.length + 1 + word.length > width) { lines.push(line); line = word } else line = line === '' ? word : `${line} ${word}`
  }
  if (line !== '') lines.push(line)
  return lines
}
