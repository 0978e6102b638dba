import t from 'tap'
import { EventLimit } from '../src/core/event-limit.js'

t.test('limit 0 shows every event and never reports', async t => {
  const reported: string[] = []
  const limit = new EventLimit<string>(0, s => reported.push(s))
  limit.roll('a', 0)
  for (let i = 0; i < 100; i++) t.ok(limit.allow('a', 'x'))
  limit.close()
  t.same(reported, [])
})

t.test('N per kind per window; the next window reports what the last one hid, once', async t => {
  const reported: string[] = []
  const limit = new EventLimit<string, 'datagram' | 'sequence'>(2, s => reported.push(s), 1000)
  limit.roll('a', 0)
  t.same([1, 2, 3].map(() => limit.allow('a', 'datagram')), [true, true, false])
  t.same([1, 2, 3].map(() => limit.allow('a', 'sequence')), [true, true, false], 'each kind has its own count')
  t.ok(limit.allow('b', 'datagram'), 'each subject has its own window')
  limit.roll('a', 999)
  t.same(reported, [], 'the window is not over')
  limit.roll('a', 1000)
  t.same(reported, ['a'])
  t.ok(limit.allow('a', 'datagram'), 'a new window shows again')
  limit.roll('a', 2000)
  t.same(reported, ['a'], 'nothing hidden: no report')
  limit.close()
})

t.test('after a burst the shared timer reports the hidden events though no event follows', async t => {
  let limit: EventLimit<string> | undefined
  const reported = new Promise<string>(resolve => { limit = new EventLimit<string>(1, resolve, 20) })
  // The limiter's timer does not keep a process up (a server's socket does): this one does, bounded.
  const keepAlive = setTimeout(() => {}, 5000)
  t.teardown(() => clearTimeout(keepAlive))
  limit!.roll('a')
  limit!.allow('a', 'x')
  t.notOk(limit!.allow('a', 'x'))
  t.equal(await reported, 'a')
  limit!.close()
})

t.test('flush, forget and close report what is pending exactly once', async t => {
  const reported: string[] = []
  const limit = new EventLimit<string>(1, s => reported.push(s))
  for (const s of ['a', 'b', 'c']) { limit.roll(s, 0); limit.allow(s, 'x'); limit.allow(s, 'x') }
  limit.flush('a')
  limit.flush('a')
  limit.forget('b')
  limit.close()
  limit.close()
  t.same(reported, ['a', 'b', 'c'])
})
