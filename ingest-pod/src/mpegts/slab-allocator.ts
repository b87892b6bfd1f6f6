// Output buffers for access units, cut from slabs of up to 1 MiB. One ArrayBuffer per AU (tens of
// thousands a second at full speed) made V8 account external memory and run major GCs far more
// often; slabs cut that to a few per second. A consumer that keeps an AU keeps its slab alive,
// so what a slow consumer pins is bounded by one slab per retained AU.
//
// A slab should also die young: one that takes seconds to fill (a 1 MiB slab of a 4 Mbit/s
// stream) outlives two young-generation GCs, is promoted, and then holds its memory until the
// next major GC, with many like it. So the slab size follows the fill time: a slab filled in more
// than FILL_MS is followed by a smaller one, a faster one by a larger one. A file read at full
// speed keeps 1 MiB slabs; a live stream gets slabs of a few tens of KiB.
const SLAB_BYTES = 1024 * 1024;
const MIN_SLAB_BYTES = 16 * 1024;
const FILL_MS = 100;

export class SlabAllocator {
  private slab: Buffer = Buffer.alloc(0);
  private used = 0;
  /** Size of the next slab. */
  private size = MIN_SLAB_BYTES;
  private slabStartedAt = 0;

  constructor(private readonly now: () => number = () => performance.now()) {}

  /** n bytes, not zero-filled: the caller writes all of them before handing them on. */
  take(n: number): Buffer {
    if (this.used + n > this.slab.length) {
      // Units larger than a quarter of a slab get a buffer of their own.
      if (n > this.size / 4) return Buffer.allocUnsafeSlow(n);
      this.refill();
    }
    const view = this.slab.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7;
    return view;
  }

  private refill(): void {
    const now = this.now();
    if (this.slab.length > 0) {
      const quick = now - this.slabStartedAt <= FILL_MS;
      this.size = Math.min(SLAB_BYTES, Math.max(MIN_SLAB_BYTES, quick ? this.size * 2 : this.size / 2));
    }
    this.slab = Buffer.allocUnsafeSlow(this.size);
    this.used = 0;
    this.slabStartedAt = now;
  }
}
