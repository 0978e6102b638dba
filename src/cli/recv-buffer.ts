import { readFileSync } from 'node:fs'
import { formatBytes } from './render/format.js'

/** net.core.rmem_max on Linux (the cap on SO_RCVBUF for a normal user), if readable. */
const linuxRmemMax = (): number | undefined => {
  try {
    return Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8').trim()) || undefined
  } catch {
    return undefined
  }
}

/**
 * One sentence on a UDP socket's receive buffer: the system default, or what `--rcvbuf`
 * asked for against what the kernel granted — with the sysctl to raise a Linux cap —
 * or, when the kernel refused the request (`refused`: its error code), that the default
 * is kept. `platform` is process.platform unless a test says otherwise.
 */
export const describeRecvBuffer = (
  granted: number, requested: number | undefined, refused?: string, platform: NodeJS.Platform = process.platform,
): string => {
  if (requested === undefined) return `receive buffer ${formatBytes(granted)} (the system default; --rcvbuf changes it)`
  if (refused !== undefined) {
    // macOS refuses anything over kern.ipc.maxsockbuf (8 MiB by default) instead of clamping it as Linux does.
    const why = platform === 'darwin' && refused === 'ENOBUFS'
      ? `${refused} — macOS caps it at kern.ipc.maxsockbuf, see \`sysctl kern.ipc.maxsockbuf\``
      : refused
    return `receive buffer: the kernel refused ${requested} bytes (${why}); using its default of ${granted} bytes`
  }
  if (platform !== 'linux') return `receive buffer: asked for ${requested} bytes, the kernel granted ${granted} bytes`
  const rmemMax = linuxRmemMax()
  // Linux grants twice what it keeps for data (the other half is its bookkeeping): twice the
  // request, or twice net.core.rmem_max when the request is over that cap.
  if (granted < requested * 2 && rmemMax !== undefined) {
    return `receive buffer: asked for ${requested} bytes, capped at net.core.rmem_max = ${rmemMax} bytes, which Linux ` +
      `doubles to ${granted} for its bookkeeping — raise the cap with \`sysctl -w net.core.rmem_max=${requested}\``
  }
  return `receive buffer: asked for ${requested} bytes, the kernel granted ${granted} bytes ` +
    `(Linux doubles the request to leave room for its own bookkeeping)`
}
