const TICKS_PER_MS = 90;

export interface PacerOptions {
  /** A DTS this far past the furthest one released is a jump in the file: re-anchor, do not wait. */
  maxJumpMs?: number;
  /** Running this far behind wall time (slow consumer) re-anchors instead of bursting to catch up. */
  maxLateMs?: number;
}

/**
 * Releases access units at the pace their DTS says: the first one anchors DTS to wall time, later
 * ones are due at anchor + (dts − anchorDts) / 90 ms. Timestamps jumping either way and long
 * consumer delays re-anchor, so a glitch never means a long sleep or a burst.
 */
export class DtsPacer {
  private anchorWall: number | undefined;
  private anchorDts = 0;
  private furthestDts = 0;
  private readonly maxJumpTicks: number;
  private readonly maxLateMs: number;

  constructor(
    private readonly now: () => number,
    options: PacerOptions = {},
  ) {
    this.maxJumpTicks = (options.maxJumpMs ?? 2000) * TICKS_PER_MS;
    this.maxLateMs = options.maxLateMs ?? 1000;
  }

  /** Milliseconds until a unit with this DTS is due; 0 means release it now (and it counts as released). */
  delayFor(dts: number): number {
    const now = this.now();
    if (
      this.anchorWall === undefined ||
      dts > this.furthestDts + this.maxJumpTicks ||
      dts < this.furthestDts - this.maxJumpTicks
    ) {
      return this.reanchor(now, dts);
    }
    const due = this.anchorWall + (dts - this.anchorDts) / TICKS_PER_MS;
    if (due > now) return Math.ceil(due - now);
    if (now - due > this.maxLateMs) return this.reanchor(now, dts);
    this.furthestDts = Math.max(this.furthestDts, dts);
    return 0;
  }

  private reanchor(now: number, dts: number): number {
    this.anchorWall = now;
    this.anchorDts = dts;
    this.furthestDts = dts;
    return 0;
  }
}
