import t, { type Test } from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { runMain, startMain } from './fixtures/main.js'

// ws-server and ws-client against an independent implementation: Python's `websockets`
// (Debian python3-websockets, which .ci/run installs), as classroom programs in
// test/fixtures/interop/. The system Python is used: that is where the Debian package lives.

const FIXTURES = fileURLToPath(new URL('./fixtures/interop/', import.meta.url))
const PYTHON = '/usr/bin/python3'
const HAS_WEBSOCKETS = spawnSync(PYTHON, ['-c', 'import websockets'], { stdio: 'ignore', timeout: 10_000 }).status === 0

const events = (stderr: string) => stderr.replace(/^\d\d:\d\d:\d\d\.\d{3} /gm, '')

/** Run a fixture; killed at teardown, and after 15 s whatever happens. */
const python = (t: Test, args: string[]) => {
  const child = spawn(PYTHON, args, { cwd: FIXTURES, env: { ...process.env, PYTHONIOENCODING: 'utf-8' }, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; listeners.forEach(l => l()) })
  child.stderr.setEncoding('utf8').on('data', (d: string) => { err += d })
  const exited = new Promise<number | null>(resolve => child.on('close', code => { listeners.forEach(l => l()); resolve(code) }))
  const killer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  void exited.then(() => clearTimeout(killer))
  t.teardown(() => { clearTimeout(killer); if (child.exitCode === null) child.kill('SIGKILL') })
  const waitFor = (pattern: RegExp) => new Promise<RegExpMatchArray>((resolve, reject) => {
    const check = () => {
      const m = out.match(pattern)
      if (m) { listeners.delete(check); resolve(m) } else if (child.exitCode !== null) reject(new Error(`exited before ${pattern}: ${out} ${err}`))
    }
    listeners.add(check)
    check()
  })
  return { out: () => out, err: () => err, exited, waitFor }
}

t.test('with Python websockets', t => {
  if (!HAS_WEBSOCKETS) { t.plan(0, 'python3-websockets is not installed (apt-get install python3-websockets)'); return }

  t.test('Python client against ws-server: text, binary, ping, close 4000', async t => {
    const cli = startMain(['ws-server', '0'], { t })
    const port = Number((await cli.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//))[1])
    const client = python(t, ['ws_client.py', `ws://127.0.0.1:${port}/`, '4000'])
    t.equal(await client.exited, 0, 'the Python client exits 0', { stderr: client.err() })
    t.equal(client.out(), 'text: hola ñandú\nbinary: bytes 000102ff\npong\nclosed: 4000\n', 'echoes as sent, binary stays binary, ping answered, our code echoed back')
    await cli.waitFor(/closed by the client/)
    const log = events(cli.stderr())
    t.match(log, /\[#1\] text message, 12 bytes: hola ñandú/)
    t.match(log, /\[#1\] ping from the client \(\d+ bytes?\), answered with a pong/)
    t.match(log, /\[#1\] closed by the client: 4000 \(a code of the application\) "adiós"/)
    t.equal(await cli.interrupt(), 130)
  })

  t.test('Python client sends 1 MiB + 1 to ws-server: closed with 1009', async t => {
    const cli = startMain(['ws-server', '0', '--quiet'], { t })
    const port = Number((await cli.waitFor(/listening on ws:\/\/127\.0\.0\.1:(\d+)\//))[1])
    const client = python(t, ['ws_client.py', `ws://127.0.0.1:${port}/`, '1000', String(1024 * 1024 + 1)])
    t.equal(await client.exited, 0, 'exits 0', { stderr: client.err() })
    t.match(client.out(), /closed: 1009\n$/, 'Python sees 1009')
    await cli.waitFor(/\[#1\] closed: we sent 1009/)
    t.match(events(cli.stderr()), /message too big: over the 1\.0 MiB limit \(--max-message\); closing with 1009/)
    t.equal(await cli.interrupt(), 130)
  })

  t.test('ws-client against a Python server: echoes, then the server closes with 4002', async t => {
    const server = python(t, ['ws_server.py', '127.0.0.1', '0'])
    const port = Number((await server.waitFor(/^(\d+)\n/))[1])
    const run = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--wait', '2000'], { stdin: 'uno\ndos\nbye 4002\n' })
    t.equal(run.code, 1, 'a close with 4002 exits 1')
    t.equal(run.stdout, 'uno\ndos\n', 'the two echoes')
    t.match(events(run.stderr), /closed by the server with code 4002 \(a code of the application\) "hasta luego"/)
    t.equal(await server.exited, 0)
    t.match(server.out(), /client closed: 4002 hasta luego/)
  })

  t.test('ws-client --binary against a Python server, closing with 1000', async t => {
    const server = python(t, ['ws_server.py', '127.0.0.1', '0'])
    const port = Number((await server.waitFor(/^(\d+)\n/))[1])
    const run = await runMain(['ws-client', `ws://127.0.0.1:${port}/`, '--binary', '--message', '\\x00\\x01', '--wait', '300'])
    t.equal(run.code, 0, { stderr: run.stderr })
    t.equal(run.stdout, '0001\n', 'binary echoed, shown in hex')
    t.equal(await server.exited, 0)
    t.match(server.out(), /client closed: 1000/, 'Python saw our 1000')
  })
  t.end()
})
