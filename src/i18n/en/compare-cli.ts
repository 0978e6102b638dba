import type { Fmt } from '../fmt.js'

/** `sockkit compare`'s own lines: usage errors, progress, failures, and its --help. */
export const compareCli = (f: Fmt) => ({
  emulatorInvalid: (p: { value: string }) => `emulator must be auto, kernel or userspace, not "${p.value}"`,
  delayTooLong: (p: { name: string; max: number; value: string }) => `${p.name} must be at most ${f.num(p.max)} ms, not "${p.value}"`,
  seedTooBig: (p: { value: string }) => `seed must be below 4294967296, not "${p.value}"`,
  transportsInvalid: (p: { value: string }) => `transports must be tcp, udp or tcp,udp, not "${p.value}"`,
  wholeInvalid: (p: { name: string; unit: string; min: number; value: string }) =>
    `${p.name} must be a whole number${p.unit} of at least ${f.num(p.min)} (like 1000 or 1e3), not "${p.value}"`,
  rateInvalid: (p: { value: string }) => `rate must be a number of probes per second above 0 (like 200, 0.5 or 1e4), not "${p.value}"`,
  sizeInvalid: (p: { value: string }) => `size must be a whole number of bytes, at least 24 (the probe header), not "${p.value}"`,
  csvCannotWrite: (p: { path: string; problem: string }) => `cannot write the CSV file ${p.path}: ${p.problem}`,
  csvWriteFailed: (p: { path: string; problem: string }) => `could not finish writing the CSV file ${p.path}: ${p.problem}`,
  fileProblem: {
    ENOENT: (p: { dir: string }) => `the directory ${p.dir} does not exist`,
    ENOTDIR: 'a part of that path is a file, not a directory',
    EISDIR: 'that is a directory; give a file name',
    EACCES: 'permission denied',
    EROFS: 'the file system is read-only',
    ENOSPC: 'the disk is full',
  },
  portNeedsHost: (p: { port: number }) =>
    `--port ${p.port} needs a host: without one compare starts its own reflector (to measure a local \`sockkit serve\`, give 127.0.0.1)`,
  sizeTooBigForUdp: (p: { max: number; value: number }) => `--size: size must be at most ${p.max} bytes with UDP (the largest datagram), not ${p.value}`,
  csvAndJsonOnStdout: '--csv - and --json both write to stdout: give --csv a file name',
  needsImpairment: (p: { flag: string }) => `--${p.flag} needs an impairment to apply: add --loss, --delay, --jitter, --reorder or --duplicate`,
  /** Every transport failed: why the first did, then why the last did. */
  bothFailed: (p: { first: string; second: string }) => `${p.first}; and ${p.second}`,
  transportError: (p: { transport: string; sentence: string }) => `${p.transport}: ${p.sentence}`,
  stopped: (p: { cause: string }) => `sockkit: stopped by ${p.cause}; the result covers the probes sent so far`,
  progress: {
    /** `127.0.0.1:9000 via 127.0.0.1:40000` */
    via: (p: { target: string; relay: string }) => `${p.target} via ${p.relay}`,
    /** The plain line (no terminal) when a transport starts. */
    phaseLine: (p: { transport: string; target: string; total: number; warmup: number }) =>
      `${p.transport} → ${p.target}: sending ${f.plural(p.total, { one: '# probe', other: '# probes' })}${p.warmup ? ` after ${f.plural(p.warmup, { one: '# warm-up probe', other: '# warm-up probes' })}` : ''}`,
    phaseLive: (p: { transport: string; target: string; total: number; warmup: number }) =>
      `${p.transport} → ${p.target}: ${p.warmup ? `warming up with ${f.plural(p.warmup, { one: '# probe', other: '# probes' })}, then ` : ''}sending ${f.plural(p.total, { one: '# probe', other: '# probes' })}…`,
    counter: (p: { transport: string; target: string; sent: number; total: number; percent: number; received: number }) =>
      `${p.transport} → ${p.target}: sent ${p.sent}/${p.total} (${p.percent}%), ${p.received} back`,
    waiting: (p: { transport: string; outstanding: number; capS: number }) =>
      `waiting for ${f.plural(p.outstanding, { one: `# ${p.transport} probe`, other: `# ${p.transport} probes` })} still in flight (TCP retransmits; up to ${p.capS} s)`,
    /** `UDP → 127.0.0.1:9000: <text>` */
    line: (p: { transport: string; target: string; text: string }) => `${p.transport} → ${p.target}: ${p.text}`,
    failed: (p: { transport: string; target: string; code: string }) => `${p.transport} → ${p.target}: failed (${p.code})`,
  },
  help: {
    summary: 'TCP versus UDP side by side: loss, ordering, latency, with the same traffic',
    description: 'Sends the same stream of numbered probes, on a fixed schedule, over TCP and then UDP ' +
      'to a reflector, and shows in one table what each transport did with it. Without a host it ' +
      'starts its own reflector in a separate process on 127.0.0.1; with a host it measures ' +
      '`sockkit serve` running there.',
    arguments: { host: 'where `sockkit serve` runs (default: own reflector)' },
    options: {
      port: "`sockkit serve`'s port on that host",
      count: 'probes per transport',
      rate: 'probes per second, on a fixed schedule',
      size: (p: { max: number }) => `probe size, 24 to ${p.max} with UDP`,
      transports: 'tcp, udp or both, in that order',
      blast: 'send as fast as the sockets accept (buffer overflow)',
      sequential: 'measure one transport after the other (default: their probes interleaved on one schedule)',
      warmup: 'probes sent and discarded first',
      nagle: "leave Nagle's algorithm on for the probes sent (default: off; the reflector's echo is always without it)",
      tmax: 'loss waiting time (default: automatic, see below)',
      loss: 'impair: drop this share of packets',
      delay: 'impair: add this one-way delay',
      jitter: 'impair: vary the delay by ± this much',
      reorder: 'impair: hold back this share of datagrams',
      duplicate: 'impair: send this share of datagrams twice',
      emulator: 'auto, kernel (nft) or userspace',
      seed: "the relay's random seed (default: random, reported); the kernel's drops are random, --emulator userspace (UDP) repeats them too",
      json: 'the result as one JSON document on stdout',
      csv: 'one row per probe into <file>; - for stdout',
    },
    /** After the options: examples, definitions, exit codes; wrapped for 80 columns. */
    after: `
Examples:
  $ sockkit compare                      TCP versus UDP on this machine
  $ sockkit compare --loss 5 --delay 20  a lossy, slow network (classroom)
  $ sockkit compare 192.168.1.20 --json  against \`sockkit serve\` there

What each figure means:
  RTT         from each probe's SCHEDULED send time (open loop: a stalled
              sender shows up, it is not hidden); send lag = actual −
              scheduled. A --rate faster than this machine can send is
              allowed: probes leave as fast as they can, the lag shows it.
  lost        not back within Tmax (RFC 7680/6673), which is reported; late
              echoes count as lost, duplicates once. --tmax applies to both.
              Automatic Tmax: UDP the larger of 1 s (+ any added delay) and
              3 × the largest RTT, frozen at the last send; TCP, which
              delivers or dies, waits for every probe while the connection
              lives, up to 60 s (its Tmax is that cap).
  reordered   below the highest number seen + 1 (RFC 4737).
  jitter      RFC 3550 A.8, on RTTs from the schedule: round trip (RFC
              3550's is one-way), and a sender stall is in it. |IPDV| (the
              size of the change from the previous probe) and PDV (RTT −
              min): RFC 5481. A percentile needs enough samples (p99: 100,
              p99.9: 1000), else it reads n/a.
  throughput  probes back in time over the measured interval: from the
              first scheduled send to the last echo, or to the end of
              sending if later (last send + one interval: N probes own N
              intervals, so it never exceeds --rate); n/a for one probe.
              The wait for lost probes is not counted.
  kernel      /proc/net/snmp deltas (Udp RcvbufErrors, Tcp RetransSegs),
              read around each transport; they count the whole machine.

Impairments act on each direction: 20% loss each way is 36% round trip.
auto gives loss to the kernel (nftables) where it can drop (Linux, root,
nft), UDP and TCP alike, and the rest to a userspace relay; without it the
relay does all of it for UDP, but cannot drop, reorder or duplicate TCP
segments, so TCP then gets only delay and jitter (the output says so).

--csv - writes the rows to stdout and the table to stderr (not with --json);
its seq is the probe header's, from 0 as on the wire.
Exit codes: 0 done, 1 no answer or a runtime failure (with --json, stdout
then holds {"schema", "error"}), 2 bad option or a --csv file that cannot
be opened, 130 Ctrl-C (partial result printed).`,
  },
})
