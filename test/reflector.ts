import t, { type Test } from 'tap'
import { createSocket, type Socket as UdpSocket } from 'node:dgram'
import { connect } from 'node:net'
import { spawn } from 'node:child_process'
import { Reflector, type ReflectorEvent } from '../src/probe/reflector.js'
import { startLocalReflector } from '../src/probe/local-reflector.js'
import { encodeProbe, MAX_PROBE_BYTES, probeProblem } from '../src/probe/probe.js'
import { startCli } from './fixtures/cli.js'

const udpClient = (t: { teardown: (f: () => unknown) => void }): UdpSocket => {
  const socket = createSocket('udp4')
  t.teardown(() => new Promise<void>(resolve => { try { socket.close(() => resolve()) } catch { resolve() } }))
  return socket
}

/** A reflector on a free port that records its events, and a UDP client connected to it that keeps every reply. */
const reflectorAndClient = async (t: Test) => {
  const events: ReflectorEvent[] = []
  const reflector = new Reflector({ port: 0, onEvent: e => events.push(e) })
  const { port } = await reflector.listen()
  t.teardown(() => reflector.close())
  const socket = udpClient(t)
  await new Promise<void>(resolve => socket.connect(port, '127.0.0.1', () => resolve()))
  const replies: Buffer[] = []
  socket.on('message', d => replies.push(d))
  return { events, reflector, port, socket, replies }
}

const nextMessage = (socket: UdpSocket): Promise<Buffer> =>
  new Promise(resolve => socket.once('message', data => resolve(data)))

const isAlive = (pid: number): boolean => {
  try { process.kill(pid, 0); return true } catch { return false }
}

const waitGone = async (pid: number, timeoutMs = 10_000): Promise<boolean> => {
  const start = Date.now()
  while (isAlive(pid)) {
    if (Date.now() - start > timeoutMs) return false
    await new Promise(r => setTimeout(r, 20))
  }
  return true
}

t.test('TCP and UDP on the same port; UDP echoes probes exactly, ignores garbage', async t => {
  const events: ReflectorEvent[] = []
  const reflector = new Reflector({ port: 0, onEvent: e => events.push(e) })
  const address = await reflector.listen()
  t.teardown(() => reflector.close())
  t.equal(address.address, '127.0.0.1', 'loopback by default')
  t.equal(reflector.port, address.port)

  const socket = udpClient(t)
  await new Promise<void>(resolve => socket.connect(address.port, '127.0.0.1', () => resolve()))
  // Garbage first: short, wrong magic, empty. None may be echoed or crash the reflector.
  socket.send(Buffer.from('hola'))
  socket.send(Buffer.alloc(100, 0xff))
  socket.send(Buffer.alloc(0))
  const probe = encodeProbe({ runId: 7, seq: 1, scheduledNs: 5n }, 200)
  const reply = nextMessage(socket)
  socket.send(probe)
  const echoed = await reply
  t.same(echoed, probe, 'the probe comes back byte for byte, same size')

  const summary = reflector.summary()
  t.equal(summary.udp.ignored, 3, 'three garbage datagrams counted')
  t.equal(summary.udp.probesEchoed, 1)
  t.equal(summary.udp.peers, 1)
  t.ok(events.some(e => e.type === 'udp-ignored'))
  t.ok(events.some(e => e.type === 'udp-peer'))

  // TCP echo on the same port number.
  const tcp = connect(address.port, '127.0.0.1')
  t.teardown(() => tcp.destroy())
  const back = await new Promise<Buffer>(resolve => {
    const chunks: Buffer[] = []
    tcp.on('data', d => { chunks.push(d); if (Buffer.concat(chunks).length >= 5000) resolve(Buffer.concat(chunks)) })
    tcp.write(Buffer.alloc(5000, 0x61))
  })
  t.equal(back.length, 5000)
  tcp.end()
  await new Promise(r => tcp.once('close', r))
  const closed = await reflector.close()
  t.equal(closed.tcp.accepted, 1)
  t.equal(closed.tcp.bytesIn, 5000)
})

t.test('a taken port is reported with Node\'s error code', async t => {
  const first = new Reflector({ port: 0 })
  const { port } = await first.listen()
  t.teardown(() => first.close())
  const second = new Reflector({ port })
  await t.rejects(second.listen(), { code: 'EADDRINUSE' })
})

t.test('local reflector: a separate process, gone after close', async t => {
  const local = await startLocalReflector()
  t.not(local.pid, process.pid)
  t.ok(isAlive(local.pid), 'child runs')
  const socket = udpClient(t)
  await new Promise<void>(resolve => socket.connect(local.port, '127.0.0.1', () => resolve()))
  const probe = encodeProbe({ runId: 1, seq: 0, scheduledNs: 0n }, 64)
  const reply = nextMessage(socket)
  socket.send(probe)
  t.same(await reply, probe)
  const summary = await local.close()
  t.equal(summary?.udp.probesEchoed, 1, 'the child reports its totals')
  t.ok(await waitGone(local.pid), 'child exited')
})

t.test('local reflector: no orphan when the parent is killed', async t => {
  // A parent that starts a reflector, prints its pid, then waits forever; we SIGKILL it.
  const script = `import(${JSON.stringify(new URL('../dist/probe/local-reflector.js', import.meta.url).href)})
    .then(m => m.startLocalReflector()).then(r => { console.log('pid', r.pid); setInterval(() => {}, 1000) })`
  const parent = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] })
  t.teardown(() => { parent.kill('SIGKILL') })
  const childPid = await new Promise<number>((resolve, reject) => {
    let out = ''
    parent.stdout.on('data', d => { out += d; const m = /pid (\d+)/.exec(out); if (m) resolve(Number(m[1])) })
    parent.once('exit', code => reject(new Error(`parent exited early (${code})`)))
  })
  t.ok(isAlive(childPid))
  parent.kill('SIGKILL')
  t.ok(await waitGone(childPid), 'the reflector child exits when its parent dies')
})

/** Send `probe` every 100 ms until its echo arrives (a burst may fill the buffer); rejects after 10 s. */
const echoOf = (socket: UdpSocket, probe: Buffer): Promise<Buffer> => new Promise((resolve, reject) => {
  const onMessage = (data: Buffer) => { if (data.equals(probe)) { done(); resolve(data) } }
  const send = () => socket.send(probe)
  const timer = setInterval(send, 100)
  const limit = setTimeout(() => { done(); reject(new Error('no echo of the probe')) }, 10_000)
  const done = () => { clearInterval(timer); clearTimeout(limit); socket.off('message', onMessage) }
  socket.on('message', onMessage)
  send()
})

t.test('garbage cannot crash the reflector or skew its counts; each run gets only its own probes back', async t => {
  const { events, reflector, port, socket: junk, replies: junkReplies } = await reflectorAndClient(t)
  const magicOnly = Buffer.alloc(4)
  magicOnly.writeUInt32BE(0x534b5031)
  // A probe cut one byte short of its header: the magic is right, but it is not a probe.
  const truncated = encodeProbe({ runId: 1, seq: 1, scheduledNs: 1n }, 24).subarray(0, 23)
  const garbage = [magicOnly, truncated, Buffer.alloc(60_000, 0x41), Buffer.from('GET / HTTP/1.0\r\n\r\n')]
  for (let i = 0; i < 200; i++) garbage.push(Buffer.from(`junk ${i}`))
  for (const datagram of garbage) junk.send(datagram)

  // Two runs (two sockets, two run ids) at once: each gets back only what it sent.
  const runs = [udpClient(t), udpClient(t)]
  await Promise.all(runs.map(s => new Promise<void>(resolve => s.connect(port, '127.0.0.1', () => resolve()))))
  const probes = [encodeProbe({ runId: 100, seq: 0, scheduledNs: 0n }, 64), encodeProbe({ runId: 200, seq: 0, scheduledNs: 0n }, 64)]
  const received: Buffer[][] = [[], []]
  runs.forEach((s, i) => s.on('message', d => received[i]!.push(d)))
  await Promise.all(runs.map((s, i) => echoOf(s, probes[i]!)))
  t.ok(received[0]!.every(d => d.equals(probes[0]!)), 'run A gets only its own probes back')
  t.ok(received[1]!.every(d => d.equals(probes[1]!)), 'run B gets only its own probes back')

  // A probe from the junk socket marks the end of its garbage (same socket: read in order).
  const marker = encodeProbe({ runId: 300, seq: 0, scheduledNs: 0n }, 24)
  await echoOf(junk, marker)

  const summary = reflector.summary()
  // A burst on loopback may lose some to a full receive buffer; nothing else is possible.
  t.ok(summary.udp.ignored > 0 && summary.udp.ignored <= garbage.length, `${summary.udp.ignored} of ${garbage.length} garbage datagrams counted as ignored`)
  t.ok(junkReplies.every(d => d.equals(marker)), 'no garbage was echoed')
  // ≥: a resent probe may be echoed but not yet arrived; the garbage check is the line above.
  t.ok(summary.udp.probesEchoed >= 3, 'the probes were echoed')
  t.equal(events.filter(e => e.type === 'udp-ignored').length, summary.udp.ignored, 'every ignored datagram reported')
})

t.test('probeProblem: only what encodeProbe makes is a probe', async t => {
  const probe = encodeProbe({ runId: 1, seq: 2, scheduledNs: 3n }, 64)
  t.equal(probeProblem(probe), undefined)
  t.equal(probeProblem(encodeProbe({ runId: 1, seq: 2, scheduledNs: 3n }, 24)), undefined, 'the smallest probe')
  t.equal(probeProblem(Buffer.from('hola')), 'not-a-probe')
  // The review's datagram: the magic, then 1000 'x' — flags and padding are not zeros.
  t.equal(probeProblem(Buffer.concat([Buffer.from('SKP1'), Buffer.alloc(1000, 'x')])), 'bad-flags')
  const flagged = Buffer.from(probe)
  flagged.writeUInt32BE(1, 12)
  t.equal(probeProblem(flagged), 'bad-flags')
  const padded = Buffer.from(probe)
  padded[63] = 1
  t.equal(probeProblem(padded), 'bad-padding')
  const huge = Buffer.alloc(MAX_PROBE_BYTES + 1)
  probe.copy(huge, 0, 0, 24)
  t.equal(probeProblem(huge), 'too-large')
})

t.test('the reflector does not echo a datagram that only starts like a probe', async t => {
  const { events, socket, replies } = await reflectorAndClient(t)
  socket.send(Buffer.concat([Buffer.from('SKP1'), Buffer.alloc(1000, 'x')]))
  const marker = encodeProbe({ runId: 9, seq: 0, scheduledNs: 0n }, 64)
  await echoOf(socket, marker)
  t.ok(replies.every(d => d.equals(marker)), 'only the real probe came back')
  t.match(events.filter(e => e.type === 'udp-ignored'), [{ reason: 'bad-flags', bytes: 1004 }])
})

// A burst of garbage used to show only its first datagram until Ctrl-C; a trailing line now
// reports the rest once the 1 s interval is over.
t.test('serve: a burst of 100 ignored datagrams is one line, then one more line for the other 99', async t => {
  const cli = startCli(['serve', '0'])
  t.teardown(() => { if (cli.child.exitCode === null) cli.child.kill('SIGKILL') })
  const [, port] = await cli.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  const socket = udpClient(t)
  await new Promise<void>(resolve => socket.connect(Number(port), '127.0.0.1', () => resolve()))
  for (let i = 0; i < 100; i++) socket.send(`junk ${i}`)
  await cli.waitFor(/ignored 99 datagrams \(latest: 7 bytes from 127\.0\.0\.1:\d+\): not a compare probe, not echoed; 100 ignored in all/)
  t.match(cli.stderr(), /ignored 1 datagram \(latest: \d bytes from [^)]*\): not a compare probe, not echoed; 1 ignored in all/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /100 ignored/)
})
