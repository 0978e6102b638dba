/**
 * Starting an impairment: the relays and/or the kernel table the plan calls for, their
 * counters, and stop().
 */
import { invalidArg } from '../core/errors.js'
import { expectedRoundTrip, type ExpectedRoundTrip } from './expectation.js'
import {
  normalizeImpairment, randomSeed,
  type EmulatorChoice, type FullImpairment, type Impairment, type ImpairmentCounters,
} from './model.js'
import { planEmulator, type EmulatorPlan, type EmulatorSupport } from './planning.js'

/** Options for {@link startImpairment}. */
export interface StartImpairmentOptions {
  /** What to apply, each direction independently. */
  impairment: Impairment
  /** Default 'auto'. */
  emulator?: EmulatorChoice
  /** Transports that will cross the link. */
  transports: Array<'tcp' | 'udp'>
  /** The real server. */
  target: { host: string; port: number }
  /** Address the relays bind. Default 127.0.0.1. */
  listenHost?: string
  /**
   * Port the relays listen on (TCP and UDP share the number). When given, a relay always runs
   * and the kernel table matches this port (what `sockkit link` does). When omitted, relays take
   * free ports, and a kernel-only run starts no relay at all: the table matches the target's
   * port and the endpoints are the target itself (what compare needs).
   */
  listenPort?: number
  /** PRNG seed for the relays. Default random (reported). */
  seed?: number
  /** TCP relay pacing, bytes/s per direction; 0 = off. Default 0. */
  pacingBytesPerSecond?: number
  /** UDP client mappings kept at once. Default 256. */
  maxClients?: number
  /**
   * Which client addresses the relays serve (TCP: destroyed at once; UDP: not forwarded).
   * Applied by the relays, so a kernel-only run without `listenPort` (no relay) ignores it.
   * Default: everyone.
   */
  addressFilter?: (address: string | undefined) => boolean
  /** Per-datagram / per-chunk events (default true); totals are kept either way. */
  packetEvents?: boolean
  /**
   * ms between the packets the caller will send, when known (compare's probe interval): the
   * reorder figure in `config.expected` is then for that spacing. See {@link expectedRoundTrip}.
   */
  intervalMs?: number
  /** Stops everything when aborted (stop() still resolves with the report). */
  signal?: AbortSignal
  /** Every relay event, tagged with its transport, plus kernel-table events. Must not throw. */
  onEvent?: (event: ImpairmentEvent) => void
  /** What the machine supports; default: detected (`detectKernelSupport()`). */
  support?: EmulatorSupport
  /**
   * Not root, TCP only, with `listenPort`: the kernel drops in a private user + network
   * namespace that every relayed connection crosses (lossy-hop.ts), instead of a table in this
   * namespace. Pass a `support` with `available: true, userns: true` so the plan gives loss
   * to the kernel. Default false.
   */
  kernelInUserns?: boolean
}

export type ImpairmentEvent =
  | ({ transport: 'udp' } & import('./udp-relay.js').UdpRelayEvent)
  | ({ transport: 'tcp' } & import('./tcp-relay.js').TcpRelayEvent)
  | { transport: 'kernel'; type: 'kernel-table'; table: string; ports: number[]; protocols: Array<'tcp' | 'udp'>; loss: number; watchdogPid?: number; userns?: true }
  | { transport: 'kernel'; type: 'stale-tables-removed'; tables: string[] }

/** Counters per layer: what each relay did and what the kernel table saw and dropped. */
export interface ImpairmentCountersReport {
  tcp?: ImpairmentCounters
  udp?: ImpairmentCounters
  /** Packets per protocol the nftables rules saw and dropped (kernel emulator only; only this run's protocols). */
  kernel?: { tcp?: ImpairmentCounters; udp?: ImpairmentCounters }
  /** The user namespace's own TCP counters (kernelInUserns): RetransSegs since the start, null when unreadable. */
  userns?: { retransSegs: number | null }
}

/**
 * `config.impairment` in compare's JSON: the same keys the CLI options have, plus who
 * applied what and what was expected.
 */
export interface ImpairmentConfig extends FullImpairment {
  /** The plan's emulator; `kernel-userns…` when the kernel's drops are in a private user namespace. */
  emulator: EmulatorPlan['emulator'] | 'kernel-userns' | 'kernel-userns+userspace'
  /** Why this emulator, one sentence in English (kept for scripts that read it). */
  reason: string
  /** The same reason as data: what the CLI words in the user's language. */
  reasonCode: EmulatorPlan['reasonCode']
  appliedBy: EmulatorPlan['appliedBy']
  seed: number
  expected: ExpectedRoundTrip
  kernelTable?: string
}

/** What {@link RunningImpairment.stop} resolves with. */
export interface ImpairmentReport {
  config: ImpairmentConfig
  counters: ImpairmentCountersReport
  durationMs: number
  /** Stale tables of dead runs removed at start (kernel emulator). */
  staleTablesRemoved: string[]
}

/** A running impairment: where to send traffic, live counters, and stop(). */
export interface RunningImpairment {
  emulator: EmulatorPlan['emulator']
  reason: string
  reasonCode: EmulatorPlan['reasonCode']
  appliedBy: EmulatorPlan['appliedBy']
  seed: number
  /** Where clients should send each transport's traffic. */
  endpoints: { tcp?: { host: string; port: number }; udp?: { host: string; port: number } }
  config: ImpairmentConfig
  /** Counters so far (reads the kernel table's counters when there is one). */
  counters (): Promise<ImpairmentCountersReport>
  /** Stop relays, delete the kernel table, resolve with the totals. Safe to call twice. */
  stop (): Promise<ImpairmentReport>
  /** Rejects when a part that must live as long as the run dies first (the user namespace's helper); never resolves. */
  failed: Promise<never>
}

/**
 * What the machine supports, checked whenever the plan may need the kernel or name it: loss,
 * and for TCP also reorder/duplicate (only the kernel could do those to a stream) — else a
 * refusal would cite a placeholder reason instead of this machine's.
 */
const supportFor = async (choice: EmulatorChoice, imp: FullImpairment, transports: Array<'tcp' | 'udp'>): Promise<EmulatorSupport> => {
  const tcpStreamImpossible = transports.includes('tcp') && (imp.reorder > 0 || imp.duplicate > 0)
  const needsKernelCheck = choice === 'kernel' || (choice === 'auto' && (imp.loss > 0 || tcpStreamImpossible))
  return needsKernelCheck
    ? await (await import('./nft-emulator.js')).detectKernelSupport()
    : { available: false, reason: { code: 'notNeeded' }, netemReason: { code: 'netemNotChecked' } }
}

/**
 * Put `impairment` between clients and `target`, with the emulator {@link planEmulator}
 * chooses. Rejects with ERR_SOCKKIT_UNSUPPORTED when the emulator cannot do what is asked,
 * ERR_SOCKKIT_INVALID_ARG for bad values, or Node's error when a relay cannot bind.
 */
export const startImpairment = async (options: StartImpairmentOptions): Promise<RunningImpairment> => {
  const imp = normalizeImpairment(options.impairment)
  const transports = [...new Set(options.transports)]
  if (transports.length === 0) throw invalidArg('impairmentNoTransport', {})
  const choice = options.emulator ?? 'auto'
  const support = options.support ?? await supportFor(choice, imp, transports)
  const plan = planEmulator(choice, imp, transports, support)
  const seed = options.seed ?? randomSeed()
  const listenHost = options.listenHost ?? '127.0.0.1'
  const startedAt = Date.now()
  const emit = options.onEvent ?? (() => {})
  const useKernel = plan.appliedBy.loss === 'kernel'
  const needRelay = options.listenPort !== undefined || plan.emulator !== 'kernel'
  // The relays do what the plan gives them; loss stays with the kernel when it has it.
  const relayImpairment: FullImpairment = { ...imp, ...(useKernel || plan.emulator === 'kernel' ? { loss: 0 } : {}) }

  const { UdpRelay } = needRelay && transports.includes('udp') ? await import('./udp-relay.js') : { UdpRelay: undefined }
  const { TcpRelay } = needRelay && transports.includes('tcp') ? await import('./tcp-relay.js') : { TcpRelay: undefined }
  const udp = UdpRelay && new UdpRelay({
    target: options.target, host: listenHost, port: options.listenPort ?? 0, impairment: relayImpairment, seed,
    maxClients: options.maxClients, addressFilter: options.addressFilter, datagramEvents: options.packetEvents ?? true, onEvent: e => emit({ transport: 'udp', ...e }),
  })
  // TCP's loss in a user namespace: the relay's connections cross it (lossy-hop.ts).
  const hopped = useKernel && options.kernelInUserns === true && options.listenPort !== undefined && transports.length === 1 && transports[0] === 'tcp'
  const hop = hopped ? await (await import('./lossy-hop.js')).startLossyHop({ loss: imp.loss }) : undefined
  const tcp = TcpRelay && new TcpRelay({ ...(hop ? { hop } : {}),
    target: options.target, host: listenHost, port: options.listenPort ?? 0, impairment: relayImpairment, seed,
    pacingBytesPerSecond: options.pacingBytesPerSecond, addressFilter: options.addressFilter, chunkEvents: options.packetEvents ?? true, onEvent: e => emit({ transport: 'tcp', ...e }),
  })
  const endpoints: RunningImpairment['endpoints'] = {}
  let kernel: import('./nft-emulator.js').NftLoss | undefined
  const closeRelays = async () => {
    const [t, u] = await Promise.all([tcp?.close(), udp?.close()])
    return { tcp: t?.counters, udp: u?.counters, hop: await hop?.stop() }
  }
  try {
    if (tcp) endpoints.tcp = await tcp.listen().then(a => ({ host: a.address, port: a.port }))
    if (udp) endpoints.udp = await udp.listen().then(a => ({ host: a.address, port: a.port }))
    if (!needRelay) for (const t of transports) endpoints[t] = { ...options.target }
    if (hop) {
      emit({ transport: 'kernel', type: 'kernel-table', table: hop.table, ports: [], protocols: ['tcp'], loss: imp.loss, userns: true })
    } else if (useKernel) {
      const { NftLoss } = await import('./nft-emulator.js')
      const ports = needRelay ? [...new Set(Object.values(endpoints).map(e => e.port))] : [options.target.port]
      kernel = await NftLoss.start({ loss: imp.loss, ports, protocols: transports })
      if (kernel.staleTablesRemoved.length) emit({ transport: 'kernel', type: 'stale-tables-removed', tables: kernel.staleTablesRemoved })
      emit({ transport: 'kernel', type: 'kernel-table', table: kernel.table, ports, protocols: transports, loss: imp.loss, ...(kernel.watchdog ? { watchdogPid: kernel.watchdog } : {}) })
    }
  } catch (e) {
    await closeRelays()
    await kernel?.stop()
    throw e
  }

  const config: ImpairmentConfig = {
    ...imp, emulator: (kernel ?? hop) && support.userns ? (plan.emulator === 'kernel' ? 'kernel-userns' : 'kernel-userns+userspace') : plan.emulator, reason: plan.reason, reasonCode: plan.reasonCode, appliedBy: plan.appliedBy, seed,
    expected: expectedRoundTrip(imp, {
      ...(options.intervalMs !== undefined ? { intervalMs: options.intervalMs } : {}),
      ...(transports.length === 1 && transports[0] === 'tcp' ? { transport: 'tcp' } : {}),
    }),
    ...(kernel ? { kernelTable: kernel.table } : {}),
    ...(hop ? { kernelTable: hop.table } : {}),
  }
  const running = runningImpairment(plan, seed, endpoints, config, { tcp, udp, kernel, hop, closeRelays, startedAt })
  if (options.signal) {
    if (options.signal.aborted) void running.stop()
    else options.signal.addEventListener('abort', () => { void running.stop() }, { once: true })
  }
  return running
}

/** The parts {@link runningImpairment} reads counters from and stops. */
interface RunningParts {
  tcp?: { counters (): ImpairmentCounters }
  udp?: { counters (): ImpairmentCounters }
  kernel?: import('./nft-emulator.js').NftLoss
  hop?: import('./lossy-hop.js').LossyHop
  closeRelays (): Promise<{ tcp?: ImpairmentCounters; udp?: ImpairmentCounters; hop?: import('./lossy-hop.js').LossyHopCounters }>
  startedAt: number
}

/** The handle startImpairment returns: live counters, and a stop() that runs once. */
const runningImpairment = (
  plan: EmulatorPlan, seed: number, endpoints: RunningImpairment['endpoints'], config: ImpairmentConfig, parts: RunningParts,
): RunningImpairment => {
  const { tcp, udp, kernel, hop, closeRelays, startedAt } = parts
  let stopping: Promise<ImpairmentReport> | undefined
  const running: RunningImpairment = {
    emulator: plan.emulator, reason: plan.reason, reasonCode: plan.reasonCode, appliedBy: plan.appliedBy, seed, endpoints, config,
    failed: hop?.failed ?? new Promise<never>(() => {}),
    counters: async () => {
      const inUserns = await hop?.counters()
      return {
        ...(tcp ? { tcp: tcp.counters() } : {}),
        ...(udp ? { udp: udp.counters() } : {}),
        ...(kernel ? { kernel: await kernel.counters() } : {}),
        ...(inUserns ? { kernel: inUserns.kernel, userns: { retransSegs: inUserns.retransSegs } } : {}),
      }
    },
    stop: () => {
      stopping ??= (async () => {
        const relays = await closeRelays()
        const kernelSummary = await kernel?.stop()
        return {
          config,
          counters: {
            ...(relays.tcp ? { tcp: relays.tcp } : {}),
            ...(relays.udp ? { udp: relays.udp } : {}),
            ...(kernelSummary ? { kernel: kernelSummary.counters } : {}),
            ...(relays.hop ? { kernel: relays.hop.kernel, userns: { retransSegs: relays.hop.retransSegs } } : {}),
          },
          durationMs: Date.now() - startedAt,
          staleTablesRemoved: kernel?.staleTablesRemoved ?? [],
        }
      })()
      return stopping
    },
  }
  return running
}
