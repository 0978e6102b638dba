#!/usr/bin/env node
// `npm run bench`: build, then run every bench/*.bench.js one after another, print a table
// of figures with their ratios, and write bench/results.json.
//
//   node bench/run.js [--quick] [--only <name>[,<name>…]]
//
// A bench file's default export is `async (opts) => rows`, opts = { quick, log }, each row
// { name, value, unit, baseline, baselineName, ratio, note } (see row() in lib.js).
import { readdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { describeMachine, formatRows, gitCommit, killAll, loadAverage, machine } from './lib.js'

const DIR = fileURLToPath(new URL('.', import.meta.url))
const RESULTS = fileURLToPath(new URL('./results.json', import.meta.url))

const usage = 'usage: node bench/run.js [--quick] [--only <name>[,<name>…]]'
const parseArgs = argv => {
  const opts = { quick: false, only: null }
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]
    if (arg === '--quick') opts.quick = true
    else if (arg === '--only' || arg.startsWith('--only=')) {
      const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : argv[++i]
      if (!value) throw new Error(`--only needs a bench name; ${usage}`)
      opts.only = value.split(',').map(s => s.trim()).filter(Boolean)
    } else if (arg === '--help' || arg === '-h') {
      process.stdout.write(`${usage}\n`)
      process.exit(0)
    } else throw new Error(`unknown argument "${arg}"; ${usage}`)
  }
  return opts
}

let opts
try {
  opts = parseArgs(process.argv.slice(2))
} catch (err) {
  process.stderr.write(`${err.message}\n`)
  process.exit(2)
}

const available = readdirSync(DIR).filter(f => f.endsWith('.bench.js')).sort().map(f => f.slice(0, -'.bench.js'.length))
const selected = opts.only ? available.filter(name => opts.only.includes(name)) : available
const unknown = (opts.only ?? []).filter(name => !available.includes(name))
if (unknown.length) {
  process.stderr.write(`no bench named ${unknown.map(n => `"${n}"`).join(', ')}; there are: ${available.join(', ')}\n`)
  process.exit(2)
}

const onSignal = () => { killAll(); process.exit(130) }
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)

const log = line => process.stderr.write(`${line}\n`)
const machineInfo = machine()
log(`machine: ${describeMachine(machineInfo)}`)
log(`mode: ${opts.quick ? 'quick (smaller counts, shorter runs: a smoke check, not figures to quote)' : 'full'}`)

// What was measured and how busy the machine was: a figure cannot be checked without them.
const commit = gitCommit()
const loadBefore = loadAverage()
log(`commit: ${commit ?? 'unknown (not a git checkout)'}; load average before: ${loadBefore ?? 'n/a'}`)
const results = {
  schema: 'sockkit.bench/v1', machine: machineInfo, commit, quick: opts.quick, startedAt: new Date().toISOString(),
  loadavg: { before: loadBefore, after: null }, benches: {},
}
let failures = 0
for (const name of selected) {
  log(`\n== ${name}`)
  const started = Date.now()
  try {
    const { default: bench } = await import(pathToFileURL(`${DIR}${name}.bench.js`).href)
    const rows = await bench({ quick: opts.quick, log })
    results.benches[name] = { ms: Date.now() - started, rows }
  } catch (err) {
    failures++
    log(`${name} failed: ${err?.stack ?? err}`)
    results.benches[name] = { ms: Date.now() - started, error: String(err?.message ?? err), rows: [] }
  } finally {
    killAll()
  }
}
results.finishedAt = new Date().toISOString()
results.loadavg.after = loadAverage()
log(`load average after: ${results.loadavg.after ?? 'n/a'}`)

const allRows = Object.values(results.benches).flatMap(b => b.rows)
process.stdout.write(`\nsockkit bench — ${describeMachine(machineInfo)}${opts.quick ? ' — QUICK mode' : ''}\n`)
process.stdout.write(`commit ${commit ?? 'unknown'}; /proc/loadavg before: ${loadBefore ?? 'n/a'}, after: ${results.loadavg.after ?? 'n/a'}\n\n`)
process.stdout.write(`${formatRows(allRows)}\n`)
const missed = allRows.filter(r => r.met === false)
process.stdout.write(`\n${allRows.length} figures, ${allRows.filter(r => r.met === true).length} targets met, ${missed.length} missed` +
  (failures ? `, ${failures} bench(es) failed` : '') + '\n')
for (const r of missed) process.stdout.write(`  missed: ${r.name}: ${r.ratio?.toFixed(2)}× (target ${JSON.stringify(r.target)})\n`)
writeFileSync(RESULTS, `${JSON.stringify(results, null, 2)}\n`)
process.stdout.write(`wrote ${RESULTS}\n`)
process.exitCode = failures ? 1 : 0
