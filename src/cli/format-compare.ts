/**
 * compare's human output (skeleton; bodies follow).
 */
import type { ChalkInstance } from 'chalk'
import type { CompareResult } from '../compare-types.js'
import type { TransportRun, TransportResult } from '../compare-stats.js'

export function formatCompare (result: CompareResult, style: ChalkInstance, opts: { width?: number } = {}): string {
  void style; void opts
  return verdict(result).join('\n')
}

export function verdict (result: CompareResult): string[] {
  void result
  return []
}

export function formatCsvRows (run: TransportRun, result: TransportResult): string {
  void run; void result
  return 'transport,seq,scheduled_ms,sent_ms,received_ms,rtt_ms,status\n'
}
