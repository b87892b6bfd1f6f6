/**
 * A bounded FIFO between a socket (push) and `read()` (take), by datagram count and by bytes. When
 * full, new datagrams are dropped and counted: for a live feed the consumer being late is the
 * problem to report, not to buffer.
 */
export class DatagramQueue {
  private items: Uint8Array[] = [];
  private waiter: ((batch: Uint8Array[] | null) => void) | undefined;
  private failWaiter: ((error: Error) => void) | undefined;
  private failure: Error | undefined;
  private ended = false;
  private bytes = 0;
  overflowed = 0;

  constructor(
    private readonly capacity: number,
    private readonly maxBytes = Number.POSITIVE_INFINITY,
  ) {}

  /** Bytes queued now (never above `maxBytes`). */
  get queuedBytes(): number {
    return this.bytes;
  }

  push(datagram: Uint8Array): void {
    if (this.ended) return;
    if (this.items.length >= this.capacity || this.bytes + datagram.length > this.maxBytes) {
      this.overflowed++;
      return;
    }
    this.items.push(datagram);
    this.bytes += datagram.length;
    this.wake();
  }

  /** Ends the queue; queued datagrams are still delivered, then `take` rejects or returns null. */
  end(failure?: Error): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = failure;
    this.wake();
  }

  /**
   * Everything queued (at least one datagram), waiting if nothing is; null once ended and empty.
   * Not an async function: it runs for every datagram, and a waiter resolved with the batch itself
   * saves a wake-up, a re-check and their allocations each time.
   */
  take(): Promise<Uint8Array[] | null> {
    if (this.items.length > 0 || this.ended) {
      try {
        return Promise.resolve(this.takeNow());
      } catch (error) {
        return Promise.reject(error);
      }
    }
    return new Promise((resolve, reject) => {
      this.waiter = resolve;
      this.failWaiter = reject;
    });
  }

  /** The queued batch, or null (or the failure) once ended and empty. */
  private takeNow(): Uint8Array[] | null {
    if (this.items.length === 0) {
      if (this.failure !== undefined) throw this.failure;
      return null;
    }
    const batch = this.items;
    this.items = [];
    this.bytes = 0;
    return batch;
  }

  private wake(): void {
    const resolve = this.waiter;
    const reject = this.failWaiter;
    if (resolve === undefined || reject === undefined) return;
    this.waiter = this.failWaiter = undefined;
    try {
      resolve(this.takeNow());
    } catch (error) {
      reject(error as Error);
    }
  }
}
