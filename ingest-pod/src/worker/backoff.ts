/** Pure: reconnect delays 1 s, 2 s, 4 s, 8 s, then 10 s for good (fast at first for a blip, capped so a dead source costs little). */
export class Backoff {
  private nextMs: number;

  constructor(
    private readonly initialMs = 1000,
    readonly maxMs = 10_000,
  ) {
    this.nextMs = initialMs;
  }

  /** The delay to wait now; the one after it doubles, up to the cap. */
  next(): number {
    const delay = this.nextMs;
    this.nextMs = Math.min(this.maxMs, delay * 2);
    return delay;
  }

  /** After a good open the next failure starts at the initial delay again. */
  reset(): void {
    this.nextMs = this.initialMs;
  }
}
