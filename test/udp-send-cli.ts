import t from 'tap'
import { createSocket } from 'node:dgram'
import { runCli } from './fixtures/cli.js'

// These spawn the built CLI (bin/sockkit.js → dist/): run `npx tsc -p .` first.

t.test('udp-send stopped by "port unreachable" calls the unanswered datagrams unanswered, not lost: no wait ran', async t => {
  // A port that was just free: bind, read the number, close.
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const run = await runCli(['udp-send', '127.0.0.1', String(port), 'hola', '--seq', '--count', '3', '--interval', '100'])
  t.equal(run.code, 1)
  t.match(run.stderr, /seq: 0 of \d answered, \d unanswered when the run ended/)
  t.match(run.stderr, /no reply yet when the run ended: /)
  t.notMatch(run.stderr, /lost/, 'RFC 7680 loss needs the wait to pass; the host said why instead')
  t.match(run.stderr, new RegExp(`nothing is listening on 127\\.0\\.0\\.1:${port}`))
})
