import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { readFlvFile } from '../../src/flv/flv-file.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { PushReader } from '../../src/push/push-reader.js';
import { encodeRelay, RelayKind, type RelayMessage } from '../../src/push-relay/relay-wire.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { PushFeed, ReaderEvent } from '../../src/reader/reader-api.js';
import { makeFlvFile } from '../support/flv-media.js';
import { ffprobeCounts, ffprobePackets, makeTsFile } from '../support/media.js';
import { makeTempDir, type TempDir, waitFor } from '../support/peers.js';
import {
  endMessage,
  everyBytes,
  flvRecords,
  isKeyframeTag,
  isVideoFrameTag,
  mediaMessages,
  PEER,
  startMessage,
  withHeadersBeforeKeyframes,
} from './relay-fixtures.js';

/** The push subject in memory: what is sent reaches every subscriber at the time. */
class MemoryFeed implements PushFeed {
  readonly subject = 'tributary._push.test.s';
  readonly subscribers = new Set<(data: Uint8Array) => void>();
  subscribe(subject: string, onMessage: (data: Uint8Array) => void) {
    assert.equal(subject, this.subject);
    this.subscribers.add(onMessage);
    return { unsubscribe: () => this.subscribers.delete(onMessage) };
  }
  send(messages: readonly RelayMessage[]): void {
    for (const m of messages) for (const s of [...this.subscribers]) s(encodeRelay(m));
  }
}

/** Reads until the session ends; returns the packets and the error that ended it. */
async function readSession(reader: PushReader): Promise<{ packets: AVPacket[]; end: unknown }> {
  const packets: AVPacket[] = [];
  for (;;) {
    try {
      const batch = await reader.read();
      if (batch === null) return { packets, end: null };
      packets.push(...batch);
    } catch (end) {
      return { packets, end };
    }
  }
}

function assertDtsMonotonic(packets: readonly AVPacket[]): void {
  const last = new Map<number, number>();
  for (const p of packets) {
    assert.ok(
      p.dts >= (last.get(p.trackId) ?? Number.NEGATIVE_INFINITY),
      `DTS of track ${p.trackId} went back`,
    );
    last.set(p.trackId, p.dts);
  }
}

const video = (packets: readonly AVPacket[]) => packets.filter((p) => p.codec === 'h264');

let dir: TempDir;
let tsFile: string;
let flvTags: FlvTag[];
let tsVideoFrames: number;
let flvVideoFrames: number;

before(async () => {
  dir = await makeTempDir('tributary-push-');
  tsFile = await makeTsFile(dir.path, { seconds: 3, gop: 12 });
  const flvFile = await makeFlvFile(dir.path, { seconds: 3 });
  flvTags = withHeadersBeforeKeyframes(readFlvFile(await readFile(flvFile)).tags);
  tsVideoFrames = (await ffprobeCounts(tsFile)).find((s) => s.codec === 'h264')!.frames;
  flvVideoFrames = (await ffprobeCounts(flvFile)).find((s) => s.codec === 'h264')!.frames;
});
after(() => dir?.remove());

describe('push reader', () => {
  test('an SRT-shaped session: every video frame ffprobe counts, DTS monotonic, then "pusher disconnected"', async () => {
    const feed = new MemoryFeed();
    const events: ReaderEvent[] = [];
    const reader = new PushReader({ feed, onEvent: (e) => events.push(e) });
    const opening = reader.open(new AbortController().signal);
    const bytes = new Uint8Array(await readFile(tsFile));
    const media = mediaMessages(RelayKind.ts, 21, bytes, everyBytes(bytes.length, 7 * 188 + 5));
    feed.send([startMessage(21, 'srt')]);
    await opening;
    assert.deepEqual(reader.pusher, { protocol: 'srt', peer: PEER });
    feed.send([...media, endMessage(21, media.length + 1)]);
    const { packets, end } = await readSession(reader);
    assert.ok(end instanceof ReaderError && end.retriable);
    assert.equal((end as Error).message, 'pusher disconnected: publisher disconnected');
    assert.equal(video(packets).length, tsVideoFrames);
    assertDtsMonotonic(packets);
    assert.equal(reader.counters.bytes, bytes.length);
    assert.ok(reader.tracks.some((t) => t.codec === 'h264') && reader.tracks.some((t) => t.codec === 'aac'));
    assert.ok(events.some((e) => e.type === 'tracks'));
    assert.deepEqual(events.at(-1), {
      type: 'source-absent',
      reason: 'pusher disconnected: publisher disconnected',
      left: true,
    });
    await reader.close();
    assert.equal(feed.subscribers.size, 0);
  });

  test('an RTMP-shaped session: every video frame ffprobe counts, DTS monotonic', async () => {
    const feed = new MemoryFeed();
    const reader = new PushReader({ feed });
    const opening = reader.open(new AbortController().signal);
    const { bytes, starts } = flvRecords(flvTags);
    const media = mediaMessages(RelayKind.flv, 4, bytes, everyBytes(bytes.length, 1000), starts);
    feed.send([startMessage(4, 'rtmp'), ...media, endMessage(4, media.length + 1, 'listener draining')]);
    await opening;
    const { packets, end } = await readSession(reader);
    assert.equal((end as Error).message, 'pusher disconnected: listener draining');
    assert.equal(video(packets).length, flvVideoFrames);
    assertDtsMonotonic(packets);
    assert.deepEqual(
      reader.tracks.map((t) => t.codec),
      ['h264', 'aac'],
    );
    await reader.close();
  });

  test('joining an RTMP session midway: decodes from the next keyframe on', async () => {
    const feed = new MemoryFeed();
    const reader = new PushReader({ feed });
    const opening = reader.open(new AbortController().signal);
    const { bytes, starts } = flvRecords(flvTags);
    // As the listener relays: a message per record, larger records cut.
    const cuts = [...starts, ...everyBytes(bytes.length, 777)];
    const media = mediaMessages(RelayKind.flv, 4, bytes, cuts, starts);
    const joinAt = Math.floor(media.length / 3);
    feed.send(media.slice(joinAt));
    await opening;
    assert.deepEqual(reader.pusher, { protocol: 'rtmp' });
    feed.send([endMessage(4, media.length + 1)]);
    const { packets } = await readSession(reader);
    // The frames from the first keyframe whose record starts in or after the first message read.
    const joinedAt = media[joinAt]!.payload.byteOffset - media[0]!.payload.byteOffset;
    let offset = 0;
    const firstKey = flvTags.findIndex((tag) => {
      const at = offset;
      offset += 9 + tag.data.length;
      return at >= joinedAt && isKeyframeTag(tag);
    });
    const expected = flvTags.slice(firstKey).filter(isVideoFrameTag).length;
    assert.ok(firstKey > 0 && expected < flvVideoFrames, 'the join is past the first keyframe');
    assert.equal(video(packets).length, expected);
    assert.equal(video(packets)[0]?.key, true);
    await reader.close();
  });

  test('joining an SRT session midway: decodes from the next keyframe on', async () => {
    const feed = new MemoryFeed();
    const reader = new PushReader({ feed });
    const opening = reader.open(new AbortController().signal);
    const bytes = new Uint8Array(await readFile(tsFile));
    const media = mediaMessages(RelayKind.ts, 8, bytes, everyBytes(bytes.length, 1316 * 3 + 17));
    feed.send(media.slice(Math.floor(media.length / 2)));
    await opening;
    feed.send([endMessage(8, media.length + 1)]);
    const { packets } = await readSession(reader);
    // Publishing starts at a keyframe (start gate): from there on, every frame of the source.
    const frames = video(packets);
    const firstKey = frames.findIndex((p) => p.key);
    assert.ok(firstKey >= 0, 'a keyframe');
    const sourceVideo = [...(await ffprobePackets(tsFile)).values()][0]!;
    const fromKey = sourceVideo.filter((p) => (p.dts ?? 0) >= frames[firstKey]!.dts).length;
    assert.ok(fromKey < tsVideoFrames, 'the join is past the first keyframe');
    assert.equal(frames.length - firstKey, fromKey);
    assertDtsMonotonic(packets);
    await reader.close();
  });

  test('lost messages are counted as dropped', async () => {
    const feed = new MemoryFeed();
    const reader = new PushReader({ feed });
    const opening = reader.open(new AbortController().signal);
    const bytes = new Uint8Array(await readFile(tsFile));
    const media = mediaMessages(RelayKind.ts, 2, bytes, everyBytes(bytes.length, 1316));
    feed.send([
      startMessage(2, 'srt'),
      ...media.filter((_, i) => i % 50 !== 10),
      endMessage(2, media.length + 1),
    ]);
    await opening;
    await readSession(reader);
    const lost = media.filter((_, i) => i % 50 === 10).length;
    assert.equal(reader.counters.dropped, lost);
    await reader.close();
  });

  test('nobody publishing: says so once after absentAfterMs and keeps waiting until closed', async () => {
    const feed = new MemoryFeed();
    const events: ReaderEvent[] = [];
    const reader = new PushReader({ feed, absentAfterMs: 50, onEvent: (e) => events.push(e) });
    const opening = reader.open(new AbortController().signal);
    let settled = false;
    void opening.then(
      () => (settled = true),
      () => (settled = true),
    );
    await waitFor(() => events.length > 0, 'the absence notice');
    assert.deepEqual(events, [{ type: 'source-absent', reason: 'no pusher connected', left: false }]);
    assert.equal(settled, false, 'still waiting');
    await reader.close();
    await assert.rejects(opening, (e) => e instanceof ReaderError && e.retriable);
    assert.equal(feed.subscribers.size, 0);
  });

  test('an abort ends the wait', async () => {
    const feed = new MemoryFeed();
    const reader = new PushReader({ feed });
    const stop = new AbortController();
    const opening = reader.open(stop.signal);
    stop.abort();
    await assert.rejects(opening, /waiting for a publisher was cancelled/);
    assert.equal(feed.subscribers.size, 0);
  });
});
