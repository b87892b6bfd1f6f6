import { setTimeout as sleep } from 'node:timers/promises';

export interface WaitOptions {
  /** Give up after this long (ms). */
  timeoutMs?: number;
  /** Pause between attempts (ms). */
  intervalMs?: number;
  /** Included in the timeout error. */
  what?: string;
  /**
   * Whether an error thrown by `check` counts as "not yet" (the default: the last one is reported
   * on timeout) or fails the wait at once (for checks that assert).
   */
  retryErrors?: boolean;
  signal?: AbortSignal;
}

/**
 * Calls `check` until it returns something other than undefined/false, and returns that.
 * The one polling helper of every package's tests and benches.
 */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false> | T | undefined | false,
  options: WaitOptions = {},
): Promise<T> {
  const { timeoutMs = 60_000, intervalMs = 200, what = 'condition', retryErrors = true } = options;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    options.signal?.throwIfAborted();
    try {
      const result = await check();
      if (result !== undefined && result !== false) return result;
    } catch (error) {
      if (!retryErrors) throw error;
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `; last error: ${lastError.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${detail}`);
    }
    await sleep(intervalMs, undefined, options.signal ? { signal: options.signal } : undefined);
  }
}
