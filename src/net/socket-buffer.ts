import type { Socket } from 'node:dgram'

/**
 * Ask the kernel for a `bytes` receive buffer (SO_RCVBUF) on a bound socket. Resolves the
 * error code when the kernel refuses (the socket keeps the system's default), undefined
 * when it took the request (Linux clamps an oversized one to net.core.rmem_max without an
 * error).
 *
 * Not dgram's `recvBufferSize` option: Node applies that inside bind, where a refusal —
 * macOS answers ENOBUFS above kern.ipc.maxsockbuf, 8 MiB by default — is thrown where
 * nobody can catch it.
 */
export const requestRecvBufferSize = (socket: Socket, bytes: number): string | undefined => {
  try {
    socket.setRecvBufferSize(bytes)
    return undefined
  } catch (err) {
    // ERR_SOCKET_BUFFER_SIZE carries the system's own code (ENOBUFS…) in `info`.
    const { code, info } = err as { code?: string; info?: { code?: string } }
    return info?.code ?? code ?? 'ERROR'
  }
}
