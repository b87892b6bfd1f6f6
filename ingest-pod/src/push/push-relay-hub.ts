import { decodeRelay, RelayKind, type RelayStart } from '../push-relay/relay-wire.js';
import type { PushFeed } from '../reader/reader-api.js';

/** Sessions whose start is remembered: a handful covers any overlap of publishers. */
const REMEMBERED_STARTS = 4;

export type Subscribe = (subject: string, onMessage: (data: Uint8Array) => void) => { unsubscribe(): void };

/**
 * The pod's one subscription to its push subject, shared by the push input's readers. It also
 * remembers the start messages of sessions that have not ended, so a reader that joins a
 * session midway (a probe, a reopen) can still say who is publishing.
 */
export class PushRelayHub implements PushFeed {
  readonly #listeners = new Set<(data: Uint8Array) => void>();
  readonly #starts = new Map<number, RelayStart>();
  readonly #subscription: { unsubscribe(): void };

  constructor(
    readonly subject: string,
    subscribe: Subscribe,
  ) {
    this.#subscription = subscribe(subject, (data) => this.#onMessage(data));
  }

  subscribe(subject: string, onMessage: (data: Uint8Array) => void): { unsubscribe(): void } {
    if (subject !== this.subject)
      throw new TypeError(`this pod's push subject is ${this.subject}, not ${subject}`);
    this.#listeners.add(onMessage);
    return { unsubscribe: () => this.#listeners.delete(onMessage) };
  }

  startOf(session: number): RelayStart | undefined {
    return this.#starts.get(session);
  }

  close(): void {
    this.#subscription.unsubscribe();
    this.#listeners.clear();
  }

  #onMessage(data: Uint8Array): void {
    this.#remember(data);
    for (const listener of [...this.#listeners]) listener(data);
  }

  #remember(data: Uint8Array): void {
    const kind = data[1];
    if (kind !== RelayKind.start && kind !== RelayKind.end) return;
    let message: ReturnType<typeof decodeRelay>;
    try {
      message = decodeRelay(data);
    } catch {
      return; // the readers count it
    }
    if (message.kind === RelayKind.end) {
      this.#starts.delete(message.session);
      return;
    }
    try {
      const start = JSON.parse(new TextDecoder().decode(message.payload)) as RelayStart;
      this.#starts.delete(message.session);
      this.#starts.set(message.session, start);
      for (const session of this.#starts.keys()) {
        if (this.#starts.size <= REMEMBERED_STARTS) break;
        this.#starts.delete(session);
      }
    } catch {
      // not JSON: the readers report it
    }
  }
}
