/**
 * A bounded FIFO between a socket (push) and `read()` (take). When full, new datagrams are dropped
 * and counted: for a live feed the consumer being late is the problem to report, not to buffer.
 */
export class DatagramQueue {
  private items: Uint8Array[] = [];
  private waiter: (() => void) | undefined;
  private failure: Error | undefined;
  private ended = false;
  overflowed = 0;

  constructor(private readonly capacity: number) {}

  push(datagram: Uint8Array): void {
    if (this.ended) return;
    if (this.items.length >= this.capacity) {
      this.overflowed++;
      return;
    }
    this.items.push(datagram);
    this.wake();
  }

  /** Ends the queue; queued datagrams are still delivered, then `take` rejects or returns null. */
  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
  }

  /** Everything queued (at least one datagram), waiting if nothing is; null once ended and empty. */
  async take(): Promise<Uint8Array[] | null> {
    while (this.items.length === 0) {
      if (this.ended) {
        if (this.failure !== undefined) throw this.failure;
        return null;
      }
      await new Promise<void>((resolve) => {
        this.waiter = resolve;
      });
    }
    const batch = this.items;
    this.items = [];
    return batch;
  }

  private wake(): void {
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.();
  }
}
