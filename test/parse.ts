import t from 'tap'
import { MAX_TIMER_MS, parseHost, parseMilliseconds, parseNonNegativeInt, parseRate, parseNumberText, parsePercent, parsePort, parsePositiveInt, parsePositiveNumber } from '../src/core/parse.js'

t.test('numbers as people type them on a command line', async t => {
  const good: Array<[string, number]> = [['200', 200], ['0.5', 0.5], ['.5', 0.5], ['1e3', 1000], ['2.5E4', 25000], ['5e-1', 0.5], [' 7 ', 7], ['10.', 10]]
  for (const [text, value] of good) t.equal(parseNumberText(text), value, text)
  for (const text of ['', ' ', '0x10', '-1', '+1', '1_000', 'e3', '1e', 'NaN', 'Infinity', '1,5']) t.ok(Number.isNaN(parseNumberText(text)), `"${text}" is not a number`)
})

t.test('whole numbers accept any form that means one; fractions and junk are usage errors naming the value', async t => {
  t.equal(parsePositiveInt('1e3', 'count'), 1000)
  t.equal(parsePositiveInt('1000.0', 'count'), 1000)
  t.equal(parseNonNegativeInt('0', 'wait'), 0)
  t.equal(parseNonNegativeInt('5e3', 'wait'), 5000)
  for (const bad of ['1.5', '0', '1e-3', '1e400', 'abc', '']) {
    t.throws(() => parsePositiveInt(bad, 'count'), { code: 'ERR_SOCKKIT_INVALID_ARG', message: new RegExp(`count must be .*"${bad}"`) }, `count "${bad}"`)
  }
  t.throws(() => parseNonNegativeInt('-1', 'wait'), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('positive numbers and percentages take the same forms', async t => {
  t.equal(parsePositiveNumber('1e4', 'rate'), 10000)
  t.equal(parsePositiveNumber('.25', 'rate'), 0.25)
  t.throws(() => parsePositiveNumber('0', 'rate'), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => parsePositiveNumber('1e400', 'rate'), { code: 'ERR_SOCKKIT_INVALID_ARG' }, 'infinite is not a rate')
  t.equal(parsePercent('5%', 'loss'), 5)
  t.equal(parsePercent('2.5e1', 'loss'), 25)
  t.throws(() => parsePercent('101', 'loss'), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})

t.test('ports stay plain whole numbers: 9e3 is not a port anyone types', async t => {
  t.equal(parsePort('9000'), 9000)
  t.equal(parsePort('0', { allowZero: true }), 0)
  for (const bad of ['9e3', '0', '65536', '80.0', 'http']) t.throws(() => parsePort(bad), { code: 'ERR_SOCKKIT_INVALID_ARG' }, bad)
})

t.test('escapes typed on a command line: \\xHH is one byte, \\u a character in UTF-8, unknown ones stay and are reported', async t => {
  const { unescapeBytes, unknownEscapes, unescapeText } = await import('../src/core/parse.js')
  t.same([...unescapeBytes('hola\\n')], [...Buffer.from('hola\n')])
  t.same([...unescapeBytes('\\xff')], [0xff], '\\xff is the byte 0xFF, not its UTF-8 form')
  t.same([...unescapeBytes('\\u00e9')], [0xc3, 0xa9], '\\u00e9 is é in UTF-8')
  t.same([...unescapeBytes('\\u{1F600}')], [0xf0, 0x9f, 0x98, 0x80])
  t.same([...unescapeBytes('a\\\\nb')], [...Buffer.from('a\\nb')], '\\\\ is one backslash, so \\\\n is not a newline')
  t.same([...unescapeBytes('\\r\\t\\0')], [13, 9, 0])
  t.same([...unescapeBytes('ñandú\\n')], [...Buffer.from('ñandú\n')], 'text stays UTF-8')
  t.same([...unescapeBytes('\\q')], [...Buffer.from('\\q')], 'an unknown escape is sent as typed')
  t.same(unknownEscapes('a\\qb\\n\\xZZ'), ['\\q', '\\x'])
  t.same(unknownEscapes('ok\\n\\t\\x41\\u00e9\\\\'), [])
  // Not characters: sent as typed and reported, never silently replaced by U+FFFD.
  t.same([...unescapeBytes('\\u{110000}')], [...Buffer.from('\\u{110000}')])
  t.same([...unescapeBytes('\\uD800')], [...Buffer.from('\\uD800')])
  t.same(unknownEscapes('\\u{110000}\\uD800\\udfff\\u{10FFFF}'), ['\\u{110000}', '\\uD800', '\\udfff'])
  t.equal(unescapeText('Bienvenido\\n'), 'Bienvenido\n')
})

t.test('hosts as pasted: spaces around dropped, [::1] unbracketed; empty or a space inside is a usage error', async t => {
  t.equal(parseHost(' 127.0.0.1 '), '127.0.0.1')
  t.equal(parseHost('[::1]'), '::1')
  t.equal(parseHost(' [fe80::1%eth0]\t'), 'fe80::1%eth0')
  t.equal(parseHost('localhost'), 'localhost')
  t.throws(() => parseHost(''), { code: 'ERR_SOCKKIT_INVALID_ARG', message: 'host must be a name or an address, not empty' })
  t.throws(() => parseHost('  '), { message: /not empty/ })
  t.throws(() => parseHost('[]'), { message: /not empty/ })
  t.throws(() => parseHost('127.0.0.1 9000'), { message: 'host "127.0.0.1 9000" has a space inside; give one name or address' })
  // Pasted as sockkit prints an address: the port is its own argument.
  t.throws(() => parseHost('127.0.0.1:9000'), { message: 'host "127.0.0.1:9000" includes a port: give the host alone (127.0.0.1) and the port 9000 as its own argument' })
  t.throws(() => parseHost('[::1]:9000'), { message: /^host "\[::1\]:9000" includes a port: give the host alone \(::1\)/ })
  t.throws(() => parseHost('localhost:80'), { message: /includes a port/ })
  // IPv6 addresses are colons all the way: not a port.
  for (const v6 of ['::1', 'fe80::1', '2001:db8::9000', '::ffff:127.0.0.1']) t.equal(parseHost(v6), v6)
  // A mistyped IPv6 address is a usage error, not a name that fails to resolve (exit 1).
  t.throws(() => parseHost('[::1'), { message: 'host "[::1" has an unmatched bracket: write an IPv6 address as [::1] or ::1' })
  t.throws(() => parseHost('::1]'), { message: /unmatched bracket/ })
  t.throws(() => parseHost('::1::2'), { message: 'host "::1::2" is not an IPv6 address (a name has no colons)' })
  // A dotted quad is an address: a number over 255 is a usage error, not a failed lookup.
  t.throws(() => parseHost('999.1.1.1'), { message: 'host "999.1.1.1" is not an IPv4 address: each of its four numbers must be 0–255' })
  t.throws(() => parseHost('[10.0.0.256]'), { message: /not an IPv4 address/ })
  t.equal(parseHost('255.255.255.255'), '255.255.255.255')
  t.equal(parseHost('host1.2.3.4'), 'host1.2.3.4', 'a name with numbers in it is still a name')
})

t.test('durations stop where a timer can hold them: a huge number would fire after 1 ms', async t => {
  t.equal(MAX_TIMER_MS, 2147483647)
  t.equal(parseMilliseconds('2147483647', 'wait'), MAX_TIMER_MS)
  t.equal(parseMilliseconds('5e3', 'wait'), 5000)
  t.equal(parseMilliseconds('0', 'wait', { zero: 'no wait' }), 0)
  t.throws(() => parseMilliseconds('0', 'timeout'), { message: 'timeout must be a whole number of milliseconds from 1 to 2147483647 (24.8 days), not "0"' })
  t.throws(() => parseMilliseconds('2147483648', 'wait', { zero: 'until the server closes' }),
    { code: 'ERR_SOCKKIT_INVALID_ARG', message: 'wait must be a whole number of milliseconds from 0 (0: until the server closes) to 2147483647 (24.8 days), not "2147483648"' })
  t.throws(() => parseMilliseconds('1.5', 'wait'), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.equal(parseRate('0.001', 'rate'), 0.001)
  t.throws(() => parseRate('0.0000001', 'rate'), { message: /^rate must be at least 4\.66e-7 per second \(one per 24\.8 days\), not "0\.0000001"$/ })
})
