import t from 'tap'
import { type Socket } from 'node:net'
import { ChatServer, type ChatServerEvent } from '../src/chat/chat-server.js'
import { startCli, until } from './fixtures/cli.js'
import { closed, connect, destroyOpenSockets, fuzzSeed, pause, pickWeighted, prng, reset as resetSocket, type Rng, type Weighted, writeChunked as writeChunkedTo } from './fixtures/fuzz.js'

// A bounded fuzz against the chat server, the counterpart of fuzz-tcp-server.ts: many
// concurrent hostile clients send random bytes (ESC sequences, NUL, BEL, BS, DEL, C1 controls,
// invalid UTF-8, telnet 0xFF commands, bidi overrides, over-long lines) in random chunks, get
// named or not, reset, half-close, vanish mid-line or never read. Meanwhile a few well-behaved
// named clients exchange numbered lines. Checked: the server stays up; every well-behaved
// client receives every other one's lines intact and in order; no byte any client (or the
// operator's transcript) receives is a terminal control or invalid UTF-8; what waits for one
// client stays bounded.
// SOCKKIT_FUZZ_SEED=<n> npx tap test/fuzz-chat-server.ts replays the draws; clients run
// concurrently, so a rerun is the same storm, not the same interleaving.

const seed = fuzzSeed(import.meta.url)

const MAX_LINE_BYTES = 4096
const HISTORY = 20
/** The server drops a client once this much waits for it (lower than the 1 MiB default, so never-readers reach it). */
const MAX_OUTPUT_BYTES = 256 * 1024
/**
 * Most bytes that may wait for one client: the limit is checked after each write, so one
 * write can pass it — the largest is a newcomer's history (HISTORY cut lines, each with a name).
 */
const MAX_BACKLOG = MAX_OUTPUT_BYTES + HISTORY * (MAX_LINE_BYTES + 64) + 8192

/** Pieces a hostile client strings together: terminal attacks, broken UTF-8, telnet, plain junk. */
const NASTY: readonly Buffer[] = [
  '\x1b[2J\x1b[H', '\x1b]0;pwned\x07', '\x1b]0;pwned\x1b\\', '\x1b]8;;http://x\x1b\\link\x1b]8;;\x1b\\', '\x1bP+q\x1b\\',
  '\x1b[31m', '\x1b[6n', '\x1bc', '\x1b', '\x1b[', '\x1b]', '\x07', '\x08\x08\x08', '\x7f', '\x00', '\r', '\r\n', '\n', '\t',
  '\u009b31m', '\u009d0;x\u009c', '\u0085', '\u202eevil\u202c', '\u2066x\u2069', 'hola ñandú 日本 😀', '/nick', '/me ', '/who', '/quit', '//x', '/help',
].map(s => Buffer.from(s, 'utf8')).concat([
  Buffer.from([0xc3, 0x28]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf8, 0x88, 0x80, 0x80, 0x80]), Buffer.from([0xe2, 0x82]),
  Buffer.from([0xc2]), Buffer.from([0x80, 0xbf]), Buffer.from([0xc2, 0x9b, 0x32, 0x4a]), // C1 CSI as UTF-8
  Buffer.from([0xff, 0xfb, 0x1f]), Buffer.from([0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x18, 0xff, 0xf0]), Buffer.from([0xff, 0xff]), Buffer.from([0xff]),
])

/** Random hostile bytes: a mix of NASTY pieces, random bytes and, sometimes, an over-long run. */
const garbage = (rng: Rng, approxBytes: number): Buffer => {
  const parts: Buffer[] = []
  let size = 0
  for (let i = 0; i < 10_000 && size < approxBytes; i++) {
    const roll = rng.next()
    const part = roll < 0.5 ? rng.pick(NASTY)
      : roll < 0.9 ? rng.bytes(rng.int(1, 40))
        : roll < 0.97 ? Buffer.alloc(rng.int(MAX_LINE_BYTES - 8, MAX_LINE_BYTES + 8), rng.pick([0x41, 0xe9, 0x1b]))
          : Buffer.alloc(rng.int(MAX_LINE_BYTES, 40_000), 0x42) // over-long, no newline for a while
    parts.push(part)
    size += part.length
  }
  return Buffer.concat(parts)
}

type Kind = 'named-garbage' | 'unnamed-garbage' | 'telnet' | 'vanish-mid-line' | 'over-long' | 'never-reads' | 'silent' | 'half-close'
const KINDS: Weighted<Kind> = [
  { kind: 'named-garbage', weight: 30 },
  { kind: 'unnamed-garbage', weight: 15 },
  { kind: 'telnet', weight: 10 },
  { kind: 'vanish-mid-line', weight: 15 },
  { kind: 'over-long', weight: 8 },
  { kind: 'never-reads', weight: 7 },
  { kind: 'silent', weight: 7 },
  { kind: 'half-close', weight: 8 },
]

/**
 * What no client may ever receive: C0 controls but tab (CR LF only as the line ending, checked
 * per line), DEL, C1 controls, bidi overrides. The server sends no colour by default, so no ESC at all.
 */
const FORBIDDEN = /[\x00-\x08\x0a-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]/u
const strictUtf8 = new TextDecoder('utf-8', { fatal: true })

/** Problems in everything one client received (empty when clean). */
const outputProblems = (received: Buffer, who: string): string[] => {
  // A connection may be cut anywhere, even inside a character: judge only whole lines.
  const whole = received.subarray(0, received.lastIndexOf('\r\n') + 2)
  let text: string
  try {
    text = strictUtf8.decode(whole)
  } catch {
    const line = whole.toString('latin1').split('\r\n').find(l => { try { strictUtf8.decode(Buffer.from(l, 'latin1')); return false } catch { return true } })
    return [`${who} received invalid UTF-8: ${Buffer.from(line ?? '', 'latin1').toString('hex').slice(0, 200)}`]
  }
  const lines = text.split('\r\n')
  return lines.flatMap((line, i) => FORBIDDEN.test(line)
    ? [`${who} line ${i}: ${JSON.stringify(line.slice(Math.max(0, line.search(FORBIDDEN) - 20), line.search(FORBIDDEN) + 20))}`]
    : [])
}

/**
 * Chat clients connect with allowHalfOpen (a half-closed client still reads until the server
 * closes), write in smaller chunks with more pauses, stop once their side can no longer be
 * written, and never wait more than 300 ms for 'drain' (the server holds a flooding client back).
 */
const connectChat = (port: number) => connect(port, { allowHalfOpen: true })
const writeChunked = (socket: Socket, data: Buffer, rng: Rng) => writeChunkedTo(socket, data, rng, {
  chunkSizes: [1, 2, 3, 7, 64, 1460, 4096],
  randomChunkMax: 20_000,
  pauseChance: 0.3,
  drainTimeoutMs: 300,
  stop: () => !socket.writable,
})
/** A reset that waits at most 500 ms for a shutdown to flush, then gives up and just closes. */
const reset = (socket: Socket) => resetSocket(socket, { finishTimeoutMs: 500 })

/** Leave in one of the ways a real client does: FIN, RST, or a plain close. */
const leave = async (socket: Socket, rng: Rng): Promise<void> => {
  switch (rng.int(0, 2)) {
    case 0: socket.end(); setTimeout(() => socket.destroy(), rng.int(50, 400)).unref(); break
    case 1: await reset(socket); break
    default: socket.destroy()
  }
}

/** Everything each hostile reading client received (its first 2 MiB), to check for controls once the storm is over. */
interface Received { who: string; chunks: Buffer[]; bytes: number }
const MAX_KEPT_PER_CLIENT = 2 * 1024 * 1024
const record = (socket: Socket, who: string, all: Received[]): Received => {
  const received: Received = { who, chunks: [], bytes: 0 }
  all.push(received)
  socket.on('data', (chunk: Buffer) => {
    if (received.bytes >= MAX_KEPT_PER_CLIENT) return
    received.chunks.push(chunk)
    received.bytes += chunk.length
  })
  return received
}

/** One hostile client. Resolves once its socket is closed. */
const runHostile = async (kind: Kind, port: number, rng: Rng, n: number, all: Received[]): Promise<void> => {
  let socket: Socket
  try {
    socket = await connectChat(port)
  } catch {
    return // the server was full or closing: not what is checked here
  }
  socket.on('error', () => { /* hostile clients expect resets */ })
  if (kind !== 'never-reads') record(socket, `hostile #${n} (${kind})`, all)
  const name = Buffer.from(`h${n}${rng.pick(['\n', '\r\n'])}`)
  switch (kind) {
    case 'named-garbage':
      await writeChunked(socket, Buffer.concat([name, garbage(rng, rng.int(1, 20_000))]), rng)
      await pause(rng.int(0, 200))
      await leave(socket, rng)
      break
    case 'unnamed-garbage':
      await writeChunked(socket, garbage(rng, rng.int(1, 5000)), rng)
      await leave(socket, rng)
      break
    case 'telnet':
      // PuTTY-style negotiation first, then a name, then junk with telnet commands inside.
      await writeChunked(socket, Buffer.concat([Buffer.from([0xff, 0xfb, 0x1f, 0xff, 0xfd, 0x01]), name, garbage(rng, rng.int(1, 3000))]), rng)
      await leave(socket, rng)
      break
    case 'vanish-mid-line':
      await writeChunked(socket, Buffer.concat([name, garbage(rng, rng.int(0, 500)), Buffer.from('half a line with no end \x1b[')]), rng)
      await pause(rng.int(0, 50))
      await leave(socket, rng)
      break
    case 'over-long':
      await writeChunked(socket, Buffer.concat([name, Buffer.alloc(rng.int(5000, 200_000), rng.pick([0x61, 0xc3, 0x1b, 0x00])), Buffer.from('\n')]), rng)
      await pause(rng.int(0, 100))
      await leave(socket, rng)
      break
    case 'never-reads': {
      // Joins and never reads what the room says: the server must give up on it, not buffer for it.
      socket.pause()
      socket.write(name)
      await pause(rng.int(300, 1500))
      socket.destroy()
      break
    }
    case 'silent':
      await pause(rng.int(0, 300))
      await leave(socket, rng)
      break
    case 'half-close':
      // echo … | nc: a name and some lines, FIN, then read until the server closes.
      socket.end(Buffer.concat([name, garbage(rng, rng.int(0, 800)), Buffer.from('\n')]))
      setTimeout(() => socket.destroy(), 3000).unref()
      break
  }
  await closed(socket)
}

/** Hostile clients until `stopAt`, about `concurrency` at once. */
const storm = async (port: number, rng: Rng, stopAt: number, concurrency: number, all: Received[]) => {
  const byKind: Record<string, number> = {}
  let started = 0
  const lane = async () => {
    while (Date.now() < stopAt && started < 5000) {
      const n = ++started
      const kind = pickWeighted(rng, KINDS)
      byKind[kind] = (byKind[kind] ?? 0) + 1
      await runHostile(kind, port, rng, n, all)
    }
  }
  await Promise.all(Array.from({ length: concurrency }, lane))
  return byKind
}

/**
 * A named client that says LOUD_LINES long lines (printable, with terminal attacks mixed in)
 * as fast as the server takes them: more than a paused reader's kernel buffers hold (about
 * 4 MB on loopback), so the server has to queue for it, or drop it.
 */
const LOUD_LINES = 1500
const loud = async (port: number, rng: Rng): Promise<void> => {
  const socket = await connectChat(port)
  socket.on('error', () => {})
  socket.resume()
  const lines = [Buffer.from('loud\n')]
  for (let i = 0; i < LOUD_LINES; i++) {
    const filler = Buffer.alloc(rng.int(2000, MAX_LINE_BYTES - 100), 0x61 + (i % 26))
    lines.push(Buffer.concat([Buffer.from(`line ${i} `), rng.pick(NASTY.filter(b => !b.includes(0x0a))), filler, Buffer.from('\n')]))
  }
  await writeChunked(socket, Buffer.concat(lines), rng)
  socket.end()
  await closed(socket)
}

/** Text a well-behaved client may send and must get back exactly: printable, tabs, non-ASCII. */
const ALPHABET = [...'abcdefghijklmnopqrstuvwxyz ABCXYZ0123456789.,;:!?()-_\tñáéüçßø日本語😀€']
const wellBehavedLine = (rng: Rng, n: number): string => {
  let text = `seq=${n} `
  const length = rng.pick([0, 1, 10, 100, rng.int(0, 1000)])
  for (let i = 0; i < length; i++) text += rng.pick(ALPHABET)
  return text
}

/**
 * A well-behaved client: reads every line as it arrives (no cap: its lines are what is
 * checked), checks each for controls and invalid UTF-8, and keeps the lines of the
 * well-behaved senders, by sender.
 */
interface Talker { name: string; socket: Socket; sent: string[]; welcomed: boolean; bytes: number; problems: string[]; heard: Map<string, string[]> }

/** Connect, give `name`, and wait for the welcome. */
const joinAs = async (port: number, name: string): Promise<Talker> => {
  const socket = await connectChat(port)
  socket.on('error', () => { /* checked through what it received */ })
  const talker: Talker = { name, socket, sent: [], welcomed: false, bytes: 0, problems: [], heard: new Map() }
  let pending: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    talker.bytes += chunk.length
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk])
    let start = 0
    for (let end = pending.indexOf('\r\n', start); end !== -1; end = pending.indexOf('\r\n', start)) {
      const line = pending.subarray(start, end + 2)
      start = end + 2
      talker.problems.push(...outputProblems(line, name))
      const text = line.subarray(0, -2).toString('utf8')
      if (text.startsWith(`* welcome, ${name}!`)) talker.welcomed = true
      const from = /^(wb\d+|late): /.exec(text)
      if (from !== null) {
        const lines = talker.heard.get(from[1]!) ?? []
        talker.heard.set(from[1]!, lines)
        lines.push(text.slice(from[0].length))
      }
    }
    pending = pending.subarray(start)
  })
  socket.write(`${name}\r\n`)
  await until(() => talker.welcomed || socket.destroyed, 10_000, `${name} to be welcomed (seed ${seed})`)
  if (!talker.welcomed) throw new Error(`${name} was closed before its welcome (seed ${seed})`)
  return talker
}

/** The lines `from` said, as `to` received them, in order. */
const linesFrom = (to: Talker, from: string): string[] => to.heard.get(from) ?? []

/**
 * Well-behaved talkers send `count` numbered lines each, in random chunks, at a pace under
 * the flood limit; then each waits until it has every other talker's lines.
 */
const converse = async (talkers: Talker[], rng: Rng, count: number): Promise<void> => {
  await Promise.all(talkers.map(async (talker, i) => {
    const local = prng(seed + 500 + i)
    for (let n = 1; n <= count; n++) {
      const line = wellBehavedLine(local, n)
      talker.sent.push(line)
      await writeChunked(talker.socket, Buffer.from(`${line}${local.pick(['\n', '\r\n'])}`), local)
      await pause(rng.int(40, 120))
    }
  }))
  const complete = () => talkers.every(to => talkers.every(from => from === to || linesFrom(to, from.name).length >= from.sent.length))
  const start = Date.now()
  while (!complete() && Date.now() - start < 10_000) await pause(20)
}

t.test(`library ChatServer survives hostile clients; well-behaved ones hear each other intact and in order (seed ${seed})`, async t => {
  const rng = prng(seed)
  const events: Record<string, number> = {}
  const serverErrors: ChatServerEvent[] = []
  const server = new ChatServer({
    port: 0,
    closeGraceMs: 200,
    historySize: HISTORY,
    maxLineBytes: MAX_LINE_BYTES,
    maxClients: 200,
    nameTimeoutMs: 2000, // hostile clients that never give a name are closed by it
    // Lines per second high enough for the loud client below to fill a never-reader's kernel buffers.
    floodLinesPerSecond: 1000,
    floodBurstLines: 1000,
    maxOutputBytes: MAX_OUTPUT_BYTES,
    onEvent: event => {
      events[event.type] = (events[event.type] ?? 0) + 1
      if (event.type === 'server-error') serverErrors.push(event)
      if (event.type === 'left' && event.reason === 'slow-reader') slowReaders.push(event.name)
    },
  })
  const { port } = await server.listen()
  let closedAlready = false
  const slowReaders: string[] = []
  let maxBacklog = 0
  const sampler = setInterval(() => { maxBacklog = Math.max(maxBacklog, server.outputBacklogBytes()) }, 10)
  t.teardown(async () => {
    clearInterval(sampler)
    destroyOpenSockets()
    if (!closedAlready) await server.close()
  })

  const all: Received[] = []
  const stopAt = Date.now() + 2500
  // One named client that never reads, there for the whole storm: once the kernel's buffers
  // toward it are full, what the room says piles up in the server, up to maxOutputBytes.
  const stuck = await connectChat(port)
  stuck.on('error', () => {})
  stuck.pause()
  stuck.write('stuck\n')
  const hostile = storm(port, rng, stopAt, 16, all)
  await pause(300) // the storm is under way before anyone well-behaved arrives
  const talkers: Talker[] = []
  for (let i = 1; i <= 4; i++) talkers.push(await joinAs(port, `wb${i}`))
  await Promise.all([converse(talkers, rng, 25), loud(port, rng)])
  const byKind = await hostile
  clearInterval(sampler)
  stuck.destroy()
  t.comment(`hostile clients by kind: ${JSON.stringify(byKind)}; server events: ${JSON.stringify(events)}`)
  t.comment(`each talker read ${talkers.map(to => to.bytes).join(', ')} bytes; most waiting for one client: ${maxBacklog} bytes`)

  for (const to of talkers) {
    for (const from of talkers) {
      if (from === to) continue
      t.same(linesFrom(to, from.name), from.sent, `${to.name} got every line of ${from.name}, intact and in order (seed ${seed})`)
    }
    t.notOk(to.socket.destroyed, `${to.name} is still connected`)
  }
  t.ok((events['line-truncated'] ?? 0) > 0, 'over-long lines were cut')
  t.ok((events.message ?? 0) > talkers.length * 25, 'hostile named clients were relayed too')
  t.ok(slowReaders.includes('stuck'), `the never-reader was dropped once ${MAX_OUTPUT_BYTES} bytes waited for it (seed ${seed})`)
  t.ok(maxBacklog <= MAX_BACKLOG, `at most ${MAX_BACKLOG} bytes waited for any client (most: ${maxBacklog}; seed ${seed})`)

  // Every hostile client is gone: the server lets go of them all (the name timeout takes the silent ones).
  await until(() => server.present().length === talkers.length, 10_000, `only the talkers left (seed ${seed}; ${JSON.stringify(server.present())})`)
  // Still up: a newcomer joins and is heard.
  const late = await joinAs(port, 'late')
  late.socket.write('still here\n')
  await until(() => talkers.every(to => linesFrom(to, 'late').includes('still here')), 5000, 'the newcomer heard')

  closedAlready = true
  const summary = await server.close()
  t.same(serverErrors, [], `no server errors (seed ${seed})`)
  t.ok(summary.participants.length > talkers.length, `${summary.participants.length} took part`)

  const problems = [...talkers, late].flatMap(to => to.problems).concat(all.flatMap(r => outputProblems(Buffer.concat(r.chunks), r.who)))
  t.same(problems.slice(0, 10), [], `no client received a terminal control or invalid UTF-8 (${problems.length} problems; seed ${seed})`)
})

t.test(`the CLI chat-server survives the same storm, more briefly; its transcript stays clean (seed ${seed})`, async t => {
  const rng = prng(seed ^ 0x5eed)
  const cli = startCli(['chat-server', '0', '--name', 'profe'])
  t.teardown(() => {
    destroyOpenSockets()
    if (cli.child.exitCode === null) cli.child.kill('SIGKILL')
  })
  const [, portText] = await cli.waitFor(/chat listening on 127\.0\.0\.1:(\d+)/)
  const port = Number(portText)
  const all: Received[] = []
  const hostile = storm(port, rng, Date.now() + 2000, 8, all)
  const talkers = [await joinAs(port, 'wb1'), await joinAs(port, 'wb2')]
  await converse(talkers, rng, 10)
  await hostile
  t.same(linesFrom(talkers[0]!, 'wb2'), talkers[1]!.sent, `wb1 got every line of wb2 intact and in order (seed ${seed})`)
  t.same(linesFrom(talkers[1]!, 'wb1'), talkers[0]!.sent, `wb2 got every line of wb1 intact and in order (seed ${seed})`)
  t.equal(cli.child.exitCode, null, 'the server is still running')
  for (const talker of talkers) talker.socket.end('/quit\n')
  await until(() => /\* wb2 left/.test(cli.stderr()) && /\* wb1 left/.test(cli.stderr()), 5000, 'both talkers left')

  t.equal(await cli.interrupt(), 130, 'Ctrl-C exits 130')
  const stderr = cli.stderr()
  t.match(stderr, /people took part/, 'prints a summary')
  t.notMatch(stderr, /^\s+at .+:\d+:\d+\)?$/m, 'no stack trace')
  // The operator's terminal is a client too: no control from anyone reaches it.
  const out = cli.stdout()
  t.same(outputProblems(Buffer.from(out.toString('latin1').replace(/\n/g, '\r\n'), 'latin1'), 'stdout').slice(0, 10), [], `the transcript on stdout is clean (seed ${seed})`)
  t.same(outputProblems(Buffer.from(stderr.replace(/\n/g, '\r\n')), 'stderr').slice(0, 10), [], `the event lines on stderr are clean (seed ${seed})`)
  const problems = talkers.flatMap(to => to.problems).concat(all.flatMap(r => outputProblems(Buffer.concat(r.chunks), r.who)))
  t.same(problems.slice(0, 10), [], `no client received a terminal control or invalid UTF-8 (${problems.length} problems; seed ${seed})`)
})
