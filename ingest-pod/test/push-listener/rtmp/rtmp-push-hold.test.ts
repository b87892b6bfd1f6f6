import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkReader } from '../../../src/rtmp/chunk-reader.js';
import { encodeChunks } from '../../../src/rtmp/chunk-writer.js';
import { decodeCommand, statusInfo } from '../../../src/rtmp/commands.js';
import { MESSAGE_TYPE } from '../../../src/rtmp/protocol.js';
import { waitFor } from '../../support/peers.js';
import { openRtmpHandshake, publishCommandBytes } from '../../support/rtmp-publish-attempt.js';
import { startHarness } from './harness.js';
import { decodeFlvRecords } from './relayed-records.js';

// An encoder that does not wait for NetStream.Publish.Start: its media is held while the gate
// decides, relayed in order once admitted, refused when there is too much of it.

function media(typeId: 8 | 9, timestamp: number, payload: Uint8Array): Uint8Array {
  return encodeChunks({ chunkStreamId: typeId === 8 ? 4 : 6, typeId, streamId: 1, timestamp, payload }, 128);
}

const avcConfig = Buffer.from('1700000000014d401effe1', 'hex');
const avcKey = Buffer.from('17010000000000000465888888', 'hex');
const aacConfig = Buffer.from('af001190', 'hex');
const aacFrame = Buffer.from('af01211a0fff', 'hex');

test('media sent before admission is held and relayed in order once admitted', async () => {
  const h = await startHarness({ 'ns/news': 'k' }, { delayMs: 300 });
  try {
    const socket = await openRtmpHandshake(h.server.port);
    const statuses: string[] = [];
    const reader = new ChunkReader((m) => {
      if (m.typeId === MESSAGE_TYPE.commandAmf0) statuses.push(statusInfo(decodeCommand(m)).code);
    });
    socket.on('data', (b: Buffer) => reader.push(b));
    const sent = [
      [9, 0, avcConfig],
      [8, 0, aacConfig],
      [9, 0, avcKey],
      [8, 21, aacFrame],
    ] as const;
    socket.write(
      Buffer.concat([publishCommandBytes('ns', 'news?key=k'), ...sent.map(([t, ts, p]) => media(t, ts, p))]),
    );
    await waitFor(() => statuses.includes('NetStream.Publish.Start'), 'Publish.Start');
    const publisher = h.gate.publisherOf('ns/news')!;
    assert.ok(publisher, 'admitted');
    const tags = decodeFlvRecords(publisher.chunks);
    assert.deepEqual(
      tags.map((t) => [t.type, t.timestamp, Buffer.from(t.data).toString('hex')]),
      sent.map(([t, ts, p]) => [t, ts, p.toString('hex')]),
    );
    socket.write(media(8, 42, aacFrame));
    await waitFor(() => decodeFlvRecords(publisher.chunks).length === 5, 'the next frame relayed directly');
    socket.destroy();
    await waitFor(() => publisher.ended, 'end after the client left');
  } finally {
    await h.stop();
  }
});

test('more than 8 MiB before admission: closed at once, nothing relayed, refused as forbidden', async () => {
  const h = await startHarness({ 'ns/news': 'k' }, { delayMs: 1500 });
  try {
    const socket = await openRtmpHandshake(h.server.port);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(publishCommandBytes('ns', 'news?key=k'));
    const frame = Buffer.alloc(256 * 1024, 0x41);
    frame[0] = 0x27;
    frame[1] = 1;
    const started = Date.now();
    for (let i = 0; i < 40 && !socket.destroyed; i++) {
      if (!socket.write(media(9, i * 40, frame))) {
        await Promise.race([new Promise((resolve) => socket.once('drain', resolve)), closed]);
      }
    }
    await closed;
    assert.ok(Date.now() - started < 1500, 'closed before the gate decided');
    await waitFor(
      () => h.gate.publishers.length === 1 && h.gate.publishers[0]!.ended,
      'the late admission ended',
    );
    const publisher = h.gate.publishers[0]!;
    assert.equal(publisher.relayedBytes, 0);
    assert.match(publisher.endReason ?? '', /^refused: sent more than 8388608 bytes/);
    assert.deepEqual(
      h.gate.refusals.map((r) => [r.reason, r.via]),
      [['forbidden', 'refused']],
    );
  } finally {
    await h.stop();
  }
});

test('an admitted publisher that goes silent is disconnected after stallTimeoutMs', async () => {
  const h = await startHarness({ 'ns/news': 'k' }, { stallTimeoutMs: 400 });
  try {
    const socket = await openRtmpHandshake(h.server.port);
    socket.resume();
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.write(Buffer.concat([publishCommandBytes('ns', 'news?key=k'), media(9, 0, avcConfig)]));
    await waitFor(() => h.gate.publisherOf('ns/news') !== undefined, 'admitted');
    const publisher = h.gate.publisherOf('ns/news')!;
    const admittedAt = Date.now();
    await closed;
    assert.ok(Date.now() - admittedAt >= 300, 'not before the stall timeout');
    assert.equal(publisher.endReason, 'publisher stalled');
  } finally {
    await h.stop();
  }
});
