// Milliseconds -> 90 kHz with the 32-bit millisecond wrap unwrapped.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MillisecondUnwrapper } from '../../src/flv/millisecond-unwrap.js';
import {
  asc,
  audio,
  audioTag,
  avcConfig,
  CODEC_ID,
  FRAME,
  H264_IDR,
  H264_PPS,
  H264_SLICE,
  H264_SPS_320,
  legacyVideo,
  prefixed,
  SOUND,
  videoTag,
} from './flv-builder.js';
import { runConverter } from './run-converter.js';

const WRAP = 2 ** 32;

describe('MillisecondUnwrapper', () => {
  it('passes small steps through and takes a step back of more than 2^31 as a wrap', () => {
    const u = new MillisecondUnwrapper();
    const out = [WRAP - 100, WRAP - 40, 20, 80, 2 ** 31, WRAP - 1, 5].map((t) => u.unwrap(t));
    assert.deepEqual(out, [
      WRAP - 100,
      WRAP - 40,
      WRAP + 20,
      WRAP + 80,
      WRAP + 2 ** 31,
      2 * WRAP - 1,
      2 * WRAP + 5,
    ]);
  });

  it('keeps a straggler from before the wrap in the old epoch', () => {
    const u = new MillisecondUnwrapper();
    assert.deepEqual(
      [WRAP - 30, 10, WRAP - 20, 30].map((t) => u.unwrap(t)),
      [WRAP - 30, WRAP + 10, WRAP - 20, WRAP + 30],
    );
  });

  it('never goes below zero, and takes a step back of up to 2^31 as it is', () => {
    const u = new MillisecondUnwrapper();
    assert.deepEqual(
      [100, WRAP - 10, 5, 2 ** 31 + 10, 10].map((t) => u.unwrap(t)),
      [100, WRAP - 10, WRAP + 5, 2 ** 31 + 10, WRAP + 10],
    );
    const v = new MillisecondUnwrapper();
    assert.deepEqual(
      [2 ** 31 + 5, 10].map((t) => v.unwrap(t)),
      [2 ** 31 + 5, 10],
    );
  });

  it('follows any walk of steps under 2^31 across many wraps', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: WRAP - 1 }),
        fc.array(fc.integer({ min: -(2 ** 30), max: 2 ** 31 - 1 }), { maxLength: 60 }),
        (start, steps) => {
          const u = new MillisecondUnwrapper();
          let truth = start + 4 * WRAP;
          assert.equal(u.unwrap(truth % WRAP), start);
          const offset = truth - start;
          for (const step of steps) {
            truth = Math.max(offset, truth + step);
            assert.equal(u.unwrap(truth % WRAP) + offset, truth);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('FLV converter timestamps', () => {
  it('crosses 2^32 ms with audio and video on one continuous 90 kHz count', () => {
    const start = WRAP - 60;
    const tags = [
      videoTag(start, legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([H264_SPS_320], [H264_PPS]))),
      audioTag(start, audio(SOUND.aac, asc(2, { index: 3 }, 2), 0)),
    ];
    for (let i = 0; i < 6; i++) {
      const ms = (start + i * 40) % WRAP;
      const units = i === 0 ? [H264_IDR] : [H264_SLICE];
      tags.push(videoTag(ms, legacyVideo(CODEC_ID.avc, i === 0 ? 1 : 2, 1, 80, prefixed(units))));
      tags.push(audioTag((ms + 21) % WRAP, audio(SOUND.aac, Uint8Array.of(1, 2, 3), 1)));
    }
    const run = runConverter(...tags);
    const video = run.packets.filter((p) => p.trackId === 0);
    const audioPackets = run.packets.filter((p) => p.trackId === 1);
    assert.deepEqual(
      video.map((p) => p.dts),
      [0, 1, 2, 3, 4, 5].map((i) => (start + i * 40) * 90),
    );
    assert.deepEqual(
      video.map((p) => p.pts - p.dts),
      new Array(6).fill(80 * 90),
    );
    assert.deepEqual(
      audioPackets.map((p) => p.dts),
      [0, 1, 2, 3, 4, 5].map((i) => (start + i * 40 + 21) * 90),
    );
    assert.ok(video.at(-1)!.dts > WRAP * 90);
  });

  it('ignores script tag times (often 0 mid-stream) for the unwrap', () => {
    const run = runConverter(
      audioTag(WRAP - 10, audio(SOUND.mp3, Uint8Array.of(0xff, 0xfb, 0x90, 0x44))),
      { type: 18, timestamp: 2 ** 31 - 1000, data: Uint8Array.of(5) },
      audioTag(15, audio(SOUND.mp3, Uint8Array.of(0xff, 0xfb, 0x90, 0x44))),
    );
    assert.deepEqual(
      run.packets.map((p) => p.dts / 90),
      [WRAP - 10, WRAP + 15],
    );
  });
});
