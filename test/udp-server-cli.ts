import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { runMain, startMain } from './fixtures/main.js'
import { startUdpServerMain as startServer } from './fixtures/udp.js'

// udp-server by its CLI, in-process through main(argv, io): sequence reports, --json, line
// limits, --rcvbuf, IPv6 peers, a port in use. Ctrl-C is the io's AbortController.

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
  return cli.stdout().trim().split('\n').map(line => JSON.parse(line)).filter(e => e.event !== 'kernel-drops')
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
  const events = json.cli.stdout().trim().split('\n').map(line => JSON.parse(line))
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

t.test('an IPv6 peer is tagged [::1]:port, not [[::1]:port]', async t => {
  const cli = startMain(['udp-server', '0', '--host', '::1'])
  t.teardown(() => cli.interrupt())
  const port = Number((await cli.waitFor(/listening on \[::1\]:(\d+)/))[1])
  const socket = createSocket('udp6')
  t.teardown(() => socket.close())
  await new Promise<void>(resolve => socket.send('hola', port, '::1', () => resolve()))
  await cli.waitFor(/bytes: hola/)
  t.match(cli.stderr(), /\d \[::1\]:\d+ 4 bytes: hola \(new peer\)/)
  t.notMatch(cli.stderr(), /\[\[/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /\n\S+ {3}\[::1\]:\d+: 1 datagram, 4 bytes/)
})

t.test('a port in use: exit 1 saying so', async t => {
  const { port } = await startServer(t)
  const run = await runMain(['udp-server', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, `port ${port} is already in use`)
})

t.test('bad ports and options: exit 2 in one sentence naming the value', async t => {
  for (const args of [['udp-server', '70000'], ['udp-server', '0', '--rcvbuf', 'lots'], ['udp-server', '0', '--max-peers', '0']]) {
    const run = await runMain(args)
    t.equal(run.code, 2, args.join(' '))
    t.equal(run.stderr.trim().split('\n').length, 1, `one sentence: ${run.stderr}`)
    t.equal(run.stdout, '', 'nothing ran: stdout stays empty')
  }
  t.match((await runMain(['udp-server', '70000'])).stderr, '70000')
})

t.test('start and summary: one line each; a machine-wide drop counter that rose is said to be other sockets\'', { skip: process.platform !== 'linux' && 'kernel drop counters are read on Linux only' }, async t => {
  const { cli, port } = await startServer(t)
  const start = cli.stderr().trim().split('\n')
  t.match(start[0], new RegExp(`listening on 127\\.0\\.0\\.1:${port} \\(UDP\\), echoing; receive buffer \\d`), 'where, echo and buffer in one line')
  t.match(start[1], /^(\S+ )?try: sockkit udp-send/, 'then the command to try, and nothing else')
  t.equal(start.length, 2)
  // Another socket, with a tiny receive buffer, flooded at once: the kernel drops for it, not for the server.
  const victim = createSocket({ type: 'udp4', recvBufferSize: 4096 })
  t.teardown(() => victim.close())
  await new Promise<void>(resolve => victim.bind(0, '127.0.0.1', resolve))
  const sender = createSocket('udp4')
  t.teardown(() => sender.close())
  const payload = Buffer.alloc(1000)
  let sent = 0
  await new Promise<void>(resolve => {
    for (let i = 0; i < 500; i++) sender.send(payload, victim.address().port, '127.0.0.1', () => { if (++sent === 500) resolve() })
  })
  await new Promise<void>(resolve => sender.send('seq=1 hola', port, '127.0.0.1', () => resolve()))
  await cli.waitFor(/10 bytes/)
  t.equal(await cli.interrupt(), 130)
  const summary = cli.stderr().trim().split('\n').filter(line => /stopped after/.test(line))
  t.equal(summary.length, 1)
  t.match(summary[0], /stopped after .*: 1 peer, 1 datagram \(10 bytes\), 1 echoed; no kernel drops here \(Udp RcvbufErrors \+\d+ on this machine: other sockets' drops\)$/)
  t.notMatch(cli.stderr(), /dropped no datagrams/)
})
