import t from 'tap'
import { preview } from '../src/core/preview.js'

t.test('a preview shows every byte a reader should see, and nothing a terminal would act on', async t => {
  t.equal(preview(Buffer.from('hola\r\n')), 'hola\\r\\n')
  t.equal(preview(Buffer.from('¿Cómo? 🙂')), '¿Cómo? 🙂', 'text in any script stays text')
  t.equal(preview(Buffer.from([0x61, 0xff, 0x1b])), 'a\\xff\\x1b', 'invalid bytes and ESC as escapes')
  t.equal(preview(Buffer.from('a\u202eb\u009bc')), 'a\\u{202e}b\\u{9b}c', 'bidi override and C1 control')
  // What draws as nothing is shown, or "profe" and "profe" + U+034F would look the same.
  t.equal(preview(Buffer.from('profe\u034f')), 'profe\\u{34f}')
  t.equal(preview(Buffer.from('an\u200ba\ufe0f\u00ad')), 'an\\u{200b}a\\u{fe0f}\\u{ad}')
  t.equal(preview(Buffer.from('abcdef'), 3), 'abc…')
})
