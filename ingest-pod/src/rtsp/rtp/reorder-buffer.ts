// Puts RTP packets back in sequence-number order (16-bit, wrapping) within a small window.
// A gap is waited for until the window holds `maxPackets` later packets or the oldest of them
// has waited `maxDelayMs`; then the missing numbers count as lost and the rest goes on.

export interface ReorderStats {
  /** Sequence numbers given up on. */
  lost: number;
  /** Packets that arrived after a later-numbered one and were put back in place. */
  reordered: number;
  /** Packets already released, held, or too late (their gap was given up on): dropped. */
  duplicates: number;
  /** Jumps too large to be reordering (a sender restart): the buffer started over there. */
  resyncs: number;
}

export interface ReorderOptions<T> {
  maxPackets?: number;
  maxDelayMs?: number;
  /** Makes a packet that must wait for a gap independent of the caller's buffer (a copy). */
  keep?: (item: T) => T;
}

interface Held<T> {
  item: T;
  arrivalMs: number;
}

/** A jump of more than this many numbers, either way, is a new sequence, not reordering. */
const RESYNC_DISTANCE = 3000;

/** (a - b) on the 16-bit circle, in -32768..32767. */
export function sequenceDelta(a: number, b: number): number {
  return (((a - b) & 0xffff) << 16) >> 16;
}

export class ReorderBuffer<T> {
  readonly stats: ReorderStats = { lost: 0, reordered: 0, duplicates: 0, resyncs: 0 };
  private readonly maxPackets: number;
  private readonly maxDelayMs: number;
  private readonly keep: ((item: T) => T) | undefined;
  private next: number | null = null;
  private readonly held = new Map<number, Held<T>>();
  /** The highest number seen, for counting reordered arrivals. */
  private highest = 0;

  constructor(options: ReorderOptions<T> = {}) {
    this.keep = options.keep;
    this.maxPackets = options.maxPackets ?? 64;
    this.maxDelayMs = options.maxDelayMs ?? 200;
  }

  /** Takes one packet; returns the packets now in order (maybe none, maybe several). */
  push(sequence: number, item: T, arrivalMs: number): T[] {
    const out: T[] = [];
    if (this.next === null) this.restart(sequence);
    const delta = sequenceDelta(sequence, this.next!);
    if (Math.abs(delta) > RESYNC_DISTANCE) {
      this.stats.resyncs++;
      this.releaseAll(out);
      this.restart(sequence);
    } else if (delta < 0 || this.held.has(sequence)) {
      this.stats.duplicates++;
      return this.poll(arrivalMs, out);
    }
    if (sequenceDelta(sequence, this.highest) < 0) this.stats.reordered++;
    else this.highest = sequence;
    this.held.set(sequence, { item, arrivalMs });
    this.releaseInOrder(out);
    this.poll(arrivalMs, out);
    const waiting = this.held.get(sequence);
    if (waiting && this.keep) waiting.item = this.keep(item);
    return out;
  }

  /** Gives up on gaps that have waited too long by `nowMs`; call on a timer when packets stop. */
  poll(nowMs: number, out: T[] = []): T[] {
    while (
      this.held.size > 0 &&
      (this.held.size > this.maxPackets || this.oldestWait(nowMs) > this.maxDelayMs)
    ) {
      this.skipGap();
      this.releaseInOrder(out);
    }
    return out;
  }

  /** Every held packet in order, gaps counted as lost (end of stream). */
  drain(): T[] {
    const out: T[] = [];
    this.releaseAll(out);
    return out;
  }

  private restart(sequence: number): void {
    this.next = sequence;
    this.highest = (sequence - 1) & 0xffff;
  }

  private releaseAll(out: T[]): void {
    while (this.held.size > 0) {
      this.skipGap();
      this.releaseInOrder(out);
    }
  }

  private releaseInOrder(out: T[]): void {
    for (let h = this.held.get(this.next!); h; h = this.held.get(this.next!)) {
      this.held.delete(this.next!);
      out.push(h.item);
      this.next = (this.next! + 1) & 0xffff;
    }
  }

  /** Moves `next` to the lowest held number, counting what it passes as lost. */
  private skipGap(): void {
    let lowest = Number.POSITIVE_INFINITY;
    for (const sequence of this.held.keys()) lowest = Math.min(lowest, sequenceDelta(sequence, this.next!));
    this.stats.lost += lowest;
    this.next = (this.next! + lowest) & 0xffff;
  }

  private oldestWait(nowMs: number): number {
    let oldest = nowMs;
    for (const h of this.held.values()) oldest = Math.min(oldest, h.arrivalMs);
    return nowMs - oldest;
  }
}
