import { DEFAULT_CLOSE_GRACE_MS } from '../core/constants.js'
import type { AddressFilter } from '../core/cidr.js'
import { EXIT_INTERRUPTED } from './exit-codes.js'
import { aborted, announceStopping, jsonWriter, type CliContext } from './io.js'
import { deniedBecause, describeAddressFilter, unmatchableAllow } from './address-filter.js'

/*
 * What the server commands (tcp-server, udp-server, chat-server, serve) do alike: run until
 * Ctrl-C and print the summary, write their events as NDJSON, and word the address filter in
 * the run's language. What each prints for its own events stays in its command.
 */

/** A server as the commands drive it: listen, then close with its summary. */
export interface RunnableServer<S> {
  listen(): Promise<unknown>
  close(): Promise<S>
  /** Connections still open at Ctrl-C (said in the "stopping" line); none for UDP. */
  readonly activeConnections?: number
}

/** How a command prints a run's end. */
export interface SummaryPrinter<S> {
  summary(s: S): void
  /** Lines batched so far go out before the stopping line. */
  flush?(): void
}

/**
 * Listen, run until Ctrl-C (the io's signal), then say what is still open, close and print
 * the summary: the exit code is 130. `whileRunning` starts what lives beside the server (the
 * chat operator's keyboard) once it listens, and returns how to stop it.
 */
export const runUntilInterrupted = async <S>(
  ctx: CliContext, server: RunnableServer<S>, print: SummaryPrinter<S>, whileRunning?: () => () => void,
): Promise<number> => {
  try {
    await server.listen()
    const stop = whileRunning?.()
    await aborted(ctx.io.signal)
    stop?.()
    print.flush?.()
    if (server.activeConnections !== undefined) announceStopping(ctx, server.activeConnections, DEFAULT_CLOSE_GRACE_MS)
    print.summary(await server.close())
    return EXIT_INTERRUPTED
  } finally {
    print.flush?.()
  }
}

/** NDJSON on stdout: `{"time", "event", …fields}`, the library's `type` renamed `event`, then the summary. */
export const ndjsonPrinter = <E extends { type: string }, S extends object>(ctx: CliContext) => {
  const write = jsonWriter(ctx.io.stdout)
  return {
    event: ({ type, ...fields }: E): void => write({ event: type, ...fields }),
    summary: (s: S): void => write({ event: 'summary', ...s }),
    flush: (): void => {},
  }
}

/** The address filter in the run's language: its description, why a peer was denied, and a warning for an --allow the bound family cannot match. */
export const filterWords = (ctx: CliContext, filter: AddressFilter | undefined) => {
  const t = ctx.t.addressFilter
  return {
    /** '' without a filter. */
    describe: (): string => describeAddressFilter(filter, t),
    because: (address: string): string => deniedBecause(filter, address, t),
    unmatchable: (boundAddress: string): string | undefined => unmatchableAllow(filter, boundAddress, t),
  }
}
export type FilterWords = ReturnType<typeof filterWords>
