import t, { type Test } from 'tap'
import { spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { runMain, startMain } from './fixtures/main.js'
import { freeTcpPort, listenTcp } from './fixtures/port.js'

// ws-client in-process (main(argv, io)) against servers built here with the `ws` package or
// plain HTTP, on loopback, port 0.

const events = (stderr: string) => stderr.replace(/^\d\d:\d\d:\d\d\.\d{3} /gm, '')

/** A `ws` server that runs `onConnection` for each client; closed at teardown. */
const wsServer = async (t: Test, onConnection: (ws: WebSocket, path: string) => void = ws => ws.on('message', (d, binary) => ws.send(d, { binary }))) => {
  const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' })
  const closes: Array<{ code: number; reason: string }> = []
  wss.on('connection', (ws, req) => {
    ws.on('close', (code, reason) => closes.push({ code, reason: reason.toString() }))
    onConnection(ws, req.url ?? '')
  })
  await once(wss, 'listening')
  t.teardown(() => new Promise<void>(resolve => { for (const c of wss.clients) c.terminate(); wss.close(() => resolve()) }))
  return { port: (wss.address() as { port: number }).port, closes, wss }
}

t.test('stdin lines are sent in order, even before the connection opens; replies one per line; close 1000', async t => {
  const { port, closes } = await wsServer(t)
  const run = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--wait', '300'], { stdin: 'uno\ndos\r\ntres\n' })
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  t.equal(run.stdout, 'uno\ndos\ntres\n', 'three echoes, in order, CRLF taken as a line end')
  const log = events(run.stderr)
  t.match(log, /101 Switching Protocols from 127\.0\.0\.1:\d+ \(local 127\.0\.0\.1:\d+\): sent Sec-WebSocket-Key \S{22}==, got Sec-WebSocket-Accept \S{27}=/, 'the handshake')
  t.match(log, /sending 3 messages typed or piped before the connection opened, in order/, 'the early lines were queued, not lost')
  t.match(log, /input finished: 3 messages sent; waiting 300 ms for replies, then closing/)
  t.match(log, /closed: the server answered our close with 1000 \(normal closure\); after \S+ \S+: 3 messages sent, 3 messages received/)
  t.same(closes, [{ code: 1000, reason: '' }], 'the server saw our 1000')
})

t.test('--message, --binary (hex on stdout), --close code:reason, --header, --subprotocol, --origin', async t => {
  const seen: Array<{ path: string }> = []
  const { port, closes, wss } = await wsServer(t, (ws, path) => {
    seen.push({ path })
    ws.on('message', (d, binary) => ws.send(d, { binary }))
  })
  let request: Record<string, string | string[] | undefined> = {}
  wss.on('headers', (_h, req) => { request = req.headers })
  const run = await runMain(['ws-client', `ws://127.0.0.1:${port}/chat`, '--message', 'AB', '--message', '\\x00\\xff', '--binary',
    '--close', '4000:adiós', '--header', 'X-Curso: redes', '--origin', 'http://aula.example', '--wait', '200'])
  t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
  t.equal(run.stdout, '4142\n00ff\n', 'binary replies in hex, one per line')
  t.same(closes, [{ code: 4000, reason: 'adiós' }], 'our close code and reason reached the server')
  t.same(seen, [{ path: '/chat' }])
  t.equal(request['x-curso'], 'redes', '--header sent')
  t.equal(request.origin, 'http://aula.example', '--origin sent')
  t.match(events(run.stderr), /sending our close frame: 4000 \(a code of the application\) "adiós"/)

  const raw = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--message', 'hi', '--binary', '--raw', '--wait', '200'])
  t.equal(raw.stdout, 'hi', '--raw: the bytes as they came')

  const { port: p2, wss: noProtocols } = await wsServer(t)
  noProtocols.options.handleProtocols = () => false
  const proto = await runMain(['ws-client', `ws://127.0.0.1:${p2}/`, '--subprotocol', 'chat.v1', '--message', 'x', '--wait', '100'])
  t.equal(proto.code, 1, 'a server that picks no subprotocol fails the handshake')
  t.match(proto.stderr, /the handshake with 127\.0\.0\.1:\d+ failed: it did not agree on a subprotocol we offered/)
})

t.test('the server closes first: 1000 exits 0, another code exits 1 and says it', async t => {
  const { port } = await wsServer(t, ws => ws.on('message', d => ws.close(d.toString() === 'fin' ? 1000 : 4001, 'se acabó')))
  const normal = await runMain(['ws-client', `ws://127.0.0.1:${port}/`], { stdin: 'fin\n' })
  t.equal(normal.code, 0, 'a 1000 from the server is a normal end', { stderr: normal.stderr })
  t.match(events(normal.stderr), /closed by the server with code 1000 \(normal closure\) "se acabó"/)
  const odd = await runMain(['ws-client', `ws://127.0.0.1:${port}/`], { stdin: 'otra\n' })
  t.equal(odd.code, 1, 'another code exits 1')
  t.match(events(odd.stderr), /closed by the server with code 4001 \(a code of the application\) "se acabó"/)
})

t.test('not a WebSocket server: the status it got, with a hint', async t => {
  const http = createServer((req, res) => {
    if (req.url?.startsWith('/socket.io/')) {
      res.writeHead(400, { 'Content-Type': 'application/json' })
      res.end('{"code":0,"message":"Transport unknown"}')
    } else if (req.url === '/') {
      res.writeHead(200, { 'Content-Type': 'text/html' })
      res.end('<h1>hola</h1>')
    } else {
      res.writeHead(404)
      res.end()
    }
  })
  const port = await listenTcp(http, '127.0.0.1', t)
  const sio = await runMain(['ws-client', `ws://127.0.0.1:${port}/socket.io/`, '--message', 'x'])
  t.equal(sio.code, 1)
  t.match(sio.stderr, new RegExp(`sockkit: 127\\.0\\.0\\.1:${port} is not a WebSocket server here: it answered the upgrade with HTTP 400 Bad Request instead of 101 Switching Protocols\\n`))
  t.match(sio.stderr, /hint: this looks like a Socket\.IO server/)
  t.equal(sio.stderr.split('\n').filter(l => l.startsWith('sockkit:')).length, 1, 'one sentence')
  t.notMatch(sio.stderr, /\n\s+at /, 'no stack')
  const page = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--message', 'x'])
  t.match(page.stderr, /HTTP 200 OK instead of 101[^]*hint: it is a web server that sent a page/)
  const missing = await runMain(['ws-client', `ws://127.0.0.1:${port}/nada`, '--message', 'x'])
  t.match(missing.stderr, /HTTP 404 Not Found instead of 101[^]*hint: nothing answers WebSockets at this path/)
})

t.test('refused, bad URL, bad --close, --json, Ctrl-C', async t => {
  const closed = await freeTcpPort()
  const refused = await runMain(['ws-client', `ws://127.0.0.1:${closed}/`, '--message', 'x'])
  t.equal(refused.code, 1)
  t.match(refused.stderr, /sockkit ws-server/, 'the refusal suggests starting ws-server')
  const badUrl = await runMain(['ws-client', 'ftp://x/'])
  t.equal(badUrl.code, 2, 'a URL that is not ws:// is a usage error')
  t.match(badUrl.stderr, /"ftp:\/\/x\/" is not a WebSocket address/)
  const badClose = await runMain(['ws-client', 'ws://127.0.0.1:1/', '--close', '1006'])
  t.equal(badClose.code, 2, '1006 cannot be sent')
  t.match(badClose.stderr, /close code must be 1000–1003, 1007–1014 or 3000–4999/)

  const { port } = await wsServer(t)
  const json = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--json', '--wait', '100'], { stdin: 'hola\n' })
  t.equal(json.code, 0)
  const lines = json.stdout.trim().split('\n').map(l => JSON.parse(l) as { event: string; text?: string; code?: number })
  const names = lines.map(l => l.event)
  for (const name of ['connecting', 'upgraded', 'sent', 'input-ended', 'message', 'closing']) t.ok(names.includes(name), `a "${name}" object`)
  t.equal(names.at(-1), 'closed', 'the close last')
  t.equal(lines.find(l => l.event === 'message')?.text, 'hola')
  t.equal(lines.at(-1)?.code, 1000)

  const live = startMain(['ws-client', `ws://127.0.0.1:${port}/`], { t })
  await live.waitFor(/101 Switching Protocols/)
  t.equal(await live.interrupt(), 130, 'Ctrl-C exits 130')
  t.match(events(live.stderr()), /interrupted: closed with 1001 \(going away\)/)
})

t.test('--ping-interval shows round trips; --frames shows the server\'s unmasked frames', async t => {
  const { port } = await wsServer(t)
  const run = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--ping-interval', '50', '--frames', '--message', 'eco', '--wait', '300'])
  t.equal(run.code, 0, { stderr: run.stderr })
  const log = events(run.stderr)
  t.match(log, /pong: round trip \d+ ms/, 'a pong with its round trip')
  t.match(log, /TCP read of 5 bytes: \[FIN text 3 bytes\]/, 'the echo\'s frame: 2 header bytes, not masked (server to client)')
})

const HAS_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0

t.test('wss:// with a self-signed certificate: a TLS failure in one sentence, --insecure accepts it', async t => {
  if (!HAS_OPENSSL) { t.plan(0, 'openssl not found: cannot make a test certificate'); return }
  const dir = mkdtempSync(join(tmpdir(), 'sockkit-wss-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore', timeout: 20_000 })
  t.equal(made.status, 0, 'openssl made a certificate')
  const https = createHttpsServer({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) })
  const wss = new WebSocketServer({ server: https })
  wss.on('connection', ws => ws.on('message', (d, binary) => ws.send(d, { binary })))
  const port = await listenTcp(https, '127.0.0.1', t)
  t.teardown(() => { for (const c of wss.clients) c.terminate() })
  const strict = await runMain(['ws-client', `wss://127.0.0.1:${port}/`, '--message', 'x'])
  t.equal(strict.code, 1)
  t.match(strict.stderr, /sockkit: the TLS handshake with 127\.0\.0\.1:\d+ failed \(\w+\): its certificate could not be verified\n/)
  t.match(strict.stderr, /hint: the server's certificate did not verify; if it is a self-signed test certificate, --insecure accepts it/)
  const insecure = await runMain(['ws-client', `wss://127.0.0.1:${port}/`, '--insecure', '--message', 'seguro', '--wait', '200'])
  t.equal(insecure.code, 0, { stderr: insecure.stderr })
  t.equal(insecure.stdout, 'seguro\n', 'the echo over TLS')
})
