// Numbered datagrams: the receiver, not the sender, finds out what was lost.
// Run it with `node examples/udp-seq.js`.
//
// 1. udpSend sends "seq=1 hola" … "seq=3 hola" to a UdpServer, which echoes them; both ends
//    follow the numbers (udp-send --seq on the command line).
// 2. A plain dgram socket — what a student's own program would be — sends seq=1, seq=2 and
//    seq=4, skipping 3 as if the network had lost it. The server reports the gap.
import { createSocket } from 'node:dgram'
import { UdpServer, udpSend } from 'sockkit'

let resolveGap
const gapSeen = new Promise(resolve => { resolveGap = resolve })
const server = new UdpServer({
  port: 0,
  onEvent: event => {
    if (event.type === 'datagram') console.log(`server got ${event.bytes} bytes: ${event.preview}`)
    if (event.type === 'sequence' && event.kind === 'gap') {
      console.log(`server: seq gap: got ${event.seq}, expected ${event.expected} — ${event.missing} missing so far`)
      resolveGap()
    }
  },
})
const { port } = await server.listen()

// 1. udpSend numbers each datagram and checks the numbers of the echoes it gets back.
const result = await udpSend({
  host: '127.0.0.1',
  port,
  messages: [Buffer.from('hola')],
  count: 3,
  seq: true,
  waitMs: 300, // UDP has no end: collect echoes for this long after the last send
})
console.log(`udpSend: ${result.seq.matched} of ${result.seq.sent} answered, ${result.seq.lost} lost`)

// 2. A raw socket that "loses" number 3.
const raw = createSocket('udp4')
for (const seq of [1, 2, 4]) {
  await new Promise((resolve, reject) => raw.send(`seq=${seq} adiós`, port, '127.0.0.1', err => err ? reject(err) : resolve()))
}
// Wait for the server to see the gap (at most 2 s), not for a fixed time.
let timer
await Promise.race([gapSeen, new Promise(resolve => { timer = setTimeout(resolve, 2000) })])
clearTimeout(timer)
raw.close()

const summary = await server.close()
for (const peer of summary.peers) {
  console.log(`peer ${peer.datagrams} datagrams: seq ${peer.seq.lowest}–${peer.seq.highest}, ${peer.seq.missing} missing`)
}

// expect: server got 10 bytes: seq=1 hola\n
// expect: udpSend: 3 of 3 answered, 0 lost
// expect: server got 12 bytes: seq=4 adiós\n
// expect: server: seq gap: got 4, expected 3 — 1 missing so far
// expect: peer 3 datagrams: seq 1–3, 0 missing
// expect: peer 3 datagrams: seq 1–4, 1 missing
