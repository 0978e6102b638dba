import type { Fmt } from '../fmt.js'

/**
 * Errors of src/core: values the user typed (ports, hosts, counts, durations, CIDR blocks)
 * and the datagram limit. Worded for the value, never for a flag: `name` is the value's name
 * ("count", "host", "allow").
 */
export const errorsCore = (f: Fmt) => ({
  corePort: (p: { min: number; text: string }) => `port must be a whole number from ${f.num(p.min)} to 65535, not "${p.text}"`,
  coreHostWithPort: (p: { name: string; value: string; host: string; port: string }) =>
    `${p.name} "${p.value}" includes a port: give the host alone (${p.host}) and the port ${p.port} as its own argument`,
  coreHostEmpty: (p: { name: string }) => `${p.name} must be a name or an address, not empty`,
  coreHostSpace: (p: { name: string; value: string }) => `${p.name} "${p.value}" has a space inside; give one name or address`,
  coreHostBracket: (p: { name: string; value: string }) =>
    `${p.name} "${p.value}" has an unmatched bracket: write an IPv6 address as [::1] or ::1`,
  coreHostNotIpv6: (p: { name: string; value: string }) => `${p.name} "${p.value}" is not an IPv6 address (a name has no colons)`,
  coreHostNotIpv4: (p: { name: string; host: string }) =>
    `${p.name} "${p.host}" is not an IPv4 address: each of its four numbers must be 0–255`,
  corePositiveInt: (p: { name: string; text: string }) => `${p.name} must be a whole number of at least 1, not "${p.text}"`,
  coreNonNegativeInt: (p: { name: string; text: string }) => `${p.name} must be a whole number of 0 or more, not "${p.text}"`,
  /** `zero`: what 0 means for this value ("no wait"), when 0 is allowed. */
  coreMilliseconds: (p: { name: string; min: number; zero?: string; max: number; text: string }) =>
    `${p.name} must be a whole number of milliseconds from ${f.num(p.min)}${p.zero === undefined ? '' : ` (0: ${p.zero})`} ` +
    `to ${f.num(p.max)} (24.8 days), not "${p.text}"`,
  coreRateTooLow: (p: { name: string; min: number; text: string }) =>
    `${p.name} must be at least ${p.min.toPrecision(3)} per second (one per 24.8 days), not "${p.text}"`,
  corePositiveNumber: (p: { name: string; text: string }) => `${p.name} must be a number greater than 0, not "${p.text}"`,
  corePercent: (p: { name: string; value: string }) => `${p.name} must be a percentage from 0 to 100, not "${p.value}"`,
  coreCidrEmpty: (p: { what: string; value: string }) => `${p.what} "${p.value}" is not an IP address or CIDR block: it is empty`,
  coreCidrNotAddress: (p: { what: string; value: string }) =>
    `${p.what} "${p.value}" is not an IP address or CIDR block: expected something like 192.168.1.0/24, 10.0.0.7 or fd00::/8 (host names are not accepted)`,
  coreCidrPrefix: (p: { what: string; value: string; maxPrefix: number; family: 'IPv4' | 'IPv6' }) =>
    `${p.what} "${p.value}" is not an IP address or CIDR block: the prefix length after "/" must be a whole number from 0 to ${f.num(p.maxPrefix)} for ${p.family}`,
  coreSequenceWindow: (p: { window: number }) => `the sequence window must be a whole number of at least 1 (or Infinity), not ${f.num(p.window)}`,
  coreFirstExpected: (p: { value: number }) => `firstExpected must be a whole number of at least 0, not ${f.num(p.value)}`,
  coreSequenceNumber: (p: { seq: number }) => `a sequence number must be a whole number from 0 to 2^53 − 1, not ${f.num(p.seq)}`,
  /** EMSGSIZE; the CLI adds how to make it smaller. */
  coreDatagramTooBig: (p: { bytes: number; where: string }) =>
    `the system refused to send a ${f.num(p.bytes)}-byte datagram to ${p.where} (EMSGSIZE): it is over this system's ` +
    'datagram limit (macOS allows 9216 bytes unless `sysctl net.inet.udp.maxdgram` is raised)',
  coreProbeTooBig: (p: { bytes: number; where: string }) =>
    `the system refused to send a ${f.num(p.bytes)}-byte UDP probe to ${p.where} (EMSGSIZE): it is over this system's ` +
    'datagram limit (macOS allows 9216 bytes unless `sysctl net.inet.udp.maxdgram` is raised)',
})
