import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../../src/avpacket.js';
import type { TsDemuxer } from '../../../src/mpegts/demuxer-api.js';
import { RtpTrack } from '../../../src/rtsp/rtp/rtp-track.js';
import { rtpPacket } from './rtp-builder.js';

/** Records what reaches the demuxer: the adapter's whole job is to hand TS bytes on in order. */
function recordingDemuxer() {
  const chunks: Uint8Array[] = [];
  const marker: AVPacket = {
    codec: 'h264',
    trackId: 256,
    pts: 0,
    dts: 0,
    key: true,
    data: new Uint8Array(1),
  };
  const demuxer = {
    push: (chunk: Uint8Array) => {
      chunks.push(chunk.slice());
      return [marker];
    },
    flush: () => [],
  } as unknown as TsDemuxer;
  return { chunks, demuxer };
}

const ts = (fill: number) => {
  const out = new Uint8Array(188 * 7).fill(fill);
  for (let i = 0; i < 7; i++) out[i * 188] = 0x47;
  return out;
};

test('MP2T payloads reach the demuxer in sequence order; others are malformed', () => {
  const { chunks, demuxer } = recordingDemuxer();
  const track = new RtpTrack({
    trackId: 0,
    clockRate: 90_000,
    payloadType: 33,
    payload: { codec: 'mp2t', demuxer },
  });
  const out = [
    ...track.push(rtpPacket(ts(1), { sequence: 10, timestamp: 0, payloadType: 33 }), 0),
    ...track.push(rtpPacket(ts(3), { sequence: 12, timestamp: 0, payloadType: 33 }), 0),
    ...track.push(rtpPacket(ts(2), { sequence: 11, timestamp: 0, payloadType: 33 }), 0),
    ...track.push(rtpPacket(new Uint8Array(188), { sequence: 13, timestamp: 0, payloadType: 33 }), 0),
  ];
  assert.equal(out.length, 3);
  assert.deepEqual(
    chunks.map((c) => c[1]),
    [1, 2, 3],
  );
  assert.equal(track.stats.malformed, 1);
});
