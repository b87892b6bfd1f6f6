import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Backoff } from '../../src/input-loop/backoff.js';
import { StallWatchdog } from '../../src/input-loop/stall-watchdog.js';
import { FakeClock } from './fake-clock.js';

test('backoff: 1 s doubling to a 10 s cap, back to 1 s after reset', () => {
  const b = new Backoff();
  assert.deepEqual(
    Array.from({ length: 7 }, () => b.next()),
    [1000, 2000, 4000, 8000, 10_000, 10_000, 10_000],
  );
  b.reset();
  assert.equal(b.next(), 1000);
  const custom = new Backoff(100, 250);
  assert.deepEqual([custom.next(), custom.next(), custom.next()], [100, 200, 250]);
});

test('stall watchdog: one stall per silence, re-armed when packets flow again', async () => {
  const clock = new FakeClock();
  const stalls: number[] = [];
  let limit = 2000;
  const dog = new StallWatchdog(
    clock,
    () => limit,
    (silent) => stalls.push(silent),
  );
  dog.start();
  await clock.advance(1500);
  dog.feed();
  await clock.advance(1999);
  assert.deepEqual(stalls, []);
  await clock.advance(1);
  assert.deepEqual(stalls, [2000]);
  await clock.advance(60_000);
  assert.deepEqual(stalls, [2000], 'latched: a long silence is one stall');
  assert.equal(dog.stalled, true);
  dog.feed();
  assert.equal(dog.stalled, false);
  limit = 6000; // the limit may change while running (HLS learns its target duration)
  await clock.advance(5999);
  assert.equal(stalls.length, 1);
  await clock.advance(1);
  assert.deepEqual(stalls, [2000, 6000]);
  dog.stop();
  assert.equal(clock.pending, 0);
});

test('stall watchdog: a limit beyond what setTimeout holds arms the longest timer Node keeps', () => {
  const delays: number[] = [];
  const clock = new FakeClock();
  const recording = {
    now: () => clock.now(),
    setTimeout: (fn: () => void, ms: number) => {
      delays.push(ms);
      return clock.setTimeout(fn, ms);
    },
    clearTimeout: (handle: unknown) => clock.clearTimeout(handle),
  };
  const dog = new StallWatchdog(
    recording,
    () => 3e9,
    () => {},
  );
  dog.start();
  dog.stop();
  assert.deepEqual(delays, [2 ** 31 - 1]);
});
