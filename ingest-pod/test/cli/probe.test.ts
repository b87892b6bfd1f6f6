import assert from 'node:assert/strict';
import { mkdir, readdir, readFile, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ffprobeCounts, ffprobeDecodedFrames, makeTsFile, type ProbedStream } from '../support/media.js';
import { freeUdpPort, makeTempDir, type TempDir } from '../support/peers.js';
import { startFfmpegRtmpServer } from '../support/rtmp-peers.js';
import { ffmpegSrtListener } from '../support/srt-peers.js';
import { runCli } from './run-cli.js';

// `tributary probe` over a file on a VOD root, checked against ffprobe.

interface ProbeJson {
  url: string;
  tracks: {
    id: number;
    codec: string;
    packets: number;
    keyframes: number;
    bytes: number;
    firstPts: number | null;
    lastPts: number | null;
    width?: number;
    sampleRate?: number;
  }[];
  errors: string[];
}

let dir: TempDir;
let probed: ProbedStream[];
const URL = 'file://media/clips/clip.ts';

before(async () => {
  dir = await makeTempDir();
  const made = await makeTsFile(dir.path, { seconds: 2 });
  await mkdir(join(dir.path, 'vod', 'media', 'clips'), { recursive: true });
  const file = join(dir.path, 'vod', 'media', 'clips', 'clip.ts');
  await rename(made, file);
  probed = await ffprobeCounts(file);
});
after(() => dir.remove());

function byPid(pid: number): ProbedStream {
  const stream = probed.find((s) => s.pid === pid);
  assert.ok(stream, `ffprobe has no stream on PID ${pid}`);
  return stream;
}

test('--json: one entry per track, counts equal to ffprobe', async () => {
  const result = await runCli(['probe', URL, '--vod-root', join(dir.path, 'vod'), '--json']);
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as ProbeJson;
  assert.deepEqual(report.errors, []);
  assert.deepEqual(
    report.tracks.map((t) => t.codec),
    ['h264', 'aac'],
  );
  for (const track of report.tracks) {
    const reference = byPid(track.id);
    assert.equal(track.packets, reference.frames, `track ${track.id} packets`);
    // ffprobe flags every audio frame as a keyframe; AVPackets flag video keyframes only.
    if (track.codec === 'h264') assert.equal(track.keyframes, reference.keyframes, 'video keyframes');
    assert.ok(track.bytes > 0);
    assert.ok(track.firstPts !== null && track.lastPts !== null && track.lastPts > track.firstPts);
  }
  assert.equal(report.tracks[0]?.width, 320);
  assert.equal(report.tracks[1]?.sampleRate, 48000);
});

test('--dump: elementary streams that ffprobe decodes whole, and one JSON line per packet', async () => {
  const out = join(dir.path, 'dump');
  const result = await runCli(['probe', URL, '--vod-root', join(dir.path, 'vod'), '--dump', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /track 256: h264 320x240 packets=\d+ keyframes=\d+/);
  const files = (await readdir(out)).sort();
  assert.deepEqual(files, ['256.h264', '257.aac', 'packets.jsonl']);
  const [video] = await ffprobeDecodedFrames(join(out, '256.h264'));
  const [audio] = await ffprobeDecodedFrames(join(out, '257.aac'));
  assert.equal(video, byPid(256).frames);
  assert.equal(audio, byPid(257).frames);
  const lines = (await readFile(join(out, 'packets.jsonl'), 'utf8')).trim().split('\n');
  assert.equal(lines.length, byPid(256).frames + byPid(257).frames);
  const first = JSON.parse(lines[0]!) as Record<string, unknown>;
  assert.deepEqual(Object.keys(first).sort(), [
    'codec',
    'dts',
    'key',
    'pts',
    'seq',
    'session',
    'size',
    'track',
  ]);
});

test('file:// without --vod-root is refused with a message saying so', async () => {
  const result = await runCli(['probe', URL]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /file:\/\/ URL resolves against a VOD root: pass --vod-root <dir>/);
});

test('srt:// and rtmp:// sources: tracks of a live peer, in our own words', async () => {
  const port = await freeUdpPort();
  const srt = ffmpegSrtListener(join(dir.path, 'vod', 'media', 'clips', 'clip.ts'), port, { loop: true });
  const rtmp = await startFfmpegRtmpServer([
    '-re',
    '-stream_loop',
    '-1',
    '-i',
    join(dir.path, 'vod', 'media', 'clips', 'clip.ts'),
    '-c',
    'copy',
  ]);
  try {
    for (const url of [`srt://127.0.0.1:${port}?latency=120`, rtmp.url]) {
      const result = await runCli(['probe', url, '--duration', '2', '--json']);
      assert.equal(result.code, 0, `${url}: ${result.stderr}`);
      const report = JSON.parse(result.stdout) as ProbeJson;
      assert.deepEqual(report.errors, [], url);
      assert.deepEqual(report.tracks.map((t) => t.codec).sort(), ['aac', 'h264'], url);
      assert.ok(
        report.tracks.every((t) => t.packets > 0),
        url,
      );
    }
    assert.doesNotMatch(
      JSON.stringify(await runCli(['probe', rtmp.url, '--json'])),
      /live\/key/,
      'the key is never shown',
    );
  } finally {
    await srt.stop();
    await rtmp.ffmpeg.stop();
  }
});

test('an srt:// source that refuses or is absent: one line saying why, no stack trace', async () => {
  const port = await freeUdpPort();
  const result = await runCli(['probe', `srt://127.0.0.1:${port}?conntimeo=500`, '--duration', '2']);
  assert.equal(result.code, 1);
  assert.match(`${result.stdout}${result.stderr}`, /timed out|timeout/i);
  assert.doesNotMatch(result.stderr, /\n\s+at /, 'no stack trace');
});
