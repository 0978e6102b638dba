// A TCP echo server and one client, in one script, using sockkit's library.
// Run it with `node examples/tcp-echo.js` after `npm ci`.
//
// It shows the event stream a server reports — accepted, each read, the client's
// half-close, closed — and that the echo comes back whole after we half-close.
import { connect } from 'node:net'
import { TcpEchoServer } from 'sockkit'

const server = new TcpEchoServer({
  port: 0, // any free port
  greeting: 'Bienvenido al servidor!\n',
  onEvent: event => {
    if (event.type === 'read') console.log(`server read ${event.bytes} bytes: ${event.preview}`)
    else if (event.type === 'closed') console.log(`server closed #${event.id}: ${event.bytesIn} in, ${event.bytesOut} out`)
    else console.log(`server ${event.type}`)
  },
})
const { port } = await server.listen()

const client = connect({ host: '127.0.0.1', port })
const received = []
client.on('data', chunk => received.push(chunk))
client.on('connect', () => {
  // cork: both writes reach the kernel in one system call, so the server reads them as one
  // (TCP keeps bytes, not writes); end() uncorks. Without it the expected single read
  // below would rest on timing.
  client.cork()
  client.write('hola ')
  client.end('mundo\n') // half-close: we are done sending, but keep reading
})
await new Promise(resolve => client.on('close', resolve))
console.log(`client received: ${JSON.stringify(Buffer.concat(received).toString())}`)

const summary = await server.close()
console.log(`summary: ${summary.accepted} connection, ${summary.bytesIn} bytes in, ${summary.bytesOut} bytes out`)

// expect: server read 11 bytes: hola mundo\\n
// expect: client received: "Bienvenido al servidor!\\nhola mundo\\n"
// expect: summary: 1 connection, 11 bytes in, 35 bytes out
