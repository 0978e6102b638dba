/**
 * compare through an impairment (issue 4), on real loopback sockets: statistical loss with
 * binomial bounds, a delay floor, duplicates counted exactly against the seeded PRNG,
 * reordering bounded by what the relay did, the TCP fallback under a userspace-only
 * emulator, the frozen automatic Tmax, the CLI, and real kernel loss inside a private
 * network namespace.
 *
 * Binomial bounds: a probe is lost when its datagram or its echo is dropped, independently,
 * so with p each way the lost count is Binomial(n, 1 − (1 − p)²). We accept the mean ± 5
 * standard deviations (a false failure about once in 1.7 million runs). Random seeds per
 * run (printed on failure), so the distribution is checked, not one fixed draw.
 */
import t from 'tap'
import { createSocket } from 'node:dgram'
import { makeCompareConfig, runCompareDetailed } from '../src/compare/compare.js'
import { startLocalReflector, type LocalReflector } from '../src/probe/local-reflector.js'
import { createRandom, deriveSeed, randomSeed, reorderRangePercent } from '../src/impairment/impairment.js'
import { decodeProbe } from '../src/probe/probe.js'
import { startCli } from './fixtures/cli.js'
import { runMain } from './fixtures/main.js'
import { inNetns, netnsSkipReason, privateNetns, sockkitInNetns } from './fixtures/netns.js'

// Independent subtests (each its own impairment and run ids against the shared reflector): side by side.
t.jobs = 3

let local: LocalReflector
t.before(async () => { local = await startLocalReflector() })
t.teardown(() => local.close())

/** mean ± 5 sd of Binomial(n, p) */
const binomialBounds = (n: number, p: number) => {
  const mean = n * p
  const sd = Math.sqrt(n * p * (1 - p))
  return { low: Math.floor(mean - 5 * sd), high: Math.ceil(mean + 5 * sd), mean, sd }
}

t.test('userspace UDP loss through compare: binomial bounds, config.impairment, expected next to measured', async t => {
  const seed = randomSeed()
  const n = 400
  const config = makeCompareConfig({ port: local.port, local: true, count: n, ratePerSecond: 1000, transports: ['udp'] })
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { loss: 20 }, emulator: 'userspace', seed } })
  // n = 400, p = 0.36: mean 144, sd 9.6, accept 96–192.
  const bound = binomialBounds(n, 0.36)
  const udp = result.results.udp!
  t.ok(udp.lost >= bound.low && udp.lost <= bound.high,
    `seed ${seed}: lost ${udp.lost}/${n}, expected ${bound.mean} ± ${5 * bound.sd} (Binomial(${n}, 0.36), 5 sd): ${bound.low}–${bound.high}`)
  t.equal(udp.late, 0, 'dropped probes never come back, so none is late')
  t.match(result.config.impairment, {
    emulator: 'userspace', loss: 20, delay: 0, jitter: 0, reorder: 0, duplicate: 0, seed,
    appliedBy: { loss: 'userspace' }, expected: { lossPercent: 36 },
  })
  t.type(result.config.impairment?.reason, 'string')
  t.match(udp.impairment, { appliedBy: { loss: 'userspace' }, notApplied: [], expected: { lossPercent: 36 }, measured: { lossPercent: udp.lossPercent } })
  const relay = result.impairmentCounters?.udp
  t.ok(relay, 'the relay counters are in the result')
  // Every lost probe was dropped by the relay, on the way out or on the way back; the relay may
  // also have dropped compare's one unmeasured check probe (sent before the schedule).
  const drops = relay!.clientToServer.dropped + relay!.serverToClient.dropped
  t.ok(drops === udp.lost || drops === udp.lost + 1, `relay drops (${drops}) account for every lost probe (${udp.lost})`)
})

t.test('delay: no probe comes back faster than 2 × delay, on either transport', async t => {
  const delay = 15
  const config = makeCompareConfig({ port: local.port, local: true, count: 40, ratePerSecond: 200 })
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { delay }, emulator: 'userspace' } })
  for (const transport of ['tcp', 'udp'] as const) {
    const r = result.results[transport]!
    t.equal(r.lost, 0, `${transport}: delay loses nothing`)
    t.equal(r.impairment?.expected.addedRttRangeMs.min, 2 * delay)
    // Node's timers count from the event loop's cached clock and may fire up to 1 ms early,
    // once per direction: hence the 2 ms allowance.
    t.ok(r.rttMs.min! >= 2 * delay, `${transport}: min RTT ${r.rttMs.min} ms ≥ 2 × ${delay} ms (the relay is never early by the real clock)`)
  }
  t.ok(result.results.udp!.tmaxMs >= 1000 + 2 * delay, 'automatic Tmax makes room for the added delay')
})

t.test('duplicates: counted by compare exactly as the seeded PRNG decided', async t => {
  const seed = 12345
  const n = 200
  const q = 30
  const config = makeCompareConfig({ port: local.port, local: true, count: n, ratePerSecond: 1000, transports: ['udp'] })
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { duplicate: q }, emulator: 'userspace', seed } })
  // The relay's first client has id 1; one PRNG stream per direction, one draw per datagram.
  const out = createRandom(deriveSeed(seed, 1, 0))
  let forwardCopies = 0
  for (let i = 0; i < n; i++) if (out() * 100 < q) forwardCopies++
  const back = createRandom(deriveSeed(seed, 1, 1))
  let backCopies = 0
  for (let i = 0; i < n + forwardCopies; i++) if (back() * 100 < q) backCopies++
  const udp = result.results.udp!
  t.equal(udp.lost, 0)
  t.equal(udp.duplicates, forwardCopies + backCopies, `${forwardCopies} copies on the way out + ${backCopies} on the way back`)
  t.equal(udp.impairment?.measured.duplicatePercent, Math.round(((forwardCopies + backCopies) / n) * 100_000) / 1000)
})

t.test('reordering: compare sees it, and never more than the relay caused', async t => {
  const config = makeCompareConfig({ port: local.port, local: true, count: 300, ratePerSecond: 1000, transports: ['udp'] })
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { reorder: 10 }, emulator: 'userspace', seed: 777 } })
  const udp = result.results.udp!
  const relay = result.impairmentCounters!.udp!
  const held = relay.clientToServer.reordered + relay.serverToClient.reordered
  t.equal(udp.lost, 0)
  t.equal(udp.duplicates, 0)
  // Each hold lets one probe be overtaken once: at most one reordered probe per hold (and
  // a hold on the way out can be undone by one on the way back).
  t.ok(udp.reordered >= 1 && udp.reordered <= held, `compare counted ${udp.reordered} reordered; the relay held ${held}`)
  t.ok(held >= 1)
})

t.test('jitter alone: UDP gets a simulated reorder range for the probes it sent, TCP none', async t => {
  const config = makeCompareConfig({ port: local.port, local: true, count: 300, ratePerSecond: 1000, transports: ['tcp', 'udp'] })
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { delay: 2, jitter: 2 }, emulator: 'userspace', seed: 5 } })
  const udp = result.results.udp!
  const outcome = udp.impairment!
  const range = outcome.expected.reorderRangePercent!
  // The range is a pure function of the impairment, the spacing (1000/s → 1 ms) and the count
  // sent: exactly what the library gives for the same arguments, whatever this machine did.
  t.same(range, reorderRangePercent({ delay: 2, jitter: 2 }, 1, udp.sent))
  t.ok(range.low > 0, `±2 ms each way reorders probes 1 ms apart (${range.low}–${range.high}%)`)
  t.ok(outcome.expected.reorderPercentApprox > 0, 'the point figure is given for jitter alone too')
  // RFC 4737 counts a probe only when a higher number came first: the first to arrive never is.
  t.ok(udp.reordered <= Math.max(0, udp.received - 1))
  const measured = outcome.measured.reorderedPercent
  t.equal(outcome.measured.reorderWithinRange, measured >= range.low && measured <= range.high, `${measured}% against ${range.low}–${range.high}%`)
  // TCP delivers in order: no range, no figure, nothing reordered.
  const tcp = result.results.tcp!
  t.equal(tcp.impairment!.expected.reorderRangePercent, undefined)
  t.equal(tcp.impairment!.measured.reorderWithinRange, undefined)
  t.equal(tcp.impairment!.expected.reorderPercentApprox, 0)
  t.equal(tcp.reordered, 0)
})

t.test('--blast: the reorder range is simulated at the spacing the probes were actually sent at', async t => {
  const config = makeCompareConfig({ port: local.port, local: true, count: 200, blast: true, transports: ['udp'] })
  const { result, runs } = await runCompareDetailed(config, { impairment: { impairment: { jitter: 1 }, emulator: 'userspace', seed: 5 } })
  const sends = runs.udp!.sends
  const spacing = (sends.at(-1)!.actualMs - sends[0]!.actualMs) / (sends.length - 1)
  t.same(result.results.udp!.impairment!.expected.reorderRangePercent, reorderRangePercent({ jitter: 1 }, spacing, result.results.udp!.sent),
    'not back to back (0 ms), which would predict reordering a sender never produces')
})

t.test('CLI: a jitter-only run prints the expected reorder range next to the measured share', async t => {
  const r = await runMain(['compare', '--delay', '2', '--jitter', '2', '--transports', 'udp', '--count', '100', '--rate', '1000'], { timeoutMs: 15_000 })
  t.equal(r.code, 0, r.stderr)
  const text = r.stdout.toString().replace(/\n {2}(?=\S)/g, ' ')
  t.match(text, /jitter ±2 ms each way → expected [\d.]+–[\d.]+% reordered \(95% of 200 simulated runs of 100 probes 1\.00 ms apart\), measured [\d.<]+%: (within|above|below) that range/)
})

t.test('auto without kernel support: UDP loses, TCP runs with what a stream can take and says why', async t => {
  const config = makeCompareConfig({ port: local.port, local: true, count: 60, ratePerSecond: 500 })
  const support = { available: false, reason: { code: 'needsRoot' }, netemReason: { code: 'netemNeedsRoot' } } as const
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { loss: 30, delay: 5 }, emulator: 'auto', support } })
  const imp = result.config.impairment!
  t.equal(imp.emulator, 'userspace')
  t.same(imp.tcpDegraded?.notApplied, ['loss'])
  t.same(imp.tcpDegraded?.reason, ['loss-needs-kernel'], 'why, as a code (the catalogue words it)')
  t.match(imp.tcpDegraded?.applied, { delay: 5, loss: 0, emulator: 'userspace' }, 'TCP still gets the delay')
  t.equal(result.results.tcp!.lost, 0, 'TCP lost nothing: no loss was faked')
  t.same(result.results.tcp!.impairment?.notApplied, ['loss'])
  t.ok(result.results.tcp!.rttMs.min! >= 8, 'TCP went through the delaying relay')
  t.equal(result.results.udp!.impairment?.expected.lossPercent, 51)

  // An explicit userspace emulator is a promise: the library's error stands.
  await t.rejects(runCompareDetailed(config, { impairment: { impairment: { loss: 30 }, emulator: 'userspace', support } }), { code: 'ERR_SOCKKIT_UNSUPPORTED' })
  // TCP alone cannot be degraded to nothing: the error stands too.
  const tcpOnly = makeCompareConfig({ port: local.port, local: true, count: 5, transports: ['tcp'] })
  await t.rejects(runCompareDetailed(tcpOnly, { impairment: { impairment: { loss: 30 }, support } }), { code: 'ERR_SOCKKIT_UNSUPPORTED' })
})

t.test('automatic Tmax is frozen at the last send: a probe back after it is late', async t => {
  // A slow reflector built from a real socket: every probe echoed at once except seq 0,
  // echoed 1150 ms later. 100 probes at 100/s: the last goes out at 990 ms, when the RTTs
  // seen are ~1 ms, so Tmax freezes at 1000 ms and the wait runs to ~1990 ms; probe 0
  // arrives at ~1150 ms, inside the wait but past its Tmax. (With a Tmax recomputed from
  // every RTT, probe 0 would have stretched Tmax to 3450 ms and never counted as late.)
  const stub = createSocket('udp4')
  const timers: NodeJS.Timeout[] = []
  t.teardown(() => { timers.forEach(clearTimeout); stub.close() })
  stub.on('message', (data, from) => {
    const header = decodeProbe(data)
    const echo = () => stub.send(data, from.port, from.address)
    if (header?.seq === 0) timers.push(setTimeout(echo, 1150))
    else echo()
  })
  await new Promise<void>(resolve => stub.bind(0, '127.0.0.1', resolve))
  const config = makeCompareConfig({ port: stub.address().port, count: 100, ratePerSecond: 100, transports: ['udp'] })
  const { result } = await runCompareDetailed(config)
  const udp = result.results.udp!
  t.equal(udp.tmaxMs, 1000, 'Tmax frozen at 1 s from the RTTs seen before the last send')
  t.equal(udp.late, 1, 'probe 0 came back after Tmax: late')
  t.equal(udp.lost, 1, 'a late probe counts as lost (RFC 7680)')
})

t.test('CLI: --loss 20 --transports udp --emulator userspace --json', async t => {
  const run = await runMain(['compare', '--loss', '20', '--transports', 'udp', '--count', '200', '--rate', '1000', '--emulator', 'userspace', '--json'])
  t.equal(run.code, 0, run.stderr)
  const json = JSON.parse(run.stdout.toString())
  t.match(json.config.impairment, { emulator: 'userspace', loss: 20, delay: 0, jitter: 0, reorder: 0, duplicate: 0, appliedBy: { loss: 'userspace' } })
  t.type(json.config.impairment.seed, 'number')
  t.equal(json.results.udp.impairment.expected.lossPercent, 36)
  // n = 200, p = 0.36: mean 72, sd 6.8, accept 38–106.
  const bound = binomialBounds(200, 0.36)
  t.ok(json.results.udp.lost >= bound.low && json.results.udp.lost <= bound.high,
    `seed ${json.config.impairment.seed}: lost ${json.results.udp.lost}/200, expected ${bound.low}–${bound.high}`)
  t.ok(json.impairmentCounters.udp, 'relay counters in the JSON')

  const human = await runMain(['compare', '--delay', '5', '--transports', 'udp', '--count', '20', '--rate', '500', '--emulator', 'userspace'])
  t.equal(human.code, 0, human.stderr)
  t.match(human.stdout.toString(), /impairment \(userspace\): delay 5 ms each way/)
  t.match(human.stdout.toString(), /UDP: delay → expected RTT ≥ 10 ms, measured min/)

  const plain = await runMain(['compare', '--transports', 'udp', '--count', '5', '--json'])
  t.equal(plain.code, 0, plain.stderr)
  t.notOk('impairment' in JSON.parse(plain.stdout.toString()).config, 'no impairment flag: no relay, no config.impairment')

  const seedAlone = await runMain(['compare', '--seed', '3', '--count', '5'])
  t.equal(seedAlone.code, 2, 'a seed without an impairment is a usage error')
  t.match(seedAlone.stderr, /--seed needs an impairment/)
  const badLoss = await runMain(['compare', '--loss', '120'])
  t.equal(badLoss.code, 2)
  t.match(badLoss.stderr, /loss/)
})

t.test('Ctrl-C during a delayed run: the relay keeps forwarding until the probes in flight are back, none counted lost', async t => {
  // 300 ms each way at 50/s: ~30 probes are inside the relay at any moment. The old code
  // stopped the relay on the same abort and counted every one of them as lost.
  const config = makeCompareConfig({ port: local.port, local: true, count: 200, ratePerSecond: 50, transports: ['udp'] })
  const controller = new AbortController()
  const { result } = await runCompareDetailed(config, {
    signal: controller.signal,
    impairment: { impairment: { delay: 300 }, emulator: 'userspace' },
    onEvent: e => { if (e.type === 'progress' && e.received >= 5) controller.abort() },
  })
  const udp = result.results.udp!
  t.equal(result.interrupted, true)
  t.ok(udp.sent > 5 && udp.sent < 200, `stopped early: ${udp.sent} sent`)
  t.equal(udp.lost, 0, `no loss was configured: ${udp.received} of ${udp.sent} back`)
  t.equal(udp.received, udp.sent)
})

t.test('CLI: SIGINT during compare --delay 300 reports no invented loss, exit 130', async t => {
  const cli = startCli(['compare', '--delay', '300', '--count', '200', '--rate', '50', '--transports', 'udp', '--emulator', 'userspace', '--json'])
  await cli.waitFor(/sending 200 probes/)
  // Stop once probes are on their way through the relay (sending takes 4 s).
  await new Promise(resolve => setTimeout(resolve, 1500))
  const code = await cli.interrupt()
  t.equal(code, 130, cli.stderr())
  const json = JSON.parse(cli.stdout().toString())
  t.equal(json.interrupted, true)
  t.ok(json.results.udp.sent < 200, `stopped early: ${json.results.udp.sent} sent`)
  t.match(json.results.udp, { lost: 0, received: json.results.udp.sent }, 'every probe sent came back through the relay')
})

t.test('kernel emulator in a private netns: TCP loses nothing, retransmits, table removed', { skip: netnsSkipReason({ nft: true }), timeout: 30_000 }, async t => {
  const ns = privateNetns(t, 'sockkit-imp')
  if (ns === undefined) return
  // 5 % each way: a SYN or SYN-ACK is lost 9.75 % of the time, and the connect (5 s timeout,
  // SYN retried at 1 s and 3 s) fails only if three attempts in a row do: about 1 in 1000.
  // 300 probes cross as ~600 data segments plus ACKs: no retransmission at all is ~0.95^600.
  const run = await sockkitInNetns(ns, ['compare', '--loss', '5', '--emulator', 'kernel',
    '--transports', 'tcp', '--count', '300', '--rate', '500', '--tmax', '20000', '--json'], 25_000)
  t.equal(run.code, 0, run.stderr)
  const json = JSON.parse(run.stdout)
  t.match(json.config.impairment, { emulator: 'kernel', loss: 5, appliedBy: { loss: 'kernel' }, kernelTable: /^sockkit_\d+_\d+_\d+$/ })
  t.match(json.results.tcp, { sent: 300, received: 300, lost: 0 }, 'TCP delivered every probe')
  t.ok(json.kernel.tcp.tcp.retransSegs > 0, `the kernel retransmitted (RetransSegs +${json.kernel.tcp.tcp.retransSegs})`)
  t.ok(json.impairmentCounters.kernel.tcp.clientToServer.dropped + json.impairmentCounters.kernel.tcp.serverToClient.dropped > 0, 'the table dropped packets')
  const tables = inNetns(ns, ['nft', 'list', 'tables'])
  t.notMatch(tables.stdout, /sockkit_/, 'the nftables table is gone after the run')
})

const kernelSupport = await (await import('../src/impairment/nft-emulator.js')).detectKernelSupport()
/** Why the kernel tests are skipped here, in words. */
const kernelSkip = (await import('../src/i18n/index.js')).catalog('en').t.impairment.kernelReason(kernelSupport.reason)

t.test('CLI, kernel emulator: the impairment block says how many TCP packets the kernel table dropped, each way', { skip: kernelSupport.available ? false : kernelSkip, timeout: 30_000 }, async t => {
  // 5 % each way over ~200 probes (data segments and ACKs both ways): a run with no drop is ~0.95^800.
  const run = await runMain(['compare', '--loss', '5', '--transports', 'tcp', '--count', '200', '--rate', '500', '--tmax', '20000'], { timeoutMs: 25_000 })
  t.equal(run.code, 0, run.stderr)
  const text = run.stdout.toString().replace(/\n {2}(?=\S)/g, ' ')
  t.match(text, /impairment \(kernel\): loss 5% each way/)
  const m = /TCP: the kernel dropped ([\d,]+) of ([\d,]+) packets \(c→s ([\d,]+), s→c ([\d,]+)\)/.exec(text)
  t.ok(m, `the kernel's drops are shown:\n${run.stdout}`)
  if (!m) return
  const n = (s: string) => Number(s.replace(/,/g, ''))
  t.equal(n(m[3]!) + n(m[4]!), n(m[1]!), 'the directions add up')
  t.ok(n(m[1]!) > 0 && n(m[1]!) < n(m[2]!), `some of the packets seen were dropped (${m[1]} of ${m[2]})`)
})

t.test('the same impossible combination is a usage error (exit 2) in compare as in link, with advice that works', async t => {
  for (const [args, sentence] of [
    [['--emulator', 'userspace', '--loss', '5'], /cannot lose TCP packets.*use --transports udp, or leave --emulator at auto/],
    [['--reorder', '10', '--transports', 'tcp'], /TCP cannot reorder.*use --transports udp/],
    [['--duplicate', '10', '--transports', 'tcp', '--emulator', 'userspace'], /TCP cannot duplicate/],
    [['--emulator', 'kernel', '--delay', '5'], /--emulator kernel only drops packets .*use --emulator auto/],
  ] as Array<[string[], RegExp]>) {
    const r = await runMain(['compare', '--count', '5', ...args], { timeoutMs: 10_000 })
    t.equal(r.code, 2, args.join(' '))
    t.match(r.stderr, sentence, args.join(' '))
    t.equal(r.stdout.length, 0, 'nothing ran')
  }
  // Following the advice runs.
  const advised = await runMain(['compare', '--count', '5', '--rate', '100', '--emulator', 'userspace', '--loss', '5', '--transports', 'udp'], { timeoutMs: 10_000 })
  t.equal(advised.code, 0, advised.stderr)
})

t.test('--reorder at a probe spacing wider than the hold: one line says it only delays, and the expectation is not the old formula', async t => {
  const r = await runMain(['compare', '--reorder', '50', '--rate', '5', '--count', '3', '--transports', 'udp', '--json'], { timeoutMs: 15_000 })
  t.equal(r.code, 0, r.stderr)
  t.match(r.stderr, /--reorder needs probes less than 100 ms apart \(these are 200 ms apart\).*adds up to 100 ms of delay/)
  const udp = JSON.parse(r.stdout.toString()).results.udp.impairment
  t.ok(udp.expected.reorderPercentApprox < 20, `expected ${udp.expected.reorderPercentApprox}% (the old formula said 55.6%)`)
  const fast = await runMain(['compare', '--reorder', '50', '--rate', '1000', '--count', '3', '--transports', 'udp'], { timeoutMs: 15_000 })
  t.notMatch(fast.stderr, /needs probes less than/, 'no such line at 1000/s')
})

t.test('auto as root: loss by the kernel for UDP too, the relay adds delay, and the name says both', { skip: kernelSupport.available ? false : kernelSkip, timeout: 30_000 }, async t => {
  const r = await runMain(['compare', '--loss', '10', '--delay', '2', '--transports', 'udp', '--count', '200', '--rate', '1000', '--json'], { timeoutMs: 25_000 })
  t.equal(r.code, 0, r.stderr)
  const json = JSON.parse(r.stdout.toString())
  t.match(json.config.impairment, { emulator: 'kernel+userspace', appliedBy: { loss: 'kernel', delay: 'userspace' }, kernelTable: /^sockkit_/, reason: /^loss by the kernel/ })
  t.same(Object.keys(json.impairmentCounters.kernel), ['udp'], 'the table had rules for this run\'s protocol only')
  const k = json.impairmentCounters.kernel.udp
  t.ok(k.clientToServer.received >= 200 && k.clientToServer.dropped > 0, `the kernel saw every probe and dropped some (${k.clientToServer.dropped} of ${k.clientToServer.received})`)
  const human = await runMain(['compare', '--loss', '10', '--delay', '2', '--reorder', '5', '--count', '50', '--rate', '1000'], { timeoutMs: 25_000 })
  t.equal(human.code, 0, human.stderr)
  t.match(human.stdout.toString(), /impairment \(kernel\+userspace\)/)
  t.match(human.stdout.toString(), /why kernel\+userspace: loss by the kernel/)
})
