import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { createRtmpReader } from '../../src/rtmp/index.js';
import {
  EX_PACKET,
  enhancedVideo,
  FRAME,
  HEVC_IDR,
  HEVC_PPS,
  HEVC_SPS,
  HEVC_TRAIL,
  HEVC_VPS,
  hevcConfig,
  prefixed,
} from '../flv/flv-builder.js';
import { h265NalTypes } from './annexb.js';
import { startMiniRtmpServer } from './mini-rtmp-server.js';
import { onStatus, serverMessage } from './scripted-server.js';

// ffmpeg 5.1 cannot put HEVC in FLV ("Video codec hevc not compatible with flv"), so it can neither
// serve nor publish it; node-media-server would only relay what a publisher sends. HEVC over
// enhanced RTMP is therefore crafted here (tags from the FLV tests' builder) and served by the
// scripted server, through the real client and converter.

test('enhanced RTMP HEVC (hvc1): parameter sets on the keyframe, a negative composition offset kept', async () => {
  const server = await startMiniRtmpServer((play) => {
    const video = (ts: number, body: Uint8Array) => play.send(serverMessage(9, body, 1, ts, 6));
    play.send(onStatus('NetStream.Play.Start'));
    video(
      0,
      enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'hvc1', hevcConfig([HEVC_VPS, HEVC_SPS, HEVC_PPS])),
    );
    video(80, enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'hvc1', prefixed([HEVC_IDR]), 40));
    video(120, enhancedVideo(FRAME.inter, EX_PACKET.codedFramesX, 'hvc1', prefixed([HEVC_TRAIL])));
    video(160, enhancedVideo(FRAME.inter, EX_PACKET.codedFrames, 'hvc1', prefixed([HEVC_TRAIL]), -40));
    play.socket.end();
  });
  const reader = createRtmpReader({ url: `rtmp://127.0.0.1:${server.port}/live/key`, priority: 0 }, {});
  const packets: AVPacket[] = [];
  try {
    await reader.open(new AbortController().signal);
    await assert.rejects(async () => {
      for (;;) {
        const batch = await reader.read();
        if (batch === null) return;
        packets.push(...batch);
      }
    }, /the server closed the connection/);
  } finally {
    await reader.close();
    await server.close();
  }
  assert.deepEqual(
    packets.map((p) => [p.codec, p.key, p.dts / 90, p.pts / 90]),
    [
      ['h265', true, 80, 120],
      ['h265', false, 120, 120],
      ['h265', false, 160, 120],
    ],
  );
  assert.deepEqual(h265NalTypes(packets[0]!.data), [32, 33, 34, 20]);
  assert.equal(reader.tracks[0]?.codec, 'h265');
});
