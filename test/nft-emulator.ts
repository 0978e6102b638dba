import t, { type Test } from 'tap'
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { buildRuleset, ownerAlive, parseNftCounters, parseTableName, readProcStat, tableNameFor } from '../src/impairment/nft-emulator.js'

const DIST = fileURLToPath(new URL('../dist/', import.meta.url))
const BIN = fileURLToPath(new URL('../bin/sockkit.js', import.meta.url))

t.test('table names carry the owner pid and its start time', async t => {
  t.equal(tableNameFor(123, 2, 456), 'sockkit_123_456_2')
  t.same(parseTableName('sockkit_123_456_2'), { pid: 123, startTime: 456 })
  // Names from before the start time was recorded still parse.
  t.same(parseTableName('sockkit_123_2'), { pid: 123 })
  t.same(parseTableName('sockkit_77'), { pid: 77 })
  t.equal(parseTableName('filter'), undefined)
  t.equal(parseTableName('sockkit_x'), undefined)
})

t.test('the owner of a table: alive, dead, a zombie, or a reused pid', { skip: process.platform === 'linux' ? false : '/proc is Linux only' }, async t => {
  const me = readProcStat(process.pid)!
  t.ok(me.startTime > 0, 'this process has a start time')
  t.match(tableNameFor(process.pid, 1), new RegExp(`^sockkit_${process.pid}_${me.startTime}_1$`))
  t.equal(ownerAlive({ pid: process.pid, startTime: me.startTime }), true)
  t.equal(ownerAlive({ pid: process.pid }), true, 'an old name without start time: the pid alone decides')
  t.equal(ownerAlive({ pid: process.pid, startTime: me.startTime + 1 }), false, 'same pid, other start time: the pid was reused')
  const exited = spawnSync(process.execPath, ['-e', '0']).pid!
  t.equal(ownerAlive({ pid: exited }), false, 'an exited and reaped process')
  // A zombie: the shell's background child exits after the shell became `sleep`, which never reaps it.
  const parent = spawn('sh', ['-c', 'sleep 0.2 & echo $!; exec sleep 10'], { stdio: ['ignore', 'pipe', 'ignore'] })
  t.teardown(() => { parent.kill('SIGKILL') })
  const zombie = Number(await new Promise<string>(resolve => parent.stdout.once('data', d => resolve(String(d)))))
  const start = Date.now()
  while (readProcStat(zombie)?.state !== 'Z' && Date.now() - start < 5000) await new Promise(r => setTimeout(r, 20))
  t.equal(readProcStat(zombie)?.state, 'Z', 'the child is a zombie')
  t.equal(ownerAlive({ pid: zombie }), false, 'a zombie owner is dead (kill(pid, 0) would say alive)')
})

t.test('the ruleset matches only our ports, both directions, judged once', async t => {
  const text = buildRuleset('sockkit_1_1', { loss: 12.5, ports: [9001, 9001], protocols: ['udp'] })
  t.match(text, /hook prerouting/)
  t.match(text, /hook postrouting/)
  t.match(text, /oifname != "lo"/)
  t.match(text, /th dport \{ 9001 \} numgen random mod 10000 < 1250 counter drop comment "drop c2s udp"/)
  t.match(text, /th sport \{ 9001 \} th dport != \{ 9001 \} numgen random mod 10000 < 1250 counter drop comment "drop s2c udp"/)
  t.notMatch(text, /tcp/)
  t.notMatch(buildRuleset('sockkit_1_1', { loss: 0, ports: [1] }), /drop/, 'no drop rules at 0%')
})

t.test('counters are read per protocol and direction', async t => {
  const rule = (comment: string, packets: number) => ({ rule: { comment, expr: [{ match: {} }, { counter: { packets, bytes: packets * 10 } }] } })
  const json = JSON.stringify({ nftables: [
    { metainfo: {} }, rule('seen c2s udp', 100), rule('drop c2s udp', 20), rule('seen s2c udp', 80), rule('drop s2c udp', 15),
    rule('seen c2s udp', 5), rule('seen c2s tcp', 7), rule('other', 99),
  ] })
  const c = parseNftCounters(json)
  t.match(c.udp!.clientToServer, { received: 105, dropped: 20, forwarded: 85 })
  t.match(c.udp!.serverToClient, { received: 80, dropped: 15, forwarded: 65 })
  t.match(c.tcp!.clientToServer, { received: 7, dropped: 0 })
  // A table for UDP only reports UDP: no all-zero TCP counters.
  t.same(Object.keys(parseNftCounters(JSON.stringify({ nftables: [rule('seen c2s udp', 1)] }))), ['udp'])
})

// Everything below changes nftables, so it runs only inside a network namespace this test
// creates (never the host's firewall), and only as root with nft and ip present.
const has = (cmd: string, args: string[]) => spawnSync(cmd, args, { stdio: 'ignore' }).status === 0
const root = process.getuid?.() === 0
const skip = process.platform !== 'linux' ? 'not Linux'
  : !root ? 'not root (the kernel emulator needs root)'
    : !has('nft', ['--version']) ? 'nft is not installed'
      : !has('ip', ['-V']) ? 'ip (iproute2) is not installed' : false

const netns = (t: Test): string => {
  const name = `sockkit-test-${process.pid}-${Math.floor(Math.random() * 1e6)}`
  execFileSync('ip', ['netns', 'add', name])
  execFileSync('ip', ['netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up'])
  t.teardown(() => { spawnSync('ip', ['netns', 'del', name]) })
  return name
}
const tablesIn = (ns: string): string => execFileSync('ip', ['netns', 'exec', ns, 'nft', 'list', 'tables']).toString()

/** Run a script with the built library inside the namespace; it prints one JSON line. */
const runInNs = (ns: string, source: string): Promise<Record<string, any>> => new Promise((resolve, reject) => {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', source], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''; let err = ''
  child.stdout.on('data', d => { out += d })
  child.stderr.on('data', d => { err += d })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  child.on('close', code => {
    clearTimeout(timer)
    try { resolve(JSON.parse(out.trim().split('\n').pop()!)) } catch { reject(new Error(`exit ${code}: ${out} ${err}`)) }
  })
})

t.test('kernel loss inside a private namespace: drops within binomial bounds, table removed at stop', { skip }, async t => {
  const ns = netns(t)
  const result = await runInNs(ns, `
    import dgram from 'node:dgram'
    import { execFileSync } from 'node:child_process'
    const { startImpairment } = await import(${JSON.stringify(DIST + 'impairment/start.js')})
    const echo = dgram.createSocket('udp4'); echo.on('message', (d, r) => echo.send(d, r.port, r.address))
    await new Promise(r => echo.bind(0, '127.0.0.1', r))
    const run = await startImpairment({ impairment: { loss: 30 }, emulator: 'kernel', transports: ['udp'],
      target: { host: '127.0.0.1', port: echo.address().port }, listenPort: 0, packetEvents: false })
    const tableDuring = execFileSync('nft', ['list', 'tables']).toString()
    const client = dgram.createSocket('udp4'); let replies = 0; client.on('message', () => replies++)
    await new Promise(r => client.bind(0, '127.0.0.1', r))
    const n = 2000
    for (let i = 0; i < n; i++) { client.send(Buffer.from('probe ' + i), run.endpoints.udp.port, '127.0.0.1'); if (i % 50 === 49) await new Promise(r => setTimeout(r, 2)) }
    // Settle on counters: every reply the kernel let through has reached the client.
    for (let k = 0; k < 1000; k++) {
      const c = await run.counters()
      if (c.kernel.udp.clientToServer.received === n && c.kernel.udp.serverToClient.received === c.udp.serverToClient.forwarded && replies === c.kernel.udp.serverToClient.forwarded) break
      await new Promise(r => setTimeout(r, 10))
    }
    const report = await run.stop()
    const tableAfter = execFileSync('nft', ['list', 'tables']).toString()
    echo.close(); client.close()
    console.log(JSON.stringify({ emulator: run.emulator, table: run.config.kernelTable, tableDuring, tableAfter, replies, n, kernel: report.counters.kernel.udp }))
  `)
  t.equal(result.emulator, 'kernel')
  t.match(result.tableDuring, result.table)
  t.notMatch(result.tableAfter, /sockkit_/, 'table removed after stop')
  const c2s = result.kernel.clientToServer
  t.equal(c2s.received, 2000)
  // Binomial(n = 2000, p = 0.3): mean 600, sd = sqrt(2000·0.3·0.7) = 20.5; ± 5 sd (false failure ≈ 5.7e-7).
  t.ok(Math.abs(c2s.dropped - 600) <= 5 * 20.49, `c→s dropped ${c2s.dropped}`)
  const s2c = result.kernel.serverToClient
  t.ok(Math.abs(s2c.dropped - 0.3 * s2c.received) <= 5 * Math.sqrt(s2c.received * 0.21), `s→c dropped ${s2c.dropped} of ${s2c.received}`)
  // Round trip ~ Binomial(2000, 1 − 0.7² = 0.51): mean 1020, sd = sqrt(2000·0.51·0.49) = 22.4; ± 5 sd.
  t.ok(Math.abs((result.n - result.replies) - 1020) <= 5 * 22.36, `round-trip lost ${result.n - result.replies}`)
})

t.test('a link killed with SIGKILL: its watchdog removes the table', { skip }, async t => {
  const ns = netns(t)
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'link', '0', '127.0.0.1:9', '--udp', '--loss', '10', '--emulator', 'kernel', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] })
  t.teardown(() => { child.kill('SIGKILL') })
  let out = ''
  child.stdout.on('data', d => { out += d })
  const table = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no kernel-table event: ${out}`)), 15_000)
    child.stdout.on('data', () => {
      const m = /"table":"(sockkit_[\d_]+)"/.exec(out)
      if (m) { clearTimeout(timer); resolve(m[1]!) }
    })
  })
  t.match(tablesIn(ns), table, 'the table exists while the link runs')
  child.kill('SIGKILL')
  const start = Date.now()
  while (tablesIn(ns).includes(table) && Date.now() - start < 10_000) await new Promise(r => setTimeout(r, 50))
  t.notMatch(tablesIn(ns), table, 'gone after the owner was killed')
})

t.test('the next start removes tables whose owner is dead', { skip }, async t => {
  const ns = netns(t)
  const result = await runInNs(ns, `
    import { execFileSync, spawnSync } from 'node:child_process'
    const { cleanupStaleTables, startNftLoss } = await import(${JSON.stringify(DIST + 'impairment/nft-emulator.js')})
    // A pid that certainly is dead: a child that has already exited.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid
    execFileSync('nft', ['add', 'table', 'inet', 'sockkit_' + dead + '_1'])
    execFileSync('nft', ['add', 'table', 'inet', 'sockkit_' + process.pid + '_99'])
    // pid 1 is alive, but did not start at tick 1: its pid was "reused".
    execFileSync('nft', ['add', 'table', 'inet', 'sockkit_1_1_1'])
    const loss = await startNftLoss({ loss: 1, ports: [9], watchdog: false })
    const during = execFileSync('nft', ['list', 'tables']).toString()
    await loss.stop()
    console.log(JSON.stringify({ dead, removed: loss.staleTablesRemoved, during, again: await cleanupStaleTables() }))
  `)
  t.same(result.removed.sort(), [`sockkit_${result.dead}_1`, 'sockkit_1_1_1'].sort())
  t.notMatch(result.during, `sockkit_${result.dead}_1`)
  t.match(result.during, /_99/, 'a live owner’s table is left alone')
  t.same(result.again, [])
})

t.test('compare, serve and link sweep stale tables at every start, impairment or not, and say so in one line', { skip, timeout: 60_000 }, async t => {
  const ns = netns(t)
  const dead = spawnSync(process.execPath, ['-e', '0']).pid!
  const addStale = (n: number) => {
    const name = `sockkit_${dead}_1_${n}`
    execFileSync('ip', ['netns', 'exec', ns, 'nft', 'add', 'table', 'inet', name])
    return name
  }
  const inNs = (args: string[]) => spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const collect = (child: ReturnType<typeof inNs>) => {
    const out = { stdout: '', stderr: '' }
    child.stdout.on('data', d => { out.stdout += d })
    child.stderr.on('data', d => { out.stderr += d })
    return out
  }
  const until = async (check: () => boolean, what: string) => {
    const start = Date.now()
    while (!check()) {
      if (Date.now() - start > 15_000) throw new Error(`timed out waiting for ${what}`)
      await new Promise(r => setTimeout(r, 50))
    }
  }

  // compare without any impairment: the stale table goes, and one line says which.
  let stale = addStale(1)
  const compare = inNs(['compare', '--count', '3', '--transports', 'udp'])
  const compareOut = collect(compare)
  const code = await new Promise(resolve => compare.on('close', resolve))
  t.equal(code, 0)
  t.match(compareOut.stderr, new RegExp(`kernel: removed an nftables table left by a run that died .*: ${stale}\\n`))
  t.notMatch(tablesIn(ns), stale)

  // serve --json: an event on stdout.
  stale = addStale(2)
  const serve = inNs(['serve', '0', '--json'])
  t.teardown(() => { serve.kill('SIGKILL') })
  const serveOut = collect(serve)
  await until(() => serveOut.stdout.includes('"listening"'), 'serve to listen')
  t.match(serveOut.stdout, new RegExp(`"event":"stale-tables-removed".*"tables":\\["${stale}"\\]`))
  t.notMatch(tablesIn(ns), stale)
  serve.kill('SIGINT')

  // link (human): the line on stderr.
  stale = addStale(3)
  const link = inNs(['link', '0', '127.0.0.1:9', '--udp', '--delay', '1'])
  t.teardown(() => { link.kill('SIGKILL') })
  const linkOut = collect(link)
  await until(() => linkOut.stderr.includes('point your client'), 'link to start')
  t.match(linkOut.stderr, `left by a run that died (it dropped packets on that run's ports until now): ${stale}`)
  t.notMatch(tablesIn(ns), stale)
  link.kill('SIGINT')
})
