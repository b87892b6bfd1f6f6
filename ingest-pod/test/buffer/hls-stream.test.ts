import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HlsStream } from '../../src/buffer/hls/hls-stream.js';
import { StreamRing } from '../../src/buffer/stream-ring.js';
import { FRAME, placed, videoRun } from './packets.js';

const OPTIONS = { targetMs: 2000, partTargetMs: 500, windowMs: 60_000 };

function pids(ts: Uint8Array): Set<number> {
  const found = new Set<number>();
  for (let at = 0; at + 188 <= ts.length; at += 188) found.add(((ts[at + 1]! & 0x1f) << 8) | ts[at + 2]!);
  return found;
}

describe('HlsStream', () => {
  it('starts from what the ring holds, from its oldest startable GOP', () => {
    const ring = new StreamRing({ windowMs: 60_000, maxBytes: 1 << 30 });
    for (const packet of videoRun(130, 25, 5 * FRAME)) ring.push(packet);
    const hls = new HlsStream(ring, OPTIONS, 0);
    hls.start();
    const segments = hls.playlist().match(/^seg-\d+\.ts$/gm);
    // Frames 5..134: the first keyframe is frame 25, then segments of 2 s from there.
    assert.deepEqual(segments, ['seg-2.ts', 'seg-3.ts']);
    assert.equal(hls.segment(2)?.startTicks, 25 * FRAME);
    assert.ok(hls.listsMedia);
    hls.stop();
  });

  it('keeps only the segments whose first GOP the ring still holds, counting the media sequence on', () => {
    const ring = new StreamRing({ windowMs: 5000, maxBytes: 1 << 30 });
    const packets = videoRun(1000, 25); // 40 s of 1 s GOPs
    for (const packet of packets.slice(0, 100)) ring.push(packet);
    const hls = new HlsStream(ring, OPTIONS, 0);
    hls.start();
    for (const packet of packets.slice(100)) ring.push(packet);
    const playlist = hls.playlist();
    const first = Number(/#EXT-X-MEDIA-SEQUENCE:(\d+)/.exec(playlist)![1]);
    const listed = [...playlist.matchAll(/^seg-(\d+)\.ts$/gm)].map((m) => Number(m[1]));
    assert.equal(listed[0], first);
    assert.deepEqual(
      listed,
      listed.map((_, i) => first + i),
      'consecutive',
    );
    assert.ok(hls.segment(first)!.firstGopSeq >= ring.gops[0]!.seq, 'not older than the ring');
    assert.ok(hls.segment(first)!.firstGopSeq - 2 < ring.gops[0]!.seq, 'about as old as the ring');
    assert.equal(hls.segment(first - 1), undefined, 'what slid out is gone');
    assert.ok(listed.length >= 1 && listed.length <= 3, `${listed.length} segments in a 5 s window`);
    hls.stop();
  });

  it('keeps no more than its own window, shorter than the ring, besides the segment in progress', () => {
    const ring = new StreamRing({ windowMs: 60_000, maxBytes: 1 << 30 });
    const hls = new HlsStream(ring, { ...OPTIONS, windowMs: 6000 }, 0);
    hls.start();
    for (const packet of videoRun(1000, 25)) ring.push(packet); // 40 s of 1 s GOPs, 2 s segments
    const durations = [...hls.playlist().matchAll(/^#EXTINF:([\d.]+),/gm)].map((m) => Number(m[1]));
    const total = durations.reduce((a, b) => a + b, 0);
    assert.ok(total >= 6 && total < 6 + 2.01, `${total} s listed (${durations.join(', ')})`);
    assert.ok(ring.bufferedMs > 30_000, 'the ring keeps its own window');
    hls.stop();
  });

  it('muxes a track that appears later from where it appears (new tables on the way)', () => {
    const ring = new StreamRing({ windowMs: 60_000, maxBytes: 1 << 30 });
    const video = videoRun(150, 25);
    for (const packet of video.slice(0, 60)) ring.push(packet);
    const hls = new HlsStream(ring, OPTIONS, 0);
    hls.start();
    for (const packet of video.slice(60)) {
      ring.push(packet);
      ring.push(placed({ codec: 'aac', trackId: 257, key: true, dts: packet.dts, pts: packet.dts }));
    }
    assert.deepEqual([...pids(hls.segment(1)!.data)].sort(), [0, 0x100, 0x1000]);
    assert.deepEqual([...pids(hls.segment(2)!.data)].sort(), [0, 0x100, 0x101, 0x1000]);
    hls.stop();
  });

  it('lets a request wait for a part, and releases it when one completes or the stream stops', async () => {
    const ring = new StreamRing({ windowMs: 60_000, maxBytes: 1 << 30 });
    const video = videoRun(100, 25);
    for (const packet of video.slice(0, 30)) ring.push(packet);
    const hls = new HlsStream(ring, OPTIONS, 0);
    hls.start();
    const edge = hls.edge!;
    const next = hls.waitUntil(() => hls.part(edge.msn, edge.parts)?.complete === true, 60_000);
    for (const packet of video.slice(30, 50)) ring.push(packet);
    assert.equal(await next, true);
    const never = hls.waitUntil(() => false, 60_000);
    hls.stop();
    assert.equal(await never, false);
  });
});
