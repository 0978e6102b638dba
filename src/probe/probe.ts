/**
 * The probe compare sends over both transports: a fixed 24-byte header carrying the
 * run, the sequence number and the scheduled send time, padded to the probe size.
 * The same bytes go over UDP (one datagram) and TCP (framed by fixed size), so both
 * transports carry identical payloads.
 *
 * Layout, all big-endian:
 *   0  magic u32 'SKP1'
 *   4  runId u32        (probes from another run are not ours)
 *   8  seq u32
 *  12  flags u32        (0; reserved)
 *  16  scheduledNs u64  (ns since the run's start)
 *  24  padding (zeros) up to sizeBytes
 */
import { MAX_UDP_PAYLOAD_IPV4 } from '../core/constants.js'
import { invalidArg } from '../core/errors.js'

/** 'SKP1' */
export const PROBE_MAGIC = 0x534b5031
/** Bytes of header at the start of every probe; the smallest probe size. */
export const PROBE_HEADER_BYTES = 24
/** The largest probe compare sends (its --size limit with UDP: the largest IPv4 datagram). */
export const MAX_PROBE_BYTES = MAX_UDP_PAYLOAD_IPV4

export interface ProbeHeader {
  /** u32 identifying the run. */
  runId: number
  /** u32 sequence number, from 0. */
  seq: number
  /** ns since the run's start at which the probe was scheduled to leave (u64). */
  scheduledNs: bigint
}

const U32_MAX = 0xffffffff
const U64_MAX = (1n << 64n) - 1n

/**
 * Encode a probe of exactly `sizeBytes` bytes. Throws an ERR_SOCKKIT_INVALID_ARG
 * error if the size cannot hold the header or a field is out of range.
 */
export function encodeProbe (header: ProbeHeader, sizeBytes: number): Buffer {
  if (!Number.isInteger(sizeBytes) || sizeBytes < PROBE_HEADER_BYTES) {
    throw invalidArg('probeTooSmall', { size: sizeBytes, min: PROBE_HEADER_BYTES }, { value: sizeBytes })
  }
  if (!Number.isInteger(header.runId) || header.runId < 0 || header.runId > U32_MAX) {
    throw invalidArg('probeRunIdRange', { value: header.runId }, { value: header.runId })
  }
  if (!Number.isInteger(header.seq) || header.seq < 0 || header.seq > U32_MAX) {
    throw invalidArg('probeSeqRange', { value: header.seq }, { value: header.seq })
  }
  if (header.scheduledNs < 0n || header.scheduledNs > U64_MAX) {
    throw invalidArg('probeScheduledRange', { value: String(header.scheduledNs) }, { value: header.scheduledNs })
  }
  const probe = Buffer.alloc(sizeBytes)
  probe.writeUInt32BE(PROBE_MAGIC, 0)
  probe.writeUInt32BE(header.runId, 4)
  probe.writeUInt32BE(header.seq, 8)
  probe.writeUInt32BE(0, 12)
  probe.writeBigUInt64BE(header.scheduledNs, 16)
  return probe
}

/**
 * Read the probe header at `offset` (default 0). Returns undefined when the bytes are
 * not a probe: fewer than {@link PROBE_HEADER_BYTES} left, or the wrong magic.
 */
export function decodeProbe (data: Uint8Array, offset = 0): ProbeHeader | undefined {
  const view = headerView(data, offset)
  if (view === undefined) return undefined
  return {
    runId: view.getUint32(4),
    seq: view.getUint32(8),
    scheduledNs: view.getBigUint64(16),
  }
}

/** The header at `offset` when there is one (enough bytes, the right magic), else undefined. */
function headerView (data: Uint8Array, offset: number): DataView | undefined {
  if (offset < 0 || data.length - offset < PROBE_HEADER_BYTES) return undefined
  const view = new DataView(data.buffer, data.byteOffset + offset, PROBE_HEADER_BYTES)
  return view.getUint32(0) === PROBE_MAGIC ? view : undefined
}

/** Why a datagram is not a probe a reflector should answer; see {@link probeProblem}. */
export type ProbeProblem = 'not-a-probe' | 'bad-flags' | 'too-large' | 'bad-padding'

/**
 * Whether `data` is exactly what {@link encodeProbe} makes, so a reflector answers only
 * that: undefined for a valid probe, otherwise the first problem — no header or the wrong
 * magic (`not-a-probe`), reserved flags set (`bad-flags`), larger than
 * {@link MAX_PROBE_BYTES} (`too-large`), or padding that is not zeros (`bad-padding`).
 */
export function probeProblem (data: Uint8Array): ProbeProblem | undefined {
  // Per datagram on the reflector: one view of the header, no decoded object.
  const view = headerView(data, 0)
  if (view === undefined) return 'not-a-probe'
  if (data.length > MAX_PROBE_BYTES) return 'too-large'
  if (view.getUint32(12) !== 0) return 'bad-flags'
  for (let i = PROBE_HEADER_BYTES; i < data.length; i++) if (data[i] !== 0) return 'bad-padding'
  return undefined
}
