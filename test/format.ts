import t from 'tap'
import { formatBytes, formatDuration, plural } from '../src/cli/render/format.js'

t.test('durations: each unit rounded before it is split', async t => {
  const cases: Array<[number, string]> = [
    [0, '0 ms'], [850.4, '850 ms'], [999.4, '999 ms'], [999.7, '1.0 s'], [1234, '1.2 s'], [59_940, '59.9 s'],
    [59_960, '1 min 00 s'], [119_600, '2 min 00 s'], [185_000, '3 min 05 s'], [3_599_400, '59 min 59 s'],
    [3_599_600, '1 h 00 min'], [7_500_000, '2 h 05 min'], [86_300_000, '23 h 58 min'], [86_370_000, '1 d 0 h'], [86_400_000, '1 d 0 h'],
    [2_147_483_647, '24 d 21 h'],
  ]
  for (const [ms, text] of cases) t.equal(formatDuration(ms), text, `${ms} ms`)
})

t.test('bytes and plurals', async t => {
  t.equal(formatBytes(1), '1 byte')
  t.equal(formatBytes(1023), '1023 bytes')
  t.equal(formatBytes(1536), '1536 bytes')
  t.equal(formatBytes(65507), '65507 bytes', 'the datagram limit is not rounded to 64.0 KiB')
  t.equal(formatBytes(65536), '65536 bytes')
  t.equal(formatBytes(65537), '64.0 KiB')
  t.equal(formatBytes(71680), '70.0 KiB')
  t.equal(formatBytes(10 * 1024 * 1024), '10.0 MiB')
  t.equal(plural(1, 'probe'), '1 probe')
  t.equal(plural(2, 'reply', 'replies'), '2 replies')
})
