import t from 'tap'
import { once } from 'node:events'
import { createHash } from 'node:crypto'
import { WebSocket } from 'ws'
import { startWsEchoServer, type WsServerEvent } from '../src/ws/ws-server.js'
import { closed, connect, destroyOpenSockets, fuzzSeed, pickWeighted, prng, writeChunked, type Rng } from './fixtures/fuzz.js'

// A bounded fuzz against ws-server: hostile peers (garbage instead of a handshake, a valid
// handshake then random bytes, valid frames cut at random points, resets mid-frame) alongside
// well-behaved `ws` clients whose every message must come back exact (sha256). The seed is
// printed; SOCKKIT_FUZZ_SEED=<n> replays its draws.

const seed = fuzzSeed(import.meta.url)
const PEERS = 60
const HANDSHAKE = 'GET / HTTP/1.1\r\nHost: fuzz\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n'

type Kind = 'well-behaved' | 'garbage' | 'handshake-then-garbage' | 'chunked-frames' | 'reset-mid-frame'
const KINDS = [
  { kind: 'well-behaved', weight: 30 },
  { kind: 'garbage', weight: 15 },
  { kind: 'handshake-then-garbage', weight: 20 },
  { kind: 'chunked-frames', weight: 20 },
  { kind: 'reset-mid-frame', weight: 15 },
] as const

const bytes = (rng: Rng, n: number) => rng.bytes(n)

/** A masked client frame with a random mask key. */
const maskedFrame = (rng: Rng, opcode: number, payload: Buffer): Buffer => {
  const mask = bytes(rng, 4)
  const len = payload.length
  const head = len < 126 ? Buffer.from([0x80 | opcode, 0x80 | len]) : Buffer.from([0x80 | opcode, 0x80 | 126, len >> 8, len & 0xff])
  return Buffer.concat([head, mask, Buffer.from(payload.map((b, i) => b ^ mask[i % 4]!))])
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex')

/** Sends a few random binary messages and checks each echo; true when all came back exact. */
const wellBehaved = async (port: number, rng: Rng): Promise<boolean> => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`)
  ws.on('error', () => {})
  await once(ws, 'open')
  const messages = Array.from({ length: rng.int(1, 5) }, () => bytes(rng, rng.int(0, 70_000)))
  const got: string[] = []
  const all = new Promise<void>(resolve => ws.on('message', (d: Buffer) => { got.push(sha(d)); if (got.length === messages.length) resolve() }))
  for (const m of messages) ws.send(m)
  await all
  ws.close(1000)
  await once(ws, 'close')
  return got.join() === messages.map(sha).join()
}

const hostile = async (kind: Exclude<Kind, 'well-behaved'>, port: number, rng: Rng): Promise<void> => {
  const socket = await connect(port)
  socket.on('data', () => {})
  if (kind === 'garbage') {
    await writeChunked(socket, bytes(rng, rng.int(1, 4000)), rng)
  } else {
    socket.write(HANDSHAKE)
    const frames = Buffer.concat(Array.from({ length: rng.int(1, 4) }, () => maskedFrame(rng, rng.int(1, 2), bytes(rng, rng.int(0, 3000)))))
    if (kind === 'handshake-then-garbage') await writeChunked(socket, bytes(rng, rng.int(1, 2000)), rng)
    else if (kind === 'chunked-frames') await writeChunked(socket, Buffer.concat([frames, maskedFrame(rng, 8, Buffer.from([0x03, 0xe8]))]), rng)
    else {
      await writeChunked(socket, frames.subarray(0, rng.int(1, frames.length)), rng)
      socket.resetAndDestroy()
      return
    }
  }
  socket.end()
  await Promise.race([closed(socket), new Promise(resolve => setTimeout(resolve, 2000))])
  socket.destroy()
}

t.test(`ws-server survives hostile peers; well-behaved ones get every message back (seed ${seed})`, async t => {
  t.comment(`fuzz seed ${seed} (rerun with SOCKKIT_FUZZ_SEED=${seed})`)
  const rng = prng(seed)
  const seen: Record<string, number> = {}
  const serverErrors: WsServerEvent[] = []
  const server = await startWsEchoServer({
    port: 0, messageEvents: false, pingIntervalMs: 0, closeGraceMs: 200,
    onEvent: e => { seen[e.type] = (seen[e.type] ?? 0) + 1; if (e.type === 'server-error') serverErrors.push(e) },
  })
  t.teardown(async () => { destroyOpenSockets(); await server.close() })
  const { port } = server.address()
  const kinds = Array.from({ length: PEERS }, () => pickWeighted(rng, KINDS))
  const results = await Promise.all(kinds.map(async kind => {
    const own = prng(rng.int(0, 2 ** 31))
    if (kind === 'well-behaved') return { kind, ok: await wellBehaved(port, own) }
    await hostile(kind, port, own)
    return { kind, ok: true }
  }))
  const good = results.filter(r => r.kind === 'well-behaved')
  t.ok(good.length > 0, `${good.length} well-behaved clients`)
  t.equal(good.filter(r => !r.ok).length, 0, 'every well-behaved client got every message back exact')
  t.same(serverErrors, [], 'no server error')
  t.ok((seen['handshake-rejected'] ?? 0) > 0, 'garbage handshakes were refused')
  // After the storm the server still serves.
  t.ok(await wellBehaved(port, prng(seed + 1)), 'a new client is served afterwards')
  t.comment(JSON.stringify(seen))
})
