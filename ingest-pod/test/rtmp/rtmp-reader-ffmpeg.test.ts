import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { createRtmpReader } from '../../src/rtmp/index.js';
import { ffprobePackets } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { makeFlvFile, startFfmpegRtmpServer } from '../support/rtmp-peers.js';
import { h264NalTypes } from './annexb.js';

// The whole reader (client + FLV converter) against ffmpeg 5.1 as the RTMP server.

let dir: TempDir;
let flv: string;

before(async () => {
  dir = await makeTempDir();
  flv = await makeFlvFile(dir.path, { seconds: 2, bframes: true });
});
after(() => dir.remove());

test('H.264 with B-frames + AAC: every frame, ffprobe timestamps, parameter sets on keyframes, ADTS audio', async () => {
  const server = await startFfmpegRtmpServer(['-re', '-i', flv, '-c', 'copy'], 'live/stream-key');
  const events: ReaderEvent[] = [];
  const reader = createRtmpReader({ url: server.url, priority: 0 }, { onEvent: (e) => events.push(e) });
  const packets: AVPacket[] = [];
  let end: unknown;
  try {
    await reader.open(new AbortController().signal);
    for (;;) {
      const batch = await reader.read();
      if (batch === null) break;
      packets.push(...batch);
    }
  } catch (err) {
    end = err;
  } finally {
    await reader.close();
    await server.ffmpeg.stop();
  }
  assert.ok(end instanceof ReaderError && end.retriable, `the session end is retriable: ${end}`);

  const probed = await ffprobePackets(flv);
  const video = packets.filter((p) => p.codec === 'h264');
  const audio = packets.filter((p) => p.codec === 'aac');
  const expectedVideo = probed.get(0) ?? [];
  const expectedAudio = probed.get(1) ?? [];
  assert.equal(video.length, expectedVideo.length, 'every video frame');
  assert.equal(audio.length, expectedAudio.length, 'every audio frame');
  assert.deepEqual(
    video.map((p) => [p.dts, p.pts, p.key]),
    expectedVideo.map((p) => [p.dts! * 90, p.pts! * 90, p.key]),
  );
  assert.deepEqual(
    audio.map((p) => p.dts),
    expectedAudio.map((p) => p.dts! * 90),
  );
  for (const track of [video, audio]) {
    assert.ok(
      track.every((p, i) => i === 0 || p.dts > track[i - 1]!.dts),
      'DTS rises on every track',
    );
  }
  for (const key of video.filter((p) => p.key)) {
    const types = h264NalTypes(key.data);
    assert.ok(
      types.includes(7) && types.includes(8) && types.indexOf(8) < types.indexOf(5),
      `SPS, PPS before the IDR: ${types}`,
    );
  }
  assert.ok(
    audio.every((p) => p.data[0] === 0xff && (p.data[1]! & 0xf0) === 0xf0),
    'ADTS headers',
  );
  assert.deepEqual(reader.tracks, [
    { trackId: 0, codec: 'h264', width: 320, height: 240 },
    { trackId: 1, codec: 'aac', sampleRate: 48000, channels: 2 },
  ]);
  const tracksEvents = events.filter((e) => e.type === 'tracks');
  assert.deepEqual(tracksEvents.at(-1), { type: 'tracks', tracks: reader.tracks });
  assert.deepEqual(
    events.filter((e) => e.type === 'demux'),
    [],
  );
  assert.equal(reader.counters.dropped, 0);
});

test('a URL the reader cannot use fails at creation, permanently, without the key', () => {
  assert.throws(
    () => createRtmpReader({ url: 'rtmp://u:p@127.0.0.1/live/hidden-key', priority: 0 }, {}),
    (err: unknown) => err instanceof ReaderError && !err.retriable && !err.message.includes('hidden-key'),
  );
});
