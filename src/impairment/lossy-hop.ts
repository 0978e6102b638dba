/**
 * The lossy hop: real kernel loss for TCP without root. A helper process runs inside a private
 * user + network namespace (src/net/userns.ts), where it is root over its own loopback and an
 * nftables table drops segments on one port. For each relayed connection it hands back a
 * connected pair of sockets across that loopback (`near`, `far`); sockets keep their
 * namespace when their handles move, so this process can write into `near` and read from
 * `far` while the segments between them cross the namespace and are really dropped and
 * retransmitted. The child: src/cli/lossy-hop-child.ts. Design: docs/dev/userns.md.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { existsSync } from 'node:fs'
import type { Socket } from 'node:net'
import { fileURLToPath } from 'node:url'
import { sockkitError } from '../core/errors.js'
import { usernsCommand } from '../net/userns.js'
import type { NftCounters } from './nft-emulator.js'

/** Counters of the hop: what the table saw and dropped, and the namespace's TCP retransmissions. */
export interface LossyHopCounters {
  kernel: NftCounters
  /** RetransSegs rise inside the namespace since the hop started (only this run's TCP is there); null when unreadable. */
  retransSegs: number | null
}

/** A running lossy hop; see {@link startLossyHop}. */
export interface LossyHop {
  /** The nftables table inside the namespace (nothing outside sees it). */
  table: string
  /** The helper's process id (unshare's, which execs into sh and then node). */
  pid: number
  /** One connection across the hop: write to `near`, read from `far`, and back. Both paused. */
  pair (): Promise<{ near: Socket; far: Socket }>
  counters (): Promise<LossyHopCounters>
  /** Final counters; ends the helper (and with it the namespace and its table). Safe to call twice. */
  stop (): Promise<LossyHopCounters>
  /** Rejects if the helper dies before stop() (never resolves otherwise). */
  readonly failed: Promise<never>
}

type ChildMessage =
  | { type: 'ready'; port: number; table: string }
  | { type: 'error'; code: string; message: string }
  | { type: 'near' | 'far'; id: number }
  | { type: 'pair-failed'; id: number; code: string; message: string }
  | ({ type: 'counters'; id: number } & LossyHopCounters)
  | ({ type: 'stopped' } & LossyHopCounters)

/** The compiled child entry: beside this file's cli/ sibling in dist/, or dist/ when run from src/ (tests). */
const childScript = (): string => {
  const beside = fileURLToPath(new URL('../cli/lossy-hop-child.js', import.meta.url))
  if (existsSync(beside)) return beside
  const built = fileURLToPath(new URL('../../dist/cli/lossy-hop-child.js', import.meta.url))
  if (existsSync(built)) return built
  throw sockkitError('ERR_SOCKKIT_UNSUPPORTED', 'lossyHopProgramMissing', { path: beside })
}

/** Options for {@link startLossyHop}. */
export interface LossyHopOptions {
  /** Drop probability each way, percent. */
  loss: number
  /** Give up when the helper is not ready within this many ms. Default 10000. */
  startTimeoutMs?: number
  /** ms the helper gets to report its last counters before it is killed. Default 2000. */
  stopTimeoutMs?: number
}

type PendingPair = { near?: Socket; resolve: (s: { near: Socket; far: Socket }) => void; reject: (e: Error) => void }

/** The parent's side of the helper: requests out, answers (and socket handles) in. */
class HopProcess implements LossyHop {
  table = ''
  readonly pid: number
  readonly failed: Promise<never>
  private stderr = ''
  private ready = false
  private stopping: Promise<LossyHopCounters> | undefined
  private nextId = 1
  private readonly pending = new Map<number, PendingPair>()
  private readonly counterWaits = new Map<number, (c: LossyHopCounters) => void>()
  private last: LossyHopCounters = { kernel: {}, retransSegs: null }
  private onExit: (() => void) | undefined
  private failHop!: (err: Error) => void

  constructor (private readonly child: ChildProcess, private readonly options: LossyHopOptions) {
    this.pid = child.pid ?? 0
    this.failed = new Promise<never>((_resolve, reject) => { this.failHop = reject })
    this.failed.catch(() => { /* observed by whoever awaits it */ })
    child.stderr?.on('data', (d: Buffer) => { if (this.stderr.length < 4096) this.stderr += d.toString() })
  }

  /** Resolves once the helper's table is in place; rejects when it fails or stays silent. */
  started (): Promise<LossyHop> {
    const { child } = this
    const timeoutMs = this.options.startTimeoutMs ?? 10_000
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL')
        reject(sockkitError('ERR_SOCKKIT_NO_ANSWER', 'lossyHopStartTimeout', { timeoutMs }))
      }, timeoutMs)
      child.on('error', err => { clearTimeout(timer); reject(err) })
      child.on('exit', (code, signal) => {
        clearTimeout(timer)
        const err = this.exitError(code, signal)
        if (!this.ready) reject(err)
        else if (!this.stopping) this.failHop(err)
        for (const p of this.pending.values()) p.reject(err)
        this.pending.clear()
        for (const wait of this.counterWaits.values()) wait(this.last)
        this.counterWaits.clear()
        this.onExit?.()
      })
      child.on('message', (message: ChildMessage, handle?: Socket) => {
        if (message.type === 'ready') {
          clearTimeout(timer)
          this.ready = true
          this.table = message.table
          resolve(this)
        } else if (message.type === 'error') {
          clearTimeout(timer)
          child.kill('SIGKILL')
          reject(Object.assign(new Error(message.message), { code: message.code }))
        } else {
          this.answer(message, handle)
        }
      })
      child.send({ type: 'start', loss: this.options.loss })
    })
  }

  private answer (message: ChildMessage, handle?: Socket): void {
    switch (message.type) {
      case 'near': case 'far': {
        const p = this.pending.get(message.id)
        if (!p || !handle) { handle?.destroy(); break }
        // A received handle becomes a socket with Node's defaults: keep half-closes as the relay relays them.
        handle.allowHalfOpen = true
        if (message.type === 'near') { p.near = handle; break }
        this.pending.delete(message.id)
        p.resolve({ near: p.near!, far: handle })
        break
      }
      case 'pair-failed':
        this.pending.get(message.id)?.reject(Object.assign(new Error(message.message), { code: message.code }))
        this.pending.delete(message.id)
        break
      case 'counters':
        this.last = { kernel: message.kernel, retransSegs: message.retransSegs }
        this.counterWaits.get(message.id)?.(this.last)
        this.counterWaits.delete(message.id)
        break
      case 'stopped':
        this.last = { kernel: message.kernel, retransSegs: message.retransSegs }
        break
      default: break
    }
  }

  private exitError (code: number | null, signal: string | null): Error {
    return sockkitError('ERR_SOCKKIT_NO_ANSWER', 'lossyHopExited', { signal, code, stderrLine: this.stderr ? this.stderr.trim().split('\n')[0]! : null })
  }

  private get alive (): boolean {
    return this.child.exitCode === null && this.child.signalCode === null && this.child.connected
  }

  pair (): Promise<{ near: Socket; far: Socket }> {
    return new Promise((resolve, reject) => {
      if (!this.alive || this.stopping) { reject(this.exitError(this.child.exitCode, this.child.signalCode)); return }
      const id = this.nextId++
      this.pending.set(id, { resolve, reject })
      this.child.send({ type: 'pair', id })
    })
  }

  counters (): Promise<LossyHopCounters> {
    return new Promise(resolve => {
      if (!this.alive || this.stopping) { resolve(structuredClone(this.last)); return }
      const id = this.nextId++
      this.counterWaits.set(id, resolve)
      this.child.send({ type: 'counters', id })
    })
  }

  stop (): Promise<LossyHopCounters> {
    this.stopping ??= new Promise<LossyHopCounters>(resolve => {
      if (this.child.exitCode !== null || this.child.signalCode !== null) { resolve(structuredClone(this.last)); return }
      // Resolved when the helper has exited: its last counters came just before.
      const killTimer = setTimeout(() => this.child.kill('SIGKILL'), this.options.stopTimeoutMs ?? 2000)
      this.onExit = () => { clearTimeout(killTimer); resolve(structuredClone(this.last)) }
      if (this.child.connected) this.child.send({ type: 'stop' })
      else this.child.kill('SIGKILL')
    })
    return this.stopping
  }
}

/**
 * Start the helper in a fresh user + network namespace. Rejects with ERR_SOCKKIT_NO_ANSWER
 * when it exits or stays silent before it is ready (no user namespace, no nft…).
 * The helper is detached (the terminal's Ctrl-C reaches only us) and watches the IPC channel,
 * so it ends with this process whatever way this one ends.
 */
export const startLossyHop = async (options: LossyHopOptions): Promise<LossyHop> => {
  const { file, args } = usernsCommand([process.execPath, childScript()])
  // Not our execArgv (a test runner's loader): the helper runs compiled JavaScript.
  const child = spawn(file, args, { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true, serialization: 'json' })
  return new HopProcess(child, options).started()
}
