// The shape of src/: no import circles, only the CLI layer prints, exits or loads the terminal
// libraries, no function over ~80 lines, and an explicit public API. No build needed.
import t from 'tap'
import ts from 'typescript'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

const sourceFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
  entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [])

/** The text without comments (line and block), so a commented-out import is no edge. */
const withoutComments = (text: string): string =>
  text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/^\s*\/\/.*$/gm, '')

/**
 * The relative modules a file loads at run time: `import … from`, `export … from` and
 * `import('…')`, but not `import type`/`export type`, nor `import('…').Name` in a type position.
 */
export const runtimeImports = (text: string): string[] => {
  const code = withoutComments(text)
  const found: string[] = []
  for (const m of code.matchAll(/^\s*(import|export)\s+(type\s+)?[^'"]*?from\s+['"](\.[^'"]+)['"]/gm)) {
    if (!m[2]) found.push(m[3]!)
  }
  for (const m of code.matchAll(/^\s*import\s+['"](\.[^'"]+)['"]/gm)) found.push(m[1]!)
  for (const m of code.matchAll(/\bimport\(\s*['"](\.[^'"]+)['"]\s*\)(?!\s*\.\s*[A-Za-z_$])/g)) found.push(m[1]!)
  return found
}

const toSource = (from: string, spec: string): string => resolve(dirname(from), spec).replace(/\.js$/, '.ts')

/** Every cycle's members, one path per strongly connected component (Tarjan). */
export const findCycles = (graph: Map<string, string[]>): string[][] => {
  let next = 0
  const index = new Map<string, number>()
  const low = new Map<string, number>()
  const stack: string[] = []
  const onStack = new Set<string>()
  const cycles: string[][] = []
  const visit = (node: string): void => {
    index.set(node, next)
    low.set(node, next++)
    stack.push(node)
    onStack.add(node)
    for (const to of graph.get(node) ?? []) {
      if (!index.has(to)) {
        visit(to)
        low.set(node, Math.min(low.get(node)!, low.get(to)!))
      } else if (onStack.has(to)) {
        low.set(node, Math.min(low.get(node)!, index.get(to)!))
      }
    }
    if (low.get(node) !== index.get(node)) return
    const component: string[] = []
    let member: string
    do {
      member = stack.pop()!
      onStack.delete(member)
      component.unshift(member)
    } while (member !== node)
    if (component.length > 1 || (graph.get(node) ?? []).includes(node)) cycles.push(component)
  }
  for (const node of graph.keys()) if (!index.has(node)) visit(node)
  return cycles
}

/** One concrete circle through `members`, as `a.ts → b.ts → a.ts`. */
const describeCycle = (graph: Map<string, string[]>, members: string[]): string => {
  const inside = new Set(members)
  const path = [members[0]!]
  const seen = new Set(path)
  for (;;) {
    const to = (graph.get(path.at(-1)!) ?? []).find(n => inside.has(n) && (n === members[0] || !seen.has(n)))!
    path.push(to)
    if (to === members[0]) break
    seen.add(to)
  }
  return path.map(p => relative(SRC, p)).join(' → ')
}

const files = sourceFiles(SRC)
const texts = new Map(files.map(f => [f, readFileSync(f, 'utf8')]))
const graph = new Map(files.map(f => [f, runtimeImports(texts.get(f)!).map(spec => toSource(f, spec))]))

t.test('the import scanner sees run-time imports and skips type-only ones', async t => {
  const text = [
    "import { a } from './a.js'",
    "import type { B } from './b.js'",
    "export { c } from './c.js'",
    "export type { D } from './d.js'",
    "const e = await import('./e.js')",
    "type F = import('./f.js').F",
    "// import { g } from './g.js'",
    "import './h.js'",
  ].join('\n')
  t.same(runtimeImports(text).sort(), ['./a.js', './c.js', './e.js', './h.js'])
  const g = new Map([['x', ['y']], ['y', ['z']], ['z', ['x']], ['w', ['x']]])
  t.same(findCycles(g).map(c => [...c].sort()), [['x', 'y', 'z']])
})

t.test('src/ has no import circles', async t => {
  const missing = [...graph].flatMap(([from, tos]) => tos.filter(to => !texts.has(to)).map(to => `${relative(SRC, from)} → ${relative(SRC, to)}`))
  t.same(missing, [], 'every relative import resolves to a file in src/')
  const cycles = findCycles(graph).map(c => describeCycle(graph, c))
  t.same(cycles, [], cycles.length ? `import circles:\n  ${cycles.join('\n  ')}` : 'no circles')
})

/**
 * Lines outside src/cli/ that may mention process.exit: the watchdog's source in
 * nft-emulator is a program of its own, run in a detached child, not library code.
 */
const ALLOWED = [{ file: 'impairment/nft-emulator.ts', line: /^\s*process\.exit\(0\)$/ }]

t.test('only src/cli/ prints, exits, or loads chalk and commander', async t => {
  const rules: Array<[string, RegExp]> = [
    ['imports chalk', /from\s+['"]chalk['"]|import\(\s*['"]chalk['"]\s*\)/],
    ['imports commander', /from\s+['"]commander['"]|import\(\s*['"]commander['"]\s*\)/],
    ['writes to process.stdout/stderr', /\bprocess\.std(out|err)\b/],
    ['calls process.exit', /\bprocess\.exit\s*\(/],
  ]
  const problems: string[] = []
  for (const [file, text] of texts) {
    const name = relative(SRC, file)
    if (name.startsWith('cli/')) continue
    withoutComments(text).split('\n').forEach(line => {
      for (const [what, pattern] of rules) {
        if (!pattern.test(line)) continue
        if (ALLOWED.some(a => a.file === name && a.line.test(line))) continue
        problems.push(`${name} ${what}: ${line.trim()}`)
      }
    })
  }
  t.same(problems, [])
})

/** Longest a function's body may be, in lines (STYLE: one sitting; issue 13). */
const MAX_FUNCTION_LINES = 80

/**
 * Functions with a block body of at least two statements longer than `max` lines, as
 * `file:line name (n lines)`. Expression-bodied arrows are counted too: a long one is as hard to read.
 */
const functionName = (node: ts.Node): string => {
  const named = (node as { name?: ts.Node }).name ?? (ts.isVariableDeclaration(node.parent) ? node.parent.name : undefined)
  return named && ts.isIdentifier(named) ? named.text : '(anonymous)'
}

export const longFunctions = (name: string, text: string, max = MAX_FUNCTION_LINES): string[] => {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)
  const lineOf = (pos: number) => source.getLineAndCharacterOfPosition(pos).line
  const found: string[] = []
  const visit = (node: ts.Node): void => {
    const body = ts.isFunctionLike(node) ? (node as ts.FunctionLikeDeclarationBase).body : undefined
    if (body && (!ts.isBlock(body) || body.statements.length >= 2)) {
      const lines = lineOf(body.getEnd()) - lineOf(body.getStart(source)) + 1
      if (lines > max) found.push(`${name}:${lineOf(node.getStart(source)) + 1} ${functionName(node)} (${lines} lines)`)
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/**
 * Folders whose long functions are allowed, and why. The language files are tables: one
 * `(f) => ({ key: (p) => text, … })` per area, a line or two per message, no logic to split.
 */
const LONG_ALLOWED = [/^i18n\/[a-z]{2}\//]

/** Single functions allowed to be longer, as `file name`, each with its reason. None today. */
const LONG_EXCEPTIONS: string[] = []

t.test('the function-length scanner finds a long body and skips short ones', async t => {
  const body = (n: number) => Array.from({ length: n }, (_, i) => `  const v${i} = ${i}`).join('\n')
  const text = `function short () {\n${body(10)}\n}\nconst long = () => {\n${body(MAX_FUNCTION_LINES)}\n}\n`
  t.same(longFunctions('x.ts', text), [`x.ts:13 long (${MAX_FUNCTION_LINES + 2} lines)`])
  t.same(longFunctions('x.ts', `class A {\n  m () {\n${body(5)}\n  }\n}\n`), [])
})

t.test(`no function in src/ is longer than ${MAX_FUNCTION_LINES} lines`, async t => {
  const offenders = [...texts].flatMap(([file, text]) => {
    const name = relative(SRC, file)
    if (LONG_ALLOWED.some(allowed => allowed.test(name))) return []
    return longFunctions(name, text).filter(found => !LONG_EXCEPTIONS.includes(found.replace(/:\d+ (\S+) .*$/, ' $1')))
  })
  t.same(offenders, [], offenders.length ? `split these:\n  ${offenders.join('\n  ')}` : 'none')
})

t.test('src/index.ts lists its public names: no export *', async t => {
  const index = withoutComments(texts.get(join(SRC, 'index.ts'))!)
  t.same(index.split('\n').filter(line => /^\s*export\s*\*/.test(line)), [])
  t.notMatch(index, /@internal|ForTest|testHook/i, 'no test hooks in the public API')
})
