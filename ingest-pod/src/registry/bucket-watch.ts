// A KV watch that says when the bucket's initial content has been delivered. The library's
// isUpdate flag cannot tell that for an empty bucket, nor when the entries it counted expire
// before delivery (the active bucket's marks do), so the stream's sequence numbers decide.
import type { KV, KvWatchEntry } from '@nats-io/kv';

export interface BucketWatch {
  /** Resolves once every entry present when the watch started was delivered; rejects if that failed. */
  readonly loaded: Promise<void>;
  /** Resolves when the watch ends, whether stopped or broken. */
  readonly ended: Promise<void>;
  stop(): void;
}

const LOAD_CHECK_INTERVAL_MS = 500;

/** Calls `onEntry` for every entry, initial values first. `onEntry` must not throw. */
export async function watchBucket(kv: KV, onEntry: (entry: KvWatchEntry) => void): Promise<BucketWatch> {
  const iterator = await kv.watch();
  let stopped = false;
  let done = false;
  let lastSeen = 0;
  let target = Number.POSITIVE_INFINITY;
  let resolveLoaded!: () => void;
  let rejectLoaded!: (error: unknown) => void;
  const loaded = new Promise<void>((resolve, reject) => {
    resolveLoaded = resolve;
    rejectLoaded = reject;
  });
  loaded.catch(() => {});
  const finishLoad = (error?: unknown) => {
    if (done) return;
    done = true;
    if (error === undefined) resolveLoaded();
    else rejectLoaded(error);
  };

  const ended = (async () => {
    try {
      for await (const entry of iterator) {
        if (stopped) break;
        lastSeen = Math.max(lastSeen, entry.revision);
        onEntry(entry);
        if (lastSeen >= target) finishLoad();
      }
    } catch (error) {
      finishLoad(error);
      return;
    }
    finishLoad(new Error('the watch ended before the initial values were delivered'));
  })();

  // Everything up to the stream's last sequence at this point was either delivered or removed.
  const checkLoaded = async () => {
    try {
      while (!done && !stopped) {
        const state = (await kv.status()).streamInfo.state;
        if (target === Number.POSITIVE_INFINITY) target = state.last_seq;
        if (state.messages === 0 || state.first_seq > target || lastSeen >= target) finishLoad();
        else await new Promise((resolve) => setTimeout(resolve, LOAD_CHECK_INTERVAL_MS).unref());
      }
    } catch (error) {
      finishLoad(error);
    }
  };
  void checkLoaded();

  return {
    loaded,
    ended,
    stop() {
      stopped = true;
      finishLoad(new Error('the watch was stopped'));
      iterator.stop();
    },
  };
}
