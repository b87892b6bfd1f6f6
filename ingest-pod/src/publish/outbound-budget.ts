/**
 * Bytes handed to the NATS client that the server has not confirmed yet. The client buffers
 * without limit while a slow server reads little; a flush (PING, answered by PONG in order)
 * confirms everything published before it. One flush is under way at a time, and one starts only
 * once a sixteenth of the budget is unconfirmed (or when a message would not fit): a PING per
 * message would cost a write and a wake-up each, more than the message itself at camera rates.
 */
export class OutboundBudget {
  #sent = 0;
  #confirmed = 0;
  #flushing = false;
  #generation = 0;

  constructor(
    private readonly flush: () => Promise<void>,
    readonly limitBytes: number,
  ) {}

  get pendingBytes(): number {
    return this.#sent - this.#confirmed;
  }

  /**
   * Whether `bytes` more may go out now. A message alone is always let through when nothing is
   * pending, so a packet larger than the budget is not starved for ever.
   */
  fits(bytes: number): boolean {
    const pending = this.pendingBytes;
    const fits = pending === 0 || pending + bytes <= this.limitBytes;
    this.#confirm(!fits);
    return fits;
  }

  /** `bytes` were handed to the client. */
  sent(bytes: number): void {
    this.#sent += bytes;
    this.#confirm(false);
  }

  /** A new connection: what was pending was sent or discarded by the client; count from zero. */
  reset(): void {
    this.#generation++;
    this.#confirmed = this.#sent;
    this.#flushing = false;
  }

  #confirm(needed: boolean): void {
    if (this.#flushing || this.#sent === this.#confirmed) return;
    if (!needed && this.pendingBytes < this.limitBytes / 16) return;
    this.#flushing = true;
    const mark = this.#sent;
    const generation = this.#generation;
    const settle = (confirmed: boolean) => {
      if (generation !== this.#generation) return;
      if (confirmed) this.#confirmed = Math.max(this.#confirmed, mark);
      this.#flushing = false;
    };
    this.flush().then(
      () => settle(true),
      () => settle(false),
    );
  }
}
