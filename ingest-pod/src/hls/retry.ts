import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryPolicy {
  /** One delay per retry: `[500, 1000]` means three attempts in all. */
  delaysMs: readonly number[];
  /** False for failures that another attempt right now cannot fix. */
  retryInPlace(err: unknown): boolean;
  onRetry?(attempt: number, err: unknown, delayMs: number): void;
  signal: AbortSignal;
}

/** Runs `attempt` until it succeeds, a failure is not worth retrying, or the delays run out. */
export async function withRetries<T>(attempt: () => Promise<T>, policy: RetryPolicy): Promise<T> {
  for (let retry = 0; ; retry++) {
    try {
      return await attempt();
    } catch (err) {
      const delay = policy.delaysMs[retry];
      if (delay === undefined || policy.signal.aborted || !policy.retryInPlace(err)) throw err;
      policy.onRetry?.(retry + 1, err, delay);
      await sleep(delay, undefined, { signal: policy.signal });
    }
  }
}
