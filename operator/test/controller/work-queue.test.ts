import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WorkQueue } from '../../src/controller/work-queue.js';

function fakeTimers() {
  const pending: { at: number; fn: () => void; cancelled: boolean }[] = [];
  let now = 0;
  return {
    setTimer(fn: () => void, ms: number) {
      const t = { at: now + ms, fn, cancelled: false };
      pending.push(t);
      return { cancel: () => (t.cancelled = true) };
    },
    advance(ms: number) {
      now += ms;
      for (const t of pending.filter((p) => p.at <= now && !p.cancelled)) {
        t.cancelled = true;
        t.fn();
      }
    },
  };
}

test('a key added twice while waiting is handed out once', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  q.add('ns/a');
  q.add('ns/b');
  assert.equal(q.depth, 2);
  assert.equal(await q.get(), 'ns/a');
  assert.equal(await q.get(), 'ns/b');
  assert.equal(q.depth, 0);
});

test('a key added while processing comes back only after done (per-key serialisation)', async () => {
  const q = new WorkQueue();
  q.add('ns/a');
  const key = await q.get();
  q.add('ns/a');
  assert.equal(q.depth, 0, 'not queued while being processed');
  q.done(key!);
  assert.equal(q.depth, 1);
  assert.equal(await q.get(), 'ns/a');
});

test('a waiting consumer receives the next added key', async () => {
  const q = new WorkQueue();
  const next = q.get();
  q.add('ns/x');
  assert.equal(await next, 'ns/x');
});

test('retry delays double from the base up to the cap, with jitter only shortening them', () => {
  const q = new WorkQueue({ baseRetryMs: 100, maxRetryMs: 1000, jitter: 0.5, random: () => 0 });
  assert.deepEqual(
    [0, 1, 2, 3, 4, 5].map((n) => q.retryDelay(n)),
    [100, 200, 400, 800, 1000, 1000],
  );
  const jittered = new WorkQueue({ baseRetryMs: 100, jitter: 0.5, random: () => 1 });
  assert.equal(jittered.retryDelay(1), 100);
});

test('addRateLimited re-queues after the backoff; forget resets it', async () => {
  const timers = fakeTimers();
  const q = new WorkQueue({ baseRetryMs: 100, jitter: 0, setTimer: timers.setTimer });
  q.addRateLimited('ns/a');
  q.addRateLimited('ns/a');
  assert.equal(q.failures('ns/a'), 2);
  assert.equal(q.retries, 2);
  timers.advance(99);
  assert.equal(q.depth, 0);
  timers.advance(1);
  assert.equal(q.depth, 1, 'first retry due at 100 ms; the second (200 ms) dedupes into it');
  q.forget('ns/a');
  assert.equal(q.failures('ns/a'), 0);
});

test('shutDown releases waiting consumers and drops pending retries', async () => {
  const timers = fakeTimers();
  const q = new WorkQueue({ setTimer: timers.setTimer });
  const waiting = q.get();
  q.addAfter('ns/a', 10);
  q.shutDown();
  assert.equal(await waiting, undefined);
  timers.advance(100);
  assert.equal(q.depth, 0);
  q.add('ns/b');
  assert.equal(q.depth, 0);
});
