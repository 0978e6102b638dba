import t from 'tap'
import { spawn } from 'node:child_process'
import { readdirSync, readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

// Every script in examples/ is run as a user would run it (`node examples/x.js`,
// importing 'sockkit' through the package's own exports), and must exit 0 printing
// what its "// expect:" comment lines promise. All start at once (each is a process that
// mostly waits on loopback, none measures time), and each subtest waits for its own.
const dir = fileURLToPath(new URL('../examples/', import.meta.url))
const scripts = readdirSync(dir).filter(f => f.endsWith('.js'))

const run = (file: string) => new Promise<{ code: number | null; stdout: string; stderr: string }>(resolve => {
  const child = spawn(process.execPath, [file], { cwd: dir, env: { ...process.env, LANGUAGE: undefined, LC_ALL: undefined, LC_MESSAGES: undefined, LANG: 'C', NO_COLOR: '1' } })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', d => { stdout += d })
  child.stderr.on('data', d => { stderr += d })
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000)
  // A spawn failure is a result (code null), so a run nobody awaits yet never goes unhandled.
  child.on('error', err => { clearTimeout(timer); resolve({ code: null, stdout, stderr: String(err) }) })
  child.on('close', code => { clearTimeout(timer); resolve({ code, stdout, stderr }) })
})

t.ok(scripts.length > 0, 'there are examples')
const runs = new Map(scripts.map(script => [script, run(script)]))
for (const script of scripts) {
  t.test(script, async t => {
    const source = readFileSync(dir + script, 'utf8')
    const expectations = [...source.matchAll(/^\/\/ expect: (.+)$/gm)].map(m => new RegExp(m[1]!))
    t.ok(expectations.length > 0, `${script} says what it prints (// expect: lines)`)
    const { code, stdout, stderr } = await runs.get(script)!
    t.equal(code, 0, `exits 0 (stderr: ${stderr.slice(0, 500)})`)
    // A warning or a caught-and-printed error would still exit 0; an example prints only what it promises.
    t.equal(stderr, '', 'nothing on stderr')
    for (const re of expectations) t.match(stdout, re)
  })
}
