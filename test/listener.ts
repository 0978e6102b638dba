import t, { type Test } from 'tap'
import { connect, type Socket } from 'node:net'
import { once } from 'node:events'
import { endWithGrace, TcpListener, type TcpListenerOptions } from '../src/net/listener.js'
import { classifyPortHolders } from '../src/net/port-holders.js'

type Handlers = Partial<Omit<TcpListenerOptions, 'host' | 'port'>>

/** A listener on 127.0.0.1 port 0 whose accepted sockets are kept; closed at teardown. */
const listen = async (t: Test, handlers: Handlers = {}) => {
  const accepted: Socket[] = []
  const listener = new TcpListener({
    host: '127.0.0.1', port: 0, ...handlers,
    // Sockets are half-open capable: answer the peer's FIN with ours, as every server does.
    onConnection: socket => { accepted.push(socket); socket.on('end', () => socket.end()) },
  })
  const address = await listener.listen()
  t.teardown(() => listener.close())
  return { listener, address, accepted }
}

/** A client connected to `port`, destroyed at teardown; `closed` resolves when it closes. */
const dial = async (t: Test, port: number) => {
  const socket = connect({ host: '127.0.0.1', port })
  socket.on('error', () => { /* a refused or denied client may see a reset */ })
  t.teardown(() => { socket.destroy() })
  const closed = once(socket, 'close')
  await once(socket, 'connect')
  return { socket, closed }
}

/** Collects everything `socket` receives until it closes. */
const readAll = async (socket: Socket): Promise<string> => {
  let text = ''
  socket.on('data', chunk => { text += String(chunk) })
  await once(socket, 'close')
  return text
}

t.test('listen reports the address, the port and the reachable addresses', async t => {
  const { address } = await listen(t)
  t.equal(address.address, '127.0.0.1')
  t.equal(address.family, 'IPv4')
  t.ok(address.port > 0)
  t.same(address.reachable, ['127.0.0.1'])
})

t.test('listen on ::1 reports IPv6', async t => {
  const v6 = new TcpListener({ host: '::1', port: 0, onConnection: () => {} })
  t.teardown(() => v6.close())
  let bound
  try {
    bound = await v6.listen()
  } catch (err) {
    t.pass(`no IPv6 loopback here (${(err as { code?: string }).code})`)
    return
  }
  t.equal(bound.family, 'IPv6')
  t.same(bound.reachable, ['::1'])
})

t.test('EADDRINUSE is passed through with host and port', async t => {
  const { address } = await listen(t)
  const second = new TcpListener({ host: '127.0.0.1', port: address.port, onConnection: () => {} })
  await t.rejects(second.listen(), {
    code: 'EADDRINUSE', host: '127.0.0.1', port: address.port,
    ...(process.platform === 'linux' ? { holders: { kind: 'program' } } : {}),
  })
  await second.close()
})

// Rows as /proc/net/tcp prints them (header, then sl local remote st tx:rx tr:when retr uid timeout inode).
const HEADER = '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode'
const row = (local: string, state: string, timer: string, inode: string) =>
  `   0: ${local} 0100007F:A5E6 ${state} 00000000:00000000 ${timer} 00000000     0        0 ${inode} 1 0000000000000000 20 4 30 10 -1`

t.test('port holders from /proc: a program, or only closing sockets no program owns', async t => {
  const tw = (ticks: string) => row('0100007F:2328', '06', `03:${ticks}`, '0')
  // 0x1770 ticks = 60 s, 0x0BB8 = 30 s: the longest one left is what the user waits for.
  t.same(classifyPortHolders([[HEADER, tw('00001770'), tw('00000BB8')].join('\n')], '127.0.0.1', 9000),
    { kind: 'closing', states: ['TIME_WAIT'], freesInS: 60 })
  t.same(classifyPortHolders([[HEADER, row('0100007F:2328', '05', '00:00000000', '0')].join('\n')], '127.0.0.1', 9000),
    { kind: 'closing', states: ['FIN_WAIT2'], freesInS: undefined }, 'an orphan without a TIME_WAIT timer: within a minute')
  t.same(classifyPortHolders([[HEADER, tw('00001770'), row('00000000:2328', '0A', '00:00000000', '4242')].join('\n')], '127.0.0.1', 9000),
    { kind: 'program' }, 'a listener on the wildcard holds it too')
  t.same(classifyPortHolders([[HEADER, row('0100007F:2328', '06', '03:00000100', '77')].join('\n')], '127.0.0.1', 9000),
    { kind: 'program' }, 'a socket with an inode still belongs to a program')
  t.equal(classifyPortHolders([[HEADER, row('0500000A:2328', '06', '03:00001770', '0')].join('\n')], '127.0.0.1', 9000),
    undefined, '10.0.0.5:9000 does not overlap 127.0.0.1:9000')
  // tcp6: ::1 is 00000000000000000000000001000000 (four little-endian words).
  const v6 = `   0: 00000000000000000000000001000000:2328 00000000000000000000000001000000:A5E6 06 00000000:00000000 03:000005DC 00000000     0        0 0 1`
  t.same(classifyPortHolders(['', [HEADER, v6].join('\n')], '::1', 9000), { kind: 'closing', states: ['TIME_WAIT'], freesInS: 15 })
  t.equal(classifyPortHolders(['', ''], '127.0.0.1', 9000), undefined, 'unreadable tables: unknown')
})

t.test('accepted connections are counted open until they close', async t => {
  const { listener, address, accepted } = await listen(t)
  const a = await dial(t, address.port)
  const b = await dial(t, address.port)
  while (accepted.length < 2) await new Promise(resolve => setImmediate(resolve))
  t.equal(listener.active, 2)
  const serverSideClosed = once(accepted[0]!, 'close')
  a.socket.destroy()
  await serverSideClosed
  t.equal(listener.active, 1)
  t.same(listener.totals, { accepted: 2, refused: 0, denied: 0, peak: 2 })
  b.socket.destroy()
})

t.test('the address filter destroys a denied peer before anything is read', async t => {
  const denied: Array<{ remoteAddress: string; denied: number }> = []
  const { address, accepted } = await listen(t, {
    addressFilter: a => a !== '127.0.0.1',
    onDenied: peer => denied.push(peer),
  })
  const { socket, closed } = await dial(t, address.port)
  const text = readAll(socket)
  await closed
  t.equal(await text, '')
  t.equal(accepted.length, 0)
  t.match(denied, [{ remoteAddress: '127.0.0.1', denied: 1 }])
})

t.test('beyond maxConnections the refusal hook says no; without it the socket is destroyed', async t => {
  const refusals: Array<{ reason: string; active: number; limit: number }> = []
  const { listener, address } = await listen(t, {
    maxConnections: 1,
    onRefused: (socket, refusal) => {
      refusals.push(refusal)
      void endWithGrace(socket, 1000, `full (${refusal.limit})\r\n`)
    },
  })
  await dial(t, address.port)
  const second = await dial(t, address.port)
  t.equal(await readAll(second.socket), 'full (1)\r\n')
  t.match(refusals, [{ reason: 'full', active: 1, limit: 1 }])
  t.equal(listener.totals.refused, 1)

  const bare = await listen(t, { maxConnections: 0 })
  const third = await dial(t, bare.address.port)
  await third.closed
  t.equal(bare.listener.totals.refused, 1)
})

t.test('close ends open sockets, calls the farewell, and resolves once all are released', async t => {
  const { listener, address, accepted } = await listen(t)
  const { socket } = await dial(t, address.port)
  const text = readAll(socket)
  while (accepted.length < 1) await new Promise(resolve => setImmediate(resolve))
  const farewells: Socket[] = []
  // The client reads and closes on the FIN (allowHalfOpen false), so no grace is needed.
  await listener.close(s => { farewells.push(s); s.write('bye\r\n') })
  t.equal(await text, 'bye\r\n')
  t.equal(farewells.length, 1)
  t.equal(listener.active, 0)
  t.equal(listener.close(), listener.close(), 'the same promise every time')
})

t.test('close destroys a peer that never closes once the grace period is over', async t => {
  const { listener, address, accepted } = await listen(t, { closeGraceMs: 50 })
  // allowHalfOpen: this client answers our FIN with nothing, so only the grace timer ends it.
  const socket = connect({ host: '127.0.0.1', port: address.port, allowHalfOpen: true })
  socket.on('error', () => {})
  t.teardown(() => { socket.destroy() })
  await once(socket, 'connect')
  while (accepted.length < 1) await new Promise(resolve => setImmediate(resolve))
  await listener.close()
  t.ok(accepted[0]!.destroyed)
})
