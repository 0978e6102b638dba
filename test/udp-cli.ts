import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { datagramLimit, makeUdpSendCommand, noReplySentence } from '../src/cli/commands/udp-send.js'
import type { CliContext } from '../src/cli/io.js'
import { runCli, startCli, type CliProcess } from './fixtures/cli.js'
import { readSnmp } from '../src/snmp.js'
import { answersFromAnotherPort, rawServer } from './fixtures/udp.js'

// Spawns the built CLI (bin/sockkit.js → dist/): run `npx tsc -p .` first.

/** A raw UDP server on a free loopback port whose replies the test decides. */

/** `sockkit udp-server 0 …`, resolved once it says which port it got. */
const startServer = async (t: Test, args: string[] = []): Promise<{ cli: CliProcess; port: number }> => {
  const cli = startCli(['udp-server', '0', ...args])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  const from = args.includes('--json') ? 'stdout' : 'stderr'
  const m = await cli.waitFor(from === 'stdout' ? /"port":(\d+)/ : /listening on 127\.0\.0\.1:(\d+)/, { from })
  return { cli, port: Number(m[1]) }
}

/** A free UDP port with nothing bound to it (bound, read, released). */
const freePort = async (): Promise<number> => {
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  return port
}

t.test('two udp-send at once against one udp-server: both get every echo; Ctrl-C gives a summary per peer and 130', async t => {
  const { cli, port } = await startServer(t)
  const [a, b] = await Promise.all([
    runCli(['udp-send', '127.0.0.1', String(port), 'alfa', '--count', '5', '--seq', '--wait', '1500']),
    runCli(['udp-send', '127.0.0.1', String(port), 'bravo', '--count', '5', '--seq', '--wait', '1500']),
  ])
  t.equal(a.code, 0, a.stderr)
  t.equal(b.code, 0, b.stderr)
  t.equal(a.stdout.toString(), [1, 2, 3, 4, 5].map(n => `seq=${n} alfa\n`).join(''))
  t.equal(b.stdout.toString(), [1, 2, 3, 4, 5].map(n => `seq=${n} bravo\n`).join(''))
  t.match(a.stderr, /5 of 5 answered, 0 lost/)
  const portA = Number(/from 127\.0\.0\.1:(\d+)/.exec(a.stderr)![1])
  const portB = Number(/from 127\.0\.0\.1:(\d+)/.exec(b.stderr)![1])
  t.equal(await cli.interrupt(), 130)
  const err = cli.stderr()
  t.match(err, /stopped after .*: 2 peers, 10 datagrams/)
  t.match(err, new RegExp(`127\\.0\\.0\\.1:${portA}: 5 datagrams, 50 bytes; seq 1–5: 0 missing`))
  t.match(err, new RegExp(`127\\.0\\.0\\.1:${portB}: 5 datagrams, 55 bytes; seq 1–5: 0 missing`))
  t.equal(cli.stdout().length, 0, 'stdout carries no diagnostics')
})

t.test('udp-server reports gaps, reordering and duplicates of crafted seq= datagrams', async t => {
  const { cli, port } = await startServer(t)
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  let echoes = 0
  socket.on('message', () => { echoes++ })
  for (const text of ['seq=1 a', 'seq=4 a', 'seq=2 a', 'seq=2 a']) {
    await new Promise<void>(resolve => socket.send(text, port, '127.0.0.1', () => resolve()))
  }
  await cli.waitFor(/seq 2 again \(duplicate\)/)
  t.match(cli.stderr(), /seq gap: got 4, expected 2 — 2 missing so far/)
  t.match(cli.stderr(), /seq 2 arrived late \(reordered/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /seq 1–4: 1 missing, 1 duplicate, 1 reordered/)
})

t.test('udp-server: running missing total, and a rerun from the same port is a new run', async t => {
  const { cli, port } = await startServer(t)
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  const send = (text: string) => new Promise<void>(resolve => socket.send(text, port, '127.0.0.1', () => resolve()))
  for (const text of ['seq=1 a', 'seq=3 a', 'seq=5 a']) await send(text)
  await cli.waitFor(/got 5, expected 4/)
  // A rerun needs a pause (1 s of silence): without one, seq 1 is a late copy, not a new run.
  await new Promise(resolve => setTimeout(resolve, 1200))
  for (const text of ['seq=1 b', 'seq=3 b']) await send(text)
  await cli.waitFor(/seq restarted at 1/)
  await cli.waitFor(/got 3, expected 2 — 1 missing so far\n[^]*got 3, expected 2/)
  t.match(cli.stderr(), /seq gap: got 5, expected 4 — 2 missing so far \(1 skipped here\)/)
  t.match(cli.stderr(), /seq restarted at 1 \(a new run; previous run: seq 1–5, 2 missing, 0 duplicates, 0 reordered\)/)
  t.notMatch(cli.stderr(), /again \(duplicate\)/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /seq 1–3: 1 missing, 0 duplicates, 0 reordered; restarted 1 time, earlier runs: 3 received, 2 missing/)
})

t.test('udp-send collects both replies when a server answers each datagram twice', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    socket.send(data, from.port, from.address)
    socket.send(Buffer.concat([Buffer.from('again: '), data]), from.port, from.address)
  })
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), 'hola\\n', '--count', '2', '--wait', '1500'])
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.toString().split('\n').filter(Boolean).sort().join('|'), 'again: hola|again: hola|hola|hola')
  t.match(run.stderr, /sent 2 datagrams .* received 4 replies/)
})

t.test('--size pads each datagram with dots to exactly that size', async t => {
  const server = await rawServer(t)
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--size', '12', '--seq', '--wait', '0'])
  t.equal(run.code, 0, run.stderr)
  t.same(server.received.map(d => d.toString()), ['seq=1 hola..'])
})

t.test('--size over the datagram limit, or shorter than the message, is a usage error', async t => {
  const over = await runCli(['udp-send', '127.0.0.1', '9000', 'hola', '--size', '70000'])
  t.equal(over.code, 2)
  t.match(over.stderr, /65507/)
  const overV4 = await runCli(['udp-send', '127.0.0.1', '9000', 'hola', '--size', '65520'])
  t.equal(overV4.code, 2)
  t.match(overV4.stderr, /65507-byte UDP limit for IPv4/)
  const short = await runCli(['udp-send', '127.0.0.1', '9000', 'hola mundo', '--size', '5'])
  t.equal(short.code, 2)
  t.match(short.stderr, /10 bytes, longer than --size 5/)
})

t.test('stdin: one datagram per line; an over-long line is reported, not sent, and makes the exit 1', async t => {
  const server = await rawServer(t)
  const ok = await runCli(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { input: 'uno\ndos\ntres' })
  t.equal(ok.code, 0, ok.stderr)
  t.same(server.received.map(d => d.toString()), ['uno', 'dos', 'tres'])
  server.received.length = 0
  const long = await runCli(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { input: `a\n${'x'.repeat(70000)}\nb\n` })
  t.equal(long.code, 1)
  t.match(long.stderr, /line 2 is 70000 bytes, over the 65507-byte UDP limit; not sent/)
  t.match(long.stderr, /1 not sent/)
  t.same(server.received.map(d => d.toString()), ['a', 'b'])
})

t.test('nothing listening: the summary of what was sent, then the port unreachable sentence, exit 1', async t => {
  const port = await freePort()
  const run = await runCli(['udp-send', '127.0.0.1', String(port), 'anyone?', '--wait', '5000'])
  t.equal(run.code, 1)
  const summary = run.stderr.search(new RegExp(`sent 1 datagram \\(7 bytes\\) to 127\\.0\\.0\\.1:${port}, received 0 replies`))
  const sentence = run.stderr.indexOf(`sockkit: nothing is listening on 127.0.0.1:${port} (the host answered 'port unreachable')`)
  t.ok(summary >= 0, `a summary: ${run.stderr}`)
  t.ok(sentence > summary, 'the sentence comes after the summary')
  t.notMatch(run.stderr, /--any-source/, 'no --any-source hint: nothing listens on that port at all')
  t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
})

t.test('bad ports and options: exit 2 naming the value', async t => {
  for (const args of [
    ['udp-send', '127.0.0.1', 'abc', 'x'],
    ['udp-send', '127.0.0.1', '0', 'x'],
    ['udp-send', '127.0.0.1', '70000', 'x'],
    ['udp-server', '70000'],
    ['udp-send', '127.0.0.1', '9000', 'x', '--count', '0'],
    ['udp-send', '127.0.0.1', '9000', 'x', '--rate', '5', '--interval', '10'],
    ['udp-server', '0', '--rcvbuf', 'lots'],
  ]) {
    const run = await runCli(args)
    t.equal(run.code, 2, args.join(' '))
    t.equal(run.stderr.trim().split('\n').length, 1, `one sentence: ${run.stderr}`)
  }
  t.match((await runCli(['udp-send', '127.0.0.1', 'abc', 'x'])).stderr, '"abc"')
})

/**
 * `udp-server 0 …args` gets `seq=1 a` and `seq=3 a` (a gap), then Ctrl-C: its NDJSON
 * events. Not kernel-drops: the counter is machine-wide, and another test file flooding
 * loopback at the same time raises it.
 */
const jsonEventsForAGap = async (t: Test, args: string[]) => {
  const { cli, port } = await startServer(t, args)
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  for (const text of ['seq=1 a', 'seq=3 a']) await new Promise<void>(resolve => socket.send(text, port, '127.0.0.1', () => resolve()))
  await cli.waitFor(/"event":"sequence"/, { from: 'stdout' })
  t.equal(await cli.interrupt(), 130)
  return cli.stdout().toString().trim().split('\n').map(line => JSON.parse(line)).filter(e => e.event !== 'kernel-drops')
}

t.test('udp-server --json: NDJSON events on stdout, a summary on Ctrl-C', async t => {
  const events = await jsonEventsForAGap(t, ['--json'])
  t.same(events.map(e => e.event), ['listening', 'datagram', 'datagram', 'sequence', 'summary'])
  t.match(events[3], { kind: 'gap', seq: 3, expected: 2, missing: 1 })
  t.match(events[4], { datagrams: 2, peersSeen: 1 })
  t.equal(events[4].peers.length, 1)
})

t.test('udp-server --json --quiet: no datagram events, the sequence events and the summary stay (as tcp-server allows it)', async t => {
  const events = await jsonEventsForAGap(t, ['--json', '--quiet'])
  t.same(events.map(e => e.event), ['listening', 'sequence', 'summary'])
  t.match(events[2], { datagrams: 2 })
})

// Documented choice: the human lines are limited (20 a second per peer), --json is not —
// a program reading the NDJSON wants every event, and a file or pipe keeps up.
t.test('udp-server: 100 datagrams at once are ≤ 20 lines and a "… N more" line; --json keeps all 100', async t => {
  const sendBurst = async (port: number) => {
    const socket = createSocket('udp4')
    t.teardown(() => socket.close())
    await Promise.all(Array.from({ length: 100 }, (_, i) => new Promise<void>(resolve => socket.send(`burst ${i}`, port, '127.0.0.1', () => resolve()))))
  }
  const human = await startServer(t)
  await sendBurst(human.port)
  const [, more] = await human.cli.waitFor(/… ([\d,]+) more datagrams \([^)]*\) not shown: at most 20 datagram lines a second per peer/)
  t.equal(await human.cli.interrupt(), 130)
  const lines = human.cli.stderr().split('\n').filter(line => / bytes: burst /.test(line)).length
  t.ok(lines <= 20, `${lines} datagram lines`)
  t.equal(lines + Number(more), 100, 'shown + "more" = all 100')
  t.match(human.cli.stderr(), /: 100 datagrams, /, 'the per-peer summary has the total')

  const json = await startServer(t, ['--json'])
  await sendBurst(json.port)
  await json.cli.waitFor(/burst 99/, { from: 'stdout' })
  t.equal(await json.cli.interrupt(), 130)
  const events = json.cli.stdout().toString().trim().split('\n').map(line => JSON.parse(line))
  t.equal(events.filter(e => e.event === 'datagram').length, 100)
  t.notOk(events.some(e => e.event === 'datagrams-hidden'))
})

t.test('--rcvbuf reports the size the kernel granted', async t => {
  const { cli } = await startServer(t, ['--rcvbuf', '65536'])
  const m = await cli.waitFor(/asked for 65536 bytes, the kernel granted (\d+) bytes/)
  t.ok(Number(m[1]) > 0)
  if (process.platform === 'linux') t.match(cli.stderr(), /Linux doubles/)
  t.equal(await cli.interrupt(), 130)
})

// As macOS refuses a buffer over kern.ipc.maxsockbuf: the fixture makes Linux refuse it too.
const refuseRcvbuf = {
  NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${fileURLToPath(new URL('./fixtures/refuse-rcvbuf.cjs', import.meta.url))}`,
  SOCKKIT_TEST_REFUSE_RCVBUF_ABOVE: '1000000',
}

t.test('--rcvbuf the kernel refuses: one sentence, the default kept, no stack trace; udp-server listens, udp-send exits 0', async t => {
  const server = startCli(['udp-server', '0', '--rcvbuf', '8000000'], { env: refuseRcvbuf })
  t.teardown(() => { if (server.child.exitCode === null) server.child.kill('SIGKILL') })
  await server.waitFor(/receive buffer: the kernel refused 8000000 bytes \(ENOBUFS\); using its default of \d+ bytes/)
  const port = Number((await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/))[1])
  const send = await runCli(['udp-send', '127.0.0.1', String(port), 'hola', '--rcvbuf', '8000000', '--wait', '300'], { env: refuseRcvbuf })
  t.equal(send.code, 0, send.stderr)
  t.match(send.stderr, /receive buffer: the kernel refused 8000000 bytes \(ENOBUFS\); using its default of \d+ bytes/)
  t.equal(send.stdout.toString(), 'hola\n')
  t.equal(await server.interrupt(), 130)
  t.notMatch(server.stderr() + send.stderr, /ERR_SOCKET_BUFFER_SIZE|    at /)
})

t.test('a port in use: exit 1 saying so', async t => {
  const { port } = await startServer(t)
  const run = await runCli(['udp-server', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, `port ${port} is already in use`)
})

t.test('udp-send Ctrl-C while waiting for more stdin: summary so far and 130', async t => {
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const cli = startCli(['udp-send', '127.0.0.1', String(server.port), '--seq'])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  cli.child.stdin!.write('primera\n') // and stdin stays open, like a terminal
  await cli.waitFor(/reply from/)
  t.equal(await cli.interrupt(), 130)
  t.equal(cli.stdout().toString(), 'seq=1 primera\n')
  t.match(cli.stderr(), /interrupted: sent 1 datagram .* received 1 reply/)
  t.match(cli.stderr(), /seq: 1 of 1 answered, 0 lost/)
})

t.test('udp-send Ctrl-C during the wait: the unanswered are not called lost', async t => {
  const server = await rawServer(t) // never answers
  const cli = startCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--seq', '--count', '3', '--wait', '30000'])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  await cli.waitFor(/collecting replies/)
  t.equal(await cli.interrupt(), 130)
  const err = cli.stderr()
  t.match(err, /seq: 0 of 3 answered, 3 unanswered when stopped, 0 duplicates/)
  t.match(err, /no reply yet when stopped: 1–3/)
  t.notMatch(err, /lost/, 'the wait was cut short: nothing is known to be lost')
})

t.test('udp-send with empty stdin: nothing sent, the reason, exit 2', async t => {
  const server = await rawServer(t)
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), '--seq', '--count', '3', '--wait', '100'], { input: '' })
  t.equal(run.code, 2, run.stderr)
  t.match(run.stderr, 'sockkit: stdin was empty: nothing was sent (give a message, or pipe lines in)')
  t.notMatch(run.stderr, /sent 0 datagrams/)
  t.equal(run.stdout.length, 0)
  t.equal(server.received.length, 0)
})

t.test('an empty datagram is shown as such in udp-send and udp-server, not as a bare "0 bytes: "', async t => {
  const { cli, port } = await startServer(t)
  const run = await runCli(['udp-send', '127.0.0.1', String(port), '--wait', '1000'], { input: '\n' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /→ sent 0 bytes \(empty datagram\)\n/)
  t.match(run.stderr, /← reply from 127\.0\.0\.1:\d+, 0 bytes \(empty datagram\)\n/)
  await cli.waitFor(/\] 0 bytes \(empty datagram\) \(new peer\)\n/)
  t.notMatch(run.stderr + cli.stderr(), /0 bytes: /)
})

t.test('stdin with Windows line endings: each datagram is the line without \\r\\n; a message argument is sent exactly', async t => {
  const server = await rawServer(t)
  const lines = await runCli(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { input: 'hola\r\nmundo\r\n' })
  t.equal(lines.code, 0, lines.stderr)
  t.same(server.received.map(d => d.toString()), ['hola', 'mundo'], 'what a Python data.decode() == "hola" server expects')
  server.received.length = 0
  const exact = await runCli(['udp-send', '127.0.0.1', String(server.port), 'hola\\r\\n', '--wait', '0'])
  t.equal(exact.code, 0, exact.stderr)
  t.same(server.received, [Buffer.from('hola\r\n')], 'binary-exact with a message argument')
})

t.test('replies print one datagram per line; --raw writes them exactly as received', async t => {
  const server = await rawServer(t, (_data, from, socket) => {
    // Sent in order on loopback: they arrive in order.
    for (const text of ['hola', 'mundo', 'ya\n']) socket.send(text, from.port, from.address)
  })
  const lines = await runCli(['udp-send', '127.0.0.1', String(server.port), 'x', '--wait', '1000'])
  t.equal(lines.code, 0, lines.stderr)
  t.equal(lines.stdout.toString(), 'hola\nmundo\nya\n', 'a newline after each reply that lacks one, none doubled')
  const raw = await runCli(['udp-send', '127.0.0.1', String(server.port), 'x', '--wait', '1000', '--raw'])
  t.equal(raw.code, 0, raw.stderr)
  t.equal(raw.stdout.toString(), 'holamundoya\n')
})


t.test('a server answering from another port: 0 replies and the --any-source hint; with --any-source the reply and its source', async t => {
  const { port, replierPort } = await answersFromAnotherPort(t)
  const plain = await runCli(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '300'])
  t.equal(plain.code, 0, plain.stderr)
  t.equal(plain.stdout.length, 0)
  t.match(plain.stderr, /received 0 replies/)
  t.match(plain.stderr, `no reply from 127.0.0.1:${port}: if the server answers from another port`)
  t.match(plain.stderr, /use --any-source/)

  const any = await runCli(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '1000', '--any-source'])
  t.equal(any.code, 0, any.stderr)
  t.equal(any.stdout.toString(), 'recibido: hola\n')
  t.match(any.stderr, /'port unreachable' cannot be detected/)
  t.match(any.stderr, `reply from 127.0.0.1:${replierPort} (not the target)`)
  t.match(any.stderr, `1 reply came from another address or port than the target 127.0.0.1:${port}: 127.0.0.1:${replierPort} (1)`)
  t.notMatch(any.stderr, /no reply from/)
})

t.test('--any-source and nothing listening: no refusal can be seen, and the summary says so', async t => {
  const port = await freePort()
  const run = await runCli(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '300', '--any-source'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /received 0 replies/)
  t.match(run.stderr, /no reply from any address \(with --any-source a 'port unreachable' cannot be detected/)
})

t.test('--seq against a server that answers in its own words: no loss claimed', async t => {
  const server = await rawServer(t, (_data, from, socket) => socket.send('ok', from.port, from.address))
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '3', '--seq', '--wait', '1000'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /seq: the replies carried no seq= prefix \(the server answered in its own words\), so loss cannot be told from them: sent 3, received 3 replies/)
  t.notMatch(run.stderr, /lost/)
})

t.test('--seq with some replies unnumbered: loss from the numbered ones, and the caveat', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    if (data.toString().startsWith('seq=1 ')) socket.send(data, from.port, from.address)
    else socket.send('ok', from.port, from.address)
  })
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '2', '--seq', '--wait', '1000'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /seq: 1 of 2 answered, 1 lost, .*1 without a seq= prefix/)
  t.match(run.stderr, /lost \(no reply within the wait\): 2 — judged from the numbered replies; the 1 without a prefix may answer some of these/)
})

t.test('replies dropped in udp-send\'s own receive buffer: the kernel\'s count, in plain words', async t => {
  if (process.platform !== 'linux') return t.plan(0, 'the kernel drop counter is Linux only')
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  // udp-send sends the burst before reading; an 8 KiB buffer holds a handful of echoes.
  const run = await runCli(['udp-send', '127.0.0.1', String(server.port), 'x', '--count', '2000', '--seq', '--quiet', '--rcvbuf', '4096', '--wait', '500'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /receive buffer: asked for 4096 bytes, the kernel granted \d+ bytes/)
  const lost = Number(/seq: \d+ of 2000 answered, (\d+) lost/.exec(run.stderr)?.[1])
  t.ok(lost > 0, `lost ${lost}`)
  const m = /(\d+) replies missing, and this machine's kernel dropped up to (\d+) datagrams during the run because a receive buffer was full \(Udp RcvbufErrors \+\d+; a machine-wide counter/.exec(run.stderr)
  t.ok(m, run.stderr)
  t.equal(Number(m?.[1]), lost)
  t.ok(Number(m?.[2]) >= lost, 'the counter covers at least our own drops')
  t.equal(run.stdout.toString().split('\n').length - 1, 2000 - lost, 'one stdout line per reply received')
})

t.test('udp-send --help: the new options, defaults, examples, and no line over 80 columns', async t => {
  const run = await runCli(['udp-send', '--help'])
  t.equal(run.code, 0)
  const help = run.stdout.toString()
  const flat = help.replace(/\s+/g, ' ') // commander wraps anywhere
  for (const text of ['--any-source', '--raw', '--rcvbuf <bytes>', '(default: 1000)', '(default: 1)', 'one datagram per line', 'Examples:']) {
    t.match(flat, text)
  }
  t.equal(help.split('\n').filter(line => line.length > 80).length, 0, 'wrapped to 80 columns')
})

/** udp-send as a given platform would run it, in-process, its stderr collected. */
const udpSendAs = async (platform: NodeJS.Platform, args: string[]): Promise<{ exitCode: number; stderr: string; help: string }> => {
  const stdin = new PassThrough()
  stdin.end()
  const stderr = new PassThrough()
  let text = ''
  stderr.on('data', (d: Buffer) => { text += d.toString() })
  const ctx: CliContext = { io: { stdin, stdout: new PassThrough().resume(), stderr, env: { NO_COLOR: '1' }, signal: new AbortController().signal }, exitCode: 0, colorFlag: false }
  const command = makeUdpSendCommand(ctx, platform).exitOverride()
  await command.parseAsync(args, { from: 'user' })
  return { exitCode: ctx.exitCode, stderr: text, help: command.helpInformation() }
}

t.test('udp-send on Windows, where a \'port unreachable\' never reaches the program: no reply is not blamed on the port, and --any-source is not suggested', async t => {
  // A real server that never answers: on Linux and macOS the absence of a refusal is why --any-source is suggested.
  const silent = await rawServer(t)
  const args = ['127.0.0.1', String(silent.port), 'hola', '--wait', '100']
  const windows = await udpSendAs('win32', args)
  t.equal(windows.exitCode, 0)
  t.match(windows.stderr, `no reply from 127.0.0.1:${silent.port}: Windows does not tell programs about 'port unreachable', so "nothing is listening" and "no reply" look the same here`)
  t.notMatch(windows.stderr, '--any-source')
  const flatHelp = windows.help.replace(/\s+/g, ' ')
  t.match(flatHelp, 'Windows does not tell programs about \'port unreachable\'')
  t.notMatch(flatHelp, /how "nothing is listening" is detected|1 nothing listening|cannot be detected in this mode/)
  t.equal(windows.help.split('\n').filter(line => line.length > 80).length, 0, 'wrapped to 80 columns')
  const linux = await udpSendAs('linux', args)
  t.match(linux.stderr, `no reply from 127.0.0.1:${silent.port}: if the server answers from another port (Java's new DatagramSocket() does), use --any-source`)
  t.match(linux.help.replace(/\s+/g, ' '), 'which is also how "nothing is listening" is detected')
  const anySource = await udpSendAs('win32', [...args, '--any-source'])
  t.match(anySource.stderr, `--any-source: replies from any address and port are accepted; Windows does not tell programs about 'port unreachable'`)
  t.match(anySource.stderr, 'no reply from any address: Windows does not tell programs')
  t.equal(noReplySentence({ remoteAddress: '::1', remotePort: 9, connected: true, aborted: true }, 'win32'),
    'no reply from [::1]:9 before the stop: Windows does not tell programs about \'port unreachable\', so "nothing is listening" and "no reply" look the same here')
})

/** Overflow another socket's receive buffer on this machine: a 4 KiB buffer, 300 datagrams sent before anything reads. */
const overflowAnotherSocket = async (t: Test): Promise<void> => {
  const victim = createSocket({ type: 'udp4', recvBufferSize: 4096 })
  await new Promise<void>(resolve => victim.bind(0, '127.0.0.1', resolve))
  const flooder = createSocket('udp4')
  t.teardown(() => { victim.close(); flooder.close() })
  const before = (await readSnmp())!.udp.RcvbufErrors!
  for (let i = 0; i < 300; i++) flooder.send(Buffer.alloc(1000), victim.address().port, '127.0.0.1')
  t.ok((await readSnmp())!.udp.RcvbufErrors! > before, 'the machine-wide counter rose during the run')
}

t.test('the machine-wide drop counter rising for another socket is not blamed when every reply came back', async t => {
  if (process.platform !== 'linux') return t.plan(0, 'the kernel drop counter is Linux only')
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const cli = startCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '3', '--seq', '--wait', '1500'], { stdin: 'ignore' })
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  await cli.waitFor(/last datagram sent/)
  await overflowAnotherSocket(t)
  t.equal(await cli.exited, 0, cli.stderr())
  t.match(cli.stderr(), /seq: 3 of 3 answered, 0 lost/)
  t.notMatch(cli.stderr(), /kernel dropped/)
})

t.test('more replies than datagrams and the counter rose: a plain "may be among them" line', async t => {
  if (process.platform !== 'linux') return t.plan(0, 'the kernel drop counter is Linux only')
  const server = await rawServer(t, (data, from, socket) => {
    socket.send(data, from.port, from.address)
    socket.send(data, from.port, from.address)
  })
  const cli = startCli(['udp-send', '127.0.0.1', String(server.port), 'hola', '--wait', '1500'], { stdin: 'ignore' })
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  await cli.waitFor(/last datagram sent/)
  await overflowAnotherSocket(t)
  t.equal(await cli.exited, 0, cli.stderr())
  t.match(cli.stderr(), /received 2 replies/)
  t.match(cli.stderr(), /this machine's kernel dropped \d+ datagrams during the run because a receive buffer was full \(Udp RcvbufErrors \+\d+; a machine-wide counter.*\); if you expected more replies, some may be among them/)
  t.notMatch(cli.stderr(), /replies missing/)
})

t.test('udp-send [message]: \\xHH is one byte, and a backslash that is not an escape is sent as typed with a warning', async t => {
  const server = createSocket('udp4')
  await new Promise<void>(resolve => server.bind(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const got = new Promise<Buffer>(resolve => server.once('message', d => resolve(d)))
  const run = await runCli(['udp-send', '127.0.0.1', String(server.address().port), 'a\\xffb\\q', '--wait', '0'])
  t.same([...await got], [0x61, 0xff, 0x62, 0x5c, 0x71])
  t.match(run.stderr, /\[message\]: \\q is not an escape; sent as typed/)
})

t.test('the datagram limit names macOS\'s lower default there, which refuses bigger datagrams with EMSGSIZE', async t => {
  t.equal(datagramLimit(65507, 'linux'), 'at most 65507 bytes per datagram')
  t.equal(datagramLimit(65507, 'darwin'), 'at most 65507 bytes per datagram; macOS sends at most 9216 unless `sysctl net.inet.udp.maxdgram` is raised')
  t.equal(datagramLimit(65527, 'win32'), 'at most 65527 bytes per datagram')
})

t.test('a datagram the system refuses for its size (EMSGSIZE, macOS above 9216 bytes) is one sentence, exit 1', async t => {
  const env = {
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${fileURLToPath(new URL('./fixtures/refuse-big-datagrams.cjs', import.meta.url))}`,
    SOCKKIT_TEST_REFUSE_DATAGRAMS_ABOVE: '9216',
  }
  for (const [host, where] of [['127.0.0.1', /127\.0\.0\.1:9/], ['::1', /\[::1\]:9/]] as const) {
    const run = await runCli(['udp-send', host, '9', 'x', '--size', '10000', '--wait', '0'], { env })
    t.equal(run.code, 1, host)
    t.match(run.stderr, new RegExp(`^sockkit: the system refused to send a 10000-byte datagram to ${where.source} \\(EMSGSIZE\\): it is over this system's datagram limit \\(macOS allows 9216 bytes .*\\) — try a smaller --size$`, 'm'), host)
  }
})
