import t from 'tap'
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { once } from 'node:events'
import { readFileSync } from 'node:fs'
import { BIN, runCli, startCli } from './fixtures/cli.js'

// What only a real process shows: signals and the exit codes the bin maps them to, a closed
// stdout (EPIPE), the bin itself. Everything else about the root program is in-process in
// cli.ts. Spawns the built CLI (bin/sockkit.js → dist/): run `npm run build` first.

t.test('a stop signal ends the run cleanly with the shell\'s code: SIGINT 130, SIGTERM 143, SIGHUP 129', async t => {
  await Promise.all(([['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const).map(async ([signal, code]) => {
    const cli = startCli(['tcp-server', '0'])
    t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
    await cli.waitFor(/listening on/)
    cli.child.kill(signal)
    t.equal(await cli.exited, code, `${signal} → ${code}`)
    t.match(cli.stderr(), /stopped after/, `${signal}: the summary is still printed`)
  }))
})

t.test('the bin: --version prints package.json\'s version; no command is the help on stderr, exit 2', async t => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  const [run, bare] = await Promise.all([runCli(['--version']), runCli([])])
  t.equal(run.code, 0)
  t.equal(run.stdout.toString(), `${version}\n`)
  t.equal(bare.code, 2)
  t.match(bare.stderr, /^Usage: sockkit /)
  t.equal(bare.stdout.length, 0, 'nothing on stdout')
})

t.test('a closed stdout (`sockkit … | head`): EPIPE ends the run quietly, exit 0, no stack trace', async t => {
  const child = spawn(process.execPath, [BIN, 'udp-server', '0', '--json'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, LANGUAGE: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'C', NO_COLOR: '1' } })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 15_000)
  t.teardown(() => { clearTimeout(killTimer); if (child.exitCode === null) child.kill('SIGKILL') })
  let stderr = ''
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString() })
  const exited = once(child, 'close') as Promise<[number | null]>
  // Read the first line (the listening event with the port), then close our end as head does.
  let first = ''
  for await (const chunk of child.stdout) {
    first += String(chunk)
    if (first.includes('\n')) break
  }
  const port = (JSON.parse(first.split('\n')[0]!) as { port: number }).port
  child.stdout.destroy()
  // Each datagram is an event written to the closed stdout; the first write fails with EPIPE.
  const sender = createSocket('udp4')
  t.teardown(() => sender.close())
  for (let i = 0; i < 5; i++) sender.send(`ping ${i}`, port, '127.0.0.1')
  const [code] = await exited
  t.equal(code, 0, `exit 0 (stderr: ${stderr})`)
  t.notMatch(stderr, /\n\s+at /, 'no stack trace')
  t.notMatch(stderr, /EPIPE/, 'no error message')
})
