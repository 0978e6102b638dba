/**
 * The shapes `sockkit compare` hands around: its configuration, the kernel's view of
 * each transport's run, and the whole result that `--json` serialises and
 * `formatCompare` renders. Types only, so the runner, the statistics and the
 * formatter can be built and tested apart.
 */
import type { Finding, TransportId, TransportTraits } from './transport-types.js'
import type { AppliedBy, EmulatorChoice, EmulatorSupport, Impairment, ImpairmentConfig, ImpairmentCounters, ImpairmentEvent, ImpairmentKind, ReorderRange } from '../impairment/impairment.js'
import type { TransportResult, TransportRun } from './compare-stats.js'
import type { ChannelTarget, TransportRegistry } from './transport-types.js'
import type { TcpLossUnavailable } from '../net/userns.js'

/** v1's name for a transport id, still used by the text renderer. */
export type Transport = TransportId

/**
 * The impairment's counters by the IP transport they were counted on (a transport's
 * `carriedOver`): relay counters per protocol and, with the kernel emulator, its table's.
 */
export interface CompareImpairmentCounters {
  tcp?: ImpairmentCounters
  udp?: ImpairmentCounters
  /** Packets per protocol the nftables rules saw and dropped (kernel emulator only). */
  kernel?: Partial<Record<TransportTraits['carriedOver'] | TransportId, ImpairmentCounters>>
}

/** How the transports share the run's time (docs/dev/decisions.md: interleaving). */
export type CompareSchedule = 'interleaved' | 'sequential'

/** What a compare run was asked to do (after defaults were applied). */
export interface CompareConfig {
  /** Reflector host. */
  host: string
  /** Reflector port (every transport's endpoint shares the number). */
  port: number
  /** true when compare started its own reflector process on loopback. */
  local: boolean
  /** Probes per transport. */
  count: number
  /** Probes per second on the fixed schedule; null with blast (no schedule, no rate). */
  ratePerSecond: number | null
  /** ms between scheduled sends (1000 / ratePerSecond; 0 with blast: back to back). */
  intervalMs: number
  /** Probe size in bytes, header included. */
  sizeBytes: number
  /** Transports measured, in the order they ran (interleaved: the order of slot 0). */
  transports: TransportId[]
  /**
   * 'interleaved' (default): every transport on one schedule, probe i of each in slot i, the
   * order within a slot rotated; 'sequential': one transport after the other.
   */
  schedule: CompareSchedule
  /** Send as fast as possible instead of on the schedule. */
  blast: boolean
  /** Probes sent and discarded before measuring. */
  warmup: number
  /** Nagle's algorithm left on for TCP (default off). */
  nagle: boolean
  /** ms; null = automatic (max(1000, 3 × the largest RTT seen), reported in each result). */
  tmaxMs: number | null
  /**
   * Present only when an impairment ran (`--loss`, `--delay`…): exactly the `config` that
   * startImpairment gave (emulator, reason, appliedBy, seed, expected…), plus `tcpDegraded`
   * when TCP could not take all of it.
   */
  impairment?: CompareImpairmentConfig
}

/** `config.impairment`: what ran, who applied it and why. */
export type CompareImpairmentConfig = ImpairmentConfig & {
  /**
   * Set when the emulator was `auto`, both transports ran and TCP could not take every asked
   * impairment (without root and nft nothing here can drop TCP segments; nothing can reorder
   * or duplicate a byte stream). UDP got all of it (the fields above); TCP got `applied`.
   */
  tcpDegraded?: {
    /** The impairments TCP did NOT get. */
    notApplied: ImpairmentKind[]
    /**
     * Why, as codes (worded by the catalogue, compareReasons.tcpDegraded): `loss-needs-kernel`
     * (loss in notApplied: only the kernel drops TCP segments), `stream-kinds` (reorder or
     * duplicate in notApplied: a byte stream cannot be reordered or duplicated by a relay).
     */
    reason: TcpDegradedReason[]
    /** Why TCP got no loss, as data (the CLI knows: remote target, no user namespace…); absent: no kernel emulator. */
    lossUnavailable?: TcpLossUnavailable
    /** The impairment TCP did get (its own emulator and reason); absent when TCP ran unimpaired. */
    applied?: ImpairmentConfig
  }
}

/**
 * What one transport should have seen under the impairment, next to what it measured.
 * Percentages of probes sent; ms from the scheduled send.
 */
export interface ImpairmentOutcome {
  /** Who applied each impairment to this transport. */
  appliedBy: Partial<Record<ImpairmentKind, AppliedBy>>
  /** Asked for but not applied to this transport (TCP under a userspace-only emulator). */
  notApplied: ImpairmentKind[]
  expected: {
    /** Round-trip probe loss: 1 − (1 − p)² for UDP; 0 for TCP, which retransmits what is dropped. */
    lossPercent: number
    /**
     * Where the measured loss should fall by chance alone: a binomial count over the `probes`
     * sent, lossPercent ± 2 standard deviations (sdPercent = 100 × √(p(1−p)/n)), clamped to 0–100.
     */
    lossRangePercent: { low: number; high: number; sdPercent: number; probes: number }
    /** Extra copies back per probe (UDP); 0 for TCP. */
    duplicatePercent: number
    /** Approximate share reordered (UDP); 0 for TCP. */
    reorderPercentApprox: number
    /**
     * UDP under --reorder or --jitter: where the measured share should fall by chance alone,
     * the 2.5th–97.5th percentiles of simulated runs of the same probe count (`reorderRangePercent()`
     * in impairment). Absent for TCP and when nothing can reorder.
     */
    reorderRangePercent?: ReorderRange
    /** Added RTT on average, ms (2 × one-way delay). */
    addedRttMs: number
    /** Smallest and largest added RTT, ms: no probe can come back faster than `min`. */
    addedRttRangeMs: { min: number; max: number }
  }
  measured: {
    lossPercent: number
    /** measured.lossPercent lies within expected.lossRangePercent. */
    lossWithinRange: boolean
    duplicatePercent: number
    reorderedPercent: number
    /** measured.reorderedPercent lies within expected.reorderRangePercent (present with it). */
    reorderWithinRange?: boolean
    /** null when nothing came back. */
    minRttMs: number | null
    p50RttMs: number | null
  }
}

/** A transport's figures, plus the expected-versus-measured block when an impairment ran. */
export type CompareTransportResult = TransportResult & { impairment?: ImpairmentOutcome }

/** Whose kernel counters a run read: the machine's, or compare's own network namespace (emulator kernel-userns…). */
export type KernelScope = 'machine' | 'namespace'

/** Why TCP ran without some asked impairments (see CompareImpairmentConfig.tcpDegraded). */
export type TcpDegradedReason = 'loss-needs-kernel' | 'stream-kinds'

/**
 * Why the kernel's counters are missing: `no-snmp` (/proc/net/snmp cannot be read: not Linux,
 * or /proc not mounted), `tcp-counter-unknown` (RetransSegs missing or reset), `udp-counters-unknown`
 * (the counters named in `counters` missing or reset), `no-snmp6` (the same, IPv6: /proc/net/snmp6 unreadable).
 */
export type KernelUnavailable = 'no-snmp' | 'tcp-counter-unknown' | 'udp-counters-unknown' | 'no-snmp6'

/** The kernel's own counters for one transport's run (Linux /proc/net/snmp deltas). */
export interface KernelReport {
  /** false where the counters could not be read; `reason` says why. */
  available: boolean
  /** Why not, as a code (worded by the catalogue, compareReasons.kernel). */
  reason?: KernelUnavailable
  /** With `udp-counters-unknown` / `no-snmp6`: the counters whose rise is unknown (`Udp RcvbufErrors`, `Udp6InErrors`). */
  counters?: string[]
  /** Deltas of `Udp:` counters during this transport's run. */
  udp?: { rcvbufErrors: number; inErrors: number; sndbufErrors: number }
  /** Deltas of `Tcp:` counters during this transport's run. */
  tcp?: { retransSegs: number }
  /**
   * Bytes the kernel actually granted to the measuring socket's buffers. UDP: read from the
   * socket. TCP: Node has no getter, so on Linux they come from `ss -tmn` (skmem rb/tb, as
   * autotuned by the end of the run); absent where that cannot be read.
   */
  socketBuffers?: { receiveBytes?: number; sendBytes?: number }
}

/** Why one transport could not be measured: the error's stable code and its message. */
export interface TransportError { code: string; message: string }

/** Everything one `sockkit compare` run produced; `--json` prints exactly this. */
export interface CompareResult {
  schema: 'sockkit.compare/v2'
  config: CompareConfig
  /** Each transport measured (or asked for), by id, with the traits the findings read. */
  transports: Record<TransportId, TransportTraits>
  /** Only the transports asked for, by id (R's fields as in v1). */
  results: Partial<Record<TransportId, CompareTransportResult>>
  /** What the impairment relays and kernel table did (present only when an impairment ran). */
  impairmentCounters?: CompareImpairmentCounters
  kernel: Partial<Record<TransportId, KernelReport>>
  /**
   * Present only when a transport could not be measured (or died mid-run) while another
   * was; a transport that failed completely is absent from `results`.
   */
  errors?: Partial<Record<TransportId, TransportError>>
  /** What the run means, as data (compare/findings.ts); the renderers word them. */
  findings: Finding[]
  /** The two or three findings that matter most, shown first. */
  headline: Finding[]
  /** Stopped early (Ctrl-C): the results cover the probes actually sent. */
  interrupted: boolean
  /** ISO 8601. */
  startedAt: string
  /** ISO 8601. */
  finishedAt: string
}

/** Where one transport's probes go. */
export type CompareTarget = ChannelTarget

/** Progress of a run, for a live display. */
export type CompareEvent =
  /**
   * A transport's run begins. host and port are the reflector's; `via` is the impairment
   * relay the probes are actually sent to, when one is in the path.
   */
  | { type: 'phase'; transport: TransportId; host: string; port: number; total: number; warmup: number; via?: CompareTarget }
  /** Throttled (at most every `progressIntervalMs`), plus once at each transport's end. */
  | { type: 'progress'; transport: TransportId; sent: number; received: number; total: number }
  /**
   * A reliable transport with the automatic Tmax: sending is over, the automatic Tmax has
   * passed and `outstanding` probes are still in flight (retransmissions); compare waits for
   * them up to `capMs` after the last send. Then throttled like progress, while the wait lasts.
   */
  | { type: 'waiting'; transport: TransportId; outstanding: number; capMs: number }
  /** A transport could not be measured (connect refused, nothing came back…); the run goes on with the next. */
  | { type: 'transport-failed'; transport: TransportId; code: string; message: string }
  | { type: 'done'; interrupted: boolean }

/** What `compare --loss … --emulator … --seed …` asks for. */
export interface CompareImpairmentRequest {
  /** Applied to each direction independently. */
  impairment: Impairment
  /** Default 'auto'. */
  emulator?: EmulatorChoice
  /** PRNG seed for the relays; default random (reported in config.impairment.seed). */
  seed?: number
  /** Override the detected kernel support (tests). */
  support?: EmulatorSupport
  /** Why kernel loss could not reach TCP here (recorded in tcpDegraded.lossUnavailable). */
  lossUnavailable?: TcpLossUnavailable
  /** The impairment's own events (tables created, relay errors…). */
  onEvent?: (event: ImpairmentEvent) => void
}

export interface RunCompareOptions {
  /** Per-transport destinations, by id (a relay may sit in between). Default: config.host and config.port. */
  targets?: Partial<Record<TransportId, CompareTarget>>
  onEvent?: (event: CompareEvent) => void
  /** Abort stops sending; the probes already sent are still waited for and analysed (interrupted: true). */
  signal?: AbortSignal
  /** Connect timeout of transports that connect, ms. Default 5000. */
  connectTimeoutMs?: number
  /** Minimum ms between progress events. Default 100. */
  progressIntervalMs?: number
  /**
   * With the automatic Tmax, the most compare waits for a reliable transport's probes still
   * in flight after the last scheduled send, ms; also its reported Tmax. Default 60 s (TCP_DELIVERY_CAP_MS).
   */
  tcpWaitCapMs?: number
  /**
   * Put an impairment (loss, delay…) between compare and the reflector for the whole run
   * (started before the first transport, stopped in all cases before this resolves or
   * rejects). Absent: probes go straight to the reflector and `config.impairment` is absent.
   */
  impairment?: CompareImpairmentRequest
  /**
   * The transports that `config.transports` names, by id. Default: the built-in TCP and UDP.
   * A custom transport is one {@link TransportAdapter} registered here (and in makeCompareConfig).
   */
  transports?: TransportRegistry
}

/**
 * The result plus what `--csv` and diagnostics need. `result` is exactly what `--json`
 * prints; when a transport failed but another was measured, `result.errors` says why.
 */
export interface CompareDetail {
  result: CompareResult
  /** The raw per-probe records each TransportResult was computed from, by transport id. */
  runs: Partial<Record<TransportId, TransportRun>>
}
