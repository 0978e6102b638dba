/**
 * The reflector's UDP endpoint: echoes only datagrams that decode as compare probes, each
 * exactly as received (never larger: no amplification), so a stray or spoofed datagram
 * cannot make it send anything.
 */
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { probeProblem } from './probe.js'
import type { ReflectorEndpoint, ReflectorEndpointFactory, ReflectorSummary } from './reflector-types.js'

export const udpEndpoint: ReflectorEndpointFactory = (options, emit): ReflectorEndpoint => {
  let socket: UdpSocket | undefined
  const peers = new Set<string>()
  const totals = { probesEchoed: 0, bytesEchoed: 0, ignored: 0, denied: 0, sendErrors: 0 }
  const summary = (): ReflectorSummary['udp'] => ({ ...totals, peers: peers.size })

  const onDatagram = (udp: UdpSocket, data: Buffer, rinfo: RemoteInfo): void => {
    const from = { remoteAddress: rinfo.address, remotePort: rinfo.port }
    if (options.addressFilter !== undefined && !options.addressFilter(rinfo.address)) {
      totals.denied++
      emit({ type: 'udp-denied', ...from, bytes: data.length, total: totals.denied })
      return
    }
    // Only what compare sends is answered (magic, flags 0, zero padding, at most the largest
    // probe): the reflector is no general-purpose echo for whoever finds the port.
    const problem = probeProblem(data)
    if (problem !== undefined) {
      totals.ignored++
      emit({ type: 'udp-ignored', ...from, bytes: data.length, total: totals.ignored, reason: problem })
      return
    }
    const peer = `${rinfo.address}|${rinfo.port}`
    if (!peers.has(peer) && peers.size < options.maxUdpPeers) {
      peers.add(peer)
      emit({ type: 'udp-peer', ...from, peers: peers.size })
    }
    // The very bytes received go back: the echo is never larger than the request.
    udp.send(data, rinfo.port, rinfo.address, err => {
      if (err) {
        totals.sendErrors++
        emit({ type: 'udp-send-error', ...from, code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
      } else {
        totals.probesEchoed++
        totals.bytesEchoed += data.length
      }
    })
  }

  const listen = (port: number) => new Promise<{ address: string; port: number; family: string }>((resolve, reject) => {
    const udp = createSocket({ type: isIPv6(options.host) ? 'udp6' : 'udp4' })
    const onError = (err: Error) => {
      udp.close()
      reject(Object.assign(err, { host: options.host, port }))
    }
    udp.once('error', onError)
    udp.bind(port, options.host, () => {
      udp.off('error', onError)
      udp.on('error', err => {
        // Errors after binding (an ICMP error surfacing on receive…) are reported; UDP goes on.
        emit({ type: 'udp-error', code: (err as { code?: string }).code ?? 'ERROR', message: err.message })
      })
      udp.on('message', (data, rinfo) => onDatagram(udp, data, rinfo))
      socket = udp
      resolve(udp.address())
    })
  })

  const close = () => new Promise<ReflectorSummary['udp']>(resolve => {
    const udp = socket
    socket = undefined
    if (udp === undefined) resolve(summary())
    else udp.close(() => resolve(summary()))
  })
  return { id: 'udp', listen, close, summary }
}
