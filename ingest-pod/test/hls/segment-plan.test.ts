import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { MediaPlaylist } from '../../src/hls/playlist.js';
import { hlsStallTimeoutMs, planSegments, reloadIntervalMs, startIndex } from '../../src/hls/segment-plan.js';

function playlist(
  first: number,
  count: number,
  opts: Partial<MediaPlaylist> = {},
  duration = 2,
): MediaPlaylist {
  const segments = Array.from({ length: count }, (_, i) => ({
    uri: `s${first + i}.ts`,
    duration,
    sequence: first + i,
    discontinuity: false,
  }));
  return {
    kind: 'media',
    targetDuration: 2,
    mediaSequence: first,
    discontinuitySequence: 0,
    segments,
    ended: false,
    ...opts,
  };
}

const seqs = (p: { segments: { sequence: number }[] }) => p.segments.map((s) => s.sequence);

test('joining a live playlist starts about three target durations from the end', () => {
  assert.equal(startIndex(playlist(100, 10)), 7);
  assert.deepEqual(seqs(planSegments(undefined, playlist(100, 10))), [107, 108, 109]);
  // Short segments: still about 6 s of them.
  assert.deepEqual(
    seqs(planSegments(undefined, playlist(0, 20, {}, 0.5))),
    Array.from({ length: 12 }, (_, i) => 8 + i),
  );
  // A window shorter than the span: all of it.
  assert.deepEqual(seqs(planSegments(undefined, playlist(5, 2))), [5, 6]);
  // One long segment: at least the last one.
  assert.deepEqual(seqs(planSegments(undefined, playlist(5, 3, { targetDuration: 10 }, 40))), [7]);
  assert.deepEqual(seqs(planSegments(undefined, playlist(5, 0))), []);
});

test('a finished playlist (ENDLIST) is played from its first segment', () => {
  assert.deepEqual(seqs(planSegments(undefined, playlist(0, 5, { ended: true }))), [0, 1, 2, 3, 4]);
});

test('reloads hand out only segments newer than the last one', () => {
  const first = planSegments(undefined, playlist(100, 6));
  assert.deepEqual(seqs(first), [103, 104, 105]);
  const same = planSegments(first.state, playlist(100, 6));
  assert.deepEqual(seqs(same), []);
  assert.equal(same.state.lastSequence, 105);
  const slid = planSegments(same.state, playlist(102, 6));
  assert.deepEqual(seqs(slid), [106, 107]);
  assert.equal(slid.missed, 0);
  assert.equal(slid.reset, undefined);
});

test('segments that slid out of the window before being fetched are counted as missed', () => {
  const first = planSegments(undefined, playlist(100, 6));
  const behind = planSegments(first.state, playlist(110, 6));
  assert.deepEqual(seqs(behind), [110, 111, 112, 113, 114, 115]);
  assert.equal(behind.missed, 4);
});

test('a media-sequence reset restarts at the new edge instead of waiting for old numbers', () => {
  const first = planSegments(undefined, playlist(500, 6));
  const reset = planSegments(first.state, playlist(0, 6));
  assert.match(reset.reset ?? '', /EXT-X-MEDIA-SEQUENCE went back from 500 to 0/);
  assert.deepEqual(seqs(reset), [3, 4, 5]);
  assert.deepEqual(seqs(planSegments(reset.state, playlist(1, 6))), [6]);
});

test('a discontinuity-sequence going back is a reset; going forward is the normal window slide', () => {
  const first = planSegments(undefined, playlist(10, 6, { discontinuitySequence: 4 }));
  const forward = planSegments(first.state, playlist(11, 6, { discontinuitySequence: 5 }));
  assert.equal(forward.reset, undefined);
  assert.deepEqual(seqs(forward), [16]);
  const back = planSegments(forward.state, playlist(11, 6, { discontinuitySequence: 0 }));
  assert.match(back.reset ?? '', /DISCONTINUITY-SEQUENCE went back from 5 to 0/);
  assert.deepEqual(seqs(back), [14, 15, 16]);
});

test('a playlist that was empty at join hands out its first segments from the edge rule', () => {
  const empty = planSegments(undefined, playlist(0, 0));
  assert.equal(empty.state.lastSequence, undefined);
  assert.deepEqual(seqs(planSegments(empty.state, playlist(0, 2))), [0, 1]);
});

test('reload interval: half a target duration, clamped to 1..60 s, never below the floor', () => {
  assert.equal(reloadIntervalMs(6, 500), 3000);
  assert.equal(reloadIntervalMs(0, 500), 500);
  assert.equal(reloadIntervalMs(0.1, 100), 500);
  assert.equal(reloadIntervalMs(1_000_000, 500), 30_000);
  assert.equal(reloadIntervalMs(Number.NaN, 500), 500);
});

test('stall timeout: three target durations, clamped, at least 6 s', () => {
  assert.equal(hlsStallTimeoutMs(0), 6000);
  assert.equal(hlsStallTimeoutMs(4), 12_000);
  assert.equal(hlsStallTimeoutMs(1_000_000), 180_000);
  assert.equal(hlsStallTimeoutMs(Number.POSITIVE_INFINITY), 180_000);
});

test('a hostile target duration does not make the join replay the whole window', () => {
  // 3 × 60 s (the clamp) covers 90 two-second segments: the join starts 90 from the end, not at 0.
  assert.equal(startIndex(playlist(0, 200, { targetDuration: 1_000_000 })), 110);
});
