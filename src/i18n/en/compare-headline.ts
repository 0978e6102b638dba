/**
 * compare's headline: the first lines of the human output, what differed between the
 * transports (findings/headline.ts), from its params. `label` / `otherLabel` are the
 * transports' own names (traits.label).
 */
import type { Fmt } from '../fmt.js'
import { compareUnits } from '../compare-units.js'
import type { HeadlineCause, HeadlineParams } from '../../compare/findings/headline.js'
import type { TailName } from '../../compare/findings/params.js'

type Labels = { label: string; otherLabel: string }

export const compareHeadline = (f: Fmt) => {
  const { ms, percent } = compareUnits(f)
  const tailWord = (tail: TailName) => (tail === 'p99' ? 'p99' : 'worst RTT')
  const times = (r: number | null) => (r === null ? 'too few samples' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 1)}×`)
  // The halves' ratios in hundredths: 1.08× must not read as the 1.1× that counts as a difference.
  const timesExact = (r: number | null) => (r === null ? 'too few samples' : `${r >= 10 ? f.num(Math.round(r)) : f.num(r, 2)}×`)
  const ratio = (mine: number | null, other: number | null) => (mine === null || other === null || other === 0 ? null : mine / other)
  const cause: Record<HeadlineCause, string> = {
    'retransmissions': 'retransmissions',
    'head-of-line': 'head-of-line blocking behind a resent segment',
    'machine-stall': "this machine's own stall",
    'sender-lag': 'the sender fell behind its schedule',
    'queue': 'probes queued in the socket buffers (--blast)',
    'receive-buffer': 'receive buffer full',
    'impairment': 'the loss asked for',
    'network': 'lost on the way',
    'send-refused': 'the kernel refused sends',
    'connection-lost': 'the connection died',
    'late': 'not back within Tmax',
  }
  return {
    'headline-transport': (p: HeadlineParams['headline-transport'] & Labels) =>
      `${p.label}: ${percent(p.lossPercent)} lost, ${tailWord(p.tail)} ${p.tailMs === null ? 'none (nothing came back)' : ms(p.tailMs)}` +
      `${p.ratio === null ? '' : ` (${times(p.ratio)} ${p.otherLabel}'s)`}${p.cause === null ? '' : ` — ${cause[p.cause]}`}`,
    'headline-noise': (p: HeadlineParams['headline-noise'] & Labels) => p.measure === 'tail'
      ? `within this run's noise: ${p.label}'s ${tailWord(p.tail)} was ${timesExact(ratio(p.firstMine, p.firstOther))} ${p.otherLabel}'s ` +
        `in the first half of the run and ${timesExact(ratio(p.secondMine, p.secondOther))} in the second`
      : `within this run's noise: ${p.label} lost ${percent(p.firstMine ?? 0)} in the first half of the run and ${percent(p.secondMine ?? 0)} ` +
        `in the second; ${p.otherLabel} ${percent(p.firstOther ?? 0)} and ${percent(p.secondOther ?? 0)}`,
  }
}
