import t, { type Test } from 'tap'
import { spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { readSnmp } from '../src/net/snmp.js'
import { UdpServer, type UdpServerEvent } from '../src/servers/udp-server.js'
import { startMain } from './fixtures/main.js'

/** Datagrams in the flood, and how long the sender may take at most (ms). */
const FLOOD_DATAGRAMS = 200_000
const FLOOD_MAX_MS = 5000

/*
 * The sender is a child process so the server's event loop (blocked on purpose below)
 * cannot slow it down. It sends 32-byte datagrams with a bounded number in flight, stops
 * at the count or the time limit, and prints how many the kernel accepted from it.
 */
const SENDER = `
const dgram = require('node:dgram')
const [port, count, maxMs] = process.argv.slice(1).map(Number)
const socket = dgram.createSocket('udp4')
socket.on('message', () => {})
const payload = Buffer.alloc(32, 'x')
const deadline = Date.now() + maxMs
let sent = 0, inFlight = 0, started = 0, done = false
const pump = () => {
  while (!done && inFlight < 64 && started < count && Date.now() < deadline) {
    started++; inFlight++
    socket.send(payload, port, '127.0.0.1', err => {
      inFlight--
      if (!err) sent++
      if (inFlight === 0 && (started >= count || Date.now() >= deadline)) finish()
      else setImmediate(pump)
    })
  }
}
const finish = () => { if (done) return; done = true; process.stdout.write(JSON.stringify({ sent }) + '\\n'); socket.close() }
pump()
`

/** Run the flood sender against `port`; resolves with the datagrams it sent. */
const flood = (t: Test, port: number, count = FLOOD_DATAGRAMS): Promise<number> => new Promise((resolve, reject) => {
  const child = spawn(process.execPath, ['-e', SENDER, String(port), String(count), String(FLOOD_MAX_MS)], { stdio: ['ignore', 'pipe', 'inherit'] })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), FLOOD_MAX_MS + 10_000)
  t.teardown(() => { clearTimeout(killTimer); child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', d => { out += d })
  child.on('error', reject)
  child.on('close', code => {
    clearTimeout(killTimer)
    try { resolve(JSON.parse(out).sent) } catch { reject(new Error(`sender exited ${code} without a count: ${out}`)) }
  })
})

/**
 * Ask until the server answers (the ask itself may be dropped while its buffer is still
 * full): resolves with how many asks were sent. Datagrams on one socket are handled in
 * order, so once the answer is here everything sent before it was read or dropped.
 */
const askUntilAnswered = async (t: Test, port: number): Promise<number> => {
  const socket = createSocket('udp4')
  t.teardown(() => { try { socket.close() } catch { /* closed */ } })
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  let asks = 0
  const answered = new Promise<void>(resolve => socket.once('message', () => resolve()))
  const ask = () => { asks++; socket.send('still there?', port, '127.0.0.1') }
  ask()
  const timer = setInterval(ask, 200)
  const limit = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('the server never answered after the flood')), 10_000).unref())
  try {
    await Promise.race([answered, limit])
  } finally {
    clearInterval(timer)
  }
  return asks
}

const snmp = await readSnmp()

t.test('a flood at a small receive buffer: the server keeps serving and reports the kernel\'s drops', { skip: snmp === undefined && 'no /proc/net/snmp (not Linux)' }, async t => {
  const drops: Extract<UdpServerEvent, { type: 'kernel-drops' }>[] = []
  let blockedOnce = false
  const server = new UdpServer({
    port: 0,
    recvBufferSize: 4096,
    kernelDropCheckMs: 500,
    onEvent: e => {
      if (e.type === 'kernel-drops') drops.push(e)
      // A handler that blocks for a moment (a slow terminal, say): the tiny buffer overflows.
      if (e.type === 'datagram' && !blockedOnce) {
        blockedOnce = true
        const until = Date.now() + 300
        while (Date.now() < until) { /* busy on purpose */ }
      }
    },
  })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  const sent = await flood(t, port)
  t.ok(sent > 0, `the sender sent ${sent} datagrams`)
  const asks = await askUntilAnswered(t, port)
  t.pass('the server still answers after the flood')
  const summary = await server.close()
  const lost = sent + asks - summary.datagrams
  t.ok(lost > 0, `the flood overflowed the buffer (${sent + asks} sent, ${summary.datagrams} received)`)
  t.ok(summary.kernelDrops !== null && summary.kernelDrops > 0, `kernel drops reported: ${summary.kernelDrops}`)
  // The socket's own count: never more than what this server lost (loopback's backlog could
  // drop a few before they reach the socket, which it does not count).
  t.ok((summary.kernelDrops ?? 0) <= lost, `kernel drops ${summary.kernelDrops} ≤ datagrams lost ${lost}`)
  t.comment(`lost ${lost}, counted by the socket ${summary.kernelDrops}, machine-wide RcvbufErrors +${summary.machineRcvbufErrors}`)
  t.ok(drops.length > 0, 'reported as kernel-drops events')
  t.equal(drops.at(-1)?.total, summary.kernelDrops, 'the last event\'s total is the summary\'s')
})

t.test('cli: udp-server --rcvbuf under a flood says what the kernel dropped', { skip: snmp === undefined && 'no /proc/net/snmp (not Linux)' }, async t => {
  const server = startMain(['udp-server', '0', '--rcvbuf', '4096'])
  t.teardown(() => server.interrupt())
  const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  await server.waitFor(/kernel granted \d+ bytes/)
  const sent = await flood(t, Number(port), 50_000)
  t.ok(sent > 0)
  await askUntilAnswered(t, Number(port))
  t.equal(await server.interrupt(), 130)
  const m = server.stderr().match(/stopped after [^\n]*; the kernel dropped ([\d,]+) datagrams?: receive buffer full\n/)
  t.ok(m, 'the summary names the kernel\'s drops')
  t.ok(Number(m?.[1]?.replace(/,/g, '')) > 0)
  // A flood is a few lines, not one per datagram (at most 20 a second per peer, plus summaries).
  const lines = server.stderr().split('\n').length
  t.ok(lines < 200, `${lines} stderr lines for ${sent} datagrams`)
  t.match(server.stderr(), /… [\d,]+ more datagrams \([^)]*\) not shown: at most 20 datagram lines a second per peer/)
})

/*
 * The review's repro: a flooder that never reads its echoes. Its own tiny receive buffer
 * overflows too, and the machine-wide RcvbufErrors counts those drops as well; the server's
 * figure must be its socket's alone. The sender sends everything, then blocks its event
 * loop, so the echoes pile up in its 8 KiB buffer and are dropped there.
 */
const NON_READER = `
const dgram = require('node:dgram')
const [port, count] = process.argv.slice(1).map(Number)
const socket = dgram.createSocket('udp4')
socket.bind(0, '127.0.0.1', () => {
  socket.setRecvBufferSize(4096)
  let done = 0, sent = 0
  for (let i = 1; i <= count; i++) {
    socket.send('seq=' + i + ' f', port, '127.0.0.1', err => {
      if (!err) sent++
      if (++done === count) setImmediate(() => {
        const until = Date.now() + 1500
        while (Date.now() < until) { /* not reading, on purpose */ }
        process.stdout.write(JSON.stringify({ sent }) + '\\n')
        socket.close()
      })
    })
  }
})
`

t.test('a flooder that never reads its echoes: the server reports only its own socket\'s drops', { skip: snmp === undefined && 'no /proc/net/snmp (not Linux)' }, async t => {
  const server = new UdpServer({ port: 0, recvBufferSize: 4096, kernelDropCheckMs: 0, datagramEvents: false })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  const child = spawn(process.execPath, ['-e', NON_READER, String(port), '20000'], { stdio: ['ignore', 'pipe', 'inherit'] })
  const killTimer = setTimeout(() => child.kill('SIGKILL'), 20_000)
  t.teardown(() => { clearTimeout(killTimer); child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', d => { out += d })
  await new Promise(resolve => child.on('close', resolve))
  const { sent } = JSON.parse(out) as { sent: number }
  const summary = await server.close()
  const lost = sent - summary.datagrams
  t.ok(summary.kernelDrops! > 0, `the server's socket dropped ${summary.kernelDrops}`)
  // The old machine-wide figure was lost + the sender's own drops: too high.
  t.ok(summary.kernelDrops! <= lost, `${summary.kernelDrops} counted ≤ ${lost} lost (${sent} sent, ${summary.datagrams} received)`)
  t.ok(summary.machineRcvbufErrors! > summary.kernelDrops!, `machine-wide RcvbufErrors +${summary.machineRcvbufErrors} includes the sender's dropped echoes`)
})
