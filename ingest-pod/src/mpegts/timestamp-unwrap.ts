// 33-bit PES timestamps -> one continuous 90 kHz count per track.
import type { AVPacket } from '../avpacket.js';

const WRAP = 2 ** 33;

/** The candidate raw + k·2^33 nearest to `reference` (never below the first epoch). */
function nearest(raw: number, reference: number): number {
  const k = Math.round((reference - raw) / WRAP);
  return k > 0 ? raw + k * WRAP : raw;
}

/**
 * Unwraps one track's DTS against that track's previous DTS: a step backwards of more than 2^32
 * ticks is a wrap, anything smaller is taken as it is. PTS is unwrapped against its own DTS.
 */
export class TimestampUnwrapper {
  private last = -1;
  /** Multiple of 2^33 in force; survives a discontinuity. */
  private epoch = 0;
  private afterDiscontinuity = false;

  /**
   * `hint` is the latest unwrapped DTS of the same program (or -1), so a track that starts just
   * after the wrap joins the same epoch as its siblings that started just before it.
   */
  dts(raw: number, hint: number): number {
    let value: number;
    if (this.afterDiscontinuity) value = raw + this.epoch;
    else if (this.last >= 0) value = nearest(raw, this.last);
    else if (hint >= 0) value = nearest(raw, hint);
    else value = raw;
    this.afterDiscontinuity = false;
    this.last = value;
    this.epoch = value - (value % WRAP);
    return value;
  }

  pts(raw: number, dts: number): number {
    return nearest(raw, dts);
  }

  /** discontinuity_indicator: the next timestamp is a jump on the same epoch, not a wrap. */
  discontinuity(): void {
    if (this.last >= 0) this.afterDiscontinuity = true;
  }
}

/** What the tracks of one program share: the latest timestamps, for unwrap hints and SCTE-35. */
export class ProgramClock {
  /** Latest unwrapped DTS of any track of the program, -1 before the first. */
  latestDts = -1;
  /** Latest unwrapped PTS of a video track (of any track when the program has no video). */
  cuePts = -1;
  hasVideo = false;
  /** SCTE-35 cues that arrived before the program had a timestamp (see scte35.ts). */
  readonly waitingCues: AVPacket[] = [];
}
