import t, { type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import { ChatServer, NAME_PROMPT, type ChatServerEvent, type ChatServerOptions } from '../src/chat/chat-server.js'

/** A raw TCP chat client that records every byte and line it receives. */
interface ChatClient {
  socket: Socket
  raw: () => Buffer
  lines: () => string[]
  /** Resolves with the first received line matching `pattern` (already received ones count). */
  waitLine: (pattern: RegExp, what?: string) => Promise<string>
  /** Resolves when the server has closed the connection. */
  closed: Promise<void>
  send: (text: string | Buffer) => void
}

const startServer = async (t: Test, options: ChatServerOptions = {}) => {
  const events: ChatServerEvent[] = []
  const waiters = new Set<() => void>()
  const server = new ChatServer({ port: 0, closeGraceMs: 200, ...options, onEvent: e => { events.push(e); waiters.forEach(w => w()) } })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  /** Resolves with the first event matching `match` (past ones count). */
  const waitEvent = <T extends ChatServerEvent['type']>(type: T, match: (e: Extract<ChatServerEvent, { type: T }>) => boolean = () => true) =>
    new Promise<Extract<ChatServerEvent, { type: T }>>((resolve, reject) => {
      const check = () => {
        const found = events.find(e => e.type === type && match(e as Extract<ChatServerEvent, { type: T }>))
        if (found) { done(); resolve(found as Extract<ChatServerEvent, { type: T }>) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for event ${type}; saw ${JSON.stringify(events.map(e => e.type))}`)) }, 10_000)
      const done = () => { clearTimeout(timer); waiters.delete(check) }
      waiters.add(check)
      check()
    })
  return { server, port, events, waitEvent }
}

const client = (t: Test, port: number): Promise<ChatClient> => new Promise((resolve, reject) => {
  const socket = connect(port, '127.0.0.1')
  const chunks: Buffer[] = []
  const waiters = new Set<() => void>()
  socket.on('data', d => { chunks.push(d); waiters.forEach(w => w()) })
  socket.on('error', () => { /* resets are part of some tests */ })
  const closed = new Promise<void>(r => socket.on('close', () => { waiters.forEach(w => w()); r() }))
  t.teardown(() => { socket.destroy() })
  const raw = () => Buffer.concat(chunks)
  const lines = () => raw().toString('utf8').split('\r\n').slice(0, -1)
  const waitLine = (pattern: RegExp, what = String(pattern)) => new Promise<string>((res, rej) => {
    const check = () => {
      const line = lines().find(l => pattern.test(l))
      if (line !== undefined) { done(); res(line) } else if (socket.destroyed) { done(); rej(new Error(`closed before ${what}; got ${JSON.stringify(lines())}`)) }
    }
    const timer = setTimeout(() => { done(); rej(new Error(`timed out waiting for ${what}; got ${JSON.stringify(lines())}`)) }, 10_000)
    const done = () => { clearTimeout(timer); waiters.delete(check) }
    waiters.add(check)
    check()
  })
  socket.once('connect', () => resolve({ socket, raw, lines, waitLine, closed, send: d => socket.write(d) }))
  socket.once('error', reject)
})

/** Connect, answer the name prompt and wait until the welcome arrives (in English unless told). */
const join = async (t: Test, port: number, name: string, says: { prompt: RegExp; welcome: RegExp } = { prompt: /^Your name\?/, welcome: /^\* welcome, / }): Promise<ChatClient> => {
  const c = await client(t, port)
  await c.waitLine(says.prompt)
  c.send(`${name}\n`)
  await c.waitLine(says.welcome)
  return c
}

t.test('a newcomer is asked for a name; duplicates get a suffix; empty and invalid names are asked again', async t => {
  const { port, waitEvent } = await startServer(t)
  const ana = await join(t, port, 'ana')
  t.equal(ana.lines()[0], NAME_PROMPT)

  const second = await client(t, port)
  await second.waitLine(/^Your name/)
  second.send('\r\n')
  await waitEvent('name-rejected', e => e.problem === 'empty')
  second.send('two words\r\n')
  await waitEvent('name-rejected', e => e.problem === 'invalid')
  second.send('Ana\r\n') // names are unique without regard to case
  const welcome = await second.waitLine(/^\* welcome, /)
  t.match(welcome, /welcome, Ana-2!/)
  t.ok(second.lines().some(l => /Ana is taken, so you are Ana-2/.test(l)))
  t.equal(second.lines().filter(l => l === NAME_PROMPT).length, 3, 'asked three times')
  const joined = await waitEvent('joined', e => e.id !== 1)
  t.match(joined, { name: 'Ana-2', requestedName: 'Ana', present: 2 })
  await ana.waitLine(/^\* Ana-2 joined$/)

  // The operator's name is taken too.
  const third = await join(t, port, 'server')
  t.ok(third.lines().some(l => /you are server-2/.test(l)))
})

t.test('every line goes to everyone else as "name: text", not back to the sender', async t => {
  const { port, waitEvent } = await startServer(t)
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  const eve = await join(t, port, 'eve')
  ana.send('hola a todos\r\n')
  await bob.waitLine(/^ana: hola a todos$/)
  await eve.waitLine(/^ana: hola a todos$/)
  bob.send('¿qué tal?\n')
  await ana.waitLine(/^bob: ¿qué tal\?$/)
  await eve.waitLine(/^bob: ¿qué tal\?$/)
  t.match(await waitEvent('message', e => e.from === 'bob'), { id: 3 - 1, text: '¿qué tal?', action: false })
  t.notOk(ana.lines().some(l => l.startsWith('ana:')), 'not echoed to the sender')
  t.notOk(bob.lines().some(l => l.startsWith('bob:')), 'not echoed to the sender')
  // A line that starts with "//" sends a literal slash.
  eve.send('//etc/passwd is a file\n')
  await ana.waitLine(/^eve: \/etc\/passwd is a file$/)
})

t.test('a newcomer receives the last --history messages right after naming itself', async t => {
  const { port, waitEvent } = await startServer(t, { historySize: 3 })
  const ana = await join(t, port, 'ana')
  for (const n of [1, 2, 3, 4]) ana.send(`message ${n}\n`)
  await waitEvent('message', e => e.text === 'message 4')
  const bob = await join(t, port, 'bob')
  await bob.waitLine(/^\* end of history$/)
  const lines = bob.lines()
  const start = lines.findIndex(l => /the last 3 messages/.test(l))
  t.ok(start > 0, 'history header present')
  t.same(lines.slice(start + 1, start + 4), ['ana: message 2', 'ana: message 3', 'ana: message 4'])
  t.match(await waitEvent('joined', e => e.name === 'bob'), { historySent: 3 })
})

t.test('the operator says things with say(); everyone receives them', async t => {
  const { server, port, waitEvent } = await startServer(t, { name: 'profe' })
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  t.ok(server.say('bienvenidos'))
  t.notOk(server.say('  \x07 '), 'nothing left to say after cleaning')
  server.say('/me smiles')
  await ana.waitLine(/^profe: bienvenidos$/)
  await bob.waitLine(/^profe: bienvenidos$/)
  await bob.waitLine(/^~ profe smiles$/)
  t.match(await waitEvent('message', e => e.id === 0 && e.action), { from: 'profe', text: 'smiles' })
  t.same(server.who(), ['profe', 'ana', 'bob'])
  const summary = await server.close()
  t.match(summary, { messages: 2, operatorMessages: 2 })
})

t.test('terminal controls never reach another client; invalid UTF-8 becomes U+FFFD', async t => {
  const { port, waitEvent } = await startServer(t)
  const mallory = await join(t, port, 'mallory')
  const ana = await join(t, port, 'ana')
  mallory.send(Buffer.concat([
    Buffer.from('a\x1b[2Jb\x1b]0;pwned\x07c\x1b]2;x\x1b\\d\x07e\x08f\x1b'),
    Buffer.from([0xc2, 0x9b]), Buffer.from('31mg'), // C1 CSI, UTF-8 encoded
    Buffer.from([0x9b, 0xff, 0xfe]), // raw C1 byte and bytes that are not UTF-8
    Buffer.from('h\x7fi\x00j\x0bk\tl\r\n'),
  ]))
  const line = await ana.waitLine(/^mallory: /)
  // Backspace (after e) and DEL (after h) erase the character before them, as typing would.
  t.equal(line, 'mallory: abcdfg\ufffd\ufffd\ufffdijk\tl')
  const received = ana.raw()
  for (const byte of [0x1b, 0x07, 0x08, 0x9b, 0x7f, 0x00]) {
    t.equal(received.indexOf(byte), -1, `no 0x${byte.toString(16)} byte reached ana`)
  }
  t.ok(received.includes(Buffer.from([0xef, 0xbf, 0xbd])), 'U+FFFD is sent as UTF-8')
  // A name is cleaned too: escape sequences vanish before the name is checked.
  const sneaky = await client(t, port)
  await sneaky.waitLine(/^Your name/)
  sneaky.send('\x1b[31mbob\x1b[0m\n')
  await waitEvent('joined', e => e.name === 'bob')
  await ana.waitLine(/^\* bob joined$/)
})

t.test('a telnet client (PuTTY\'s Telnet mode) joins with its first line: its negotiation bytes are not text', async t => {
  const { port, waitEvent } = await startServer(t)
  const bob = await join(t, port, 'bob')
  const putty = await client(t, port)
  await putty.waitLine(/^Your name/)
  // What PuTTY sends on connecting: IAC WILL NAWS, … IAC DO SUPPRESS-GO-AHEAD.
  putty.send(Buffer.from([0xff, 0xfb, 0x1f, 0xff, 0xfb, 0x20, 0xff, 0xfb, 0x18, 0xff, 0xfb, 0x27, 0xff, 0xfd, 0x01, 0xff, 0xfb, 0x03, 0xff, 0xfd, 0x03]))
  putty.send('ana\r\n')
  t.match(await waitEvent('joined', e => e.id !== 1), { name: 'ana' })
  // A window resize mid-line (NAWS 80x24) and Ctrl-C (IAC IP) leave no trace in the message.
  putty.send(Buffer.concat([Buffer.from('ho'), Buffer.from([0xff, 0xfa, 0x1f, 0x00, 0x50, 0x00, 0x18, 0xff, 0xf0]), Buffer.from('la'), Buffer.from([0xff, 0xf4]), Buffer.from('\r\n')]))
  t.equal(await bob.waitLine(/^ana: /), 'ana: hola')
  t.equal(bob.raw().indexOf(Buffer.from([0xef, 0xbf, 0xbd])), -1, 'no U+FFFD reached bob')
})

t.test('an over-long line is cut and the sender told; the rest of it is dropped', async t => {
  const { port, waitEvent } = await startServer(t, { maxLineBytes: 100 })
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  // 1000 bytes with no newline at first: the server must cut without waiting for one.
  ana.send('x'.repeat(1000))
  await ana.waitLine(/longer than 100 bytes/)
  const cut = await bob.waitLine(/^ana: x/)
  t.equal(cut, `ana: ${'x'.repeat(100)}`)
  ana.send(`${'y'.repeat(500)}\nafter\n`)
  await bob.waitLine(/^ana: after$/)
  t.notOk(bob.lines().some(l => l.startsWith('ana: y')), 'the tail of the cut line is not relayed')
  t.match(await waitEvent('line-truncated'), { name: 'ana', limitBytes: 100 })
  // A multi-byte character straddling the limit is not split.
  ana.send(`${'z'.repeat(99)}ñ\n`)
  t.equal(await bob.waitLine(/^ana: z/), `ana: ${'z'.repeat(99)}`)
})

t.test('a client that resets does not disturb the others', async t => {
  const { port, waitEvent } = await startServer(t)
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  const crash = await join(t, port, 'crash')
  crash.send('last words\n')
  await ana.waitLine(/^crash: last words$/)
  crash.socket.resetAndDestroy()
  t.match(await waitEvent('left', e => e.name === 'crash'), { reason: 'reset' })
  await ana.waitLine(/^\* crash left \(connection reset\)$/)
  ana.send('still here?\n')
  await bob.waitLine(/^ana: still here\?$/)
  // A reset right behind unsent data: Linux may report it as EOF, so only "left" is certain.
  const rude = await join(t, port, 'rude')
  rude.send('half a line without newl')
  rude.socket.resetAndDestroy()
  await waitEvent('left', e => e.name === 'rude')
  await bob.waitLine(/^\* rude left/)
  // A client that vanishes before naming itself is reported too.
  const shy = await client(t, port)
  await shy.waitLine(/^Your name/)
  shy.socket.resetAndDestroy()
  t.match(await waitEvent('disconnected'), { reason: 'reset' })
  bob.send('yes\n')
  await ana.waitLine(/^bob: yes$/)
})

t.test('/nick, /who, /me, /help, /quit and unknown commands', async t => {
  const { port, waitEvent } = await startServer(t)
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  ana.send('/who\n')
  t.equal(await ana.waitLine(/^\* here now/), '* here now (3): server (operator), ana (you), bob')
  ana.send('/nick bob\n')
  await ana.waitLine(/the name bob is taken/)
  ana.send('/nick a b\n')
  await ana.waitLine(/^\* usage: \/nick/)
  ana.send('/nick anita\n')
  await bob.waitLine(/^\* ana is now anita$/)
  await ana.waitLine(/^\* ana is now anita$/)
  t.match(await waitEvent('nick'), { from: 'ana', to: 'anita' })
  ana.send('hola\n')
  await bob.waitLine(/^anita: hola$/)
  bob.send('/me waves\n')
  await ana.waitLine(/^~ bob waves$/)
  t.match(await waitEvent('message', e => e.action), { from: 'bob', text: 'waves' })
  bob.send('/help\n')
  await bob.waitLine(/\/nick <name>/)
  bob.send('/dance\n')
  await bob.waitLine(/unknown command \/dance/)
  bob.send('/quit\n')
  await bob.waitLine(/^\* bye, bob!$/)
  await bob.closed
  t.match(await waitEvent('left', e => e.name === 'bob'), { reason: 'quit', messages: 1 })
  await ana.waitLine(/^\* bob left$/)
  ana.send('/who\n')
  await ana.waitLine(/^\* here now \(2\): server \(operator\), anita \(you\)$/)
})

t.test('a flooding client is slowed down, warned, then disconnected; the others carry on', async t => {
  const { port, waitEvent } = await startServer(t, { floodLinesPerSecond: 20, floodBurstLines: 5, floodTimeoutMs: 500 })
  const flood = await join(t, port, 'flood')
  const ana = await join(t, port, 'ana')
  const lines = 2000
  let payload = ''
  for (let n = 0; n < lines; n++) payload += `spam ${n}\n`
  flood.send(payload)
  await flood.waitLine(/^\* slow down: more than 20 lines a second/)
  t.match(await waitEvent('flood-throttled'), { name: 'flood', linesPerSecond: 20 })
  t.match(await waitEvent('left', e => e.name === 'flood'), { reason: 'flood' })
  await ana.waitLine(/^\* flood was disconnected for flooding$/)
  const relayed = ana.lines().filter(l => l.startsWith('flood: ')).length
  t.ok(relayed > 0 && relayed < lines, `only part of the flood was relayed (${relayed} of ${lines})`)
  // Relayed lines kept their order.
  const numbers = ana.lines().filter(l => l.startsWith('flood: ')).map(l => Number(l.split(' ')[2]))
  t.same(numbers, numbers.map((_, i) => i))
  const bob = await join(t, port, 'bob')
  ana.send('calm again\n')
  await bob.waitLine(/^ana: calm again$/)
})

t.test('a short burst over the rate is held back, not lost', async t => {
  const { port, waitEvent } = await startServer(t, { floodLinesPerSecond: 100, floodBurstLines: 3, floodTimeoutMs: 60_000 })
  const fast = await join(t, port, 'fast')
  const ana = await join(t, port, 'ana')
  fast.send(Array.from({ length: 30 }, (_, n) => `line ${n}\n`).join(''))
  await ana.waitLine(/^fast: line 29$/)
  t.same(ana.lines().filter(l => l.startsWith('fast: ')), Array.from({ length: 30 }, (_, n) => `fast: line ${n}`))
  await waitEvent('flood-throttled')
})

t.test('a client that does not read is disconnected past its output limit; the others are told', async t => {
  const { server, port, waitEvent } = await startServer(t, { maxOutputBytes: 64 * 1024, historySize: 0 })
  const sleepy = await join(t, port, 'sleepy')
  const ana = await join(t, port, 'ana')
  sleepy.socket.pause() // stops reading: the kernel buffers fill, then the server's
  const big = 'b'.repeat(4000)
  let left = false
  void waitEvent('left', e => e.name === 'sleepy').then(() => { left = true })
  // Bounded: the kernel buffers on loopback hold a few MiB at most.
  for (let n = 0; n < 20_000 && !left; n++) {
    server.say(big)
    if (n % 50 === 49) await new Promise(r => setImmediate(r))
  }
  t.match(await waitEvent('left', e => e.name === 'sleepy'), { reason: 'slow-reader' })
  await ana.waitLine(/^\* sleepy was disconnected: not reading/)
  t.equal(server.summary().dropped, 1)
})

t.test('--max-clients: the next connection gets a polite refusal', async t => {
  const { port, waitEvent } = await startServer(t, { maxClients: 2 })
  await join(t, port, 'ana')
  await join(t, port, 'bob')
  const third = await client(t, port)
  await third.closed
  t.match(third.raw().toString(), /^\* sorry, the chat is full \(2 people\); try again later\r\n$/)
  t.match(await waitEvent('refused'), { limit: 2, active: 2 })
})

t.test('close() says goodbye and returns who took part and how many messages', async t => {
  const { server, port } = await startServer(t)
  const ana = await join(t, port, 'ana')
  const bob = await join(t, port, 'bob')
  ana.send('one\n')
  ana.send('two\n')
  await bob.waitLine(/^ana: two$/)
  bob.send('three\n')
  await ana.waitLine(/^bob: three$/)
  server.say('four')
  const summary = await server.close()
  await ana.closed
  t.ok(ana.lines().includes('* the chat is closing. Bye!'))
  t.match(summary, { messages: 4, operatorMessages: 1, refused: 0, peakClients: 2 })
  t.match(summary.participants, [
    { name: 'ana', messages: 2, present: false, leaveReason: 'server-stopped' },
    { name: 'bob', messages: 1, present: false, leaveReason: 'server-stopped' },
  ])
})

t.test('a half-closing client (echo … | nc) has its lines handled before it leaves', async t => {
  const { port, waitEvent } = await startServer(t)
  const ana = await join(t, port, 'ana')
  const pipe = await client(t, port)
  pipe.socket.end('bob\nlast words') // no final newline, then EOF
  await ana.waitLine(/^bob: last words$/)
  t.match(await waitEvent('left', e => e.name === 'bob'), { reason: 'closed', messages: 1 })
  await ana.waitLine(/^\* bob left$/)
})

t.test('options that cannot work are refused with ERR_SOCKKIT_INVALID_ARG', async t => {
  t.throws(() => new ChatServer({ name: 'two words' }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => new ChatServer({ maxLineBytes: 0 }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('listen() rejects with EADDRINUSE when the port is taken', async t => {
  const { port } = await startServer(t)
  const other = new ChatServer({ port })
  await t.rejects(other.listen(), { code: 'EADDRINUSE' })
})

t.test('the operator can kick someone; the others are told', async t => {
  const { server, port, waitEvent } = await startServer(t, { name: 'profe' })
  const ana = await join(t, port, 'ana')
  const mallory = await join(t, port, 'mallory')
  t.notOk(server.kick('nobody'))
  t.ok(server.kick('MALLORY'), 'names match ignoring case')
  await mallory.waitLine(/^\* you were removed from the chat by profe$/)
  await mallory.closed
  t.match(await waitEvent('left', e => e.name === 'mallory'), { reason: 'kicked' })
  await ana.waitLine(/^\* mallory was removed by profe$/)
})

t.test('idle clients and clients that never give a name are closed when those timeouts are set', async t => {
  const naming = await startServer(t, { nameTimeoutMs: 200 })
  const nameless = await client(t, naming.port)
  t.match(await naming.waitEvent('disconnected'), { reason: 'name-timeout' })
  await nameless.waitLine(/no name given in time/)
  const idle = await startServer(t, { idleTimeoutMs: 200 })
  const quiet = await join(t, idle.port, 'quiet')
  t.match(await idle.waitEvent('left', e => e.name === 'quiet'), { reason: 'idle-timeout' })
  await quiet.waitLine(/^\* you were idle for 200 ms\. Bye!$/)
})

t.test('idle means the client sent nothing: a lurker in a busy room is still timed out, a talker is not', async t => {
  // Before: a socket timeout, which the room's own lines to the lurker kept resetting.
  const room = await startServer(t, { idleTimeoutMs: 1500, lang: 'es' })
  const says = { prompt: /^¿Tu nombre\?/, welcome: /^\* ¡hola, / }
  const lurker = await join(t, room.port, 'lurker', says)
  const talker = await join(t, room.port, 'talker', says)
  // The talker speaks every 100 ms (bounded: at most 60 lines) until the lurker is dismissed.
  let left = false
  const gone = room.waitEvent('left', e => e.name === 'lurker').then(e => { left = true; return e })
  for (let i = 0; i < 60 && !left; i++) {
    talker.send(`line ${i}\n`)
    await new Promise(r => setTimeout(r, 100))
  }
  t.match(await gone, { reason: 'idle-timeout' })
  await lurker.waitLine(/^\* 1,5 s sin actividad\. ¡Adiós!$/)
  t.notOk(room.events.some(e => e.type === 'left' && e.name === 'talker'), 'the talker, who kept sending, is still there')
})

t.test('a line without a newline is taken after unterminatedLineMs, and the sender is told once', async t => {
  const { port, waitEvent } = await startServer(t, { unterminatedLineMs: 150 })
  const ana = await client(t, port)
  await ana.waitLine(/^Your name\?/)
  ana.send('ana')
  await ana.waitLine(/^\* welcome, ana/)
  const event = await waitEvent('unterminated-line')
  t.match(event, { id: 1, bytes: 3, waitedMs: 150 })
  t.equal(ana.lines().filter(l => /end each line with Enter/.test(l)).length, 1, 'told once')
  const bea = await join(t, port, 'bea')
  ana.send('hola')
  await bea.waitLine(/^ana: hola$/)
  t.equal(ana.lines().filter(l => /end each line with Enter/.test(l)).length, 1, 'still told only once')
  // A line that does end with a newline goes at once, never waiting.
  ana.send('adiós\n')
  await bea.waitLine(/^ana: adiós$/)
})

t.test('a line typed one keystroke at a time is not cut by the newline wait, and its backspaces are applied', async t => {
  const { port, events } = await startServer(t, { unterminatedLineMs: 150 })
  const bea = await join(t, port, 'bea')
  const ana = await client(t, port)
  await ana.waitLine(/^Your name\?/)
  // Windows telnet: every key is its own write, and the student pauses longer than the wait.
  for (const key of ['a', 'n', 'a']) {
    ana.send(key)
    await new Promise(resolve => setTimeout(resolve, 60))
  }
  await new Promise(resolve => setTimeout(resolve, 400))
  t.notOk(events.some(e => e.type === 'unterminated-line' || e.type === 'joined' && e.name !== 'bea'), 'a name being typed waits for Enter')
  ana.send('\r\n')
  await ana.waitLine(/^\* welcome, ana/)
  for (const key of ['h', 'o', 'l', 'x', '\b', 'a']) {
    ana.send(key)
    await new Promise(resolve => setTimeout(resolve, 40))
  }
  await new Promise(resolve => setTimeout(resolve, 400))
  ana.send('\r\n')
  await bea.waitLine(/^ana: hola$/)
  t.notOk(bea.lines().some(line => /^ana: hol$|x/.test(line)), 'one message, corrected, not two pieces')
})

t.test('a copy of a name with an invisible or look-alike character is refused; fullwidth letters are the same name', async t => {
  const { server, port, waitEvent } = await startServer(t, { name: 'profe' })
  const fake = await client(t, port)
  await fake.waitLine(/^Your name\?/)
  fake.send('profe\u034f\n')
  t.match(await waitEvent('name-rejected'), { problem: 'invalid' })
  fake.send('ｐｒｏｆｅ\n')
  await fake.waitLine(/^\* profe is taken, so you are profe-2$/)
  t.match(server.present(), [{ id: 1, name: 'profe-2' }])
  t.ok(server.kick('#1'), 'the operator can remove anyone by connection id')
  await fake.closed
})

t.test('unterminatedLineMs 0 waits for the newline forever (the old behaviour, on request)', async t => {
  const { port, events } = await startServer(t, { unterminatedLineMs: 0 })
  const ana = await client(t, port)
  await ana.waitLine(/^Your name\?/)
  ana.send('ana')
  await new Promise(resolve => setTimeout(resolve, 300))
  t.notOk(events.some(e => e.type === 'joined'), 'no name yet')
  ana.send('\n')
  await ana.waitLine(/^\* welcome, ana/)
})

const SPANISH = { prompt: /^¿Tu nombre\?$/, welcome: /^\* ¡hola, / }
const PORTUGUESE = { prompt: /^Seu nome\?$/, welcome: /^\* olá, / }

t.test("lang 'es': the prompt, notices, history, commands and goodbye are in Spanish", async t => {
  const { server, port, waitEvent } = await startServer(t, { lang: 'es', name: 'profe' })
  const ana = await join(t, port, 'ana', SPANISH)
  t.same(ana.lines(), ['¿Tu nombre?', '* ¡hola, ana! En el chat: profe. Escribe /help para ver los comandos'])
  server.say('bienvenidos')
  await ana.waitLine(/^profe: bienvenidos$/)

  const bea = await client(t, port)
  await bea.waitLine(SPANISH.prompt)
  bea.send('dos palabras\n')
  await bea.waitLine(/^\* un nombre solo puede tener letras, dígitos/)
  bea.send('ANA\n')
  await bea.waitLine(/^\* end|^\* fin del historial$/)
  t.same(bea.lines().slice(2), [
    '¿Tu nombre?',
    '* ANA ya está en uso; tu nombre será ANA-2',
    '* ¡hola, ANA-2! En el chat: profe, ana. Escribe /help para ver los comandos',
    '* el último mensaje:',
    'profe: bienvenidos',
    '* fin del historial',
  ])
  await ana.waitLine(/^\* ANA-2 entró al chat$/)
  // The events, and so the operator's log, do not change with the language.
  t.match(await waitEvent('joined', e => e.name === 'ANA-2'), { requestedName: 'ANA', historySent: 1 })

  bea.send('/nick bea\n')
  await ana.waitLine(/^\* ANA-2 ahora se llama bea$/)
  bea.send('/who\n')
  t.equal(await bea.waitLine(/^\* en el chat/), '* en el chat (3): profe (operador), ana, bea (tú)')
  bea.send('/bailar\n')
  t.match(await bea.waitLine(/^\* comando desconocido/), /^\* comando desconocido \/bailar; escribe \/help/)
  bea.send('/quit\n')
  t.equal(await bea.waitLine(/adiós/), '* ¡adiós, bea!')
  await ana.waitLine(/^\* bea salió del chat$/)
  await server.close()
  await ana.closed
  t.equal(ana.lines().at(-1), '* el chat se cierra. ¡Adiós!')
  for (const english of [/welcome/, /joined/, /Here now/, /\bleft\b/, /closing/, /Bye/]) {
    t.notOk([...ana.lines(), ...bea.lines()].some(l => english.test(l)), `no English line like ${english}`)
  }
})

t.test("lang 'pt': /help, /me usage, a cut line and the full-chat refusal are in Portuguese", async t => {
  const { port } = await startServer(t, { lang: 'pt', maxClients: 1, maxLineBytes: 10 })
  const ana = await join(t, port, 'ana', PORTUGUESE)
  ana.send('/help\n')
  await ana.waitLine(/^\* qualquer outra linha/)
  const help = ana.lines().slice(ana.lines().indexOf('* comandos:'))
  t.same(help, [
    '* comandos:',
    '*   /who           quem está no chat',
    '*   /nick <nome>   mudar seu nome',
    '*   /me <ação>     "/me acena" aparece como "~ ana acena"',
    '*   /quit          sair do chat',
    '*   //texto        enviar uma linha que começa com "/"',
    '* qualquer outra linha vai para todos como "ana: texto"',
  ])
  ana.send('/me\n')
  await ana.waitLine(/^\* uso: \/me <ação>, por exemplo \/me acena$/)
  ana.send('0123456789abc\n')
  await ana.waitLine(/^\* sua linha tinha mais de 10 bytes; só a primeira parte foi mantida$/)

  const extra = await client(t, port)
  await extra.closed
  t.equal(extra.raw().toString('utf8'), '* desculpe, o chat está cheio (1 pessoa); tente de novo mais tarde\r\n')
})

t.test("lang 'es': the no-newline, flood and kick notices, and what the others see", async t => {
  const { server, port, waitEvent } = await startServer(t, {
    lang: 'es', name: 'profe', unterminatedLineMs: 150, floodLinesPerSecond: 20, floodBurstLines: 5, floodTimeoutMs: 300,
  })
  const ana = await join(t, port, 'ana', SPANISH)
  const luis = await client(t, port)
  await luis.waitLine(SPANISH.prompt)
  luis.send('luis') // no newline
  await luis.waitLine(SPANISH.welcome)
  t.ok(luis.lines().includes('* tu línea no tenía salto de línea; se aceptó tras 150 ms — termina cada línea con Enter ("\\n")'))
  const flood = await join(t, port, 'flood', SPANISH)
  flood.send(Array.from({ length: 500 }, (_, n) => `spam ${n}\n`).join(''))
  await flood.waitLine(/^\* más despacio: más de 20 líneas por segundo\. Tus líneas esperan; si sigues así durante 0,3 s, se cerrará tu conexión$/)
  t.match(await waitEvent('left', e => e.name === 'flood'), { reason: 'flood' })
  await flood.waitLine(/^\* se cerró tu conexión por enviar demasiados mensajes$/)
  await ana.waitLine(/^\* flood salió del chat \(conexión cerrada por exceso de mensajes\)$/)
  t.ok(server.kick('luis'))
  await luis.waitLine(/^\* profe te sacó del chat$/)
  await ana.waitLine(/^\* profe sacó a luis del chat$/)
})

t.test('a language the server does not speak is refused with ERR_SOCKKIT_INVALID_ARG', async t => {
  t.throws(() => new ChatServer({ lang: 'fr' as never }), { code: 'ERR_SOCKKIT_INVALID_ARG', message: /lang must be en, es or pt, not "fr"/ })
  // The library takes codes only; "pt-BR" is the CLI's to read (parseChatLanguage).
  t.throws(() => new ChatServer({ lang: 'pt-BR' as never }), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})
