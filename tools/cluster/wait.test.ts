import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from './wait.js';

test('returns the first value that is neither undefined nor false, sync or async', async () => {
  let calls = 0;
  assert.equal(await waitFor(() => (++calls === 3 ? 'ready' : undefined), { intervalMs: 1 }), 'ready');
  assert.equal(calls, 3);
  calls = 0;
  assert.equal(await waitFor(async () => ++calls >= 2 && calls, { intervalMs: 1 }), 2);
});

test('counts a thrown error as "not yet" and names it and what was awaited on timeout', async () => {
  let calls = 0;
  const value = await waitFor(
    () => {
      if (++calls < 3) throw new Error('not up');
      return true;
    },
    { intervalMs: 1 },
  );
  assert.equal(value, true);
  await assert.rejects(
    waitFor(
      () => {
        throw new Error('connection refused');
      },
      { what: 'the apiserver', timeoutMs: 20, intervalMs: 1 },
    ),
    { message: 'timed out after 20 ms waiting for the apiserver; last error: connection refused' },
  );
});

test('with retryErrors false, the first error fails the wait at once', async () => {
  let calls = 0;
  await assert.rejects(
    waitFor(
      () => {
        calls++;
        throw new Error('assertion failed');
      },
      { retryErrors: false, timeoutMs: 60_000, intervalMs: 1 },
    ),
    { message: 'assertion failed' },
  );
  assert.equal(calls, 1);
});

test('times out naming what was awaited when the check never holds', async () => {
  await assert.rejects(
    waitFor(() => false, { what: 'a route', timeoutMs: 10, intervalMs: 1 }),
    {
      message: 'timed out after 10 ms waiting for a route',
    },
  );
});

test('stops when its signal aborts', async () => {
  const controller = new AbortController();
  const waiting = waitFor(() => undefined, { signal: controller.signal, intervalMs: 5 });
  controller.abort(new Error('shutting down'));
  await assert.rejects(waiting, { name: 'AbortError' });
});
