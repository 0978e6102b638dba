/**
 * The kernel's view of one transport's run: /proc/net/snmp deltas for the IP transport it is
 * carried over (Tcp RetransSegs; Udp/Udp6 RcvbufErrors, InErrors, SndbufErrors), and the TCP
 * socket buffers as `ss` reports them.
 */
import type { Socket as TcpSocket } from 'node:net'
import { diffSnmp, udpCounterDelta, type SnmpCounters, type UdpFamily } from '../net/snmp.js'
import type { KernelReport } from './compare-types.js'
import type { TransportTraits } from './transport-types.js'

/**
 * The counters that explain a run carried over `carriedOver`, between `before` and `after`.
 * `family` is the probes' family (the socket is udp6 only for an IPv6 target): its drops are
 * counted in Udp6 (/proc/net/snmp6), an IPv4 one's in Udp.
 */
export const kernelReport = (
  carriedOver: TransportTraits['carriedOver'],
  before: SnmpCounters | undefined,
  after: SnmpCounters | undefined,
  socketBuffers: KernelReport['socketBuffers'],
  family: UdpFamily,
): KernelReport => {
  const buffers = socketBuffers ? { socketBuffers } : {}
  if (before === undefined || after === undefined) {
    return { available: false, reason: 'no-snmp', ...buffers }
  }
  const delta = diffSnmp(before, after)
  if (carriedOver === 'tcp') {
    // Tcp: in /proc/net/snmp covers both IP families.
    const retransSegs = delta.tcp.RetransSegs ?? null
    return retransSegs === null
      ? { available: false, reason: 'tcp-counter-unknown', ...buffers }
      : { available: true, tcp: { retransSegs }, ...buffers }
  }
  const counter = (name: string) => family === 'ipv4' ? `Udp ${name}` : family === 'ipv6' ? `Udp6${name}` : `Udp/Udp6 ${name}`
  const rcvbufErrors = udpCounterDelta(delta, 'RcvbufErrors', family)
  const inErrors = udpCounterDelta(delta, 'InErrors', family)
  const sndbufErrors = udpCounterDelta(delta, 'SndbufErrors', family)
  // Unknown is never reported as +0: the verdict would blame the network for our drops.
  const unknown = [['RcvbufErrors', rcvbufErrors], ['InErrors', inErrors], ['SndbufErrors', sndbufErrors]]
    .filter(([, value]) => value === null).map(([name]) => counter(name as string))
  if (rcvbufErrors === null || inErrors === null || sndbufErrors === null) {
    const reason = family !== 'ipv4' && after.udp6 === undefined ? 'no-snmp6' : 'udp-counters-unknown'
    return { available: false, reason, counters: unknown, ...buffers }
  }
  return { available: true, udp: { rcvbufErrors, inErrors, sndbufErrors }, ...buffers }
}

/**
 * The TCP socket's buffer sizes as the kernel holds them now (autotuned during the run):
 * Node has no getter for a TCP socket's SO_RCVBUF/SO_SNDBUF, so on Linux they are read from
 * `ss -tmn` (skmem rb/tb) for this one connection. undefined elsewhere, or when ss is missing,
 * slow (over 1 s) or says nothing — never a failure of the run.
 */
export const readTcpBuffers = async (socket: TcpSocket): Promise<KernelReport['socketBuffers'] | undefined> => {
  if (process.platform !== 'linux' || socket.destroyed || socket.localPort === undefined || socket.remotePort === undefined) return undefined
  const { execFile } = await import('node:child_process')
  const output = await new Promise<string | undefined>(resolve => {
    try {
      execFile('ss', ['-tmnH', 'state', 'established', 'sport', '=', `:${socket.localPort}`, 'and', 'dport', '=', `:${socket.remotePort}`],
        { timeout: 1000 }, (err, stdout) => resolve(err ? undefined : stdout))
    } catch {
      resolve(undefined)
    }
  })
  return output === undefined ? undefined : parseSkmem(output)
}

/** `skmem:(r0,rb131072,t0,tb2626560,…)` → { receiveBytes: 131072, sendBytes: 2626560 }; undefined when absent. */
export const parseSkmem = (ssOutput: string): KernelReport['socketBuffers'] | undefined => {
  const skmem = /skmem:\(([^)]*)\)/.exec(ssOutput)?.[1]
  if (skmem === undefined) return undefined
  const field = (name: string) => {
    const match = new RegExp(`(?:^|,)${name}(\\d+)(?:,|$)`).exec(skmem)
    return match ? Number(match[1]) : undefined
  }
  const receiveBytes = field('rb')
  const sendBytes = field('tb')
  if (receiveBytes === undefined && sendBytes === undefined) return undefined
  return { ...(receiveBytes !== undefined ? { receiveBytes } : {}), ...(sendBytes !== undefined ? { sendBytes } : {}) }
}
