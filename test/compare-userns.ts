/**
 * compare --loss without root: the run moves into a private user + network namespace where
 * nftables drops packets, so TCP really retransmits (src/net/userns.ts, src/cli/userns-reexec.ts).
 * Run as an unprivileged user: as root the host's own kernel emulator is used, so the test
 * drops to 'nobody' (which must be able to read this checkout; skipped with the reason if not).
 * Where no user namespace can be made, the headline says TCP was not exposed to loss.
 */
import t from 'tap'
import { spawn, spawnSync } from 'node:child_process'
import { once } from 'node:events'
import { BIN } from './fixtures/cli.js'
import { makeCompareConfig, runCompareDetailed } from '../src/compare/compare.js'
import { startLocalReflector } from '../src/probe/local-reflector.js'
import { tcpLossRoute } from '../src/cli/userns-reexec.js'

const asRoot = typeof process.getuid === 'function' && process.getuid() === 0
const ids = asRoot ? { uid: 65534, gid: 65534 } : {}

/** Why the unprivileged runs cannot happen here, or false. */
const skipReason = (): string | false => {
  if (process.platform !== 'linux') return 'user namespaces are Linux only'
  const probe = spawnSync(process.execPath, [BIN, '--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, ...ids, timeout: 10_000 })
  if (probe.status !== 0) return 'running as root, and user nobody cannot read this checkout'
  const ns = spawnSync('unshare', ['--user', '--map-root-user', '--net', 'sh', '-c', 'PATH="$PATH:/usr/sbin:/sbin"; nft list tables'], { ...ids, timeout: 10_000 })
  return ns.status === 0 ? false : `no unprivileged user namespace with nft here (exit ${ns.status})`
}
const skip = skipReason()

/** `sockkit compare args…` as an unprivileged user; SIGINT once `interruptOn` shows on stderr. */
const compareUnprivileged = async (args: string[], env: Record<string, string> = {}, interruptOn?: RegExp) => {
  const child = spawn(process.execPath, [BIN, 'compare', ...args], {
    // Not the test runner's NODE_OPTIONS: its hooks would write into this checkout as nobody.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...ids,
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => { stdout += d })
  child.stderr.on('data', d => {
    stderr += d
    if (interruptOn?.test(stderr)) {
      interruptOn = undefined
      child.kill('SIGINT')
    }
  })
  const timer = setTimeout(() => child.kill('SIGKILL'), 40_000)
  const [code] = await once(child, 'close') as [number | null]
  clearTimeout(timer)
  return { code, stdout, stderr }
}

t.test('compare --loss 20 without root: real kernel drops in a user namespace, TCP retransmits', { skip, timeout: 60_000 }, async t => {
  const r = await compareUnprivileged(['--loss', '20', '--count', '100', '--rate', '200', '--json'])
  t.equal(r.code, 0, r.stderr)
  const json = JSON.parse(r.stdout)
  t.equal(json.config.impairment.emulator, 'kernel-userns')
  t.match(json.config.impairment.reason, /kernel \(user namespace\)/)
  t.match(json.results.tcp, { sent: 100, received: 100, lost: 0 }, 'TCP delivered every probe')
  t.ok(json.kernel.tcp.tcp.retransSegs > 0, `TCP retransmitted (RetransSegs +${json.kernel.tcp.tcp.retransSegs})`)
  t.ok(json.impairmentCounters.kernel.tcp.clientToServer.dropped + json.impairmentCounters.kernel.tcp.serverToClient.dropped > 0, 'the table dropped TCP segments')
  t.ok(json.results.udp.lost > 0, `UDP lost ${json.results.udp.lost}`)
  t.notOk(json.headline.some((f: { code: string }) => f.code === 'tcp-not-exposed-to-loss'))

  const human = await compareUnprivileged(['--loss', '20', '--count', '50', '--rate', '200'])
  t.equal(human.code, 0, human.stderr)
  t.match(human.stdout, /impairment \(kernel-userns\)/)
  t.match(human.stdout.replace(/\n\s+/g, ' '), /kernel \(user namespace\): sockkit re-ran itself/)
})

t.test('Ctrl-C reaches the run in the namespace once: exit 130 and a result', { skip, timeout: 60_000 }, async t => {
  const r = await compareUnprivileged(['--loss', '20', '--count', '5000', '--rate', '200', '--json'], {}, /sending \d+ probes/)
  t.equal(r.code, 130, r.stderr)
  const json = JSON.parse(r.stdout)
  t.equal(json.interrupted, true)
  t.equal(json.config.impairment.emulator, 'kernel-userns')
})

t.test('SOCKKIT_NO_USERNS=1: the headline says TCP was not exposed to loss, why and how', { skip, timeout: 60_000 }, async t => {
  const r = await compareUnprivileged(['--loss', '20', '--count', '40', '--rate', '200', '--json'], { SOCKKIT_NO_USERNS: '1' })
  t.equal(r.code, 0, r.stderr)
  const json = JSON.parse(r.stdout)
  t.match(json.headline[0], { code: 'tcp-not-exposed-to-loss', transport: 'tcp', level: 'warning', params: { reason: 'userns-off', lossEachWayPercent: 20 } })
  t.equal(json.config.impairment.tcpDegraded.lossUnavailable, 'userns-off')
  const human = await compareUnprivileged(['--loss', '20', '--count', '40', '--rate', '200'], { SOCKKIT_NO_USERNS: '1' })
  t.match(human.stdout.replace(/\n\s+/g, ' '), /TCP was not exposed to loss \(SOCKKIT_NO_USERNS is set; unset it, or run with sudo\)/)
})

t.test('a run where TCP could not get loss: the finding leads the headline, with the reason as data', async t => {
  const local = await startLocalReflector()
  t.teardown(() => local.close())
  const config = makeCompareConfig({ port: local.port, local: true, count: 30, ratePerSecond: 500 })
  const support = { available: false, reason: { code: 'needsRoot' }, netemReason: { code: 'netemNeedsRoot' } } as const
  const { result } = await runCompareDetailed(config, { impairment: { impairment: { loss: 10 }, emulator: 'auto', support, lossUnavailable: 'remote-target' } })
  t.match(result.headline[0], { code: 'tcp-not-exposed-to-loss', transport: 'tcp', level: 'warning', params: { reason: 'remote-target', lossEachWayPercent: 10 } })
  const without = await runCompareDetailed(config, { impairment: { impairment: { loss: 10 }, emulator: 'auto', support } })
  t.match(without.result.headline[0], { code: 'tcp-not-exposed-to-loss', params: { reason: 'no-kernel' } }, 'no reason given: the kernel emulator was not there')
  const noLoss = await runCompareDetailed(config, { impairment: { impairment: { delay: 1 }, emulator: 'auto', support } })
  t.notOk(noLoss.result.findings.some(f => f.code === 'tcp-not-exposed-to-loss'), 'no loss asked: nothing to say')
})

t.test('tcpLossRoute: who gets the namespace', async t => {
  const io = { env: { SOCKKIT_NO_USERNS: '1' } } as unknown as Parameters<typeof tcpLossRoute>[0]
  const ask = { loss: 5, tcp: true, emulator: 'auto', local: true }
  t.equal(tcpLossRoute(io, { ...ask, loss: 0 }), undefined, 'no loss')
  t.equal(tcpLossRoute(io, { ...ask, tcp: false }), undefined, 'UDP only: the relay drops')
  t.equal(tcpLossRoute(io, { ...ask, emulator: 'userspace' }), undefined, 'userspace asked')
  if (process.platform !== 'linux') return t.same(tcpLossRoute(io, ask), { unavailable: 'not-linux' })
  if (asRoot) return t.equal(tcpLossRoute(io, ask), undefined, 'root: the host kernel drops')
  t.same(tcpLossRoute(io, { ...ask, local: false }), { unavailable: 'remote-target' })
  t.same(tcpLossRoute(io, ask), { unavailable: 'userns-off' })
})
