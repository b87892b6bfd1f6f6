// RTP carries presentation times only. With B-frames, pictures arrive in decoding order and
// their PTS jump back and forth; a decoding time must still rise and stay at or below the PTS.
// Rule: DTS of a picture = the `depth`-th earlier presentation time, i.e. the smallest PTS still
// waiting once `depth` later pictures have come. With reordering no deeper than `depth`, that is
// ≤ the picture's own PTS and never falls. The first `depth` pictures get times just below the
// first PTS. Depth 0 gives DTS = PTS.

export class DtsEstimator {
  /** PTS not yet used as a DTS, ascending. */
  private readonly waiting: number[] = [];
  private last = Number.NEGATIVE_INFINITY;
  /** Pictures whose DTS had to be held up to stay rising (reordering deeper than `depth`). */
  clamped = 0;

  constructor(readonly depth: number) {}

  next(pts: number): number {
    let at = this.waiting.length;
    while (at > 0 && this.waiting[at - 1]! > pts) at--;
    this.waiting.splice(at, 0, pts);
    const candidate =
      this.waiting.length > this.depth
        ? this.waiting.shift()!
        : this.waiting[0]! - (this.depth + 1 - this.waiting.length);
    if (candidate < this.last) this.clamped++;
    this.last = Math.max(candidate, this.last);
    return this.last;
  }
}
