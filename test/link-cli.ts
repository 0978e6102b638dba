import t from 'tap'
import { createSocket } from 'node:dgram'
import { connect, createServer } from 'node:net'
import { once } from 'node:events'
import { runCli, startCli } from './fixtures/cli.js'

// These tests run on the host: every run that asks for loss names --emulator userspace, so
// that a root test run never installs an nftables table outside a namespace.

const udpEcho = async (t: Tap.Test) => {
  const s = createSocket('udp4')
  s.on('message', (d, r) => s.send(d, r.port, r.address))
  s.bind(0, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(() => new Promise<void>(r => s.close(() => r())))
  return s.address().port
}

const tcpEcho = async (t: Tap.Test) => {
  const server = createServer({ allowHalfOpen: true }, s => { s.on('error', () => {}); s.pipe(s) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(r => server.close(() => r())))
  return (server.address() as { port: number }).port
}

t.test('UDP with 100% loss: every datagram dropped and logged; Ctrl-C prints totals and exits 130', async t => {
  const target = await udpEcho(t)
  const cli = startCli(['link', '0', `127.0.0.1:${target}`, '--udp', '--loss', '100', '--emulator', 'userspace', '--seed', '1'])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
  await cli.waitFor(/emulator: userspace/)
  await cli.waitFor(/expected round trip: 100% of probes lost/)
  const client = createSocket('udp4')
  t.teardown(() => client.close())
  client.send('hola', Number(port), '127.0.0.1')
  await cli.waitFor(/c→s #1 dropped/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /stopped after .*c→s 1 in, 1 dropped \(100\.0%\)/)
  t.equal(cli.stdout().length, 0, 'nothing on stdout without --json')
})

t.test('TCP with delay: data flows both ways; --json events on stdout', async t => {
  const target = await tcpEcho(t)
  const cli = startCli(['link', '0', `127.0.0.1:${target}`, '--delay', '20', '--json'])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const [, port] = await cli.waitFor(/"event":"listening".*?"port":(\d+)/, { from: 'stdout' })
  const socket = connect({ host: '127.0.0.1', port: Number(port) })
  t.teardown(() => { socket.destroy() })
  socket.end('hola mundo')
  let back = ''
  socket.on('data', d => { back += d })
  await once(socket, 'end')
  t.equal(back, 'hola mundo')
  await cli.waitFor(/"event":"closed"/, { from: 'stdout' })
  t.equal(await cli.interrupt(), 130)
  const events = cli.stdout().toString().trim().split('\n').map(l => JSON.parse(l))
  t.match(events.find(e => e.event === 'started'), { transport: 'tcp', impairment: { emulator: 'userspace', delay: 20, loss: 0, expected: { addedRttMs: 40 } } })
  t.ok(events.some(e => e.event === 'half-close'))
  t.match(events.at(-1), { event: 'summary', counters: { tcp: { clientToServer: { bytesForwarded: 10 } } } })
})

t.test('TCP loss in user space is refused with a clear sentence, exit 1', async t => {
  const r = await runCli(['link', '0', '127.0.0.1:9', '--loss', '5', '--emulator', 'userspace'])
  t.equal(r.code, 1)
  t.match(r.stderr, /cannot lose TCP segments/)
  t.match(r.stderr, /--udp|kernel/)
  t.notMatch(r.stderr, /    at /, 'no stack trace')
})

t.test('bad values exit 2 naming the value', async t => {
  for (const [args, word] of [
    [['link', '0', 'nohost'], /nohost/],
    [['link', '0', '127.0.0.1:99999'], /99999/],
    [['link', '0', '127.0.0.1:9', '--loss', '150'], /150/],
    [['link', '0', '127.0.0.1:9', '--delay', 'x'], /delay/],
    [['link', '0', '127.0.0.1:9', '--emulator', 'magic'], /magic/],
    [['link', '0', '127.0.0.1:9', '--tcp', '--udp'], /udp|tcp/],
  ] as Array<[string[], RegExp]>) {
    const r = await runCli(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.stderr, word)
  }
})

t.test('a port already in use is one sentence, exit 1', async t => {
  const target = await tcpEcho(t)
  const r = await runCli(['link', String(target), `127.0.0.1:${target}`])
  t.equal(r.code, 1)
  t.match(r.stderr, /already in use/)
})
