import t from 'tap'
import { SequenceTracker } from '../src/sequence-tracker.js'

const run = (seqs: number[]) => {
  const tracker = new SequenceTracker()
  const kinds = seqs.map(s => tracker.observe(s).kind)
  return { kinds, totals: tracker.totals(), tracker }
}

t.test('in-order arrivals', async t => {
  const { kinds, totals } = run([0, 1, 2, 3])
  t.same(kinds, ['in-order', 'in-order', 'in-order', 'in-order'])
  t.match(totals, { arrivals: 4, unique: 4, duplicates: 0, reordered: 0, gaps: 0, missing: 0, maxReorderExtent: 0 })
})

t.test('a gap that is never filled is missing', async t => {
  const tracker = new SequenceTracker()
  tracker.observe(1)
  t.same(tracker.observe(4), { kind: 'gap', seq: 4, expected: 2, missing: 2 })
  t.match(tracker.totals(), { gaps: 1, missing: 2, reordered: 0 })
})

t.test('RFC 4737 example: 1 2 4 5 3 — one reordered packet, extent 2', async t => {
  const tracker = new SequenceTracker()
  for (const s of [1, 2, 4, 5]) tracker.observe(s)
  // 3 arrives at position 4; the first arrival above 3 was 4 at position 2.
  t.same(tracker.observe(3), { kind: 'reordered', seq: 3, expected: 6, extent: 2 })
  t.match(tracker.totals(), { reordered: 1, maxReorderExtent: 2, missing: 0, gaps: 1 })
})

t.test('extent uses the earliest higher arrival, not the latest', async t => {
  // 1 arrives after 5,2,3,4: the first higher number (5) arrived at position 0 → extent 4
  const { totals } = run([5, 2, 3, 4, 1])
  // 2, 3, 4 and 1 are all below NextExp (6) when they arrive
  t.match(totals, { reordered: 4, maxReorderExtent: 4 })
})

t.test('duplicates count once and are not reordering', async t => {
  const { kinds, totals } = run([0, 1, 1, 2, 0])
  t.same(kinds, ['in-order', 'in-order', 'duplicate', 'in-order', 'duplicate'])
  t.match(totals, { arrivals: 5, unique: 3, duplicates: 2, reordered: 0 })
})

t.test('a first packet far from zero and numbers below it', async t => {
  const tracker = new SequenceTracker()
  tracker.observe(100_000)
  t.equal(tracker.observe(5).kind, 'reordered')
  t.equal(tracker.observe(5).kind, 'duplicate')
  t.ok(tracker.has(5))
  t.notOk(tracker.has(6))
})

t.test('large runs grow the bitmap and stay exact', async t => {
  const tracker = new SequenceTracker()
  for (let s = 0; s < 100_000; s += 2) tracker.observe(s)
  for (let s = 1; s < 100_000; s += 2) tracker.observe(s)
  const totals = tracker.totals()
  t.equal(totals.unique, 100_000)
  t.equal(totals.missing, 0)
  // every odd number but the last (99999 is above the highest even, 99998) is late
  t.equal(totals.reordered, 49_999)
  // odd 2k+1 arrives at position 50000+k; the first number above it, 2k+2, arrived
  // at position k+1: every extent is 49999
  t.equal(totals.maxReorderExtent, 49_999)
})
