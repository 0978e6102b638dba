import t, { type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { until } from './fixtures/cli.js'
import { runMain as runCli, startMain } from './fixtures/main.js'
import {
  DEFAULT_CHAT_HISTORY, DEFAULT_CHAT_MAX_CLIENTS, DEFAULT_CHAT_MAX_OUTPUT_BYTES, DEFAULT_FLOOD_BURST_LINES,
  DEFAULT_FLOOD_LINES_PER_SECOND, DEFAULT_FLOOD_TIMEOUT_MS, DEFAULT_OPERATOR_NAME,
} from '../src/chat/chat-server.js'
import { DEFAULT_MAX_LINE_BYTES } from '../src/core/line-splitter.js'
import { checkHelpReadsWell } from './fixtures/help.js'

/**
 * `sockkit chat-server 0 …args` in-process (main(argv, io)), with the operator's keyboard as a
 * PassThrough (`stdin`) and `running()` true until main returns; stopped at teardown.
 */
const startChat = async (t: Test, args: string[] = []) => {
  const run = startMain(['chat-server', '0', ...args])
  const stdin = run.stdin
  let running = true
  void run.exited.then(() => { running = false })
  const cli = { ...run, stdin, running: () => running }
  t.teardown(() => cli.interrupt())
  const m = args.includes('--json')
    ? await cli.waitFor(/"event":"listening"[^\n]*"port":(\d+)/, { from: 'stdout' })
    : await cli.waitFor(/chat (?:listening on|escuchando en|escutando em) 127\.0\.0\.1:(\d+)/)
  return { cli, port: Number(m[1]) }
}

/** Join as `name` over a raw socket; resolves once the welcome line has arrived (in English unless told). */
const join = async (t: Test, port: number, name: string, says: { prompt: RegExp; welcome: RegExp } = { prompt: /Your name\?/, welcome: /\* welcome, / }) => {
  const socket: Socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  let received = ''
  const waiters = new Set<() => void>()
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => { received += d; waiters.forEach(w => w()) })
  socket.on('error', () => {})
  const waitFor = (pattern: RegExp) => new Promise<void>((resolve, reject) => {
    const check = () => { if (pattern.test(received)) { done(); resolve() } }
    const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern}; got ${JSON.stringify(received)}`)) }, 10_000)
    const done = () => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })
  await waitFor(says.prompt)
  socket.write(`${name}\r\n`)
  await waitFor(says.welcome)
  return { socket, waitFor, received: () => received }
}

t.test('two clients and the operator chat; Ctrl-C prints who was there and exits 130', async t => {
  const { cli, port } = await startChat(t, ['--name', 'profe'])
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  await cli.waitFor(/\* bob joined/)
  ana.socket.write('hola bob\n')
  await bob.waitFor(/ana: hola bob\r\n/)
  cli.stdin.write('bienvenidos\n')
  await ana.waitFor(/profe: bienvenidos\r\n/)
  await bob.waitFor(/profe: bienvenidos\r\n/)
  cli.stdin.write('/who\n')
  await cli.waitFor(/here now: profe \(you\), ana #1, bob #2/)
  // The operator's commands ignore case like the clients' do: /ME is an action, not an unknown command.
  cli.stdin.write('/ME waves\n')
  await bob.waitFor(/~ profe waves\r\n/)
  // #id removes someone by the connection number the event lines show — even a name nobody can type.
  const eve = await join(t, port, 'eve')
  cli.stdin.write('/kick #9\n')
  await cli.waitFor(/nobody with connection id "#9" is here/)
  cli.stdin.write('/kick #3\n')
  await eve.waitFor(/\* you were removed from the chat by profe/)
  bob.socket.write('/quit\n')
  await cli.waitFor(/\* bob left/)
  await until(() => cli.stdout().toString().includes('~ profe waves'), 5000, 'the transcript')
  t.equal(cli.stdout().toString(), 'ana: hola bob\nprofe: bienvenidos\n~ profe waves\n', 'stdout is the transcript only')
  const code = await cli.interrupt()
  t.equal(code, 130)
  t.match(cli.stderr(), /3 people took part: ana \(1 message\), bob \(0 messages\), eve \(0 messages\); 3 messages in all, 2 from profe/)
  t.match(ana.received(), /\* the chat is closing\. Bye!/)
})

t.test('a refused name is shown to the operator with its invisible characters made visible', async t => {
  const { cli, port } = await startChat(t, ['--name', 'profe'])
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  socket.on('error', () => {})
  socket.write('profe\u034f\n')
  await cli.waitFor(/\[#1\] name "profe\\u\{34f\}" not accepted \(invalid\); asked again/)
  t.equal(await cli.interrupt(), 130)
})

t.test('the operator terminal never receives escape sequences either', async t => {
  const { cli, port } = await startChat(t)
  const mallory = await join(t, port, 'mallory')
  mallory.socket.write('\x1b[2J\x1b]0;pwned\x07hi!\x08\x07\u009b\n') // the backspace erases the "!"
  await cli.waitFor(/mallory: hi/, { from: 'stdout' })
  const everything = Buffer.from(cli.stdout() + cli.stderr())
  for (const byte of [0x1b, 0x07, 0x08]) t.equal(everything.indexOf(byte), -1, `no 0x${byte.toString(16)} on stdout or stderr`)
  t.equal(await cli.interrupt(), 130)
})

t.test('the operator is told about a cut line and a /me without an action, like a client', async t => {
  const { cli, port } = await startChat(t, ['--max-line', '100'])
  const ana = await join(t, port, 'ana')
  cli.stdin.write(`${'x'.repeat(150)}\n`)
  await ana.waitFor(new RegExp(`server: ${'x'.repeat(100)}\r\n`))
  await cli.waitFor(/your line was longer than 100 bytes; only the first 100 were sent/)
  // "/me" alone, or with only spaces, is neither an unknown command nor the text "/me".
  cli.stdin.write('/me\n/me   \nlast\n')
  await ana.waitFor(/server: last\r\n/)
  t.notMatch(cli.stderr(), /unknown command \/me/)
  t.equal((cli.stderr().match(/usage: \/me <action>/g) ?? []).length, 2, 'told the usage twice')
  t.notMatch(ana.received(), /server: \/me/, 'no "/me" reached the clients as text')
  t.equal(await cli.interrupt(), 130)
})

t.test('when stdin ends the chat goes on', async t => {
  const { cli, port } = await startChat(t)
  cli.stdin.end('said before EOF\n')
  await cli.waitFor(/stdin closed/)
  const ana = await join(t, port, 'ana')
  await ana.waitFor(/server: said before EOF\r\n/) // from the history
  const bob = await join(t, port, 'bob')
  ana.socket.write('still running\n')
  await bob.waitFor(/ana: still running/)
  t.ok(cli.running(), 'the CLI is still running')
  t.equal(await cli.interrupt(), 130)
})

t.test('--json: NDJSON events on stdout and nothing else', async t => {
  const { cli, port } = await startChat(t, ['--json'])
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'ana') // becomes ana-2
  ana.socket.write('hola\n')
  await bob.waitFor(/ana: hola/)
  bob.socket.destroy()
  await cli.waitFor(/"event":"left"/, { from: 'stdout' })
  t.equal(await cli.interrupt(), 130)
  const events = cli.stdout().toString().trim().split('\n').map(line => JSON.parse(line) as { event: string; [k: string]: unknown })
  const kinds = events.map(e => e.event)
  t.same(kinds.filter(k => k !== 'connected'), ['listening', 'joined', 'joined', 'message', 'left', 'left', 'summary'])
  t.match(events.find(e => e.event === 'joined' && e.requestedName === 'ana' && e.name === 'ana-2'), { present: 2 })
  t.match(events.find(e => e.event === 'message'), { from: 'ana', text: 'hola', action: false })
  t.match(events.at(-1), { event: 'summary', messages: 1, participants: [{ name: 'ana' }, { name: 'ana-2' }] })
})

/** Connect one more client and return everything the server says before it closes the connection. */
const turnedAway = (t: Test, port: number): Promise<string> => new Promise(resolve => {
  const extra = connect(port, '127.0.0.1')
  t.teardown(() => { extra.destroy() })
  extra.on('error', () => {})
  let said = ''
  extra.on('data', d => { said += d.toString() })
  extra.on('close', () => resolve(said))
})

for (const option of ['--max-connections', '--max-clients']) {
  t.test(`${option} 1 refuses the second person politely${option === '--max-clients' ? ' (the old name, still accepted)' : ''}`, async t => {
    const { cli, port } = await startChat(t, [option, '1'])
    await join(t, port, 'ana')
    t.match(await turnedAway(t, port), /sorry, the chat is full \(1 person\)/)
      t.equal(await cli.interrupt(), 130)
  })
}

t.test('--max-clients is hidden from --help, takes the same values, and cannot be mixed with --max-connections', async t => {
  const help = (await runCli(['chat-server', '--help'])).stdout.toString()
  t.match(help, /--max-connections <n>/)
  t.notMatch(help, /--max-clients/)
  const bad = await runCli(['chat-server', '0', '--max-clients', '0'])
  t.equal(bad.code, 2)
  t.match(bad.stderr, /max-clients must be a whole number of at least 1, not "0"/)
  const both = await runCli(['chat-server', '0', '--max-clients', '2', '--max-connections', '3'])
  t.equal(both.code, 2)
  t.match(both.stderr, /--max-clients.*--max-connections|--max-connections.*--max-clients/)
})

t.test('bad input exits 2 with one sentence naming the value', async t => {
  for (const [args, pattern] of [
    [['chat-server', '70000'], /port must be a whole number from 0 to 65535, not "70000"/],
    [['chat-server', 'abc'], /not "abc"/],
    [['chat-server', '0', '--name', 'two words'], /name must be .*not "two words"/],
    [['chat-server', '0', '--history', '-1'], /history/],
    [['chat-server', '0', '--max-line', '0'], /max-line must be a whole number of at least 1, not "0"/],
    [['chat-server', '0', '--flood-rate', 'fast'], /flood-rate/],
    [['chat-server', '0', '--lang', 'fr'], /^sockkit: --lang: lang must be en, es or pt \(a region such as es-AR or pt-BR is accepted\), not "fr"\n$/],
    [['chat-server', '0', '--lang', 'español'], /not "español"/],
  ] as Array<[string[], RegExp]>) {
    const run = await runCli(args)
    t.equal(run.code, 2, args.join(' '))
    t.match(run.stderr, pattern)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
    t.equal(run.stdout.length, 0)
  }
})

t.test('a port in use exits 1 with a plain sentence', async t => {
  const { cli, port } = await startChat(t)
  const run = await runCli(['chat-server', String(port)])
  t.equal(run.code, 1)
  t.match(run.stderr, new RegExp(`port ${port} is already in use`))
  // With --json (a grading script reads stdout only) the failure is the stream's last event.
  const json = await runCli(['chat-server', String(port), '--json', '--host', ' 127.0.0.1 '])
  t.equal(json.code, 1)
  t.match(JSON.parse(json.stdout.toString().trim().split('\n').at(-1)!), { event: 'error', code: 'EADDRINUSE', exitCode: 1, message: new RegExp(`port ${port} is already in use`) })
  t.equal(await cli.interrupt(), 130)
})

t.test('--help shows the library defaults and examples', async t => {
  const run = await runCli(['chat-server', '--help'])
  t.equal(run.code, 0)
  const help = run.stdout.toString()
  for (const [option, value] of [
    ['--name', `"${DEFAULT_OPERATOR_NAME}"`], ['--history', DEFAULT_CHAT_HISTORY], ['--max-line', DEFAULT_MAX_LINE_BYTES],
    ['--max-connections', DEFAULT_CHAT_MAX_CLIENTS], ['--flood-rate', DEFAULT_FLOOD_LINES_PER_SECOND],
    ['--flood-burst', DEFAULT_FLOOD_BURST_LINES], ['--flood-timeout', DEFAULT_FLOOD_TIMEOUT_MS],
    ['--max-output', DEFAULT_CHAT_MAX_OUTPUT_BYTES], ['--lang', 'the locale'],
  ] as Array<[string, string | number]>) {
    t.match(help, new RegExp(`${option} [\\s\\S]*?\\(default: ${value}\\)`), `${option} defaults to ${value}`)
  }
  t.match(help, /nc 127\.0\.0\.1 9000/)
})


t.test('--help reads well at 80 columns', async t => {
  const r = await runCli(['chat-server', '--help'])
  t.equal(r.code, 0)
  checkHelpReadsWell(t, r.stdout.toString(), [
    ['--host <address>', '"127\\.0\\.0\\.1"'], ['--name <name>', '"server"'], ['--max-connections <n>', '100'], ['--idle-timeout <ms>', '0'],
    ['--flood-rate <lines/s>', '10'], ['--max-output <bytes>', '1048576'],
  ])
})

t.test('leave reasons are words, not identifiers: Ctrl-C says the chat was closed', async t => {
  const { cli, port } = await startChat(t)
  const socket = connect(port, '127.0.0.1')
  t.teardown(() => { socket.destroy() })
  socket.write('luis\n')
  await cli.waitFor(/\* luis joined/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /\* luis left \(the chat was closed\) after/)
  t.notMatch(cli.stderr(), /server-stopped/)
})

t.test('--lang es: clients read Spanish, and so does the operator (--lang is the run\'s language)', async t => {
  const { cli, port } = await startChat(t, ['--lang', 'ES-es', '--name', 'profe'])
  await cli.waitFor(/a los clientes se les habla en español \(--lang es\)/)
  const ana = await join(t, port, 'ana', { prompt: /^¿Tu nombre\?\r\n$/, welcome: /\* ¡hola, ana! En el chat: profe\. Escribe \/help para ver los comandos\r\n/ })
  const bea = await join(t, port, 'bea', { prompt: /¿Tu nombre\?/, welcome: /\* ¡hola, bea! / })
  await ana.waitFor(/\* bea entró al chat\r\n/)
  bea.socket.write('/quit\n')
  await ana.waitFor(/\* bea salió del chat\r\n/)
  t.equal(await cli.interrupt(), 130)
  t.match(ana.received(), /\* el chat se cierra\. ¡Adiós!\r\n$/)
  t.notMatch(cli.stderr(), /\bjoined\b|\bleft after\b/, 'nothing English in the operator\'s log')
})

t.test('--lang pt-BR: /help and the full-chat refusal are in Portuguese', async t => {
  const { cli, port } = await startChat(t, ['--lang', 'pt-BR', '--max-connections', '1'])
  const ana = await join(t, port, 'ana', { prompt: /^Seu nome\?\r\n$/, welcome: /\* olá, ana! / })
  ana.socket.write('/help\n')
  await ana.waitFor(/\* qualquer outra linha vai para todos como "ana: texto"\r\n/)
  t.match(ana.received(), /\* comandos:\r\n\*   \/who           quem está no chat\r\n\*   \/nick <nome>   mudar seu nome\r\n/)
  t.equal(await turnedAway(t, port), '* desculpe, o chat está cheio (1 pessoa); tente de novo mais tarde\r\n')
  t.equal(await cli.interrupt(), 130)
})

t.test('a long paste into the operator terminal waits for the clients to read it instead of dropping a reader that is merely slower', async t => {
  const { cli, port } = await startChat(t, ['--max-output', '262144'])
  const ana = await join(t, port, 'ana')
  // ana stops reading for a moment, as a terminal scrolling a big paste does, then reads on.
  ana.socket.pause()
  const lines = 200_000 // 14 MB: more than the kernel buffers on both ends hold
  const paste = Array.from({ length: lines }, (_, i) => `line ${i} ${'x'.repeat(60)}`).join('\n') + '\n'
  // Fed as a pipe feeds it, 64 KiB at a time with backpressure, not as one 14 MB read.
  void (async () => {
    for (let at = 0; at < paste.length && cli.running(); at += 65536) {
      if (!cli.stdin.write(paste.slice(at, at + 65536))) await once(cli.stdin, 'drain')
    }
  })()
  // She resumes once her backlog has made the CLI stop taking the paste.
  await until(() => cli.stdin.isPaused(), 10_000, 'the operator input held back')
  ana.socket.resume()
  const last = `server: line ${lines - 1} x`
  await until(() => ana.received().includes(last) || /ana left/.test(cli.stderr()), 30_000, 'the last line, or ana being dropped')
  t.notMatch(cli.stderr(), /ana left/, 'ana was not dropped as a slow reader')
  t.equal((ana.received().match(/server: line \d+ x/g) ?? []).length, lines, 'every pasted line reached her')
  t.equal(await cli.interrupt(), 130)
})
