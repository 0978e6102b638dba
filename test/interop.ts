import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { connect, type Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { runMain, startMain, type MainProcess } from './fixtures/main.js'

// sockkit against the programs students write in class: Python `socket` and Java
// `java.net`, standard library only, in test/fixtures/interop/. Real loopback, port 0.
// The classroom programs are processes; sockkit runs in-process (main(argv, io)), which is
// all these tests need of it: the peer is what they are about.

const FIXTURES = fileURLToPath(new URL('./fixtures/interop/', import.meta.url))

const available = (command: string, args: string[]) =>
  spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 }).status === 0
const HAS_PYTHON = available('python3', ['--version'])
const HAS_JAVA = available('java', ['-version'])

interface Program {
  stdout: () => string
  stderr: () => string
  /** The first stdout line: the port a server program bound. */
  port: () => Promise<number>
  /** Resolves when `pattern` appears on the program's stdout. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>
  exited: Promise<number | null>
}

/**
 * Run a classroom program (`python3 x.py …` or `java X.java …`) from the fixtures folder;
 * killed at teardown if it is still running, and after 20 s whatever happens.
 */
const program = (t: Test, command: string, args: string[]): Program => {
  const child = spawn(command, args, {
    cwd: FIXTURES,
    env: { ...process.env, PYTHONIOENCODING: 'utf-8' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout.setEncoding('utf8')
  child.stderr.setEncoding('utf8')
  child.stdout.on('data', (d: string) => { out += d; listeners.forEach(l => l()) })
  child.stderr.on('data', (d: string) => { err += d })
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject)
    child.on('close', code => { listeners.forEach(l => l()); resolve(code) })
  })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  void exited.then(() => clearTimeout(killTimer), () => clearTimeout(killTimer))
  t.teardown(() => { clearTimeout(killTimer); if (child.exitCode === null) child.kill('SIGKILL') })
  const waitFor = (pattern: RegExp, timeoutMs = 10_000) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const m = out.match(pattern)
      if (m) { done(); resolve(m); return }
      if (child.exitCode !== null) { done(); reject(new Error(`${args[0]} exited (${child.exitCode}) before ${pattern}; stdout ${JSON.stringify(out)}, stderr ${err}`)) }
    }
    const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern} from ${args[0]}; stderr ${err}`)) }, timeoutMs)
    const done = () => { clearTimeout(timer); listeners.delete(check) }
    listeners.add(check)
    check()
  })
  return {
    stdout: () => out,
    stderr: () => err,
    port: async () => Number((await waitFor(/^(\d+)\n/))[1]),
    waitFor,
    exited,
  }
}

/** `sockkit <command> 0 …args`, stopped at teardown; resolves with the port from its "listening" line. */
const startServer = async (t: Test, command: string, args: string[] = []) => {
  const cli = startMain([command, '0', ...args], { t })
  const m = await cli.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  return { cli, port: Number(m[1]) }
}

const stop = async (t: Test, cli: MainProcess) => {
  t.equal(await cli.interrupt(), 130, 'Ctrl-C stops the sockkit server with 130')
}

/** Text after the time stamp on each stderr line, so assertions read like the output. */
const events = (stderr: string) => stderr.replace(/^\d\d:\d\d:\d\d\.\d{3} /gm, '')

t.test('with classroom Python programs', t => {
  if (!HAS_PYTHON) { t.plan(0, 'python3 not found on PATH'); return }

  t.test('a. tcp_client.py (sendall, SHUT_WR, recv until EOF) against tcp-server --greeting', async t => {
    const { cli, port } = await startServer(t, 'tcp-server', ['--greeting', 'Hola\\n'])
    // UTF-8 and a CRLF inside the message: the echo must come back byte for byte.
    const message = 'ñandú ¿qué tal?\r\nadiós\n'
    const client = program(t, 'python3', ['tcp_client.py', '127.0.0.1', String(port), message])
    t.equal(await client.exited, 0, 'the Python client exits 0')
    t.equal(client.stdout(), `greeting: 'Hola\\n'\necho: 'ñandú ¿qué tal?\\r\\nadiós\\n'\n`,
      'Python got the greeting, then exactly what it sent, then EOF')
    await cli.waitFor(/\[#1\] closed after/)
    const bytesIn = Buffer.byteLength(message)
    const log = events(cli.stderr())
    t.match(log, new RegExp(`\\[#1\\] read ${bytesIn} bytes: ñandú ¿qué tal\\?\\\\r\\\\nadiós\\\\n\\n`), 'the read, CRLF made visible')
    t.match(log, new RegExp(`\\[#1\\] half-close received: the client finished sending \\(${bytesIn} bytes in\\)`), "Python's shutdown(SHUT_WR) is seen as a half-close")
    t.match(log, new RegExp(`\\[#1\\] closed after \\S+ \\S+: ${bytesIn} bytes in, ${bytesIn + 5} bytes out\\n`), 'a normal close, greeting + echo out')
    t.notMatch(log, /reset/, 'no reset')
    await stop(t, cli)
  })

  t.test('c. udp_server.py (sendto from the same socket) against udp-send --seq --count 5', async t => {
    const server = program(t, 'python3', ['udp_server.py', '127.0.0.1', '0', '5'])
    const port = await server.port()
    const run = await runMain(['udp-send', '127.0.0.1', String(port), '--seq', '--count', '5', '--wait', '500'], { stdin: 'hola\n' })
    t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
    // UDP promises no order, so compare as sets; on loopback they come in order anyway.
    t.same(run.stdout.toString().split('\n').filter(Boolean).sort(), [1, 2, 3, 4, 5].map(n => `seq=${n} hola`), 'five replies, one per line')
    t.match(events(run.stderr), /received 5 replies \(50 bytes\)\n(?:rate: [^\n]*\n)?seq: 5 of 5 answered, 0 lost, 0 duplicates, 0 reordered/, 'the summary: 0 lost')
    t.equal(await server.exited, 0, 'the Python server exits after 5 datagrams')
    const localPort = events(run.stderr).match(/^sending to 127\.0\.0\.1:\d+ from 127\.0\.0\.1:(\d+)/m)?.[1]
    t.ok(localPort, 'udp-send says which port it sends from')
    const lines = server.stdout().split('\n').filter(Boolean)
    t.same(lines.slice(1).map(l => l.replace(/^seq (\d+) from (\d+)$/, '$1@$2')).sort(),
      [1, 2, 3, 4, 5].map(n => `${n}@${localPort}`), 'Python parsed seq 1..5 with int(data.split(b" ", 1)[0][4:]), all from one port')
  })

  t.test('d. udp_server_new_socket.py: silent by default with the --any-source hint; heard with --any-source', t =>
    answersFromNewSocket(t, 'python3', ['udp_server_new_socket.py', '127.0.0.1', '0', '2'], /answered from port (\d+)/g))

  t.test('e. udp_client.py sends seq=1 and seq=3 to udp-server: both echoed, the gap reported', async t => {
    const { cli, port } = await startServer(t, 'udp-server')
    const client = program(t, 'python3', ['udp_client.py', '127.0.0.1', String(port), 'seq=1 a', 'seq=3 c'])
    t.equal(await client.exited, 0, 'the Python client exits 0')
    t.equal(client.stdout(), `reply from ${port} 'seq=1 a'\nreply from ${port} 'seq=3 c'\n`, 'both echoes, from the port Python sent to')
    const m = await cli.waitFor(/\[127\.0\.0\.1:(\d+)\] seq gap: got 3, expected 2 — 1 missing so far/)
    await stop(t, cli)
    t.match(events(cli.stderr()), new RegExp(`127\\.0\\.0\\.1:${m[1]}: 2 datagrams, 14 bytes; seq 1–3: 1 missing, 0 duplicates, 0 reordered`), 'the summary per peer')
  })

  t.test('f. chat_client.py joins chat-server; a raw net client and it talk both ways', async t => {
    const { cli, port } = await startServer(t, 'chat-server')
    const ana = await joinChat(t, port, 'ana')
    const python = program(t, 'python3', ['chat_client.py', '127.0.0.1', String(port), 'josé', '¿qué tal, ana?'])
    await ana.waitFor(/josé: ¿qué tal, ana\?\r\n/)
    ana.socket.write('hola josé\n')
    t.equal(await python.exited, 0, 'the Python client leaves after 1 s of silence')
    const lines = python.stdout().split('\n')
    t.equal(lines[0], `'Your name? / ¿Tu nombre?\\r\\n'`, 'the prompt, UTF-8 intact')
    t.match(lines[1], /^'\* welcome, josé! Here now: server, ana\./, 'accepted under its name')
    t.match(python.stdout(), /'ana: hola josé\\r\\n'\n/, 'Python received "name: text" from the other client')
    await cli.waitFor(/\* josé left/)
    t.equal(cli.stdout().toString(), 'josé: ¿qué tal, ana?\nana: hola josé\n', 'the transcript')
    await stop(t, cli)
  })

  t.test('g. a chat client that sends its name without a newline is answered after 1 s and told about Enter', async t => {
    // Many course chat clients do `s.send(name.encode())` and wait for an answer. chat-server
    // reads lines; a partial line waiting 1 s for its newline is taken as it is.
    const { cli, port } = await startServer(t, 'chat-server')
    const client = program(t, 'python3', ['chat_client_no_newline.py', '127.0.0.1', String(port), 'ana'])
    t.equal(await client.exited, 0, 'the Python client got its answer and exits 0')
    t.match(client.stdout(), /welcome, ana/, 'the name was taken without a newline')
    t.match(client.stdout(), /end each line with Enter/, 'and the student is told why it took a second')
    await cli.waitFor(/no newline/)
    await stop(t, cli)
  })

  t.end()
})

t.test('with classroom Java programs', t => {
  if (!HAS_JAVA) { t.plan(0, 'java not found on PATH'); return }

  t.test('b. EchoServer.java (readLine until EOF, then close) against tcp-client with piped stdin', async t => {
    const server = program(t, 'java', ['EchoServer.java', '127.0.0.1', '0'])
    const port = await server.port()
    const run = await runMain(['tcp-client', '127.0.0.1', String(port)], { stdin: 'hola\nmundo\n' })
    t.equal(run.code, 0, 'exits 0', { stderr: run.stderr })
    t.equal(run.stdout.toString(), 'hola\nmundo\n', 'stdout is exactly the echo')
    const log = events(run.stderr)
    t.match(log, /sent EOF \(half-close\) after 11 bytes/, 'our EOF is a half-close, so Java sees readLine() == null')
    t.match(log, /server finished sending \(FIN\) after 11 bytes received/, 'the echo after our EOF was not lost')
    t.notMatch(log, /reset/, 'no reset')
    t.equal(await server.exited, 0, 'the Java server exits 0')
    t.equal(server.stdout(), `${port}\nreceived: hola\nreceived: mundo\nclient finished; closing\n`, 'Java read two lines, then EOF')
  })

  t.test('d. UdpReplyFromNewSocket.java: silent by default with the --any-source hint; heard with --any-source', t =>
    answersFromNewSocket(t, 'java', ['UdpReplyFromNewSocket.java', '127.0.0.1', '0', '2'], /answered from port (\d+)/g))

  t.end()
})

/**
 * Case d for either language: a server that receives two datagrams and answers each
 * "ok: <text>" from a new socket. The first udp-send (connected socket) must hear nothing
 * and name --any-source; the second, with --any-source, prints the reply and says where
 * it came from.
 */
async function answersFromNewSocket (t: Test, command: string, args: string[], answered: RegExp) {
  const server = program(t, command, args)
  const port = await server.port()
  const target = `127.0.0.1:${port}`

  const silent = startMain(['udp-send', '127.0.0.1', String(port), '--wait', '1000'], { t, stdin: 'hola\n' })
  await server.waitFor(/answered from port \d+\n/)
  t.equal(silent.done(), false, 'the reply left while udp-send was still listening')
  t.equal(await silent.exited, 0, 'no reply is not a failure')
  t.equal(silent.stdout().length, 0, 'nothing printed: the reply came from another port')
  t.match(events(silent.stderr()), new RegExp(
    `received 0 replies \\(0 bytes\\)\\nno reply from ${target.replace(/\./g, '\\.')}: ` +
    `if the server answers from another port \\(Java's new DatagramSocket\\(\\) does\\), use --any-source`), 'the hint names --any-source')

  const heard = await runMain(['udp-send', '127.0.0.1', String(port), '--any-source', '--wait', '1000'], { stdin: 'hola\n' })
  t.equal(heard.code, 0, 'exits 0', { stderr: heard.stderr })
  t.equal(heard.stdout.toString(), 'ok: hola\n', 'the reply is printed')
  t.equal(await server.exited, 0, 'the server exits after two datagrams')
  const replyPorts = [...server.stdout().matchAll(answered)].map(m => m[1])
  t.equal(replyPorts.length, 2, 'the server answered both datagrams')
  const from = `127.0.0.1:${replyPorts[1]}`
  t.not(replyPorts[1], String(port), 'from a port other than the one it listens on')
  const log = events(heard.stderr)
  t.match(log, `← reply from ${from} (not the target), 8 bytes: ok: hola`, 'marked as not from the target')
  t.match(log, `1 reply came from another address or port than the target ${target}: ${from} (1)`, 'and the summary says so')
}

/** Join the chat as `name` over a raw node socket; resolves once welcomed. */
async function joinChat (t: Test, port: number, name: string) {
  const socket: Socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  socket.on('error', () => {})
  socket.setEncoding('utf8')
  let received = ''
  const checks = new Set<() => void>()
  socket.on('data', (d: string) => { received += d; checks.forEach(check => check()) })
  // Checked on each arrival, given up after 10 s.
  const waitFor = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => { if (pattern.test(received)) { done(); resolve() } }
    const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern} from the chat; got ${JSON.stringify(received)}`)) }, 10_000)
    const done = () => { clearTimeout(timer); checks.delete(check) }
    checks.add(check)
    check()
  })
  await waitFor(/Your name\?/)
  socket.write(`${name}\n`)
  await waitFor(/\* welcome, /)
  return { socket, waitFor }
}
