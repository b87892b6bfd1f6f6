// Counts access units lost between publisher and consumer from the per-session sequence numbers.
// Feed it every packet the Reassembler returns: an access unit that lost a fragment then shows up
// as a sequence gap, like one that was lost whole.

export interface LossStats {
  received: number;
  /** Sequence numbers skipped, including those before the first one seen of a session. */
  lost: number;
  /** Packets whose sequence number was not above the newest seen in their session. */
  duplicates: number;
}

/** Sessions remembered at once; more than a handful only happens when publishers overlap. */
const SESSION_MEMORY = 16;

export class LossCounter {
  readonly stats: LossStats = { received: 0, lost: 0, duplicates: 0 };
  private readonly nextSeq = new Map<number, number>();

  /** Returns how many access units this packet reveals as lost. */
  observe(sessionId: number, seq: number): number {
    const expected = this.nextSeq.get(sessionId);
    if (expected !== undefined && seq < expected) {
      this.stats.duplicates++;
      return 0;
    }
    // A session seen for the first time starts at 0, so an opening gap is loss as well.
    const lost = seq - (expected ?? 0);
    this.stats.received++;
    this.stats.lost += lost;
    this.nextSeq.delete(sessionId);
    this.nextSeq.set(sessionId, seq + 1);
    if (this.nextSeq.size > SESSION_MEMORY) {
      const oldest = this.nextSeq.keys().next().value;
      if (oldest !== undefined) this.nextSeq.delete(oldest);
    }
    return lost;
  }
}
