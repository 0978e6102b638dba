/**
 * link --loss without root: each TCP connection crosses a lossy hop in a private user +
 * network namespace (src/impairment/lossy-hop.ts), where nftables drops segments and TCP
 * really retransmits. Run as an unprivileged user: as root the host's own kernel emulator is
 * used, so the runs drop to 'nobody' (which must be able to read this checkout; skipped with
 * the reason if not, or when no user namespace can be made).
 */
import t, { type Test } from 'tap'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { connect, createServer, type Server } from 'node:net'
import { once } from 'node:events'
import { createHash } from 'node:crypto'
import { BIN } from './fixtures/cli.js'
import { readProcStat } from '../src/impairment/nft-emulator.js'

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
const ids = asRoot ? { uid: 65534, gid: 65534 } : {}
const ENV = { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', LANG: 'C' }

/** Why the unprivileged runs cannot happen here, or false. */
const skipReason = (): string | false => {
  if (process.platform !== 'linux') return 'user namespaces are Linux only'
  const probe = spawnSync(process.execPath, [BIN, '--version'], { env: ENV, ...ids, timeout: 10_000 })
  if (probe.status !== 0) return 'running as root, and user nobody cannot read this checkout'
  const ns = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'sh', '-c', 'PATH="$PATH:/usr/sbin:/sbin"; nft list tables'], { ...ids, timeout: 10_000 })
  return ns.status === 0 ? false : `no unprivileged user namespace with nft here (exit ${ns.status})`
}
const skip = skipReason()

interface LinkRun {
  child: ChildProcess
  /** NDJSON events on stdout so far. */
  events: () => Array<Record<string, any>>
  stderr: () => string
  /** Resolves with the first event `match` accepts. */
  waitEvent: (match: (e: Record<string, any>) => boolean) => Promise<Record<string, any>>
  /** Resolves once `found` returns something, checked as output arrives. */
  waitUntil: <T>(found: () => T | undefined) => Promise<T>
  closed: Promise<number | null>
}

/** `sockkit link args… --json` as an unprivileged user (killed after 30 s whatever happens). */
const linkUnprivileged = (args: string[], env: Record<string, string> = {}): LinkRun => {
  const child = spawn(process.execPath, [BIN, 'link', ...args], { env: { ...ENV, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...ids })
  let stdout = ''
  let stderr = ''
  const waiters = new Set<() => void>()
  // Complete lines only: a chunk may end inside one.
  const events = () => stdout.slice(0, stdout.lastIndexOf('\n') + 1).split('\n').filter(l => l.startsWith('{')).map(l => JSON.parse(l) as Record<string, any>)
  child.stdout!.on('data', d => { stdout += d; waiters.forEach(w => w()) })
  child.stderr!.on('data', d => { stderr += d; waiters.forEach(w => w()) })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  const closed = once(child, 'close').then(([code]) => { clearTimeout(timer); waiters.forEach(w => w()); return code as number | null })
  const waitEvent = (match: (e: Record<string, any>) => boolean) => waitUntil(() => events().find(match))
  const waitUntil = <T>(found: () => T | undefined) => new Promise<T>((resolve, reject) => {
    const check = () => {
      const result = found()
      if (result !== undefined) { waiters.delete(check); resolve(result) } else if (child.exitCode !== null || child.signalCode !== null) {
        waiters.delete(check)
        reject(new Error(`link exited before the event: ${stderr} ${JSON.stringify(events().slice(-3))}`))
      }
    }
    waiters.add(check)
    check()
  })
  return { child, events, stderr: () => stderr, waitEvent, waitUntil, closed }
}

/** A TCP echo server and a UDP echo socket on one loopback port pair. */
const echoTarget = async (t: Test) => {
  const tcp: Server = createServer({ allowHalfOpen: true }, s => s.pipe(s))
  tcp.listen(0, '127.0.0.1')
  await once(tcp, 'listening')
  const udp = createSocket('udp4')
  udp.on('message', (m, r) => udp.send(m, r.port, r.address))
  udp.bind(0, '127.0.0.1')
  await once(udp, 'listening')
  t.teardown(() => { tcp.close(); udp.close() })
  return { tcpPort: (tcp.address() as { port: number }).port, udpPort: udp.address().port }
}

/** The helper's pid: the link process's only child. */
const childrenOf = (pid: number): number[] => {
  const listed = spawnSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
  return listed.stdout.split('\n').filter(Boolean).map(Number)
}

/** The human lines of a run like the JSON one: the emulator named, the namespace's retransmissions counted. */
const humanOutput = async (t: Test, link: LinkRun): Promise<void> => {
  const port = await link.waitUntil(() => { const m = /linking 127\.0\.0\.1:(\d+)/.exec(link.stderr()); return m ? Number(m[1]) : undefined })
  const client = connect(port, '127.0.0.1')
  client.resume()
  client.end(Buffer.alloc(256 * 1024, 1))
  await once(client, 'close')
  link.child.kill('SIGINT')
  t.equal(await link.closed, 130)
  const err = link.stderr()
  t.match(err, /emulator: kernel \(user namespace\) — loss by the kernel/)
  t.match(err, /kernel table inet sockkit_\S+ in a private user namespace/)
  t.match(err, /TCP retransmitted \d+ segments? in the user namespace \(RetransSegs\)/)
  t.match(err, /gone with its user namespace/)
}

t.test('TCP through link --loss 10: the data arrives whole, the namespace dropped and TCP retransmitted', { skip, timeout: 60_000 }, async t => {
  const target = await echoTarget(t)
  const link = linkUnprivileged(['0', `127.0.0.1:${target.tcpPort}`, '--loss', '10', '--json'])
  t.teardown(() => { link.child.kill('SIGKILL') })
  // The human output of the same run, started alongside (each start costs two node processes).
  const human = linkUnprivileged(['0', `127.0.0.1:${target.tcpPort}`, '--loss', '10', '--quiet'])
  t.teardown(() => { human.child.kill('SIGKILL') })
  const started = await link.waitEvent(e => e.event === 'started')
  t.equal(started.impairment.emulator, 'kernel-userns', 'the emulator is named')
  t.match(started.impairment.reason, /kernel \(user namespace\)/)
  t.match(link.events().find(e => e.event === 'kernel-table'), { userns: true, protocols: ['tcp'], loss: 10 })
  const helpers = childrenOf(link.child.pid!)
  t.equal(helpers.length, 1, 'one helper process')

  // 1 MiB each way, in segments of up to 64 KiB (loopback's MTU): about 40 data segments
  // and as many ACKs; at 10% each way some are dropped in all but a vanishing share of runs.
  const data = Buffer.alloc(1024 * 1024)
  for (let i = 0; i < data.length; i++) data[i] = (i * 7 + (i >> 11)) & 255
  const client = connect(started.endpoints.tcp.port, '127.0.0.1')
  const received: Buffer[] = []
  client.on('data', d => received.push(d))
  client.end(data)
  await once(client, 'close')
  const digest = (b: Buffer) => createHash('sha1').update(b).digest('hex')
  t.equal(digest(Buffer.concat(received)), digest(data), 'every byte came back, in order')
  await link.waitEvent(e => e.event === 'closed')

  link.child.kill('SIGINT')
  t.equal(await link.closed, 130, link.stderr())
  const summary = link.events().find(e => e.event === 'summary')!
  const kernel = summary.counters.kernel.tcp
  t.ok(kernel.clientToServer.dropped + kernel.serverToClient.dropped > 0,
    `the namespace's table dropped segments (c→s ${kernel.clientToServer.dropped}/${kernel.clientToServer.received}, s→c ${kernel.serverToClient.dropped}/${kernel.serverToClient.received})`)
  t.ok(summary.counters.userns.retransSegs > 0, `TCP retransmitted in the namespace (RetransSegs +${summary.counters.userns.retransSegs})`)
  t.match(summary.counters.tcp.clientToServer, { dropped: 0, bytesForwarded: data.length }, 'the relay itself dropped nothing')
  for (const pid of helpers) {
    const state = readProcStat(pid)?.state
    t.ok(state === undefined || state === 'Z', `the helper ${pid} is gone (${state ?? 'no such process'})`)
  }
  await humanOutput(t, human)
  const hostTables = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8' }).stdout ?? ''
  t.notMatch(hostTables, started.impairment.kernelTable, 'the table never existed outside the namespace')
})

t.test('UDP through link --udp --loss 20 without root loses about 20% each way', { skip, timeout: 60_000 }, async t => {
  const target = await echoTarget(t)
  const link = linkUnprivileged(['0', `127.0.0.1:${target.udpPort}`, '--udp', '--loss', '20', '--json'])
  t.teardown(() => { link.child.kill('SIGKILL') })
  const started = await link.waitEvent(e => e.event === 'started')
  const client = createSocket('udp4')
  t.teardown(() => client.close())
  let replies = 0
  client.on('message', () => { replies++ })
  const count = 500
  const decided = (direction: string) => link.events().filter(e => (e.event === 'dropped' || e.event === 'forwarded') && e.direction === direction)
  // In batches, each sent once the relay has decided on the one before: the loss must be the
  // link's, not a receive buffer's on a busy machine.
  for (let sent = 0; sent < count; sent += 25) {
    for (let i = sent; i < sent + 25; i++) client.send(`probe ${i}`, started.endpoints.udp.port, '127.0.0.1')
    await link.waitUntil(() => decided('client-to-server').length >= sent + 25 ? true : undefined)
  }
  // Done when every echo of a datagram the relay passed on has come back through it.
  await link.waitUntil(() => {
    const c2s = decided('client-to-server')
    return c2s.length === count && decided('server-to-client').length === c2s.filter(e => e.event === 'forwarded').length ? true : undefined
  })
  link.child.kill('SIGINT')
  t.equal(await link.closed, 130, link.stderr())
  const summary = link.events().find(e => e.event === 'summary')!
  const c2s = summary.counters.udp.clientToServer
  t.equal(c2s.received, count, 'the relay saw every datagram')
  const percent = (c2s.dropped / c2s.received) * 100
  // Binomial: sd = sqrt(500·0.2·0.8) ≈ 9 datagrams (1.8 points); ±8 points is over 4 sd.
  t.ok(percent > 12 && percent < 28, `c→s lost ${percent.toFixed(1)}% (20% asked)`)
  t.ok(replies < count, `fewer replies (${replies}) than datagrams sent`)
})

t.test('SOCKKIT_NO_USERNS=1: TCP loss is refused with why and how, never relayed loss-free', { skip, timeout: 30_000 }, async t => {
  const link = linkUnprivileged(['0', '127.0.0.1:9', '--loss', '5'], { SOCKKIT_NO_USERNS: '1' })
  t.equal(await link.closed, 2, link.stderr())
  t.match(link.stderr(), /^sockkit: TCP would not be exposed to loss here: .* SOCKKIT_NO_USERNS is set; unset it, or run with sudo; or use --udp/)
  t.equal(link.events().length, 0, 'nothing started')
})
