#!/usr/bin/env node
// The only place that touches the real process: streams, signals and the exit code.
import { main } from '../dist/cli/main.js'

const controller = new AbortController()
// Every stop signal ends the run cleanly (summary, partial result); the exit code then says
// which one it was, by the shell's convention 128 + signal number: 130 Ctrl-C (SIGINT),
// 143 SIGTERM (kill, timeout), 129 SIGHUP (the terminal closed), 149 Ctrl-Break (SIGBREAK,
// Windows only; elsewhere it can be listened for but never arrives).
const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129, SIGBREAK: 149 }
let stoppedBy
let interrupts = 0
const onSignal = signal => {
  interrupts++
  stoppedBy ??= signal
  // A second signal means "stop now", without waiting for a clean shutdown — said in one
  // line, so an empty output is not taken for a finished run (stderr is synchronous here).
  if (interrupts > 1) {
    process.stderr.write(`sockkit: stopped at once by a second ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: no result\n`)
    process.exit(SIGNAL_EXIT[stoppedBy])
  }
  // The reason names the signal, so a command can say what stopped it.
  controller.abort(signal)
}
for (const signal of Object.keys(SIGNAL_EXIT)) process.on(signal, onSignal)
// A closed stdout (`sockkit … | head`) is not an error worth a stack trace; a stdout that
// cannot be written (disk full, a broken device) is a runtime failure in one sentence.
const STDOUT_FAILURES = { ENOSPC: 'no space left on the device', EIO: 'input/output error', EDQUOT: 'disk quota exceeded', EFBIG: 'the file is too large' }
process.stdout.on('error', err => {
  if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0)
  process.stderr.write(`sockkit: cannot write to stdout: ${STDOUT_FAILURES[err.code] ?? err.message}${err.code ? ` (${err.code})` : ''}\n`)
  process.exit(1)
})

const code = await main(process.argv.slice(2), {
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
  signal: controller.signal,
})
// The commands report a stop as 130 (Ctrl-C); another signal keeps its own code.
const exitCode = code === 130 && stoppedBy !== undefined ? SIGNAL_EXIT[stoppedBy] : code
// Flush what is written, then exit: a command that returned is done, and a terminal
// stdin we once read from must not keep the process alive.
process.stdout.write('', () => process.stderr.write('', () => process.exit(exitCode)))
