import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DtsEstimator } from '../../../src/rtsp/rtp/dts-estimator.js';

function run(depth: number, pts: number[]): number[] {
  const e = new DtsEstimator(depth);
  return pts.map((p) => e.next(p));
}

test('depth 0: DTS = PTS', () => {
  assert.deepEqual(run(0, [0, 3000, 6000]), [0, 3000, 6000]);
});

test('B-frames in decoding order: DTS rises and stays at or below PTS', () => {
  const d = 3000;
  // I0 P3 B1 B2 P6 B4 B5 (a pyramid: P6 b5 B4 …), as an encoder with 2 B-frames sends them
  const pts = [0, 3, 1, 2, 6, 4, 5, 9, 7, 8].map((n) => 90_000 + n * d);
  for (const depth of [2, 3]) {
    const e = new DtsEstimator(depth);
    let last = Number.NEGATIVE_INFINITY;
    for (const p of pts) {
      const dts = e.next(p);
      assert.ok(dts <= p, `depth ${depth}: dts ${dts} > pts ${p}`);
      assert.ok(dts > last, `depth ${depth}: dts ${dts} not above ${last}`);
      last = dts;
    }
    assert.equal(e.clamped, 0);
  }
  // once filled, DTS steps by the frame interval
  const dts = run(2, pts);
  assert.deepEqual(
    dts.slice(2),
    [0, 1, 2, 3, 4, 5, 6, 7].map((n) => 90_000 + n * d),
  );
});

test('a picture later than the depth allows is held to keep DTS rising, and counted', () => {
  const e = new DtsEstimator(1);
  // PTS 1 comes after 2 and 3 were seen: two pictures of reordering against a depth of 1
  assert.deepEqual(
    [0, 2, 3, 1].map((n) => e.next(n * 3000)),
    [-1, 0, 6000, 6000],
  );
  assert.equal(e.clamped, 1);
  const e0 = new DtsEstimator(0);
  e0.next(6000);
  assert.equal(e0.next(3000), 6000);
  assert.equal(e0.clamped, 1);
});
