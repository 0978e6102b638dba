import t from 'tap'
import { describeRecvBuffer } from '../src/cli/recv-buffer.js'

t.test('a refused --rcvbuf: the default is kept, and on macOS the sysctl that caps it is named', async t => {
  t.equal(describeRecvBuffer(131072, 8_000_000, 'ENOBUFS', 'darwin'),
    'receive buffer: the kernel refused 8000000 bytes (ENOBUFS — macOS caps it at kern.ipc.maxsockbuf, ' +
    'see `sysctl kern.ipc.maxsockbuf`); using its default of 131072 bytes')
  t.equal(describeRecvBuffer(212992, 8_000_000, 'ENOBUFS', 'linux'),
    'receive buffer: the kernel refused 8000000 bytes (ENOBUFS); using its default of 212992 bytes')
})

t.test('a granted --rcvbuf off Linux: asked and granted, no Linux doubling note', async t => {
  t.equal(describeRecvBuffer(65536, 65536, undefined, 'darwin'), 'receive buffer: asked for 65536 bytes, the kernel granted 65536 bytes')
})
