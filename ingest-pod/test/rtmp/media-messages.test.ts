import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAmf0, encodeAmf0 } from '../../src/amf0/amf0.js';
import { messageTags } from '../../src/rtmp/media-messages.js';
import { type RtmpMessage, RtmpProtocolError } from '../../src/rtmp/protocol.js';
import { concatBytes } from './chunk-bytes.js';

function message(typeId: number, payload: Uint8Array, timestamp = 1000): RtmpMessage {
  return { typeId, streamId: 1, timestamp, payload, chunkStreamId: 4 };
}

/** One FLV tag as an aggregate message holds it: 11-byte header, body, 4-byte back pointer. */
function flvTag(type: number, timestamp: number, body: Uint8Array): Uint8Array {
  const header = Uint8Array.of(
    type,
    body.length >> 16,
    (body.length >> 8) & 0xff,
    body.length & 0xff,
    (timestamp >> 16) & 0xff,
    (timestamp >> 8) & 0xff,
    timestamp & 0xff,
    timestamp >>> 24,
    0,
    0,
    0,
  );
  const back = new Uint8Array(4);
  new DataView(back.buffer).setUint32(0, 11 + body.length);
  return concatBytes(header, body, back);
}

test('audio and video pass through as FLV tags with the message timestamp; empty ones are skipped', () => {
  const video = Uint8Array.of(0x17, 1, 0, 0, 0x21, 0, 0, 0, 1, 0x65);
  assert.deepEqual(messageTags(message(9, video)), [{ type: 9, timestamp: 1000, data: video }]);
  assert.deepEqual(messageTags(message(8, new Uint8Array(0))), []);
  assert.deepEqual(messageTags(message(20, Uint8Array.of(2, 0, 0))), [], 'commands are not tags');
});

test('metadata: @setDataFrame is removed so the tag reads like an FLV file, chatter is dropped', () => {
  const meta = { duration: 0, width: 320 };
  const published = encodeAmf0(['@setDataFrame', 'onMetaData', meta]);
  const [tag] = messageTags(message(18, published, 0));
  assert.equal(tag?.type, 18);
  assert.deepEqual(
    decodeAmf0(tag?.data ?? new Uint8Array()).map((v) => (typeof v === 'object' ? { ...v } : v)),
    ['onMetaData', meta],
  );
  assert.deepEqual(messageTags(message(18, encodeAmf0(['|RtmpSampleAccess', false, false]))), []);
  assert.deepEqual(messageTags(message(18, encodeAmf0(['onStatus', { code: 'NetStream.Data.Start' }]))), []);
  const cue = encodeAmf0(['onCuePoint', { name: 'ad' }]);
  assert.deepEqual(messageTags(message(18, cue))[0]?.data, cue);
});

test('aggregate messages: sub-tags keep their spacing on the message timestamp', () => {
  const a = Uint8Array.of(0xaf, 1, 1);
  const v = Uint8Array.of(0x27, 1, 0, 0, 0);
  const meta = encodeAmf0(['@setDataFrame', 'onMetaData', { w: 1 }]);
  const aggregate = concatBytes(
    flvTag(8, 0x01000010, a),
    flvTag(9, 0x01000030, v),
    flvTag(18, 0x01000030, meta),
    flvTag(99, 0, a),
  );
  assert.deepEqual(messageTags(message(22, aggregate, 500)), [
    { type: 8, timestamp: 500, data: a },
    { type: 9, timestamp: 532, data: v },
    { type: 18, timestamp: 532, data: encodeAmf0(['onMetaData', { w: 1 }]) },
  ]);
  assert.throws(() => messageTags(message(22, aggregate.subarray(0, 20))), RtmpProtocolError);
  assert.throws(() => messageTags(message(22, aggregate.subarray(0, 5))), RtmpProtocolError);
});
