import type { EventSpec } from './decide-events.js';

export interface EventThrottleOptions {
  /** Events an object may emit in a burst. */
  burst?: number;
  /** One more event is allowed per this interval. */
  refillMs?: number;
  /** A repeat of the same event within this window bumps the earlier one's count. */
  aggregateWindowMs?: number;
  now?: () => number;
}

export type EventAdmission =
  | { kind: 'drop' }
  | { kind: 'create' }
  | { kind: 'bump'; name: string; count: number };

interface Bucket {
  tokens: number;
  at: number;
}

interface Recent {
  name: string;
  count: number;
  at: number;
}

/**
 * Keeps Events from flooding the API, as client-go's recorder does: a token bucket per object,
 * and repeats of the same event folded into one Event with a count.
 */
export class EventThrottle {
  readonly #burst: number;
  readonly #refillMs: number;
  readonly #windowMs: number;
  readonly #now: () => number;
  readonly #buckets = new Map<string, Bucket>();
  readonly #recent = new Map<string, Recent>();

  constructor(options: EventThrottleOptions = {}) {
    this.#burst = options.burst ?? 25;
    this.#refillMs = options.refillMs ?? 60_000;
    this.#windowMs = options.aggregateWindowMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  admit(object: string, event: EventSpec): EventAdmission {
    const now = this.#now();
    const key = `${object}\u0000${event.reason}\u0000${event.message}`;
    const recent = this.#recent.get(key);
    if (recent && now - recent.at < this.#windowMs)
      return { kind: 'bump', name: recent.name, count: recent.count + 1 };
    const bucket = this.#buckets.get(object) ?? { tokens: this.#burst, at: now };
    const refills = Math.floor((now - bucket.at) / this.#refillMs);
    const refilled = Math.min(this.#burst, bucket.tokens + refills);
    const at = refilled >= this.#burst ? now : bucket.at + refills * this.#refillMs;
    if (refilled < 1) {
      this.#buckets.set(object, { tokens: refilled, at });
      return { kind: 'drop' };
    }
    this.#buckets.set(object, { tokens: refilled - 1, at });
    return { kind: 'create' };
  }

  /** Remembers the Event now stored under `name` with `count`, for later repeats. */
  remember(object: string, event: EventSpec, name: string, count: number): void {
    this.#recent.set(`${object}\u0000${event.reason}\u0000${event.message}`, {
      name,
      count,
      at: this.#now(),
    });
    if (this.#recent.size > 10_000) this.#prune();
  }

  /** Forgets an object (deleted), so its memory does not grow forever. */
  forget(object: string): void {
    this.#buckets.delete(object);
    for (const key of this.#recent.keys()) if (key.startsWith(`${object}\u0000`)) this.#recent.delete(key);
  }

  /** Forgets every object: a new leadership term starts with full buckets and no aggregation. */
  forgetAll(): void {
    this.#buckets.clear();
    this.#recent.clear();
  }

  #prune(): void {
    const now = this.#now();
    for (const [key, recent] of this.#recent) if (now - recent.at >= this.#windowMs) this.#recent.delete(key);
  }
}
