/**
 * Bytes over a trailing window, kept in fixed slots so memory stays bounded however fast
 * bytes arrive. Times are epoch ms supplied by the caller.
 */
export class SlidingRate {
  private readonly slots: { slot: number; bytes: number }[] = [];
  private firstAt: number | undefined;

  constructor(
    private readonly windowMs = 5000,
    private readonly slotMs = 1000,
  ) {}

  add(now: number, bytes: number): void {
    this.firstAt ??= now;
    const slot = Math.floor(now / this.slotMs);
    const last = this.slots.at(-1);
    if (last && last.slot === slot) last.bytes += bytes;
    else this.slots.push({ slot, bytes });
    this.prune(now);
  }

  /**
   * kbit/s over the window (or since the first byte, when that is more recent), rounded; 0 until
   * one slot has passed since the first byte, as a few milliseconds of a keyframe say nothing.
   */
  kbps(now: number): number {
    this.prune(now);
    if (this.firstAt === undefined || this.slots.length === 0 || now - this.firstAt < this.slotMs) return 0;
    const windowStart = (Math.floor(now / this.slotMs) + 1) * this.slotMs - this.windowMs;
    const spanMs = Math.max(this.slotMs, now - Math.max(windowStart, this.firstAt));
    const bytes = this.slots.reduce((sum, entry) => sum + entry.bytes, 0);
    return Math.round((bytes * 8) / spanMs);
  }

  private prune(now: number): void {
    const oldestKept = Math.floor(now / this.slotMs) - Math.ceil(this.windowMs / this.slotMs) + 1;
    while (this.slots.length > 0 && this.slots[0]!.slot < oldestKept) this.slots.shift();
  }
}
