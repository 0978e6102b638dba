import t from 'tap'
import { createSocket } from 'node:dgram'
import { connect, createServer } from 'node:net'
import { runMain, startMain } from './fixtures/main.js'

// serve by its CLI, in-process through main(argv, io); Ctrl-C is the io's AbortController.
// serve against a running compare stays in compare-cli.ts.

t.test('serve --host ::1: the advice for other machines is the IPv6 wildcard', async t => {
  // Before: "run `sockkit serve PORT --host 0.0.0.0`", which drops IPv6 for a user who chose it.
  const serve = startMain(['serve', '0', '--host', '::1'])
  t.teardown(() => serve.interrupt())
  const [, port] = await serve.waitFor(/listening on \[::1\]:(\d+)/)
  await serve.waitFor(/accepts only this machine/)
  t.match(serve.stderr(), new RegExp(`::1 accepts only this machine; to measure from another one, run \`sockkit serve ${port} --host ::\``))
  // A TCP connection open at Ctrl-C: announced, and its close said in words, not 'server-stopped'.
  const tcp = connect({ host: '::1', port: Number(port) })
  t.teardown(() => tcp.destroy())
  tcp.on('error', () => {})
  await serve.waitFor(/tcp connection from/)
  t.equal(await serve.interrupt(), 130)
  t.match(serve.stderr(), /Ctrl-C: stopping — no new connections; closing 1 open connection/)
  t.match(serve.stderr(), /\[#1\] closed after .*: 0 bytes echoed \(server stopping\)\n/)
  t.notMatch(serve.stderr(), /server-stopped/)
})

t.test('serve --json: NDJSON events on stdout', async t => {
  const serve = startMain(['serve', '0', '--json'])
  t.teardown(() => serve.interrupt())
  const [, port] = await serve.waitFor(/"event":"listening".*"port":(\d+)/, { from: 'stdout' })
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  socket.send(Buffer.from('junk'), Number(port), '127.0.0.1')
  await serve.waitFor(/"event":"udp-ignored"/, { from: 'stdout' })
  t.equal(await serve.interrupt(), 130)
  const events = serve.stdout().trim().split('\n').map(l => JSON.parse(l))
  t.match(events.at(-1), { event: 'summary', udp: { ignored: 1 } })
})

t.test('serve: a taken port exits 1 with a sentence', async t => {
  const blocker = createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as { port: number }).port
  const run = await runMain(['serve', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, new RegExp(`port ${port} is already in use`))
})

t.test('serve: ignored datagrams are one line, then one more saying how many followed; Ctrl-C sums them up', async t => {
  const serve = startMain(['serve', '0'])
  t.teardown(() => serve.interrupt())
  const [, port] = await serve.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  for (let i = 0; i < 5; i++) await new Promise<void>(resolve => socket.send(`junk ${i}`, Number(port), '127.0.0.1', () => resolve()))
  await serve.waitFor(/ignored 1 datagram \(latest: 6 bytes from 127\.0\.0\.1:\d+\): not a compare probe, not echoed; 1 ignored in all/)
  await serve.waitFor(/ignored 4 datagrams \(latest: 6 bytes from 127\.0\.0\.1:\d+\): not a compare probe, not echoed; 5 ignored in all/)
  t.equal(await serve.interrupt(), 130)
  t.match(serve.stderr(), /stopped after .*: UDP 0 probes echoed from 0 peers, 5 ignored; TCP 0 connections, 0 bytes echoed\n/)
})
