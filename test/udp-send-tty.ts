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
