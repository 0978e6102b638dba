import type { Fmt, Mark } from '../fmt.js'

/** serve (the reflector compare measures against): its events, its Ctrl-C summary and its help. */
export const serve = (f: Fmt) => {
  const datagrams = (n: number) => f.plural(n, { one: '# datagram', other: '# datagrams' })
  const bytesWord = (n: number) => f.plural(n, { one: '# byte', other: '# bytes' })
  /** Why a TCP connection ended, in the words tcp-server uses ("" for an ordinary close); keyed by CloseReason. */
  const closedBecause = {
    'normal': (_code?: string) => '',
    'reset': (code?: string) => ` (reset by the client, ${code ?? 'ECONNRESET'})`,
    'error': (code?: string) => ` (closed by error${code ? ` ${code}` : ''})`,
    'idle-timeout': (_code?: string) => ' (idle timeout)',
    'server-stopped': (_code?: string) => ' (server stopping)',
  }
  return {
    listening: (p: { here: string; em: Mark }) => `${p.em('listening')} on ${p.here}, TCP and UDP — the far end for sockkit compare`,
    fromElsewhere: (p: { host: string; port: number }) => `from another machine: sockkit compare ${p.host} --port ${p.port}`,
    everyAddress: (p: { addresses: readonly string[]; port: number }) =>
      `(every address of this machine: ${p.addresses.join(', ')}; a firewall must let TCP and UDP port ${p.port} through)`,
    fromHere: (p: { host: string; port: number }) => `from this machine: sockkit compare ${p.host} --port ${p.port}`,
    /** `wildcard`: the address that takes other machines in the bound family (`0.0.0.0`, `::`). */
    onlyHere: (p: { address: string; port: number; wildcard: string }) =>
      `${p.address} accepts only this machine; to measure from another one, run \`sockkit serve ${p.port} --host ${p.wildcard}\``,
    filter: (p: { filter: string }) => `${p.filter}; filtered peers are closed at once (TCP) or get no reply (UDP)`,
    warning: (p: { text: string }) => `warning: ${p.text}`,
    tcpAccepted: (p: { tag: string; from: string; active: number; em: Mark }) =>
      `${p.tag} ${p.em('tcp connection')} from ${p.from} (${f.num(p.active)} open)`,
    tcpClosed: (p: { tag: string; durationMs: number; bytes: number; reason: keyof typeof closedBecause; code?: string }) =>
      `${p.tag} closed after ${f.duration(p.durationMs)}: ${f.bytes(p.bytes)} echoed${closedBecause[p.reason](p.code)}`,
    tcpRefused: (p: { from: string; active: number; limit: number; em: Mark }) =>
      `${p.em('refused')} ${p.from}: ${f.num(p.active)} connections open, limit ${f.num(p.limit)}`,
    tcpDenied: (p: { from: string; because: string; em: Mark }) => `${p.em('denied')} tcp ${p.from} (${p.because}); closed at once`,
    tcpError: (p: { code: string; message: string; em: Mark }) => `${p.em('tcp error')} ${p.code}: ${p.message} (still listening)`,
    udpPeer: (p: { from: string; em: Mark }) => `${p.em('udp probes')} from ${p.from}`,
    /** Why a datagram was not echoed; keyed by ProbeProblem. */
    ignoredBecause: {
      'not-a-probe': 'not a compare probe',
      'bad-flags': 'a compare probe header with reserved flags set',
      'too-large': 'larger than any compare probe',
      'bad-padding': 'a compare probe header with non-zero padding',
    },
    udpIgnored: (p: { count: number; bytes: number; from: string; because: string; total: number; em: Mark }) =>
      `${p.em('ignored')} ${datagrams(p.count)} (latest: ${bytesWord(p.bytes)} from ${p.from}): ${p.because}, not echoed; ` +
      `${f.num(p.total)} ignored in all`,
    udpDenied: (p: { count: number; bytes: number; from: string; because: string; total: number; em: Mark }) =>
      `${p.em('denied')} ${datagrams(p.count)} (latest: ${bytesWord(p.bytes)} from ${p.from}, ${p.because}): no reply; ` +
      `${f.num(p.total)} denied in all`,
    udpSendError: (p: { from: string; code: string; em: Mark }) => `${p.em('udp echo failed')} to ${p.from}: ${p.code} (that probe is lost)`,
    udpError: (p: { code: string; message: string; em: Mark }) => `${p.em('udp error')} ${p.code}: ${p.message} (still listening)`,
    stopped: (p: { durationMs: number; udp: { probesEchoed: number; peers: number; ignored: number; denied: number; sendErrors: number }; tcp: { accepted: number; bytesIn: number; denied: number } }) =>
      `stopped after ${f.duration(p.durationMs)}: UDP ${f.plural(p.udp.probesEchoed, { one: '# probe', other: '# probes' })} echoed from ` +
      `${f.plural(p.udp.peers, { one: '# peer', other: '# peers' })}` +
      (p.udp.ignored ? `, ${f.num(p.udp.ignored)} ignored` : '') + (p.udp.denied ? `, ${f.num(p.udp.denied)} denied` : '') +
      (p.udp.sendErrors ? `, ${f.num(p.udp.sendErrors)} echoes failed` : '') +
      `; TCP ${f.plural(p.tcp.accepted, { one: '# connection', other: '# connections' })}, ${f.bytes(p.tcp.bytesIn)} echoed` +
      (p.tcp.denied ? `, ${f.num(p.tcp.denied)} denied` : ''),
    help: {
      summary: 'the far end for `sockkit compare`: TCP and UDP echo on one port',
      description: 'The reflector `sockkit compare <host>` measures against: a TCP echo and a UDP echo ' +
        'on the same port number. UDP echoes only compare probes, each exactly as received (never ' +
        'larger, so it cannot be used to amplify traffic); any other datagram is counted and ignored.',
      arguments: { port: 'TCP and UDP port, 0 = any free one' },
      options: {
        host: 'bind address (0.0.0.0: all)',
        maxConnections: 'TCP clients served at once',
        idleTimeout: 'close TCP idle this long; 0 = never',
        json: 'NDJSON events on stdout instead of text on stderr',
      },
      examples: `
Examples:
  $ sockkit serve                       on 127.0.0.1:9000 (this machine only)
  $ sockkit serve 9000 --host 0.0.0.0   reachable from other machines
  then, on another machine:
  $ sockkit compare 192.168.1.20 --port 9000

Events (stderr), one line each: listening; a TCP connection accepted and
closed, with the bytes echoed; the first UDP probe from each peer; ignored
datagrams (not compare probes) and denied peers, at most one line a second.
Ctrl-C prints a summary and exits 130.`,
    },
  }
}
