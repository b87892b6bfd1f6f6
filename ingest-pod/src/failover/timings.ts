import { clampFailoverMs, clampTargetDurationS, type FailoverField } from '../limits.js';
import type { FailoverOverrides, InputProtocol } from './types.js';

/** How often the shell sends `tick`: packet timeouts are noticed at most this late. */
export const MONITOR_TICK_MS = 250;
export const ERROR_HISTORY_LIMIT = 5;
export const SWITCH_HISTORY_LIMIT = 20;

export const DEFAULT_PROBE_AFTER_MS = 8000;
export const DEFAULT_FAILBACK_HOLD_DOWN_MS = 12_000;

/**
 * HLS delivers a segment at a time, so its timeouts scale with the playlist's target duration.
 * Until a reader has read the playlist, a 6 s target duration is assumed (the common default).
 */
export const ASSUMED_HLS_TARGET_DURATION_MS = 6000;

/** A fixed duration, or a multiple of the HLS target duration with a floor. */
export type TimingRule = { ms: number } | { targetDurations: number; minMs: number };

export interface ProtocolTimingDefaults {
  /** Media gap after which the active input is declared lost. */
  packetTimeout: TimingRule;
  /** Budget for a candidate or probe to open and deliver its first media. */
  probeTimeout: TimingRule;
}

/**
 * A 30 fps source delivers every 33 ms, so one second of silence is a lost source, with room
 * for jitter; HLS is lost after 1.5 target durations without a new segment.
 */
const CONTINUOUS: ProtocolTimingDefaults = { packetTimeout: { ms: 1000 }, probeTimeout: { ms: 3000 } };

export const PROTOCOL_TIMING_DEFAULTS: Readonly<Record<InputProtocol, ProtocolTimingDefaults>> = {
  udp: CONTINUOUS,
  srt: CONTINUOUS,
  rtmp: CONTINUOUS,
  rtsp: CONTINUOUS,
  'http-ts': CONTINUOUS,
  file: CONTINUOUS,
  copy: CONTINUOUS,
  publish: CONTINUOUS,
  hls: {
    packetTimeout: { targetDurations: 1.5, minMs: 1000 },
    probeTimeout: { targetDurations: 2, minMs: 3000 },
  },
};

export interface InputTimings {
  packetTimeoutMs: number;
  probeAfterMs: number;
  probeTimeoutMs: number;
  failbackHoldDownMs: number;
}

function applyRule(rule: TimingRule, targetDurationMs: number | null): number {
  if ('ms' in rule) return rule.ms;
  const td =
    targetDurationMs === null
      ? ASSUMED_HLS_TARGET_DURATION_MS
      : clampTargetDurationS(targetDurationMs / 1000) * 1000 || ASSUMED_HLS_TARGET_DURATION_MS;
  return Math.max(rule.minMs, Math.round(rule.targetDurations * td));
}

/**
 * Positive finite overrides win, clamped into the field's range (a `--config` file skips the
 * API server's validation); anything else falls back to the default.
 */
function pick(field: FailoverField, override: number | undefined, fallback: number): number {
  return override !== undefined && Number.isFinite(override) && override > 0
    ? clampFailoverMs(field, override)
    : fallback;
}

export function resolveTimings(
  protocol: InputProtocol,
  overrides: FailoverOverrides,
  targetDurationMs: number | null,
): InputTimings {
  const defaults = PROTOCOL_TIMING_DEFAULTS[protocol];
  return {
    packetTimeoutMs: pick(
      'packetTimeout',
      overrides.packetTimeoutMs,
      applyRule(defaults.packetTimeout, targetDurationMs),
    ),
    probeAfterMs: pick('probeAfter', overrides.probeAfterMs, DEFAULT_PROBE_AFTER_MS),
    probeTimeoutMs: pick(
      'probeTimeout',
      overrides.probeTimeoutMs,
      applyRule(defaults.probeTimeout, targetDurationMs),
    ),
    failbackHoldDownMs: pick('failbackHoldDown', overrides.failbackHoldDownMs, DEFAULT_FAILBACK_HOLD_DOWN_MS),
  };
}

/** "1.2 s", "3 s": error texts and event payloads. */
export function formatSeconds(ms: number): string {
  return `${Math.round(ms / 100) / 10} s`;
}
