import t from 'tap'
import { readFileSync } from 'node:fs'
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

t.test('on Linux: a request under the cap is doubled; over it, the line says the cap was hit and how to raise it', { skip: process.platform === 'linux' ? false : 'reads net.core.rmem_max from /proc' }, async t => {
  t.equal(describeRecvBuffer(131072, 65536, undefined, 'linux'),
    'receive buffer: asked for 65536 bytes, the kernel granted 131072 bytes (Linux doubles the request to leave room for its own bookkeeping)')
  // Over net.core.rmem_max (read from /proc here): the cap, doubled — not "Linux doubled the request".
  const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'))
  const huge = rmemMax * 4
  t.equal(describeRecvBuffer(rmemMax * 2, huge, undefined, 'linux'),
    `receive buffer: asked for ${huge} bytes, capped at net.core.rmem_max = ${rmemMax} bytes, which Linux doubles to ${rmemMax * 2} ` +
    `for its bookkeeping — raise the cap with \`sysctl -w net.core.rmem_max=${huge}\``)
})
