import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FlvRecordTap, tagRole } from '../../../src/push-listener/rtmp/flv-record-tap.js';
import { decodeFlvRecords } from './relayed-records.js';

const avcConfig = Buffer.from('1700000000014d401effe1', 'hex');
const avcKey = Buffer.from('1701000000000000026588', 'hex');
const avcInter = Buffer.from('2701000000000000024188', 'hex');
const avcEnd = Buffer.from('1702000000', 'hex');
const aacConfig = Buffer.from('af001190', 'hex');
const aacFrame = Buffer.from('af01211a', 'hex');

test('tagRole: legacy AVC/AAC and enhanced RTMP headers', () => {
  assert.equal(tagRole(9, avcConfig), 'video-config');
  assert.equal(tagRole(9, avcKey), 'keyframe');
  assert.equal(tagRole(9, avcInter), 'media');
  assert.equal(tagRole(9, avcEnd), 'media', 'end of sequence is no keyframe');
  assert.equal(tagRole(8, aacConfig), 'audio-config');
  assert.equal(tagRole(8, aacFrame), 'media');
  assert.equal(tagRole(9, Buffer.from('9068766331', 'hex')), 'video-config', 'enhanced hvc1 SequenceStart');
  assert.equal(tagRole(9, Buffer.from('9168766331', 'hex')), 'keyframe', 'enhanced key CodedFrames');
  assert.equal(tagRole(9, Buffer.from('9368766331', 'hex')), 'keyframe', 'enhanced key CodedFramesX');
  assert.equal(tagRole(9, Buffer.from('a168766331', 'hex')), 'media', 'enhanced inter frame');
  assert.equal(tagRole(8, Buffer.from('904f707573', 'hex')), 'audio-config', 'enhanced audio SequenceStart');
  assert.equal(tagRole(9, Buffer.of()), 'media');
  assert.equal(tagRole(18, aacConfig), 'media');
});

test('headers are repeated (with the keyframe time) before every keyframe after the first', () => {
  const records: Uint8Array[] = [];
  const tap = new FlvRecordTap((r) => records.push(r));
  tap.take(8, 0, aacConfig);
  tap.take(9, 0, avcConfig);
  tap.take(9, 0, avcKey);
  tap.take(8, 20, aacFrame);
  tap.take(9, 40, avcInter);
  tap.take(9, 1000, avcKey);
  tap.take(9, 1040, avcEnd);
  const tags = decodeFlvRecords(records);
  assert.deepEqual(
    tags.map((t) => [t.type, t.timestamp, Buffer.from(t.data).toString('hex')]),
    [
      [8, 0, aacConfig.toString('hex')],
      [9, 0, avcConfig.toString('hex')],
      [9, 0, avcKey.toString('hex')],
      [8, 20, aacFrame.toString('hex')],
      [9, 40, avcInter.toString('hex')],
      [9, 1000, avcConfig.toString('hex')],
      [8, 1000, aacConfig.toString('hex')],
      [9, 1000, avcKey.toString('hex')],
      [9, 1040, avcEnd.toString('hex')],
    ],
  );
});

test('a header with other records after it is repeated at the next keyframe', () => {
  const records: Uint8Array[] = [];
  const tap = new FlvRecordTap((r) => records.push(r));
  tap.take(9, 0, avcConfig);
  tap.take(8, 0, aacConfig);
  tap.take(8, 0, aacFrame);
  tap.take(9, 0, avcKey);
  const hex = decodeFlvRecords(records).map((t) => Buffer.from(t.data).toString('hex'));
  assert.deepEqual(hex, [
    avcConfig.toString('hex'),
    aacConfig.toString('hex'),
    aacFrame.toString('hex'),
    avcConfig.toString('hex'),
    aacConfig.toString('hex'),
    avcKey.toString('hex'),
  ]);
});

test('a header that changed mid-GOP, right before a keyframe, is not doubled; the latest one is repeated', () => {
  const records: Uint8Array[] = [];
  const tap = new FlvRecordTap((r) => records.push(r));
  const second = Buffer.from('1700000000014d4028ffe1', 'hex');
  tap.take(9, 0, avcConfig);
  tap.take(9, 0, avcKey);
  tap.take(9, 500, second);
  tap.take(9, 1000, avcKey);
  tap.take(9, 2000, avcKey);
  const hex = decodeFlvRecords(records).map((t) => Buffer.from(t.data).toString('hex'));
  assert.deepEqual(hex, [
    avcConfig.toString('hex'),
    avcKey.toString('hex'),
    second.toString('hex'),
    avcKey.toString('hex'),
    second.toString('hex'),
    avcKey.toString('hex'),
  ]);
});

test('data is copied before take returns (the parser reuses its buffer)', () => {
  const records: Uint8Array[] = [];
  const tap = new FlvRecordTap((r) => records.push(r));
  const shared = Buffer.alloc(64);
  aacConfig.copy(shared);
  tap.take(8, 0, shared.subarray(0, aacConfig.length));
  avcKey.copy(shared);
  tap.take(9, 0, shared.subarray(0, avcKey.length));
  shared.fill(0xee);
  tap.take(9, 1000, avcKey);
  const tags = decodeFlvRecords(records);
  assert.equal(Buffer.from(tags[0]!.data).toString('hex'), aacConfig.toString('hex'));
  assert.equal(Buffer.from(tags[1]!.data).toString('hex'), avcKey.toString('hex'));
  assert.equal(
    Buffer.from(tags[2]!.data).toString('hex'),
    aacConfig.toString('hex'),
    'the cached header too',
  );
});

test('message types other than audio, video and AMF0 data are dropped', () => {
  const records: Uint8Array[] = [];
  const tap = new FlvRecordTap((r) => records.push(r));
  assert.equal(tap.take(15, 0, Buffer.from('00', 'hex')), false);
  assert.equal(tap.take(22, 0, Buffer.from('00', 'hex')), false);
  assert.equal(tap.take(18, 0, Buffer.from('02000a6f6e4d65746144617461', 'hex')), true);
  assert.equal(records.length, 1);
});
