// Shared helpers for the benchmarks in bench/*.bench.js.
//
// Every measured server and every load generator runs in its OWN child process, so a
// server's memory (VmRSS from /proc/<pid>/status) is that server's alone and the load
// generator does not share its event loop. Children are started through
// `bash -c 'ulimit -n N && exec …'` so the file-descriptor limit can be raised without
// touching the parent; `exec` keeps the pid, so /proc/<pid> is the measured process.
//
// Run as a script (`node bench/lib.js <role> …`) this file is also the child side:
//   bare-echo-server <port> [backlog]  the baseline: net.createServer({ noDelay }, s => s.pipe(s))
//   hold-clients <port> <count>      open <count> connections in batches, echo one byte on each
//   stream-clients <port> <clients> <ms> <chunk>   stream and read back at once, report bytes
//   pingpong-clients <port> <clients> <ms> <size>  closed-loop small messages, report round trips
//   udp-bare-sender <port> <count> <size>  the udp-send baseline: connected dgram, send after send
// Children speak JSON lines on stdout and take commands as lines on stdin.

import { spawn, spawnSync } from 'node:child_process'
import { readFileSync, readdirSync, readlinkSync } from 'node:fs'
import { createSocket } from 'node:dgram'
import { createConnection, createServer } from 'node:net'
import { cpus, release } from 'node:os'
import { createInterface } from 'node:readline'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { LISTEN_BACKLOG } from '../dist/core/constants.js'

export const ROOT = fileURLToPath(new URL('..', import.meta.url))
export const BIN = fileURLToPath(new URL('../bin/sockkit.js', import.meta.url))
const SELF = fileURLToPath(import.meta.url)
const HOST = '127.0.0.1'

// ---------------------------------------------------------------------------------------
// Rows and formatting

/**
 * One figure. `ratio` defaults to value / baseline (null without a baseline); a bench with
 * interleaved rounds passes the median of its per-round ratios instead, which cancels a noisy
 * moment that hits one round of every server alike (a ratio of medians does not). `target`
 * says which way is good, e.g. { max: 1.5 } or { min: 0.9 }, and `met` whether the ratio is
 * inside it; { atLeast: 10000 } also asks the value itself for that much (a ratio of 1 is
 * met just as well when both servers fail alike, say under a low open-files limit).
 */
export const row = ({ name, value, unit, baseline = null, baselineName = null, note = '', target = null, ratio: givenRatio = null, ratioRange = null, noRatio = false }) => {
  const ratio = noRatio ? null : givenRatio ?? (typeof value === 'number' && typeof baseline === 'number' && baseline > 0 ? value / baseline : null)
  let met = null
  if (target && ratio !== null) met = (target.max === undefined || ratio <= target.max) && (target.min === undefined || ratio >= target.min)
  if (target?.atLeast !== undefined) met = (met ?? true) && typeof value === 'number' && value >= target.atLeast
  return { name, value, unit, baseline, baselineName, ratio, ...(ratioRange ? { ratioRange } : {}), note, ...(target ? { target, met } : {}) }
}

const fmtNumber = value => {
  if (typeof value !== 'number') return String(value ?? '—')
  if (Number.isInteger(value)) return String(value)
  return Math.abs(value) >= 100 ? value.toFixed(0) : Math.abs(value) >= 10 ? value.toFixed(1) : value.toFixed(2)
}

const fmtTarget = target => target ? [target.max !== undefined ? `≤ ${target.max}×` : '', target.min !== undefined ? `≥ ${target.min}×` : '', target.atLeast !== undefined ? `≥ ${target.atLeast}` : ''].filter(Boolean).join(' ') : ''

/** A plain-text table of rows (no colour: it is also pasted into docs). */
export const formatRows = rows => {
  const header = ['figure', 'value', 'baseline', 'ratio', 'target', 'note']
  const lines = rows.map(r => [
    r.name,
    `${fmtNumber(r.value)} ${r.unit ?? ''}`.trim(),
    r.baseline === null || r.baseline === undefined ? '—' : `${fmtNumber(r.baseline)} ${r.unit ?? ''} (${r.baselineName})`,
    r.ratio === null ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target ? `${fmtTarget(r.target)} ${r.met ? 'ok' : 'MISSED'}` : '',
    r.note ?? '',
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map(l => l[i].length)))
  const fmt = cells => cells.map((c, i) => i === cells.length - 1 ? c : c.padEnd(widths[i])).join('  ').trimEnd()
  return [fmt(header), fmt(widths.map(w => '-'.repeat(w))), ...lines.map(fmt)].join('\n')
}

export const median = values => {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// ---------------------------------------------------------------------------------------
// The machine

let cachedFdLimit
/**
 * The open-files limit children get: 30000 if bash may raise it that far (root can, up
 * to fs.nr_open, unless a container caps the hard limit), else the hard limit.
 */
export const fdLimit = () => {
  if (cachedFdLimit !== undefined) return cachedFdLimit
  const wanted = 30000
  const tryRaise = spawnSync('bash', ['-c', `ulimit -n ${wanted} 2>/dev/null && ulimit -n || ulimit -Hn`], { encoding: 'utf8' })
  const hard = Number(String(tryRaise.stdout).trim())
  cachedFdLimit = Number.isFinite(hard) && hard > 0 ? Math.min(wanted, hard) : 1024
  return cachedFdLimit
}

/** What the figures were measured on. */
export const machine = () => {
  const cpuList = cpus()
  return {
    cores: cpuList.length,
    cpu: cpuList[0]?.model?.trim() ?? 'unknown',
    node: process.version,
    kernel: release(),
    fdLimit: fdLimit(),
  }
}

/** The commit measured (`git rev-parse HEAD`), with "+dirty" when tracked files differ from it; null outside git. */
export const gitCommit = () => {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8', cwd: ROOT })
  if (head.status !== 0) return null
  const dirty = spawnSync('git', ['diff', '--quiet', 'HEAD', '--'], { encoding: 'utf8', cwd: ROOT }).status === 1
  return `${head.stdout.trim()}${dirty ? '+dirty' : ''}`
}

/** /proc/loadavg as read now (1, 5, 15 min load, running/total tasks), or null off Linux. */
export const loadAverage = () => {
  try {
    return readFileSync('/proc/loadavg', 'utf8').trim()
  } catch {
    return null
  }
}

export const describeMachine = m =>
  `${m.cores} cores (${m.cpu}), Node ${m.node}, Linux ${m.kernel}, children's open-files limit ${m.fdLimit}`

/** Resident memory of a process in KiB, from /proc/<pid>/status; null where there is no /proc. */
export const rssKiB = pid => {
  try {
    const match = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+)\s+kB/m)
    return match ? Number(match[1]) : null
  } catch {
    return null
  }
}

/** Sum of VmRSS over a process and all its descendants (fork-per-connection peers). */
export const treeRssKiB = pid => {
  let total = rssKiB(pid) ?? 0
  for (const child of childPids(pid)) total += treeRssKiB(child)
  return total
}

const childPids = pid => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number)
  } catch {
    return []
  }
}

export const which = command => {
  const found = spawnSync('bash', ['-c', `command -v ${command}`], { encoding: 'utf8' })
  return found.status === 0 ? found.stdout.trim() : null
}

// ---------------------------------------------------------------------------------------
// Children

const sleep = ms => new Promise(resolve => setTimeout(resolve, ms))

/** A port that was free a moment ago (we need it before the server prints anything). */
export const freePort = () => new Promise((resolve, reject) => {
  const probe = createServer()
  probe.once('error', reject)
  probe.listen(0, HOST, () => {
    const { port } = probe.address()
    probe.close(() => resolve(port))
  })
})

/** Resolves once something accepts TCP connections on the port (bounded). */
export const waitForListen = async (port, timeoutMs = 10_000) => {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const ok = await new Promise(resolve => {
      const socket = createConnection({ host: HOST, port })
      socket.once('connect', () => { socket.destroy(); resolve(true) })
      socket.once('error', () => resolve(false))
    })
    if (ok) return
    await sleep(50)
  }
  throw new Error(`nothing listened on ${HOST}:${port} within ${timeoutMs} ms`)
}

const live = new Set()
/** Kill every child still running (called on exit and between benches). */
export const killAll = () => {
  for (const child of live) {
    try { process.kill(-child.pid, 'SIGKILL') } catch { /* already gone */ }
    try { child.kill('SIGKILL') } catch { /* already gone */ }
  }
  live.clear()
}
process.once('exit', killAll)

/**
 * Spawn `argv` with the raised fd limit. `stderr` may be 'null' (to /dev/null, as a server
 * whose log nobody reads), 'pipe' or 'inherit'. Returns the child plus JSON-line helpers.
 */
export const spawnLimited = (argv, { stderr = 'pipe', stdin = 'pipe', cwd = ROOT } = {}) => {
  const quoted = argv.map(a => `'${String(a).replace(/'/g, `'\\''`)}'`).join(' ')
  const redirect = stderr === 'null' ? ' 2>/dev/null' : ''
  const child = spawn('bash', ['-c', `ulimit -n ${fdLimit()} && exec ${quoted}${redirect}`], {
    cwd,
    stdio: [stdin, 'pipe', stderr === 'null' ? 'ignore' : stderr],
    env: { ...process.env, NO_COLOR: '1' },
    detached: true, // own process group: a fork-per-connection peer dies with its children
  })
  live.add(child)
  const exited = new Promise(resolve => child.once('close', code => { live.delete(child); resolve(code) }))
  const messages = []
  const waiters = []
  createInterface({ input: child.stdout }).on('line', line => {
    let message
    try { message = JSON.parse(line) } catch { return }
    messages.push(message)
    for (const w of [...waiters]) w()
  })
  /** Next JSON message with `type`, within `timeoutMs`. */
  const next = (type, timeoutMs = 60_000) => new Promise((resolve, reject) => {
    const check = () => {
      const index = messages.findIndex(m => m.type === type)
      if (index !== -1) { done(); resolve(messages.splice(index, 1)[0]); return true }
      return false
    }
    const timer = setTimeout(() => { done(); reject(new Error(`child ${argv.join(' ')} sent no "${type}" within ${timeoutMs} ms`)) }, timeoutMs)
    const onExit = () => { if (!check()) { done(); reject(new Error(`child ${argv.join(' ')} exited before sending "${type}"`)) } }
    const done = () => { clearTimeout(timer); waiters.splice(waiters.indexOf(check), 1); child.off('close', onExit) }
    waiters.push(check)
    child.once('close', onExit)
    check()
  })
  const send = command => child.stdin?.write(`${JSON.stringify(command)}\n`)
  /** SIGTERM the process group, SIGKILL after a second; resolves when it is gone. */
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return
    try { process.kill(-child.pid, 'SIGTERM') } catch { /* gone */ }
    const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL') } catch { /* gone */ } }, 1000)
    await exited
    clearTimeout(timer)
  }
  return { child, pid: child.pid, next, send, stop, exited }
}

/**
 * The echo servers we measure. Each returns { name, port, pid, stop } once it accepts
 * connections. `pid` is the process whose memory counts (for fork-per-connection peers,
 * sum the tree with treeRssKiB).
 */
export const SERVERS = {
  // Configured as sockkit's tcp-server is (noDelay, listen backlog 4096), so the figures
  // compare the echo loop, not two settings.
  bare: {
    label: 'bare node:net',
    argv: port => [process.execPath, SELF, 'bare-echo-server', port, String(LISTEN_BACKLOG)],
  },
  // The same with Node's default listen backlog (511): only to show what the backlog does.
  bareDefaultBacklog: {
    label: 'bare node:net, Node\'s default backlog 511',
    argv: port => [process.execPath, SELF, 'bare-echo-server', port],
  },
  sockkitQuiet: {
    label: 'sockkit --quiet',
    argv: port => [process.execPath, BIN, 'tcp-server', port, '--quiet', '--max-connections', '20000', '--idle-timeout', '0'],
  },
  // Every default but the connection limit: an idle timer per connection, per-read lines.
  sockkitDefaults: {
    label: 'sockkit (defaults, --max-connections 20000)',
    argv: port => [process.execPath, BIN, 'tcp-server', port, '--max-connections', '20000'],
  },
  sockkitDefault: {
    label: 'sockkit (per-read lines)',
    argv: port => [process.execPath, BIN, 'tcp-server', port, '--max-connections', '20000', '--idle-timeout', '0'],
  },
  socat: {
    label: 'socat (fork, PIPE)',
    command: 'socat',
    argv: port => ['socat', `TCP-LISTEN:${port},bind=${HOST},fork,reuseaddr,backlog=1024`, 'PIPE'],
  },
  ncat: {
    label: 'ncat (-k --exec cat)',
    command: 'ncat',
    argv: port => ['ncat', '-l', '-k', '--max-conns', '100', HOST, String(port), '--exec', '/bin/cat'],
  },
}

/**
 * The TCP port a process is listening on, found through /proc: its socket inodes
 * (/proc/<pid>/fd) matched against the LISTEN entries of /proc/net/tcp{,6}. This lets a
 * server bind port 0 with its stderr going to /dev/null, so there is no race for a port.
 */
export const listeningPort = pid => {
  let inodes
  try {
    inodes = new Set(readdirSync(`/proc/${pid}/fd`).map(fd => {
      try { return readlinkSync(`/proc/${pid}/fd/${fd}`).match(/^socket:\[(\d+)\]$/)?.[1] } catch { return undefined }
    }).filter(Boolean))
  } catch {
    return null
  }
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = ''
    try { text = readFileSync(table, 'utf8') } catch { continue }
    for (const line of text.split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/)
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
      if (fields.length > 9 && fields[3] === '0A' && inodes.has(fields[9])) return parseInt(fields[1].split(':')[1], 16)
    }
  }
  return null
}

export const startServer = async kind => {
  const spec = SERVERS[kind]
  // Our own servers bind port 0 and we read the port from /proc; the peers need one named.
  const port = spec.command ? await freePort() : 0
  // stderr to /dev/null: the server's event lines are written (and paid for) but not read.
  const proc = spawnLimited(spec.argv(port), { stderr: 'null', stdin: 'ignore' })
  let exitedEarly = false
  proc.exited.then(() => { exitedEarly = true })
  try {
    const deadline = Date.now() + 10_000
    let found = spec.command ? port : null
    while (found === null && !exitedEarly && Date.now() < deadline) {
      found = listeningPort(proc.pid)
      if (found === null) await sleep(20)
    }
    if (exitedEarly) throw new Error(`${spec.label} exited before listening (code ${proc.child.exitCode})`)
    if (found === null) throw new Error(`${spec.label} did not listen within 10 s`)
    await waitForListen(found)
    return { kind, label: spec.label, port: found, pid: proc.pid, stop: proc.stop, exited: proc.exited }
  } catch (err) {
    await proc.stop()
    throw err
  }
}

export const startClients = (role, ...args) => spawnLimited([process.execPath, SELF, role, ...args.map(String)], { stderr: 'inherit' })

// ---------------------------------------------------------------------------------------
// Child roles

const emit = message => process.stdout.write(`${JSON.stringify(message)}\n`)
const commands = () => {
  const queue = []
  const waiting = []
  createInterface({ input: process.stdin }).on('line', line => {
    let command
    try { command = JSON.parse(line) } catch { return }
    const w = waiting.shift()
    if (w) w(command)
    else queue.push(command)
  })
  return () => queue.length ? Promise.resolve(queue.shift()) : new Promise(resolve => waiting.push(resolve))
}

/**
 * The baseline the issue names: a bare node:net echo server. noDelay as sockkit sets it;
 * `backlog` as given (sockkit's 4096), or Node's default (511) without it.
 */
const bareEchoServer = (port, backlog) => {
  const server = createServer({ noDelay: true }, socket => {
    socket.on('error', () => { /* a reset peer must not crash the baseline either */ })
    socket.pipe(socket)
  })
  server.listen({ port: Number(port), host: HOST, ...(backlog ? { backlog: Number(backlog) } : {}) })
}

/**
 * Open `count` connections in batches of `batch`, then send one byte on each and wait for
 * every echo. Reports { type: 'held', opened, echoed, failed, ms }, then waits for
 * { type: 'close' } to close them all and reports { type: 'closed' }.
 */
const holdClients = async (port, count, batch = 500) => {
  const next = commands()
  const sockets = []
  let failed = 0
  const started = Date.now()
  const deadline = started + 120_000
  for (let opened = 0; opened < count && Date.now() < deadline; opened += batch) {
    const size = Math.min(batch, count - opened)
    const results = await Promise.all(Array.from({ length: size }, () => new Promise(resolve => {
      const socket = createConnection({ host: HOST, port: Number(port) })
      socket.once('connect', () => resolve(socket))
      socket.once('error', () => { failed++; resolve(null) })
      socket.setTimeout(20_000, () => socket.destroy(new Error('connect timeout')))
    })))
    for (const socket of results) {
      if (!socket) continue
      socket.setTimeout(0)
      socket.on('error', () => { failed++ })
      sockets.push(socket)
    }
  }
  const openedMs = Date.now() - started
  // Echo one byte on every connection, batch by batch so the kernel's queues stay short.
  let echoed = 0
  for (let i = 0; i < sockets.length; i += batch) {
    await Promise.all(sockets.slice(i, i + batch).map(socket => new Promise(resolve => {
      const timer = setTimeout(resolve, 20_000)
      socket.once('data', () => { echoed++; clearTimeout(timer); resolve() })
      socket.write('x')
    })))
  }
  emit({ type: 'held', opened: sockets.length, echoed, failed, openMs: openedMs, ms: Date.now() - started })
  await next()
  await Promise.all(sockets.map(socket => new Promise(resolve => {
    socket.once('close', resolve)
    socket.end()
    setTimeout(() => socket.destroy(), 5000).unref()
  })))
  emit({ type: 'closed' })
  process.exit(0)
}

/**
 * `clients` connections each write `chunk`-byte buffers as fast as the socket takes them,
 * with at most `windowBytes` unanswered, and read the echo back, for `durationMs`.
 * Reports { type: 'streamed', bytesEchoed, ms, clients, mismatches: 0 } — bytes that came
 * back within the window (the echo of what was sent is the figure, both ways once).
 */
const streamClients = async (port, clients, durationMs, chunkBytes, windowBytes = 4 * 1024 * 1024) => {
  const chunk = Buffer.alloc(Number(chunkBytes), 'sockkit-bench ')
  const sockets = await Promise.all(Array.from({ length: Number(clients) }, () => new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port: Number(port) })
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })))
  let bytesEchoed = 0
  let running = true
  const started = process.hrtime.bigint()
  await Promise.all(sockets.map(socket => new Promise(resolve => {
    let sent = 0
    let received = 0
    let waitingForDrain = false
    const pump = () => {
      if (waitingForDrain) return
      while (running && sent - received < windowBytes) {
        sent += chunk.length
        if (!socket.write(chunk)) {
          waitingForDrain = true
          socket.once('drain', () => { waitingForDrain = false; pump() })
          return
        }
      }
    }
    socket.on('data', data => {
      received += data.length
      if (running) bytesEchoed += data.length
      if (running && sent - received < windowBytes / 2) pump()
      if (!running && received >= sent) socket.end()
    })
    socket.on('error', () => resolve())
    socket.on('close', () => resolve())
    setTimeout(() => {
      running = false
      if (received >= sent) socket.end()
      setTimeout(() => socket.destroy(), 5000).unref()
    }, Number(durationMs))
    pump()
  })))
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  emit({ type: 'streamed', bytesEchoed, ms: Math.min(ms, Number(durationMs)), clients: Number(clients) })
  process.exit(0)
}

/**
 * `clients` connections each send a `size`-byte message, wait for all of it to come back,
 * and repeat, for `durationMs` (closed loop, Nagle off). Every read on the server is then
 * one small message, which is where a per-read event line costs the most.
 * Reports { type: 'pingponged', roundTrips, ms }.
 */
const pingPongClients = async (port, clients, durationMs, size) => {
  const message = Buffer.alloc(Number(size), 'p')
  const sockets = await Promise.all(Array.from({ length: Number(clients) }, () => new Promise((resolve, reject) => {
    const socket = createConnection({ host: HOST, port: Number(port), noDelay: true })
    socket.once('connect', () => resolve(socket))
    socket.once('error', reject)
  })))
  let roundTrips = 0
  let running = true
  const started = process.hrtime.bigint()
  setTimeout(() => { running = false }, Number(durationMs))
  await Promise.all(sockets.map(socket => new Promise(resolve => {
    let pending = message.length
    socket.on('data', data => {
      pending -= data.length
      if (pending > 0) return
      roundTrips++
      if (!running) { socket.end(); return }
      pending = message.length
      socket.write(message)
    })
    socket.on('error', () => resolve())
    socket.on('close', () => resolve())
    setTimeout(() => socket.destroy(), Number(durationMs) + 5000).unref()
    socket.write(message)
  })))
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  emit({ type: 'pingponged', roundTrips, ms })
  process.exit(0)
}

/**
 * The bare Node sender udp-send is measured against: one connected socket, each datagram
 * sent from the previous one's callback (what the socket takes). Reports datagrams per
 * second from the first send to the last, as udp-send's summary does.
 */
const udpBareSender = (port, count, size) => {
  const socket = createSocket('udp4')
  const datagram = Buffer.alloc(Number(size), 0x2e)
  socket.connect(Number(port), HOST, () => {
    let sent = 0
    let first = 0
    const next = err => {
      if (err) { emit({ type: 'error', message: err.message }); process.exit(1) }
      const now = performance.now()
      if (sent === 1) first = now
      if (sent < Number(count)) { sent++; socket.send(datagram, next); return }
      emit({ type: 'udp-sent', sent, rate: (sent - 1) * 1000 / (now - first) })
      socket.close()
    }
    next(null)
  })
}

if (process.argv[1] && pathToFileURL(process.argv[1]).href === import.meta.url) {
  const [role, ...args] = process.argv.slice(2)
  if (role === 'bare-echo-server') bareEchoServer(args[0], args[1])
  else if (role === 'hold-clients') await holdClients(args[0], Number(args[1]), Number(args[2] ?? 500))
  else if (role === 'pingpong-clients') await pingPongClients(args[0], args[1], args[2], args[3])
  else if (role === 'udp-bare-sender') udpBareSender(args[0], args[1], args[2])
  else if (role === 'stream-clients') await streamClients(args[0], args[1], args[2], args[3])
  else {
    process.stderr.write(`bench/lib.js: unknown role "${role}"\n`)
    process.exit(2)
  }
}
