import t, { type Test } from 'tap'
import { createHash } from 'node:crypto'
import { once } from 'node:events'
import { connect, type Socket } from 'node:net'
import { WebSocket } from 'ws'
import { startMain, type MainProcess } from './fixtures/main.js'
import { startWsEchoServer, type WsServerEvent } from '../src/ws/ws-server.js'

// ws-server in-process (main(argv, io)) against the `ws` package's client and raw TCP sockets
// on loopback, port 0. Each test waits for the line or event it needs.

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11'

/** Text after the time stamp on each stderr line. */
const events = (stderr: string) => stderr.replace(/^\d\d:\d\d:\d\d\.\d{3} /gm, '')

const startServer = async (t: Test, args: string[] = []) => {
  const cli = startMain(['ws-server', '0', ...args], { t })
  const m = args.includes('--json')
    ? await cli.waitFor(/"event":"listening"[^\n]*"port":(\d+)/, { from: 'stdout' })
    : await cli.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//)
  return { cli, port: Number(m[1]) }
}

const stop = async (t: Test, cli: MainProcess) => {
  t.equal(await cli.interrupt(), 130, 'Ctrl-C exits 130')
}

/** A `ws` client, open; closed at teardown. */
const client = async (t: Test, port: number, opts: ConstructorParameters<typeof WebSocket>[2] = {}): Promise<WebSocket> => {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, opts)
  ws.on('error', () => { /* some tests expect failures */ })
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  return ws
}

const nextMessage = (ws: WebSocket) =>
  new Promise<{ data: Buffer; binary: boolean }>(resolve => ws.once('message', (data: Buffer, binary: boolean) => resolve({ data, binary })))

const closed = (ws: WebSocket) =>
  new Promise<{ code: number; reason: string }>(resolve => ws.once('close', (code: number, reason: Buffer) => resolve({ code, reason: reason.toString() })))

/** A raw TCP connection, destroyed at teardown, with everything it reads. */
const raw = async (t: Test, port: number) => {
  const socket = connect({ port, host: '127.0.0.1' })
  socket.on('error', () => {})
  t.teardown(() => socket.destroy())
  await once(socket, 'connect')
  let got = ''
  socket.on('data', (d: Buffer) => { got += d.toString('latin1') })
  const ended = new Promise<string>(resolve => socket.once('close', () => resolve(got)))
  return { socket, ended, got: () => got }
}

t.test('echo: text and binary as received, the handshake and the close narrated', async t => {
  const { cli, port } = await startServer(t)
  const ws = await client(t, port)
  let reply = nextMessage(ws)
  ws.send('hola')
  t.same(await reply, { data: Buffer.from('hola'), binary: false }, 'text comes back as text')
  reply = nextMessage(ws)
  ws.send(Buffer.from([0, 1, 2, 255]))
  t.same(await reply, { data: Buffer.from([0, 1, 2, 255]), binary: true }, 'binary comes back as binary')
  const done = closed(ws)
  ws.close(1000, 'bye')
  t.equal((await done).code, 1000, 'the server answers our 1000')
  await cli.waitFor(/closed by the client/)
  const log = events(cli.stderr())
  const key = /Sec-WebSocket-Key (\S+)/.exec(log)?.[1] ?? ''
  const accept = createHash('sha1').update(key + GUID).digest('base64')
  t.match(log, /\[#1\] TCP connection 127\.0\.0\.1:\d+ → 127\.0\.0\.1:\d+ \(1 open\)/, 'the TCP connection first')
  t.match(log, /\[#1\] upgrade request: GET \/, Sec-WebSocket-Key \S{22}==/, 'the upgrade request with its key')
  t.ok(log.includes(`[#1] 101 Switching Protocols, Sec-WebSocket-Accept ${accept} =`), 'the 101 with the accept computed from the key')
  t.match(log, /\[#1\] text message, 4 bytes: hola\n/, 'the text message')
  t.match(log, /\[#1\] binary message, 4 bytes: \\x00\\x01\\x02\\xff\n/, 'the binary message, escaped')
  t.match(log, /\[#1\] closed by the client: 1000 \(normal closure\) "bye"; after \S+ \S+: 2 messages in \(8 bytes\), 2 messages out \(8 bytes\)/, 'the close in words')
  await stop(t, cli)
  t.match(events(cli.stderr()), /stopped after .*: 1 WebSocket \(1 TCP connection, peak 1 at once\), 2 messages in, 2 messages out/, 'the summary')
})

t.test('a 1 MiB message is echoed whole; one byte over --max-message closes with 1009', async t => {
  const { cli, port } = await startServer(t, ['--quiet'])
  const ws = await client(t, port)
  const big = Buffer.alloc(1024 * 1024, 0x61)
  const reply = nextMessage(ws)
  ws.send(big)
  const got = await reply
  t.equal(got.data.length, big.length, '1 MiB back')
  t.ok(got.data.equals(big), 'byte for byte')

  const small = await startServer(t, ['--max-message', '1000'])
  const ws2 = await client(t, small.port)
  const done = closed(ws2)
  ws2.send(Buffer.alloc(1001))
  t.equal((await done).code, 1009, 'the client sees 1009 (message too big)')
  await small.cli.waitFor(/closed: we sent 1009/)
  const log = events(small.cli.stderr())
  t.match(log, /\[#1\] message too big: over the 1000 bytes limit \(--max-message\); closing with 1009/, 'the line saying so')
  t.match(log, /we sent 1009 \(message too big\)/, 'the close names the code we sent')
  await stop(t, cli)
  await stop(t, small.cli)
})

t.test('garbage instead of a handshake, and a bad Sec-WebSocket-Key: HTTP 400 and one line each', async t => {
  const { cli, port } = await startServer(t)
  const garbage = await raw(t, port)
  garbage.socket.write('\x16\x03\x01 hello, not http\r\n\r\n')
  t.match(await garbage.ended, /^HTTP\/1\.1 400 Bad Request\r\n/, 'garbage gets a 400')
  await cli.waitFor(/\[#1\] handshake refused: what arrived is not an HTTP request; answered HTTP 400/)

  const badKey = await raw(t, port)
  badKey.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: short\r\n\r\n')
  t.match(await badKey.ended, /^HTTP\/1\.1 400 Bad Request\r\n/, 'a bad key gets a 400')
  await cli.waitFor(/\[#2\] handshake refused: Sec-WebSocket-Key is missing or is not 16 bytes in base64; answered HTTP 400/)

  const oldVersion = await raw(t, port)
  oldVersion.socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 7\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  t.match(await oldVersion.ended, /^HTTP\/1\.1 426 Upgrade Required\r\n[^]*Sec-WebSocket-Version: 13\r\n/, 'another version gets 426 naming 13')
  await cli.waitFor(/\[#3\] handshake refused: Sec-WebSocket-Version is not 13; answered HTTP 426/)
  await stop(t, cli)
})

t.test('GET / serves a self-contained page that connects back', async t => {
  const { cli, port } = await startServer(t)
  const res = await fetch(`http://127.0.0.1:${port}/`)
  t.equal(res.status, 200)
  t.match(res.headers.get('content-type') ?? '', /text\/html/)
  const html = await res.text()
  t.match(html, /new WebSocket\(/, 'it opens a WebSocket')
  t.notMatch(html, /<script[^>]+src=|<link[^>]+href=|https?:\/\//, 'no external script, style or address')
  const other = await fetch(`http://127.0.0.1:${port}/nothing`)
  t.equal(other.status, 404, 'another path: 404')
  await cli.waitFor(/GET \/nothing: a plain HTTP request, not an upgrade \(HTTP 404\)/)
  t.match(events(cli.stderr()), /GET \/: a browser visit, sent the page \(HTTP 200\)/)
  await stop(t, cli)
})

t.test('--broadcast: to every other client, not back to the sender', async t => {
  const { cli, port } = await startServer(t, ['--broadcast'])
  const a = await client(t, port)
  const b = await client(t, port)
  const c = await client(t, port)
  let aGot = 0
  a.on('message', () => { aGot++ })
  const toB = nextMessage(b)
  const toC = nextMessage(c)
  a.send('para todos')
  t.equal((await toB).data.toString(), 'para todos')
  t.equal((await toC).data.toString(), 'para todos')
  // b's echo-free round trip proves a's message was handled before: a got nothing back.
  const toA = nextMessage(a)
  b.send('ok')
  t.equal((await toA).data.toString(), 'ok')
  t.equal(aGot, 1, 'the sender got only b\'s message, not its own')
  t.match(events(cli.stderr()), /each message goes to every other client \(--broadcast\)/)
  await stop(t, cli)
})

t.test('--ping-interval drops a peer that never answers; --idle-timeout closes a silent one with 1001', async t => {
  const { cli, port } = await startServer(t, ['--ping-interval', '100'])
  const mute = await client(t, port, { autoPong: false })
  const done = closed(mute)
  await cli.waitFor(/\[#1\] no pong to a ping sent 100 ms ago/)
  t.equal((await done).code, 1006, 'the client sees the connection end without a close frame')
  const polite = await client(t, port)
  await cli.waitFor(/\[#2\] pong: round trip \d+ ms/)
  t.equal(polite.readyState, WebSocket.OPEN, 'a client that answers stays')

  const idle = await startServer(t, ['--idle-timeout', '200', '--ping-interval', '0'])
  const quiet = await client(t, idle.port)
  t.equal((await closed(quiet)).code, 1001, 'idle: closed with 1001')
  await idle.cli.waitFor(/\[#1\] closed: we sent 1001 \(going away\), the client answered 1001/)
  t.match(events(idle.cli.stderr()), /\[#1\] idle for 200 ms; closing with 1001/)
  await stop(t, cli)
  await stop(t, idle.cli)
})

t.test('--max-connections, --deny and --json', async t => {
  const { cli, port } = await startServer(t, ['--max-connections', '1'])
  await client(t, port)
  const second = await raw(t, port)
  t.match(await second.ended, /^HTTP\/1\.1 503 Service Unavailable\r\n/, 'past the limit: 503')
  await cli.waitFor(/refused 127\.0\.0\.1:\d+: 1 open, limit 1 \(answered HTTP 503\)/)

  const denying = await startServer(t, ['--deny', '127.0.0.0/8'])
  const denied = await raw(t, denying.port)
  t.equal(await denied.ended, '', 'a denied peer gets nothing')
  await denying.cli.waitFor(/denied 127\.0\.0\.1:\d+ \(in --deny 127\.0\.0\.0\/8\); closed at once/)

  const json = await startServer(t, ['--json'])
  const ws = await client(t, json.port)
  ws.send('x')
  await nextMessage(ws)
  await json.cli.waitFor(/"event":"message"/, { from: 'stdout' })
  const lines = json.cli.stdout().trim().split('\n').map(l => JSON.parse(l) as { event: string; bytes?: number })
  t.same(lines.map(l => l.event), ['listening', 'connected', 'upgrade-request', 'upgraded', 'message'], 'one object per event')
  t.equal(lines[4]?.bytes, 1)
  await stop(t, cli)
  await stop(t, denying.cli)
  await stop(t, json.cli)
})

/** Handshake by hand, so the test decides how frames fall into TCP writes. */
const rawWebSocket = async (t: Test, port: number): Promise<Socket> => {
  const { socket, got } = await raw(t, port)
  socket.write('GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n')
  while (!got().includes('\r\n\r\n')) await once(socket, 'data')
  t.match(got(), /Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=/, 'the RFC 6455 example key gets the RFC\'s accept')
  return socket
}

/** A masked client frame (mask 0: the payload is unchanged, still a valid masked frame). */
const frame = (opcode: number, payload: Buffer, fin = true): Buffer => {
  const head = payload.length < 126 ? Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | payload.length]) : Buffer.from([(fin ? 0x80 : 0) | opcode, 0x80 | 126, payload.length >> 8, payload.length & 0xff])
  return Buffer.concat([head, Buffer.alloc(4), payload])
}

t.test('--frames: two frames in one TCP read, one frame split over reads', async t => {
  const { cli, port } = await startServer(t, ['--frames'])
  const socket = await rawWebSocket(t, port)
  socket.write(Buffer.concat([frame(1, Buffer.from('uno')), frame(1, Buffer.from('dos'))]))
  await cli.waitFor(/text message, 3 bytes: dos/)
  t.match(events(cli.stderr()), /\[#1\] TCP read of 18 bytes: \[FIN text masked 3 bytes\] \[FIN text masked 3 bytes\]\n/, 'both frames in one read')
  const long = frame(2, Buffer.alloc(300, 7))
  socket.write(long.subarray(0, 100))
  await cli.waitFor(/TCP read of 100 bytes: \[FIN binary masked 300 bytes\]; ends inside a frame/)
  socket.write(long.subarray(100))
  await cli.waitFor(/TCP read of 208 bytes: continues a frame; no new frame header\n/)
  await cli.waitFor(/binary message, 300 bytes/)
  await stop(t, cli)
})

t.test('library: a client that never reads is paused, not buffered for', async t => {
  const seen: WsServerEvent[] = []
  const server = await startWsEchoServer({ port: 0, messageEvents: false, pingIntervalMs: 0, onEvent: e => seen.push(e) })
  t.teardown(() => server.close())
  const ws = await client(t, server.address().port)
  ws.pause()
  const chunk = Buffer.alloc(64 * 1024)
  const count = 200
  for (let i = 0; i < count; i++) ws.send(chunk)
  const paused = () => seen.some(e => e.type === 'backpressure')
  while (!paused()) await new Promise(resolve => setTimeout(resolve, 20))
  // Time is the subject here: with the client not reading, the server must stop taking more.
  await new Promise(resolve => setTimeout(resolve, 300))
  const taken = server.summary().messagesIn
  t.ok(taken < count, `the server stopped reading (${taken} of ${count} messages taken)`)
  let echoed = 0
  const all = new Promise<void>(resolve => ws.on('message', () => { if (++echoed === count) resolve() }))
  ws.resume()
  await all
  t.equal(echoed, count, 'once the client reads, every echo arrives')
  t.ok(seen.some(e => e.type === 'resumed'), 'and the server reads again')
})

t.test('Ctrl-C closes every WebSocket with 1001 (going away), then the summary', async t => {
  const { cli, port } = await startServer(t)
  const ws = await client(t, port)
  const done = closed(ws)
  t.equal(await cli.interrupt(), 130)
  t.equal((await done).code, 1001, 'the client got 1001')
  const log = events(cli.stderr())
  t.match(log, /\[#1\] closing with 1001 \(going away\): the server is stopping/)
  t.match(log, /stopped after/)
})

t.test('--lang es and pt: the same lines in Spanish and Portuguese', async t => {
  const es = startMain(['--lang', 'es', 'ws-server', '0'], { t })
  const port = Number((await es.waitFor(/escuchando en ws:\/\/127\.0\.0\.1:(\d+)\/ \(WebSocket sobre TCP\)/))[1])
  const ws = await client(t, port)
  const done = closed(ws)
  ws.close(1001)
  await done
  await es.waitFor(/\[#1\] cerrada por el cliente: 1001 \(se va \(going away\)\)/)
  t.match(events(es.stderr()), /\[#1\] 101 Switching Protocols, Sec-WebSocket-Accept \S+ = base64\(SHA-1\(clave \+ /)
  t.equal(await es.interrupt(), 130)
  const pt = startMain(['--lang', 'pt', 'ws-server', '0'], { t })
  await pt.waitFor(/escutando em ws:\/\/127\.0\.0\.1:\d+\/ \(WebSocket sobre TCP\)/)
  t.equal(await pt.interrupt(), 130)
  t.match(events(pt.stderr()), /parado depois de .*: nenhum WebSocket \(nenhuma conexão TCP, pico de 0 ao mesmo tempo\), nenhuma mensagem recebida, nenhuma mensagem enviada/)
})

t.test('--subprotocol: the first one the client offers that the server speaks', async t => {
  const { cli, port } = await startServer(t, ['--subprotocol', 'chat.v2', '--subprotocol', 'chat.v1'])
  const ws = new WebSocket(`ws://127.0.0.1:${port}/`, ['json', 'chat.v1', 'chat.v2'])
  ws.on('error', () => {})
  t.teardown(() => ws.terminate())
  await once(ws, 'open')
  t.equal(ws.protocol, 'chat.v2', 'the server\'s preferred one among those offered')
  await cli.waitFor(/\[#1\] 101 Switching Protocols, .*, protocol chat\.v2: now a WebSocket/)
  t.match(events(cli.stderr()), /\[#1\] upgrade request: GET \/, Sec-WebSocket-Key \S+, protocols json, chat\.v1, chat\.v2/)
  await stop(t, cli)
})
