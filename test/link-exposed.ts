/**
 * link with --duplicate on an address other than loopback warns that it amplifies. The
 * only safe place to bind 0.0.0.0 in a test is a private network namespace (its only
 * interface is its own loopback): needs root and `ip`, skipped with the reason otherwise.
 */
import t from 'tap'
import { spawn } from 'node:child_process'
import { BIN } from './fixtures/cli.js'
import { netnsSkipReason, privateNetns } from './fixtures/netns.js'

/** Start link in `ns`, wait until it is linking, stop it; its stderr. */
const linkIn = (ns: string, args: string[]): Promise<string> => new Promise((resolve, reject) => {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, BIN, 'link', '0', '127.0.0.1:9', '--udp', '--emulator', 'userspace', ...args], {
    env: { ...process.env, LANGUAGE: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'C', NO_COLOR: '1' }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let stderr = ''
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000)
  child.stderr.on('data', d => {
    stderr += d
    if (/point your client at/.test(stderr)) child.kill('SIGINT')
  })
  child.on('error', reject)
  child.on('close', () => { clearTimeout(timer); resolve(stderr) })
})

t.test('link --duplicate on 0.0.0.0 warns that it amplifies; on loopback, or without --duplicate, it does not', { skip: netnsSkipReason() }, async t => {
  const ns = privateNetns(t, 'sockkit-link')
  if (ns === undefined) return
  const exposed = await linkIn(ns, ['--duplicate', '100', '--host', '0.0.0.0'])
  t.match(exposed, /warning: with --duplicate 100 on 0\.0\.0\.0, anyone who can reach this port can get up to 4× the bytes they send back from an echo target; --allow <cidr> limits who can use it/)
  const allowed = await linkIn(ns, ['--duplicate', '50', '--host', '0.0.0.0', '--allow', '10.0.0.0/8'])
  t.match(allowed, /up to 2\.25× the bytes/)
  t.notMatch(allowed, /--allow <cidr> limits/, 'no advice to add what is there')
  t.notMatch(await linkIn(ns, ['--duplicate', '100']), /warning: with --duplicate/, 'loopback: nobody else can reach it')
  t.notMatch(await linkIn(ns, ['--host', '0.0.0.0']), /warning: with --duplicate/, 'no copies, no amplification')
})
