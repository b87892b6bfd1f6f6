import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { RtmpReader, type RtmpReaderOptions } from '../../src/rtmp/rtmp-reader.js';
import { parseRtmpUrl } from '../../src/rtmp/rtmp-url.js';
import { TagQueue } from '../../src/rtmp/tag-queue.js';
import { waitFor } from '../support/rtmp-peers.js';
import { filled } from './chunk-bytes.js';
import { startMiniRtmpServer } from './mini-rtmp-server.js';
import { onStatus, serverMessage } from './scripted-server.js';
import { stubConverter } from './tag-converter-stub.js';

function reader(port: number, more: Partial<RtmpReaderOptions> = {}) {
  return new RtmpReader({
    url: parseRtmpUrl(`rtmp://127.0.0.1:${port}/live/key`),
    timeoutMs: 5000,
    createConverter: stubConverter,
    ...more,
  });
}

/** Reads until the reader ends; returns the packets and the error it ended with (if any). */
async function drain(r: RtmpReader, slow = false): Promise<{ packets: AVPacket[]; error?: unknown }> {
  const packets: AVPacket[] = [];
  try {
    for (;;) {
      const batch = await r.read();
      if (batch === null) return { packets };
      packets.push(...batch);
      if (slow) await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    return { packets, error };
  }
}

test('the queue: drops beyond capacity (counted), pauses and resumes around the marks, ends after draining', async () => {
  const calls: string[] = [];
  const q = new TagQueue({
    capacity: 4,
    pauseTags: 2,
    onPause: () => calls.push('pause'),
    onResume: () => calls.push('resume'),
  });
  const tag = (n: number) => ({ type: 9 as const, timestamp: n, data: new Uint8Array(1) });
  for (let i = 0; i < 6; i++) q.push(tag(i));
  assert.equal(q.dropped, 2);
  assert.deepEqual(calls, ['pause']);
  assert.deepEqual(
    (await q.take(3))?.map((t) => t.timestamp),
    [0, 1, 2],
  );
  assert.deepEqual(calls, ['pause', 'resume']);
  q.end(new ReaderError('over', true));
  q.push(tag(9));
  assert.deepEqual(
    (await q.take(10))?.map((t) => t.timestamp),
    [3],
  );
  await assert.rejects(q.take(1), /over/);
  const clean = new TagQueue();
  const waiting = clean.take(1);
  clean.end();
  assert.equal(await waiting, null);
});

test('reads packets, reports tracks when they change, counts bytes; the session end is a retriable error', async () => {
  const server = await startMiniRtmpServer((play) => {
    play.send(onStatus('NetStream.Play.Start'));
    for (let i = 0; i < 10; i++) {
      play.send(serverMessage(9, Uint8Array.of(i === 0 ? 0x17 : 0x27, 1, 0, 0, 0, i), 1, i * 40, 6));
      play.send(serverMessage(8, Uint8Array.of(0xaf, 1, i), 1, i * 40 + 5, 4));
    }
    play.socket.end();
  });
  const events: ReaderEvent[] = [];
  const r = reader(server.port, { onEvent: (e) => events.push(e) });
  try {
    await r.open(new AbortController().signal);
    const { packets, error } = await drain(r);
    assert.equal(packets.length, 20);
    assert.deepEqual(
      packets.filter((p) => p.trackId === 9).map((p) => p.dts / 90),
      [0, 40, 80, 120, 160, 200, 240, 280, 320, 360],
    );
    assert.ok(error instanceof ReaderError && error.retriable, String(error));
    assert.match((error as Error).message, /the server closed the connection$/);
    const tracks = events.filter((e) => e.type === 'tracks');
    assert.ok(tracks.length >= 1 && tracks.length <= 2);
    assert.deepEqual(r.tracks.map((t) => t.codec).sort(), ['aac', 'h264']);
    const c = r.counters;
    assert.ok(c.bytes > 3073, `bytes ${c.bytes}`);
    assert.deepEqual(
      { ...c, bytes: 0 },
      { bytes: 0, tsPackets: 0, ccErrors: 0, unknownStreams: 0, dropped: 0, parameterSetsRefused: 0 },
    );
  } finally {
    await r.close();
    await server.close();
  }
});

test('a slow consumer pauses the socket instead of dropping: every message arrives', async () => {
  const total = 3000;
  const server = await startMiniRtmpServer((play) => {
    play.send(onStatus('NetStream.Play.Start'));
    for (let i = 0; i < total; i++) play.send(serverMessage(9, filled(1000, i), 1, i, 6));
    play.socket.end();
  });
  const r = reader(server.port, { queue: { capacity: 256, pauseTags: 16 } });
  try {
    await r.open(new AbortController().signal);
    const { packets, error } = await drain(r, true);
    assert.ok(error instanceof ReaderError);
    assert.equal(r.counters.dropped, 0);
    assert.equal(packets.length, total);
    assert.ok(packets.every((p, i) => p.dts === i * 90));
  } finally {
    await r.close();
    await server.close();
  }
});

test('close() while reading: read() returns null', async () => {
  const server = await startMiniRtmpServer((play) => {
    play.send(onStatus('NetStream.Play.Start'));
    play.send(serverMessage(9, Uint8Array.of(0x17, 1, 0, 0, 0), 1, 0, 6));
  });
  const r = reader(server.port);
  try {
    await r.open(new AbortController().signal);
    assert.equal((await r.read())?.length, 1);
    const pending = r.read();
    await r.close();
    assert.equal(await pending, null);
  } finally {
    await server.close();
  }
});

test('close() while opening: the open is aborted and rejects', async () => {
  let played = false;
  const server = await startMiniRtmpServer(() => {
    played = true; // and never answer
  });
  const r = reader(server.port, { timeoutMs: 60_000 });
  try {
    const opening = r.open(new AbortController().signal);
    await waitFor(() => played, 'the play command');
    await r.close();
    await assert.rejects(opening, /open aborted/);
  } finally {
    await server.close();
  }
});
