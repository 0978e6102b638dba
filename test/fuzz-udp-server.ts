import t from 'tap'
import { createSocket, type Socket } from 'node:dgram'
import { startUdpServer, type UdpServerEvent } from '../src/udp-server.js'
import { startCli } from './fixtures/cli.js'

// A bounded fuzz against the UDP echo server, the counterpart of fuzz-tcp-server.ts: hostile
// peers send random bytes of random sizes (empty to the IPv4 limit), malformed and extreme
// seq= prefixes, and vanish (close) with echoes still on the way, while well-behaved peers
// check that each of their datagrams comes back byte for byte. UDP may drop under the storm,
// so a well-behaved peer resends a datagram whose echo has not come back (bounded); what is
// checked is that an echo, when it comes, is exact, that every datagram is eventually
// answered, and that the server is still up and serving afterwards.
// SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-udp-server.ts replays the draws.

const prng = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let x = state
    x = Math.imul(x ^ (x >>> 15), x | 1)
    x ^= x + Math.imul(x ^ (x >>> 7), x | 61)
    return ((x ^ (x >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number) => min + Math.floor(next() * (max - min + 1))
  const bytes = (n: number) => {
    const out = Buffer.allocUnsafe(n)
    for (let i = 0; i < n; i++) out[i] = int(0, 255)
    return out
  }
  return { next, int, bytes, pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)] as T }
}
type Rng = ReturnType<typeof prng>

const seedText = process.env.SOCKKIT_FUZZ_SEED
const seed = seedText !== undefined && seedText !== '' ? Number(seedText) : Math.floor(Math.random() * 2 ** 31)
if (!Number.isSafeInteger(seed)) throw new Error(`SOCKKIT_FUZZ_SEED must be a whole number, not ${seedText}`)
console.log(`# fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed} npx tap test/fuzz-udp-server.ts)`)

/** How long the hostile peers keep sending (ms). */
const STORM_MS = 1500
const MAX_IPV4_DATAGRAM = 65_507
const pause = (ms: number) => new Promise<void>(resolve => setTimeout(resolve, ms))

const openSocket = async (): Promise<Socket> => {
  const socket = createSocket('udp4')
  socket.on('error', () => { /* hostile peers do not care */ })
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  return socket
}
const closeSocket = (socket: Socket) => new Promise<void>(resolve => {
  try { socket.close(() => resolve()) } catch { resolve() }
})

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

/** Sends hostile datagrams to `port` until `stopAt`, sometimes closing its socket and opening another. */
const hostilePeer = async (port: number, rng: Rng, stopAt: number): Promise<number> => {
  let sent = 0
  let socket = await openSocket()
  while (Date.now() < stopAt) {
    const datagram = hostileDatagram(rng)
    await new Promise<void>(resolve => socket.send(datagram, port, '127.0.0.1', () => resolve()))
    sent++
    // Vanish with echoes on the way: they now go to a closed port.
    if (rng.next() < 0.02) {
      await closeSocket(socket)
      socket = await openSocket()
    }
    if (rng.next() < 0.1) await pause(rng.int(0, 3))
    else if (sent % 32 === 0) await new Promise(resolve => setImmediate(resolve))
  }
  await closeSocket(socket)
  return sent
}

interface WellBehavedResult { sent: number; exact: number; wrong: number; unanswered: number }

/**
 * Sends `count` numbered datagrams one at a time, each waiting for its echo (resent up to
 * 20 times, 100 ms apart, when UDP lost it). An echo must equal what was sent.
 */
const wellBehavedPeer = async (port: number, rng: Rng, count: number): Promise<WellBehavedResult> => {
  const socket = await openSocket()
  const result: WellBehavedResult = { sent: 0, exact: 0, wrong: 0, unanswered: 0 }
  try {
    for (let seq = 1; seq <= count; seq++) {
      const datagram = Buffer.concat([Buffer.from(`seq=${seq} `), rng.bytes(rng.pick([0, 1, 100, 1400, rng.int(0, 8000)]))])
      let answered = false
      for (let attempt = 0; attempt < 20 && !answered; attempt++) {
        const echo = new Promise<Buffer | undefined>(resolve => {
          const timer = setTimeout(() => { socket.off('message', onMessage); resolve(undefined) }, 100)
          const onMessage = (data: Buffer) => {
            // A late echo of an earlier attempt of the same datagram is as good as this one.
            if (!data.subarray(0, 4 + String(seq).length + 1).equals(Buffer.from(`seq=${seq} `))) return
            clearTimeout(timer)
            socket.off('message', onMessage)
            resolve(data)
          }
          socket.on('message', onMessage)
        })
        socket.send(datagram, port, '127.0.0.1')
        result.sent++
        const data = await echo
        if (data === undefined) continue
        answered = true
        if (data.equals(datagram)) result.exact++
        else result.wrong++
      }
      if (!answered) result.unanswered++
    }
  } finally {
    await closeSocket(socket)
  }
  return result
}

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
  const cli = startCli(['udp-server', '0'])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
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
