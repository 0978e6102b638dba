// TCP is a stream, UDP keeps datagrams: the same two messages, "hola" and "mundo",
// sent both ways, and what each server READ. Run it with `node examples/stream-vs-datagram.js`.
//
// TCP: two quick writes on one connection (runTcpClient corks back-to-back messages, so the
// kernel gets them in one system call, as it does for any program that writes faster than
// the network sends). UDP: two datagrams with udpSend. Both servers listen on a free port.
import { Writable } from 'node:stream'
import { TcpEchoServer, UdpServer, runTcpClient, udpSend } from 'sockkit'

const messages = ['hola', 'mundo']

// --- TCP -------------------------------------------------------------------------------
const tcpReads = []
const tcpServer = new TcpEchoServer({
  port: 0,
  onEvent: event => { if (event.type === 'read') tcpReads.push(event) },
})
const { port: tcpPort } = await tcpServer.listen()
await runTcpClient({
  host: '127.0.0.1',
  port: tcpPort,
  messages, // each one its own socket.write, back to back
  output: new Writable({ write: (_chunk, _encoding, done) => done() }), // the echo: not needed here
})
await tcpServer.close()

// --- UDP -------------------------------------------------------------------------------
const udpDatagrams = []
const udpServer = new UdpServer({
  port: 0,
  onEvent: event => { if (event.type === 'datagram') udpDatagrams.push(event) },
})
const { port: udpPort } = await udpServer.listen()
await udpSend({
  host: '127.0.0.1',
  port: udpPort,
  messages: messages.map(text => Buffer.from(text)), // each one its own datagram
  waitMs: 300, // UDP has no end: wait this long for the echoes, by which time the server has read both
})
await udpServer.close()

// --- What each server read -------------------------------------------------------------
const show = (heading, what, events) => {
  console.log(heading)
  events.forEach((event, i) => console.log(`  ${what} ${i + 1}: ${event.bytes} bytes "${event.preview}"`))
}
show('TCP, 2 writes ("hola", "mundo") → what the server read:', 'read', tcpReads)
show('UDP, 2 datagrams ("hola", "mundo") → what the server received:', 'datagram', udpDatagrams)
console.log()
console.log('TCP is a byte stream: it keeps the bytes and their order, not where each write ended.')
console.log('UDP keeps each datagram whole: one send, one receive (or none: UDP may lose it).')
console.log('TCP no guarda los límites entre mensajes; UDP entrega cada datagrama entero.')

// expect: what the server read:\n  read 1: 9 bytes "holamundo"\n(?!  read)
// expect: what the server received:\n  datagram 1: 4 bytes "hola"\n  datagram 2: 5 bytes "mundo"\n(?!  datagram)
// expect: TCP no guarda los límites entre mensajes
