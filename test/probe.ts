import t from 'tap'
import { PROBE_HEADER_BYTES, PROBE_MAGIC, decodeProbe, encodeProbe } from '../src/probe/probe.js'

t.test('round trip, header layout and padding', async t => {
  const probe = encodeProbe({ runId: 0xdeadbeef, seq: 42, scheduledNs: 123_456_789_012n }, 64)
  t.equal(probe.length, 64)
  t.equal(probe.toString('latin1', 0, 4), 'SKP1')
  t.equal(probe.readUInt32BE(0), PROBE_MAGIC)
  t.equal(probe.readUInt32BE(4), 0xdeadbeef)
  t.equal(probe.readUInt32BE(8), 42)
  t.equal(probe.readUInt32BE(12), 0, 'flags')
  t.equal(probe.readBigUInt64BE(16), 123_456_789_012n)
  t.ok(probe.subarray(PROBE_HEADER_BYTES).every(byte => byte === 0), 'zero padding')
  t.same(decodeProbe(probe), { runId: 0xdeadbeef, seq: 42, scheduledNs: 123_456_789_012n })
})

t.test('smallest probe is the header; largest values survive', async t => {
  const probe = encodeProbe({ runId: 0xffffffff, seq: 0xffffffff, scheduledNs: (1n << 64n) - 1n }, PROBE_HEADER_BYTES)
  t.equal(probe.length, 24)
  t.same(decodeProbe(probe), { runId: 0xffffffff, seq: 0xffffffff, scheduledNs: (1n << 64n) - 1n })
})

t.test('decode at an offset inside a larger buffer (TCP stream, Uint8Array view)', async t => {
  const a = encodeProbe({ runId: 1, seq: 7, scheduledNs: 5n }, 32)
  const b = encodeProbe({ runId: 1, seq: 8, scheduledNs: 6n }, 32)
  const stream = Buffer.concat([Buffer.from([9, 9, 9]), a, b])
  t.same(decodeProbe(stream, 3), { runId: 1, seq: 7, scheduledNs: 5n })
  t.same(decodeProbe(stream, 35), { runId: 1, seq: 8, scheduledNs: 6n })
  const view = new Uint8Array(stream.buffer, stream.byteOffset + 35, 32)
  t.same(decodeProbe(view), { runId: 1, seq: 8, scheduledNs: 6n })
})

t.test('not a probe: short, wrong magic, offset past the end', async t => {
  const probe = encodeProbe({ runId: 1, seq: 1, scheduledNs: 1n }, 24)
  t.equal(decodeProbe(probe.subarray(0, 23)), undefined)
  t.equal(decodeProbe(Buffer.from('hello, this is not a probe at all')), undefined)
  t.equal(decodeProbe(probe, 1), undefined)
  t.equal(decodeProbe(probe, -1), undefined)
  t.equal(decodeProbe(new Uint8Array(0)), undefined)
})

t.test('bad sizes and fields are usage errors', async t => {
  const header = { runId: 1, seq: 1, scheduledNs: 1n }
  t.throws(() => encodeProbe(header, 23), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => encodeProbe(header, 24.5), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => encodeProbe({ ...header, seq: -1 }, 24), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => encodeProbe({ ...header, seq: 2 ** 32 }, 24), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => encodeProbe({ ...header, runId: 1.5 }, 24), { code: 'ERR_SOCKKIT_INVALID_ARG' })
  t.throws(() => encodeProbe({ ...header, scheduledNs: -1n }, 24), { code: 'ERR_SOCKKIT_INVALID_ARG' })
})
