import { fork, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { sockkitError } from '../core/errors.js'
import type { ReflectorSummary } from './reflector.js'

/** Options for {@link startLocalReflector}. */
export interface LocalReflectorOptions {
  /** Address the reflector binds. Default 127.0.0.1. */
  host?: string
  /** Port for TCP and UDP; 0 (default) lets the OS pick. */
  port?: number
  /** Give up if the child has not reported listening within this many ms. Default 10000. */
  startTimeoutMs?: number
  /** ms the child gets to close cleanly before it is killed. Default 2000. */
  stopTimeoutMs?: number
}

/** A reflector running in a child process; see {@link startLocalReflector}. */
export interface LocalReflector {
  host: string
  port: number
  /** The child's process id. */
  pid: number
  /** Stop the child; resolves with its summary (undefined if it had to be killed) once it has exited. */
  close: () => Promise<ReflectorSummary | undefined>
}

type ChildMessage =
  | { type: 'listening'; address: string; port: number }
  | { type: 'error'; code: string; message: string }
  | { type: 'stopped'; summary?: ReflectorSummary }

/**
 * The compiled child entry (a process edge, so under cli/). From dist/ it sits in cli/ beside this file; when this module runs
 * from src/ (tests with a TypeScript loader), the built copy in dist/ is used, so the
 * child never needs a loader.
 */
const childScript = (): string => {
  const beside = fileURLToPath(new URL('../cli/reflector-child.js', import.meta.url))
  if (existsSync(beside)) return beside
  const built = fileURLToPath(new URL('../../dist/cli/reflector-child.js', import.meta.url))
  if (existsSync(built)) return built
  throw sockkitError('ERR_SOCKKIT_UNSUPPORTED', 'reflectorProgramMissing', { path: beside })
}

/**
 * Start a TCP+UDP reflector in a separate Node process, so the measuring process and the
 * echoing one do not share an event loop (an echo never waits behind a send, and the
 * reverse). The child exits when this process exits or dies for any reason — it watches
 * the IPC channel — so a crashed or killed compare leaves no orphan.
 */
export const startLocalReflector = (options: LocalReflectorOptions = {}): Promise<LocalReflector> => {
  const host = options.host ?? '127.0.0.1'
  const port = options.port ?? 0
  const startTimeoutMs = options.startTimeoutMs ?? 10_000
  const stopTimeoutMs = options.stopTimeoutMs ?? 2000
  return new Promise((resolve, reject) => {
    let child: ChildProcess
    try {
      child = fork(childScript(), [], {
        // Not the parent's flags: a test runner's TypeScript loader or inspector must not
        // follow the child, which runs plain compiled JavaScript.
        execArgv: [],
        stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
        serialization: 'json',
      })
    } catch (err) {
      reject(err)
      return
    }
    let stderr = ''
    child.stderr?.on('data', (d: Buffer) => { if (stderr.length < 4096) stderr += d.toString() })
    const exited = new Promise<void>(done => {
      if (child.exitCode !== null || child.signalCode !== null) done()
      else child.once('exit', () => done())
    })
    let summary: ReflectorSummary | undefined
    let started = false

    const fail = (err: Error) => {
      clearTimeout(timer)
      child.kill('SIGKILL')
      reject(err)
    }
    const timer = setTimeout(() => fail(sockkitError('ERR_SOCKKIT_NO_ANSWER', 'localReflectorStartTimeout', { timeoutMs: startTimeoutMs })), startTimeoutMs)

    child.on('error', fail)
    child.on('exit', (code, signal) => {
      if (!started) {
        fail(sockkitError('ERR_SOCKKIT_NO_ANSWER', 'localReflectorExited',
          { signal, code, stderrLine: stderr ? stderr.trim().split('\n')[0]! : null }))
      }
    })
    child.on('message', (message: ChildMessage) => {
      if (message.type === 'listening' && !started) {
        started = true
        clearTimeout(timer)
        resolve({ host, port: message.port, pid: child.pid!, close })
      } else if (message.type === 'error' && !started) {
        // Node's own error code (EADDRINUSE…), so the CLI can explain it like any other.
        fail(Object.assign(new Error(message.message), { code: message.code, host, port }))
      } else if (message.type === 'stopped') {
        summary = message.summary
      }
    })
    child.send({ type: 'start', host, port })

    let closing: Promise<ReflectorSummary | undefined> | undefined
    const close = (): Promise<ReflectorSummary | undefined> => {
      closing ??= (async () => {
        if (child.exitCode === null && child.signalCode === null) {
          if (child.connected) child.send({ type: 'stop' })
          const killTimer = setTimeout(() => child.kill('SIGKILL'), stopTimeoutMs)
          await exited
          clearTimeout(killTimer)
        }
        return summary
      })()
      return closing
    }
  })
}
