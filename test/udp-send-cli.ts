import { catalog } from '../src/i18n/index.js'
import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { PassThrough } from 'node:stream'
import { fileURLToPath } from 'node:url'
import { datagramLimit, makeUdpSendCommand, noReplySentence } from '../src/cli/commands/udp-send.js'
import type { CliContext } from '../src/cli/io.js'
import { readSnmp } from '../src/net/snmp.js'
import { runCli, startCli } from './fixtures/cli.js'
import { runMain, startMain } from './fixtures/main.js'
import { answersFromAnotherPort, rawServer } from './fixtures/udp.js'
import { freeUdpPort as freePort } from './fixtures/port.js'

// Most run the CLI in-process through main(argv, io); those that need a real process (signals,
// a preloaded module) spawn the built CLI (bin/sockkit.js → dist/): build first.

t.test('udp-send stopped by "port unreachable" calls the unanswered datagrams unanswered, not lost: no wait ran', async t => {
  // A port that was just free: bind, read the number, close.
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', resolve))
  const port = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const run = await runMain(['udp-send', '127.0.0.1', String(port), 'hola', '--seq', '--count', '3', '--interval', '100'])
  t.equal(run.code, 1)
  t.match(run.stderr, /seq: 0 of \d answered, \d unanswered when the run ended/)
  t.match(run.stderr, /no reply yet when the run ended: /)
  t.notMatch(run.stderr, /lost/, 'RFC 7680 loss needs the wait to pass; the host said why instead')
  t.match(run.stderr, new RegExp(`nothing is listening on 127\\.0\\.0\\.1:${port}`))
})

t.test('nothing listening with --count: the datagrams the refusal kept from being sent are counted, not left out', async t => {
  const port = await freePort()
  const run = await runMain(['udp-send', '127.0.0.1', String(port), 'anyone?', '--count', '5', '--interval', '100'])
  t.equal(run.code, 1)
  const sent = Number(/sent (\d+) datagrams? \(/.exec(run.stderr)?.[1])
  t.ok(sent >= 1 && sent < 5, `the refusal stopped the run early (${sent} sent): ${run.stderr}`)
  t.match(run.stderr, `the run stopped there: ${5 - sent} of 5 datagrams not sent`)
  // From stdin the number left is unknown, but not that lines may have been left.
  const child = startMain(['udp-send', '127.0.0.1', String(port)])
  t.teardown(() => { child.stdin.end() })
  // One line, stdin left open: the refusal ends the run while it waits for the next line.
  child.stdin.write('uno\n')
  const stdinRun = await child.result
  t.equal(stdinRun.code, 1)
  t.match(stdinRun.stderr, 'the run stopped there: any further stdin lines were not sent')
})

t.test('replies print one datagram per line; --raw writes them exactly as received', async t => {
  const server = await rawServer(t, (_data, from, socket) => {
    // Sent in order on loopback: they arrive in order.
    for (const text of ['hola', 'mundo', 'ya\n']) socket.send(text, from.port, from.address)
  })
  const lines = await runMain(['udp-send', '127.0.0.1', String(server.port), 'x', '--wait', '1000'])
  t.equal(lines.code, 0, lines.stderr)
  t.equal(lines.stdout.toString(), 'hola\nmundo\nya\n', 'a newline after each reply that lacks one, none doubled')
  const raw = await runMain(['udp-send', '127.0.0.1', String(server.port), 'x', '--wait', '1000', '--raw'])
  t.equal(raw.code, 0, raw.stderr)
  t.equal(raw.stdout.toString(), 'holamundoya\n')
})


t.test('a server answering from another port: 0 replies and the --any-source hint; with --any-source the reply and its source', async t => {
  const { port, replierPort } = await answersFromAnotherPort(t)
  const plain = await runMain(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '300'])
  t.equal(plain.code, 0, plain.stderr)
  t.equal(plain.stdout.length, 0)
  t.match(plain.stderr, /received 0 replies/)
  t.match(plain.stderr, `no reply from 127.0.0.1:${port}: if the server answers from another port`)
  t.match(plain.stderr, /use --any-source/)

  const any = await runMain(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '1000', '--any-source'])
  t.equal(any.code, 0, any.stderr)
  t.equal(any.stdout.toString(), 'recibido: hola\n')
  t.match(any.stderr, /'port unreachable' cannot be detected/)
  t.match(any.stderr, `reply from 127.0.0.1:${replierPort} (not the target)`)
  t.match(any.stderr, `1 reply came from another address or port than the target 127.0.0.1:${port}: 127.0.0.1:${replierPort} (1)`)
  t.notMatch(any.stderr, /no reply from/)
})

t.test('--any-source and nothing listening: no refusal can be seen, and the summary says so', async t => {
  const port = await freePort()
  const run = await runMain(['udp-send', '127.0.0.1', String(port), 'hola', '--wait', '300', '--any-source'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /received 0 replies/)
  t.match(run.stderr, /no reply from any address \(with --any-source a 'port unreachable' cannot be detected/)
})

t.test('--seq against a server that answers in its own words: no loss claimed', async t => {
  const server = await rawServer(t, (_data, from, socket) => socket.send('ok', from.port, from.address))
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '3', '--seq', '--wait', '1000'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /seq: the replies carried no seq= prefix \(the server answered in its own words\), so loss cannot be told from them: sent 3, received 3 replies/)
  t.notMatch(run.stderr, /lost/)
})

t.test('--seq with some replies unnumbered: loss from the numbered ones, and the caveat', async t => {
  const server = await rawServer(t, (data, from, socket) => {
    if (data.toString().startsWith('seq=1 ')) socket.send(data, from.port, from.address)
    else socket.send('ok', from.port, from.address)
  })
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '2', '--seq', '--wait', '1000'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, /seq: 1 of 2 answered, 1 lost, .*1 without a seq= prefix/)
  t.match(run.stderr, /lost \(no reply within the wait\): 2 — judged from the numbered replies; the 1 without a prefix may answer some of these/)
})

t.test('replies dropped in udp-send\'s own receive buffer: the kernel\'s count, in plain words', async t => {
  if (process.platform !== 'linux') return t.plan(0, 'the kernel drop counter is Linux only')
  const server = await rawServer(t, (data, from, socket) => socket.send(data, from.port, from.address))
  // udp-send sends the burst before reading; an 8 KiB buffer holds a handful of echoes.
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'x', '--count', '2000', '--seq', '--quiet', '--rcvbuf', '4096', '--wait', '500'])
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
  const run = await runMain(['udp-send', '--help'])
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
  const ctx: CliContext = { io: { stdin, stdout: new PassThrough().resume(), stderr, env: { NO_COLOR: '1' }, signal: new AbortController().signal }, exitCode: 0, colorFlag: false, ...catalog('en') }
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
  const run = await runMain(['udp-send', '127.0.0.1', String(server.address().port), 'a\\xffb\\q', '--wait', '0'])
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

t.test('a message given as several words is a usage error that says to quote it, and nothing is sent', async t => {
  let received = 0
  const server = await rawServer(t, () => { received++ })
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola', 'mundo', '--wait', '0'])
  t.equal(run.code, 2)
  t.match(run.stderr, `quote it, as in sockkit udp-send 127.0.0.1 ${server.port} "hola mundo"`)
  t.notMatch(run.stderr, /too many arguments/)
  t.equal(received, 0)
})

t.test('--seq summary names the numbers answered inside merged replies', async t => {
  let held: Buffer | undefined
  const server = await rawServer(t, (data, from, socket) => {
    if (!held) { held = data; return }
    socket.send(Buffer.concat([held, data]), from.port, from.address)
    held = undefined
  })
  const run = await runMain(['udp-send', '127.0.0.1', String(server.port), 'hola', '--count', '4', '--seq', '--wait', '500', '--quiet'])
  t.equal(run.code, 0, run.stderr)
  t.match(run.stderr, '2 replies carried several seq= lines (the server merged datagrams into one reply); answered inside them, not lost: 2, 4')
  t.match(run.stderr, /seq: 4 of 4 answered, 0 lost/)
})
