import t, { type Test } from 'tap'
import { connect } from 'node:net'
import { createSocket } from 'node:dgram'
import { createAddressFilter } from '../src/core/cidr.js'
import { TcpEchoServer, type TcpServerEvent } from '../src/servers/tcp-server.js'
import { UdpServer, type UdpServerEvent } from '../src/servers/udp-server.js'
import { runMain, startMain } from './fixtures/main.js'
import { unmatchableAllow } from '../src/cli/address-filter.js'
import { EN } from '../src/i18n/index.js'
import { secondLoopbackSkip } from './fixtures/loopback.js'

/** The English words, which these tests read. */
const en = EN().addressFilter

/**
 * Connect from `localAddress` (127.0.0.1 or 127.0.0.2: all of 127/8 is loopback on Linux),
 * send "hola", and resolve with what came back once the connection is closed.
 */
const tcpExchange = async (t: Test, port: number, localAddress: string): Promise<string> => {
  const socket = connect({ host: '127.0.0.1', port, localAddress })
  t.teardown(() => socket.destroy())
  socket.on('error', () => { /* a denied client sees a reset; what it received is the test */ })
  let received = ''
  socket.on('data', d => { received += d.toString() })
  socket.once('connect', () => socket.end('hola'))
  // Not events.once: it rejects on 'error', and a reset is an expected way to be closed here.
  await new Promise(resolve => socket.once('close', resolve))
  return received
}

const startTcp = async (t: Test, rules: { allow?: string[]; deny?: string[] }) => {
  const events: TcpServerEvent[] = []
  const server = new TcpEchoServer({ port: 0, addressFilter: createAddressFilter(rules), onEvent: e => events.push(e) })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  return { server, port, events }
}

t.test('tcp: a denied address is closed at once, nothing echoed, reported and counted', async t => {
  const { server, port, events } = await startTcp(t, { deny: ['127.0.0.1'] })
  t.equal(await tcpExchange(t, port, '127.0.0.1'), '', 'no byte comes back')
  const summary = await server.close()
  t.equal(summary.denied, 1)
  t.equal(summary.accepted, 0)
  t.equal(summary.bytesIn, 0)
  const denied = events.filter(e => e.type === 'denied')
  t.equal(denied.length, 1)
  t.match(denied[0], { remoteAddress: '127.0.0.1', denied: 1 })
  t.notOk(events.some(e => e.type === 'accepted' || e.type === 'read'), 'never accepted nor read')
})

t.test('tcp: --allow 127.0.0.2/32 refuses 127.0.0.1 and serves 127.0.0.2', { skip: secondLoopbackSkip }, async t => {
  const { server, port, events } = await startTcp(t, { allow: ['127.0.0.2/32'] })
  t.equal(await tcpExchange(t, port, '127.0.0.1'), '', 'refused from 127.0.0.1')
  t.equal(await tcpExchange(t, port, '127.0.0.2'), 'hola', 'echoed to 127.0.0.2')
  const summary = await server.close()
  t.equal(summary.denied, 1)
  t.equal(summary.accepted, 1)
  t.match(events.find(e => e.type === 'accepted'), { remoteAddress: '127.0.0.2' })
})

t.test('tcp: deny wins over allow', { skip: secondLoopbackSkip }, async t => {
  const { server, port } = await startTcp(t, { allow: ['127.0.0.0/8'], deny: ['127.0.0.2'] })
  t.equal(await tcpExchange(t, port, '127.0.0.2'), '')
  t.equal(await tcpExchange(t, port, '127.0.0.1'), 'hola')
  t.match(await server.close(), { denied: 1, accepted: 1 })
})

/** Send `text` from a socket bound to `localAddress`; resolve with the reply, or undefined after `waitMs`. */
const udpExchange = async (t: Test, port: number, localAddress: string, text: string, waitMs = 300): Promise<string | undefined> => {
  const socket = createSocket('udp4')
  t.teardown(() => { try { socket.close() } catch { /* closed already */ } })
  await new Promise<void>(resolve => socket.bind(0, localAddress, resolve))
  const reply = new Promise<string | undefined>(resolve => {
    const timer = setTimeout(() => resolve(undefined), waitMs)
    socket.once('message', d => { clearTimeout(timer); resolve(d.toString()) })
  })
  socket.send(text, port, '127.0.0.1')
  return reply
}

t.test('udp: datagrams from a filtered peer get no reply and are counted; allowed ones are echoed', { skip: secondLoopbackSkip }, async t => {
  const events: UdpServerEvent[] = []
  const server = new UdpServer({ port: 0, addressFilter: createAddressFilter({ allow: ['127.0.0.2/32'] }), onEvent: e => events.push(e) })
  const { port } = await server.listen()
  t.teardown(() => server.close())
  // Allowed first: its echo proves the server is up, so the silence below is the filter.
  t.equal(await udpExchange(t, port, '127.0.0.2', 'hola', 5000), 'hola', 'allowed peer is echoed')
  t.equal(await udpExchange(t, port, '127.0.0.1', 'intruso'), undefined, 'denied peer gets nothing')
  // A later allowed exchange shows the denied datagram was processed (datagrams are handled in order).
  t.equal(await udpExchange(t, port, '127.0.0.2', 'otra', 5000), 'otra')
  const summary = await server.close()
  t.equal(summary.denied, 1)
  t.equal(summary.datagrams, 2, 'denied datagrams are not in the served count')
  t.match(events.find(e => e.type === 'denied'), { address: '127.0.0.1', bytes: 7, denied: 1 })
  t.notOk(summary.peers.some(p => p.address === '127.0.0.1'), 'a denied peer is not tracked')
})

t.test('cli: tcp-server --allow / --deny', { skip: secondLoopbackSkip }, async t => {
  const server = startMain(['tcp-server', '0', '--allow', '127.0.0.2/32', '--deny', '10.0.0.0/8,::1'], { t })
  const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  await server.waitFor(/allowing only 127\.0\.0\.2\/32; denying 10\.0\.0\.0\/8, ::1\/128/)
  t.equal(await tcpExchange(t, Number(port), '127.0.0.1'), '')
  await server.waitFor(/denied 127\.0\.0\.1:\d+ \(not in --allow\)/)
  t.equal(await tcpExchange(t, Number(port), '127.0.0.2'), 'hola')
  t.equal(await server.interrupt(), 130)
  t.match(server.stderr(), /stopped after .*1 connection.*, 1 denied/)
})

t.test('cli: udp-server --deny reports denied datagrams and says no reply', { skip: secondLoopbackSkip }, async t => {
  const server = startMain(['udp-server', '0', '--deny', '127.0.0.1'], { t })
  const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  t.equal(await udpExchange(t, Number(port), '127.0.0.2', 'hola', 5000), 'hola')
  t.equal(await udpExchange(t, Number(port), '127.0.0.1', 'x'), undefined)
  await server.waitFor(/denied 1 datagram \(latest: 1 byte from 127\.0\.0\.1:\d+, in --deny 127\.0\.0\.1\/32\): no reply/)
  t.equal(await server.interrupt(), 130)
  t.match(server.stderr(), /1 denied \(no reply\)/)
})

t.test('cli: a bad rule is a usage error naming it', async t => {
  for (const [command, option, value] of [
    ['tcp-server', '--allow', '10.0.0.0/33'], ['udp-server', '--deny', 'localhost'],
    ['serve', '--allow', '10.0.0.1,nope'], ['chat-server', '--deny', '::1/129'],
  ] as const) {
    const run = await runMain([command, '0', option, value])
    t.equal(run.code, 2, `${command} ${option} ${value}`)
    t.match(run.stderr, value.includes(',') ? 'nope' : value)
    t.notMatch(run.stderr, /\n\s+at /, 'no stack trace')
  }
})

t.test('reflector (serve): denied TCP peers are closed, denied UDP probes get no reply', { skip: secondLoopbackSkip }, async t => {
  const { Reflector } = await import('../src/probe/reflector.js')
  const reflector = new Reflector({ port: 0, addressFilter: createAddressFilter({ deny: ['127.0.0.1'] }) })
  const { port } = await reflector.listen()
  t.teardown(() => reflector.close())
  t.equal(await tcpExchange(t, port, '127.0.0.1'), '')
  t.equal(await tcpExchange(t, port, '127.0.0.2'), 'hola')
  t.equal(await udpExchange(t, port, '127.0.0.1', 'anything'), undefined)
  const summary = await reflector.close()
  t.equal(summary.tcp.denied, 1)
  t.equal(summary.tcp.accepted, 1)
  t.equal(summary.udp.denied, 1)
  t.equal(summary.udp.ignored, 0, 'a denied datagram is not also counted as ignored')
})

t.test('chat-server: a denied peer sees nothing of the chat', { skip: secondLoopbackSkip }, async t => {
  const { ChatServer } = await import('../src/chat/chat-server.js')
  const chat = new ChatServer({ port: 0, addressFilter: createAddressFilter({ allow: ['127.0.0.2'] }) })
  const { port } = await chat.listen()
  t.teardown(() => chat.close())
  t.equal(await tcpExchange(t, port, '127.0.0.1'), '', 'no prompt, no history')
  t.not(await tcpExchange(t, port, '127.0.0.2'), '', 'an allowed peer is asked for a name')
  t.match(await chat.close(), { denied: 1 })
})

t.test('unmatchableAllow: warns when no --allow rule can match the bound family', async t => {
  const allow = (...rules: string[]) => createAddressFilter({ allow: rules })
  t.match(unmatchableAllow(allow('127.0.0.0/8'), '::1', en), /every one is IPv4, and a server bound to ::1 only hears IPv6 peers/)
  t.match(unmatchableAllow(allow('::1', 'fd00::/8'), '127.0.0.1', en), /every one is IPv6, and a server bound to 127\.0\.0\.1 only hears IPv4 peers/)
  t.equal(unmatchableAllow(allow('127.0.0.0/8'), '::', en), undefined, ':: hears both families')
  t.equal(unmatchableAllow(allow('127.0.0.0/8'), '0.0.0.0', en), undefined)
  t.equal(unmatchableAllow(allow('127.0.0.0/8', '::1'), '::1', en), undefined, 'one matching rule is enough')
  t.equal(unmatchableAllow(allow('::ffff:127.0.0.0/104'), '127.0.0.1', en), undefined, 'a mapped rule matches IPv4 peers')
  t.equal(unmatchableAllow(allow('::/0'), '127.0.0.1', en), undefined, '::/0 contains every mapped address')
  t.equal(unmatchableAllow(createAddressFilter({ deny: ['127.0.0.1'] }), '::1', en), undefined, 'deny rules alone never shut everyone out')
  t.equal(unmatchableAllow(undefined, '::1', en), undefined)
})

t.test('cli: tcp-server and udp-server on ::1 with only IPv4 --allow rules warn at start', async t => {
  const probe = createSocket('udp6')
  const hasIpv6 = await new Promise<boolean>(resolve => { probe.once('error', () => resolve(false)); probe.bind(0, '::1', () => resolve(true)) })
  probe.close()
  if (!hasIpv6) return t.plan(0, '::1 is not available here')
  for (const command of ['tcp-server', 'udp-server']) {
    const server = startMain([command, '0', '--host', '::1', '--allow', '127.0.0.0/8'], { t })
    await server.waitFor(/warning: no --allow rule can match: every one is IPv4, and a server bound to ::1 only hears IPv6 peers, so all of them will be denied/)
    t.equal(await server.interrupt(), 130, command)
  }
  const fine = startMain(['udp-server', '0', '--host', '::1', '--allow', '::1'], { t })
  await fine.waitFor(/allowing only ::1\/128/)
  t.equal(await fine.interrupt(), 130)
  t.notMatch(fine.stderr(), /warning/)
})

t.test('cli: udp-server reports a burst of denied datagrams as a first line and a trailing one', async t => {
  const server = startMain(['udp-server', '0', '--deny', '127.0.0.1'], { t })
  const [, port] = await server.waitFor(/listening on 127\.0\.0\.1:(\d+)/)
  const socket = createSocket('udp4')
  t.teardown(() => socket.close())
  await new Promise<void>(resolve => socket.bind(0, '127.0.0.1', resolve))
  for (let i = 0; i < 50; i++) socket.send('x', Number(port), '127.0.0.1')
  await server.waitFor(/denied 49 datagrams \(latest: 1 byte from 127\.0\.0\.1:\d+, in --deny 127\.0\.0\.1\/32\): no reply; 50 denied in all/)
  t.equal(await server.interrupt(), 130)
  t.match(server.stderr(), /50 denied \(no reply\)/)
})

t.test('the address filter words come from the catalogue it is given', async t => {
  const { deniedBecause, describeAddressFilter } = await import('../src/cli/address-filter.js')
  const filter = createAddressFilter({ allow: ['127.0.0.0/8'], deny: ['127.0.0.5'] })
  t.equal(describeAddressFilter(filter, en), 'allowing only 127.0.0.0/8; denying 127.0.0.5/32')
  t.equal(deniedBecause(filter, '127.0.0.5', en), 'in --deny 127.0.0.5/32')
  t.equal(deniedBecause(filter, '::1', en), 'not in --allow')
  const other = { ...EN().addressFilter, denied: { ...EN().addressFilter.denied, notInAllow: 'fuera de --allow' } }
  t.equal(deniedBecause(filter, '::1', other), 'fuera de --allow')
  t.match(unmatchableAllow(createAddressFilter({ allow: ['::1'] }), '127.0.0.1', { ...other, unmatchableAllow: p => `sin ${p.own}` }), 'sin IPv4')
})

t.test('cli: the filter is worded in the run\'s language by every server command (help, listening line, warning)', async t => {
  for (const command of ['tcp-server', 'udp-server', 'chat-server', 'serve']) {
    const cli = startMain(['--lang', 'es', command, '0', '--host', '::1', '--allow', '10.0.0.0/8', '--deny', '10.1.0.0/16'])
    t.teardown(() => cli.interrupt())
    await cli.waitFor(/solo se permite 10\.0\.0\.0\/8; se deniega 10\.1\.0\.0\/16/)
    await cli.waitFor(/ninguna regla --allow puede coincidir: todas son IPv4/)
    t.notMatch(cli.stderr(), /allowing only|no --allow rule/, `${command}: no English filter words`)
    await cli.interrupt()
    const help = await runMain(['--lang', 'pt', command, '--help'])
    t.match(help.stdout, /atende só pares dentro destes endereços/, `${command} --help in Portuguese`)
  }
})
