/**
 * TCP as a compare transport: one connection, probes written back to back on the stream,
 * the echoed stream cut into `sizeBytes` frames. Socket buffers come from `ss` (Node has no
 * getter for a TCP socket's SO_RCVBUF/SO_SNDBUF).
 */
import { connect, type Socket } from 'node:net'
import { formatAddress } from '../../core/addresses.js'
import { sockkitError } from '../../core/errors.js'
import { readTcpBuffers } from '../kernel-report.js'
import type { ChannelTarget, OpenChannelOptions, TransportAdapter, TransportChannel } from '../transport-types.js'

/** Largest TCP-only probe size, bytes. */
export const MAX_TCP_PROBE_BYTES = 16 * 1024 * 1024

const where = (t: ChannelTarget) => formatAddress(t.host, t.port)

const connectTcp = (target: ChannelTarget, timeoutMs: number, signal?: AbortSignal): Promise<Socket> =>
  new Promise((resolve, reject) => {
    const socket = connect({ host: target.host, port: target.port })
    const fail = (err: Error) => {
      cleanup()
      socket.destroy()
      reject(Object.assign(err, { host: target.host, port: target.port }))
    }
    const onAbort = () => fail(sockkitError('ABORT_ERR', 'compareTcpConnectStopped', {}))
    const timer = setTimeout(() => fail(sockkitError('ERR_SOCKKIT_CONNECT_TIMEOUT', 'compareTcpConnectTimeout', { where: where(target), timeoutMs })), timeoutMs)
    const cleanup = () => {
      clearTimeout(timer)
      socket.off('error', fail)
      signal?.removeEventListener('abort', onAbort)
    }
    socket.once('error', fail)
    signal?.addEventListener('abort', onAbort, { once: true })
    socket.once('connect', () => { cleanup(); resolve(socket) })
  })

const openTcp = async (options: OpenChannelOptions): Promise<TransportChannel> => {
  const { shownTarget: shown, sizeBytes: size } = options
  const socket = await connectTcp(options.target, options.connectTimeoutMs, options.signal)
  socket.setNoDelay(!options.nagle)
  // Every probe is exactly `size` bytes, so the echoed stream is cut into size-byte frames.
  let leftover: Buffer = Buffer.alloc(0)
  socket.on('data', (chunk: Buffer) => {
    const data = leftover.length === 0 ? chunk : Buffer.concat([leftover, chunk])
    const frames: Array<{ data: Buffer; offset: number }> = []
    let offset = 0
    for (; offset + size <= data.length; offset += size) frames.push({ data, offset })
    leftover = offset === data.length ? Buffer.alloc(0) : Buffer.from(data.subarray(offset))
    if (frames.length > 0) options.onArrivals(frames)
  })
  socket.on('error', (err: Error & { code?: string }) => options.onFailure(Object.assign(err, { host: shown.host, port: shown.port })))
  socket.on('end', () => options.onFailure(sockkitError('ERR_SOCKKIT_NO_ANSWER', 'compareTcpClosedDuringRun', { where: where(shown) }, { host: shown.host, port: shown.port })))

  const send = (probe: Buffer): void | Promise<void> => {
    if (socket.write(probe)) return
    // Backpressure: the kernel's send buffer is full. Wait; the probes after this one
    // go out late, and their lag (and RTT from the schedule) shows it.
    return new Promise<void>(resolve => {
      const done = () => { socket.off('drain', done); socket.off('close', done); resolve() }
      socket.on('drain', done)
      socket.on('close', done)
    })
  }
  const close = async () => {
    const socketBuffers = await readTcpBuffers(socket)
    // The 'data' listener stays while the connection closes: an echo that still comes is recorded.
    socket.on('error', () => { /* closing; nothing left to report */ })
    await new Promise<void>(resolve => {
      if (socket.destroyed) { resolve(); return }
      const timer = setTimeout(() => socket.destroy(), 1000)
      socket.once('close', () => { clearTimeout(timer); resolve() })
      socket.end()
    })
    return socketBuffers ? { socketBuffers } : {}
  }
  return { send, close }
}

export const tcpTransport: TransportAdapter = {
  id: 'tcp',
  traits: { label: 'TCP', reliable: true, ordered: true, framing: 'stream', carriedOver: 'tcp', maxProbeBytes: MAX_TCP_PROBE_BYTES },
  open: openTcp,
  noAnswer: shown => sockkitError('ERR_SOCKKIT_NO_ANSWER', 'compareTcpNoAnswer', { where: where(shown) }, { host: shown.host, port: shown.port }),
}
