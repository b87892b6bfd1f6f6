import { doublingDelayMs } from '@tributary/crds';
/** Pure: reconnect delays 1 s, 2 s, 4 s, 8 s, then 10 s for good (fast at first for a blip, capped so a dead source costs little). */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly initialMs = 1000,
    readonly maxMs = 10_000,
  ) {}

  /** The delay to wait now; the one after it doubles, up to the cap. */
  next(): number {
    return doublingDelayMs(this.initialMs, this.maxMs, this.failures++);
  }

  /** After a good open the next failure starts at the initial delay again. */
  reset(): void {
    this.failures = 0;
  }
}
