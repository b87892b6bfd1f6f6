import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StreamRing } from '../../src/buffer/stream-ring.js';
import { FRAME, placed, videoRun } from './packets.js';

const ring = (windowMs = 60_000, maxBytes = 1 << 30) => new StreamRing({ windowMs, maxBytes });

describe('StreamRing', () => {
  it('cuts at video keyframes; audio joins the GOP it arrives in', () => {
    const r = ring();
    for (const [i, packet] of videoRun(6, 3).entries()) {
      r.push(packet);
      r.push(placed({ codec: 'aac', trackId: 257, dts: i * FRAME + 100, pts: i * FRAME + 100 }));
    }
    assert.deepEqual(
      r.gops.map((g) => [g.seq, g.startable, g.packets.length, g.startDts]),
      [
        [1, true, 6, 0],
        [2, true, 6, 3 * FRAME],
      ],
    );
    assert.deepEqual(
      [...r.tracks],
      [
        [256, 'h264'],
        [257, 'aac'],
      ],
    );
  });

  it('a session that starts on a non-key frame opens a GOP nobody can start from', () => {
    const r = ring();
    for (const p of videoRun(3, 3)) r.push(p);
    for (const p of videoRun(4, 3, 10 * FRAME, 2).map((p, i) => ({
      ...p,
      key: i === 2,
      discontinuity: i === 0,
    })))
      r.push(p);
    assert.deepEqual(
      r.gops.map((g) => [g.sessionId, g.startable, g.discontinuity, g.packets.length]),
      [
        [1, true, false, 3],
        [2, false, true, 2],
        [2, true, false, 2],
      ],
    );
    assert.deepEqual(
      r.fromLatestStart().map((g) => g.seq),
      [3],
    );
  });

  it('from the latest start includes the unstartable GOPs after it', () => {
    const r = ring();
    for (const p of videoRun(2, 2)) r.push(p);
    r.push(placed({ sessionId: 2, dts: 5 * FRAME, discontinuity: true }));
    assert.deepEqual(
      r.fromLatestStart().map((g) => [g.seq, g.startable]),
      [
        [1, true],
        [2, false],
      ],
    );
  });

  it('keeps about the window: drops a GOP once the ones after it cover the window, never the newest', () => {
    const r = ring(1000);
    // 25 fps, a keyframe every 10 frames (0.4 s GOPs) for 4 s.
    for (const p of videoRun(100, 10)) r.push(p);
    assert.ok(r.bufferedMs >= 1000 && r.bufferedMs < 1400, `buffered ${r.bufferedMs} ms`);
    assert.equal(r.gops.at(-1)!.startDts, 90 * FRAME);
    const one = ring(1000);
    for (const p of videoRun(100, 1000)) one.push(p);
    assert.equal(one.gops.length, 1, 'a single long GOP stays whole');
  });

  it('drops the oldest GOPs past the byte ceiling', () => {
    const r = ring(60_000, 2500);
    for (const p of videoRun(100, 10)) r.push(p);
    assert.ok(r.bytes <= 2500, `${r.bytes} bytes`);
    assert.equal(r.gops.length, 2);
  });

  it('cuts an audio-only stream every second, every cut startable', () => {
    const r = ring();
    for (let i = 0; i < 100; i++)
      r.push(placed({ codec: 'aac', trackId: 257, dts: i * 1920, pts: i * 1920 }));
    assert.ok(r.gops.length >= 2);
    assert.ok(r.gops.every((g) => g.startable && g.endDts - g.startDts < 90_000));
  });

  it('tells listeners every packet and whether it opened a GOP', () => {
    const r = ring();
    const heard: [number, boolean][] = [];
    const stop = r.listen((_packet, gop, opens) => heard.push([gop.seq, opens]));
    for (const p of videoRun(4, 2)) r.push(p);
    stop();
    r.push(placed({ dts: 10 * FRAME, key: true }));
    assert.deepEqual(heard, [
      [1, true],
      [1, false],
      [2, true],
      [2, false],
    ]);
    assert.equal(r.listeners, 0);
  });
});
