/**
 * Private user + network namespaces (as `unshare --user --map-root-user --net` makes): where
 * an unprivileged user is root over its own loopback, so nftables can drop packets and TCP
 * really retransmits — without sudo. Detection and the command line; the CLI does the spawning.
 * Design: docs/dev/userns.md.
 */
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'

/** Set in the environment of a sockkit re-run inside the namespace (so it does not re-run again). */
export const USERNS_MARKER = 'SOCKKIT_IN_USERNS'
/** `SOCKKIT_NO_USERNS=1`: never use a user namespace (testing, or a machine where it misbehaves). */
export const NO_USERNS = 'SOCKKIT_NO_USERNS'

/** Why TCP could not be exposed to kernel loss: data, worded by the catalogue. */
export type TcpLossUnavailable =
  | 'not-linux' | 'userns-refused' | 'tools-missing' | 'userns-off' | 'remote-target' | 'no-kernel'

export type UsernsCheck = { available: true } | { available: false; reason: TcpLossUnavailable; detail?: string }

/** Adds sbin to PATH (an ordinary user's PATH often lacks it), brings loopback up, then runs "$@". */
const PRELUDE = 'PATH="$PATH:/usr/sbin:/sbin"; ip link set lo up && exec "$@"'

/** The command that runs `command…` inside a fresh user + network namespace with loopback up. */
export const usernsCommand = (command: string[]): { file: string; args: string[] } => ({
  file: 'unshare',
  args: ['--user', '--map-root-user', '--net', '--', 'sh', '-c', PRELUDE, 'sh', ...command],
})

/**
 * Whether this process runs in a user namespace that maps its uid 0 to someone else (the
 * initial namespace maps `0 0 4294967295`). Inside, "root" owns only the namespace's network.
 */
export const insideUserNamespace = (): boolean => {
  try {
    const first = readFileSync('/proc/self/uid_map', 'utf8').trim().split(/\s+/)
    return !(first[0] === '0' && first[1] === '0' && first[2] === '4294967295')
  } catch {
    return false
  }
}

let cached: UsernsCheck | undefined

/**
 * Can this user make a private user + network namespace with nftables in it? Tries it once
 * (a throwaway namespace that lists its own empty ruleset; nothing outside changes) and
 * remembers the answer for the process.
 */
export const detectUserns = (env: Record<string, string | undefined> = process.env): UsernsCheck => {
  if (env[NO_USERNS] !== undefined && env[NO_USERNS] !== '' && env[NO_USERNS] !== '0') return { available: false, reason: 'userns-off' }
  if (process.platform !== 'linux') return { available: false, reason: 'not-linux' }
  if (cached) return cached
  const { file, args } = usernsCommand(['nft', 'list', 'tables'])
  const tried = spawnSync(file, args, { encoding: 'utf8', timeout: 5000, stdio: ['ignore', 'ignore', 'pipe'] })
  const stderr = String(tried.stderr ?? '').trim().split('\n')[0] ?? ''
  if (tried.error || tried.status === 127 || /not found|No such file/.test(stderr)) {
    cached = { available: false, reason: 'tools-missing', detail: tried.error?.message ?? stderr }
  } else if (tried.status !== 0) {
    cached = { available: false, reason: 'userns-refused', detail: stderr || `exit ${tried.status}` }
  } else {
    cached = { available: true }
  }
  return cached
}
