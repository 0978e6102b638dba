import t, { type Test } from 'tap'
import { connect, createServer, type Socket } from 'node:net'
import { once } from 'node:events'
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { BIN, startCli } from './fixtures/cli.js'
import { runMain, startMain } from './fixtures/main.js'

// Most tests run the CLI in-process (main(argv, io)); the real Ctrl-C and the open-files
// limit spawn the built CLI (bin/sockkit.js → dist/): run `npm run build` first.

// Every case has its own server on its own port; several run at once, so the ones that wait
// out a 3 s silence or a process start overlap instead of adding up.
t.jobs = 4

/** `sockkit tcp-server 0 …args` in-process, stopped at teardown; resolves with its port. */
const startServer = async (t: Test, args: string[] = [], env: Record<string, string | undefined> = {}) => {
  const cli = startMain(['tcp-server', '0', ...args], { env: env as Record<string, string> })
  t.teardown(() => cli.interrupt())
  const from = args.includes('--json') ? 'stdout' : 'stderr'
  const m = await cli.waitFor(from === 'stdout' ? /"event":"listening"[^\n]*"port":(\d+)/ : /listening\S* on \S+:(\d+)/, { from })
  return { cli, port: Number(m[1]) }
}

const client = async (t: Test, port: number, opts: { allowHalfOpen?: boolean } = {}): Promise<Socket> => {
  const socket = connect({ port, host: '127.0.0.1', allowHalfOpen: opts.allowHalfOpen ?? false })
  socket.on('error', () => { /* resets are part of some tests */ })
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
  return socket
}

const readAll = (socket: Socket): Promise<Buffer> => new Promise(resolve => {
  const chunks: Buffer[] = []
  socket.on('data', (d: Buffer) => chunks.push(d))
  socket.once('end', () => resolve(Buffer.concat(chunks)))
  socket.once('close', () => resolve(Buffer.concat(chunks)))
})

const escaped = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')

const stop = async (t: Test, cli: { interrupt: () => Promise<number | null> }) => {
  const code = await cli.interrupt()
  t.equal(code, 130, 'Ctrl-C exits 130')
}

t.test('Ctrl-C with a connection open: a stopping line at once, then the close in words, then the summary', async t => {
  // A real process and a real SIGINT: the one place the bin's signal handling is exercised here.
  const cli = startCli(['tcp-server', '0'])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  // A process start is what takes long on a loaded machine (seen: over 10 s at load 24); not the subject here.
  const port = Number((await cli.waitFor(/listening\S* on \S+:(\d+)/, { timeoutMs: 30_000 }))[1])
  const socket = await client(t, port)
  socket.write('hola')
  await cli.waitFor(/read 4 bytes/)
  await stop(t, cli)
  const err = cli.stderr()
  // Before, the second spent closing was silent: nothing between Ctrl-C and the summary.
  t.match(err, /Ctrl-C: stopping — no new connections; closing 1 open connection \(each gets up to 1\.0 s to finish\)\n[^]*\[#1\] closed after .* \(server stopping\)\n[^]*stopped after/)
})

t.test('a session: greeting with escapes, read, half-close, closed, Ctrl-C summary', async t => {
  const { cli, port } = await startServer(t, ['--greeting', 'Hola\\r\\n\\tmundo\\n'])
  const socket = await client(t, port)
  const local = `127.0.0.1:${socket.localPort}`
  const [greeting] = await once(socket, 'data') as [Buffer]
  t.equal(greeting.toString(), 'Hola\r\n\tmundo\n', '\\r \\n \\t became bytes')
  const all = readAll(socket)
  socket.end('ping')
  t.equal((await all).toString(), 'ping', 'the echo, then EOF')
  await cli.waitFor(/\[#1\] closed after/)
  await stop(t, cli)
  const err = cli.stderr()
  t.match(err, new RegExp(`\\[#1\\] accepted ${escaped(local)} → 127\\.0\\.0\\.1:${port} \\(1 open\\)`))
  t.match(err, /\[#1\] read 4 bytes: ping\n/)
  t.match(err, /\[#1\] half-close received/)
  t.match(err, /\[#1\] closed after \S+ \S+: 4 bytes in, 17 bytes out\n/)
  t.match(err, /greeting each client with "Hola\\r\\n\\tmundo\\n"/)
  t.match(err, /stopped after .*: 1 connection \(peak 1 at once\), 4 bytes in, 17 bytes out\n$/)
  t.notMatch(err, /stopping —/, 'no connection open at Ctrl-C: nothing to announce')
  t.equal(cli.stdout().length, 0, 'stdout is for data only: nothing there')
})

t.test('--quiet hides read lines but not connection lines; 0.0.0.0 lists loopback', async t => {
  const { cli, port } = await startServer(t, ['--quiet', '--host', '0.0.0.0'])
  t.match(cli.stderr(), new RegExp(`listening on 0\\.0\\.0\\.0:${port} \\(TCP\\) — clients can use 127\\.0\\.0\\.1:${port}`))
  const socket = await client(t, port)
  const all = readAll(socket)
  socket.end('quiet please')
  t.equal((await all).toString(), 'quiet please')
  await cli.waitFor(/\[#1\] closed/)
  await stop(t, cli)
  t.match(cli.stderr(), /\[#1\] accepted/)
  t.notMatch(cli.stderr(), /read \d+ byte/)
})

t.test('a reset client is reported and the server keeps serving', async t => {
  const { cli, port } = await startServer(t)
  const resetter = await client(t, port)
  resetter.write('bye')
  await cli.waitFor(/\[#1\] read 3 bytes: bye/)
  resetter.resetAndDestroy()
  await cli.waitFor(/\[#1\] reset by peer \(ECONNRESET\)/)
  const next = await client(t, port)
  const all = readAll(next)
  next.end('still up')
  t.equal((await all).toString(), 'still up')
  await cli.waitFor(/\[#2\] closed/)
  await stop(t, cli)
  t.match(cli.stderr(), /2 connections .*, 1 reset/)
})

t.test('--max-connections: the extra client is told why, the server says so, a freed slot is reused', async t => {
  const { cli, port } = await startServer(t, ['--max-connections', '1'])
  const first = await client(t, port)
  await cli.waitFor(/\[#1\] accepted/)
  const second = await client(t, port)
  const secondPort = second.localPort
  const refusal = (await readAll(second)).toString()
  t.match(refusal, /^server busy: 1 client connected, try again later\r\n$/)
  await cli.waitFor(new RegExp(`refused 127\\.0\\.0\\.1:${secondPort}: 1 connection open, limit 1`))
  first.end()
  await cli.waitFor(/\[#1\] closed/)
  const third = await client(t, port)
  const all = readAll(third)
  third.end('my turn')
  t.equal((await all).toString(), 'my turn')
  await stop(t, cli)
  t.match(cli.stderr(), /2 connections .*, 1 refused/)
})

t.test('the refusal a client reads is not a sockkit: error line, and follows --lang', async t => {
  for (const [lang, text] of [
    ['es', 'servidor ocupado: 1 cliente conectado; inténtalo más tarde\r\n'],
    ['pt', 'servidor ocupado: 1 cliente conectado; tente de novo mais tarde\r\n'],
  ] as const) {
    const cli = startMain(['--lang', lang, 'tcp-server', '0', '--max-connections', '1'])
    t.teardown(() => cli.interrupt())
    const port = Number((await cli.waitFor(/(?:escuchando en|escutando em) \S+:(\d+)/))[1])
    await client(t, port)
    await cli.waitFor(/\[#1\]/)
    const refusal = (await readAll(await client(t, port))).toString()
    t.equal(refusal, text, `${lang}: the client's user reads it in the run's language`)
    t.notMatch(refusal, /^sockkit:/, 'it reads like the client\'s own message, not a sockkit error')
    await cli.interrupt()
  }
})

t.test('--idle-timeout closes a silent client', async t => {
  const { cli, port } = await startServer(t, ['--idle-timeout', '200'])
  const socket = await client(t, port)
  const ended = readAll(socket)
  await cli.waitFor(/\[#1\] idle for 200 ms; closing/)
  t.equal((await ended).length, 0, 'the client got EOF and nothing else')
  await cli.waitFor(/\[#1\] closed after .* \(idle timeout\)/)
  await stop(t, cli)
  t.match(cli.stderr(), /1 idle-closed/)
  // The client answered the server's FIN with its own: that is not the client finishing first.
  t.notMatch(cli.stderr(), /\[#1\] half-close received/, 'not called a half-close by the client')
  t.match(cli.stderr(), /\[#1\] the client closed its side too/)
})

t.test('--json: NDJSON on stdout with stable field names; --quiet drops read events', async t => {
  for (const quiet of [false, true]) {
    const { cli, port } = await startServer(t, ['--json', ...(quiet ? ['--quiet'] : [])], { FORCE_COLOR: '1', NO_COLOR: undefined })
    const socket = await client(t, port)
    const clientPort = socket.localPort
    const all = readAll(socket)
    socket.end('json\n')
    await all
    await cli.waitFor(/"event":"closed"/, { from: 'stdout' })
    await stop(t, cli)
    const text = cli.stdout().toString()
    // eslint-disable-next-line no-control-regex
    t.notMatch(text, /\x1b\[/, 'no colour codes in NDJSON, even with FORCE_COLOR')
    const events = text.trimEnd().split('\n').map(line => JSON.parse(line) as Record<string, unknown>)
    t.ok(events.every(e => typeof e.time === 'string' && typeof e.event === 'string' && !('type' in e)), 'every line has time and event, no type')
    t.same(events.map(e => e.event), quiet
      ? ['listening', 'accepted', 'half-close', 'closed', 'summary']
      : ['listening', 'accepted', 'read', 'half-close', 'closed', 'summary'])
    t.match(events[0], { event: 'listening', address: '127.0.0.1', port, reachable: ['127.0.0.1'] })
    t.match(events[1], { event: 'accepted', id: 1, remoteAddress: '127.0.0.1', remotePort: clientPort, localPort: port, active: 1 })
    if (!quiet) t.match(events[2], { event: 'read', id: 1, bytes: 5, preview: 'json\\n' })
    t.match(events.at(-2), { event: 'closed', id: 1, bytesIn: 5, bytesOut: 5, reason: 'normal' })
    t.match(events.at(-1), { event: 'summary', accepted: 1, bytesIn: 5, bytesOut: 5 })
    t.equal(cli.stderr(), '', 'nothing human on stderr with --json')
  }
})

t.test('colour: FORCE_COLOR gives ANSI on stderr; a non-empty NO_COLOR and --no-color turn it off', async t => {
  const cases: Array<[string, string[], Record<string, string | undefined>, boolean]> = [
    ['FORCE_COLOR=1', [], { FORCE_COLOR: '1', NO_COLOR: undefined }, true],
    ['FORCE_COLOR=1 NO_COLOR=1', [], { FORCE_COLOR: '1', NO_COLOR: '1' }, false],
    // no-color.org: only a non-empty NO_COLOR disables colour.
    ['FORCE_COLOR=1 NO_COLOR= (empty)', [], { FORCE_COLOR: '1', NO_COLOR: '' }, true],
    ['FORCE_COLOR=1 --no-color', ['--no-color'], { FORCE_COLOR: '1', NO_COLOR: undefined }, false],
  ]
  for (const [name, args, env, coloured] of cases) {
    const { cli } = await startServer(t, args, env)
    await stop(t, cli)
    // eslint-disable-next-line no-control-regex
    t.equal(/\x1b\[/.test(cli.stderr()), coloured, `${name}: ${coloured ? 'colour' : 'no colour'}`)
  }
})

/** `sockkit tcp-server 0 …args` under `ulimit -n <limit>`; Ctrl-C once it listens; resolves with its stderr. */
const serverUnderFdLimit = async (t: Test, limit: number, args: string[]): Promise<string> => {
  const child = spawn('sh', ['-c', `ulimit -n ${limit} && exec "$0" "$@"`, process.execPath, BIN, 'tcp-server', '0', ...args], {
    env: { ...process.env, LANGUAGE: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'C', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  t.teardown(() => { if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = once(child, 'exit')
  // Polled up to 30 s: a process start on a loaded machine can take over 10.
  for (let i = 0; i < 300 && !/listening/.test(stderr) && child.exitCode === null; i++) await new Promise(resolve => setTimeout(resolve, 100))
  child.kill('SIGINT')
  await exited
  return stderr
}

t.test('--max-connections above the open-files limit is warned about: past it clients would be closed without a word', {
  skip: existsSync('/proc/self/limits') ? false : 'reads the open-files limit from /proc/self/limits (Linux)',
}, async t => {
  // Beyond the limit accept() fails with EMFILE, and libuv closes the waiting clients itself:
  // no refusal line for them, no event for the server to report.
  const [over, under] = await Promise.all([
    serverUnderFdLimit(t, 100, ['--max-connections', '1000']),
    serverUnderFdLimit(t, 100, ['--max-connections', '20']),
  ])
  t.match(over, /listening/)
  t.match(over, /--max-connections 1000 is more than this process can hold: its open-files limit is 100 \(ulimit -n\)/)
  t.match(over, /ulimit -n \d+/, 'says how to raise it')
  t.match(under, /listening/)
  t.notMatch(under, /open-files limit/, 'no warning when the limit fits')
})

t.test('a port in use: exit 1, one plain sentence', async t => {
  const taken = createServer()
  await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const run = await runMain(['tcp-server', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, new RegExp(`^sockkit: port ${port} is already in use on 127\\.0\\.0\\.1`))
  t.equal(run.stderr.trimEnd().split('\n').length, 1, 'one line, no stack trace')
  t.match(run.stderr, /stop the program using it/, 'a listening program holds it: stopping it frees the port')
})

/** Listen on port 0; the server's side of each connection closes first (its port then sits in TIME_WAIT). */
const closingServer = async (t: Test, closeFirst: 'server' | 'client') => {
  const server = createServer(s => closeFirst === 'server' ? s.end() : s.on('end', () => s.end()))
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as { port: number }).port
  const c = connect({ port, host: '127.0.0.1' })
  await once(c, 'connect')
  const localPort = c.localPort!
  if (closeFirst === 'client') c.end()
  else c.on('end', () => c.end())
  // 'close' comes after both FINs: the side that closed first is now in TIME_WAIT.
  await once(c, 'close')
  await new Promise<void>(resolve => server.close(() => resolve()))
  return { serverPort: port, clientPort: localPort }
}

t.test('TIME_WAIT: a Node server\'s own never blocks (SO_REUSEADDR); one without it is named, with when it frees itself', async t => {
  // The server closed first, so its port is in TIME_WAIT, with the SO_REUSEADDR Node set: no conflict.
  const { serverPort } = await closingServer(t, 'server')
  const reuse = startMain(['tcp-server', String(serverPort)])
  t.teardown(() => reuse.interrupt())
  await reuse.waitFor(new RegExp(`listening on 127\\.0\\.0\\.1:${serverPort}`))
  // A client's ephemeral port has no SO_REUSEADDR, like a Python server that never set it:
  // its TIME_WAIT blocks a new listener for up to 60 s, with no program to stop.
  const { clientPort } = await closingServer(t, 'client')
  const run = await runMain(['tcp-server', String(clientPort)])
  t.equal(run.code, 1)
  if (process.platform !== 'linux') {
    t.match(run.stderr, `port ${clientPort} is already in use`, 'elsewhere: the plain sentence')
    return
  }
  t.match(run.stderr, new RegExp(`^sockkit: port ${clientPort} is already in use on 127\\.0\\.0\\.1, but only by connections closed a moment ago \\(TIME_WAIT; ` +
    'no program owns them\\): the system frees it in about (\\d+) s — wait, or pick another port\n$'))
  const seconds = Number(/in about (\d+) s/.exec(run.stderr)?.[1])
  t.ok(seconds > 0 && seconds <= 60, `frees within Linux's 60 s (${seconds} s)`)
  t.notMatch(run.stderr, /stop the program/, 'no program to stop')
  const es = await runMain(['--lang', 'es', 'tcp-server', String(clientPort)])
  t.match(es.stderr, /ya está en uso en 127\.0\.0\.1, pero solo por conexiones cerradas hace un momento \(TIME_WAIT;.*en unos \d+ s — espera o elige otro puerto/)
})

t.test('--json: a fatal error is also one JSON event on stdout, so a script reading only stdout sees why it ended', async t => {
  const taken = createServer()
  await new Promise<void>(resolve => taken.listen(0, '127.0.0.1', resolve))
  t.teardown(() => taken.close())
  const port = (taken.address() as { port: number }).port
  const run = await runMain(['tcp-server', String(port), '--json'])
  t.equal(run.code, 1)
  const lines = run.stdout.toString().trim().split('\n')
  t.equal(lines.length, 1)
  const event = JSON.parse(lines[0]!)
  t.match(event, { event: 'error', code: 'EADDRINUSE', exitCode: 1, message: new RegExp(`^port ${port} is already in use on 127\\.0\\.0\\.1`) })
  t.ok(!Number.isNaN(Date.parse(event.time)), 'timestamped like every event')
  t.match(run.stderr, new RegExp(`^sockkit: port ${port} is already in use`), 'the sentence is on stderr as always')
  // Without --json stdout stays empty: it is for data.
  const plain = await runMain(['tcp-server', String(port)])
  t.equal(plain.stdout.length, 0)
})

t.test('bad command lines: exit 2, one line naming the bad value', async t => {
  const cases: Array<[string[], RegExp]> = [
    [['tcp-server', 'abc'], /port .*"abc"/],
    [['tcp-server', '70000'], /port .*"70000"/],
    [['tcp-server', '0', '--max-connections', '0'], /max-connections .*"0"/],
    [['tcp-server', '0', '--idle-timeout', 'soon'], /idle-timeout .*"soon"/],
    [['tcp-server', '0', '--bogus-flag'], /unknown option '--bogus-flag'/],
  ]
  for (const [args, pattern] of cases) {
    const run = await runMain(args)
    t.equal(run.code, 2, `${args.join(' ')} → 2`)
    t.match(run.stderr, pattern)
    t.equal(run.stderr.trimEnd().split('\n').length, 1, `${args.join(' ')}: one line`)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
})

t.test('a fast client: read lines are capped per second, every read is still accounted for', async t => {
  const { cli, port } = await startServer(t)
  const socket = await client(t, port)
  // 200 ping-pongs: each write waits for its echo, so each is its own read on the server.
  const reads = 200
  for (let i = 0; i < reads; i++) {
    const echoed = once(socket, 'data')
    socket.write(`m${i}`)
    await echoed
  }
  socket.end()
  await cli.waitFor(/\[#1\] closed/)
  await stop(t, cli)
  const err = cli.stderr()
  const shown = (err.match(/\[#1\] read \d+ bytes?: /g) ?? []).length
  const hidden = [...err.matchAll(/\[#1\] … (\d+) more reads? \(/g)].reduce((n, m) => n + Number(m[1]), 0)
  t.equal(shown + hidden, reads, `${shown} shown + ${hidden} counted = every read`)
  // Showing all 200 would need 10 one-second windows; the ping-pongs take far less.
  t.ok(hidden > 0, 'a roll-up line replaced most of them')
})

t.test('--greeting: \\xHH is one byte, and a backslash that is not an escape is sent as typed with a warning', async t => {
  const { cli, port } = await startServer(t, ['--greeting', 'hola\\q\\xff\\n'])
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  const [greeting] = await once(socket, 'data') as [Buffer]
  t.same([...greeting], [...Buffer.from('hola\\q'), 0xff, 0x0a])
  t.match(cli.stderr(), /--greeting: \\q is not an escape; sent as typed/)
  await stop(t, cli)
})

t.test('a client silent for 3 s gets one hint about --greeting, once per run; a talking one none', async t => {
  const { cli, port } = await startServer(t)
  const talker = await client(t, port)
  talker.write('hola')
  await cli.waitFor(/\[#1\] read 4 bytes/)
  await client(t, port)
  await client(t, port)
  const lastSilentDue = Date.now() + 3000
  const m = await cli.waitFor(/\[#(\d)\] hint: this client has sent nothing for 3\.0 s; it may be waiting for the server to speak first — give it a greeting with --greeting 'text\\n'\n/, { timeoutMs: 6000 })
  t.not(m[1], '1', 'not the client that spoke')
  // Until the later silent client's own 3 s are over too (a timer under test, not a guess).
  await new Promise(resolve => setTimeout(resolve, Math.max(0, lastSilentDue - Date.now()) + 100))
  t.equal(cli.stderr().match(/hint:/g)?.length, 1, 'said once')
})

t.test('a greeting without a final newline: a warning at start, and the silence hint names the newline', async t => {
  const { cli, port } = await startServer(t, ['--greeting', 'Hola'])
  t.match(cli.stderr(), /warning: the greeting does not end with a newline \(\\n\): clients that read a line \(Java readLine\(\), Python readline\(\)\) will wait for one/)
  await client(t, port)
  await cli.waitFor(/\[#1\] hint: this client has sent nothing for 3\.0 s; it may still be waiting for the end of the greeting's line/, { timeoutMs: 6000 })
})

t.test('a greeting that ends its line: no warning; the JSON silent event says the client was greeted', async t => {
  const { cli, port } = await startServer(t, ['--greeting', 'Hola\\n', '--json'])
  await client(t, port)
  // The library still reports the silence; the human printer would stay quiet.
  const m = await cli.waitFor(/"event":"silent"[^\n]*/, { from: 'stdout', timeoutMs: 6000 })
  t.match(m[0], /"greeted":true/)
  t.notMatch(cli.stderr(), /warning/)
})

t.test('--queue: a client beyond --max-connections waits, told nothing, and is served when a slot frees; past the queue, refused', async t => {
  const { cli, port } = await startServer(t, ['--max-connections', '1', '--queue', '1'])
  const first = await client(t, port)
  await cli.waitFor(/\[#1\] accepted/)
  const second = await client(t, port)
  const received: Buffer[] = []
  second.on('data', (d: Buffer) => received.push(d))
  second.write('waiting')
  await cli.waitFor(new RegExp(`waiting 127\\.0\\.0\\.1:${second.localPort}: all 1 slots busy; 1 client in the queue, served as slots free`))
  const third = await client(t, port)
  t.match((await readAll(third)).toString(), /^server busy: 1 client connected, try again later\r\n$/, 'the queue is bounded')
  t.equal(Buffer.concat(received).length, 0, 'the waiting client was told nothing, its bytes not yet read')
  first.end()
  // Its slot freed: the waiting client is admitted and what it sent while waiting is echoed.
  await cli.waitFor(/\[#2\] accepted/)
  const ended = once(second, 'close')
  second.end(' done')
  await ended
  t.equal(Buffer.concat(received).toString(), 'waiting done')
  await stop(t, cli)
  t.match(cli.stderr(), /2 connections .*, 1 refused/)
})

t.test('--queue: clients still waiting at Ctrl-C are told the server is shutting down', async t => {
  const { cli, port } = await startServer(t, ['--max-connections', '1', '--queue'])
  await client(t, port)
  await cli.waitFor(/\[#1\] accepted/)
  const waiting = await client(t, port)
  await cli.waitFor(/waiting 127\.0\.0\.1:\d+: all 1 slots busy; 1 client in the queue/)
  const told = readAll(waiting)
  await stop(t, cli)
  t.equal((await told).toString(), 'server shutting down, try again later\r\n')
})
