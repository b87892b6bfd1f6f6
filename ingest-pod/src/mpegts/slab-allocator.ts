// Output buffers for access units, cut from slabs of up to 1 MiB. One ArrayBuffer per AU (tens of
// thousands a second at full speed) made V8 account external memory and run major GCs far more
// often; slabs cut that to a few per second. A consumer that keeps an AU keeps its slab alive,
// so what a slow consumer pins is bounded by one slab per retained AU.
const SLAB_BYTES = 1024 * 1024;
/** A demuxer starts with small slabs and doubles up to SLAB_BYTES, so short-lived ones stay cheap. */
const FIRST_SLAB_BYTES = 16 * 1024;
/** Larger units get a buffer of their own. */
const MAX_SLICE = SLAB_BYTES / 4;

export class SlabAllocator {
  private slab: Buffer = Buffer.alloc(0);
  private used = 0;

  /** n bytes, not zero-filled: the caller writes all of them before handing them on. */
  take(n: number): Buffer {
    if (this.used + n > this.slab.length) {
      if (n > MAX_SLICE) return Buffer.allocUnsafeSlow(n);
      const size = Math.max(FIRST_SLAB_BYTES, this.slab.length * 2, n * 4);
      this.slab = Buffer.allocUnsafeSlow(Math.min(SLAB_BYTES, size));
      this.used = 0;
    }
    const view = this.slab.subarray(this.used, this.used + n);
    this.used += (n + 7) & ~7;
    return view;
  }
}
