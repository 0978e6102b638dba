import t from 'tap'
import { explainError } from '../src/cli/explain.js'
import { connect, type LookupFunction, type NetConnectOpts } from 'node:net'
import { freeTcpPort } from './fixtures/port.js'

const nodeError = (code: string, fields: Record<string, unknown> = {}) => Object.assign(new Error(`${code} raw`), { code, ...fields })

t.test('every expected failure is one plain sentence; unknown errors are left to the caller', async t => {
  t.match(explainError(nodeError('ECONNREFUSED'), { host: '127.0.0.1', port: 9001 }), /^nothing is listening on 127\.0\.0\.1:9001 — start one with `sockkit tcp-server 9001`$/)
  t.match(explainError(nodeError('ECONNREFUSED'), { host: '127.0.0.1', port: 9001, transport: 'udp', serverCommand: 'udp-server' }), /port unreachable.*sockkit udp-server 9001/)
  t.match(explainError(nodeError('EADDRINUSE'), { host: '127.0.0.1', port: 9000 }), /^port 9000 is already in use on 127\.0\.0\.1/)
  t.match(explainError(nodeError('ENOTFOUND'), { host: 'nohost' }), /^cannot resolve host "nohost"/)
  // ETIMEDOUT on an open connection is a peer that vanished, not a connect timeout.
  t.match(explainError(nodeError('ETIMEDOUT', { syscall: 'connect' }), { host: '127.0.0.1', port: 9001 }), /^no answer from 127\.0\.0\.1:9001 within the connect timeout/)
  t.match(explainError(nodeError('ETIMEDOUT', { syscall: 'read' }), { host: '127.0.0.1', port: 9001 }), /^127\.0\.0\.1:9001 stopped answering: the open connection timed out/)
  t.notMatch(explainError(nodeError('ETIMEDOUT', { syscall: 'write' }), { host: '127.0.0.1', port: 9001 }), /connect timeout/)
  t.match(explainError(nodeError('ECONNABORTED', { syscall: 'read' }), { host: '127.0.0.1', port: 9001 }), /^the connection to 127\.0\.0\.1:9001 was aborted/)
  t.equal(explainError(nodeError('EWHATEVER')), undefined)
  t.equal(explainError(new Error('no code')), undefined)
})

t.test('a permission error names no option sockkit does not have', async t => {
  const text = explainError(nodeError('EACCES', { syscall: 'send' }), { host: '127.255.255.255', port: 9 })!
  t.notMatch(text, /--broadcast/)
  t.match(text, /firewall/)
})

t.test('EINVAL on a link-local IPv6 address asks for the interface, not a raw Node message', async t => {
  for (const host of ['fe80::1', 'FE80::abcd:1', 'febf::1']) {
    t.match(explainError(nodeError('EINVAL', { syscall: 'connect' }), { host, port: 9000, platform: 'linux' }), new RegExp(`^${host} is a link-local IPv6 address: add the interface it is on, like ${host}%eth0`))
  }
  // With a zone, or any other address, EINVAL is still one plain sentence.
  t.match(explainError(nodeError('EINVAL', { syscall: 'bind' }), { host: 'fe80::1%eth0', port: 9000 }), /^invalid address or port for .* \(bind said EINVAL\)$/)
  t.match(explainError(nodeError('EINVAL', { syscall: 'connect' }), { host: '127.0.0.1', port: 9000 }), /^invalid address or port for 127\.0\.0\.1:9000/)
})

t.test('the "start one with" hint adds --host where the default bind (127.0.0.1) would not be heard', async t => {
  t.match(explainError(nodeError('ECONNREFUSED'), { host: 'localhost', port: 9000 }), /`sockkit tcp-server 9000`$/)
  t.match(explainError(nodeError('ECONNREFUSED'), { host: '::1', port: 9000 }), /`sockkit tcp-server 9000 --host ::1`$/)
})

const closedPort = () => freeTcpPort()

const refusal = (options: NetConnectOpts): Promise<Error> => new Promise((resolve, reject) => {
  const socket = connect(options)
  socket.once('connect', () => { socket.destroy(); reject(new Error('connected: the port was not closed')) })
  socket.once('error', resolve)
})

/** A resolver that answers every name with these (loopback) addresses, as /etc/hosts would. */
const resolvesTo = (...addresses: string[]): LookupFunction => (_hostname, options, callback) => {
  if (options.all) callback(null, addresses.map(address => ({ address, family: 4 })))
  else callback(null, addresses[0]!, 4)
}

t.test('a refused connection to a name says which addresses were tried (localhost may not be the one the server is on)', async t => {
  const port = await closedPort()
  // One address: Node puts it on the error.
  const one = await refusal({ host: 'named.test', port, lookup: resolvesTo('127.0.0.1') })
  t.match(explainError(one, { host: 'named.test', port }), new RegExp(`^nothing is listening on named\\.test:${port} \\(tried 127\\.0\\.0\\.1\\) — start one with`))
  // Two addresses (Node 20's happy eyeballs): an AggregateError, the addresses on its errors.
  const both = await refusal({ host: 'both.test', port, autoSelectFamily: true, lookup: resolvesTo('127.0.0.1', '127.0.0.2') })
  t.match(explainError(both, { host: 'both.test', port }), /\(tried 127\.0\.0\.1 and 127\.0\.0\.2\)/)
  // An address given as the host is not repeated.
  const direct = await refusal({ host: '127.0.0.1', port })
  t.match(explainError(direct, { host: '127.0.0.1', port }), new RegExp(`^nothing is listening on 127\\.0\\.0\\.1:${port} — `))
})

t.test('a refused bind names the reason that fits the port and the system', async t => {
  const denied = nodeError('EACCES', { syscall: 'listen' })
  // Not a privileged port: "below 1024" would send the user after the wrong cause.
  const high = explainError(denied, { host: '127.0.0.1', port: 9000, platform: 'linux' })!
  t.notMatch(high, /below 1024/)
  t.match(high, /^permission denied to use port 9000 on 127\.0\.0\.1 \(9000 is not a privileged port: a security policy \(SELinux, AppArmor, a sandbox\) refused it\)$/)
  // macOS (since 10.14) allows them on the wildcard address only; sockkit binds 127.0.0.1.
  t.match(explainError(denied, { host: '127.0.0.1', port: 80, platform: 'darwin' }),
    /^permission denied to use port 80 on 127\.0\.0\.1 \(macOS lets anyone use ports below 1024 only on every address \(0\.0\.0\.0 or ::\), not on one such as 127\.0\.0\.1: pick 1024 or above, or run with sudo\)$/)
  t.match(explainError(denied, { host: '0.0.0.0', port: 80, platform: 'darwin' }), /\(80 is not a privileged port on every address for macOS: a security policy/)
  t.match(explainError(denied, { host: '127.0.0.1', port: 80, platform: 'freebsd' }), /\(ports below 1024 need administrator rights\)$/)
})

t.test('advice fits the system: privileged ports on POSIX, reserved ranges on Windows; the link-local zone as each system writes it', async t => {
  const denied = nodeError('EACCES', { syscall: 'listen' })
  t.match(explainError(denied, { host: '127.0.0.1', port: 80, platform: 'linux' }), /^permission denied to use port 80 on 127\.0\.0\.1 \(ports below 1024 need administrator rights\)$/)
  t.match(explainError(denied, { host: '127.0.0.1', port: 5037, platform: 'win32' }), /^permission denied to use port 5037 on 127\.0\.0\.1 \(Windows reserves some port ranges: see `netsh interface ipv4 show excludedportrange protocol=tcp` \(or protocol=udp\), and pick a port outside them\)$/)
  t.match(explainError(nodeError('EACCES', { syscall: 'bind' }), { host: '127.0.0.1', port: 5037, platform: 'win32', transport: 'udp' }), /protocol=udp`, and pick/)
  t.notMatch(explainError(denied, { host: '127.0.0.1', port: 5037, platform: 'win32' }), /below 1024/)
  const linkLocal = nodeError('EINVAL', { syscall: 'connect' })
  t.match(explainError(linkLocal, { host: 'fe80::1', port: 9000, platform: 'linux' }), /like fe80::1%eth0 \(see `ip addr`\)$/)
  t.match(explainError(linkLocal, { host: 'fe80::1', port: 9000, platform: 'darwin' }), /like fe80::1%en0 \(see `ifconfig`\)$/)
  t.match(explainError(linkLocal, { host: 'fe80::1', port: 9000, platform: 'win32' }), /like fe80::1%12 \(see `ipconfig`\)$/)
  t.match(explainError(linkLocal, { host: 'fe80::1', port: 9000, platform: 'aix' }), /like fe80::1%eth0/, 'an unlisted system gets the Linux form')
})

t.test('our own errors are worded from their catalogue key in the language given; the --size hint is the CLI\'s, not the library\'s', async t => {
  const { catalog } = await import('../src/i18n/index.js')
  const { datagramTooBig, sockkitError } = await import('../src/core/errors.js')
  const { parsePort } = await import('../src/core/parse.js')
  const en = catalog('en').t
  // A stand-in language: the same catalogue with one error worded differently.
  const other = { ...en, errors: { ...en.errors, corePort: (p: { min: number; text: string }) => `puerto "${p.text}" no válido` } }
  let err: unknown
  try { parsePort('http') } catch (e) { err = e }
  t.match(err, { code: 'ERR_SOCKKIT_INVALID_ARG', key: 'corePort', params: { min: 1, text: 'http' } })
  t.equal(explainError(err), 'port must be a whole number from 1 to 65535, not "http"')
  t.equal(explainError(err, {}, other), 'puerto "http" no válido')
  // Without a key (an error reported as data), its message is the sentence.
  t.equal(explainError(Object.assign(new Error('as sent'), { code: 'ERR_SOCKKIT_NO_ANSWER' })), 'as sent')
  const tooBig = datagramTooBig(nodeError('EMSGSIZE'), 10000, '127.0.0.1:9')!
  t.notMatch(tooBig.message, /--size/, 'the library names no flag')
  t.match(explainError(tooBig), /^the system refused to send a 10000-byte datagram to 127\.0\.0\.1:9 \(EMSGSIZE\).* — try a smaller --size$/)
  t.match(explainError(sockkitError('ERR_SOCKKIT_CONNECT_TIMEOUT', 'tcpClientConnectTimeout', { where: '127.0.0.1:9', timeoutMs: 300 }), { host: '127.0.0.1', port: 9 }),
    /^no answer from 127\.0\.0\.1:9 within the connect timeout/)
})
