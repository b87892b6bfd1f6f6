import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket, TrackInfo } from '../../src/avpacket.js';
import { PublishSession, sessionIds } from '../../src/ingest/publish-session.js';
import type { PacketBatch, SessionReason } from '../../src/input-loop/input-loop-api.js';

const TRACKS: TrackInfo[] = [
  { trackId: 256, codec: 'h264' },
  { trackId: 257, codec: 'aac' },
];
const video = (key: boolean): AVPacket => ({
  codec: 'h264',
  trackId: 256,
  pts: 0,
  dts: 0,
  key,
  data: new Uint8Array(1),
});
const audio: AVPacket = { codec: 'aac', trackId: 257, pts: 0, dts: 0, key: false, data: new Uint8Array(1) };

function batch(packets: AVPacket[], session: number, start?: SessionReason): PacketBatch {
  return { packets, session, sessionStart: start !== undefined, reason: start ?? 'open' };
}

function minting(first: number) {
  let next = first;
  return () => next++;
}

test('a newly published reader opens a session at its first keyframe, under a new id', () => {
  const session = new PublishSession(minting(100));
  session.promoted(true);
  const admitted = session.admit(batch([audio, video(false), video(true), audio], 3, 'open'), TRACKS);
  assert.deepEqual(admitted, { packets: [video(true), audio], sessionId: 100, sessionStart: true });
  assert.deepEqual(session.admit(batch([video(false)], 3), TRACKS), {
    packets: [video(false)],
    sessionId: 100,
    sessionStart: false,
  });
});

test('a reconnect opens the input loop session at a keyframe; a stall keeps going', () => {
  const session = new PublishSession(minting(100));
  session.promoted(true);
  session.admit(batch([video(true)], 3), TRACKS);
  assert.equal(session.admit(batch([audio, video(false)], 4, 'reconnect'), TRACKS), undefined);
  assert.deepEqual(session.admit(batch([audio, video(true)], 4), TRACKS), {
    packets: [video(true)],
    sessionId: 4,
    sessionStart: true,
  });
  assert.deepEqual(session.admit(batch([audio], 5, 'stall'), TRACKS), {
    packets: [audio],
    sessionId: 5,
    sessionStart: true,
  });
});

test('promoting the reader that is already published (recovery) flags a new session without waiting', () => {
  const session = new PublishSession(minting(100));
  session.promoted(true);
  session.admit(batch([video(true)], 3), TRACKS);
  session.promoted(false);
  assert.deepEqual(session.admit(batch([audio], 3), TRACKS), {
    packets: [audio],
    sessionId: 101,
    sessionStart: true,
  });
});

test('session ids start at a random u32 per publisher and wrap at 2^32', () => {
  const firsts = new Set(Array.from({ length: 8 }, () => sessionIds()()));
  assert.ok(firsts.size > 1, 'two publishers (a pod and its replacement) start apart');
  const next = sessionIds(2 ** 32 - 2);
  assert.deepEqual([next(), next(), next()], [2 ** 32 - 1, 0, 1]);
});
