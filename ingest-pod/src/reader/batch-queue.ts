/**
 * Items handed from a NATS callback to `read()`. NATS cannot be paused, so a full queue drops
 * what comes next (counted) instead of growing without bound.
 */
export class BatchQueue<T> {
  #items: T[] = [];
  #size = 0;
  #waiter: ((items: T[] | null) => void) | undefined;
  #ended = false;
  dropped = 0;

  constructor(
    private readonly capacity: number,
    private readonly sizeOf: (item: T) => number,
  ) {}

  push(item: T): void {
    if (this.#ended) return;
    const size = this.sizeOf(item);
    if (this.#size + size > this.capacity && this.#items.length > 0) {
      this.dropped++;
      return;
    }
    this.#items.push(item);
    this.#size += size;
    this.#wake();
  }

  /** Queued items are still delivered, then `take` returns null. */
  end(): void {
    this.#ended = true;
    this.#wake();
  }

  /** Everything queued (at least one item), waiting if nothing is; null once ended and empty. */
  take(): Promise<T[] | null> {
    if (this.#items.length > 0 || this.#ended) return Promise.resolve(this.#takeNow());
    return new Promise((resolve) => {
      this.#waiter = resolve;
    });
  }

  #takeNow(): T[] | null {
    if (this.#items.length === 0) return null;
    const items = this.#items;
    this.#items = [];
    this.#size = 0;
    return items;
  }

  #wake(): void {
    const waiter = this.#waiter;
    if (waiter === undefined) return;
    this.#waiter = undefined;
    waiter(this.#takeNow());
  }
}
