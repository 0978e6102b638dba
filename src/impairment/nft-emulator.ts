import { spawn } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { sockkitError } from '../core/errors.js'
import { insideUserNamespace } from '../net/userns.js'
import { emptyCounters, type ImpairmentCounters, type KernelReason, type NetemReason } from './model.js'

/** Where `nft` is looked for (root's PATH does not always include sbin). */
const NFT_CANDIDATES = ['nft', '/usr/sbin/nft', '/sbin/nft']
/** How often the watchdog checks that the run that owns the table is still alive, ms. */
const WATCHDOG_POLL_MS = 250
/** How long one nft (or unshare/tc) run may take, and how much output it may write. */
const RUN_TIMEOUT_MS = 10_000
const RUN_MAX_BYTES = 8 * 1024 * 1024

/** What this machine lets the kernel emulator do. */
export interface KernelSupport {
  linux: boolean
  root: boolean
  /** The nft binary that answered `nft --version`, if any. */
  nft?: string
  /** Whether the kernel has the netem qdisc; undefined when it could not be checked. */
  netem?: boolean
  /** true when loss can be applied by the kernel here. */
  available: boolean
  /** Why it is not available, or what it can do, as a code (the catalogue's `impairment.kernelReason` words it). */
  reason: KernelReason
  /** Root only inside a private user namespace (sockkit re-ran itself there): the table drops only there. */
  userns?: boolean
  /** What was found about netem, as a code, for "delay needs netem, and …" (`impairment.netemReason`). */
  netemReason: NetemReason
}

/**
 * Run nft (or unshare/tc) to completion. Each child gets its own process group (`detached`):
 * a terminal's Ctrl-C goes to the whole foreground group, and an `nft -f -` killed by it
 * half-way through start-up was reported as "nft refused the loss table" (exit 1) instead of
 * the Ctrl-C it was. The Ctrl-C is ours to act on; nft finishes its few milliseconds of work.
 */
const run = (file: string, args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise(resolve => {
    // execFile would drop `detached`: spawn, with execFile's timeout and output cap kept by hand.
    const child = spawn(file, args, { detached: true, stdio: ['pipe', 'pipe', 'pipe'] })
    const out: Buffer[] = []
    const err: Buffer[] = []
    let size = 0
    const collect = (into: Buffer[]) => (d: Buffer) => {
      size += d.length
      if (size > RUN_MAX_BYTES) child.kill('SIGKILL')
      else into.push(d)
    }
    child.stdout.on('data', collect(out))
    child.stderr.on('data', collect(err))
    const timer = setTimeout(() => child.kill('SIGKILL'), RUN_TIMEOUT_MS)
    const done = (code: number) => {
      clearTimeout(timer)
      resolve({ code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() })
    }
    // Not installed (ENOENT) or not runnable: 127, as a shell says it.
    child.on('error', () => done(127))
    child.on('close', (code: number | null) => done(code ?? 127))
    // A child that died before reading its input: its exit code says so, not an EPIPE crash.
    child.stdin.on('error', () => {})
    child.stdin.end(input)
  })

/** Find a working nft binary, or undefined. */
export const findNft = async (): Promise<string | undefined> => {
  for (const candidate of NFT_CANDIDATES) {
    if ((await run(candidate, ['--version'])).code === 0) return candidate
  }
  return undefined
}

/**
 * Whether the kernel has netem: try to add a netem qdisc to the loopback of a throwaway
 * network namespace (`unshare --net`), which touches nothing outside it. Root only.
 */
export const detectNetem = async (): Promise<{ netem: boolean | undefined; reason: NetemReason }> => {
  const tried = await run('unshare', ['--net', 'tc', 'qdisc', 'add', 'dev', 'lo', 'root', 'netem', 'delay', '1ms'])
  if (tried.code === 0) return { netem: true, reason: { code: 'netemUndriven' } }
  if (/unknown|No such file|not supported/i.test(tried.stderr) && !/exec|not found/i.test(tried.stderr)) {
    return { netem: false, reason: { code: 'noNetem' } }
  }
  return { netem: undefined, reason: { code: 'netemUnchecked', detail: tried.stderr.trim().split('\n')[0] || `exit ${tried.code}` } }
}

/** Check platform, privileges, nft and netem. Never changes anything outside a throwaway namespace. */
export const detectKernelSupport = async (): Promise<KernelSupport> => {
  const linux = process.platform === 'linux'
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (!linux) {
    return { linux, root, available: false, reason: { code: 'needsLinux', platform: process.platform }, netemReason: { code: 'netemLinuxOnly' } }
  }
  const nft = await findNft()
  const netem = root ? await detectNetem() : { netem: undefined, reason: { code: 'netemNeedsRoot' } as const }
  if (!root) {
    return { linux, root, ...(nft ? { nft } : {}), available: false, reason: { code: 'needsRoot' }, netemReason: netem.reason }
  }
  if (!nft) {
    return { linux, root, netem: netem.netem, available: false, reason: { code: 'needsNft' }, netemReason: netem.reason }
  }
  if (insideUserNamespace()) {
    return { linux, root, nft, netem: netem.netem, available: true, userns: true, reason: { code: 'availableUserns' }, netemReason: netem.reason }
  }
  return { linux, root, nft, netem: netem.netem, available: true, reason: { code: 'available' }, netemReason: netem.reason }
}

/**
 * Table names are `sockkit_<pid>_<start>_<n>`: the owner's pid and its start time (field 22 of
 * /proc/<pid>/stat, clock ticks since boot), so a later run can tell a dead owner from a live
 * one — even when the pid has since been given to another process. `start` is 0 where /proc
 * cannot be read.
 */
export const tableNameFor = (pid: number, n: number, startTime: number = processStartTime(pid) ?? 0): string =>
  `sockkit_${pid}_${startTime}_${n}`

/**
 * The owner of a sockkit table name (`startTime` when the name records one: older names
 * `sockkit_<pid>_<n>` and `sockkit_<pid>` do not), or undefined for any other table.
 */
export const parseTableName = (name: string): { pid: number; startTime?: number } | undefined => {
  const withStart = /^sockkit_(\d+)_(\d+)_\d+$/.exec(name)
  if (withStart) return { pid: Number(withStart[1]), startTime: Number(withStart[2]) }
  const m = /^sockkit_(\d+)(?:_\d+)?$/.exec(name)
  return m ? { pid: Number(m[1]) } : undefined
}

/**
 * State and start time of a process from /proc/<pid>/stat, or undefined when it does not
 * exist or /proc cannot be read. The command name (field 2) may hold spaces and ')', so the
 * fields are counted from the last ')': state is field 3, start time field 22.
 */
export const readProcStat = (pid: number): { state: string; startTime: number } | undefined => {
  let text: string
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8')
  } catch {
    return undefined
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ')
  const startTime = Number(fields[19])
  return fields[0] && Number.isFinite(startTime) ? { state: fields[0], startTime } : undefined
}

/** This process's (or `pid`'s) start time in clock ticks since boot, or undefined without /proc. */
export const processStartTime = (pid: number = process.pid): number | undefined => readProcStat(pid)?.startTime

const signalAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (e) {
    // EPERM: it exists but belongs to someone else.
    return (e as { code?: string }).code === 'EPERM'
  }
}

/**
 * Whether the process that made a table still runs. With /proc: gone, a zombie (exited,
 * not yet reaped: state Z or X) or a different start time (the pid was reused) all count as
 * dead. Without /proc, only the signal check is possible.
 */
export const ownerAlive = (owner: { pid: number; startTime?: number }): boolean => {
  const stat = readProcStat(owner.pid)
  if (stat === undefined) return existsSync('/proc/self/stat') ? false : signalAlive(owner.pid)
  if (stat.state === 'Z' || stat.state === 'X') return false
  return owner.startTime === undefined || owner.startTime === 0 || stat.startTime === owner.startTime
}

/** Options for {@link NftLoss}. */
export interface NftLossOptions {
  /** Drop probability, percent 0–100, applied to each direction independently (granularity 0.01%). */
  loss: number
  /** Ports whose packets are dropped: a packet to one (dport) is client→server, from one (sport) is server→client. */
  ports: number[]
  /** Protocols matched. Default both. */
  protocols?: Array<'tcp' | 'udp'>
  /** The nft binary. Default: found with {@link findNft}. */
  nft?: string
  /** Start a detached watchdog that deletes the table if this process dies. Default true. */
  watchdog?: boolean
  /** Stop (delete the table) when aborted. */
  signal?: AbortSignal
}

let tablesThisProcess = 0

/**
 * The nftables ruleset for one run. Each packet is judged exactly once: in `prerouting` when
 * it arrives at this host (loopback packets included: they "arrive" after being sent), and in
 * `postrouting` only when it leaves for another host. Dropping on arrival rather than in
 * `output` matters: a packet dropped in the local output path makes the sender's sendto()
 * fail with EPERM, which no real network does; dropped on arrival, it is silently gone.
 * (A packet to another host can only be dropped on its way out; its local UDP sender may
 * then see EPERM.) A packet from one of our ports to another is judged only as client→server.
 */
export const buildRuleset = (table: string, options: Pick<NftLossOptions, 'loss' | 'ports' | 'protocols'>): string => {
  const ports = [...new Set(options.ports)].sort((a, b) => a - b).join(', ')
  const threshold = Math.round(options.loss * 100)
  const rules = (prefix: string) => {
    const lines: string[] = []
    // One set of rules per protocol, so the counters tell TCP and UDP apart.
    for (const protocol of options.protocols ?? ['tcp', 'udp']) {
      const toPort = `${prefix}meta l4proto ${protocol} th dport { ${ports} }`
      const fromPort = `${prefix}meta l4proto ${protocol} th sport { ${ports} } th dport != { ${ports} }`
      lines.push(`${toPort} counter comment "seen c2s ${protocol}"`, `${fromPort} counter comment "seen s2c ${protocol}"`)
      if (threshold > 0) {
        lines.push(`${toPort} numgen random mod 10000 < ${threshold} counter drop comment "drop c2s ${protocol}"`)
        lines.push(`${fromPort} numgen random mod 10000 < ${threshold} counter drop comment "drop s2c ${protocol}"`)
      }
    }
    return lines.map(l => `    ${l}`).join('\n')
  }
  return `table inet ${table} {
  chain arriving {
    type filter hook prerouting priority -10; policy accept;
${rules('')}
  }
  chain leaving {
    type filter hook postrouting priority -10; policy accept;
${rules('oifname != "lo" ')}
  }
}
`
}

/** Kernel counters per protocol: only the protocols the table has rules for. */
export interface NftCounters { tcp?: ImpairmentCounters; udp?: ImpairmentCounters }

/**
 * Sum the named counters of a table from `nft -j list table` output, per protocol and
 * direction. A protocol the table has no rules for is absent (not all zeros).
 */
export const parseNftCounters = (json: string): NftCounters => {
  const counters: NftCounters = {}
  const parsed = JSON.parse(json) as { nftables?: Array<{ rule?: { comment?: string; expr?: Array<Record<string, unknown>> } }> }
  for (const item of parsed.nftables ?? []) {
    const rule = item.rule
    const m = /^(seen|drop) (c2s|s2c) (tcp|udp)$/.exec(rule?.comment ?? '')
    if (!m) continue
    const counter = rule!.expr?.find(e => 'counter' in e)?.counter as { packets?: number } | undefined
    const byProtocol = counters[m[3] as 'tcp' | 'udp'] ??= emptyCounters()
    const dir = m[2] === 'c2s' ? byProtocol.clientToServer : byProtocol.serverToClient
    if (m[1] === 'seen') dir.received += counter?.packets ?? 0
    else dir.dropped += counter?.packets ?? 0
  }
  for (const byProtocol of [counters.tcp, counters.udp]) {
    if (!byProtocol) continue
    for (const dir of [byProtocol.clientToServer, byProtocol.serverToClient]) dir.forwarded = dir.received - dir.dropped
  }
  return counters
}

/**
 * Delete sockkit tables whose owning process is gone (a run that was killed before its
 * watchdog could clean up; see {@link ownerAlive}). Returns the names deleted.
 */
export const cleanupStaleTables = async (nft?: string): Promise<string[]> => {
  const bin = nft ?? await findNft()
  if (!bin) return []
  const listed = await run(bin, ['-j', 'list', 'tables'])
  if (listed.code !== 0) return []
  const deleted: string[] = []
  let parsed: { nftables?: Array<{ table?: { family: string; name: string } }> }
  try {
    parsed = JSON.parse(listed.stdout) as typeof parsed
  } catch {
    return []
  }
  for (const item of parsed.nftables ?? []) {
    const table = item.table
    if (!table || table.family !== 'inet') continue
    const owner = parseTableName(table.name)
    if (!owner || owner.pid === process.pid || ownerAlive(owner)) continue
    if ((await run(bin, ['delete', 'table', 'inet', table.name])).code === 0) deleted.push(table.name)
  }
  return deleted
}

/**
 * The sweep every compare, link and serve does at start: on Linux as root with nft, delete the
 * tables of runs that died (one `nft -j list tables`, plus a delete per stale table); anywhere
 * else, nothing — silently, since without root no table could have been made. Never rejects.
 * Returns the names deleted.
 */
export const sweepStaleTables = async (): Promise<string[]> => {
  if (process.platform !== 'linux' || typeof process.getuid !== 'function' || process.getuid() !== 0) return []
  try {
    return await cleanupStaleTables()
  } catch {
    return []
  }
}

/** The watchdog: polls the owner's pid and deletes the table once the owner is gone. */
const WATCHDOG_SOURCE = `
const { spawnSync } = require('node:child_process')
const { readFileSync } = require('node:fs')
const [ownerPid, table, nft, ownerStart] = process.argv.slice(1)
process.on('SIGINT', () => {})
process.on('SIGHUP', () => {})
// Gone: no such pid, a zombie (exited, not reaped), or another process under the same pid.
const gone = () => {
  let stat
  try { stat = readFileSync('/proc/' + ownerPid + '/stat', 'utf8') } catch {
    try { process.kill(Number(ownerPid), 0); return false } catch (e) { return e.code === 'ESRCH' }
  }
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return fields[0] === 'Z' || fields[0] === 'X' || (ownerStart !== '0' && fields[19] !== ownerStart)
}
const timer = setInterval(() => {
  if (!gone()) return
  clearInterval(timer)
  spawnSync(nft, ['delete', 'table', 'inet', table], { stdio: 'ignore' })
  process.exit(0)
}, ${WATCHDOG_POLL_MS})
`

/** Counters and name of a running kernel-loss table. */
export interface NftLossSummary {
  table: string
  counters: NftCounters
  /** Stale tables of dead runs removed at start. */
  staleTablesRemoved: string[]
}

/**
 * Real packet loss in the kernel: a temporary nftables table `inet sockkit_<pid>_<start>_<n>` that
 * drops the given share of packets to and from `ports`. Removed by {@link NftLoss.stop}, on
 * abort, and — if this process dies first — by a detached watchdog; every start (and
 * {@link sweepStaleTables}) also removes tables whose owner is dead.
 */
export class NftLoss {
  readonly table: string
  readonly nft: string
  readonly staleTablesRemoved: string[]
  private watchdogPid: number | undefined
  private stopped: Promise<NftLossSummary> | undefined
  private lastCounters: NftCounters = {}

  private constructor (table: string, nft: string, stale: string[]) {
    this.table = table
    this.nft = nft
    this.staleTablesRemoved = stale
  }

  /** Install the table. Rejects with ERR_SOCKKIT_UNSUPPORTED when nft is missing or refuses. */
  static async start (options: NftLossOptions): Promise<NftLoss> {
    if (!(options.loss >= 0 && options.loss <= 100)) throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'impairmentNftLossRange', { value: options.loss })
    if (options.ports.length === 0 || options.ports.some(p => !Number.isInteger(p) || p < 1 || p > 65535)) {
      throw sockkitError('ERR_SOCKKIT_INVALID_ARG', 'impairmentNftPorts', { ports: options.ports })
    }
    const nft = options.nft ?? await findNft()
    if (!nft) throw sockkitError('ERR_SOCKKIT_UNSUPPORTED', 'impairmentNftMissing', {})
    const stale = await cleanupStaleTables(nft)
    const table = tableNameFor(process.pid, ++tablesThisProcess)
    const loaded = await run(nft, ['-f', '-'], buildRuleset(table, options))
    if (loaded.code !== 0) {
      throw sockkitError('ERR_SOCKKIT_UNSUPPORTED', 'impairmentNftRefused', { detail: loaded.stderr.trim().split('\n')[0] || `exit ${loaded.code}` })
    }
    const emulator = new NftLoss(table, nft, stale)
    if (options.watchdog ?? true) emulator.startWatchdog()
    options.signal?.addEventListener('abort', () => { void emulator.stop() }, { once: true })
    return emulator
  }

  /** Pid of the watchdog process, while it runs. */
  get watchdog (): number | undefined {
    return this.watchdogPid
  }

  private startWatchdog (): void {
    const child = spawn(process.execPath, ['-e', WATCHDOG_SOURCE, String(process.pid), this.table, this.nft, String(processStartTime() ?? 0)], {
      detached: true, stdio: 'ignore',
    })
    child.on('error', () => { /* no watchdog: the next start's stale sweep still cleans up */ })
    child.unref()
    this.watchdogPid = child.pid
  }

  /** Packets seen and dropped per direction, read from the table's counters. */
  async counters (): Promise<NftCounters> {
    if (this.stopped) return structuredClone(this.lastCounters)
    const listed = await run(this.nft, ['-j', 'list', 'table', 'inet', this.table])
    if (listed.code === 0) this.lastCounters = parseNftCounters(listed.stdout)
    return structuredClone(this.lastCounters)
  }

  /** Read the final counters, delete the table and end the watchdog. Safe to call twice. */
  stop (): Promise<NftLossSummary> {
    this.stopped ??= (async () => {
      const listed = await run(this.nft, ['-j', 'list', 'table', 'inet', this.table])
      if (listed.code === 0) this.lastCounters = parseNftCounters(listed.stdout)
      await run(this.nft, ['delete', 'table', 'inet', this.table])
      if (this.watchdogPid !== undefined) {
        try { process.kill(this.watchdogPid, 'SIGTERM') } catch { /* already gone */ }
        this.watchdogPid = undefined
      }
      return { table: this.table, counters: structuredClone(this.lastCounters), staleTablesRemoved: this.staleTablesRemoved }
    })()
    return this.stopped
  }
}

/** Install a kernel loss table; see {@link NftLoss}. */
export const startNftLoss = (options: NftLossOptions): Promise<NftLoss> => NftLoss.start(options)
