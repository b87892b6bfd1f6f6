// The ingest pod's ceilings on what its inputs can make it hold or do, in one place. Each bound
// is counted when it bites (see docs/operations.md, "Ceilings").
import { clampFailoverMs, FAILOVER_LIMITS, type FailoverField } from '@tributary/crds';

export { clampFailoverMs, FAILOVER_LIMITS, type FailoverField };

/** Node runs a longer setTimeout after 1 ms (with a TimeoutOverflowWarning): a timer storm. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** Pure: a timer delay derived from input data, as something setTimeout honours (1 ms..~24.8 days). */
export function clampTimerMs(ms: number): number {
  if (Number.isNaN(ms)) return MAX_TIMER_MS;
  return Math.min(MAX_TIMER_MS, Math.max(1, Math.ceil(ms)));
}

/**
 * EXT-X-TARGETDURATION is clamped to this range (seconds) before it drives reloads, stall
 * timeouts and failover timings. RFC 8216 puts no bound on it; live packagers use 1–10 s, and a
 * 60 s segment is already far past anything a live viewer waits for. The floor keeps a 0.x or
 * bogus value from reloading faster than once every half second.
 */
export const HLS_TARGET_DURATION_S = { min: 1, max: 60 } as const;

/** Pure: the target duration the reader plans with; 0 (tag missing) stays 0, "unknown". */
export function clampTargetDurationS(seconds: number): number {
  if (!(seconds > 0)) return 0;
  return Math.min(HLS_TARGET_DURATION_S.max, Math.max(HLS_TARGET_DURATION_S.min, seconds));
}

/**
 * Bytes all PIDs of one demuxer may hold in partial PES (and their reusable scratch buffers).
 * One PES is already capped at 16 MiB; a real stream has one video PID plus a few audio ones, so
 * 64 MiB leaves room for several large keyframes at once while a stream with thousands of PIDs
 * cannot grow the pod without bound. Beyond it the largest partial PES is dropped.
 */
export const DEMUX_PES_BUDGET_BYTES = 64 * 1024 * 1024;

/**
 * One cached SPS/PPS/VPS (or AV1 sequence header). Real ones are under 100 bytes; 4 KiB allows
 * extreme scaling lists and VUI without letting a stream park megabytes in the decoder config.
 */
export const MAX_PARAMETER_SET_BYTES = 4 * 1024;

/** Distinct parameter sets kept per type (H.264 allows 32 SPS ids, HEVC 16 VPS/SPS, 64 PPS). */
export const MAX_PARAMETER_SETS_PER_TYPE = 32;

/**
 * Bytes held between a UDP socket and the demuxer. 8 MiB is about 1.3 s of a 50 Mbit/s
 * contribution feed: a consumer further behind than that is the problem to report, and jumbo
 * datagrams cannot multiply the datagram-count bound into hundreds of megabytes.
 */
export const UDP_QUEUE_MAX_BYTES = 8 * 1024 * 1024;

/** The same bound between an SRT connection and the demuxer (its batches vary in size). */
export const SRT_QUEUE_MAX_BYTES = UDP_QUEUE_MAX_BYTES;

/** Range `?chan_buf=` (datagrams held) may ask for; the byte bound above applies as well. */
export const UDP_CHAN_BUF = { min: 1, max: 65_536 } as const;

/**
 * Bytes handed to the NATS client and not yet confirmed by the server. 16 MiB is about 6 s of a
 * 20 Mbit/s stream: enough to ride out a short server pause; beyond it whole AV packets are
 * dropped (consumers see the `seq` gap) instead of the client buffering without limit.
 */
export const NATS_PENDING_MAX_BYTES = 16 * 1024 * 1024;

/**
 * Pure: the parameter sets of one kind worth caching: none over MAX_PARAMETER_SET_BYTES, at most
 * MAX_PARAMETER_SETS_PER_TYPE (the first ones, in stream order). `refused` counts the rest.
 */
export function capParameterSets<T extends Uint8Array>(units: readonly T[]): { kept: T[]; refused: number } {
  const kept: T[] = [];
  for (const unit of units) {
    if (unit.length <= MAX_PARAMETER_SET_BYTES && kept.length < MAX_PARAMETER_SETS_PER_TYPE) kept.push(unit);
  }
  return { kept, refused: units.length - kept.length };
}
