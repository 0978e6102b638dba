/**
 * Re-run this command inside a private user + network namespace (src/net/userns.ts), so the
 * kernel can drop its packets without root. The re-run writes to the same stdout and stderr
 * and its exit code is ours; the first Ctrl-C is passed on to it once (it runs in its own
 * process group, so the terminal's SIGINT reaches only us). Design: docs/dev/userns.md.
 */
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { detectUserns, insideUserNamespace, USERNS_MARKER, usernsCommand, type TcpLossUnavailable } from '../net/userns.js'
import { EXIT_FAILURE, EXIT_INTERRUPTED } from './exit-codes.js'
import type { CliContext } from './io.js'

const BIN = fileURLToPath(new URL('../../bin/sockkit.js', import.meta.url))

/** Run `sockkit argv…` in a fresh user + network namespace; resolves with its exit code. */
export const reexecInUserns = (ctx: CliContext, argv: string[]): Promise<number> => new Promise((resolve, reject) => {
  const { io } = ctx
  // The real terminal: hand it over (colour, the live progress line). Tests' streams: copy into them.
  const own = io.stdout === process.stdout && io.stderr === process.stderr
  const { file, args } = usernsCommand([process.execPath, BIN, ...argv])
  const child = spawn(file, args, {
    env: { ...process.env, ...io.env, [USERNS_MARKER]: '1' },
    stdio: own ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
    detached: true,
  })
  child.stdout?.on('data', (d: Buffer) => io.stdout.write(d))
  child.stderr?.on('data', (d: Buffer) => io.stderr.write(d))
  const onAbort = () => child.kill('SIGINT')
  io.signal.addEventListener('abort', onAbort, { once: true })
  child.on('error', err => {
    io.signal.removeEventListener('abort', onAbort)
    reject(err)
  })
  child.on('close', (code, signal) => {
    io.signal.removeEventListener('abort', onAbort)
    resolve(code ?? (signal === 'SIGINT' ? EXIT_INTERRUPTED : EXIT_FAILURE))
  })
})

/**
 * Where TCP's loss comes from for `compare` (own reflector when `local`): undefined when the
 * kernel here can drop packets already (root, or already inside the namespace) or no TCP loss
 * is asked; `reexec` when a user namespace can give it; else why TCP will run without loss.
 */
export const tcpLossRoute = (
  io: CliContext['io'], ask: { loss: number; tcp: boolean; emulator: string; local: boolean },
): { reexec: true } | { unavailable: TcpLossUnavailable } | undefined => {
  if (ask.loss <= 0 || !ask.tcp || ask.emulator === 'userspace') return undefined
  if (process.platform !== 'linux') return { unavailable: 'not-linux' }
  if (process.getuid?.() === 0 || io.env[USERNS_MARKER] === '1' || insideUserNamespace()) return undefined
  if (!ask.local) return { unavailable: 'remote-target' }
  const check = detectUserns(io.env)
  return check.available ? { reexec: true } : { unavailable: check.reason }
}
