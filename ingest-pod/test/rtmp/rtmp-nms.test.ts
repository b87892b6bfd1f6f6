import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { startInputLoop } from '../../src/input-loop/input-loop.js';
import type { InputLoopEvent, PacketBatch } from '../../src/input-loop/input-loop-api.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { createRtmpReader } from '../../src/rtmp/index.js';
import { openRtmpPull } from '../../src/rtmp/rtmp-connection.js';
import { parseRtmpUrl } from '../../src/rtmp/rtmp-url.js';
import { type FfmpegProcess, makeTempDir, type TempDir } from '../support/peers.js';
import {
  makeFlvFile,
  type NodeMediaServerPeer,
  publishFileToRtmp,
  startNodeMediaServer,
  waitFor,
} from '../support/rtmp-peers.js';
import { h264NalTypes } from './annexb.js';
import { inspectTag } from './flv-tag-inspect.js';

// node-media-server 4.4.3 embedded in this process, ffmpeg publishing a looped file into it.

let dir: TempDir;
let flv: string;
let nms: NodeMediaServerPeer;
let publisher: FfmpegProcess | undefined;

async function publish(): Promise<void> {
  await publisher?.stop();
  publisher = publishFileToRtmp(flv, nms.url('live/cam'));
  await nms.published('/live/cam');
}

before(async () => {
  dir = await makeTempDir();
  flv = await makeFlvFile(dir.path, { seconds: 2, bframes: false });
  nms = await startNodeMediaServer(dir.path);
  await publish();
});
after(async () => {
  await publisher?.stop();
  await nms?.stop();
  await dir?.remove();
});

test('pull from node-media-server: metadata, both sequence headers, then frames', async () => {
  const tags: FlvTag[] = [];
  const connection = await openRtmpPull({
    url: parseRtmpUrl(nms.url('live/cam')),
    timeoutMs: 10_000,
    onTag: (t) => tags.push(t),
    onEnd: () => undefined,
  });
  try {
    await waitFor(
      () => tags.filter((t) => inspectTag(t).kind === 'video' && inspectTag(t).frame).length >= 30,
      '30 video frames',
    );
    const seen = tags.map(inspectTag);
    assert.equal(seen[0]?.kind, 'script');
    assert.ok(seen.some((t) => t.kind === 'video' && t.config));
    assert.ok(seen.some((t) => t.kind === 'audio' && t.config));
    assert.ok(
      seen.find((t) => t.kind === 'video' && t.frame)?.key,
      'playback starts on a keyframe (GOP cache)',
    );
    assert.ok(connection.bytesReceived > 10_000);
  } finally {
    await connection.close();
  }
});

test('an unpublished key: node-media-server says Play.Start and waits; the open budget ends it, retriable', async () => {
  const statuses: string[] = [];
  const started = Date.now();
  await assert.rejects(
    openRtmpPull({
      url: parseRtmpUrl(nms.url('live/nobody-here')),
      timeoutMs: 1500,
      onTag: () => undefined,
      onEnd: () => undefined,
      onStatus: (s) => statuses.push(s.code),
    }),
    (err: unknown) => {
      assert.ok(err instanceof ReaderError);
      assert.equal(err.retriable, true);
      assert.match(
        err.message,
        /no audio or video after NetStream\.Play\.Start within 1\.5 s: nothing seems to be published/,
      );
      assert.doesNotMatch(err.message, /nobody-here/);
      return true;
    },
  );
  assert.deepEqual(statuses, ['NetStream.Play.Reset', 'NetStream.Play.Start']);
  assert.ok(Date.now() - started >= 1400);
});

test('a name node-media-server refuses (a dot in it): it closes the connection', async () => {
  await assert.rejects(
    openRtmpPull({
      url: parseRtmpUrl(nms.url('live/bad.name')),
      timeoutMs: 5000,
      onTag: () => undefined,
      onEnd: () => undefined,
    }),
    /the server closed the connection while we waited for the audio or video after NetStream\.Play\.Start/,
  );
});

function collect() {
  const events: InputLoopEvent[] = [];
  const batches: PacketBatch[] = [];
  return {
    events,
    batches,
    onEvent: (e: InputLoopEvent) => events.push(e),
    onPackets: (b: PacketBatch) => void batches.push(b),
  };
}

test('server restart: the session end is retriable, the input loop reconnects and AVPackets flow again', async () => {
  const c = collect();
  const loop = startInputLoop(
    { url: nms.url('live/cam'), priority: 0, timeoutSeconds: 5 },
    {
      createReader: createRtmpReader,
      onEvent: c.onEvent,
      onPackets: c.onPackets,
      backoff: { initialMs: 200, maxMs: 1000 },
    },
  );
  try {
    await waitFor(() => c.batches.length > 0, 'packets of the first session');
    assert.ok(c.events.some((e) => e.type === 'reader' && e.event.type === 'tracks'));
    const firstSession = c.batches[0]!.session;
    await nms.restart();
    await waitFor(() => c.events.some((e) => e.type === 'input.reconnecting'), 'the input loop to notice');
    const reconnecting = c.events.find((e) => e.type === 'input.reconnecting');
    assert.match(
      (reconnecting as { error: string }).error,
      /rtmp: rtmp:\/\/127\.0\.0\.1:\d+\/live\/\*\*\*: the server closed the connection/,
    );
    await publish();
    await waitFor(
      () => c.batches.some((b) => b.session !== firstSession),
      'packets after the restart',
      30_000,
    );
    const resumed = c.batches.find((b) => b.session !== firstSession)!;
    assert.equal(resumed.reason, 'reconnect');
    assert.equal(resumed.sessionStart, true);
    await waitFor(
      () => c.batches.some((b) => b.session !== firstSession && b.packets.some((p) => p.codec === 'h264')),
      'video after the restart',
    );
    const firstVideo = c.batches
      .filter((b) => b.session !== firstSession)
      .flatMap((b) => b.packets)
      .find((p) => p.codec === 'h264')!;
    assert.ok(firstVideo.key, 'the new session starts on a keyframe');
    assert.ok(h264NalTypes(firstVideo.data).includes(7), 'with its SPS');
    assert.ok(c.events.some((e) => e.type === 'input.connected' && e.reconnect));
    assert.ok(!c.events.some((e) => e.type === 'input.ended' || (e.type === 'input.error' && e.permanent)));
  } finally {
    await loop.stop();
  }
  assert.equal((await loop.done).reason, 'stopped');
});
