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
