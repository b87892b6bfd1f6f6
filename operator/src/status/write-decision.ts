import type { StreamStatus } from '@tributary/crds';
import { canonicalJson } from '../reconcile/spec-hash.js';

/**
 * The status without the figures that change with every report (bitrates, packet times, link
 * statistics); whether a bitrate is zero stays, so a stream starting or stopping to flow shows at
 * once.
 */
export function withoutVolatile(status: StreamStatus | undefined): unknown {
  if (!status) return undefined;
  const { bitrateKbps, ...rest } = status;
  return {
    ...rest,
    flowing: (bitrateKbps ?? 0) > 0,
    inputs: status.inputs?.map(
      ({ bitrateKbps: inputKbps, lastPacketTime: _t, link: _l, tracks, ...input }) => ({
        ...input,
        flowing: (inputKbps ?? 0) > 0,
        tracks: tracks?.map(({ bitrateKbps: _tb, ...track }) => track),
      }),
    ),
  };
}

export type WriteDecision = { kind: 'skip' } | { kind: 'write' } | { kind: 'later'; inMs: number };

/**
 * Whether to write `desired` over `current`: not when equal; at once when something other than
 * bitrates and packet times changed; otherwise no more often than every `minIntervalMs`.
 */
export function decideStatusWrite(
  desired: StreamStatus,
  current: StreamStatus | undefined,
  lastWriteAt: number | undefined,
  now: number,
  minIntervalMs: number,
): WriteDecision {
  if (canonicalJson(desired) === canonicalJson(current ?? null)) return { kind: 'skip' };
  if (canonicalJson(withoutVolatile(desired)) !== canonicalJson(withoutVolatile(current)))
    return { kind: 'write' };
  if (lastWriteAt === undefined || now - lastWriteAt >= minIntervalMs) return { kind: 'write' };
  return { kind: 'later', inMs: lastWriteAt + minIntervalMs - now };
}
