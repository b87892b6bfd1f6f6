import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SampleOrder, sampleTimes, toTicks, trackShift } from '../../src/file/mp4-timeline.js';

test('toTicks: any timescale to 90 kHz, rounded to the nearest tick', () => {
  assert.equal(toTicks(512, 12_800), 3600);
  assert.equal(toTicks(1024, 48_000), 1920);
  assert.equal(toTicks(1001, 30_000), 3003);
  assert.equal(toTicks(1, 44_100), 2); // 2.04…
  assert.equal(toTicks(-1024, 12_800), -7200);
});

test('trackShift: leading empty edits delay the track, the first media edit says where it starts', () => {
  assert.deepEqual(trackShift([], 1000), { mediaStart: 0, delayTicks: 0 });
  assert.deepEqual(trackShift([{ segmentDuration: 2000, mediaTime: 1024 }], 1000), {
    mediaStart: 1024,
    delayTicks: 0,
  });
  assert.deepEqual(
    trackShift(
      [
        { segmentDuration: 500, mediaTime: -1 },
        { segmentDuration: 100, mediaTime: -1 },
        { segmentDuration: 2000, mediaTime: 0 },
        { segmentDuration: 2000, mediaTime: 9999 },
      ],
      1000,
    ),
    { mediaStart: 0, delayTicks: 54_000 },
  );
  assert.deepEqual(trackShift([{ segmentDuration: 600, mediaTime: -1 }], 600), {
    mediaStart: 0,
    delayTicks: 90_000,
  });
});

test('sampleTimes: B-frames get PTS = DTS + composition offset, both shifted by the edit', () => {
  const shift = { mediaStart: 1024, delayTicks: 0 };
  // x264 with two B-frames at 25 fps in a 12800 timescale: I P B B, decoding order
  const table = [
    [0, 1024],
    [512, 2560],
    [1024, 1536],
    [1536, 2048],
  ];
  assert.deepEqual(
    table.map(([dts, cts]) => sampleTimes(dts!, cts!, 12_800, shift)),
    [
      { dts: -7200, pts: 0 },
      { dts: -3600, pts: 10_800 },
      { dts: 0, pts: 3600 },
      { dts: 3600, pts: 7200 },
    ],
  );
  assert.deepEqual(sampleTimes(0, 0, 48_000, { mediaStart: 0, delayTicks: 900 }), { dts: 900, pts: 900 });
});

test('SampleOrder: lowest DTS first across tracks, ties to the earlier track, every sample once', () => {
  const order = new SampleOrder([Float64Array.of(0, 3600, 7200), [0, 1920, 3840, 5760, 7680], []]);
  const taken: [number, number][] = [];
  for (let next = order.take(); next !== null; next = order.take()) taken.push(next);
  assert.deepEqual(taken, [
    [0, 0],
    [1, 0],
    [1, 1],
    [0, 1],
    [1, 2],
    [1, 3],
    [0, 2],
    [1, 4],
  ]);
  assert.equal(order.take(), null);
});
