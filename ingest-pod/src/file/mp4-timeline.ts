// Pure timestamp rules for MP4/QuickTime samples: the sample table's DTS and composition offset
// in the track's timescale, shifted by the edit list the way players (and ffprobe) do, in 90 kHz.

const TICKS_PER_SECOND = 90_000;

/** One `elst` entry: `mediaTime` -1 is an empty edit (a gap of `segmentDuration` movie units). */
export interface EditEntry {
  segmentDuration: number;
  mediaTime: number;
}

/** Where a track's media time 0 lands on the presentation timeline. */
export interface TrackShift {
  /** Media time (track timescale) of the first edit that shows media: subtracted from every sample. */
  mediaStart: number;
  /** Leading empty edits, in 90 kHz ticks: added to every sample. */
  delayTicks: number;
}

/**
 * Only the leading empty edits and the first media edit count: later edits (cuts, repeats) are
 * rare outside editing tools, and following them would mean dropping or repeating samples.
 */
export function trackShift(edits: readonly EditEntry[], movieTimescale: number): TrackShift {
  let delay = 0;
  for (const edit of edits) {
    if (edit.mediaTime === -1) {
      delay += edit.segmentDuration;
      continue;
    }
    return { mediaStart: edit.mediaTime, delayTicks: toTicks(delay, movieTimescale) };
  }
  return { mediaStart: 0, delayTicks: toTicks(delay, movieTimescale) };
}

/** `value` units of `timescale` per second as 90 kHz ticks, rounded to the nearest tick. */
export function toTicks(value: number, timescale: number): number {
  return Math.round((value * TICKS_PER_SECOND) / timescale);
}

/** A sample's DTS and PTS (DTS + composition offset) on the presentation timeline, in 90 kHz. */
export function sampleTimes(
  dts: number,
  cts: number,
  timescale: number,
  shift: TrackShift,
): { dts: number; pts: number } {
  return {
    dts: toTicks(dts - shift.mediaStart, timescale) + shift.delayTicks,
    pts: toTicks(cts - shift.mediaStart, timescale) + shift.delayTicks,
  };
}

/**
 * Merges per-track sample lists into one decoding order: always the track whose next sample has
 * the lowest DTS (ties: the lower index), so pacing by DTS never waits on a later track.
 */
export class SampleOrder {
  private readonly next: number[];

  constructor(private readonly dtsByTrack: readonly ArrayLike<number>[]) {
    this.next = dtsByTrack.map(() => 0);
  }

  /** The next [track index, sample index], or null when every track is done. */
  take(): [number, number] | null {
    let best = -1;
    let bestDts = Number.POSITIVE_INFINITY;
    for (let t = 0; t < this.dtsByTrack.length; t++) {
      const list = this.dtsByTrack[t]!;
      const i = this.next[t]!;
      const dts = i < list.length ? list[i]! : Number.POSITIVE_INFINITY;
      if (dts < bestDts) {
        best = t;
        bestDts = dts;
      }
    }
    if (best < 0) return null;
    return [best, this.next[best]!++];
  }
}
