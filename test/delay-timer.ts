import t from 'tap'
import { DelayTimer } from '../src/impairment/delay-timer.js'

t.test('never early by the real clock, for whole and fractional delays', async t => {
  for (const ms of [0.3, 1.7, 5, 20]) {
    const start = performance.now()
    const waited = await new Promise<number>(resolve => new DelayTimer(ms, () => resolve(performance.now() - start)))
    t.ok(waited >= ms, `${ms} ms asked, ${waited.toFixed(3)} ms waited`)
  }
})

t.test('never calls back synchronously, even for a delay shorter than the constructor takes', async t => {
  // A caller stores the timer (in a Set, in `held`) right after creating it; a callback
  // from inside the constructor would run before that, against a variable not yet set.
  let stored: DelayTimer | undefined
  const calledWith: Array<DelayTimer | undefined> = []
  await new Promise<void>(resolve => {
    stored = new DelayTimer(1e-9, () => { calledWith.push(stored); resolve() })
    t.equal(calledWith.length, 0, 'not called yet when the constructor returns')
  })
  t.equal(calledWith[0], stored, 'the callback saw the stored timer')
})

t.test('cancel stops it, before or while it polls for the last fraction', async t => {
  let calls = 0
  new DelayTimer(5, () => { calls++ }).cancel()
  const fractional = new DelayTimer(0.5, () => { calls++ })
  setImmediate(() => fractional.cancel())
  await new Promise(resolve => setTimeout(resolve, 30))
  t.equal(calls, 0)
})
