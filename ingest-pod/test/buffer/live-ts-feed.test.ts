import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type ByteSink, LiveTsFeed } from '../../src/buffer/live-ts-feed.js';
import { StreamRing } from '../../src/buffer/stream-ring.js';
import { createTsDemuxer } from '../../src/mpegts/index.js';
import { FRAME, placed, videoRun } from './packets.js';

/** A socket whose queue the test fills and drains by hand. */
class FakeSink implements ByteSink {
  writableLength = 0;
  readonly chunks: Uint8Array[] = [];
  write(chunk: Uint8Array): boolean {
    this.chunks.push(chunk);
    this.writableLength += chunk.byteLength;
    return true;
  }
  /** The access units a player would get from what was written. */
  units() {
    const demuxer = createTsDemuxer();
    return [...this.chunks.flatMap((c) => demuxer.push(c)), ...demuxer.flush()];
  }
}

const newRing = () => new StreamRing({ windowMs: 60_000, maxBytes: 1 << 30 });
/** Annex B with an IDR or a non-IDR slice, so the demuxer sees real access units. */
const h264 = (key: boolean) =>
  Uint8Array.from([0, 0, 0, 1, 0x09, 0xf0, 0, 0, 0, 1, key ? 0x65 : 0x41, 0x88, 0x84]);

function push(ring: StreamRing, frames: number, gop: number, startDts: number): void {
  for (const p of videoRun(frames, gop, startDts)) ring.push({ ...p, data: h264(p.key) });
}

describe('LiveTsFeed', () => {
  it('starts at the latest keyframe of what is buffered, then follows live', () => {
    const ring = newRing();
    push(ring, 7, 3, 0); // GOPs at frames 0, 3, 6
    const sink = new FakeSink();
    const feed = new LiveTsFeed(ring, sink, { maxQueuedBytes: 1 << 20 });
    feed.start();
    push(ring, 2, 3, 7 * FRAME);
    feed.stop();
    push(ring, 3, 3, 9 * FRAME);
    const units = sink.units();
    assert.deepEqual(
      units.map((u) => [u.dts / FRAME, u.key]),
      [
        [6, true],
        [7, false],
        [8, false],
      ],
    );
    assert.equal(ring.listeners, 0, 'stop() unsubscribes');
  });

  it('waits for a keyframe when nothing startable is buffered yet', () => {
    const ring = newRing();
    ring.push(placed({ dts: 0, data: h264(false) }));
    const sink = new FakeSink();
    new LiveTsFeed(ring, sink, { maxQueuedBytes: 1 << 20 }).start();
    ring.push(placed({ dts: FRAME, data: h264(false) }));
    push(ring, 2, 2, 2 * FRAME);
    assert.deepEqual(
      sink.units().map((u) => u.dts / FRAME),
      [2, 3],
    );
  });

  it('a viewer that falls behind loses whole GOPs and resumes on a keyframe once drained to half', () => {
    const ring = newRing();
    push(ring, 1, 3, 0);
    const sink = new FakeSink();
    const feed = new LiveTsFeed(ring, sink, { maxQueuedBytes: 1000 });
    feed.start();
    sink.writableLength = 1001; // the socket backs up
    push(ring, 5, 3, FRAME); // frames 1, 2 (rest of GOP 0), 3 (key), 4, 5
    sink.writableLength = 600; // drained, but not to half
    push(ring, 3, 3, 6 * FRAME); // 6 (key), 7, 8: still skipped
    sink.writableLength = 0;
    push(ring, 4, 3, 9 * FRAME); // 9 (key) resumes, 10, 11, 12 (key)
    assert.deepEqual(
      sink.units().map((u) => u.dts / FRAME),
      [0, 9, 10, 11, 12],
    );
    assert.equal(feed.stats.dropped, 8);
  });
});
