import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OutputTimeline } from '../../src/buffer/output-timeline.js';
import { FRAME, wirePacket } from './packets.js';

describe('OutputTimeline', () => {
  it('passes a session through untouched and marks no discontinuity on the first one', () => {
    const timeline = new OutputTimeline();
    const out = [0, 1, 2].map((i) =>
      timeline.place(wirePacket({ dts: 900_000 + i * FRAME, pts: 903_600 + i * FRAME })),
    );
    assert.deepEqual(
      out.map((p) => [p.dts, p.pts, p.discontinuity]),
      [
        [900_000, 903_600, false],
        [903_600, 907_200, false],
        [907_200, 910_800, false],
      ],
    );
  });

  it('keeps a new session that continues the timestamps where they are, flagged as a discontinuity', () => {
    const timeline = new OutputTimeline();
    timeline.place(wirePacket({ dts: 900_000, pts: 900_000 }));
    const next = timeline.place(wirePacket({ sessionId: 2, dts: 903_600, pts: 903_600 }));
    assert.deepEqual([next.dts, next.discontinuity], [903_600, true]);
    assert.equal(
      timeline.place(wirePacket({ sessionId: 2, dts: 907_200, pts: 907_200 })).discontinuity,
      false,
    );
  });

  it('moves a session that restarts from zero to right after the last timestamp out, PTS and DTS alike', () => {
    const timeline = new OutputTimeline();
    timeline.place(wirePacket({ dts: 9_000_000, pts: 9_000_000 }));
    timeline.place(wirePacket({ trackId: 257, codec: 'aac', dts: 9_001_000, pts: 9_001_000 }));
    const first = timeline.place(wirePacket({ sessionId: 2, dts: 0, pts: 7200 }));
    const second = timeline.place(wirePacket({ sessionId: 2, dts: FRAME, pts: FRAME + 7200 }));
    assert.deepEqual([first.dts, first.pts - first.dts], [9_010_000, 7200]);
    assert.equal(second.dts, 9_010_000 + FRAME);
  });

  it('also moves a session that jumps far forward', () => {
    const timeline = new OutputTimeline();
    timeline.place(wirePacket({ dts: 90_000 }));
    assert.equal(timeline.place(wirePacket({ sessionId: 7, dts: 90_000 * 3600 })).dts, 99_000);
  });

  it('moves a session that goes back even a little on its track', () => {
    const timeline = new OutputTimeline();
    timeline.place(wirePacket({ dts: 90_000 }));
    assert.equal(timeline.place(wirePacket({ sessionId: 2, dts: 80_000 })).dts, 99_000);
  });

  it('lets a continuing session start on audio a little behind the last video', () => {
    const timeline = new OutputTimeline();
    timeline.place(wirePacket({ trackId: 257, codec: 'aac', dts: 85_000 }));
    timeline.place(wirePacket({ dts: 90_000 }));
    const audio = timeline.place(wirePacket({ sessionId: 2, trackId: 257, codec: 'aac', dts: 87_000 }));
    assert.deepEqual([audio.dts, audio.discontinuity], [87_000, true]);
  });
});
