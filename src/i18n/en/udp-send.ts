import type { Fmt, Mark } from '../fmt.js'

/** udp-send: its help, event lines and summary (stderr). */
export const udpSend = (f: Fmt) => {
  const datagrams = (n: number) => f.plural(n, { one: '# datagram', other: '# datagrams' })
  const replies = (n: number) => f.plural(n, { one: '# reply', other: '# replies' })
  const bytes = (n: number) => f.plural(n, { one: '# byte', other: '# bytes' })
  /** A send lag: hundredths of a ms below 10 ms, where pacing is judged. */
  const lag = (ms: number) => ms < 10 ? `${f.num(ms, 2)} ms` : f.duration(ms)
  /**
   * Windows never passes an ICMP "port unreachable" to a program (libuv ignores WSAECONNRESET
   * on UDP receives), so a closed port cannot be told from a silent server there.
   */
  const windowsNoRefusal = 'Windows does not tell programs about \'port unreachable\', so "nothing is listening" and "no reply" look the same here'
  return {
    windowsNoRefusal,
    help: {
      summary: 'send datagrams and collect every reply within a wait',
      description: (p: { windows: boolean }) => 'Send UDP datagrams to HOST:PORT and print every reply that arrives.\n\n' +
        'Each message is one datagram. With no message, each line of stdin is one datagram, without its line ' +
        'ending: \\n, or \\r\\n as Windows writes it, is not sent (any other \\r is). Binary input is split the ' +
        'same way. To send bytes exactly, line endings included, give the message as an argument ' +
        '("hola\\r\\n" sends all 6 bytes). Empty stdin is a usage error (exit 2): nothing to send.\n\n' +
        'UDP has no end-of-stream, so after the last send it waits --wait ms and collects every reply: ' +
        'a server may answer one datagram with several. Replies go to stdout, one datagram per line: a ' +
        'newline is added after a reply that does not end with one, so two datagrams "hola" and "mundo" ' +
        'never print as "holamundo" (--raw writes the bytes exactly as received). Events and the summary ' +
        'go to stderr.\n\n' +
        (p.windows
          ? `Only replies from HOST:PORT itself are heard (a connected socket). ${windowsNoRefusal}. ` +
            'A server that answers from another port — Java\'s new DatagramSocket(), for one — needs --any-source.\n\n'
          : 'Only replies from HOST:PORT itself are heard (a connected socket, which is also how "nothing is ' +
            'listening" is detected). A server that answers from another port — Java\'s new DatagramSocket(), ' +
            'for one — needs --any-source.\n\n') +
        'With --seq each datagram starts with "seq=<n> " (from 1) and the summary says which came back: ' +
        'matched, lost (no reply within the wait, RFC 7680; "unanswered when stopped" if Ctrl-C cut the run short), ' +
        'duplicated, reordered (RFC 4737). Replies ' +
        'without the prefix cannot tell loss; the summary says so instead of guessing.',
      host: 'host name or address to send to',
      port: 'port to send to',
      message: (p: { escapes: string }) => `text to send (escapes: ${p.escapes}); stdin lines when omitted`,
      count: 'send every message this many times',
      interval: 'ms between datagrams (default: as fast as possible)',
      intervalZero: 'back to back',
      rate: 'datagrams per second, instead of --interval',
      size: (p: { ipv4: number; ipv6: number }) => `pad each datagram with '.' to exactly this size (at most ${f.num(p.ipv4)} over IPv4, ${f.num(p.ipv6)} over IPv6)`,
      seq: 'prefix each datagram with "seq=<n> " and report lost, duplicated and reordered replies',
      wait: 'after the last send, collect replies this long',
      waitZero: 'no wait',
      anySource: (p: { windows: boolean }) => p.windows
        ? 'accept replies from any address and port, with an unconnected socket (default: only HOST:PORT is heard)'
        : 'accept replies from any address and port (an unconnected socket); ' +
          'a \'port unreachable\' cannot be detected in this mode (default: only HOST:PORT is heard)',
      rcvbuf: 'ask the kernel for this socket receive buffer (SO_RCVBUF) and report what it granted (default: the system\'s)',
      raw: 'write reply bytes to stdout exactly as received (default: a newline after each reply that lacks one)',
      quiet: 'no per-datagram lines on stderr (the summary still)',
      examples: (p: { windows: boolean }) => `
Examples:
  # one datagram; each reply printed on its own line
  $ sockkit udp-send 127.0.0.1 9000 hola
  # two datagrams, one per stdin line
  $ printf 'hola\\nmundo\\n' | sockkit udp-send 127.0.0.1 9000
  # 100 numbered datagrams; a server answering from another port is heard
  $ sockkit udp-send 127.0.0.1 9000 hola --count 100 --seq --any-source

Event lines (stderr): "sent N bytes: preview", "reply from A, N bytes: preview",
"waiting …", then the summary. On Linux the summary also says when this
machine's kernel dropped datagrams because a receive buffer was full
(Udp RcvbufErrors in /proc/net/snmp, Udp6RcvbufErrors in /proc/net/snmp6
for IPv6; a machine-wide counter); --rcvbuf helps.
${p.windows
  ? `Exit codes: 0 done (lost replies included, and nothing listening: Windows
does not report a 'port unreachable'), 1 a message not sent, 2 bad command
line or empty stdin (nothing to send), 130 Ctrl-C (after the summary).`
  : `Exit codes: 0 done (lost replies included), 1 nothing listening (ICMP port
unreachable; the summary is printed first) or a message not sent, 2 bad
command line or empty stdin (nothing to send), 130 Ctrl-C (after the summary).`}`,
    },
    /** UDP's limit for the family, and macOS's lower default (net.inet.udp.maxdgram), which refuses more with EMSGSIZE. */
    datagramLimit: (p: { maxBytes: number; macos: boolean }) =>
      `at most ${f.num(p.maxBytes)} bytes per datagram` + (p.macos ? '; macOS sends at most 9216 unless `sysctl net.inet.udp.maxdgram` is raised' : ''),
    readyConnected: (p: { remote: string; local: string; family: string; limit: string }) =>
      `sending to ${p.remote} from ${p.local} (UDP over ${p.family}, ${p.limit})`,
    /** `localAddress`: undefined when bound to every local address. */
    readyAnySource: (p: { remote: string; localPort: number; localAddress?: string; family: string; limit: string }) =>
      `sending to ${p.remote} from port ${p.localPort} on ${p.localAddress ?? 'every local address'} (UDP over ${p.family}, ${p.limit})`,
    anySourceNote: (p: { windows: boolean }) => p.windows
      ? `--any-source: replies from any address and port are accepted; ${windowsNoRefusal}`
      : '--any-source: replies from any address and port are accepted; a \'port unreachable\' cannot be detected ' +
        'in this mode, so "nothing is listening" looks the same as "no reply"',
    typeLines: (p: { eofKey: string }) => `type lines: each one is sent as one datagram (the line ending is not sent); ${p.eofKey} to finish`,
    /** `shown`: the preview after the size, as datagramShown renders it. */
    sent: (p: { arrow: string; seq?: number; bytes: number; shown: string }) =>
      `${p.arrow} sent ${p.seq !== undefined ? `seq ${f.num(p.seq)}, ` : ''}${bytes(p.bytes)}${p.shown}`,
    /** `line`: the stdin line (undefined for the message argument). */
    notSent: (p: { line?: number; bytes: number; datagramBytes: number; overSize: boolean; limitBytes: number }) =>
      `${p.line === undefined ? 'the message' : `line ${f.num(p.line)}`} is ${f.num(p.bytes)} bytes` +
      (p.datagramBytes !== p.bytes ? ` (${f.num(p.datagramBytes)} with its seq= prefix)` : '') +
      `, ${p.overSize ? `longer than --size ${f.num(p.limitBytes)}` : `over the ${f.num(p.limitBytes)}-byte UDP limit`}; not sent`,
    reply: (p: { arrow: string; source: string; fromTarget: boolean; mark: Mark; bytes: number; shown: string }) =>
      `${p.arrow} reply from ${p.source}${p.fromTarget ? '' : p.mark(' (not the target)')}, ${bytes(p.bytes)}${p.shown}`,
    waiting: (p: { waitMs: number }) =>
      `last datagram sent; collecting replies for ${f.duration(p.waitMs)} (UDP has no end-of-stream; --wait changes this)`,
    totals: (p: { interrupted?: Mark; sent: number; bytesSent: number; target: string; replies: number; bytesReceived: number; notSent: number; red: Mark }) =>
      `${p.interrupted ? `${p.interrupted('interrupted')}: ` : ''}sent ${datagrams(p.sent)} (${f.bytes(p.bytesSent)}) to ${p.target}, ` +
      `received ${replies(p.replies)} (${f.bytes(p.bytesReceived)})` +
      (p.notSent ? `; ${p.red(`${f.num(p.notSent)} not sent`)} (too long)` : ''),
    /** Typing lines: a 'port unreachable' does not end the session. */
    refusedGoingOn: (p: { target: string }) =>
      `nothing is listening on ${p.target} yet (the host answered 'port unreachable'); ` +
      'type the next line when the server is running',
    /** The sending pace: `asked` null when no rate was asked (as fast as the socket took them). */
    pace: (p: { asked: number | null; achieved: number; lagMaxMs?: number; lagP99Ms?: number }) =>
      p.asked === null
        ? `rate: ${f.num(Math.round(p.achieved))} datagrams/s (as fast as the socket took them)`
        : `rate: ${f.num(Math.round(p.achieved))}/s of the ${f.num(Math.round(p.asked))}/s asked` +
          (p.lagMaxMs === undefined ? '' : `; behind schedule at most ${lag(p.lagMaxMs)} (p99 ${lag(p.lagP99Ms ?? 0)})`),
    /** Below 99% of the rate asked. */
    paceShort: (p: { asked: number; achieved: number }) =>
      `this machine could not keep up: it reached ${f.num(Math.round(p.achieved))}/s, ` +
      `${f.num(Math.floor(p.achieved / p.asked * 100))}% of the ${f.num(Math.round(p.asked))}/s asked`,
    /** ENOBUFS on send, each retried. */
    sendRefusals: (p: { refusals: number }) =>
      `the kernel refused ${f.plural(p.refusals, { one: '# send', other: '# sends' })} for lack of buffer space (ENOBUFS); each was retried`,
    stoppedPlanned: (p: { unsent: number; planned: number }) => `the run stopped there: ${f.num(p.unsent)} of ${datagrams(p.planned)} not sent`,
    stoppedStdin: 'the run stopped there: any further stdin lines were not sent',
    /** At most five sources are listed; `more`: there were others. */
    otherSources: (p: { replies: number; target: string; sources: Array<{ source: string; count: number }>; more: boolean }) =>
      `${replies(p.replies)} came from another address or port than the target ${p.target}: ` +
      `${p.sources.map(s => `${s.source} (${f.num(s.count)})`).join(', ')}${p.more ? ', …' : ''}`,
    seqNoPrefix: (p: { sent: number; replies: number }) =>
      'seq: the replies carried no seq= prefix (the server answered in its own words), so loss cannot be told ' +
      `from them: sent ${f.num(p.sent)}, received ${replies(p.replies)}`,
    /** Loss, or "unanswered" when the run was cut short (`stop`: how, when it was). */
    seqMissing: (p: { lost: number; stop?: 'stopped' | 'ended' }) =>
      p.stop === undefined ? `${f.num(p.lost)} lost` : `${f.num(p.lost)} unanswered ${p.stop === 'stopped' ? 'when stopped' : 'when the run ended'}`,
    /** `missing`: seqMissing, emphasised. */
    seqLine: (p: { matched: number; sent: number; missing: string; duplicates: number; reordered: number; maxReorderExtent: number; unnumbered: number; unknown: number }) =>
      `seq: ${f.num(p.matched)} of ${f.num(p.sent)} answered, ${p.missing}, ` +
      `${f.plural(p.duplicates, { one: '# duplicate', other: '# duplicates' })}, ${f.num(p.reordered)} reordered` +
      (p.reordered ? ` (largest extent ${f.num(p.maxReorderExtent)})` : '') +
      (p.unnumbered ? `, ${f.num(p.unnumbered)} without a seq= prefix` : '') +
      (p.unknown ? `, ${f.num(p.unknown)} with a number we never sent` : ''),
    /** Replies carrying several seq= lines; `runs`: the numbers after each reply's first. */
    seqMerged: (p: { merged: number; runs: string; more: boolean }) =>
      `${replies(p.merged)} carried several seq= lines (the server merged datagrams into one reply); ` +
      `answered inside them, not lost: ${p.runs}${p.more ? ', …' : ''}`,
    /** `runs`: the numbers as `2, 5–9, 12`; `more`: the list was cut. */
    seqLost: (p: { stop?: 'stopped' | 'ended'; runs: string; more: boolean; unnumbered: number }) =>
      `${p.stop === undefined ? 'lost (no reply within the wait)' : `no reply yet ${p.stop === 'stopped' ? 'when stopped' : 'when the run ended'}`}: ` +
      `${p.runs}${p.more ? ', …' : ''}` +
      (p.unnumbered ? ` — judged from the numbered replies; the ${f.num(p.unnumbered)} without a prefix may answer some of these` : ''),
    kernelCounter: (p: { ipv6: boolean; drops: number }) =>
      `${p.ipv6 ? 'Udp6RcvbufErrors' : 'Udp RcvbufErrors'} +${f.num(p.drops)}; a machine-wide counter: udp-send's own buffer, ` +
      'the server\'s if it runs on this machine, or any other program\'s',
    kernelMissing: (p: { missing: number; drops: number; counter: string }) =>
      `${replies(p.missing)} missing, and this machine's kernel dropped up to ` +
      `${datagrams(p.drops)} during the run because a receive buffer was full (${p.counter}) — ` +
      '--rcvbuf <bytes> gives udp-send a bigger buffer; --rate sends slower',
    kernelMaybe: (p: { drops: number; counter: string }) =>
      `this machine's kernel dropped ${datagrams(p.drops)} during the run because a receive buffer was full ` +
      `(${p.counter}); if you expected more replies, some may be among them — --rcvbuf <bytes> gives udp-send a bigger buffer`,
    noReply: (p: { target: string; connected: boolean; aborted: boolean; windows: boolean }) => {
      const stop = p.aborted ? ' before the stop' : ''
      if (p.windows) return `no reply from ${p.connected ? p.target : 'any address'}${stop}: ${windowsNoRefusal}`
      return p.connected
        ? `no reply from ${p.target}${stop}: if the server answers from another port (Java's new DatagramSocket() does), use --any-source`
        : 'no reply from any address (with --any-source a \'port unreachable\' cannot be detected: nothing listening looks the same)'
    },
  }
}
