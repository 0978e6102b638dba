import type { Fmt, Mark } from '../fmt.js'

/**
 * Marks the words of a sentence the terminal highlights (a colour): the language file
 * chooses which words, the CLI chooses the colour. Identity when colour is off.
 */

/** A peer's sequence statistics as its summary line words them (PeerSeqSummary fits). */
export interface PeerSeqWords {
  lowest: number; highest: number; missing: number; duplicates: number; reordered: number; maxReorderExtent: number; tooOld: number
  restarts: number; earlierRuns?: { received: number; missing: number }
}

/** Where the kernel's drop counts are read: the socket's table and the machine-wide counter's name (data, not words). */
export interface DropSource { table: string; counter: string; machineWide: number | null }

const udpServerText = (f: Fmt) => {
  const datagrams = (n: number) => f.plural(n, { one: '# datagram', other: '# datagrams' })
  const duplicates = (n: number) => f.plural(n, { one: '# duplicate', other: '# duplicates' })
  const machine = (p: DropSource) => p.machineWide === null ? '' : `; all sockets on this machine: ${p.counter} +${f.num(p.machineWide)}`
  /** The words every kernel-drop line uses, so a reader (or grep) finds them all. */
  const dropped = (p: DropSource & { dropped: number }) =>
    `kernel dropped ${datagrams(p.dropped)} sent to this socket: receive buffer full (drops in ${p.table}${machine(p)})`
  return { datagrams, duplicates, machine, dropped }
}

/** What the start line says: where, whether it echoes, the receive buffer granted. */
export interface StartWords { here: string; reachable: string; echo: boolean; bufferBytes: number; dropsCounted: boolean }

/**
 * The summary's kernel drops: this socket's (`dropped`, null where it cannot be read) and the
 * machine-wide counter's rise over the run (`machineWide`, null where unreadable), named `counter`.
 * A rise with no drop of ours is other sockets' drops, and is said to be.
 */
export interface SummaryDrops { dropped: number | null; machineWide: number | null; counter: string }

/** udp-server: its events, its Ctrl-C summary and its help. */
export const udpServer = (f: Fmt) => {
  const w = udpServerText(f)
  const summaryDrops = (p: SummaryDrops) => p.dropped === null ? ''
    : p.dropped > 0 ? `; the kernel dropped ${w.datagrams(p.dropped)}: receive buffer full`
      : p.machineWide ? `; no kernel drops here (${p.counter} +${f.num(p.machineWide)} on this machine: other sockets' drops)`
        : '; no kernel drops'
  return {
    /** The one start line; `dropsCounted` false where this socket's drops cannot be read (not Linux). */
    listening: (p: StartWords & { em: Mark }) =>
      `${p.em('listening')} on ${p.here} (UDP${p.reachable !== p.here ? `; peers can use ${p.reachable}` : ''}), ` +
      `${p.echo ? 'echoing' : 'not echoing'}; receive buffer ${f.bytes(p.bufferBytes)}` +
      (p.dropsCounted ? '' : '; kernel drops cannot be counted here (Linux only)'),
    filter: (p: { filter: string }) => `${p.filter}; datagrams from filtered peers get no reply`,
    warning: (p: { text: string }) => `warning: ${p.text}`,
    tryIt: (p: { host: string; port: number }) => `try: sockkit udp-send ${p.host} ${p.port} hola --seq`,
    /** `shown`: what follows the size (`: preview`, or the empty-datagram words). */
    datagram: (p: { peer: string; bytes: number; shown: string; newPeer: boolean; dim: Mark }) =>
      `${p.peer} ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })}${p.shown}` + (p.newPeer ? p.dim(' (new peer)') : ''),
    seqGap: (p: { peer: string; seq: number; expected: number; missing: number; missingSoFar: number; jump: boolean; em: Mark }) =>
      `${p.peer} ${p.em('seq gap')}: got ${f.num(p.seq)}, expected ${f.num(p.expected)} — ${f.num(p.missingSoFar)} missing so far` +
      (p.missing !== p.missingSoFar ? ` (${f.num(p.missing)} skipped here)` : '') +
      (p.jump ? '; a jump wider than the 65,536-number window' : ''),
    seqLate: (p: { peer: string; seq: number; expected: number; extent: number; em: Mark }) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} arrived late`)} (reordered: ${f.num(p.expected)} was expected next; extent ${f.num(p.extent)})`,
    seqDuplicate: (p: { peer: string; seq: number; em: Mark }) => `${p.peer} ${p.em(`seq ${f.num(p.seq)} again`)} (duplicate)`,
    seqTooOld: (p: { peer: string; seq: number; highest: number; em: Mark }) =>
      `${p.peer} ${p.em(`seq ${f.num(p.seq)} too old to tell`)} (over 65,536 below the highest, ${f.num(p.highest)}: late or a copy)`,
    datagramsHidden: (p: { peer: string; datagrams: number; bytes: number; limit: number }) =>
      `${p.peer} … ${f.plural(p.datagrams, { one: '# more datagram', other: '# more datagrams' })} (${f.bytes(p.bytes)}) not shown: ` +
      `at most ${f.num(p.limit)} datagram lines a second per peer (the summary counts them; --json shows every one)`,
    sequenceHidden: (p: { peer: string; gaps: number; missing: number; reordered: number; duplicates: number; tooOld: number; missingSoFar: number; limit: number; em: Mark }) => {
      const kinds = [
        p.gaps ? `${f.plural(p.gaps, { one: '# gap', other: '# gaps' })} skipping ${f.plural(p.missing, { one: '# number', other: '# numbers' })}` : '',
        p.reordered ? `${f.num(p.reordered)} late` : '',
        p.duplicates ? w.duplicates(p.duplicates) : '',
        p.tooOld ? `${f.num(p.tooOld)} too old to tell` : '',
      ].filter(Boolean).join(', ')
      const lines = p.gaps + p.reordered + p.duplicates + p.tooOld
      return `${p.peer} … ${p.em(f.plural(lines, { one: '# more seq line', other: '# more seq lines' }))} not shown (${kinds}) — ` +
        `${f.num(p.missingSoFar)} missing so far: at most ${f.num(p.limit)} seq lines a second per peer (the summary counts them)`
    },
    seqRestart: (p: { peer: string; lowest: number; highest: number; missing: number; duplicates: number; reordered: number; em: Mark }) =>
      `${p.peer} ${p.em('seq restarted at 1')} (a new run; previous run: seq ${f.num(p.lowest)}–${f.num(p.highest)}, ` +
      `${f.num(p.missing)} missing, ${w.duplicates(p.duplicates)}, ${f.num(p.reordered)} reordered)`,
    peerEvicted: (p: { peer: string; datagrams: number; maxPeers: number; em: Mark }) =>
      `${p.em('too many peers')}: keeping statistics for ${f.num(p.maxPeers)} at most; forgot ${p.peer} ` +
      `(the least recently heard, ${w.datagrams(p.datagrams)}); further ones are counted in the summary`,
    echoSkipped: (p: { pendingEchoes: number; em: Mark }) =>
      `${p.em('echo skipped')}: ${f.num(p.pendingEchoes)} echoes already waiting for the kernel (a flood); further skips are counted in the summary`,
    /** `because`: why the address filter rejected the peer (address-filter's words). */
    denied: (p: { count: number; bytes: number; from: string; because: string; denied: number; em: Mark }) =>
      `${p.em('denied')} ${w.datagrams(p.count)} (latest: ${f.plural(p.bytes, { one: '# byte', other: '# bytes' })} from ` +
      `${p.from}, ${p.because}): no reply; ${f.num(p.denied)} denied in all`,
    kernelDrops: (p: DropSource & { dropped: number; total: number; em: Mark }) => `${p.em(w.dropped(p))}; ${f.num(p.total)} since start`,
    echoError: (p: { peer: string; code: string; message: string; em: Mark }) => `${p.peer} ${p.em('echo failed')} ${p.code}: ${p.message}`,
    serverError: (p: { code: string; message: string; em: Mark }) => `${p.em('server error')} ${p.code}: ${p.message} (still listening)`,
    /** The one summary line; its drops clause from {@link SummaryDrops}. */
    stopped: (p: { durationMs: number; peers: number; datagrams: number; bytes: number; echoed?: number; echoesSkipped: number; peersEvicted: number; denied: number } & SummaryDrops) =>
      `stopped after ${f.duration(p.durationMs)}: ${f.plural(p.peers, { one: '# peer', other: '# peers' })}, ${w.datagrams(p.datagrams)} (${f.bytes(p.bytes)})` +
      (p.echoed !== undefined ? `, ${f.num(p.echoed)} echoed` : '') +
      (p.echoesSkipped ? `, ${f.num(p.echoesSkipped)} echoes skipped (flood)` : '') +
      (p.peersEvicted ? `, ${f.num(p.peersEvicted)} peers forgotten (over --max-peers)` : '') +
      (p.denied ? `, ${f.num(p.denied)} denied (no reply)` : '') + summaryDrops(p),
    /** A peer's line in the summary; `seq` when it sent numbered datagrams. */
    peer: (p: { peer: string; datagrams: number; bytes: number; seq?: PeerSeqWords }) => {
      const base = `  ${p.peer}: ${w.datagrams(p.datagrams)}, ${f.bytes(p.bytes)}`
      const q = p.seq
      if (!q) return base
      return `${base}; seq ${f.num(q.lowest)}–${f.num(q.highest)}: ${f.num(q.missing)} missing, ${w.duplicates(q.duplicates)}, ${f.num(q.reordered)} reordered` +
        (q.reordered ? ` (largest extent ${f.num(q.maxReorderExtent)})` : '') +
        (q.tooOld ? `, ${f.num(q.tooOld)} too old to tell` : '') +
        (q.earlierRuns ? `; restarted ${f.plural(q.restarts, { one: '# time', other: '# times' })}, earlier runs: ` +
          `${f.num(q.earlierRuns.received)} received, ${f.num(q.earlierRuns.missing)} missing` : '')
    },
    morePeers: (p: { more: number }) => `  … and ${f.num(p.more)} more peers (--json lists all)`,
    help: udpServerHelp,
  }
}

const udpServerHelp = {
  summary: 'UDP echo server for every peer, with per-peer seq= gap/duplicate/reorder reports',
  description: 'A UDP echo server. Prints each datagram (sender address:port, size, preview) on stderr and ' +
    'echoes it back, byte for byte, to whoever sent it. It serves every peer at once — it never locks ' +
    'onto the first one — and an echo is never larger than the datagram that caused it (no amplification).\n\n' +
    'Datagrams that start with "seq=<n> " (as `sockkit udp-send --seq` sends them) are followed per peer: ' +
    'gaps, duplicates and reordering (RFC 4737) are reported as they happen. Ctrl-C prints a summary per ' +
    'peer and exits 130.',
  arguments: { port: 'port to listen on (0 = any free port)' },
  options: {
    host: 'address to bind; 0.0.0.0 or :: to accept from other machines',
    noEcho: 'receive and report only; send nothing back',
    rcvbuf: 'ask the kernel for this socket receive buffer (SO_RCVBUF) and report what it granted',
    maxPeers: 'peers whose statistics are kept; beyond it the least recently heard is forgotten',
    quiet: 'no per-datagram lines or events (sequence problems are still reported)',
    json: 'NDJSON events on stdout instead of text on stderr',
  },
  examples: `
Examples:
  $ sockkit udp-server                   echo on 127.0.0.1:9000
  $ sockkit udp-server 5000 --host 0.0.0.0 --no-echo
  $ sockkit udp-server 5000 --host 0.0.0.0 --allow 192.168.1.0/24 --rcvbuf 4e6
  $ sockkit udp-server 0 --json > events.ndjson
                                         any free port; events as NDJSON

Event lines (stderr): "listening", "[A:P] N bytes: preview",
"[A:P] seq gap: got 7, expected 5", "[A:P] seq 5 arrived late (reordered …)",
"[A:P] seq 5 again (duplicate)", "[A:P] seq restarted at 1 (…)",
"denied N datagrams (latest: … from A:P, not in --allow): no reply",
"kernel dropped N datagrams sent to this socket: receive buffer full (…)".
At most 20 datagram lines and 20 seq lines a second per peer; the rest are
summed in one "… N more" line (--json reports every event). On Linux this
socket's own drop count (the drops column of /proc/net/udp, /proc/net/udp6
for IPv6 and ::) is read every 2 s while datagrams arrive and at Ctrl-C;
the machine-wide RcvbufErrors (/proc/net/snmp) is shown beside it. Numbers
start at 1 (udp-send --seq). Ctrl-C prints datagrams, bytes and seq
statistics per peer and exits 130.`,
}
