/**
 * Entry point of the reflector process that `sockkit compare` starts for itself
 * (see ../local-reflector.ts). Like bin/, this file is a process edge, not library code
 * (so it lives with the CLI, which owns printing and exiting):
 * it talks to its parent over the IPC channel and exits on its own.
 *
 * Protocol (JSON messages over IPC):
 *   parent → child  { type: 'start', host, port }   bind TCP and UDP echo
 *   child → parent  { type: 'listening', address, port } | { type: 'error', code, message }
 *   parent → child  { type: 'stop' }                 close, then
 *   child → parent  { type: 'stopped', summary }     and exit 0
 *
 * The child never outlives its parent: when the IPC channel closes (the parent exited,
 * crashed, was killed, or called disconnect()), it closes the sockets and exits.
 */
import { Reflector } from '../probe/reflector.js'

type ParentMessage = { type: 'start'; host: string; port: number } | { type: 'stop' }

if (typeof process.send !== 'function') {
  process.stderr.write('reflector-child: must be started by sockkit compare (child_process.fork)\n')
  process.exit(2)
}

let reflector: Reflector | undefined
let stopping = false

const send = (message: object): Promise<void> => new Promise(resolve => {
  if (!process.connected) { resolve(); return }
  process.send!(message, undefined, {}, () => resolve())
})

const stop = async (reply: boolean): Promise<never> => {
  if (!stopping) {
    stopping = true
    const summary = reflector ? await reflector.close() : undefined
    if (reply) await send({ type: 'stopped', summary })
  }
  process.exit(0)
}

// Ctrl-C in a terminal reaches the whole process group: the parent decides when the
// reflector stops (after collecting the last echoes), so the child ignores SIGINT.
process.on('SIGINT', () => { /* the parent stops us over IPC */ })
process.on('disconnect', () => { void stop(false) })
process.on('message', (message: ParentMessage) => {
  if (message.type === 'start' && reflector === undefined) {
    reflector = new Reflector({ host: message.host, port: message.port })
    reflector.listen().then(
      address => send({ type: 'listening', address: address.address, port: address.port }),
      (err: Error & { code?: string }) => send({ type: 'error', code: err.code ?? 'ERROR', message: err.message })
        .then(() => process.exit(1)),
    )
  } else if (message.type === 'stop') {
    void stop(true)
  }
})
