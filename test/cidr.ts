import t from 'tap'
import { createConnection, createServer, type Socket } from 'node:net'
import { createAddressFilter, parseCidr, parseCidrList } from '../src/core/cidr.js'

t.test('parseCidr: addresses and blocks of both families', async t => {
  t.same(parseCidr('10.0.0.0/8'), { address: '10.0.0.0', prefix: 8, family: 'ipv4', text: '10.0.0.0/8' })
  t.same(parseCidr('10.1.2.3'), { address: '10.1.2.3', prefix: 32, family: 'ipv4', text: '10.1.2.3/32' })
  t.same(parseCidr(' fd00::/8 '), { address: 'fd00::', prefix: 8, family: 'ipv6', text: 'fd00::/8' })
  t.same(parseCidr('::1'), { address: '::1', prefix: 128, family: 'ipv6', text: '::1/128' })
  t.match(parseCidr('0.0.0.0/0'), { prefix: 0, family: 'ipv4' })
  t.match(parseCidr('fe80::1%eth0/64'), { address: 'fe80::1', prefix: 64 })
})

t.test('parseCidr: bad rules are usage errors that name the value', async t => {
  const bad = ['', '10.0.0.0/33', '::/129', '10.0.0/8', '256.1.1.1', 'localhost', '10.0.0.0/', '10.0.0.0/-1',
    '10.0.0.0/8/8', '10.0.0.0/ 8', '1.2.3.4/0x8', 'fd00::/abc']
  for (const value of bad) {
    t.throws(() => parseCidr(value, 'allow'), { code: 'ERR_SOCKKIT_INVALID_ARG', value }, `rejects ${JSON.stringify(value)}`)
  }
  // the sentence names the rule and the list it came from
  t.throws(() => parseCidr('10.0.0.0/33', 'deny'), /deny "10\.0\.0\.0\/33"/)
})

t.test('parseCidrList splits on commas and validates each', async t => {
  t.same(parseCidrList('10.0.0.0/8, ::1,').map(c => c.text), ['10.0.0.0/8', '::1/128'])
  t.throws(() => parseCidrList('10.0.0.0/8,nope', 'allow'), { code: 'ERR_SOCKKIT_INVALID_ARG', value: 'nope' })
})

t.test('no rules: everything passes', async t => {
  const pass = createAddressFilter()
  t.equal(pass.active, false)
  t.ok(pass('203.0.113.9'))
  t.ok(pass('::1'))
})

t.test('allow list: only listed addresses pass', async t => {
  const pass = createAddressFilter({ allow: ['127.0.0.0/8', '192.168.1.0/24', 'fd00::/8'] })
  t.ok(pass('127.0.0.1'))
  t.ok(pass('127.200.3.4'))
  t.ok(pass('192.168.1.77'))
  t.notOk(pass('192.168.2.1'))
  t.ok(pass('fd12:3456::1'))
  t.notOk(pass('fe80::1'))
  t.notOk(pass('::1'), 'IPv6 loopback is not inside 127.0.0.0/8')
  t.notOk(pass('8.8.8.8'))
})

t.test('IPv4-mapped IPv6 peers match IPv4 rules, and the other way round', async t => {
  const pass = createAddressFilter({ allow: ['127.0.0.0/8'] })
  t.ok(pass('::ffff:127.0.0.1'))
  t.ok(pass('::ffff:7f00:1'), 'hex form of ::ffff:127.0.0.1')
  t.notOk(pass('::ffff:10.0.0.1'))
  const mappedRule = createAddressFilter({ deny: ['::ffff:10.0.0.0/104'] })
  t.notOk(mappedRule('10.9.9.9'))
  t.ok(mappedRule('11.0.0.1'))
})

t.test('deny wins over allow', async t => {
  const pass = createAddressFilter({ allow: ['10.0.0.0/8'], deny: ['10.0.0.66', '10.1.0.0/16'] })
  t.ok(pass('10.0.0.65'))
  t.notOk(pass('10.0.0.66'))
  t.notOk(pass('10.1.2.3'))
  t.notOk(pass('::ffff:10.0.0.66'))
  t.notOk(pass('11.0.0.1'), 'still not allowed')
})

t.test('deny only: everything else passes', async t => {
  const pass = createAddressFilter({ deny: ['192.0.2.0/24'] })
  t.notOk(pass('192.0.2.10'))
  t.ok(pass('192.0.3.10'))
  t.ok(pass('::1'))
})

t.test('host bits below the prefix are ignored', async t => {
  const pass = createAddressFilter({ allow: ['10.1.2.3/8'] })
  t.ok(pass('10.200.0.1'))
})

t.test('zone ids are stripped from peers', async t => {
  const pass = createAddressFilter({ allow: ['fe80::/10'] })
  t.ok(pass('fe80::1%eth0'))
})

t.test('an address that is not an IP fails closed when rules exist', async t => {
  const pass = createAddressFilter({ deny: ['192.0.2.0/24'] })
  t.notOk(pass(undefined))
  t.notOk(pass('not-an-address'))
  t.notOk(pass(''))
})

t.test('the first bad rule is reported with its list', async t => {
  t.throws(() => createAddressFilter({ allow: ['10.0.0.0/8'], deny: ['300.0.0.1'] }),
    { code: 'ERR_SOCKKIT_INVALID_ARG', value: '300.0.0.1', message: /deny/ })
  t.throws(() => createAddressFilter({ allow: ['::/200'] }), { code: 'ERR_SOCKKIT_INVALID_ARG', message: /allow/ })
})

t.test('with a real server: the peer address Node reports is what the filter sees', async t => {
  // A dual-stack server on :: reports IPv4 peers as ::ffff:127.0.0.1; a 127.0.0.1 server as 127.0.0.1.
  const allowLoopback = createAddressFilter({ allow: ['127.0.0.0/8'] })
  const denyLoopback = createAddressFilter({ deny: ['127.0.0.1'] })
  const seen: Array<{ address: string | undefined; allowed: boolean; denied: boolean }> = []
  const sockets = new Set<Socket>()
  const server = createServer(socket => {
    sockets.add(socket)
    seen.push({ address: socket.remoteAddress, allowed: allowLoopback(socket.remoteAddress), denied: !denyLoopback(socket.remoteAddress) })
    socket.destroy()
  })
  t.teardown(() => { for (const s of sockets) s.destroy(); server.close() })
  const listening = await new Promise<boolean>(resolve => {
    server.once('error', () => resolve(false))
    server.listen(0, '::', () => resolve(true))
  })
  if (!listening) {
    t.plan(0, 'no IPv6 on this machine')
    return
  }
  const port = (server.address() as { port: number }).port
  await new Promise<void>(resolve => {
    const client = createConnection({ host: '127.0.0.1', port })
    client.on('error', () => resolve())
    client.on('close', () => resolve())
    client.resume()
  })
  t.equal(seen.length, 1)
  t.match(seen[0]?.address, /127\.0\.0\.1$/)
  t.ok(seen[0]?.allowed)
  t.ok(seen[0]?.denied)
})
