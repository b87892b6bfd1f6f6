import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { AVPacket, Codec } from '../../src/avpacket.js';
import { Timeline } from '../../src/timeline/index.js';

const TRACKS: [number, Codec][] = [
  [256, 'h264'],
  [257, 'aac'],
  [258, 'scte35'],
];

/** A source whose clock does anything: small steps, repeats, holes, jumps both ways, new sessions. */
const stepArbitrary = fc.record({
  track: fc.integer({ min: 0, max: TRACKS.length - 1 }),
  step: fc.oneof(
    fc.integer({ min: 0, max: 4000 }),
    fc.integer({ min: -400_000, max: 400_000 }),
    fc.constantFrom(2 ** 33, -(2 ** 33)),
  ),
  compositionOffset: fc.integer({ min: -3000, max: 20_000 }),
  sessionStart: fc.integer({ min: 0, max: 4 }).map((n) => n === 0),
});

it('output DTS rises strictly per track, stays non-negative and keeps the composition offset', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: -1000, max: 2 ** 40 }),
      fc.array(stepArbitrary, { maxLength: 300 }),
      (start, steps) => {
        const timeline = new Timeline();
        const clocks = TRACKS.map(() => start);
        const lastOut = new Map<number, number>();
        steps.forEach(({ track, step, compositionOffset, sessionStart }, index) => {
          const [trackId, codec] = TRACKS[track]!;
          clocks[track]! += step;
          const dts = clocks[track]!;
          const input: AVPacket = {
            codec,
            trackId,
            dts,
            pts: dts + compositionOffset,
            key: false,
            data: new Uint8Array(),
          };
          const output = timeline.apply(input, { sessionStart: sessionStart || index === 0 });
          const previous = lastOut.get(trackId);
          if (previous !== undefined)
            assert.ok(output.dts > previous, `track ${trackId} went ${previous} -> ${output.dts}`);
          assert.ok(output.dts >= 0);
          assert.ok(Number.isSafeInteger(output.dts));
          assert.equal(output.pts - output.dts, Math.max(0, compositionOffset));
          lastOut.set(trackId, output.dts);
        });
      },
    ),
    { numRuns: 300 },
  );
});
