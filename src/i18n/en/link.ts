import type { Fmt } from '../fmt.js'

/** One direction of a relay as printed: `c→s` or `s→c`. */
type Arrow = string

/**
 * Everything `sockkit link` says: help, the start block, one line per relay event, totals and
 * the summary. Parameters marked "styled" arrive already coloured by the CLI.
 */
export const link = (f: Fmt) => ({
  help: {
    summary: 'relay that adds loss, delay, jitter, reordering or duplication between any client and server',
    description: 'A relay that impairs traffic on purpose, between any client and any server (your own ' +
      'Python or Java programs too): loss, delay, jitter, reordering, duplication, each direction on its own. ' +
      'Clients connect to <listen-port>; the relay forwards to <target> and logs every drop, delay, ' +
      'reordering and copy on stderr.\n\n' +
      'UDP: the relay does every impairment, per datagram. TCP: it delays, jitters and paces the byte ' +
      'stream, but cannot lose, reorder or duplicate segments without corrupting the stream, so it refuses ' +
      'to. Real TCP loss comes from the kernel emulator (Linux, root, nft), which auto picks when it can.',
    /** Appended to `description`. */
    tcpLossWithoutRoot: 'Without root, where Linux allows unprivileged user namespaces (Debian, Ubuntu and Fedora do), ' +
      'TCP loss still comes from the kernel: each connection crosses the loopback of a private user and network namespace ' +
      'where nftables drops segments, and TCP retransmits them for real.',
    args: { listenPort: 'port clients connect to (0 = any free port)', target: 'the real server, host:port' },
    options: {
      tcp: 'relay TCP (the default)',
      udp: 'relay UDP datagrams',
      loss: 'drop this share of packets, each way',
      delay: 'add this one-way delay, each way',
      jitter: 'vary the delay by up to ± this much',
      reorder: 'UDP: hold this share back behind the next',
      duplicate: 'UDP: send this share of datagrams twice',
      emulator: 'auto, kernel (loss) or userspace',
      seed: "repeat the relay's decisions: same seed and traffic, same drops, delays, copies " +
        "(default: random); the kernel emulator's drops are random, --emulator userspace (UDP) repeats them too",
      host: 'address to listen on',
      pace: 'TCP: rate cap per direction (0 = off)',
      maxClients: 'UDP: client mappings kept at once (default: 256)',
      quiet: 'no per-packet lines; totals only',
      json: 'NDJSON events on stdout instead of text on stderr',
    },
    examples: (p: { linesPerSecond: number }) => `
Examples:
  $ sockkit link 9001 127.0.0.1:9000 --udp --loss 20
      a UDP server behind a link that loses 20% each way
  $ sockkit link 9001 127.0.0.1:9000 --delay 100 --jitter 30
      TCP with 100 ± 30 ms each way
  $ sudo sockkit link 9001 127.0.0.1:9000 --loss 5
      real TCP loss: the kernel drops packets, TCP retransmits

Each direction is impaired on its own: 20% loss each way loses 36% of
request/reply pairs (1 − 0.8²), and 100 ms each way adds 200 ms to the RTT;
the expected round trip is printed at the start. Per-packet lines are capped
at ${f.num(p.linesPerSecond)} a second per connection or client (--json has every one). Ctrl-C
prints the totals per direction and exits 130.`,
  },
  /** Usage errors of link's own flags (the impairment rules are in the `impairment` area). */
  usage: {
    targetForm: (p: { value: string; ipv6?: { host: string; port: string } }) =>
      `target must be host:port (for example 127.0.0.1:9000), not "${p.value}"` +
      (p.ipv6 ? `; an IPv6 address goes in brackets: [${p.ipv6.host}]:${p.ipv6.port}` : ''),
    targetHost: "the target's host",
    emulator: (p: { value: string }) => `emulator must be auto, kernel or userspace, not "${p.value}"`,
    msTooLong: (p: { name: string; value: string; maxMs: number }) => `${p.name} must be at most ${f.num(p.maxMs)} ms, not "${p.value}"`,
    seedTooBig: (p: { value: string }) => `seed must be below 4294967296, not "${p.value}"`,
    maxClientsTcp: '--max-clients limits UDP client mappings; the TCP relay takes up to 1000 connections at once (use it with --udp)',
    paceUdp: '--pace limits a TCP byte stream; a UDP relay forwards whole datagrams, so pace the sender instead, or use --delay',
  },
  kernelSeedNote: "--seed repeats the relay's choices (delay, jitter, reorder, duplicate); " +
    "the kernel's drops are random — --emulator userspace (UDP) makes drops repeatable",
  duplicateAmplifier: (p: { percent: number; host: string; factor: number; allowGiven: boolean }) =>
    `sockkit: warning: with --duplicate ${f.num(p.percent)} on ${p.host}, anyone who can reach this port can get up to ` +
    `${f.num(p.factor)}× the bytes they send back from an echo target` +
    `${p.allowGiven ? '' : '; --allow <cidr> limits who can use it'} (see docs/security.md)`,
  start: {
    /** `linking` is styled. */
    linking: (p: { linking: string; from: string; to: string; transport: string; description: string }) =>
      `${p.linking} ${p.from} → ${p.to} (${p.transport}): ${p.description}`,
    linkingWord: 'linking',
    /** `emulator` is styled. */
    emulator: (p: { emulator: string; reason: string }) => `emulator: ${p.emulator} — ${p.reason}`,
    kernelTable: (p: { table: string }) => `kernel table inet ${p.table} (removed on exit; a watchdog removes it if this process is killed)`,
    /** The emulator's name when the kernel drops in a user namespace (`kernel` is replaced by it). */
    emulatorUserns: 'kernel (user namespace)',
    kernelTableUserns: (p: { table: string }) => `kernel table inet ${p.table} in a private user namespace that every relayed connection ` +
      'crosses on its way to the target (no root needed; it ends with link)',
    kernelDropsAfterRelay: 'the kernel drops datagrams where the relay cannot see it: a c→s datagram it drops never reaches the relay, and an s→c ' +
      'line says "handed to the kernel" because the kernel may still drop it — the kernel totals count every drop; ' +
      '--emulator userspace logs each drop instead',
    seed: (p: { seed: number }) => `seed ${p.seed} (repeat the same decisions with --seed ${p.seed})`,
    filter: (p: { filter: string; transport: 'tcp' | 'udp' }) => `${p.filter}; ` +
      (p.transport === 'udp' ? 'datagrams from filtered clients are not forwarded' : 'filtered clients are closed at once'),
    warning: (p: { text: string }) => `warning: ${p.text}`,
    /** `reach` lists up to three addresses; `more` when the machine has others. */
    pointClient: (p: { reach: string[]; more: boolean; target: string }) =>
      `point your client at ${p.reach.join(' or ')}${p.more ? ' (or another address of this machine)' : ''} instead of ${p.target}`,
  },
  /** Per-packet and per-connection lines. Words in `word` are styled by the CLI. */
  event: {
    word: {
      dropped: 'dropped',
      heldBack: 'held back',
      duplicateCopy: 'duplicate copy',
      queueFull: 'dropped: delay queue full',
      ignored: 'ignored',
      unreachable: 'could not reach the target',
      upstreamError: 'error toward the target',
      relayError: 'relay error',
      accepted: 'accepted',
      denied: 'denied',
      refused: 'refused',
      halfClose: 'half-close',
      reset: 'reset',
    },
    /** What hidden lines said, in the "… N more" line. */
    kind: { dropped: 'dropped', heldBack: 'held back', forwarded: 'forwarded', queueFull: 'dropped: delay queue full', chunks: 'chunks' },
    clientLabel: (p: { clientId: number }) => `client ${p.clientId}`,
    connectionLabel: (p: { id: number }) => `[#${p.id}]`,
    hidden: (p: { label: string; hidden: number; kinds: Array<[string, number]>; bytes: number; perSecond: number; unit: 'connection' | 'client' }) =>
      `${p.label} … ${p.hidden} more packet line${p.hidden === 1 ? '' : 's'} not shown (${p.kinds.map(([kind, n]) => `${n} ${kind}`).join(', ')}` +
      (p.bytes ? `; ${f.bytes(p.bytes)}` : '') +
      `): at most ${p.perSecond} a second per ${p.unit}; the totals count everything, --json shows every one`,
    dropped: (p: { clientId: number; arrow: Arrow; index: number; dropped: string; bytes: number }) =>
      `client ${p.clientId} ${p.arrow} #${p.index} ${p.dropped} (${f.bytes(p.bytes)})`,
    held: (p: { clientId: number; arrow: Arrow; index: number; held: string; holdMs: number }) =>
      `client ${p.clientId} ${p.arrow} #${p.index} ${p.held} for reordering: ` +
      `sent after the next datagram if one comes within ${p.holdMs} ms, else in order ${p.holdMs} ms late`,
    forwarded: (p: { clientId: number; arrow: Arrow; index: number; handedToKernel: boolean; bytes: number; notes: string[] }) =>
      `client ${p.clientId} ${p.arrow} #${p.index} ${p.handedToKernel ? 'handed to the kernel' : 'forwarded'} ${f.bytes(p.bytes)}` +
      (p.notes.length ? ` ${p.notes.join(', ')}` : ''),
    noteAfter: (p: { delayMs: number }) => `after ${f.num(p.delayMs, 1)} ms`,
    noteReordered: (p: { passedBy: number }) => `reordered: sent after #${p.passedBy}`,
    noteHeldTimedOut: (p: { holdMs: number }) => `held ${p.holdMs} ms, no successor came: sent in order`,
    overflow: (p: { clientId: number; arrow: Arrow; index: number; full: string; queuedBytes: number }) =>
      `client ${p.clientId} ${p.arrow} #${p.index} ${p.full} (${f.bytes(p.queuedBytes)} waiting) — not part of --loss`,
    client: (p: { clientId: number; address: string; upstreamPort: number; active: number }) =>
      `client ${p.clientId}: ${p.address} (upstream port ${p.upstreamPort}, ${p.active} active)`,
    clientExpired: (p: { clientId: number; address: string; idleMs: number }) =>
      `client ${p.clientId}: ${p.address} idle for ${f.duration(p.idleMs)}; mapping removed`,
    clientRefused: (p: { ignored: string; address: string; limit: number }) =>
      `${p.ignored} a datagram from ${p.address}: ${p.limit} clients already mapped (--max-clients)`,
    udpUnreachable: (p: { clientId: number; unreachable: string; why: string; count: number }) =>
      `client ${p.clientId}: ${p.unreachable}: ${p.why}` + (p.count > 1 ? ` (${p.count} times since the last such line)` : ''),
    udpUpstreamError: (p: { clientId: number; error: string; code: string; message: string }) =>
      `client ${p.clientId}: ${p.error} ${p.code}: ${p.message}`,
    relayError: (p: { error: string; code: string; message: string }) => `${p.error} ${p.code}: ${p.message}`,
    accepted: (p: { id: number; accepted: string; remote: string; active: number }) => `[#${p.id}] ${p.accepted} ${p.remote} (${p.active} open)`,
    tcpDenied: (p: { denied: string; remote?: string; because: string }) =>
      `${p.denied} ${p.remote ?? 'a client that had already left'} (${p.because}); closed at once`,
    udpDenied: (p: { denied: string; count: number; bytes: number; remote: string; because: string; total: number }) =>
      `${p.denied} ${f.plural(p.count, { one: '# datagram', other: '# datagrams' })} (latest: ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })} from ` +
      `${p.remote}, ${p.because}): not forwarded; ${p.total} denied in all`,
    refused: (p: { refused: string; remote: string; limit: number }) => `${p.refused} ${p.remote}: ${p.limit} connections open`,
    upstreamConnected: (p: { id: number; localPort: number }) => `[#${p.id}] connected to the target from port ${p.localPort}`,
    upstreamFailed: (p: { id: number; unreachable: string; why: string }) =>
      `[#${p.id}] ${p.unreachable}: ${p.why}; the client's connection is reset so it sees the failure`,
    chunk: (p: { id: number; arrow: Arrow; bytes: number; delayMs: number }) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.bytes)}` + (p.delayMs > 0 ? ` delayed ${f.num(p.delayMs, 1)} ms` : ''),
    backpressure: (p: { id: number; arrow: Arrow; queuedBytes: number }) =>
      `[#${p.id}] ${p.arrow} ${f.bytes(p.queuedBytes)} queued: paused reading until it drains`,
    halfClose: (p: { id: number; arrow: Arrow; halfClose: string }) =>
      `[#${p.id}] ${p.arrow} ${p.halfClose} (FIN) received; passed on after the data before it`,
    reset: (p: { id: number; reset: string; code: string; side: 'client' | 'server' }) =>
      `[#${p.id}] ${p.reset} ${p.code} on the ${p.side} side — reset the other side too`,
    closed: (p: { id: number; durationMs: number; toServer: number; toClient: number; reason?: string }) =>
      `[#${p.id}] closed after ${f.duration(p.durationMs)}: ${f.bytes(p.toServer)} to server, ${f.bytes(p.toClient)} to client` +
      (p.reason === undefined ? '' : ` (${p.reason})`),
    closeReason: {
      normal: 'closed normally',
      reset: 'reset',
      'upstream-failed': 'the target could not be reached',
      'relay-stopped': 'the link was stopped',
      error: 'a socket error',
    },
    kernelTable: (p: { table: string; loss: number; protocols: string[]; ports: number[]; watchdogPid?: number }) =>
      `kernel: nftables table inet ${p.table} drops ${p.loss}% of ${p.protocols.join('/')} packets to and from port ${p.ports.join(', ')}` +
      (p.watchdogPid ? ` (watchdog pid ${p.watchdogPid})` : ''),
    kernelTableUserns: (p: { table: string; loss: number }) =>
      `kernel: nftables table inet ${p.table} drops ${p.loss}% of TCP segments each way on the loopback of a private user namespace, between the relay and the target`,
  },
  totals: {
    /** One direction; `dropped` is styled and already says "N dropped". */
    direction: (p: { received: number; dropped: string; droppedPercent?: number; forwarded: number; delayed: number; reordered: number; duplicated: number; bytes: number }) =>
      `${p.received} in, ${p.dropped}${p.droppedPercent === undefined ? '' : ` (${f.num(p.droppedPercent, 1)}%)`}, ${p.forwarded} out` +
      (p.delayed ? `, ${p.delayed} delayed` : '') + (p.reordered ? `, ${p.reordered} reordered` : '') +
      (p.duplicated ? `, ${p.duplicated} duplicated` : '') + (p.bytes ? `, ${f.bytes(p.bytes)}` : ''),
    dropped: (p: { n: number }) => `${p.n} dropped`,
    relay: (p: { prefix: string; udp: boolean; c2s: string; s2c: string }) => `${p.prefix} relay (${p.udp ? 'datagrams' : 'chunks'}): c→s ${p.c2s}; s→c ${p.s2c}`,
    kernel: (p: { prefix: string; c2s: string; s2c: string }) => `${p.prefix} kernel (packets): c→s ${p.c2s}; s→c ${p.s2c}`,
    prefixTotals: 'totals:',
    prefixStopped: (p: { durationMs: number }) => `stopped after ${f.duration(p.durationMs)}:`,
    denied: (p: { udp: boolean; n: number }) => `denied ${p.udp
      ? f.plural(p.n, { one: '# datagram', other: '# datagrams' })
      : f.plural(p.n, { one: '# connection', other: '# connections' })} from filtered clients (--allow/--deny)`,
    kernelTableRemoved: (p: { table: string }) => `kernel table inet ${p.table} removed`,
    kernelTableUsernsGone: (p: { table: string }) => `kernel table inet ${p.table} gone with its user namespace`,
    /** TCP's retransmissions inside the user namespace (RetransSegs): only this link's connections live there. */
    retransmitted: (p: { prefix: string; n: number }) =>
      `${p.prefix} TCP retransmitted ${f.plural(p.n, { one: '# segment', other: '# segments' })} in the user namespace (RetransSegs)`,
  },
})
