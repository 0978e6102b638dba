/**
 * The impairment API in one import, for callers written before the split into model,
 * expectation, planning and start (docs/dev/impairment.md). New code imports the module it needs.
 */
export {
  IMPAIRMENT_KINDS, MAX_IMPAIRMENT_DELAY_MS, normalizeImpairment, activeImpairments, REORDER_HOLD_MS, createRandom, deriveSeed, randomSeed, emptyDirectionCounters, emptyCounters, addCounters, drawDelayMs, type Impairment, type FullImpairment, type EmulatorChoice, type EmulatorKind, type KernelReason, type NetemReason, type ImpairmentKind, type Random, type Direction, type DirectionCounters, type ImpairmentCounters,
} from './model.js'
export {
  expectedRoundTrip, simulateReorderPercent, REORDER_RANGE_RUNS, REORDER_RANGE_MAX_PROBES, reorderRangePercent, describeImpairment, expectedClauses, type ExpectedClause, type ExpectedRoundTrip, type ExpectedRoundTripOptions, type ReorderRange,
} from './expectation.js'
export {
  planEmulator, type AppliedBy, type PlanReason, type EmulatorPlan, type EmulatorSupport,
} from './planning.js'
export {
  startImpairment, type StartImpairmentOptions, type ImpairmentEvent, type ImpairmentCountersReport, type ImpairmentConfig, type ImpairmentReport, type RunningImpairment,
} from './start.js'
