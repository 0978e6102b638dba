import t from 'tap'
import { makeCompareConfig, runCompareDetailed, transportRegistry, udpTransport } from '../src/compare/compare.js'
import { memoryTransport } from './fixtures/memory-transport.js'

// The real runner (schedule, Tmax, waiting, statistics) over a transport with scripted faults:
// every figure below is exact, because each fault is tied to a sequence number, not to timing.

t.test('scripted loss, reordering, duplication and a late probe give exact figures', async t => {
  const mem = memoryTransport({
    script: {
      3: { drop: true },
      5: { after: 7 },
      8: { copies: 2 },
      // Tmax is 150 ms: 300 ms is late by any timer's measure, and back (at ~340 ms) well
      // before the wait after the last send (~380 ms) + Tmax ends, so it is seen as late.
      2: { delayMs: 300 },
    },
  })
  const registry = transportRegistry([mem])
  const config = makeCompareConfig({ transports: ['mem'], count: 20, ratePerSecond: 50, tmaxMs: 150 }, registry)
  const { result, runs } = await runCompareDetailed(config, { transports: registry })
  t.same(result.transports, { mem: mem.traits }, 'the traits are in the result, by id')
  // Lost: 3 (dropped) and 2 (late: back after Tmax counts as lost, RFC 7680). Reordered: 5, behind 6 and 7.
  t.match(result.results.mem, {
    transport: 'mem', sent: 20, received: 18, lost: 2, late: 1, duplicates: 1, reordered: 1, maxReorderExtent: 2, foreign: 0, sendFailures: 0,
    tmaxMs: 150, tmaxRule: 'given',
  })
  t.equal(runs.mem!.sends.length, 20)
  t.same(runs.mem!.arrivals.filter(a => a.seq === 8).length, 2, 'both copies recorded')
  t.same([mem.opened, mem.closed], [1, 1], 'the channel was opened once and closed')
  t.equal(result.kernel.mem?.available !== undefined, true, 'a kernel report by the carrier underneath (udp)')
})

t.test('a reliable transport with the automatic Tmax waits for every probe, from its traits', async t => {
  const mem = memoryTransport({ traits: { reliable: true, ordered: true }, script: { 1: { delayMs: 1300 } } })
  const registry = transportRegistry([mem])
  const { result } = await runCompareDetailed(makeCompareConfig({ transports: ['mem'], count: 4, ratePerSecond: 100 }, registry), { transports: registry })
  t.match(result.results.mem, { sent: 4, received: 4, lost: 0, tmaxRule: 'tcp-delivery' }, 'held past the automatic 1 s, still delivered')
})

t.test('an unknown transport is refused by the registry it was checked against', async t => {
  const registry = transportRegistry([memoryTransport(), udpTransport])
  t.throws(() => makeCompareConfig({ transports: ['tcp'] }, registry), { code: 'ERR_SOCKKIT_INVALID_ARG', message: /transports must be mem, udp or both/ })
  t.throws(() => makeCompareConfig({ transports: ['mem', 'mem'] }, registry), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.same(makeCompareConfig({}, registry).transports, ['mem', 'udp'], 'default: every registered transport, in order')
})

/** A memory transport that notes which transport sent each measured probe, in send order. */
const recording = (id: string, order: string[], traits: object = {}) => {
  const mem = memoryTransport({ id, traits })
  const open = mem.open
  mem.open = async options => {
    const channel = await open(options)
    return { ...channel, send: probe => { order.push(`${id}${probe.readUInt32BE(8)}`); return channel.send(probe) } }
  }
  return mem
}

t.test('interleaved (default): one schedule, probe i of each in slot i, the order rotated; a stall falls on both', async t => {
  const order: string[] = []
  const a = recording('a', order, { reliable: true, ordered: true })
  const b = recording('b', order)
  const registry = transportRegistry([a, b])
  const config = makeCompareConfig({ count: 20, ratePerSecond: 100, tmaxMs: 500 }, registry)
  t.equal(config.schedule, 'interleaved')
  // A 60 ms stall of the whole process (a busy machine) once both are sending.
  let stalled = false
  const { result, runs } = await runCompareDetailed(config, {
    transports: registry,
    onEvent: e => {
      if (stalled || e.type !== 'progress' || e.sent < 8) return
      stalled = true
      const until = performance.now() + 60
      while (performance.now() < until) { /* busy */ }
    },
  })
  t.ok(stalled)
  const measured = order.slice(-40)
  // Slot i: a first when i is even, b first when odd.
  const expected = Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? [`a${i}`, `b${i}`] : [`b${i}`, `a${i}`])).flat()
  // The schedule orders them exactly; a sender running late (the stall, a loaded machine)
  // catches up in whichever order it wakes, so the exact order is checked on the schedule.
  const scheduled = ['a', 'b'].flatMap(id => runs[id]!.sends.map(s => ({ name: `${id}${s.seq}`, at: s.scheduledMs })))
  t.same(scheduled.sort((x, y) => x.at - y.at).map(x => x.name), expected, 'a b b a a b …: none always first')
  t.same([...measured].sort(), [...expected].sort(), 'every probe of each sent once, none before its time')
  t.ok(['a', 'b'].every(id => runs[id]!.sends.every(s => s.actualMs >= s.scheduledMs)), 'never early')
  t.same(result.results.a?.sent, 20)
  t.same(result.results.b?.sent, 20)
  for (const id of ['a', 'b']) {
    const lag = Math.max(...runs[id]!.sends.map(s => s.actualMs - s.scheduledMs))
    t.ok(lag >= 40, `${id}: the stall shows in its send lag (${lag.toFixed(1)} ms)`)
  }
  t.ok(Math.abs(runs.a!.sends[0]!.scheduledMs - runs.b!.sends[0]!.scheduledMs) <= 10, 'one clock: slot 0 is the same instant for both')
})

t.test('--sequential: one transport after the other, as before', async t => {
  const order: string[] = []
  const registry = transportRegistry([recording('a', order), recording('b', order)])
  const config = makeCompareConfig({ count: 5, ratePerSecond: 200, tmaxMs: 200, schedule: 'sequential' }, registry)
  const { result } = await runCompareDetailed(config, { transports: registry })
  t.same(order, ['a0', 'a1', 'a2', 'a3', 'a4', 'b0', 'b1', 'b2', 'b3', 'b4'], 'no check probe, no interleaving')
  t.equal(result.config.schedule, 'sequential', 'the JSON config says which')
})

t.test('Ctrl-C mid-run (interleaved): every transport has a result', async t => {
  const controller = new AbortController()
  const registry = transportRegistry([memoryTransport({ id: 'a', traits: { reliable: true } }), memoryTransport({ id: 'b' })])
  const config = makeCompareConfig({ count: 10_000, ratePerSecond: 500 }, registry)
  const { result } = await runCompareDetailed(config, {
    transports: registry, signal: controller.signal,
    onEvent: e => { if (e.type === 'progress' && e.sent >= 10) controller.abort() },
  })
  t.equal(result.interrupted, true)
  t.same(Object.keys(result.results), ['a', 'b'])
  t.ok(result.results.a!.sent >= 9 && result.results.b!.sent >= 9, `both sent (${result.results.a!.sent}, ${result.results.b!.sent})`)
})
