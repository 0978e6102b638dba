/**
 * Entry point of the process `sockkit link` starts inside a private user + network namespace
 * (src/impairment/lossy-hop.ts) when TCP must lose segments without root. Like
 * reflector-child.ts, a process edge: it talks to its parent over IPC and exits on its own.
 *
 * It makes the lossy hop and nothing else: a loopback listener in the namespace whose port an
 * nftables table drops packets on, and on request one connected pair of sockets across it,
 * handed to the parent (a socket keeps its namespace when its handle moves). The parent
 * relays client → near … far → target; the segments between near and far cross this
 * namespace's loopback, where the kernel drops them and TCP retransmits.
 *
 * Protocol (JSON over IPC):
 *   parent → child  { type: 'start', loss }       → { type: 'ready', port, table } | { type: 'error', code, message }
 *   parent → child  { type: 'pair', id }          → { type: 'near', id } + handle, { type: 'far', id } + handle
 *                                                   | { type: 'pair-failed', id, code, message }
 *   parent → child  { type: 'counters', id }      → { type: 'counters', id, kernel, retransSegs }
 *   parent → child  { type: 'stop' }              → { type: 'stopped', kernel, retransSegs }, exit 0
 * The channel closing (parent gone for any reason) ends it; the table dies with the namespace.
 */
import { createServer, connect, type Server, type Socket } from 'node:net'
import { NftLoss } from '../impairment/nft-emulator.js'
import { readSnmp } from '../net/snmp.js'

type ParentMessage =
  | { type: 'start'; loss: number }
  | { type: 'pair'; id: number }
  | { type: 'counters'; id: number }
  | { type: 'stop' }

if (typeof process.send !== 'function') {
  process.stderr.write('lossy-hop-child: must be started by sockkit link (with an IPC channel)\n')
  process.exit(2)
}

let server: Server | undefined
let table: NftLoss | undefined
let retransAtStart = 0
/** Accepted far ends, by the near end's port, until their pair asks for them. */
const accepted = new Map<number, Socket>()
const waiting = new Map<number, (far: Socket) => void>()

const send = (message: object, handle?: Socket): Promise<void> => new Promise(resolve => {
  if (!process.connected) { resolve(); return }
  process.send!(message, handle, {}, () => resolve())
})

const retransSegs = async (): Promise<number | null> => {
  const snmp = await readSnmp()
  const now = snmp?.tcp.RetransSegs
  return now === undefined ? null : now - retransAtStart
}

const start = async (loss: number): Promise<void> => {
  retransAtStart = (await readSnmp())?.tcp.RetransSegs ?? 0
  server = createServer({ pauseOnConnect: true, allowHalfOpen: true, noDelay: true }, far => {
    const port = far.remotePort ?? 0
    const take = waiting.get(port)
    if (take) { waiting.delete(port); take(far) } else accepted.set(port, far)
  })
  await new Promise<void>((resolve, reject) => {
    server!.once('error', reject)
    server!.listen(0, '127.0.0.1', () => resolve())
  })
  const port = (server.address() as { port: number }).port
  // No watchdog: nothing outside this namespace sees the table, and it dies with it.
  table = await NftLoss.start({ loss, ports: [port], protocols: ['tcp'], watchdog: false })
  await send({ type: 'ready', port, table: table.table })
}

/** One connection across the hop; both ends paused, so no byte is read here. */
const pair = (id: number): void => {
  const port = (server!.address() as { port: number }).port
  const near = connect({ host: '127.0.0.1', port, allowHalfOpen: true, noDelay: true })
  near.pause()
  near.once('error', (err: Error & { code?: string }) => { void send({ type: 'pair-failed', id, code: err.code ?? 'ERROR', message: err.message }) })
  near.once('connect', () => {
    const hand = (far: Socket) => {
      void send({ type: 'near', id }, near).then(() => send({ type: 'far', id }, far))
    }
    const already = accepted.get(near.localPort ?? 0)
    if (already) { accepted.delete(near.localPort ?? 0); hand(already) } else waiting.set(near.localPort ?? 0, hand)
  })
}

const stop = async (): Promise<never> => {
  const summary = table ? await table.stop() : undefined
  await send({ type: 'stopped', kernel: summary?.counters ?? {}, retransSegs: await retransSegs() })
  process.exit(0)
}

// The terminal's Ctrl-C reaches the parent only (detached); the parent stops us over IPC.
process.on('SIGINT', () => { /* the parent decides */ })
process.on('disconnect', () => process.exit(0))
process.on('message', (message: ParentMessage) => {
  switch (message.type) {
    case 'start':
      start(message.loss).catch((err: Error & { code?: string }) =>
        send({ type: 'error', code: err.code ?? 'ERROR', message: err.message }).then(() => process.exit(1)))
      break
    case 'pair': pair(message.id); break
    case 'counters':
      void Promise.all([table?.counters() ?? {}, retransSegs()]).then(([kernel, retrans]) => send({ type: 'counters', id: message.id, kernel, retransSegs: retrans }))
      break
    case 'stop': void stop(); break
  }
})
