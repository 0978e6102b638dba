import t, { type Test } from 'tap'
import { createRequire } from 'node:module'
import { runMain, startMain } from './fixtures/main.js'
import { freePort, rawServer } from './fixtures/udp.js'
import { startUdpServerMain as startServer } from './fixtures/udp.js'

// udp-send and udp-server run in-process (main(argv, io)): nothing here needs a process.

t.test('two udp-send at once against one udp-server: both get every echo; Ctrl-C gives a summary per peer and 130', async t => {
  const { cli, port } = await startServer(t)
  const [a, b] = await Promise.all([
    runMain(['udp-send', '127.0.0.1', String(port), 'alfa', '--count', '5', '--seq', '--wait', '1500']),
    runMain(['udp-send', '127.0.0.1', String(port), 'bravo', '--count', '5', '--seq', '--wait', '1500']),
  ])
  t.equal(a.code, 0, a.stderr)
  t.equal(b.code, 0, b.stderr)
  t.equal(a.stdout, [1, 2, 3, 4, 5].map(n => `seq=${n} alfa\n`).join(''))
  t.equal(b.stdout, [1, 2, 3, 4, 5].map(n => `seq=${n} bravo\n`).join(''))
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

t.test('udp-send collects both replies when a server answers each datagram twice', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    socket.send(data, from.port, from.address)
    socket.send(Buffer.concat([Buffer.from('again: '), data]), from.port, from.address)
  })
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola\\n', '--count', '2', '--wait', '1500'])
  t.equal(run.code, 0, run.stderr)
  t.equal(run.stdout.split('\n').filter(Boolean).sort().join('|'), 'again: hola|again: hola|hola|hola')
  t.match(run.stderr, /sent 2 datagrams .* received 4 replies/)
})

t.test('--size pads each datagram with dots to exactly that size', async t => {
  const server = await rawServer(t)
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola', '--size', '12', '--seq', '--wait', '0'])
  t.equal(run.code, 0, run.stderr)
  t.same(server.received.map(d => d.toString()), ['seq=1 hola..'])
})

t.test('--size over the datagram limit, or shorter than the message, is a usage error', async t => {
  const over = await runMain(['udp-send', '127.0.0.1', '9000', 'hola', '--size', '70000'])
  t.equal(over.code, 2)
  t.match(over.stderr, /65507/)
  const overV4 = await runMain(['udp-send', '127.0.0.1', '9000', 'hola', '--size', '65520'])
  t.equal(overV4.code, 2)
  t.match(overV4.stderr, /65507-byte UDP limit for IPv4/)
  const short = await runMain(['udp-send', '127.0.0.1', '9000', 'hola mundo', '--size', '5'])
  t.equal(short.code, 2)
  t.match(short.stderr, /10 bytes, longer than --size 5/)
})

t.test('stdin: one datagram per line; an over-long line is reported, not sent, and makes the exit 1', async t => {
  const server = await rawServer(t)
  const ok = await runMain(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { stdin: 'uno\ndos\ntres' })
  t.equal(ok.code, 0, ok.stderr)
  t.same(server.received.map(d => d.toString()), ['uno', 'dos', 'tres'])
  server.received.length = 0
  const long = await runMain(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { stdin: `a\n${'x'.repeat(70000)}\nb\n` })
  t.equal(long.code, 1)
  t.match(long.stderr, /line 2 is 70000 bytes, over the 65507-byte UDP limit; not sent/)
  t.match(long.stderr, /1 not sent/)
  t.same(server.received.map(d => d.toString()), ['a', 'b'])
})

t.test('nothing listening: the summary of what was sent, then the port unreachable sentence, exit 1', async t => {
  const port = await freePort()
  const run = await runMain(['udp-send', '127.0.0.1', String(port), 'anyone?', '--wait', '5000'])
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
    ['udp-send', '127.0.0.1', '9000', 'x', '--count', '0'],
    ['udp-send', '127.0.0.1', '9000', 'x', '--rate', '5', '--interval', '10'],
  ]) {
    const run = await runMain(args)
    t.equal(run.code, 2, args.join(' '))
    t.equal(run.stderr.trim().split('\n').length, 1, `one sentence: ${run.stderr}`)
  }
  t.match((await runMain(['udp-send', '127.0.0.1', 'abc', 'x'])).stderr, '"abc"')
})

// As macOS refuses a buffer over kern.ipc.maxsockbuf: the fixture makes Linux refuse it too,
// in this process, until teardown.
const refuseRcvbufAbove = (t: Test, limitBytes: number) => {
  const { install } = createRequire(import.meta.url)('./fixtures/refuse-rcvbuf.cjs') as { install: (limit: number) => () => void }
  t.teardown(install(limitBytes))
}

t.test('--rcvbuf the kernel refuses: one sentence, the default kept, no stack trace; udp-server listens, udp-send exits 0', async t => {
  refuseRcvbufAbove(t, 1_000_000)
  const { cli: server, port } = await startServer(t, ['--rcvbuf', '8000000'])
  await server.waitFor(/receive buffer: the kernel refused 8000000 bytes \(ENOBUFS\); using its default of \d+ bytes/)
  const send = await runMain(['udp-send', '127.0.0.1', String(port), 'hola', '--rcvbuf', '8000000', '--wait', '300'])
  t.equal(send.code, 0, send.stderr)
  t.match(send.stderr, /receive buffer: the kernel refused 8000000 bytes \(ENOBUFS\); using its default of \d+ bytes/)
  t.equal(send.stdout, 'hola\n')
  t.equal(await server.interrupt(), 130)
  t.notMatch(server.stderr() + send.stderr, /ERR_SOCKET_BUFFER_SIZE|    at /)
})

t.test('udp-send Ctrl-C while waiting for more stdin: summary so far and 130', async t => {
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  const cli = startMain(['udp-send', '127.0.0.1', String(server.port), '--seq'], { t })
  cli.stdin.write('primera\n') // and stdin stays open, like a terminal
  await cli.waitFor(/reply from/)
  t.equal(await cli.interrupt(), 130)
  t.equal(cli.stdout(), 'seq=1 primera\n')
  t.match(cli.stderr(), /interrupted: sent 1 datagram .* received 1 reply/)
  t.match(cli.stderr(), /seq: 1 of 1 answered, 0 lost/)
})

t.test('udp-send Ctrl-C during the wait: the unanswered are not called lost', async t => {
  const server = await rawServer(t) // never answers
  const cli = startMain(['udp-send', '127.0.0.1', String(server.port), 'hola', '--seq', '--count', '3', '--wait', '30000'], { t })
  await cli.waitFor(/collecting replies/)
  t.equal(await cli.interrupt(), 130)
  const err = cli.stderr()
  t.match(err, /seq: 0 of 3 answered, 3 unanswered when stopped, 0 duplicates/)
  t.match(err, /no reply yet when stopped: 1–3/)
  t.notMatch(err, /lost/, 'the wait was cut short: nothing is known to be lost')
})

t.test('udp-send with empty stdin: nothing sent, the reason, exit 2', async t => {
  const server = await rawServer(t)
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), '--seq', '--count', '3', '--wait', '100'], { stdin: '' })
  t.equal(run.code, 2, run.stderr)
  t.match(run.stderr, 'sockkit: stdin was empty: nothing was sent (give a message, or pipe lines in)')
  t.notMatch(run.stderr, /sent 0 datagrams/)
  t.equal(run.stdout.length, 0)
  t.equal(server.received.length, 0)
})

t.test('an empty datagram is shown as such in udp-send and udp-server, not as a bare "0 bytes: "', async t => {
  const { cli, port } = await startServer(t)
  const run = await runMain(['udp-send', '127.0.0.1', String(port), '--wait', '1000'], { stdin: '\n' })
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /→ sent 0 bytes \(empty datagram\)\n/)
  t.match(run.stderr, /← reply from 127\.0\.0\.1:\d+, 0 bytes \(empty datagram\)\n/)
  await cli.waitFor(/\] 0 bytes \(empty datagram\) \(new peer\)\n/)
  t.notMatch(run.stderr + cli.stderr(), /0 bytes: /)
})

t.test('stdin with Windows line endings: each datagram is the line without \\r\\n; a message argument is sent exactly', async t => {
  const server = await rawServer(t)
  const lines = await runMain(['udp-send', '127.0.0.1', String(server.port), '--wait', '0'], { stdin: 'hola\r\nmundo\r\n' })
  t.equal(lines.code, 0, lines.stderr)
  t.same(server.received.map(d => d.toString()), ['hola', 'mundo'], 'what a Python data.decode() == "hola" server expects')
  server.received.length = 0
  const exact = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola\\r\\n', '--wait', '0'])
  t.equal(exact.code, 0, exact.stderr)
  t.same(server.received, [Buffer.from('hola\r\n')], 'binary-exact with a message argument')
})
