import { clampTargetDurationS } from '../limits.js';
import type { MasterPlaylist, MediaPlaylist, MediaSegment, Variant } from './playlist.js';

/** What the reader remembers between two loads of the same media playlist. */
export interface PlanState {
  mediaSequence: number;
  discontinuitySequence: number;
  /** Sequence number of the last segment handed out (fetched or skipped). */
  lastSequence: number | undefined;
}

export interface Plan {
  segments: MediaSegment[];
  state: PlanState;
  /** Set when the playlist went back in time (encoder restart): playback restarted at its edge. */
  reset?: string;
  /** Segments that left the window before they were fetched (the reader fell behind). */
  missed: number;
}

/** Pure: the pause between playlist reloads: half a target duration (clamped), at least `minMs`. */
export function reloadIntervalMs(targetDurationS: number, minMs: number): number {
  return Math.max(minMs, clampTargetDurationS(targetDurationS) * 500);
}

/** Pure: silence that counts as a stall: three target durations (clamped), at least 6 s. */
export function hlsStallTimeoutMs(targetDurationS: number): number {
  return Math.max(6000, 3000 * clampTargetDurationS(targetDurationS));
}

/** Pure: the highest BANDWIDTH; on a tie the later entry wins (seed behaviour). */
export function chooseVariant(master: MasterPlaylist): Variant | undefined {
  let best: Variant | undefined;
  for (const v of master.variants) if (best === undefined || v.bandwidth >= best.bandwidth) best = v;
  return best;
}

/**
 * Pure: index of the first segment to play when joining a live playlist: about three target
 * durations from the end (at least the last segment), so a join does not replay the whole window.
 * A finished playlist (ENDLIST) is played from the start.
 */
export function startIndex(playlist: MediaPlaylist): number {
  const n = playlist.segments.length;
  if (playlist.ended || n === 0) return 0;
  const targetDuration = clampTargetDurationS(playlist.targetDuration);
  const span = 3 * (targetDuration > 0 ? targetDuration : (playlist.segments[n - 1]?.duration ?? 0));
  let index = n - 1;
  let covered = playlist.segments[index]!.duration;
  while (index > 0 && covered < span) {
    index--;
    covered += playlist.segments[index]!.duration;
  }
  return index;
}

/**
 * Pure: which segments of a freshly loaded playlist to fetch, given what was handed out before.
 * Segments are identified by sequence number. A lower MEDIA-SEQUENCE or DISCONTINUITY-SEQUENCE
 * than last time means the source restarted its numbering: start again at the new edge.
 */
export function planSegments(previous: PlanState | undefined, playlist: MediaPlaylist): Plan {
  const base = {
    mediaSequence: playlist.mediaSequence,
    discontinuitySequence: playlist.discontinuitySequence,
  };
  const fromEdge = (reset?: string): Plan => {
    const segments = playlist.segments.slice(startIndex(playlist));
    const plan: Plan = { segments, state: { ...base, lastSequence: segments.at(-1)?.sequence }, missed: 0 };
    if (reset !== undefined) plan.reset = reset;
    return plan;
  };
  if (previous === undefined) return fromEdge();
  if (playlist.mediaSequence < previous.mediaSequence) {
    return fromEdge(
      `EXT-X-MEDIA-SEQUENCE went back from ${previous.mediaSequence} to ${playlist.mediaSequence}`,
    );
  }
  if (playlist.discontinuitySequence < previous.discontinuitySequence) {
    return fromEdge(
      `EXT-X-DISCONTINUITY-SEQUENCE went back from ${previous.discontinuitySequence} to ${playlist.discontinuitySequence}`,
    );
  }
  const last = previous.lastSequence;
  if (last === undefined) return fromEdge();
  const segments = playlist.segments.filter((s) => s.sequence > last);
  const first = segments[0];
  const missed = first !== undefined && first.sequence > last + 1 ? first.sequence - last - 1 : 0;
  return { segments, state: { ...base, lastSequence: segments.at(-1)?.sequence ?? last }, missed };
}
