// FLV/RTMP timestamps are 32-bit milliseconds: they wrap after about 49.7 days of streaming.

const WRAP = 2 ** 32;

/**
 * Turns wire timestamps into one continuous millisecond count. Each value is placed on the
 * 2^32 epoch nearest to the previous result: a step back of more than 2^31 ms is a wrap, and a
 * step forward of more than 2^31 ms right after a wrap is a straggler from before it. Results
 * never go below zero. One unwrapper serves all tracks of a session (they share one clock).
 */
export class MillisecondUnwrapper {
  private last = -1;

  unwrap(wire: number): number {
    const raw = wire >>> 0;
    if (this.last < 0) {
      this.last = raw;
      return raw;
    }
    const value = raw + Math.max(0, Math.round((this.last - raw) / WRAP)) * WRAP;
    this.last = value;
    return value;
  }

  reset(): void {
    this.last = -1;
  }
}
