import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DtsPacer } from '../../src/file/dts-pacer.js';

function clock(start = 1000) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

test('the first DTS anchors; later ones are due by their distance in 90 kHz ticks', () => {
  const c = clock();
  const pacer = new DtsPacer(c.now);
  assert.equal(pacer.delayFor(900_000), 0);
  assert.equal(pacer.delayFor(900_000 + 3600), 40);
  c.advance(40);
  assert.equal(pacer.delayFor(900_000 + 3600), 0);
  assert.equal(pacer.delayFor(900_000 + 90_000), 960);
  c.advance(960);
  assert.equal(pacer.delayFor(900_000 + 90_000), 0);
  // Interleaved audio slightly behind video is due at once.
  assert.equal(pacer.delayFor(900_000 + 80_000), 0);
});

test('a forward or backward jump re-anchors instead of sleeping or bursting', () => {
  const c = clock();
  const pacer = new DtsPacer(c.now, { maxJumpMs: 2000 });
  pacer.delayFor(0);
  assert.equal(pacer.delayFor(90_000 * 3600), 0, 'an hour ahead: re-anchored');
  assert.equal(pacer.delayFor(90_000 * 3600 + 9000), 100);
  c.advance(100);
  assert.equal(pacer.delayFor(90_000 * 3600 + 9000), 0);
  assert.equal(pacer.delayFor(5), 0, 'back to the start: re-anchored');
  assert.equal(pacer.delayFor(5 + 4500), 50);
});

test('a consumer far behind re-anchors instead of catching up in a burst', () => {
  const c = clock();
  const pacer = new DtsPacer(c.now, { maxLateMs: 1000 });
  pacer.delayFor(0);
  c.advance(5000);
  assert.equal(pacer.delayFor(9000), 0);
  assert.equal(pacer.delayFor(18_000), 100, 'paced again from the new anchor');
});
