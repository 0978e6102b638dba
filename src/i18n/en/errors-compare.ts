import type { Fmt } from '../fmt.js'

/** Errors raised by compare's library (config, runner, transports) and the probe reflector. */
export const errorsCompare = (f: Fmt) => ({
  compareCountRange: (p: { max: number; value: number }) =>
    `count must be a whole number from 1 to ${f.num(p.max)}, not ${f.num(p.value)}`,
  compareRateRange: (p: { value: number }) =>
    `rate must be a number of probes per second greater than 0, not ${f.num(p.value)}`,
  /** `known` are the registered transport ids, in registration order. */
  compareTransportsUnknown: (p: { known: string[]; value: string }) =>
    `transports must be ${p.known.slice(0, -1).join(', ')}${p.known.length > 1 ? ', ' : ''}${p.known.at(-1) ?? ''} or ${p.known.length === 2 ? 'both' : 'several'} (each once), not "${p.value}"`,
  /** `datagramLimit`: the largest size is the UDP datagram limit. */
  compareSizeRange: (p: { min: number; max: number; datagramLimit: boolean; value: number }) =>
    `size must be a whole number of bytes from ${f.num(p.min)} (the probe header) to ${f.num(p.max)}${p.datagramLimit ? ' (the largest UDP datagram)' : ''}, not ${f.num(p.value)}`,
  compareWarmupRange: (p: { value: number }) => `warmup must be a whole number of probes, 0 or more, not ${f.num(p.value)}`,
  compareTmaxRange: (p: { value: number }) => `tmax must be a number of milliseconds greater than 0, not ${f.num(p.value)}`,
  comparePortRange: (p: { value: number }) => `port must be a whole number from 1 to 65535, not ${f.num(p.value)}`,
  compareUdpNoAnswer: (p: { where: string }) =>
    `no UDP probe came back from ${p.where} — is \`sockkit serve\` running there and is UDP allowed through?`,
  compareTcpNoAnswer: (p: { where: string }) =>
    `no TCP probe came back from ${p.where} — something accepted the connection but did not echo: is it \`sockkit serve\`?`,
  compareTcpClosedDuringRun: (p: { where: string }) => `${p.where} closed the TCP connection during the run`,
  compareTcpConnectStopped: 'stopped before the TCP connection was made',
  compareTcpConnectTimeout: (p: { where: string; timeoutMs: number }) =>
    `no TCP connection to ${p.where} within ${f.num(p.timeoutMs)} ms`,
  compareRelayUnreachable: (p: { where: string; cause: string }) =>
    `the relay in front of ${p.where} could not reach it: ${p.cause}`,
  probeTooSmall: (p: { size: number; min: number }) => `probe size ${f.num(p.size)} is too small: a probe needs at least ${f.num(p.min)} bytes`,
  probeRunIdRange: (p: { value: number }) => `probe run id ${p.value} is not a 32-bit unsigned integer`,
  probeSeqRange: (p: { value: number }) => `probe sequence number ${p.value} is not a 32-bit unsigned integer`,
  /** `value` in ns, as a decimal string (a bigint). */
  probeScheduledRange: (p: { value: string }) => `probe scheduled time ${p.value} ns is out of range`,
  localReflectorStartTimeout: (p: { timeoutMs: number }) => `the local reflector did not start within ${f.num(p.timeoutMs)} ms`,
  /** `signal` when killed, else `code`; `stderrLine`: its first line of stderr, null when it wrote none. */
  localReflectorExited: (p: { signal: string | null; code: number | null; stderrLine: string | null }) =>
    `the local reflector exited before it was ready (${p.signal ?? `exit code ${p.code}`})${p.stderrLine !== null ? `: ${p.stderrLine}` : ''}`,
})
