import type { Fmt } from '../fmt.js'

/** Words shared by several commands. */
export const common = (f: Fmt) => ({
  /** "Ctrl-C: stopping — no new connections; closing 2 open connections (each gets up to 1.0 s to finish)". */
  stopping: (p: { cause: string; open: number; graceMs: number }) =>
    `${p.cause}: stopping — no new connections; closing ${f.plural(p.open, { one: '# open connection', other: '# open connections' })} (each gets up to ${f.duration(p.graceMs)} to finish)`,
  emptyDatagram: '(empty datagram)',
})
