// A chat room with two clients, in one script. Run it with `node examples/chat.js`.
//
// The clients are plain node:net sockets — exactly what `nc 127.0.0.1 <port>` or a student's
// Python program is: they answer the name prompt with a line, then every line they send goes
// to everyone else as "name: text".
import { connect } from 'node:net'
import { ChatServer } from 'sockkit'

const server = new ChatServer({
  port: 0,
  onEvent: event => {
    if (event.type === 'joined') console.log(`server: ${event.name} joined (${event.present} here)`)
    if (event.type === 'message') console.log(`server: message from ${event.from}: ${event.text}`)
    if (event.type === 'left') console.log(`server: ${event.name} left (${event.reason})`)
  },
})
const { port } = await server.listen()

// A line-reading client: waitFor(regex) resolves with the first line (old or new) matching it.
const joinChat = async (name) => {
  const socket = connect({ host: '127.0.0.1', port })
  const lines = []
  const waiters = []
  let partial = ''
  socket.setEncoding('utf8')
  socket.on('data', text => {
    const parts = (partial + text).split('\r\n') // the chat ends every line with CRLF
    partial = parts.pop()
    for (const line of parts) {
      lines.push(line)
      for (const w of [...waiters]) if (w.regex.test(line)) { waiters.splice(waiters.indexOf(w), 1); w.resolve(line) }
    }
  })
  const waitFor = regex => {
    const found = lines.find(line => regex.test(line))
    if (found !== undefined) return Promise.resolve(found)
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${name} did not see ${regex} within 3 s`)), 3000)
      waiters.push({ regex, resolve: line => { clearTimeout(timer); resolve(line) } })
    })
  }
  await waitFor(/¿Tu nombre\?/) // the name prompt
  socket.write(`${name}\n`)
  await waitFor(/^\* welcome/)
  return { socket, waitFor, lines }
}

const ana = await joinChat('ana')
const luis = await joinChat('luis')
await ana.waitFor(/^\* luis joined/) // ana is told when luis arrives

ana.socket.write('hola a todos\n')
console.log(`luis sees: ${await luis.waitFor(/^ana: /)}`)

// Say goodbye the polite way and wait for each connection to close.
for (const client of [ana, luis]) {
  client.socket.write('/quit\n')
  await new Promise(resolve => client.socket.on('close', resolve))
}
const summary = await server.close()
console.log(`summary: ${summary.participants.map(p => p.name).join(', ')}; ${summary.messages} message`)

// expect: server: ana joined \(1 here\)
// expect: server: luis joined \(2 here\)
// expect: server: message from ana: hola a todos
// expect: luis sees: ana: hola a todos\n
// expect: summary: ana, luis; 1 message
