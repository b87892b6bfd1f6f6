import assert from 'node:assert/strict';
import { EventEmitter, once } from 'node:events';
import { it } from 'node:test';
import { StatusTracker, type StreamStatusSnapshot, startStatusLoop } from '../../src/status/index.js';

function setup() {
  let now = Date.UTC(2026, 0, 1);
  const clock = { now: () => now, advance: (ms: number) => (now += ms) };
  const tracker = new StatusTracker({
    stream: { namespace: 'ns', name: 's' },
    inputCount: 1,
    now: clock.now,
  });
  const published: StreamStatusSnapshot[] = [];
  return { clock, tracker, published };
}

it('publishes at start, on a meaningful change, and after the interval even without one', (t) => {
  const { clock, tracker, published } = setup();
  const loop = startStatusLoop({
    tracker,
    publish: (s) => published.push(s),
    intervalMs: 5000,
    checkMs: 60_000,
    now: clock.now,
  });
  t.after(() => loop.stop());
  assert.equal(published.length, 1, 'first snapshot at start');

  loop.poke();
  assert.equal(published.length, 1, 'nothing changed');

  tracker.setActiveInput(0);
  loop.poke();
  assert.equal(published.length, 2, 'active input changed');
  assert.equal(published[1]!.activeInput, 0);

  clock.advance(4999);
  loop.poke();
  assert.equal(published.length, 2, 'interval not reached');
  clock.advance(1);
  loop.poke();
  assert.equal(published.length, 3, 'interval reached');

  loop.publishNow();
  assert.equal(published.length, 4);
});

it('runs on its own timer until stopped', async () => {
  const { tracker } = setup();
  const ticks = new EventEmitter();
  let count = 0;
  const loop = startStatusLoop({
    tracker,
    publish: () => {
      count++;
      ticks.emit('published');
    },
    intervalMs: 1,
    checkMs: 1,
  });
  while (count < 3) await once(ticks, 'published');
  loop.stop();
  const stoppedAt = count;
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.equal(count, stoppedAt, 'no publication after stop');
});
