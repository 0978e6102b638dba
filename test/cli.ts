import t from 'tap'
import { readFileSync } from 'node:fs'
import { runMain, startMain } from './fixtures/main.js'
import { freeTcpPort, freeUdpPort } from './fixtures/port.js'
import { commandFactories } from '../src/cli/commands/index.js'
import { stopCause, type CliContext } from '../src/cli/io.js'
import { catalog } from '../src/i18n/index.js'

// The root program as a user meets it: help, version, unknown commands, host arguments.
// All in-process through main(argv, io) (test/fixtures/main.ts); what only a real process
// shows (signals, EPIPE, the bin itself) is in test/cli-e2e.ts.

/** Every registered command's name and one-line summary, straight from the registry. */
const commands = commandFactories.map(factory => {
  const cmd = factory({ ...catalog('en') } as CliContext) // factories only declare options; nothing runs
  return { name: cmd.name(), summary: cmd.summary() }
})
const oneLine = (text: string) => text.replace(/\s+/g, ' ')
const PLACEHOLDER = '(not yet available)'

t.test('--help lists every command with its one-line summary, exit 0', async t => {
  t.ok(commands.length >= 4, 'the registry has the core commands')
  const run = await runMain(['--help'])
  t.equal(run.code, 0)
  const raw = run.stdout.toString()
  const help = oneLine(raw)
  for (const { name, summary } of commands) {
    t.ok(summary.length > 0, `${name} has a summary`)
    t.match(raw, new RegExp(`^ {2}${name} `, 'm'), `${name} is listed`)
    t.ok(help.includes(oneLine(summary)), `${name}'s summary is shown`)
  }
  t.match(help, /Exit codes: 0 .* 1 .* 2 .* 130/)
  t.equal(run.stderr, '', 'help goes to stdout')
})

t.test('`help <command>` and `<command> --help`: the same page, options with defaults and examples', async t => {
  for (const { name, summary } of commands) {
    const [viaHelp, viaFlag] = await Promise.all([runMain(['help', name]), runMain([name, '--help'])])
    t.equal(viaHelp.code, 0, `help ${name} exits 0`)
    t.equal(viaFlag.code, 0, `${name} --help exits 0`)
    const page = viaHelp.stdout.toString()
    t.equal(viaFlag.stdout.toString(), page, `${name}: both ways show the same page`)
    t.match(page, new RegExp(`^Usage: sockkit ${name} `), `${name}: usage line`)
    if (summary === PLACEHOLDER) continue // not landed yet: nothing more to promise
    t.match(page, /\nOptions:\n/, `${name}: options`)
    const examples = page.match(/^ {2}\$ sockkit /gm) ?? []
    t.ok(examples.length >= 2, `${name}: ${examples.length} examples (at least 2)`)
  }
})

t.test('tcp-server help shows each default', async t => {
  const page = oneLine((await runMain(['help', 'tcp-server'])).stdout.toString())
  t.match(page, /port .*\(default: 9000\)/)
  t.match(page, /--host <address> .*\(default: "127\.0\.0\.1"\)/)
  t.match(page, /--max-connections <n> .*\(default: 1000\)/)
  t.match(page, /--idle-timeout <ms> .*\(default: 300000\)/)
  t.match(page, /--greeting <text>/)
  t.match(page, /--quiet/)
  t.match(page, /--json/)
})

t.test('--version and -V print package.json\'s version', async t => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
  for (const flag of ['--version', '-V']) {
    const run = await runMain([flag])
    t.equal(run.code, 0)
    t.equal(run.stdout.toString(), `${version}\n`)
  }
})

t.test('an unknown command: exit 2, the bad name, a suggestion, no stack trace', async t => {
  const run = await runMain(['tcp-servr', '9000'])
  t.equal(run.code, 2)
  t.match(run.stderr, /^sockkit: unknown command 'tcp-servr'/)
  t.match(run.stderr, /Did you mean tcp-server\?/)
  t.notMatch(run.stderr, /\n\s+at /)
  t.equal(run.stdout.length, 0)
})

t.test('an unknown root option: exit 2, one line', async t => {
  const run = await runMain(['--bogus-flag'])
  t.equal(run.code, 2)
  t.match(run.stderr, /unknown option '--bogus-flag'/)
  t.equal(run.stderr.trimEnd().split('\n').length, 1)
})

t.test('an option given twice with different values is a usage error naming both; repeatable ones and equal repeats pass', async t => {
  const host = await runMain(['tcp-server', '0', '--host', '127.0.0.1', '--host', '::1'])
  t.equal(host.code, 2)
  t.equal(host.stderr, 'sockkit: --host was given twice ("127.0.0.1", then "::1"); give it once — a server listens on one address (0.0.0.0 or :: is every address)\n')
  const count = await runMain(['udp-send', '127.0.0.1', '9', 'x', '--count', '3', '--count', '4'])
  t.equal(count.code, 2)
  t.match(count.stderr, /^sockkit: --count was given twice \("3", then "4"\); give it once\n$/)
  // --seed's help says "repeat" (the relay's decisions) but it is one value, not a list.
  const seed = await runMain(['link', '0', '127.0.0.1:9', '--seed', '1', '--seed', '2'])
  t.equal(seed.code, 2)
  t.match(seed.stderr, /^sockkit: --seed was given twice \("1", then "2"\)/)
  // Nothing sent: the check happens while the command line is read.
  t.notMatch(count.stderr, /sent/)
  // The same value twice, and a repeatable option, reach the network (nothing listens on
  // a port just freed, so each fails with exit 1, not 2).
  const closed = await freeTcpPort()
  const same = await runMain(['tcp-client', '127.0.0.1', String(closed), '--timeout', '500', '--timeout', '500', '--message', 'a', '--message', 'b'])
  t.equal(same.code, 1, same.stderr)
  t.match(same.stderr, `nothing is listening on 127.0.0.1:${closed}`)
})

t.test('`help` alone shows the root help, exit 0', async t => {
  const run = await runMain(['help'])
  t.equal(run.code, 0)
  t.match(run.stdout.toString(), /^Usage: sockkit /)
})

t.test('a bare `sockkit` (no command) is a usage error: the help on stderr, exit 2', async t => {
  const run = await runMain([])
  t.equal(run.code, 2)
  t.match(run.stderr, /^Usage: sockkit /)
  t.match(run.stderr, /compare/, 'the help lists the commands')
  t.equal(run.stdout.length, 0, 'nothing on stdout: a script piping it gets no help text as data')
})

t.test('`help <unknown>` is a usage error, one line', async t => {
  const run = await runMain(['help', 'no-such-command'])
  t.equal(run.code, 2)
  t.match(run.stderr, /unknown command 'no-such-command'/)
  t.equal(run.stderr.trimEnd().split('\n').length, 1)
  t.equal(run.stdout.length, 0, 'nothing on stdout')
})

t.test('a near-miss command gets its suggestion on the same line', async t => {
  const run = await runMain(['tcp-sever'])
  t.equal(run.code, 2)
  t.match(run.stderr, /unknown command 'tcp-sever'.*Did you mean tcp-server\?/)
  t.equal(run.stderr.trimEnd().split('\n').length, 1)
})

t.test('every help page fits 80 columns (a projector, a split terminal)', async t => {
  for (const args of [[], ['compare'], ['serve'], ['tcp-server'], ['tcp-client'], ['udp-send'], ['udp-server'], ['link'], ['chat-server']]) {
    // A pipe (no width) and a wide terminal: both capped at 80.
    for (const columns of [undefined, 200]) {
      const run = await runMain([...args, '--help'], { columns })
      t.equal(run.code, 0)
      const long = run.stdout.toString().split('\n').filter(line => [...line].length > 80)
      t.same(long, [], `sockkit ${args.join(' ')} --help (columns ${columns ?? 'unset'}): no line over 80 columns`)
    }
  }
})

t.test('a stop (the signal main() gets from the bin) ends the run cleanly: exit 130 and the summary', async t => {
  // The real signals and their exit codes (143, 129) are in cli-e2e.ts: only the bin maps them.
  for (const reason of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const cli = startMain(['tcp-server', '0'], { t })
    await cli.waitFor(/listening on/)
    t.equal(await cli.interrupt(reason), 130, `${reason}: main() returns 130`)
    t.match(cli.stderr(), /stopped after/, `${reason}: the summary is still printed`)
  }
})

t.test('styleFor: colour on a terminal unless NO_COLOR (non-empty), --no-color or FORCE_COLOR=0', async t => {
  const { styleFor } = await import('../src/cli/io.js')
  const tty = { isTTY: true }
  const pipe = { isTTY: false }
  const ctx = (env: Record<string, string | undefined>, colorFlag = true) =>
    ({ io: { env }, exitCode: 0, colorFlag }) as unknown as CliContext
  const level = (env: Record<string, string | undefined>, stream: { isTTY: boolean }, colorFlag = true) => styleFor(ctx(env, colorFlag), stream).level
  t.equal(level({}, tty), 1, 'a terminal gets colour')
  t.equal(level({}, pipe), 0, 'a pipe does not')
  t.equal(level({ NO_COLOR: '1' }, tty), 0)
  t.equal(level({ NO_COLOR: '' }, tty), 1, 'an empty NO_COLOR does not count (no-color.org)')
  t.equal(level({}, tty, false), 0, '--no-color')
  t.equal(level({ FORCE_COLOR: '0' }, tty), 0, 'FORCE_COLOR=0 turns it off on a terminal')
  t.equal(level({ FORCE_COLOR: 'false' }, tty), 0)
  t.equal(level({ FORCE_COLOR: '1' }, pipe), 1, 'FORCE_COLOR=1 turns it on for a pipe')
  t.equal(level({ FORCE_COLOR: '1', NO_COLOR: '1' }, pipe), 0, 'but never against NO_COLOR')
})

t.test('host:port in one argument gets a hint; a bracketed IPv6 host is accepted', async t => {
  const joined = await runMain(['tcp-client', '127.0.0.1:19999'])
  t.equal(joined.code, 2)
  t.match(joined.stderr, /missing required argument 'port' — give the host and the port as two arguments: `sockkit tcp-client 127\.0\.0\.1 19999`/)
  // [::1] is how sockkit prints the address; pasted back it must mean ::1, not a name to resolve.
  const closed6 = await freeTcpPort('::1').catch(() => freeTcpPort())
  const bracketed = await runMain(['tcp-client', '[::1]', String(closed6), '--message', 'x', '--timeout', '2000'])
  t.equal(bracketed.code, 1)
  t.notMatch(bracketed.stderr, /cannot resolve/)
  t.match(bracketed.stderr, `[::1]:${closed6}`)
})

t.test('a host pasted with spaces around it works; an empty host or one with a space inside is a usage error', async t => {
  // Copied out of slides: '127.0.0.1 ' must not become "cannot resolve host".
  const closed = await freeTcpPort()
  const padded = await runMain(['tcp-client', ' 127.0.0.1 ', String(closed), '--message', 'x', '--timeout', '2000'])
  t.equal(padded.code, 1)
  t.notMatch(padded.stderr, /cannot resolve/)
  t.match(padded.stderr, `nothing is listening on 127.0.0.1:${closed} —`)
  const closedUdp6 = await freeUdpPort('::1').catch(() => freeUdpPort())
  const bracketedPadded = await runMain(['udp-send', ' [::1] ', String(closedUdp6), 'x', '--wait', '100'])
  t.notMatch(bracketedPadded.stderr, /cannot resolve/)
  t.match(bracketedPadded.stderr, `[::1]:${closedUdp6}`)
  for (const [argv, sentence] of [
    [['tcp-client', '', '9000'], /^sockkit: <host>: host must be a name or an address, not empty\n$/],
    [['udp-send', 'a b', '9000', 'x'], /^sockkit: <host>: host "a b" has a space inside; give one name or address\n$/],
    [['tcp-server', '0', '--host', ' '], /^sockkit: --host: host must be a name or an address, not empty\n$/],
    [['link', '0', 'a b:9000'], /^sockkit: <target>: the target's host "a b" has a space inside/],
    [['tcp-client', '127.0.0.1:9000', '9000'], /^sockkit: <host>: host "127\.0\.0\.1:9000" includes a port: give the host alone \(127\.0\.0\.1\) and the port 9000 as its own argument\n$/],
  ] as const) {
    const r = await runMain([...argv])
    t.equal(r.code, 2, argv.join(' '))
    t.match(r.stderr, sentence, argv.join(' '))
  }
})

t.test('a refused connection to a name says which address it tried', async t => {
  // localhost is 127.0.0.1, ::1 or both depending on /etc/hosts: whichever it was is named.
  const closed = await freeTcpPort()
  const r = await runMain(['tcp-client', 'localhost', String(closed), '--message', 'x', '--timeout', '2000'])
  t.equal(r.code, 1)
  t.match(r.stderr, new RegExp(`nothing is listening on localhost:${closed} \\(tried (127\\.0\\.0\\.1|::1)( and (127\\.0\\.0\\.1|::1))?\\) —`))
})

t.test('what stopped a run, in words, from the signal name the bin aborts with', async t => {
  t.equal(stopCause(AbortSignal.abort('SIGINT')), 'Ctrl-C')
  t.equal(stopCause(AbortSignal.abort('SIGTERM')), 'SIGTERM (kill or timeout)')
  t.equal(stopCause(AbortSignal.abort('SIGHUP')), 'SIGHUP (the terminal closed)')
  t.equal(stopCause(AbortSignal.abort('SIGBREAK')), 'Ctrl-Break')
  t.equal(stopCause(AbortSignal.abort()), 'Ctrl-C', 'an abort without a reason (the library, tests)')
})

t.test('the in-process runner: a run that does not return in time is stopped and fails with its output', async t => {
  // The fixture's own guard, so a hung command fails its test instead of the file.
  await t.rejects(runMain(['tcp-server', '0'], { timeoutMs: 300 }), { message: /did not return within 300 ms; stderr: .*listening on/s })
})

t.test('--port / -p on a command whose port is an argument: the positional form, built from what was typed, exit 2', async t => {
  const cases: Array<[string[], string]> = [
    [['tcp-server', '--port', '9000'], 'tcp-server takes no --port option: the port is an argument — `sockkit tcp-server 9000`'],
    [['udp-server', '--port=9000', '--host', '0.0.0.0'], 'udp-server takes no --port option: the port is an argument — `sockkit udp-server --host 0.0.0.0 9000`'],
    [['serve', '-p', '9000'], 'serve takes no -p option: the port is an argument — `sockkit serve 9000`'],
    [['chat-server', '--port', '9000'], 'chat-server takes no --port option: the port is an argument — `sockkit chat-server 9000`'],
    [['tcp-client', '--port', '9000', '127.0.0.1'], 'tcp-client takes no --port option: the port is an argument — `sockkit tcp-client 127.0.0.1 9000`'],
    [['udp-send', '--count', '3', '127.0.0.1', 'hola', '--port', '9000'], 'udp-send takes no --port option: the port is an argument — `sockkit udp-send --count 3 127.0.0.1 9000 hola`'],
  ]
  for (const [argv, sentence] of cases) {
    const run = await runMain(argv)
    t.equal(run.code, 2, argv.join(' '))
    // Before: "unknown option '--port' (Did you mean --host?)" — pointing at the wrong flag.
    t.equal(run.stderr, `sockkit: ${sentence}\n`, argv.join(' '))
  }
})

t.test('compare 127.0.0.1:9000 points to --port, the form compare takes, exit 2', async t => {
  const run = await runMain(['compare', '127.0.0.1:9000', '--count', '5'])
  t.equal(run.code, 2)
  t.equal(run.stderr, 'sockkit: "127.0.0.1:9000" includes a port: compare takes the port as --port — `sockkit compare 127.0.0.1 --count 5 --port 9000`\n')
  const v6 = await runMain(['compare', '[::1]:9000'])
  t.match(v6.stderr, /`sockkit compare ::1 --port 9000`/)
})
