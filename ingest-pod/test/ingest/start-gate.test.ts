import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket, Codec, TrackInfo } from '../../src/avpacket.js';
import { canStartFrom, fromFirstKeyframe } from '../../src/ingest/start-gate.js';

const au = (codec: Codec, key = false, trackId = codec === 'aac' ? 257 : 256): AVPacket => ({
  codec,
  trackId,
  pts: 0,
  dts: 0,
  key,
  data: new Uint8Array(1),
});
const AV: TrackInfo[] = [
  { trackId: 256, codec: 'h264' },
  { trackId: 257, codec: 'aac' },
];

test('with video, publishing starts at a video keyframe', () => {
  assert.equal(canStartFrom([au('aac'), au('h264')], AV), false);
  assert.equal(canStartFrom([au('aac')], AV), false, 'the PMT says there is video');
  assert.equal(canStartFrom([au('aac'), au('aac', true)], []), true, 'no video known: audio will do');
  assert.equal(canStartFrom([au('aac'), au('h264', true)], []), true);
  const batch = [au('aac'), au('h264'), au('h264', true), au('aac'), au('scte35')];
  assert.deepEqual(fromFirstKeyframe(batch, AV), batch.slice(2));
  assert.deepEqual(fromFirstKeyframe([au('h264')], AV), []);
});

test('audio-only sources start with any audio access unit', () => {
  const tracks: TrackInfo[] = [{ trackId: 257, codec: 'aac' }];
  assert.equal(canStartFrom([au('aac')], tracks), true);
  assert.equal(canStartFrom([au('scte35')], tracks), false);
  const batch = [au('aac'), au('aac')];
  assert.equal(fromFirstKeyframe(batch, tracks), batch);
});
