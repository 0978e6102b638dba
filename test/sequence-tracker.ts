import t from 'tap'
import { SequenceTracker, type SequenceObservation, type SequenceTrackerOptions } from '../src/core/sequence-tracker.js'

const run = (seqs: number[], options?: SequenceTrackerOptions) => {
  const tracker = new SequenceTracker(options)
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

t.test('a first packet far from zero and numbers below it (inside the window)', async t => {
  const tracker = new SequenceTracker()
  tracker.observe(100_000)
  t.equal(tracker.observe(40_000).kind, 'reordered')
  t.equal(tracker.observe(40_000).kind, 'duplicate')
  t.ok(tracker.has(40_000))
  t.notOk(tracker.has(40_001))
  t.match(tracker.totals(), { lowest: 40_000, highest: 100_000, missing: 59_999 })
})

t.test('large runs stay exact with a window that covers them', async t => {
  const tracker = new SequenceTracker({ window: 131_072 })
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

t.test('large runs with the default window: what falls out of it is too old, never guessed', async t => {
  // The same run as above with the default 64 Ki window: odd numbers more than 65,536
  // below the highest (98,000-odd) are too old to tell from duplicates.
  const { totals } = run([...Array.from({ length: 50_000 }, (_, k) => 2 * k), ...Array.from({ length: 50_000 }, (_, k) => 2 * k + 1)])
  t.equal(totals.tooOld + totals.reordered + 1, 50_000, 'each late odd number is either reordered or too old (99999 is a gap)')
  t.equal(totals.tooOld, 17_231, 'odd numbers up to 99998 − 65536 = 34462')
  t.equal(totals.duplicates, 0)
  t.equal(totals.missing, 17_231, 'too-old arrivals do not fill the holes they may belong to')
})

// The review's attack: three datagrams per peer reserved ~128 MB (a bitmap up to the
// highest number), and from 2^31 the signed `>> 3` stopped marking anything.
t.test('memory stays bounded whatever the numbers (a peer can send any 15-digit seq)', async t => {
  const tracker = new SequenceTracker()
  const kinds = [1, 1_073_741_000, 2_147_483_000, 999_999_999_999_999].map(s => tracker.observe(s))
  t.same(kinds.map(k => k.kind), ['in-order', 'gap', 'gap', 'gap'])
  t.match(kinds[1], { kind: 'gap', expected: 2, missing: 1_073_740_998, jump: true })
  t.ok(tracker.bitmapBytes() <= 16 * 1024 + 1, `bitmap ${tracker.bitmapBytes()} bytes, at most 16 KiB`)
  t.match(tracker.totals(), { unique: 4, gaps: 3, missing: 999_999_999_999_999 - 4, highest: 999_999_999_999_999 })
  // Every arrival afterwards costs no more memory either.
  for (let s = 1; s <= 200_000; s += 3) tracker.observe(999_999_999_999_999 + s)
  t.ok(tracker.bitmapBytes() <= 16 * 1024 + 1, `bitmap ${tracker.bitmapBytes()} bytes after 66,667 more`)
})

t.test('numbers from 2^31 up to 2^53 are exact (no 32-bit arithmetic)', async t => {
  t.same(run([1, 5, 5 + 2 ** 32]).kinds, ['in-order', 'gap', 'gap'], '5 + 2^32 is new, not a copy of 5')
  t.same(run([1, 4e9, 4e9, 4e9]).kinds, ['in-order', 'gap', 'duplicate', 'duplicate'])
  t.same(run([2 ** 31 - 1, 2 ** 31, 2 ** 31 + 2, 2 ** 31 + 1, 2 ** 31 + 1]).kinds, ['in-order', 'in-order', 'gap', 'reordered', 'duplicate'])
  const top = Number.MAX_SAFE_INTEGER
  const high = run([top - 4, top - 2, top, top - 3, top - 1, top - 1])
  t.same(high.kinds, ['in-order', 'gap', 'gap', 'reordered', 'reordered', 'duplicate'])
  t.match(high.totals, { missing: 0, unique: 5, duplicates: 1, reordered: 2, maxReorderExtent: 2 })
  t.throws(() => new SequenceTracker().observe(2 ** 53), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => new SequenceTracker().observe(-1), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => new SequenceTracker({ window: 0 }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('duplicates take no arrival position (RFC 4737 analyses first copies only)', async t => {
  t.match(run([0, 2, 2, 2, 1]).totals, { maxReorderExtent: 1, duplicates: 2, reordered: 1 })
  t.match(run([1, 1, 3, 3, 2, 2]).totals, { maxReorderExtent: 1, duplicates: 3, reordered: 1 })
  const tracker = new SequenceTracker()
  for (const s of [1, 2, 4, 4, 5, 5, 5]) tracker.observe(s)
  t.same(tracker.observe(3), { kind: 'reordered', seq: 3, expected: 6, extent: 2 }, 'the RFC example, with copies in between')
})

t.test('too old: below the window, neither duplicate nor reordered', async t => {
  const tracker = new SequenceTracker({ window: 16 })
  for (let s = 0; s <= 40; s++) if (s !== 10 && s !== 30) tracker.observe(s)
  t.same(tracker.observe(10), { kind: 'too-old', seq: 10, highest: 40 }, 'a late first copy')
  t.same(tracker.observe(3), { kind: 'too-old', seq: 3, highest: 40 }, 'a late duplicate: the same answer')
  t.notOk(tracker.has(3), 'has() cannot tell below the window')
  t.equal(tracker.observe(30).kind, 'reordered', 'inside the window: still exact')
  t.equal(tracker.observe(25).kind, 'duplicate')
  t.equal(tracker.observe(41).kind, 'in-order')
  t.match(tracker.totals(), { tooOld: 2, missing: 1, duplicates: 1, reordered: 1, arrivals: 44 })
})

t.test('firstExpected: numbers lost before the first arrival are missing', async t => {
  const tracker = new SequenceTracker({ firstExpected: 1 })
  t.same(tracker.observe(4), { kind: 'gap', seq: 4, expected: 1, missing: 3 })
  t.match(tracker.totals(), { missing: 3, gaps: 1, lowest: 4 })
  t.same(tracker.observe(2), { kind: 'reordered', seq: 2, expected: 5, extent: 1 })
  t.match(tracker.totals(), { missing: 2 })
  t.same(run([1, 2], { firstExpected: 1 }).kinds, ['in-order', 'in-order'])
  t.same(run([0, 1], { firstExpected: 1 }).kinds, ['in-order', 'in-order'], 'below the convention: no gap invented')
})

// A plain reference: a Set of every number and every distinct arrival's position, with the
// same window rule. The tracker must agree on every observation while its bitmap slides.
t.test('agrees with a plain reference implementation on random traffic', async t => {
  let state = 12345
  const random = () => { state = (state * 1103515245 + 12345) % 2147483648; return state / 2147483648 }
  for (const window of [8, 64, 1000]) {
    const tracker = new SequenceTracker({ window })
    const seen = new Set<number>()
    const distinct: number[] = []
    let highest: number | undefined
    let next = 1_000_000
    const mismatches: string[] = []
    for (let i = 0; i < 20_000; i++) {
      const r = random()
      // mostly forward, sometimes a gap, late ones from near and far, copies, big jumps
      const seq = r < 0.6 ? next++ : r < 0.7 ? (next += 1 + Math.floor(random() * 20)) : r < 0.9 ? Math.max(0, next - 1 - Math.floor(random() * window * 1.5)) : r < 0.999 ? Math.max(0, next - 1 - Math.floor(random() * 3)) : (next += window * 3)
      let expectedObs: SequenceObservation
      if (highest !== undefined && seq <= highest - window) expectedObs = { kind: 'too-old', seq, highest }
      else if (seen.has(seq)) expectedObs = { kind: 'duplicate', seq }
      else {
        const position = distinct.length
        const expected = highest === undefined ? seq : highest + 1
        seen.add(seq)
        distinct.push(seq)
        if (seq >= expected) {
          highest = seq
          expectedObs = seq === expected ? { kind: 'in-order', seq } : { kind: 'gap', seq, expected, missing: seq - expected, ...(seq - expected >= window ? { jump: true as const } : {}) }
        } else {
          const first = distinct.findIndex(v => v > seq)
          expectedObs = { kind: 'reordered', seq, expected, extent: position - first }
        }
      }
      const got = tracker.observe(seq)
      if (JSON.stringify(got) !== JSON.stringify(expectedObs) && mismatches.length < 5) mismatches.push(`#${i} seq ${seq}: got ${JSON.stringify(got)}, expected ${JSON.stringify(expectedObs)}`)
    }
    t.same(mismatches, [], `window ${window}: every observation matches`)
    t.ok(tracker.bitmapBytes() <= 2 * Math.ceil(window / 8) + 1 || tracker.bitmapBytes() <= 1024, `window ${window}: bitmap ${tracker.bitmapBytes()} bytes`)
  }
})
