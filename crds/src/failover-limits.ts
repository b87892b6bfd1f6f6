import { parseDuration } from './duration.js';

/**
 * The range each failover duration may take, in the Go spelling the CRD's CEL rules compare with
 * and in milliseconds for the pod. Below the floors a switch fires on ordinary jitter (a 30 fps
 * source is 33 ms per frame, a GOP or an HLS segment far longer); above the ceilings a broken
 * input stays on air, or a recovered one stays unused, for longer than any operator would wait.
 */
const RANGES = {
  /** 200 ms still spans several frames; a minute of silence is an outage, not a hiccup. */
  packetTimeout: { min: '200ms', max: '60s' },
  /** A probe needs a connect and a keyframe (up to a few seconds); 5 min covers slow HLS origins. */
  probeTimeout: { min: '500ms', max: '5m' },
  /** Re-probing more than once a second hammers a failing origin; an hour is the longest wait. */
  probeAfter: { min: '1s', max: '1h' },
  /** Below a second, a flapping input makes the output flap; above an hour, failback never comes. */
  failbackHoldDown: { min: '1s', max: '1h' },
} as const;

const ms = (text: string) => parseDuration(text) ?? Number.NaN;

export const FAILOVER_LIMITS = Object.fromEntries(
  Object.entries(RANGES).map(([field, { min, max }]) => [
    field,
    { min, max, minMs: ms(min), maxMs: ms(max) },
  ]),
) as { [F in keyof typeof RANGES]: (typeof RANGES)[F] & { minMs: number; maxMs: number } };

export type FailoverField = keyof typeof FAILOVER_LIMITS;

/** The error text for a duration out of its range; the CRD's CEL rule uses the same one. */
export function failoverRangeMessage(field: FailoverField): string {
  const { min, max } = FAILOVER_LIMITS[field];
  return `failover.${field} must be between ${min} and ${max}`;
}

/** Pure: `ms` clamped into the field's range (the pod's defence against a config that skipped validation). */
export function clampFailoverMs(field: FailoverField, ms: number): number {
  const { minMs, maxMs } = FAILOVER_LIMITS[field];
  return Math.min(maxMs, Math.max(minMs, ms));
}
