/**
 * UDP as a compare transport: one connected socket, one probe per datagram. At most 32
 * sends in flight, so the socket is never handed more than it can take; a send the kernel
 * refuses (ENOBUFS, EAGAIN) is a send failure, and that probe is simply lost.
 */
import { createSocket } from 'node:dgram'
import { isIPv6 } from 'node:net'
import { MAX_UDP_PAYLOAD_IPV4 } from '../../core/constants.js'
import { formatAddress } from '../../core/addresses.js'
import { datagramTooBig, sockkitError } from '../../core/errors.js'
import type { OpenChannelOptions, TransportAdapter, TransportChannel } from '../transport-types.js'

const MAX_IN_FLIGHT = 32

const openUdp = async (options: OpenChannelOptions): Promise<TransportChannel> => {
  const { target, shownTarget: shown } = options
  const socket = createSocket({ type: isIPv6(target.host) ? 'udp6' : 'udp4' })
  socket.on('message', data => options.onArrivals([{ data, offset: 0 }]))
  // On a connected UDP socket an ICMP "port unreachable" comes back as ECONNREFUSED.
  // Before any echo that means nothing listens there; after, the reflector went away.
  socket.on('error', (err: Error & { code?: string }) => options.onFailure(Object.assign(err, { host: shown.host, port: shown.port })))
  const close = () => new Promise<{ socketBuffers: { receiveBytes: number; sendBytes: number } } | Record<string, never>>(resolve => {
    let socketBuffers: { receiveBytes: number; sendBytes: number } | undefined
    try { socketBuffers = { receiveBytes: socket.getRecvBufferSize(), sendBytes: socket.getSendBufferSize() } } catch { /* not connected */ }
    socket.close(() => resolve(socketBuffers ? { socketBuffers } : {}))
  })
  try {
    // Connected: the kernel filters other senders, and sends skip a lookup per datagram.
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject)
      socket.connect(target.port, target.host, () => { socket.off('error', reject); resolve() })
    })
  } catch (err) {
    await close()
    throw err
  }
  let inFlight = 0
  let slotFree: (() => void) | undefined
  const send = (probe: Buffer): void | Promise<void> => {
    inFlight++
    socket.send(probe, err => {
      inFlight--
      if (err) {
        options.onSendFailure()
        // Over this system's datagram limit: every probe would fail the same way. Say so,
        // rather than report 100% loss as a full send buffer.
        const tooBig = datagramTooBig(err, probe.length, formatAddress(target.host, target.port), 'UDP probe', { host: target.host, port: target.port })
        if (tooBig) options.onFailure(tooBig)
      }
      slotFree?.()
    })
    if (inFlight < MAX_IN_FLIGHT) return
    return new Promise<void>(resolve => { slotFree = () => { slotFree = undefined; resolve() } })
  }
  return { send, close }
}

export const udpTransport: TransportAdapter = {
  id: 'udp',
  traits: { label: 'UDP', reliable: false, ordered: false, framing: 'datagram', carriedOver: 'udp', maxProbeBytes: MAX_UDP_PAYLOAD_IPV4 },
  open: openUdp,
  noAnswer: shown => sockkitError('ERR_SOCKKIT_NO_ANSWER', 'compareUdpNoAnswer', { where: formatAddress(shown.host, shown.port) }, { host: shown.host, port: shown.port }),
}
