/**
 * compare's statistics (skeleton; bodies follow).
 */

export interface ProbeSend { seq: number; scheduledMs: number; actualMs: number }
export interface ProbeArrival { seq: number; receivedMs: number }
export interface TransportRun {
  transport: 'tcp' | 'udp'
  sends: ProbeSend[]
  arrivals: ProbeArrival[]
  tmaxMs: number
  sizeBytes: number
  durationMs: number
  foreign?: number
}
export interface LatencySummary { min: number | null; mean: number | null; p50: number | null; p90: number | null; p99: number | null; p999: number | null; max: number | null }
export interface TransportResult {
  transport: 'tcp' | 'udp'
  sent: number; received: number; lost: number; lossPercent: number
  late: number
  duplicates: number; reordered: number; maxReorderExtent: number
  jitterMs: number | null
  rttMs: LatencySummary
  ipdvMs: LatencySummary
  pdvMs: LatencySummary
  sendLagMs: { mean: number | null; p99: number | null; max: number | null }
  throughput: { probesPerSecond: number; mbitPerSecond: number }
  tmaxMs: number
  samples: number
  histogram: Array<{ fromMs: number; toMs: number; count: number }>
  foreign: number
}

export function minSamplesFor (quantile: number): number {
  return Math.ceil(1 / (1 - quantile))
}

export function percentile (sortedAscending: number[], quantile: number): number | null {
  throw new Error(`not implemented ${sortedAscending.length} ${quantile}`)
}

export function summarizeLatency (values: number[]): LatencySummary {
  throw new Error(`not implemented ${values.length}`)
}

export function analyzeRun (run: TransportRun): TransportResult {
  throw new Error(`not implemented ${run.transport}`)
}
