// When an RTSP session's tracks share a timeline: each track's RTP clock starts at a random value,
// so the reader holds its first packets until every track has sent one (or a short wait is over),
// lines the tracks up by arrival time, and corrects that once with the sender reports.
import { alignmentOffsets, type TrackAnchor } from './rtp/index.js';

/** How long the first packets wait for the other tracks' first packets. */
export const FIRST_PACKETS_WAIT_MS = 1000;
/** A sender-report correction smaller than this (one 25 fps frame, in 90 kHz ticks) is not made. */
export const SR_CORRECTION_MIN_TICKS = 3600;

export type AlignmentStep =
  /** Keep holding: not every track has spoken yet. */
  | { kind: 'hold' }
  /** Apply these offsets (ticks per trackId) and release what was held. */
  | { kind: 'align'; offsets: Map<number, number> };

/**
 * Pure: the offsets to start with, from the arrival anchors of the tracks heard so far; held
 * until every track has one, or the wait is over (then the silent tracks join later).
 */
export function initialAlignment(
  anchors: readonly TrackAnchor[],
  trackCount: number,
  waitedMs: number,
): AlignmentStep {
  if (anchors.length === 0) return { kind: 'hold' };
  if (anchors.length < trackCount && waitedMs < FIRST_PACKETS_WAIT_MS) return { kind: 'hold' };
  return { kind: 'align', offsets: alignmentOffsets(anchors) };
}

/**
 * Pure: the offset of a track heard after the others were aligned, on their timeline: `origin`
 * of the aligned tracks is (wallclock − ticks − offset), the same for all of them.
 */
export function lateTrackOffset(anchor: TrackAnchor, aligned: TrackAnchor, alignedOffset: number): number {
  const originOf = (a: TrackAnchor) => Math.round(a.wallclockSeconds * 90_000) - a.ticks;
  return originOf(anchor) - originOf(aligned) + alignedOffset;
}

/**
 * Pure: the one correction sender reports make to arrival-based offsets. Tracks only move
 * forward (timestamps stay monotonic), and by nothing when every track is within
 * SR_CORRECTION_MIN_TICKS of where the reports put it. Undefined: no correction.
 */
export function senderReportCorrection(
  reports: readonly TrackAnchor[],
  current: ReadonlyMap<number, number>,
): Map<number, number> | undefined {
  const wanted = alignmentOffsets(reports);
  const deltas = reports.map((r) => (wanted.get(r.trackId) ?? 0) - (current.get(r.trackId) ?? 0));
  const lift = -Math.min(...deltas);
  const moves = deltas.map((d) => d + lift);
  if (moves.every((m) => m < SR_CORRECTION_MIN_TICKS)) return undefined;
  return new Map(reports.map((r, i) => [r.trackId, (current.get(r.trackId) ?? 0) + moves[i]!]));
}
