import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  FIRST_PACKETS_WAIT_MS,
  initialAlignment,
  lateTrackOffset,
  senderReportCorrection,
} from '../../src/rtsp/track-alignment.js';

// Video (track 1) at RTP 90 kHz ticks 1_000_000 when the wall clock says 100.000 s; audio (track 2)
// at 500 ticks when it says 100.020 s: audio is 20 ms (1800 ticks) later on the same timeline.
const video = { trackId: 1, wallclockSeconds: 100, ticks: 1_000_000 };
const audio = { trackId: 2, wallclockSeconds: 100.02, ticks: 500 };

test('first packets are held until every track has one, or the wait is over', () => {
  assert.deepEqual(initialAlignment([], 2, 5000), { kind: 'hold' });
  assert.deepEqual(initialAlignment([video], 2, 10), { kind: 'hold' });
  const alone = initialAlignment([video], 2, FIRST_PACKETS_WAIT_MS);
  assert.deepEqual(alone, { kind: 'align', offsets: new Map([[1, 0]]) });
  const both = initialAlignment([video, audio], 2, 10);
  assert.equal(both.kind, 'align');
  const offsets = both.kind === 'align' ? both.offsets : new Map();
  // Equal wall-clock instants get equal ticks: 100.02 s is video tick 1_001_800.
  assert.equal(audio.ticks + offsets.get(2)!, video.ticks + offsets.get(1)! + 1800);
  assert.ok(
    [...offsets.values()].every((o) => o >= 0),
    'offsets only move tracks forward',
  );
});

test('a track heard after the alignment joins the same timeline', () => {
  const both = initialAlignment([video], 2, FIRST_PACKETS_WAIT_MS);
  const videoOffset = both.kind === 'align' ? both.offsets.get(1)! : Number.NaN;
  const offset = lateTrackOffset(audio, video, videoOffset);
  assert.equal(audio.ticks + offset, video.ticks + videoOffset + 1800);
});

test('sender reports correct the arrival alignment once, forward only, and not for less than a frame', () => {
  const arrival = new Map([
    [1, 0],
    [2, 999_500 + 1800],
  ]);
  // The reports agree with arrival: nothing to do.
  assert.equal(senderReportCorrection([video, audio], arrival), undefined);
  // They put audio 100 ms later than arrival did: audio moves forward 9000 ticks, video stays.
  const later = { ...audio, wallclockSeconds: 100.12 };
  assert.deepEqual(
    senderReportCorrection([video, later], arrival),
    new Map([
      [1, 0],
      [2, 999_500 + 1800 + 9000],
    ]),
  );
  // 100 ms earlier: instead of moving audio back, video moves forward.
  const earlier = { ...audio, wallclockSeconds: 99.92 };
  assert.deepEqual(
    senderReportCorrection([video, earlier], arrival),
    new Map([
      [1, 9000],
      [2, 999_500 + 1800],
    ]),
  );
  // Less than a frame apart: left alone.
  assert.equal(senderReportCorrection([video, { ...audio, wallclockSeconds: 100.03 }], arrival), undefined);
});
