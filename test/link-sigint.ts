import t from 'tap'
import { spawn, execFileSync } from 'node:child_process'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { detectKernelSupport } from '../src/impairment/nft-emulator.js'
import { catalog } from '../src/i18n/index.js'
import { freeUdpPort } from './fixtures/port.js'

// The reported bug: `link --loss` as root, Ctrl-C about a second after the start, while the
// nft table was being set up: a terminal's Ctrl-C reaches the whole foreground process group,
// so it also killed the `nft -f -` child, and the run said "nft refused the loss table" and
// exited 1. Here the binary runs in its own process group, as under a terminal, and the
// SIGINT goes to the group the moment an `nft` child is seen (else at the first stderr line).

const BIN = fileURLToPath(new URL('../bin/sockkit.js', import.meta.url))
const support = await detectKernelSupport()
const skip = !support.available || support.userns ? catalog('en').t.impairment.kernelReason(support.reason) : false

/** The command lines of `pid`'s children (empty once it is gone). */
const childCommands = (pid: number): string[] => {
  let ids: string[] = []
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) ids.push(...readFileSync(`/proc/${pid}/task/${task}/children`, 'utf8').split(' ').filter(Boolean))
  } catch { ids = [] }
  return ids.flatMap(id => {
    try { return [readFileSync(`/proc/${id}/cmdline`, 'utf8').split('\0').join(' ')] } catch { return [] }
  })
}

const tablesOf = (pid: number): string[] =>
  execFileSync(support.nft ?? 'nft', ['list', 'tables'], { encoding: 'utf8' }).split('\n').filter(l => l.includes(`sockkit_${pid}_`))

t.test('link with kernel loss: a Ctrl-C to its process group during start-up ends it with 130 and leaves no table', { skip, timeout: 60_000 }, async t => {
  let duringNft = 0
  for (let run = 0; run < 3; run++) {
    const target = await freeUdpPort()
    const child = spawn(process.execPath, [BIN, 'link', '0', `127.0.0.1:${target}`, '--udp', '--loss', '10'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] })
    let stderr = ''
    child.stderr.setEncoding('utf8')
    child.stderr.on('data', (d: string) => { stderr += d })
    const exited = new Promise<number | null>(resolve => child.on('exit', code => resolve(code)))
    const pid = child.pid!
    // Wait for start-up: an nft child (the table being set up), or the first line on stderr.
    const startedAt = Date.now()
    let sawNft = false
    while (stderr === '' && Date.now() - startedAt < 15_000) {
      if (childCommands(pid).some(c => /\bnft -f -/.test(c))) { sawNft = true; break }
      await new Promise(resolve => setImmediate(resolve))
    }
    if (sawNft) duringNft++
    const signalledAt = Date.now()
    process.kill(-pid, 'SIGINT')
    const timer = setTimeout(() => { try { process.kill(-pid, 'SIGKILL') } catch { /* gone */ } }, 10_000)
    const code = await exited
    clearTimeout(timer)
    t.equal(code, 130, `run ${run + 1}: exit 130 after a Ctrl-C ${sawNft ? 'while nft ran' : 'at the first stderr line'}\n${stderr}`)
    t.ok(Date.now() - signalledAt < 5000, `run ${run + 1}: stopped within 5 s (${Date.now() - signalledAt} ms)`)
    t.notMatch(stderr, /nft refused/, `run ${run + 1}: the Ctrl-C is not taken for nft refusing the table`)
    t.same(tablesOf(pid), [], `run ${run + 1}: no sockkit table of this run left`)
  }
  t.comment(`${duringNft} of 3 Ctrl-Cs arrived while an nft child ran`)
})
