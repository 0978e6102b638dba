#!/usr/bin/env node
// The only place that touches the real process: streams, signals and the exit code.
import { main } from '../dist/cli/main.js'

const controller = new AbortController()
let interrupts = 0
const onSignal = () => {
  interrupts++
  // A second Ctrl-C means "stop now", without waiting for a clean shutdown.
  if (interrupts > 1) process.exit(130)
  controller.abort()
}
process.on('SIGINT', onSignal)
process.on('SIGTERM', onSignal)
// A closed stdout (`sockkit … | head`) is not an error worth a stack trace.
process.stdout.on('error', err => { if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0); throw err })

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
})
// Flush what is written, then exit: a command that returned is done, and a terminal
// stdin we once read from must not keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(code)))
