import { createSocket } from 'node:dgram'
import { lookup } from 'node:dns/promises'
import type { Readable } from 'node:stream'
import {
  DEFAULT_PREVIEW_BYTES, DEFAULT_UDP_WAIT_MS, MAX_UDP_PAYLOAD_IPV4, MAX_UDP_PAYLOAD_IPV6,
} from '../core/constants.js'
import { datagramTooBig, invalidArg } from '../core/errors.js'
import { formatAddress, isLoopback } from '../core/addresses.js'
import { preview } from '../core/preview.js'
import { encodeSeq, parseSeq, seqPrefixBytes } from '../core/seq-prefix.js'
import { requestRecvBufferSize } from '../net/socket-buffer.js'
import { SequenceTracker } from '../core/sequence-tracker.js'
import { achievedRate, SendSchedule, type SendLag } from './udp-send-pacing.js'
import { diffSnmp, readSnmp, udpCounterDelta, udpFamilyOf, type SnmpCounters, type SnmpDelta } from '../net/snmp.js'

/**
 * Stands in for a message too long to keep in memory: only its length is known, and it
 * is reported as not sent. {@link datagramLines} yields these for over-long lines.
 */
export interface DiscardedMessage { discardedBytes: number }

/** One message to send: its bytes, or a {@link DiscardedMessage}. */
export type UdpMessage = Uint8Array | DiscardedMessage

/** Options for {@link udpSend}. */
export interface UdpSendOptions {
  /** Host name or address to send to. */
  host: string
  /** Port to send to, 1–65535. */
  port: number
  /** The messages; each becomes one datagram (`count` of them). May be async (stdin lines). */
  messages: Iterable<UdpMessage> | AsyncIterable<UdpMessage>
  /** Datagrams sent per message. Default 1. */
  count?: number
  /** Ms between datagrams. Default 0: as fast as the socket takes them. Not with `ratePerSecond`. */
  intervalMs?: number
  /** Datagrams per second; another way to give `intervalMs`. */
  ratePerSecond?: number
  /**
   * Pad every datagram with '.' to exactly this many bytes (the seq prefix included).
   * At most 65507 over IPv4, 65527 over IPv6. A longer message is not sent.
   */
  sizeBytes?: number
  /** Prefix each datagram with `seq=<n> ` (from 1) and analyse the replies' numbers. */
  seq?: boolean
  /**
   * Ms to keep collecting replies after the last send (UDP has no end-of-stream). Default
   * 1000. Not waited when nothing was sent (empty input, or every message too long).
   */
  waitMs?: number
  /** Bytes of each datagram shown in its preview. Default 48. */
  previewBytes?: number
  /**
   * Use an unconnected socket that accepts replies from any address and port (a server
   * that answers from another socket, such as Java's `new DatagramSocket()`). The price:
   * an ICMP "port unreachable" is not reported, so "nothing is listening" cannot be told
   * from "no reply". Default false: a connected socket, which hears only HOST:PORT.
   * (On Windows no mode reports it: see {@link udpSend}.)
   */
  anySource?: boolean
  /**
   * Socket receive buffer to ask the kernel for, bytes (SO_RCVBUF). Default: the system's.
   * If the kernel refuses it (macOS, above kern.ipc.maxsockbuf), the run goes on with the
   * default, and `ready` says so in `recvBufferRefused`.
   */
  recvBufferSize?: number
  /**
   * Go on after a "port unreachable" (ECONNREFUSED on the connected socket): a `refused`
   * event instead of an error, for a person typing lines who may start the server next.
   * Default false: the run ends with the error.
   */
  keepGoingWhenRefused?: boolean
  /** Emit a `sent` event per datagram. Default true; false saves its preview at high rates. */
  sentEvents?: boolean
  /** Stops sending and waiting; the result so far is returned with `aborted: true`. */
  signal?: AbortSignal
  /** Receives every event, in order. Must not throw. */
  onEvent?: (event: UdpSendEvent) => void
}

/** Why a message was not sent. */
export type NotSentReason =
  /** Longer than one UDP datagram can carry (65507 bytes over IPv4, 65527 over IPv6). */
  | 'over-udp-limit'
  /** Longer than `sizeBytes`, so it cannot be padded to that size. */
  | 'over-size'

export type UdpSendEvent =
  /**
   * The socket is ready. `connected`: false with `anySource`. `recvBufferSize`: bytes the
   * kernel granted (Linux reports double what was asked for). `kernelDropCounter`: whether
   * the kernel's drop counter can be read here (Linux /proc/net/snmp). `recvBufferRefused`:
   * the system's error code (ENOBUFS…) when the kernel refused `requestedRecvBufferSize`;
   * `recvBufferSize` is then its default.
   */
  | {
    type: 'ready'; localAddress: string; localPort: number; remoteAddress: string; remotePort: number; family: 'IPv4' | 'IPv6'; maxDatagramBytes: number
    connected: boolean; recvBufferSize: number; requestedRecvBufferSize?: number; recvBufferRefused?: string; kernelDropCounter: boolean
  }
  | { type: 'sent'; messageIndex: number; seq?: number; bytes: number; preview: string }
  | { type: 'not-sent'; messageIndex: number; bytes: number; datagramBytes: number; limitBytes: number; reason: NotSentReason }
  /** `fromTarget`: false when the reply came from another address or port (only with `anySource`). */
  | { type: 'reply'; remoteAddress: string; remotePort: number; fromTarget: boolean; bytes: number; preview: string; data: Buffer; seq?: number }
  | { type: 'waiting'; waitMs: number }
  /** The host said nothing listens on the port ('port unreachable'); only with `keepGoingWhenRefused`. */
  | { type: 'refused'; remoteAddress: string; remotePort: number }

/** What `--seq` found in the replies (RFC 4737 reordering, via SequenceTracker). */
export interface UdpSeqReport {
  /** Numbered datagrams sent (1…sent). */
  sent: number
  /** Sent numbers that came back at least once. */
  matched: number
  /**
   * Sent numbers with no numbered reply within the wait — or, when the run was stopped
   * (`aborted`), no reply yet when it stopped: the wait was cut short, so these are
   * unanswered, not known to be lost. `null` when replies came back but
   * none carried a number (the server answered in its own words): loss cannot be told from
   * them. With some numbered and some unnumbered replies, loss is judged from the numbered
   * ones (an unnumbered reply may answer a number counted here as lost).
   */
  lost: number | null
  /** The first 100 numbers counted in `lost` (empty when `lost` is null). */
  lostSeqs: number[]
  /** Replies that repeated a number already answered. */
  duplicates: number
  /** Replies whose number was below the next expected one. */
  reordered: number
  maxReorderExtent: number
  /** Replies without a `seq=` prefix. */
  unnumbered: number
  /** Numbered replies with a number we never sent. */
  unknown: number
  /** Replies that carried several `seq=` lines (a server merged datagrams); their numbers count as answered. */
  merged: number
  /** The numbers after the first in those replies (the first 100). */
  mergedSeqs: number[]
}

/** The pace of the sends (see udp-send-pacing.ts). */
export interface UdpSendPace {
  /** Datagrams per second asked (by rate or interval); null: as fast as the socket takes them. */
  askedRate: number | null
  /** Datagrams per second from the first send to the last; null with fewer than two sends. */
  achievedRate: number | null
  /** With a rate: how far sends fell behind their due time. */
  lag?: SendLag
  /** Sends the kernel refused for lack of buffer space (ENOBUFS), each retried. */
  refusals: number
}

/** Returned by {@link udpSend}. */
export interface UdpSendResult {
  remoteAddress: string
  remotePort: number
  localAddress: string
  localPort: number
  /** Datagrams handed to the kernel. */
  sent: number
  bytesSent: number
  /** Messages refused before sending (too long); see the `not-sent` events. */
  notSent: number
  replies: number
  bytesReceived: number
  /** Present when `seq` was on. */
  seq?: UdpSeqReport
  /** False with `anySource` (an unconnected socket). */
  connected: boolean
  /** Replies from an address or port other than the target (only with `anySource`). */
  repliesFromOthers: number
  /** Receive buffer the kernel granted, bytes. */
  recvBufferSize: number
  /**
   * Rise in the kernel's `RcvbufErrors` for the target's family during the run (`Udp` for
   * IPv4, `Udp6` from /proc/net/snmp6 for IPv6): datagrams dropped because a receive
   * buffer was full. A machine-wide counter (any socket on this machine, ours included);
   * null where it cannot be told (not Linux, no IPv6 counters, counter went backwards).
   */
  kernelDrops: number | null
  /** Rise in `InErrors` for the same family (includes RcvbufErrors, and checksum and memory errors); null when unknown. */
  kernelInErrors: number | null
  /** From the first send to the end of the wait, ms. */
  durationMs: number
  /** How the sending went: the rate asked and reached, and the lag behind the schedule. */
  sending: UdpSendPace
  /** Stopped through the signal. */
  aborted: boolean
}

/** The largest UDP payload for an address family. */
export const maxDatagramBytes = (family: 'IPv4' | 'IPv6'): number =>
  family === 'IPv6' ? MAX_UDP_PAYLOAD_IPV6 : MAX_UDP_PAYLOAD_IPV4

const PAD = 0x2e // '.'

/** Linux's default socket receive buffer (net.core.rmem_default), as getRecvBufferSize() reports it. */
const USUAL_RECV_BUFFER_BYTES = 212_992

/**
 * Datagrams a burst sends before it lets the event loop read replies (see sendCopies): as
 * many as the replies to them could fill half of the receive buffer — the usual one, or the
 * granted one when it is larger. A buffer made smaller on purpose (--rcvbuf 4096) still shows
 * replies dropped during a burst, which is what a class shrinks it to see. The kernel charges
 * a datagram about twice its size plus 1 KiB (measured on Linux 6: 832 bytes for a 14-byte
 * one, 2.3 KiB for 1400, 17 KiB for 8000). Capped at 128: a turn of the event loop (an epoll
 * call) then costs about 2% of a run's CPU; every 16 datagrams it cost 12%.
 */
const burstLength = (recvBufferSize: number, datagramBytes: number): number =>
  Math.max(1, Math.min(128, Math.floor(Math.max(recvBufferSize, USUAL_RECV_BUFFER_BYTES) / 2 / (2 * datagramBytes + 1024))))

/**
 * Send each message as one UDP datagram to host:port, then keep collecting replies for
 * `waitMs`. By default over a connected socket: it only hears the peer it sends to, and
 * the kernel turns an ICMP "port unreachable" into ECONNREFUSED, which rejects the promise
 * (with `host` and `port` on the error) so "nothing is listening" can be said plainly.
 * With `anySource`, an unconnected socket hears replies from anywhere and no refusal is seen.
 * On Windows no refusal is ever seen: libuv ignores the WSAECONNRESET that stands for it on
 * a UDP receive, so there a closed port ends like a silent one (no replies, no error).
 * Rejects with ERR_SOCKKIT_INVALID_ARG for bad options (a size over the datagram limit),
 * ERR_SOCKKIT_DATAGRAM_TOO_BIG when the kernel refuses a datagram (EMSGSIZE), or Node's
 * lookup error for an unknown host. An error after the socket was ready carries `result`:
 * the {@link UdpSendResult} so far (what was sent and received before it).
 */
export const udpSend = async (options: UdpSendOptions): Promise<UdpSendResult> => {
  const settings = checkOptions(options)
  const { host, port } = options
  const resolved = await lookup(host, { verbatim: true })
  const family = resolved.family === 6 ? 'IPv6' : 'IPv4'
  const limit = maxDatagramBytes(family)
  const sizeBytes = options.sizeBytes
  if (sizeBytes !== undefined && (!Number.isSafeInteger(sizeBytes) || sizeBytes < 1 || sizeBytes > limit)) {
    throw invalidArg('udpSendSizeOverFamilyLimit', { size: sizeBytes, limit, family, address: resolved.address },
      { value: sizeBytes, limitBytes: limit })
  }
  // Read before the socket exists, so every drop in its receive buffer is after the baseline.
  const snmpAtStart = await readSnmp()
  const run = newRun(options, settings, { address: resolved.address, family, limit })
  const { socket, signal } = run
  socket.on('message', (data, rinfo) => onReply(run, data, rinfo))
  socket.on('error', (err: Error & { code?: string }) => refusedAndGoingOn(run, err) || run.fail(Object.assign(err, { host, port })))
  let snmpAtEnd: SnmpCounters | undefined
  try {
    await bindOrConnect(run)
    announceReady(run, snmpAtStart !== undefined)
    run.startedAt = performance.now()
    await sendMessages(run)
    // Nothing sent (empty input, or every message too long): no reply can come, nothing to wait for.
    if (!run.stopped() && run.totals.sent > 0) {
      options.onEvent?.({ type: 'waiting', waitMs: settings.waitMs })
      await run.pause(settings.waitMs)
    }
  } finally {
    signal?.removeEventListener('abort', run.stopNow)
    socket.removeAllListeners('message')
    // Read while the socket is still open: its drops are counted when they happen, but a
    // closed socket's queue would be discarded without counting.
    if (snmpAtStart !== undefined) snmpAtEnd = await readSnmp()
    // An ICMP error can still arrive while closing; it must not become an uncaught error.
    socket.on('error', () => {})
    try { socket.close() } catch { /* already closed */ }
  }
  const kernel = snmpAtStart !== undefined && snmpAtEnd !== undefined ? diffSnmp(snmpAtStart, snmpAtEnd) : undefined
  const result = runResult(run, kernel)
  if (run.failure) throw run.local ? Object.assign(run.failure, { result }) : run.failure
  return result
}

/** The options with their defaults, checked: a bad one is ERR_SOCKKIT_INVALID_ARG before anything is sent. */
const checkOptions = (options: UdpSendOptions) => {
  const count = options.count ?? 1
  const requestedRecvBufferSize = options.recvBufferSize
  if (options.intervalMs !== undefined && options.ratePerSecond !== undefined) throw invalidArg('udpSendIntervalAndRate', {})
  if (!Number.isSafeInteger(count) || count < 1) throw invalidArg('udpSendCount', { count })
  const { port } = options
  if (!Number.isSafeInteger(port) || port < 1 || port > 65535) throw invalidArg('udpSendPort', { port })
  if (requestedRecvBufferSize !== undefined && (!Number.isSafeInteger(requestedRecvBufferSize) || requestedRecvBufferSize < 1)) {
    throw invalidArg('udpSendRecvBuffer', { size: requestedRecvBufferSize })
  }
  return {
    count,
    requestedRecvBufferSize,
    waitMs: options.waitMs ?? DEFAULT_UDP_WAIT_MS,
    previewBytes: options.previewBytes ?? DEFAULT_PREVIEW_BYTES,
    anySource: options.anySource ?? false,
    intervalMs: options.ratePerSecond !== undefined ? 1000 / options.ratePerSecond : options.intervalMs ?? 0,
  }
}

type Settings = ReturnType<typeof checkOptions>
interface Target { address: string; family: 'IPv4' | 'IPv6'; limit: number }

/** The state of one run, shared by the steps below. */
const newRun = (options: UdpSendOptions, settings: Settings, target: Target) => {
  const { signal } = options
  // Settles when the run must stop early: aborted, or the socket failed (ICMP refused…).
  let stopNow!: () => void
  const stopRequested = new Promise<'stop'>(resolve => { stopNow = () => resolve('stop') })
  const run = {
    options, settings, target, signal, stopRequested, stopNow,
    host: options.host,
    port: options.port,
    socket: createSocket({ type: target.family === 'IPv6' ? 'udp6' : 'udp4' }),
    // An unbounded window: the replies counted are numbers we assigned (1…seqAssigned), so the
    // bitmap is bounded by what we sent, and seqReport's has() must answer for all of them.
    tracker: options.seq ? new SequenceTracker({ window: Infinity }) : undefined,
    seqAssigned: 0,
    totals: { sent: 0, bytesSent: 0, notSent: 0, replies: 0, bytesReceived: 0, unnumbered: 0, unknown: 0, fromOthers: 0, sendRefusals: 0, merged: 0 },
    /** Numbers found after the first in merged replies (the first 100). */
    mergedSeqs: [] as number[],
    /** With --rate/--interval: when each datagram is due, and how late it went. */
    schedule: settings.intervalMs > 0 ? new SendSchedule(settings.intervalMs) : undefined,
    firstSentAt: 0,
    lastSentAt: 0,
    /** Time between the first and last send spent waiting for the next message (stdin). */
    inputWaitMs: 0,
    /** Sends since the event loop last polled (a timer wait or a setImmediate). */
    sinceYield: 0,
    failure: undefined as Error | undefined,
    /** The socket's own end, once it is bound or connected (undefined before). */
    local: undefined as { address: string; port: number; recvBufferSize: number } | undefined,
    startedAt: 0,
    fail: (err: Error): void => {
      run.failure ??= err
      stopNow()
    },
    stopped: (): boolean => Boolean(signal?.aborted) || run.failure !== undefined,
    /** Wait `ms`, or less if the run is stopped meanwhile. */
    pause: async (ms: number): Promise<void> => {
      let timer: NodeJS.Timeout | undefined
      await Promise.race([stopRequested, new Promise<void>(resolve => { timer = setTimeout(resolve, Math.max(0, ms)) })])
      clearTimeout(timer)
    },
  }
  if (signal?.aborted) stopNow()
  signal?.addEventListener('abort', stopNow)
  return run
}
type Run = ReturnType<typeof newRun>

/** A datagram arrived: count it, match its number with --seq, and hand it on. */
const onReply = (run: Run, data: Buffer, rinfo: { address: string; port: number }): void => {
  const { totals, tracker } = run
  totals.replies++
  totals.bytesReceived += data.length
  const fromTarget = rinfo.address === run.target.address && rinfo.port === run.port
  if (!fromTarget) totals.fromOthers++
  const numbered = tracker ? parseSeq(data) : undefined
  // A server that merged several datagrams into one reply (ncat -u --exec cat reads a
  // stream): each line's number is answered, and the reply is counted as merged.
  const more = numbered ? mergedSeqs(data) : []
  if (tracker && more.length > 0) {
    totals.merged++
    for (const seq of more) {
      if (seq < 1 || seq > run.seqAssigned) continue
      tracker.observe(seq)
      if (run.mergedSeqs.length < 100) run.mergedSeqs.push(seq)
    }
  }
  if (tracker) {
    if (!numbered) totals.unnumbered++
    // seqAssigned, not sent: a fast echo can be read before our send callback has run.
    else if (numbered.seq < 1 || numbered.seq > run.seqAssigned) totals.unknown++
    else tracker.observe(numbered.seq)
  }
  run.options.onEvent?.({
    type: 'reply', remoteAddress: rinfo.address, remotePort: rinfo.port, fromTarget, bytes: data.length,
    preview: preview(data, run.settings.previewBytes), data, ...(numbered ? { seq: numbered.seq } : {}),
  })
}

/**
 * The `seq=<n> ` prefixes after the first: a merged reply's other datagrams. Searched
 * anywhere, since a server that reads a stream joins them without a separator
 * (`seq=1 unoseq=2 dos` from ncat -u --exec cat).
 */
const mergedSeqs = (data: Buffer): number[] => {
  const seqs: number[] = []
  for (let at = data.indexOf('seq=', 1, 'latin1'); at !== -1; at = data.indexOf('seq=', at + 4, 'latin1')) {
    const next = parseSeq(data.subarray(at))
    if (next) seqs.push(next.seq)
  }
  return seqs
}

/** Connect the socket to the target, or (anySource) bind it where replies can reach it. */
const bindOrConnect = ({ socket, settings, target, host, port }: Run): Promise<void> =>
  new Promise<void>((resolve, reject) => {
    if (settings.anySource) {
      const onBindError = (err: Error) => reject(Object.assign(err, { host, port }))
      socket.once('error', onBindError)
      // A loopback target is answered from loopback: bind there, so nothing off this
      // machine can reach the socket. Otherwise every local address: a reply may come
      // from, and to, any of them.
      const bindAddress = isLoopback(target.address) ? target.address : target.family === 'IPv6' ? '::' : '0.0.0.0'
      socket.bind(0, bindAddress, () => { socket.off('error', onBindError); resolve() })
      return
    }
    // Node passes a connect error to the callback, though its types do not say so.
    const onConnect = (err?: Error) => err ? reject(Object.assign(err, { host, port })) : resolve()
    socket.connect(port, target.address, onConnect as () => void)
  })

/** Ask for the receive buffer, note the socket's end, and say so in a `ready` event. */
const announceReady = (run: Run, kernelDropCounter: boolean): void => {
  const { socket, settings, target } = run
  const requested = settings.requestedRecvBufferSize
  const recvBufferRefused = requested !== undefined ? requestRecvBufferSize(socket, requested) : undefined
  const { address, port } = socket.address()
  const recvBufferSize = socket.getRecvBufferSize()
  run.local = { address, port, recvBufferSize }
  run.options.onEvent?.({
    type: 'ready', localAddress: address, localPort: port,
    remoteAddress: target.address, remotePort: run.port, family: target.family, maxDatagramBytes: target.limit,
    connected: !settings.anySource, recvBufferSize,
    ...(requested !== undefined ? { requestedRecvBufferSize: requested } : {}),
    ...(recvBufferRefused !== undefined ? { recvBufferRefused } : {}),
    kernelDropCounter,
  })
}

/** Every message in turn (raced with a stop: stdin may not send another line for minutes). */
const sendMessages = async (run: Run): Promise<void> => {
  const { messages } = run.options
  const iterator = Symbol.asyncIterator in messages ? messages[Symbol.asyncIterator]() : messages[Symbol.iterator]()
  let messageIndex = 0
  while (!run.stopped()) {
    const askedAt = performance.now()
    const next = await Promise.race([iterator.next(), run.stopRequested])
    if (next === 'stop') {
      // Not awaited: a generator blocked on input only returns after its pending read.
      void iterator.return?.()
      break
    }
    if (next.done) break
    // Waiting for a typed line is not falling behind: no burst to catch up after it.
    const answeredAt = performance.now()
    run.schedule?.waited(askedAt, answeredAt)
    if (run.totals.sent > 0) run.inputWaitMs += answeredAt - askedAt
    messageIndex++
    if (!refuseOversized(run, next.value, messageIndex)) await sendCopies(run, next.value as Uint8Array, messageIndex)
  }
}

/** A message too long for the limit or --size is counted and reported, not sent: true then. */
const refuseOversized = (run: Run, message: UdpMessage, messageIndex: number): boolean => {
  const { limit } = run.target
  const sizeBytes = run.options.sizeBytes
  const bytes = 'discardedBytes' in message ? message.discardedBytes : message.byteLength
  // The largest prefix this message will carry, so none of its copies can overflow.
  const prefixBytes = run.tracker ? seqPrefixBytes(run.totals.sent + run.settings.count) : 0
  const reason: NotSentReason | undefined = bytes + prefixBytes > limit || 'discardedBytes' in message
    ? 'over-udp-limit'
    : sizeBytes !== undefined && bytes + prefixBytes > sizeBytes ? 'over-size' : undefined
  if (!reason) return false
  run.totals.notSent++
  run.options.onEvent?.({ type: 'not-sent', messageIndex, bytes, datagramBytes: bytes + prefixBytes, limitBytes: reason === 'over-size' ? sizeBytes! : limit, reason })
  return true
}

/**
 * `count` datagrams of one message, each numbered with --seq. Paced by the schedule: what
 * is due is sent at once, so a late timer is caught up in a burst rather than lost.
 */
const sendCopies = async (run: Run, payload: Uint8Array, messageIndex: number): Promise<void> => {
  const { settings, schedule } = run
  // Without --seq every copy is the same bytes: pad once (the kernel copies on send).
  const same = run.tracker ? undefined : pad(payload, run.options.sizeBytes)
  const make = same ? () => same : () => pad(encodeSeq(++run.seqAssigned, payload), run.options.sizeBytes)
  const burst = burstLength(run.local?.recvBufferSize ?? 0, Math.max(run.options.sizeBytes ?? 0, payload.byteLength + 16))
  let left = settings.count
  while (left > 0 && !run.stopped()) {
    const delay = schedule?.delay(performance.now()) ?? 0
    if (delay > 0) {
      await run.pause(delay)
      run.sinceYield = 0
      if (run.stopped()) break
    }
    left -= await sendBurst(run, Math.max(1, Math.min(left, burst - run.sinceYield)), make, messageIndex)
    // A burst (no interval, or catching up) completes every send without ever polling for
    // input, so replies would pile up in our receive buffer until the kernel dropped them:
    // let the event loop read them every `burst` datagrams.
    if (run.sinceYield >= burst) {
      run.sinceYield = 0
      await readReplies(run)
    }
  }
}

/** libuv reads at most this many datagrams from a socket per turn of the event loop. */
const LIBUV_READS_PER_TURN = 32

/**
 * Let the event loop read the replies waiting: one turn, and more while a turn read as many
 * as libuv reads in one (more may be waiting), so a burst never outruns its replies.
 */
const readReplies = async (run: Run): Promise<void> => {
  let before: number
  do {
    before = run.totals.replies
    await new Promise(resolve => setImmediate(resolve))
  } while (run.totals.replies - before >= LIBUV_READS_PER_TURN && !run.stopped())
}

/** Retries of one datagram the kernel refuses for lack of buffer (ENOBUFS) before it is an error. */
const MAX_SEND_RETRIES = 1000

/**
 * Up to `n` datagrams (from `make`), each handed to the kernel from the previous one's send
 * callback, as a bare dgram sender does: no promise per datagram, the hot path of a run
 * without a rate. The callback comes once the kernel took the datagram (libuv queues it while
 * the send buffer is full): that is the backpressure. Stops early when the next datagram is
 * not due yet (the schedule), or the run stopped or failed. ENOBUFS is counted and retried
 * after the event loop turns. Resolves with how many were sent.
 */
const sendBurst = (run: Run, n: number, make: () => Buffer, messageIndex: number): Promise<number> =>
  new Promise(resolve => {
    const { socket, settings, totals, schedule, options } = run
    const events = options.sentEvents !== false ? options.onEvent : undefined
    let sent = 0
    let attempt = 0
    let datagram = make()
    const send = (): void => {
      if (settings.anySource) socket.send(datagram, run.port, run.target.address, done)
      else socket.send(datagram, done)
    }
    const done = (err: (Error & { code?: string }) | null): void => {
      if (err) return retried(err) ? undefined : resolve(sent)
      const now = performance.now()
      schedule?.sent(now)
      if (totals.sent === 0) run.firstSentAt = now
      run.lastSentAt = now
      totals.sent++
      totals.bytesSent += datagram.length
      run.sinceYield++
      sent++
      events?.({ type: 'sent', messageIndex, bytes: datagram.length, preview: preview(datagram, settings.previewBytes), ...(run.tracker ? { seq: run.seqAssigned } : {}) })
      if (sent >= n || run.stopped() || (schedule !== undefined && schedule.delay(now) > 0)) return resolve(sent)
      attempt = 0
      datagram = make()
      send()
    }
    /** A refusal worth another try of the same datagram (true: it was retried). */
    const retried = (err: Error & { code?: string }): boolean => {
      if (attempt++ >= MAX_SEND_RETRIES || run.stopped()) {
        run.fail(explainSendError(err, datagram.length, run.host, run.port))
        return false
      }
      if (err.code === 'ENOBUFS') {
        totals.sendRefusals++
        setImmediate(send)
        return true
      }
      // The refusal of an earlier datagram, reported on this send (which did not go): again.
      if (refusedAndGoingOn(run, err)) {
        send()
        return true
      }
      run.fail(explainSendError(err, datagram.length, run.host, run.port))
      return false
    }
    send()
  })

/** With keepGoingWhenRefused, a 'port unreachable' is an event, not the end: true then. */
const refusedAndGoingOn = (run: Run, err: Error & { code?: string }): boolean => {
  if (err.code !== 'ECONNREFUSED' || !run.options.keepGoingWhenRefused || run.stopped()) return false
  run.options.onEvent?.({ type: 'refused', remoteAddress: run.target.address, remotePort: run.port })
  return true
}

/** What the run did, with the kernel's drop counters for our datagrams' family. */
const runResult = (run: Run, kernel: SnmpDelta | undefined): UdpSendResult => {
  const { totals, tracker, target } = run
  // Our datagrams' family: IPv6 drops are counted in Udp6 (/proc/net/snmp6), IPv4 in Udp.
  const udpFamily = udpFamilyOf(target.address)
  return {
    remoteAddress: target.address, remotePort: run.port, localAddress: run.local?.address ?? '', localPort: run.local?.port ?? 0,
    sent: totals.sent, bytesSent: totals.bytesSent, notSent: totals.notSent,
    replies: totals.replies, bytesReceived: totals.bytesReceived,
    ...(tracker ? { seq: { ...seqReport(tracker, totals.sent, totals.replies, totals.unnumbered, totals.unknown), merged: totals.merged, mergedSeqs: [...run.mergedSeqs].sort((a, b) => a - b) } } : {}),
    connected: !run.settings.anySource, repliesFromOthers: totals.fromOthers, recvBufferSize: run.local?.recvBufferSize ?? 0,
    // null (unknown) where a counter is missing or went backwards — never 0.
    kernelDrops: kernel ? udpCounterDelta(kernel, 'RcvbufErrors', udpFamily) : null,
    kernelInErrors: kernel ? udpCounterDelta(kernel, 'InErrors', udpFamily) : null,
    durationMs: run.startedAt ? performance.now() - run.startedAt : 0,
    sending: {
      askedRate: run.schedule ? 1000 / run.schedule.intervalMs : null,
      achievedRate: achievedRate(totals.sent, run.firstSentAt, run.lastSentAt - run.inputWaitMs),
      ...(run.schedule?.lag() ? { lag: run.schedule.lag()! } : {}),
      refusals: totals.sendRefusals,
    },
    aborted: Boolean(run.signal?.aborted),
  }
}

const pad = (datagram: Uint8Array, sizeBytes: number | undefined): Buffer => {
  if (sizeBytes === undefined || datagram.length >= sizeBytes) return Buffer.from(datagram.buffer, datagram.byteOffset, datagram.byteLength)
  const padded = Buffer.alloc(sizeBytes, PAD)
  padded.set(datagram)
  return padded
}

const seqReport = (tracker: SequenceTracker, sent: number, replies: number, unnumbered: number, unknown: number): Omit<UdpSeqReport, 'merged' | 'mergedSeqs'> => {
  const totals = tracker.totals()
  const lostSeqs: number[] = []
  let lost = 0
  for (let seq = 1; seq <= sent; seq++) {
    if (tracker.has(seq)) continue
    lost++
    if (lostSeqs.length < 100) lostSeqs.push(seq)
  }
  // Replies came back, but none carried a number: they cannot say which datagrams were lost.
  const lossUnknown = replies > 0 && unnumbered === replies
  return {
    sent, matched: sent - lost, lost: lossUnknown ? null : lost, lostSeqs: lossUnknown ? [] : lostSeqs,
    duplicates: totals.duplicates, reordered: totals.reordered, maxReorderExtent: totals.maxReorderExtent,
    unnumbered, unknown,
  }
}

const explainSendError = (err: Error & { code?: string }, bytes: number, host: string, port: number): Error =>
  datagramTooBig(err, bytes, formatAddress(host, port), 'datagram', { host, port }) ?? Object.assign(err, { host, port })

/**
 * Split a byte stream into lines for {@link udpSend}: each line is one message, without
 * its line ending — `\n`, or `\r\n` as Windows writes it (one `\r` right before the `\n`
 * is dropped; any other `\r` is kept, and bytes are otherwise unchanged). A last line
 * without `\n` is a message too, its bytes as they are. A line longer than
 * `keepAtMostBytes` (line ending not counted) is not kept in memory: it is yielded as a
 * {@link DiscardedMessage} with its full length.
 */
export async function * datagramLines (stream: Readable | AsyncIterable<Uint8Array | string>, keepAtMostBytes = MAX_UDP_PAYLOAD_IPV6): AsyncGenerator<UdpMessage> {
  let parts: Buffer[] = []
  let kept = 0
  let discarded = 0
  let lastByte = -1
  const add = (piece: Buffer) => {
    if (piece.length > 0) lastByte = piece[piece.length - 1]!
    // One byte of slack: a \r that turns out to be part of \r\n is not part of the line.
    if (discarded > 0 || kept + piece.length > keepAtMostBytes + 1) {
      discarded = (discarded || kept) + piece.length
      parts = []
      kept = 0
    } else if (piece.length > 0) {
      parts.push(piece)
      kept += piece.length
    }
  }
  const take = (endedByNewline: boolean): UdpMessage => {
    const cr = endedByNewline && lastByte === 0x0d ? 1 : 0
    let line: UdpMessage
    if (discarded > 0) line = { discardedBytes: discarded - cr }
    else {
      const bytes = Buffer.concat(parts, kept).subarray(0, kept - cr)
      line = bytes.length > keepAtMostBytes ? { discardedBytes: bytes.length } : bytes
    }
    parts = []
    kept = 0
    discarded = 0
    lastByte = -1
    return line
  }
  for await (const chunk of stream) {
    let data = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let newline: number
    while ((newline = data.indexOf(0x0a)) !== -1) {
      add(data.subarray(0, newline))
      yield take(true)
      data = data.subarray(newline + 1)
    }
    add(data)
  }
  if (kept > 0 || discarded > 0) yield take(false)
}
