import t from 'tap'
import { createSocket } from 'node:dgram'
import { runCli, startCli } from './fixtures/cli.js'

// These spawn the built CLI (bin/sockkit.js → dist/): run `npx tsc -p .` first.

/** A port that was just free: bind, read the number, close. */
const freePort = async (): Promise<number> => {
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  return port
}

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

t.test('nothing listening with --count: the datagrams the refusal kept from being sent are counted, not left out', async t => {
  const port = await freePort()
  const run = await runCli(['udp-send', '127.0.0.1', String(port), 'anyone?', '--count', '5', '--interval', '100'])
  t.equal(run.code, 1)
  const sent = Number(/sent (\d+) datagrams? \(/.exec(run.stderr)?.[1])
  t.ok(sent >= 1 && sent < 5, `the refusal stopped the run early (${sent} sent): ${run.stderr}`)
  t.match(run.stderr, `the run stopped there: ${5 - sent} of 5 datagrams not sent`)
  // From stdin the number left is unknown, but not that lines may have been left.
  const child = startCli(['udp-send', '127.0.0.1', String(port)])
  t.teardown(() => { if (child.child.exitCode === null) child.child.kill('SIGKILL') })
  child.child.stdin!.on('error', () => { /* it exits with stdin still open */ })
  // One line, stdin left open: the refusal ends the run while it waits for the next line.
  child.child.stdin!.write('uno\n')
  t.equal(await child.exited, 1)
  t.match(child.stderr(), 'the run stopped there: any further stdin lines were not sent')
})
