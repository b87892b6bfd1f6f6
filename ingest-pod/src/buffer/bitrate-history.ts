/**
 * Bytes received per wall-clock second over the last `seconds`, for the console's chart. Pure:
 * the caller passes the time.
 */
export class BitrateHistory {
  readonly #bytes: Float64Array;
  /** The second (epoch s) each slot holds; a slot from longer ago counts as empty. */
  readonly #second: Float64Array;

  constructor(readonly seconds: number) {
    this.#bytes = new Float64Array(seconds);
    this.#second = new Float64Array(seconds).fill(-1);
  }

  add(nowMs: number, bytes: number): void {
    const second = Math.floor(nowMs / 1000);
    const slot = second % this.seconds;
    if (this.#second[slot] !== second) {
      this.#second[slot] = second;
      this.#bytes[slot] = 0;
    }
    this.#bytes[slot]! += bytes;
  }

  /** kbit/s of each whole second, oldest first, ending with the last completed second. */
  kbps(nowMs: number): number[] {
    const current = Math.floor(nowMs / 1000);
    const out: number[] = [];
    for (let second = current - this.seconds; second < current; second++) {
      const slot = ((second % this.seconds) + this.seconds) % this.seconds;
      out.push(this.#second[slot] === second ? Math.round((this.#bytes[slot]! * 8) / 1000) : 0);
    }
    return out;
  }
}
