import t from 'tap'
import { startUdpServer, type UdpServerEvent } from '../src/servers/udp-server.js'
import { startMain } from './fixtures/main.js'
import { echoOneAtATime, type EchoCheck, fuzzSeed, hostileUdpPeer, MAX_IPV4_DATAGRAM, numberedDatagram, prng, type Rng } from './fixtures/fuzz.js'

// A bounded fuzz against the UDP echo server, the counterpart of fuzz-tcp-server.ts: hostile
// peers send random bytes of random sizes (empty to the IPv4 limit), malformed and extreme
// seq= prefixes, and vanish (close) with echoes still on the way, while well-behaved peers
// check that each of their datagrams comes back byte for byte. UDP may drop under the storm,
// so a well-behaved peer resends a datagram whose echo has not come back (bounded); what is
// checked is that an echo, when it comes, is exact, that every datagram is eventually
// answered, and that the server is still up and serving afterwards.
// SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-udp-server.ts replays the draws.

const seed = fuzzSeed(import.meta.url)

/** How long the hostile peers keep sending (ms). */
const STORM_MS = 1500

/** One hostile datagram: junk, an extreme or malformed seq= prefix, empty, or very large. */
const hostileDatagram = (rng: Rng): Buffer => {
  switch (rng.int(0, 6)) {
    case 0: return Buffer.alloc(0)
    case 1: return rng.bytes(rng.int(1, 64))
    case 2: return rng.bytes(rng.pick([512, 1472, 9000, rng.int(1, MAX_IPV4_DATAGRAM), MAX_IPV4_DATAGRAM]))
    case 3: return Buffer.from(`seq=${rng.pick(['0', '-1', '18446744073709551616', '9'.repeat(400), 'abc', '', '1e9', String(rng.int(1, 2 ** 31))])} x`)
    case 4: return Buffer.concat([Buffer.from(`seq=${rng.int(1, 100)} `), rng.bytes(rng.int(0, 200))])
    case 5: return Buffer.from('seq=1')
    default: return Buffer.from(`seq=${rng.int(1, 5)}\r\n\x1b[2J\x00`)
  }
}

/**
 * Sends hostile datagrams to `port` until `stopAt`, sometimes closing its socket and opening
 * another (vanishing with echoes on the way: they now go to a closed port). Its replies are
 * not read. Returns how many it sent.
 */
const hostilePeer = async (port: number, rng: Rng, stopAt: number): Promise<number> =>
  (await hostileUdpPeer(port, rng, stopAt, { datagram: hostileDatagram, reopenChance: 0.02, checkReplies: false, settleMs: 0 })).sent

/**
 * Sends `count` numbered datagrams one at a time, each waiting for its echo (resent up to
 * 20 times, 100 ms apart, when UDP lost it). An echo must equal what was sent; while waiting,
 * any reply that does not carry this datagram's number is skipped (a late echo of an earlier
 * attempt of the same datagram is as good as this one).
 */
const wellBehavedPeer = (port: number, rng: Rng, count: number): Promise<EchoCheck> =>
  echoOneAtATime(port, count, i => numberedDatagram(rng, i + 1), (reply, i) => {
    const prefix = Buffer.from(`seq=${i + 1} `)
    return !reply.subarray(0, prefix.length).equals(prefix)
  })

t.test(`library UdpServer survives hostile peers; well-behaved ones get every datagram back exactly (seed ${seed})`, async t => {
  const rng = prng(seed)
  const errors: UdpServerEvent[] = []
  const server = await startUdpServer({ port: 0, onEvent: e => { if (e.type === 'server-error' || e.type === 'echo-error') errors.push(e) } })
  t.teardown(() => server.close())
  const { port } = server.address()
  const stopAt = Date.now() + STORM_MS
  const hostile = Promise.all(Array.from({ length: 4 }, (_, i) => hostilePeer(port, prng(seed + 1 + i), stopAt)))
  const good = await Promise.all(Array.from({ length: 3 }, (_, i) => wellBehavedPeer(port, prng(seed + 100 + i), 30 + rng.int(0, 20))))
  const hostileSent = (await hostile).reduce((a, b) => a + b, 0)
  for (const [i, r] of good.entries()) {
    t.equal(r.wrong, 0, `peer ${i + 1}: no echo differs from its datagram`)
    t.equal(r.unanswered, 0, `peer ${i + 1}: every datagram answered (${r.exact} exact, ${r.sent} sends)`)
  }
  // Still serving after the storm.
  const after = await wellBehavedPeer(port, prng(seed + 999), 3)
  t.match(after, { exact: 3, wrong: 0, unanswered: 0 }, 'a new peer is served after the storm')
  const summary = await server.close()
  t.ok(summary.datagrams > 0 && summary.datagrams <= hostileSent + good.reduce((n, r) => n + r.sent, 0) + after.sent,
    `${summary.datagrams} datagrams counted, ${hostileSent} hostile sent`)
  t.same(errors.filter(e => e.type === 'server-error'), [], 'no server error')
})

t.test(`the CLI udp-server survives the same storm and ends with a summary on Ctrl-C (seed ${seed})`, async t => {
  const cli = startMain(['udp-server', '0'])
  t.teardown(() => cli.interrupt())
  const port = Number((await cli.waitFor(/listening\S* on \S+:(\d+)/))[1])
  const stopAt = Date.now() + STORM_MS / 2
  const hostile = Promise.all(Array.from({ length: 2 }, (_, i) => hostilePeer(port, prng(seed + 11 + i), stopAt)))
  const good = await wellBehavedPeer(port, prng(seed + 200), 20)
  await hostile
  t.match(good, { wrong: 0, unanswered: 0 }, 'the well-behaved peer got every datagram back exactly')
  t.equal(await cli.interrupt(), 130)
  const err = cli.stderr()
  t.match(err, /stopped after .*: \d+ peers?, \d+ datagrams?/, 'the Ctrl-C summary')
  t.notMatch(err, /\n\s+at |Error:/, 'no stack trace')
})
