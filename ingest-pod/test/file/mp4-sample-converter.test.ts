import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { Mp4SampleConverter } from '../../src/file/mp4-sample-converter.js';
import { FlvReporter } from '../../src/flv/flv-api.js';

const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x0d);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const IDR = Uint8Array.of(0x65, 0x88, 0x84, 0x00);
const SLICE = Uint8Array.of(0x41, 0x9a, 0x02, 0x00);
const START = [0, 0, 0, 1];

/** avcC: version, profile, compatibility, level, 0xff (4-byte lengths), one SPS, one PPS. */
const AVCC = Uint8Array.of(1, 0x42, 0xc0, 0x0d, 0xff, 0xe1, 0, SPS.length, ...SPS, 1, 0, PPS.length, ...PPS);
const prefixed = (...units: Uint8Array[]) => Uint8Array.from(units.flatMap((u) => [0, 0, 0, u.length, ...u]));

test('H.264 samples: Annex B on the MP4 track id, parameter sets from avcC in front of keyframes', () => {
  const reporter = new FlvReporter(undefined);
  const converter = new Mp4SampleConverter(7, { kind: 'h264', config: AVCC }, reporter);
  const out: AVPacket[] = [];
  converter.sample(prefixed(SLICE), false, -3600, 0, out); // before any keyframe: dropped, counted
  converter.sample(prefixed(IDR), true, -7200, 0, out);
  converter.sample(prefixed(SLICE), false, -3600, 10_800, out);
  assert.deepEqual(
    out.map((p) => [p.trackId, p.codec, p.dts, p.pts, p.key, [...p.data]]),
    [
      [7, 'h264', -7200, 0, true, [...START, ...SPS, ...START, ...PPS, ...START, ...IDR]],
      [7, 'h264', -3600, 10_800, false, [...START, ...SLICE]],
    ],
  );
  assert.equal(reporter.stats.videoBeforeKeyframe, 1);
  assert.equal(converter.problem, null);
  assert.equal(converter.track?.codec, 'h264');
});

test('AAC samples: an ADTS header from the AudioSpecificConfig, PTS = DTS; unusable configs named', () => {
  const converter = new Mp4SampleConverter(
    2,
    { kind: 'aac', config: Uint8Array.of(0x11, 0x90) },
    new FlvReporter(undefined),
  );
  const out: AVPacket[] = [];
  converter.sample(Uint8Array.of(1, 2, 3), true, 1920, 1920, out);
  assert.deepEqual(
    out.map((p) => [p.trackId, p.codec, p.dts, p.pts, p.key, [...p.data]]),
    [[2, 'aac', 1920, 1920, false, [0xff, 0xf1, 0x4c, 0x80, 0x01, 0x5f, 0xfc, 1, 2, 3]]],
  );
  assert.deepEqual(converter.track, { trackId: 2, codec: 'aac', sampleRate: 48000, channels: 2 });
  // object type 42 (USAC): ADTS cannot carry it
  const usac = new Mp4SampleConverter(
    3,
    { kind: 'aac', config: Uint8Array.of(0xf9, 0x46, 0x43) },
    new FlvReporter(undefined),
  );
  assert.match(usac.problem ?? '', /aac object type 42/);
});
