/**
 * `sockkit compare`'s screen in English: the header, the impairment block's frame, the table's
 * labels and cells, the latency plot and the footer; `findings` words what a run means
 * (compare-findings.ts), one message per finding code.
 */
import type { Fmt } from '../fmt.js'
import { compareUnits } from '../compare-units.js'
import { compareFindingsEn } from './compare-findings.js'

export const compare = (f: Fmt) => {
  const { ms } = compareUnits(f)
  return {
    findings: compareFindingsEn(f),
    header: {
      target: (p: { address: string; local: boolean }) => `sockkit compare → ${p.address}${p.local ? ' (own reflector on this machine)' : ''}`,
      /** extras: already worded (Nagle on, warm-up, stopped early). */
      plan: (p: { count: number; ratePerSecond: number | null; sizeBytes: number; extras: string[] }) =>
        `${f.plural(p.count, { one: '# probe', other: '# probes' })} per transport ${p.ratePerSecond === null ? 'as fast as possible (--blast)' : `at ${f.num(p.ratePerSecond)}/s`}, ` +
        `${f.num(p.sizeBytes)} bytes each${p.extras.length > 0 ? ` (${p.extras.join(', ')})` : ''}`,
      nagle: 'Nagle on',
      warmup: (p: { warmup: number }) => `${f.num(p.warmup)} warm-up`,
      stoppedEarly: 'stopped early',
    },
    impairment: {
      /** asked: the impairments, each already worded by `kind`; empty when none was asked. */
      title: (p: { emulator: string; asked: string[]; seed: number | null }) =>
        `impairment (${p.emulator}): ${p.asked.length === 0 ? 'none (a plain relay: its own cost is in the RTTs)' : `${p.asked.join(', ')} each way`}` +
        (p.seed === null ? '' : ` · seed ${f.num(p.seed)}`),
      kind: (p: { kind: 'loss' | 'delay' | 'jitter' | 'reorder' | 'duplicate'; value: number }) =>
        p.kind === 'delay' ? `delay ${f.num(p.value)} ms` : p.kind === 'jitter' ? `jitter ±${f.num(p.value)} ms` : `${p.kind} ${f.num(p.value)}%`,
      why: (p: { emulator: string; reason: string }) => `why ${p.emulator}: ${p.reason}`,
      /** One transport's clauses (findings), one line. */
      line: (p: { label: string; clauses: string[] }) => `${p.label}: ${p.clauses.join('; ')}`,
    },
    table: {
      sent: 'sent',
      received: 'received',
      lost: 'lost (%)',
      late: 'late (after Tmax)',
      duplicates: 'duplicates',
      reordered: 'reordered (max extent)',
      rtt: (p: { stat: string }) => `RTT ${p.stat}`,
      jitter: 'RTT jitter (RFC 3550)',
      ipdv: (p: { stat: string }) => `|IPDV| ${p.stat}`,
      pdv: (p: { stat: string }) => `PDV ${p.stat}`,
      sendLag: 'send lag mean / max',
      probesPerSecond: 'throughput probes/s',
      mbitPerSecond: 'throughput Mbit/s',
      throughputOver: 'throughput over',
      tmax: 'Tmax',
      sendsRefused: 'sends refused (local)',
      kernel: 'kernel (machine-wide)',
      /** The same counters read inside compare's own network namespace (kernel-userns). */
      kernelNamespace: 'kernel (namespace)',
      receiveBuffer: 'socket receive buffer',
      stats: { min: 'min', mean: 'mean', p50: 'p50', p90: 'p90', p99: 'p99', p999: 'p99.9', max: 'max' },
      lostCell: (p: { lost: number; percent: string }) => `${f.num(p.lost)} (${p.percent})`,
      reorderedCell: (p: { reordered: number; maxExtent: number }) => `${f.num(p.reordered)} (${f.num(p.maxExtent)})`,
      na: 'n/a',
      naNoSamples: 'n/a (no samples)',
      naNeedsSamples: (p: { samples: number }) => `n/a (needs ≥${f.num(p.samples)} samples)`,
      naNeedsTwoSamples: 'n/a (needs ≥2 samples)',
      naNeedsTwoProbes: 'n/a (needs ≥2 probes)',
      naNoSs: 'n/a (no ss: not readable)',
      sendLagCell: (p: { meanMs: number; maxMs: number }) => `${ms(p.meanMs)} / ${ms(p.maxMs)}`,
      over: (p: { durationMs: number; endsAt: 'last-arrival' | 'last-send' }) => `${ms(p.durationMs)} to ${p.endsAt === 'last-arrival' ? 'last echo' : 'end of sending'}`,
      /** After the Tmax figure: how it was chosen, when not --tmax or the automatic rule. */
      tmaxRule: { given: '', auto: '', 'tcp-delivery': ' (cap)', stopped: ' (stopped)' },
      rcvbufErrors: (p: { n: number }) => `RcvbufErrors +${f.num(p.n)}`,
      retransSegs: (p: { n: number }) => `RetransSegs +${f.num(p.n)}`,
    },
    plot: {
      title: (p: { label: string; samples: number }) => `${p.label} round-trip times from the scheduled send (${f.plural(p.samples, { one: '# sample', other: '# samples' })})`,
      empty: 'nothing came back in time, nothing to plot',
      row: (p: { from: string; to: string }) => `${p.from}–${p.to} ms`,
      count: (p: { count: number; percent: string }) => `${f.num(p.count)} (${p.percent})`,
    },
    footer: {
      /** After the Tmax figure in the footer: how it was chosen. */
      tmaxRule: {
        given: ' (--tmax)',
        auto: ' (auto)',
        'tcp-delivery': ' (waits for every probe while connected, up to this cap)',
        stopped: ' (the stop cut the wait short)',
      },
      tmax: (p: { ms: string; rule: string }) => `Tmax ${p.ms}${p.rule}`,
      tmaxEach: (p: { each: Array<{ label: string; ms: string; rule: string }> }) => `Tmax ${p.each.map(e => `${e.label} ${e.ms}${e.rule}`).join(', ')}`,
      // The definitions, by RFC; the full wording is in --help and docs/compare.md.
      definitions: (p: { tmax: string }) => `${p.tmax} · RFC 6673 loss · 4737 reordering · 3550 jitter · 5481 PDV`,
    },
  }
}
