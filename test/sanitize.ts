import t from 'tap'
import { checkName, MAX_NAME_LENGTH, sanitizeText, sanitizeTypedLine } from '../src/core/sanitize.js'
import { LineSplitter, utf8Boundary } from '../src/core/line-splitter.js'

t.test('sanitizeText removes whole escape sequences, not just the ESC', async t => {
  const cases: Array<[string, string, string]> = [
    ['CSI clear screen', 'a\x1b[2Jb', 'ab'],
    ['CSI with parameters and intermediates', 'a\x1b[38;5;196mred\x1b[0m', 'ared'],
    ['CSI private mode (hide cursor)', 'a\x1b[?25lb', 'ab'],
    ['OSC title ended by BEL', 'a\x1b]0;pwned\x07b', 'ab'],
    ['OSC title ended by ST', 'a\x1b]2;pwned\x1b\\b', 'ab'],
    ['OSC 8 hyperlink', '\x1b]8;;http://evil\x1b\\click\x1b]8;;\x1b\\', 'click'],
    ['OSC never terminated swallows the rest', 'a\x1b]0;title and more', 'a'],
    ['DCS string', 'a\x1bPq#0;2;0;0;0\x1b\\b', 'ab'],
    ['two-byte escape (RIS reset)', 'a\x1bcb', 'ab'],
    ['charset designation ESC ( 0', 'a\x1b(0b', 'ab'],
    ['lone ESC at the end', 'ab\x1b', 'ab'],
    ['C1 CSI U+009B', 'a\u009b2Jb', 'ab'],
    ['C1 OSC U+009D ended by C1 ST', 'a\u009d0;x\u009cb', 'ab'],
    ['other C1 controls', 'a\u0085\u008db', 'ab'],
    ['BEL, BS, DEL, NUL, CR, LF, VT, FF', 'a\x07\x08\x7f\x00\r\n\x0b\x0cb', 'ab'],
    ['tab is kept', 'a\tb', 'a\tb'],
    ['bidi override (Trojan Source)', 'ana\u202egnp.exe', 'anagnp.exe'],
    ['removing one sequence does not create another', 'a\x1b\u009b31mg', 'ag'],
    ['ordinary text in any script is untouched', '¿Cómo estás? Привет 你好 🙂', '¿Cómo estás? Привет 你好 🙂'],
  ]
  for (const [what, input, expected] of cases) t.equal(sanitizeText(input), expected, what)
})

t.test('sanitizeText decodes bytes; invalid UTF-8 becomes U+FFFD, never a raw byte', async t => {
  t.equal(sanitizeText(Buffer.from([0x61, 0xff, 0x62])), 'a\ufffdb')
  t.equal(sanitizeText(Buffer.from([0x9b, 0x32, 0x4a])), '\ufffd2J', 'a raw 0x9b byte is not a C1 CSI once decoded')
  t.equal(sanitizeText(Buffer.from([0xe2, 0x82])), '\ufffd', 'a truncated character')
  t.equal(sanitizeText(Buffer.from([0xc0, 0x9b])), '\ufffd\ufffd', 'an overlong encoding of a control is not decoded')
  t.equal(sanitizeText(Buffer.from('ñ', 'utf8')), 'ñ')
  const out = Buffer.from(sanitizeText(Buffer.from([0x1b, 0x5b, 0x32, 0x4a, 0x07, 0x08, 0xc2, 0x9b, 0x80, 0xfe])), 'utf8')
  for (const byte of [0x1b, 0x07, 0x08, 0x9b]) t.equal(out.indexOf(byte), -1, `no 0x${byte.toString(16)}`)
})

t.test('checkName accepts short names in any script and says why it refuses others', async t => {
  t.same(checkName('ana'), { ok: true, name: 'ana' })
  t.same(checkName('  José_2.b-c \r'), { ok: true, name: 'José_2.b-c' })
  t.same(checkName('\x1b[31mbob\x1b[0m'), { ok: true, name: 'bob' })
  t.same(checkName('Мария'), { ok: true, name: 'Мария' })
  t.same(checkName(''), { ok: false, problem: 'empty' })
  t.same(checkName(' \x07 '), { ok: false, problem: 'empty' })
  t.same(checkName('two words'), { ok: false, problem: 'invalid' })
  t.same(checkName('ana:'), { ok: false, problem: 'invalid' })
  t.same(checkName('-ana'), { ok: false, problem: 'invalid' })
  t.same(checkName('/quit'), { ok: false, problem: 'invalid' })
  t.same(checkName('a'.repeat(MAX_NAME_LENGTH)), { ok: true, name: 'a'.repeat(MAX_NAME_LENGTH) })
  t.same(checkName('a'.repeat(MAX_NAME_LENGTH + 1)), { ok: false, problem: 'too-long' })
})

t.test('checkName refuses names that could pass for someone else', async t => {
  for (const [what, name] of [
    ['combining grapheme joiner', 'profe\u034f'], ['variation selector', 'vic\ufe0f'], ['Hangul filler', 'ana\u3164'],
    ['halfwidth Hangul filler', '\uffa0ana'], ['zero-width space', 'an\u200ba'], ['zero-width joiner', 'an\u200da'],
    ['soft hyphen', 'an\u00ada'], ['Latin with a Cyrillic а', 'an\u0430'], ['Latin with a Greek ο', 'b\u03bfb'],
  ]) t.same(checkName(name!), { ok: false, problem: 'invalid' }, what)
  t.same(checkName('ａｎａ'), { ok: true, name: 'ana' }, 'fullwidth letters become the ordinary ones (NFKC), so "ana" is then taken')
  t.same(checkName('Ελένη'), { ok: true, name: 'Ελένη' }, 'one script is fine')
  t.same(checkName('ana李'), { ok: true, name: 'ana李' }, 'Latin with Han is not a look-alike mix')
  t.same(checkName('José'), { ok: true, name: 'José' }, 'accents stay')
})

t.test('sanitizeTypedLine applies backspace and DEL the way line editing would, then cleans', async t => {
  t.equal(sanitizeTypedLine('holx\ba'), 'hola', 'Windows telnet sends the correction as typed')
  t.equal(sanitizeTypedLine('holx\x7fa'), 'hola', 'PuTTY raw sends DEL')
  t.equal(sanitizeTypedLine(Buffer.from('ab\b\b\b\bc')), 'c', 'erasing past the start of the line erases nothing more')
  t.equal(sanitizeTypedLine('a🙂\bb'), 'ab', 'one backspace erases one character, not half of it')
  t.equal(sanitizeTypedLine('a\x1b[31m\bb'), 'b', 'escape sequences go first: a backspace never reaches into one')
  t.equal(sanitizeTypedLine('ok\x07\x1b]0;t\x07!'), 'ok!', 'everything else is cleaned as sanitizeText does')
})

const text = (lines: Array<{ bytes: Buffer; truncated: boolean }>) => lines.map(l => [l.bytes.toString(), l.truncated])

t.test('LineSplitter: LF and CRLF, lines across chunks, a tail at the end', async t => {
  const s = new LineSplitter(100)
  t.same(text(s.push(Buffer.from('one\r\ntw'))), [['one', false]])
  t.same(text(s.push(Buffer.from('o\nthree\r'))), [['two', false]])
  t.same(text(s.push(Buffer.from('\n\nfour'))), [['three', false], ['', false]])
  t.equal(s.bufferedBytes, 4)
  t.same(text(s.end()), [['four', false]])
  t.same(s.end(), [])
  t.same(text(s.push(new Uint8Array([0x61, 0x0a]))), [['a', false]], 'plain Uint8Array chunks too')
})

t.test('LineSplitter: an over-long line is cut at once and its rest discarded, in bounded memory', async t => {
  const s = new LineSplitter(10)
  t.same(text(s.push(Buffer.from('0123456789'))), [], 'exactly at the limit: still waiting')
  t.same(text(s.push(Buffer.from('\r\n'))), [['0123456789', false]], 'CRLF does not count against the limit')
  t.same(text(s.push(Buffer.from('abcdefghijkl'))), [['abcdefghij', true]])
  let linesWhileDiscarding = 0
  let mostBuffered = 0
  for (let n = 0; n < 1000; n++) { // 1 MB without a newline
    linesWhileDiscarding += s.push(Buffer.alloc(1000, 0x78)).length
    mostBuffered = Math.max(mostBuffered, s.bufferedBytes)
  }
  t.equal(linesWhileDiscarding, 0, 'no line while discarding')
  t.equal(mostBuffered, 0, 'nothing kept while discarding')
  t.same(text(s.push(Buffer.from('xx\nnext\n'))), [['next', false]])
  t.same(text(s.push(Buffer.from('0123456789AB\n'))), [['0123456789', true]], 'a long line that ends in the same chunk')
  s.push(Buffer.from('abcdefghijklmnop'))
  t.same(s.end(), [], 'the discarded rest of a cut line is not a line of its own')
  t.throws(() => new LineSplitter(0), RangeError)
})

t.test('utf8Boundary never splits a character', async t => {
  const bytes = Buffer.from('abñ€😀', 'utf8') // a b (1) ñ (2) € (3) 😀 (4)
  t.equal(utf8Boundary(bytes, 3), 2, 'before ñ')
  t.equal(utf8Boundary(bytes, 4), 4, 'after ñ')
  t.equal(utf8Boundary(bytes, 6), 4, 'before €')
  t.equal(utf8Boundary(bytes, 8), 7, 'before 😀')
  t.equal(utf8Boundary(bytes, 100), bytes.length)
})
