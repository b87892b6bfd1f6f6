import { doublingDelayMs } from '@tributary/crds';
/**
 * A deduplicating work queue in the manner of client-go's: a key waits at most once; a key being
 * processed is never handed out twice at once (per-key serialisation) and, if added meanwhile, is
 * queued again when its processing is done. Failed keys come back after an exponential delay with
 * jitter; `forget` resets that delay after a success.
 */
export interface WorkQueueOptions {
  baseRetryMs?: number;
  maxRetryMs?: number;
  /** 0..1: each retry delay is scaled by a random factor in [1 - jitter, 1]. */
  jitter?: number;
  random?: () => number;
  setTimer?: (fn: () => void, ms: number) => { cancel(): void };
  /** The clock setTimer runs on (epoch ms). */
  now?: () => number;
  onDepthChange?: (depth: number) => void;
}

export class WorkQueue {
  readonly #queue: string[] = [];
  readonly #dirty = new Set<string>();
  readonly #processing = new Set<string>();
  readonly #failures = new Map<string, number>();
  readonly #timers = new Map<string, { at: number; timer: { cancel(): void } }>();
  readonly #waiters: ((key: string | undefined) => void)[] = [];
  readonly #options: Required<Omit<WorkQueueOptions, 'onDepthChange'>> &
    Pick<WorkQueueOptions, 'onDepthChange'>;
  #shuttingDown = false;
  retries = 0;

  constructor(options: WorkQueueOptions = {}) {
    this.#options = {
      baseRetryMs: options.baseRetryMs ?? 500,
      maxRetryMs: options.maxRetryMs ?? 300_000,
      jitter: options.jitter ?? 0.2,
      random: options.random ?? Math.random,
      now: options.now ?? Date.now,
      setTimer:
        options.setTimer ??
        ((fn, ms) => {
          const t = setTimeout(fn, ms);
          t.unref();
          return { cancel: () => clearTimeout(t) };
        }),
      onDepthChange: options.onDepthChange,
    };
  }

  get depth(): number {
    return this.#queue.length;
  }

  add(key: string): void {
    if (this.#shuttingDown || this.#dirty.has(key)) return;
    this.#dirty.add(key);
    if (this.#processing.has(key)) return;
    const waiter = this.#waiters.shift();
    if (waiter) {
      this.#take(key);
      waiter(key);
      return;
    }
    this.#queue.push(key);
    this.#options.onDepthChange?.(this.#queue.length);
  }

  addAfter(key: string, ms: number): void {
    if (this.#shuttingDown) return;
    if (ms <= 0) {
      this.add(key);
      return;
    }
    // One pending delayed add per key, the earliest (as client-go's delaying queue keeps it).
    const at = this.#options.now() + ms;
    const pending = this.#timers.get(key);
    if (pending && pending.at <= at) return;
    pending?.timer.cancel();
    const timer = this.#options.setTimer(() => {
      this.#timers.delete(key);
      this.add(key);
    }, ms);
    this.#timers.set(key, { at, timer });
  }

  /** Re-queue a key that failed, after its next backoff delay. */
  addRateLimited(key: string): void {
    const failures = this.#failures.get(key) ?? 0;
    this.#failures.set(key, failures + 1);
    this.retries++;
    this.addAfter(key, this.retryDelay(failures));
  }

  retryDelay(failures: number): number {
    const { baseRetryMs, maxRetryMs, jitter, random } = this.#options;
    const exact = doublingDelayMs(baseRetryMs, maxRetryMs, failures);
    return Math.round(exact * (1 - jitter * random()));
  }

  forget(key: string): void {
    this.#failures.delete(key);
  }

  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** The next key to process, or undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    const key = this.#queue.shift();
    if (key !== undefined) {
      this.#take(key);
      this.#options.onDepthChange?.(this.#queue.length);
      return Promise.resolve(key);
    }
    if (this.#shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  done(key: string): void {
    this.#processing.delete(key);
    if (this.#dirty.has(key)) {
      this.#dirty.delete(key);
      this.add(key);
    }
  }

  shutDown(): void {
    this.#shuttingDown = true;
    for (const { timer } of this.#timers.values()) timer.cancel();
    this.#timers.clear();
    for (const waiter of this.#waiters.splice(0)) waiter(undefined);
  }

  #take(key: string): void {
    this.#dirty.delete(key);
    this.#processing.add(key);
  }
}
