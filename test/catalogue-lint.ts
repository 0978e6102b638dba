// Every sentence a person reads lives in the catalogue (src/i18n/<lang>/): this fails on a
// string literal outside src/i18n/ that reads like English prose. Parsed with the TypeScript
// compiler, so comments, import paths and type positions never count.
import t from 'tap'
import ts from 'typescript'
import { readdirSync, readFileSync } from 'node:fs'
import { dirname, join, relative, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../src')

const sourceFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap(entry =>
  entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : entry.name.endsWith('.ts') ? [join(dir, entry.name)] : [])

/** A literal's text with each `${…}` as X: what a reader would see, values aside. */
const literalText = (node: ts.Node): string | undefined => {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map(span => 'X' + span.literal.text).join('')
  return undefined
}

/** Prose: three words or more, one of them standing between spaces ("not in --allow" is; "a-b c" is not). */
export const readsLikeProse = (text: string): boolean =>
  (text.match(/\p{L}{2,}/gu) ?? []).length >= 3 && / \p{L}{2,} /u.test(text) && !/^[\w./-]+$/.test(text)

/** The prose literals of one file, as `file:line: text`. */
export const proseLiterals = (name: string, text: string): Array<{ line: number; text: string }> => {
  const source = ts.createSourceFile(name, text, ts.ScriptTarget.Latest, true)
  const found: Array<{ line: number; text: string }> = []
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node) || ts.isLiteralTypeNode(node)) return
    const literal = literalText(node)
    if (literal !== undefined && readsLikeProse(literal)) {
      found.push({ line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1, text: literal })
      return
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/**
 * What may stay: non-prose that looks like prose (nft scripts, a child's source), programmer
 * errors for API misuse, and files another branch is moving right now. `text` unset: the whole file.
 */
const ALLOWED: Array<{ file: string; text?: RegExp; why: string }> = [
  { file: 'chat/chat-messages.ts', why: 'the chat\'s own typed catalogue (es/pt/en per chat, chosen by the chat\'s --lang)' },
  { file: 'net/userns.ts', text: /ip link set lo up/, why: 'the shell line run inside the namespace: a program, not prose' },
  { file: 'impairment/nft-emulator.ts', text: /meta l4proto|counter|table inet|spawnSync/, why: 'nft rules and the watchdog\'s source: programs, not prose' },
  { file: 'core/line-splitter.ts', text: /^maxLineBytes must be/, why: 'RangeError for API misuse, never shown for user input' },
  { file: 'core/seq-prefix.ts', text: /^sequence number must be/, why: 'RangeError for API misuse, never shown for user input' },
  { file: 'compare/compare-stats.ts', text: /^quantile X is not in/, why: 'RangeError for API misuse (a quantile outside [0, 1)), never shown for user input' },
  { file: 'net/listener.ts', text: /^server is not listening$/, why: 'Error for API misuse (address() before listen())' },
  { file: 'ws/page.ts', text: /^<!doctype html>/, why: 'the browser page of ws-server: HTML and its script, a program; its words come from the catalogue' },
  { file: 'cli/reflector-child.ts', text: /^reflector-child: must be started/, why: 'a message to a developer who ran an internal entry point by hand' },
  { file: 'cli/lossy-hop-child.ts', text: /^lossy-hop-child: must be started/, why: 'a message to a developer who ran an internal entry point by hand' },
]

const allowed = (file: string, text: string): boolean =>
  ALLOWED.some(a => (a.file.endsWith('/') ? file.startsWith(a.file) : file === a.file) && (a.text === undefined || a.text.test(text)))

t.test('the prose detector: sentences yes, identifiers, flags and paths no', async t => {
  const found = proseLiterals('x.ts', [
    "import { a } from './some module name here.js'",
    'const a = \'nothing is listening on that port\'',
    'const b = `sent ${n} datagrams to the peer`',
    "const c = 'tcp-server' + 'udp_send' + '--allow <cidr,…>' + 'src/cli/main.ts' + 'a b'",
    "// 'a comment is not a literal at all'",
    "type D = 'a literal type with words'",
  ].join('\n'))
  t.same(found.map(f => f.line), [2, 3])
  t.equal(found[1]!.text, 'sent X datagrams to the peer')
})

t.test('no English sentence outside src/i18n/ (allow-list aside)', async t => {
  const problems: string[] = []
  for (const file of sourceFiles(SRC)) {
    const name = relative(SRC, file)
    if (name.startsWith('i18n/')) continue
    for (const hit of proseLiterals(name, readFileSync(file, 'utf8'))) {
      if (!allowed(name, hit.text)) problems.push(`${name}:${hit.line}: ${hit.text.slice(0, 100)}`)
    }
  }
  t.same(problems, [], problems.length ? `move into src/i18n/en/:\n  ${problems.join('\n  ')}` : 'none')
})
