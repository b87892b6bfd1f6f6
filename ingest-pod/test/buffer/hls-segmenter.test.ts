import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { HlsSegmenter, type SegmentMuxer } from '../../src/buffer/hls/segmenter.js';
import type { PlacedPacket } from '../../src/buffer/output-timeline.js';
import { StreamRing } from '../../src/buffer/stream-ring.js';
import { FRAME, placed, videoRun } from './packets.js';

const TABLES = 0xaa;
const SECOND = 90_000;

/** Tables are one 0xAA byte; an access unit is one byte: its frame number (DTS / FRAME). */
const fakeMuxer: SegmentMuxer = {
  tables: () => Uint8Array.of(TABLES),
  accessUnit: (packet: AVPacket) => Uint8Array.of((packet.dts / FRAME) & 0xff),
};

function segmenterOver(packets: readonly PlacedPacket[], targetTicks = 2 * SECOND) {
  const ring = new StreamRing({ windowMs: 600_000, maxBytes: 1 << 30 });
  const segmenter = new HlsSegmenter(fakeMuxer, { targetTicks, partTargetTicks: SECOND / 2 });
  ring.listen((packet, gop, opensGop) => segmenter.push(packet, gop, opensGop));
  for (const packet of packets) ring.push(packet);
  return segmenter;
}

function shape(segmenter: HlsSegmenter) {
  return segmenter.segments.map((s) => ({
    msn: s.msn,
    complete: s.complete,
    discontinuity: s.discontinuity,
    start: s.startTicks,
    duration: s.durationTicks,
  }));
}

describe('HlsSegmenter: segments', () => {
  it('cuts at the first keyframe once the segment reached the target', () => {
    // 1 s GOPs, 5 s: segments [0, 2 s), [2 s, 4 s), and [4 s, …) in progress.
    const segmenter = segmenterOver(videoRun(125, 25));
    assert.deepEqual(shape(segmenter), [
      { msn: 1, complete: true, discontinuity: false, start: 0, duration: 2 * SECOND },
      { msn: 2, complete: true, discontinuity: false, start: 2 * SECOND, duration: 2 * SECOND },
      { msn: 3, complete: false, discontinuity: false, start: 4 * SECOND, duration: 0 },
    ]);
    assert.equal(segmenter.mediaSequence, 1);
    assert.equal(segmenter.longestSegmentTicks, 2 * SECOND);
  });

  it('makes a longer segment of a GOP longer than the target, and reports it as the longest', () => {
    const segmenter = segmenterOver(videoRun(250, 100)); // 4 s GOPs
    assert.deepEqual(
      segmenter.segments.map((s) => [s.complete, s.durationTicks]),
      [
        [true, 4 * SECOND],
        [true, 4 * SECOND],
        [false, 0],
      ],
    );
    assert.equal(segmenter.longestSegmentTicks, 4 * SECOND);
  });

  it('starts a new segment at a new session, short or not, and counts it when it slides out', () => {
    const first = videoRun(60, 25); // 2.4 s: [0, 2 s) complete, [2 s, 2.4 s) open
    const restart = videoRun(30, 25, 0, 2).map((p, i) => ({
      ...p,
      dts: p.dts + 60 * FRAME,
      pts: p.pts + 60 * FRAME,
      discontinuity: i === 0,
    }));
    const segmenter = segmenterOver([...first, ...restart]);
    assert.deepEqual(
      shape(segmenter).map((s) => [s.msn, s.complete, s.discontinuity, s.duration]),
      [
        [1, true, false, 2 * SECOND],
        [2, true, false, 10 * FRAME],
        [3, false, true, 0],
      ],
    );
    assert.equal(segmenter.discontinuitySequence, 0);
    segmenter.dropOldest();
    assert.deepEqual([segmenter.mediaSequence, segmenter.discontinuitySequence], [2, 0]);
    segmenter.dropOldest();
    assert.deepEqual([segmenter.mediaSequence, segmenter.discontinuitySequence], [3, 1]);
    assert.equal(segmenter.dropOldest(), undefined, 'the segment in progress stays');
  });

  it('ends a session whose successor starts far away one frame after its last access unit', () => {
    const first = videoRun(30, 25);
    const jump = videoRun(30, 25, 0, 2).map((p, i) => ({
      ...p,
      dts: p.dts + 1000 * SECOND,
      discontinuity: i === 0,
    }));
    const segmenter = segmenterOver([...first, ...jump]);
    assert.equal(segmenter.segments[0]!.durationTicks, 30 * FRAME);
    assert.equal(segmenter.segments[1]!.startTicks, 1000 * SECOND);
  });

  it('skips what comes before the first startable GOP', () => {
    const segmenter = segmenterOver(videoRun(40, 25, 5 * FRAME));
    assert.equal(segmenter.segments[0]!.startTicks, 25 * FRAME);
  });

  it('starts every segment with the tables, and holds its bytes once: the parts are views into it', () => {
    const segmenter = segmenterOver(videoRun(75, 25));
    const [segment] = segmenter.segments;
    assert.deepEqual([...segment!.data], [TABLES, ...Array.from({ length: 50 }, (_, i) => i)]);
    assert.deepEqual(
      [...Buffer.concat(segment!.parts.map((p) => p.data))],
      [...segment!.data],
      'the parts add up to the segment',
    );
    assert.ok(segment!.parts.every((p) => p.data.buffer === segment!.data.buffer));
    assert.equal(segmenter.segments[1]!.parts[0]!.data[0], TABLES);
  });
});

describe('HlsSegmenter: parts', () => {
  it('cuts parts at an access unit at 90% of the part target, independent where a GOP starts', () => {
    const segmenter = segmenterOver(videoRun(125, 25));
    const parts = segmenter.segments[0]!.parts;
    // 0.5 s target at 25 fps: 12-frame parts (0.48 s), then what is left before the cut at 2 s.
    assert.deepEqual(
      parts.map((p) => [p.index, p.startTicks, p.durationTicks, p.independent, p.complete]),
      [
        [0, 0, 12 * FRAME, true, true],
        [1, 12 * FRAME, 12 * FRAME, false, true],
        [2, 24 * FRAME, 12 * FRAME, false, true],
        [3, 36 * FRAME, 12 * FRAME, false, true],
        [4, 48 * FRAME, 2 * FRAME, false, true],
      ],
    );
    const open = segmenter.segments.at(-1)!;
    assert.deepEqual(
      open.parts.map((p) => [p.index, p.complete]),
      [
        [0, true],
        [1, true],
        [2, false],
      ],
      'the segment in progress ends with the part in progress',
    );
    assert.equal(segmenter.longestPartTicks, 12 * FRAME);
  });

  it('marks a part that starts on a keyframe independent', () => {
    // Keyframes every 12 frames: each part after the first starts on one, none reaches the target.
    const segmenter = segmenterOver(videoRun(100, 12), 4 * SECOND);
    const parts = segmenter.segments[0]!.parts;
    assert.ok(parts.length > 2);
    assert.ok(parts.every((p) => p.independent));
  });

  it('measures audio running behind video on the highest DTS so far', () => {
    const packets: PlacedPacket[] = [];
    for (const video of videoRun(75, 25)) {
      packets.push(video);
      packets.push(placed({ codec: 'aac', trackId: 257, key: true, dts: video.dts - 2 * FRAME }));
    }
    const segmenter = segmenterOver(packets);
    for (const segment of segmenter.segments.filter((s) => s.complete)) {
      const total = segment.parts.reduce((sum, p) => sum + p.durationTicks, 0);
      assert.equal(total, segment.durationTicks, `segment ${segment.msn}: parts add up`);
      assert.ok(segment.parts.every((p, i) => i === 0 || p.startTicks > segment.parts[i - 1]!.startTicks));
    }
  });
});
