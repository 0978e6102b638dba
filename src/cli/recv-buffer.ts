import { readFileSync } from 'node:fs'
import { EN, type Catalog } from '../i18n/index.js'

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
 * is kept. `platform` is process.platform unless a test says otherwise; `t` the catalogue's
 * recvBuffer area (English unless the command passes its own).
 */
export const describeRecvBuffer = (
  granted: number, requested: number | undefined, refused?: string, platform: NodeJS.Platform = process.platform,
  t: Catalog['recvBuffer'] = EN().recvBuffer,
): string => {
  if (requested === undefined) return t.systemDefault({ granted })
  if (refused !== undefined) {
    // macOS refuses anything over kern.ipc.maxsockbuf (8 MiB by default) instead of clamping it as Linux does.
    const why = platform === 'darwin' && refused === 'ENOBUFS' ? t.macosCap({ code: refused }) : refused
    return t.refused({ requested, granted, why })
  }
  if (platform !== 'linux') return t.granted({ requested, granted })
  const rmemMax = linuxRmemMax()
  // Linux grants twice what it keeps for data (the other half is its bookkeeping): twice the
  // request, or twice net.core.rmem_max when the request is over that cap.
  if (granted < requested * 2 && rmemMax !== undefined) return t.linuxCapped({ requested, granted, rmemMax })
  return t.linuxDoubled({ requested, granted })
}
