import type { StatusTracker } from './status-tracker.js';
import type { StreamStatusSnapshot } from './status-types.js';

export interface StatusLoopOptions {
  tracker: StatusTracker;
  publish: (snapshot: StreamStatusSnapshot) => void;
  /** A snapshot goes out at least this often, changed or not. */
  intervalMs?: number;
  /** How often the tracker is checked for changes between pokes. */
  checkMs?: number;
  now?: () => number;
}

export interface StatusLoop {
  /** Publishes now if anything meaningful changed (call after feeding the tracker an event). */
  poke(): void;
  /** Publishes now regardless (e.g. the last snapshot before shutdown). */
  publishNow(): void;
  stop(): void;
}

/** Publishes the status snapshot on change and every `intervalMs` (5 s). */
export function startStatusLoop({
  tracker,
  publish,
  intervalMs = 5000,
  checkMs = 500,
  now = Date.now,
}: StatusLoopOptions): StatusLoop {
  let lastPublishedAt = Number.NEGATIVE_INFINITY;
  const publishNow = () => {
    lastPublishedAt = now();
    publish(tracker.snapshot());
  };
  const poke = () => {
    if (tracker.changed() || now() - lastPublishedAt >= intervalMs) publishNow();
  };
  const timer = setInterval(poke, Math.min(checkMs, intervalMs));
  timer.unref();
  publishNow();
  return { poke, publishNow, stop: () => clearInterval(timer) };
}
