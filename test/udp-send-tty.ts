import t from 'tap'
import { PassThrough } from 'node:stream'
import { main } from '../src/cli/main.js'
import { rawServer } from './fixtures/udp.js'

/** main(argv, io) with stdout and stderr flagged as terminals (or not): what each received. */
const runWithTty = async (args: string[], tty: { stdout: boolean; stderr: boolean }) => {
  const stdin = new PassThrough()
  const stdout = Object.assign(new PassThrough(), { isTTY: tty.stdout })
  const stderr = Object.assign(new PassThrough(), { isTTY: tty.stderr })
  let out = ''
  let err = ''
  stdout.on('data', d => { out += d })
  stderr.on('data', d => { err += d })
  stdin.end()
  const code = await main(args, { stdin, stdout, stderr, env: { NO_COLOR: '1' }, signal: new AbortController().signal })
  return { code, stdout: out, stderr: err }
}

t.test('on one terminal each reply is shown once: stdout has its bytes, the event line only announces them', async t => {
  const server = await rawServer(t, (_data, from, socket) => { socket.send('respuesta-unica', from.port, from.address) })
  const args = ['udp-send', '127.0.0.1', String(server.port), 'hola', '--wait', '300']
  const both = await runWithTty(args, { stdout: true, stderr: true })
  t.equal(both.code, 0, both.stderr)
  t.equal(both.stdout, 'respuesta-unica\n')
  t.match(both.stderr, /reply from 127\.0\.0\.1:\d+, 15 bytes:/)
  t.notMatch(both.stderr, /respuesta-unica/, 'not a second time on stderr')
  // Redirected stdout (a file, a pipe): stderr is all the terminal shows, so it keeps the preview.
  const piped = await runWithTty(args, { stdout: false, stderr: true })
  t.equal(piped.stdout, 'respuesta-unica\n')
  t.match(piped.stderr, /15 bytes: respuesta-unica/)
})

t.test('typing lines, a "port unreachable" does not end the session: it says so and the next line goes out', async t => {
  const { createSocket } = await import('node:dgram')
  // A port that was just free: nothing listens there yet.
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const stdin = Object.assign(new PassThrough(), { isTTY: true })
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  let out = ''
  let err = ''
  const changed: Array<() => void> = []
  stdout.on('data', d => { out += d; changed.forEach(f => f()) })
  stderr.on('data', d => { err += d; changed.forEach(f => f()) })
  const until = (test: () => boolean, what: string) => new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${err}`)), 5000)
    const check = () => { if (test()) { clearTimeout(timer); resolve() } }
    changed.push(check)
    check()
  })
  const done = main(['udp-send', '127.0.0.1', String(port), '--wait', '500'], { stdin, stdout, stderr, env: { NO_COLOR: '1' }, signal: new AbortController().signal })
  t.teardown(() => { stdin.end() })
  stdin.write('uno\n')
  await until(() => /nothing is listening on 127\.0\.0\.1:\d+ yet/.test(err), 'the refusal')
  // The server starts; the next typed line reaches it.
  const server = createSocket('udp4')
  server.on('message', (data, from) => server.send(Buffer.concat([Buffer.from('eco: '), data]), from.port, from.address))
  await new Promise<void>(resolve => server.bind(port, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  stdin.write('dos\n')
  await until(() => out.includes('eco: dos'), 'the reply to the second line')
  stdin.end()
  const code = await done
  t.equal(code, 0, err)
  t.equal(out, 'eco: dos\n')
  t.match(err, /sent 2 datagrams/)
  t.notMatch(err, /rate:/, 'no rate for typed lines')
})
