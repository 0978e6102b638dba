import t, { type Test } from 'tap'
import { createSocket } from 'node:dgram'
import { connect, createServer } from 'node:net'
import { once } from 'node:events'
import { PassThrough } from 'node:stream'
import { main } from '../src/cli/main.js'
import { runCli, startCli } from './fixtures/cli.js'
import { checkHelpReadsWell } from './fixtures/help.js'
import { secondLoopbackSkip } from './fixtures/loopback.js'
import { freeTcpPort } from './fixtures/port.js'

// These tests run on the host: every run that asks for loss names --emulator userspace, so
// that a root test run never installs an nftables table outside a namespace.

// Most tests drive the CLI in-process through main(argv, io): the same commander program,
// streams and exit code, without starting a node process per run. Ctrl-C is the io's
// AbortSignal. Spawned processes stay only where only a process shows it: a real SIGINT,
// another user id, the kernel emulator's watchdog.
interface InProcessCli {
  stdout: () => string
  stderr: () => string
  waitFor: (pattern: RegExp, opts?: { from?: 'stderr' | 'stdout'; timeoutMs?: number }) => Promise<RegExpMatchArray>
  /** Ctrl-C: abort the io's signal; resolves with the exit code. */
  interrupt: () => Promise<number>
  /** For teardown: stop it whatever state it is in. */
  stop: () => void
  exited: Promise<number>
}

const startInProcess = (args: string[]): InProcessCli => {
  const stdout = new PassThrough()
  const stderr = new PassThrough()
  const stdin = new PassThrough()
  let out = ''
  let err = ''
  const listeners = new Set<() => void>()
  stdout.on('data', (d: Buffer) => { out += d.toString(); listeners.forEach(l => l()) })
  stderr.on('data', (d: Buffer) => { err += d.toString(); listeners.forEach(l => l()) })
  const abort = new AbortController()
  let code: number | undefined
  const exited = main(args, { stdin, stdout, stderr, env: { NO_COLOR: '1' }, signal: abort.signal })
    .then(c => { code = c; listeners.forEach(l => l()); return c })
  const waitFor = (pattern: RegExp, o: { from?: 'stderr' | 'stdout'; timeoutMs?: number } = {}) =>
    new Promise<RegExpMatchArray>((resolve, reject) => {
      const check = () => {
        const m = (o.from === 'stdout' ? out : err).match(pattern)
        if (m) { done(); resolve(m); return }
        if (code !== undefined) { done(); reject(new Error(`exited (${code}) before ${pattern}; stderr: ${err}`)) }
      }
      const timer = setTimeout(() => { done(); reject(new Error(`timed out waiting for ${pattern}; stderr: ${err}`)) }, o.timeoutMs ?? 10_000)
      const done = () => { clearTimeout(timer); listeners.delete(check) }
      listeners.add(check)
      check()
    })
  return {
    stdout: () => out,
    stderr: () => err,
    waitFor,
    interrupt: () => { abort.abort(); return exited },
    stop: () => { abort.abort(); stdin.end() },
    exited,
  }
}

/** Run to completion in-process (stdin closed at once), like runCli. */
const runInProcess = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
  const cli = startInProcess(args)
  const code = await cli.exited
  return { code, stdout: cli.stdout(), stderr: cli.stderr() }
}

const udpEcho = async (t: Test) => {
  const s = createSocket('udp4')
  s.on('message', (d, r) => s.send(d, r.port, r.address))
  s.bind(0, '127.0.0.1')
  await once(s, 'listening')
  t.teardown(() => new Promise<void>(r => s.close(() => r())))
  return s.address().port
}

const tcpEcho = async (t: Test) => {
  const server = createServer({ allowHalfOpen: true }, s => { s.on('error', () => {}); s.pipe(s) })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  t.teardown(() => new Promise<void>(r => server.close(() => r())))
  return (server.address() as { port: number }).port
}

t.test('UDP with 100% loss: every datagram dropped and logged; Ctrl-C prints totals and exits 130', async t => {
  const target = await udpEcho(t)
  const cli = startCli(['link', '0', `127.0.0.1:${target}`, '--udp', '--loss', '100', '--emulator', 'userspace', '--seed', '1'])
  t.teardown(() => { cli.child.kill('SIGKILL') })
  const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
  await cli.waitFor(/emulator: userspace/)
  await cli.waitFor(/expected round trip: 100% of probes lost/)
  const client = createSocket('udp4')
  t.teardown(() => client.close())
  client.send('hola', Number(port), '127.0.0.1')
  await cli.waitFor(/c→s #1 dropped/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /stopped after .*c→s 1 in, 1 dropped \(100\.0%\)/)
  t.equal(cli.stdout().length, 0, 'nothing on stdout without --json')
})

t.test('no impairment: a plain relay, and no seed line (there are no decisions to repeat)', async t => {
  const cli = startInProcess(['link', '0', '127.0.0.1:9', '--udp'])
  t.teardown(() => { cli.stop() })
  await cli.waitFor(/point your client at/)
  t.equal(await cli.interrupt(), 130)
  t.match(cli.stderr(), /no impairment \(a plain relay\)/)
  t.notMatch(cli.stderr(), /seed \d+/)
})

t.test('TCP with delay: data flows both ways; --json events on stdout', async t => {
  const target = await tcpEcho(t)
  const cli = startInProcess(['link', '0', `127.0.0.1:${target}`, '--delay', '20', '--json'])
  t.teardown(() => { cli.stop() })
  const [, port] = await cli.waitFor(/"event":"listening".*?"port":(\d+)/, { from: 'stdout' })
  const socket = connect({ host: '127.0.0.1', port: Number(port) })
  t.teardown(() => { socket.destroy() })
  socket.end('hola mundo')
  let back = ''
  socket.on('data', d => { back += d })
  await once(socket, 'end')
  t.equal(back, 'hola mundo')
  await cli.waitFor(/"event":"closed"/, { from: 'stdout' })
  t.equal(await cli.interrupt(), 130)
  const events = cli.stdout().toString().trim().split('\n').map(l => JSON.parse(l))
  t.match(events.find(e => e.event === 'started'), { transport: 'tcp', impairment: { emulator: 'userspace', delay: 20, loss: 0, expected: { addedRttMs: 40 } } })
  t.ok(events.some(e => e.event === 'half-close'))
  t.match(events.at(-1), { event: 'summary', counters: { tcp: { clientToServer: { bytesForwarded: 10 } } } })
})

t.test('TCP: a target nobody listens on is named in plain words, and the client is reset', async t => {
  // A port that was just free: bound by the OS, then closed.
  const closed = await freeTcpPort()
  const cli = startInProcess(['link', '0', `127.0.0.1:${closed}`])
  t.teardown(() => { cli.stop() })
  const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
  const socket = connect({ host: '127.0.0.1', port: Number(port) })
  const [err] = await once(socket, 'error') as [Error & { code?: string }]
  t.equal(err.code, 'ECONNRESET', 'the client sees a reset')
  await cli.waitFor(/closed after/)
  t.match(cli.stderr(), new RegExp(`\\[#1\\] could not reach the target: nothing is listening on 127\\.0\\.0\\.1:${closed} — start one with \`sockkit tcp-server ${closed}\`; the client's connection is reset so it sees the failure`))
  t.match(cli.stderr(), /\[#1\] closed after .* \(the target could not be reached\)/)
  t.notMatch(cli.stderr(), /upstream-failed|connect ECONNREFUSED/)
  t.equal(await cli.interrupt(), 130)
})

t.test('--allow rules of the other family than the bound address: a warning at start, as the servers give', async t => {
  const cli = startInProcess(['link', '0', '127.0.0.1:9', '--udp', '--host', '::1', '--allow', '127.0.0.0/8'])
  t.teardown(() => { cli.stop() })
  await cli.waitFor(/point your client at \[::1\]:\d+ instead of 127\.0\.0\.1:9/)
  t.match(cli.stderr(), /warning: no --allow rule can match: every one is IPv4, and a server bound to ::1 only hears IPv6 peers/)
  t.equal(await cli.interrupt(), 130)
})

t.test('UDP: a target port nobody listens on is reported (ICMP port unreachable), not silence', { skip: process.platform === 'win32' ? 'Windows does not pass port unreachable on to Node' : false }, async t => {
  const probe = createSocket('udp4')
  await new Promise<void>(resolve => probe.bind(0, '127.0.0.1', () => resolve()))
  const closed = probe.address().port
  await new Promise<void>(resolve => probe.close(() => resolve()))
  const cli = startInProcess(['link', '0', `127.0.0.1:${closed}`, '--udp'])
  t.teardown(() => { cli.stop() })
  const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
  const client = createSocket('udp4')
  t.teardown(() => client.close())
  client.send('hola', Number(port), '127.0.0.1')
  await cli.waitFor(/could not reach the target/)
  t.match(cli.stderr(), new RegExp(`client 1: could not reach the target: nothing is listening on 127\\.0\\.0\\.1:${closed} \\(the host answered 'port unreachable'\\) — start one with \`sockkit udp-server ${closed}\``))
  t.equal(await cli.interrupt(), 130)
})

t.test('every impairment the TCP relay cannot do is a usage error: exit 2, one sentence, nothing faked', async t => {
  for (const [args, sentence] of [
    [['--tcp', '--reorder', '5'], /^sockkit: TCP cannot reorder \(TCP delivers bytes in order.*use --udp/],
    [['--reorder', '5'], /cannot reorder/], // TCP is the default
    [['--tcp', '--duplicate', '5'], /^sockkit: TCP cannot duplicate .*use --udp/],
    [['--tcp', '--loss', '5', '--emulator', 'userspace'], /^sockkit: the userspace relay cannot lose TCP packets: .*use --udp, or --emulator auto as root/],
    [['--tcp', '--loss', '5', '--reorder', '5'], /cannot reorder/],
    [['--tcp', '--max-clients', '3'], /--max-clients limits UDP client mappings/],
    [['--udp', '--pace', '1000'], /^sockkit: --pace limits a TCP byte stream/],
    [['--udp', '--delay', '5', '--emulator', 'kernel'], /^sockkit: --emulator kernel only drops packets .*cannot add delay; use --emulator auto/],
    [['--tcp', '--jitter', '5', '--emulator', 'kernel'], /cannot add jitter/],
  ] as Array<[string[], RegExp]>) {
    const r = await runInProcess(['link', '0', '127.0.0.1:9', ...args])
    t.equal(r.code, 2, args.join(' '))
    t.match(r.stderr, sentence, args.join(' '))
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
    t.notMatch(r.stderr, /not needed|    at /, 'no garbled clause, no stack trace')
  }
})

t.test('what each transport can do still starts (spot checks)', async t => {
  for (const args of [
    ['--udp', '--loss', '5', '--reorder', '5', '--duplicate', '5', '--delay', '1', '--jitter', '1', '--emulator', 'userspace'],
    ['--tcp', '--delay', '1', '--jitter', '1', '--pace', '100000'],
    ['--udp', '--max-clients', '3'],
  ]) {
    const cli = startInProcess(['link', '0', '127.0.0.1:9', ...args])
    t.teardown(() => { cli.stop() })
    await cli.waitFor(/point your client at/)
    t.equal(await cli.interrupt(), 130, args.join(' '))
  }
})

// TCP loss without root and without a user namespace (refused with why and how), and with
// one (the kernel drops in it): test/link-userns.ts, which runs those as an unprivileged user.

t.test('linkFlagsProblem: the machine-dependent case, for every reason', async t => {
  const { linkFlagsProblem } = await import('../src/cli/commands/link.js')
  const base = { transport: 'tcp', impairment: { loss: 5, delay: 0, jitter: 0, reorder: 0, duplicate: 0 }, emulator: 'auto', pace: 0, maxClientsGiven: false } as const
  t.equal(linkFlagsProblem(base), undefined, 'undecided until the kernel is checked')
  t.equal(linkFlagsProblem(base, { available: true, linux: true, root: true, nft: '/usr/sbin/nft' }), undefined, 'kernel loss is real loss')
  t.match(linkFlagsProblem(base, { available: false, linux: true, root: false }), /it needs root \(run with sudo\)/)
  t.match(linkFlagsProblem(base, { available: false, linux: true, root: true }), /it needs the nft command/)
  t.match(linkFlagsProblem(base, { available: false, linux: false, root: false }), /it needs Linux/)
  t.equal(linkFlagsProblem({ ...base, transport: 'udp' }, { available: false, linux: true, root: false }), undefined, 'UDP loss is done by the relay')
})

t.test('bad values exit 2 naming the value', async t => {
  for (const [args, word] of [
    [['link', '0', 'nohost'], /nohost/],
    [['link', '0', '127.0.0.1:99999'], /99999/],
    [['link', '0', '127.0.0.1:9', '--loss', '150'], /150/],
    [['link', '0', '127.0.0.1:9', '--delay', 'x'], /delay/],
    [['link', '0', '127.0.0.1:9', '--emulator', 'magic'], /magic/],
    [['link', '0', '127.0.0.1:9', '--tcp', '--udp'], /udp|tcp/],
    // An IPv6 target without brackets: the sentence shows the form that works.
    [['link', '0', '::1:9000'], /"::1:9000".*\[::1\]:9000/],
  ] as Array<[string[], RegExp]>) {
    const r = await runInProcess(args)
    t.equal(r.code, 2, args.join(' '))
    t.match(r.stderr, word)
  }
})

t.test('a port already in use is one sentence, exit 1', async t => {
  const target = await tcpEcho(t)
  const r = await runInProcess(['link', String(target), `127.0.0.1:${target}`])
  t.equal(r.code, 1)
  t.match(r.stderr, /already in use/)
})

t.test('--deny / --allow on link, from 127.0.0.1 and 127.0.0.2: same words as the other servers', { skip: secondLoopbackSkip }, async t => {
  t.test('TCP --deny 127.0.0.1: closed at once, reported; 127.0.0.2 is relayed', async t => {
    const target = await tcpEcho(t)
    const cli = startInProcess(['link', '0', `127.0.0.1:${target}`, '--deny', '127.0.0.1'])
    t.teardown(() => { cli.stop() })
    const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
    await cli.waitFor(/denying 127\.0\.0\.1\/32; filtered clients are closed at once/)
    const exchange = async (localAddress: string) => {
      const s = connect({ host: '127.0.0.1', port: Number(port), localAddress })
      t.teardown(() => { s.destroy() })
      s.on('error', () => {})
      let back = ''
      s.on('data', d => { back += d })
      s.once('connect', () => s.end('hola'))
      await new Promise(resolve => s.once('close', resolve))
      return back
    }
    t.equal(await exchange('127.0.0.1'), '')
    await cli.waitFor(/denied 127\.0\.0\.1:\d+ \(in --deny 127\.0\.0\.1\/32\); closed at once/)
    t.equal(await exchange('127.0.0.2'), 'hola')
    await cli.waitFor(/\[#1\] accepted 127\.0\.0\.2:/)
    t.equal(await cli.interrupt(), 130)
    t.match(cli.stderr(), /denied 1 connection from filtered clients \(--allow\/--deny\)/)
  })

  t.test('UDP --allow 127.0.0.2: 127.0.0.1 gets no reply; --json reports the denied datagram', async t => {
    const target = await udpEcho(t)
    const cli = startInProcess(['link', '0', `127.0.0.1:${target}`, '--udp', '--allow', '127.0.0.2', '--json'])
    t.teardown(() => { cli.stop() })
    const [, port] = await cli.waitFor(/"event":"listening".*?"port":(\d+)/, { from: 'stdout' })
    const exchange = async (localAddress: string) => {
      const s = createSocket('udp4')
      t.teardown(() => { try { s.close() } catch { /* closed */ } })
      await new Promise<void>(r => s.bind(0, localAddress, r))
      const reply = new Promise<string | undefined>(resolve => {
        const timer = setTimeout(() => resolve(undefined), 300)
        s.once('message', d => { clearTimeout(timer); resolve(d.toString()) })
      })
      s.send('hola', Number(port), '127.0.0.1')
      return reply
    }
    t.equal(await exchange('127.0.0.1'), undefined)
    t.equal(await exchange('127.0.0.2'), 'hola')
    t.equal(await cli.interrupt(), 130)
    const events = cli.stdout().toString().trim().split('\n').map(l => JSON.parse(l))
    t.match(events.find(e => e.event === 'denied'), { transport: 'udp', address: '127.0.0.1', denied: 1 })
    t.match(events.find(e => e.event === 'client'), { address: '127.0.0.2' })
  })

  t.test('a bad CIDR is a usage error naming it', async t => {
    const r = await runInProcess(['link', '0', '127.0.0.1:9', '--allow', '10.0.0.0/33'])
    t.equal(r.code, 2)
    t.match(r.stderr, /10\.0\.0\.0\/33/)
  })
})

/** Per-packet lines shown, and the packets the "… N more" lines account for, from link's stderr. */
const countPacketLines = (stderr: string, shownLine: RegExp) => {
  const lines = stderr.split('\n')
  const shown = lines.filter(l => shownLine.test(l)).length
  const hidden = lines.map(l => /… (\d+) more packet lines? not shown/.exec(l)).reduce((sum, m) => sum + (m ? Number(m[1]) : 0), 0)
  return { shown, hidden }
}

t.test('a fast TCP stream: at most 20 chunk lines a second per connection, the rest summed; totals and --json stay exact', async t => {
  const target = await tcpEcho(t)
  const run = async (json: boolean) => {
    const cli = startInProcess(['link', '0', `127.0.0.1:${target}`, ...(json ? ['--json'] : [])])
    t.teardown(() => { cli.stop() })
    const [, port] = json
      ? await cli.waitFor(/"event":"listening".*?"port":(\d+)/, { from: 'stdout' })
      : await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
    const socket = connect({ host: '127.0.0.1', port: Number(port) })
    t.teardown(() => { socket.destroy() })
    let back = 0
    socket.on('data', d => { back += d.length })
    await once(socket, 'connect')
    const startedAt = Date.now()
    const piece = Buffer.alloc(16 * 1024, 7)
    // 400 writes: far more reads than 20 a second for as long as this can take.
    for (let i = 0; i < 400; i++) if (!socket.write(piece)) await once(socket, 'drain')
    socket.end()
    await once(socket, 'end')
    t.equal(back, 400 * piece.length, 'every byte came back')
    await cli.waitFor(json ? /"event":"closed"/ : /\[#1\] closed after/, { from: json ? 'stdout' : 'stderr' })
    const seconds = Math.ceil((Date.now() - startedAt) / 1000) + 1
    t.equal(await cli.interrupt(), 130)
    return { cli, seconds }
  }

  const human = await run(false)
  const stderr = human.cli.stderr()
  const [, c2sIn, s2cIn] = /stopped after .*c→s (\d+) in.*s→c (\d+) in/.exec(stderr) ?? []
  const total = Number(c2sIn) + Number(s2cIn)
  // Only chunk lines ("[#1] c→s 16384 bytes"), not "[#1] c→s 65536 bytes queued: paused…" (backpressure).
  const { shown, hidden } = countPacketLines(stderr, /\[#1\] (c→s|s→c) [\d.]+ (bytes?|KiB|MiB|GiB)( delayed [\d.]+ ms)?$/)
  t.ok(shown <= 20 * human.seconds, `${shown} chunk lines shown in at most ${human.seconds} s`)
  t.ok(hidden > 0, 'the rest summed in "… N more" lines')
  t.equal(shown + hidden, total, `every chunk is either shown or counted (${total} in the totals)`)
  t.match(stderr, /at most 20 a second per connection; the totals count everything, --json shows every one/)

  const json = await run(true)
  const events = json.cli.stdout().toString().trim().split('\n').map(l => JSON.parse(l))
  const summary = events.at(-1)
  const chunks = events.filter(e => e.event === 'chunk').length
  t.equal(chunks, summary.counters.tcp.clientToServer.received + summary.counters.tcp.serverToClient.received, '--json has every chunk')
})

t.test('a UDP burst: at most 20 datagram lines a second per client; drops and forwards summed exactly', async t => {
  const target = await udpEcho(t)
  const cli = startInProcess(['link', '0', `127.0.0.1:${target}`, '--udp', '--loss', '30', '--emulator', 'userspace', '--seed', '5'])
  t.teardown(() => { cli.stop() })
  const [, port] = await cli.waitFor(/linking 127\.0\.0\.1:(\d+)/)
  const client = createSocket('udp4')
  t.teardown(() => client.close())
  const startedAt = Date.now()
  // Paced a little (a burst beyond the socket buffers would be dropped by the kernel, not the relay).
  for (let i = 0; i < 300; i++) {
    client.send(`datagram ${i}`, Number(port), '127.0.0.1')
    if (i % 20 === 19) await new Promise(r => setTimeout(r, 1))
  }
  // The summary at Ctrl-C accounts for whatever has arrived by then; wait only for the cap to show.
  await cli.waitFor(/… \d+ more packet lines? not shown/)
  const seconds = Math.ceil((Date.now() - startedAt) / 1000) + 1
  t.equal(await cli.interrupt(), 130)
  const stderr = cli.stderr()
  const [, c2sIn, s2cIn] = /stopped after .*c→s (\d+) in.*s→c (\d+) in/.exec(stderr) ?? []
  const { shown, hidden } = countPacketLines(stderr, /client 1 (c→s|s→c) #\d+ (forwarded|dropped)/)
  t.ok(shown <= 20 * seconds, `${shown} datagram lines shown in at most ${seconds} s`)
  t.equal(shown + hidden, Number(c2sIn) + Number(s2cIn), 'every datagram is shown or counted')
  t.match(stderr, /… \d+ more packet lines not shown \(.*\d+ dropped.*\): at most 20 a second per client/)
})


t.test('--help reads well at 80 columns', async t => {
  const r = await runInProcess(['link', '--help'])
  t.equal(r.code, 0)
  checkHelpReadsWell(t, r.stdout.toString(), [
    ['--loss <percent>', '0'], ['--delay <ms>', '0'], ['--jitter <ms>', '0'], ['--reorder <percent>', '0'],
    ['--duplicate <percent>', '0'], ['--emulator <kind>', '"auto"'], ['--seed <n>', 'random'], ['--host <address>', '"127\\.0\\.0\\.1"'],
    ['--pace <bytes/s>', '0'], ['--max-clients <n>', '256'],
  ])
})

const kernelSupport = await (await import('../src/impairment/nft-emulator.js')).detectKernelSupport()
/** Why the kernel tests are skipped here, in words. */
const kernelSkip = (await import('../src/i18n/index.js')).catalog('en').t.impairment.kernelReason(kernelSupport.reason)

t.test('--help: --seed says the kernel emulator\'s drops are not seeded', async t => {
  for (const command of ['link', 'compare']) {
    const run = await runInProcess([command, '--help'])
    t.equal(run.code, 0)
    t.match(run.stdout.toString().replace(/\s+/g, ' '), /--seed <n> .*the kernel(?: emulator)?'s drops are random, --emulator userspace \(UDP\) repeats them too/, command)
  }
})

t.test('--seed with the kernel doing the drops: one line on stderr says the drops are random', { skip: kernelSupport.available ? false : kernelSkip }, async t => {
  const note = /--seed repeats the relay's choices \(delay, jitter, reorder, duplicate\); the kernel's drops are random — --emulator userspace \(UDP\) makes drops repeatable/
  const kernel = startCli(['link', '0', '127.0.0.1:9', '--udp', '--loss', '30', '--seed', '7'])
  await kernel.waitFor(/point your client at/)
  t.equal(await kernel.interrupt(), 130)
  t.match(kernel.stderr(), /emulator: kernel/)
  t.match(kernel.stderr(), note)
  t.equal(kernel.stderr().split('\n').filter(l => note.test(l)).length, 1, 'said once')

  const json = startCli(['link', '0', '127.0.0.1:9', '--udp', '--loss', '30', '--seed', '7', '--json'])
  await json.waitFor(/"event":"started"/, { from: 'stdout' })
  await json.waitFor(note)
  t.equal(await json.interrupt(), 130)

  const userspace = startCli(['link', '0', '127.0.0.1:9', '--udp', '--loss', '30', '--seed', '7', '--emulator', 'userspace'])
  await userspace.waitFor(/point your client at/)
  t.equal(await userspace.interrupt(), 130)
  t.notMatch(userspace.stderr(), /kernel's drops are random/, 'the relay drops by the seed: nothing to warn about')

  const unseeded = startCli(['link', '0', '127.0.0.1:9', '--udp', '--loss', '30'])
  await unseeded.waitFor(/point your client at/)
  t.equal(await unseeded.interrupt(), 130)
  t.notMatch(unseeded.stderr(), /kernel's drops are random/, 'no --seed, no promise to qualify')

  const compare = await runCli(['compare', '--loss', '5', '--seed', '7', '--transports', 'udp', '--count', '20', '--rate', '500'], { timeoutMs: 30_000 })
  t.equal(compare.code, 0, compare.stderr)
  t.match(compare.stderr, note)
})
