import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import type { ReaderError } from '../../src/reader/packet-reader.js';
import { openRtmpPull } from '../../src/rtmp/rtmp-connection.js';
import { parseRtmpUrl } from '../../src/rtmp/rtmp-url.js';
import { ffprobePackets } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { makeFlvFile, startFfmpegRtmpServer } from '../support/rtmp-peers.js';
import { inspectTag } from './flv-tag-inspect.js';

// ffmpeg 5.1 as the RTMP server (`-listen 1`), serving a finite FLV file: the client level.

let dir: TempDir;
let flv: string;

before(async () => {
  dir = await makeTempDir();
  flv = await makeFlvFile(dir.path, { seconds: 2, bframes: true });
});
after(() => dir.remove());

test('every frame of the file arrives with its DTS, PTS (B-frames) and key flag; the end is retriable', async () => {
  const server = await startFfmpegRtmpServer(['-re', '-i', flv, '-c', 'copy'], 'live/stream-key');
  try {
    const tags: FlvTag[] = [];
    const statuses: string[] = [];
    const ended = new Promise<ReaderError>((resolve, reject) => {
      openRtmpPull({
        url: parseRtmpUrl(server.url),
        timeoutMs: 10_000,
        onTag: (t) => tags.push(t),
        onEnd: resolve,
        onStatus: (s) => statuses.push(s.code),
      }).catch(reject);
    });
    const end = await ended;
    assert.equal(end.retriable, true);
    assert.match(end.message, /^rtmp: rtmp:\/\/127\.0\.0\.1:\d+\/live\/\*\*\*: /);
    assert.doesNotMatch(end.message, /stream-key/);
    assert.ok(statuses.includes('NetStream.Play.Start'), `statuses: ${statuses}`);

    const probed = await ffprobePackets(flv); // FLV: 1 ms time base, same units as RTMP
    const seen = tags.map(inspectTag);
    const video = seen.filter((t) => t.kind === 'video' && t.frame);
    const audio = seen.filter((t) => t.kind === 'audio' && t.frame);
    const expectedVideo = (probed.get(0) ?? []).map((p) => ({ dts: p.dts, pts: p.pts, key: p.key }));
    const expectedAudio = (probed.get(1) ?? []).map((p) => p.dts);
    assert.equal(video.length, expectedVideo.length);
    assert.deepEqual(
      video.map(({ dts, pts, key }) => ({ dts, pts, key })),
      expectedVideo,
    );
    assert.ok(
      video.some((v) => v.pts !== v.dts),
      'B-frames give composition offsets',
    );
    assert.deepEqual(
      audio.map((a) => a.dts),
      expectedAudio,
    );
    const firstVideo = seen.findIndex((t) => t.kind === 'video');
    assert.ok(seen[firstVideo]?.config, 'the AVC sequence header comes before the first frame');
    assert.ok(seen.find((t) => t.kind === 'audio')?.config, 'the AAC sequence header comes first');
    for (const kind of ['video', 'audio'] as const) {
      const dts = seen.filter((t) => t.kind === kind && t.frame).map((t) => t.dts);
      assert.ok(
        dts.every((d, i) => i === 0 || d >= dts[i - 1]!),
        `${kind} DTS never goes back`,
      );
    }
  } finally {
    await server.ffmpeg.stop();
  }
});
