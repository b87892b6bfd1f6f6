// Real peers: MP4, MOV and FLV files written by ffmpeg, through `tributary probe --dump`, against
// `ffprobe -show_packets` on the same file. Video sizes differ only by the parameter sets put in
// front of keyframes (a 4-byte length becomes a 4-byte start code); AAC by its 7-byte ADTS header.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCli } from '../cli/run-cli.js';
import { type ContainerFileOptions, ffprobeTimeline, makeContainerFile } from '../support/container-media.js';
import { ffprobeDecodedFrames } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';

interface DumpLine {
  track: number;
  codec: string;
  pts: number;
  dts: number;
  key: boolean;
  size: number;
}

const FFPROBE_CODEC: Record<string, string> = { h264: 'h264', h265: 'hevc', aac: 'aac' };
const DUMP_EXTENSION: Record<string, string> = { h264: 'h264', h265: 'h265', aac: 'aac' };
const HAS_X265 = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes(
  'libx265',
);

let dir: TempDir;
let vod: string;

before(async () => {
  dir = await makeTempDir();
  vod = join(dir.path, 'vod');
  await mkdir(join(vod, 'media'), { recursive: true });
});
after(() => dir.remove());

async function probeAgainstFfprobe(options: ContainerFileOptions, storedAs?: string): Promise<void> {
  const file = await makeContainerFile(join(vod, 'media'), options);
  const name = storedAs ?? file.split('/').pop()!;
  if (storedAs !== undefined) await copyFile(file, join(vod, 'media', storedAs));
  const out = join(dir.path, `dump-${name}`);
  const result = await runCli(['probe', `file://media/${name}`, '--vod-root', vod, '--json', '--dump', out]);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((JSON.parse(result.stdout) as { errors: string[] }).errors, [], name);
  const lines = (await readFile(join(out, 'packets.jsonl'), 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as DumpLine);
  const streams = await ffprobeTimeline(file);
  const ours = new Map<number, DumpLine[]>();
  for (const line of lines) ours.set(line.track, [...(ours.get(line.track) ?? []), line]);
  assert.deepEqual(
    [...ours.values()].map((t) => FFPROBE_CODEC[t[0]!.codec]),
    streams.map((s) => s.codec),
    `${name}: one track per ffprobe stream, same codecs`,
  );
  for (const [track, packets] of ours) {
    const codec = packets[0]!.codec;
    const theirs = streams.find((s) => s.codec === FFPROBE_CODEC[codec])!.packets;
    const what = `${name} ${codec}`;
    assert.equal(packets.length, theirs.length, `${what}: packet count`);
    assert.deepEqual(
      packets.map((p) => [p.dts, p.pts]),
      theirs.map((p) => [p.dts, p.pts]),
      `${what}: DTS/PTS`,
    );
    if (codec === 'aac') {
      assert.deepEqual(
        packets.map((p) => p.size),
        theirs.map((p) => p.size + 7),
        `${what}: sizes`,
      );
    } else {
      assert.deepEqual(
        packets.map((p) => p.key),
        theirs.map((p) => p.key),
        `${what}: keyframes`,
      );
      assert.ok(
        packets.some((p) => p.pts !== p.dts),
        `${what}: B-frames give composition offsets`,
      );
      const growth = new Set(packets.map((p, i) => (p.key ? 'key' : 'delta') + (p.size - theirs[i]!.size)));
      assert.equal(
        growth.size,
        2,
        `${what}: keyframes grow by one parameter-set prefix, others not: ${[...growth]}`,
      );
      assert.ok(growth.has('delta0'), `${what}: other frames keep their size`);
    }
    const [decoded] = await ffprobeDecodedFrames(join(out, `${track}.${DUMP_EXTENSION[codec]}`));
    assert.equal(decoded, packets.length, `${what}: the dump decodes to every frame`);
  }
}

test('MP4, H.264 with B-frames + AAC, moov at the end (ffmpeg default)', async () => {
  await probeAgainstFfprobe({ container: 'mp4' });
});

test('MP4 with faststart (moov first)', async () => {
  await probeAgainstFfprobe({ container: 'mp4', faststart: true });
});

test('MOV (QuickTime sound description) and M4V', async () => {
  await probeAgainstFfprobe({ container: 'mov' });
  await probeAgainstFfprobe({ container: 'm4v', faststart: true });
});

test('MP4, H.265 with B-frames + AAC', { skip: !HAS_X265 && 'ffmpeg has no libx265' }, async () => {
  await probeAgainstFfprobe({ container: 'mp4', video: 'h265-bframes' });
});

test('FLV, H.264 with B-frames + AAC', async () => {
  await probeAgainstFfprobe({ container: 'flv' });
});

test('an MP4 and an FLV without a telling extension are recognised by their first bytes', async () => {
  await probeAgainstFfprobe({ container: 'mp4', name: 'sniffed.mp4' }, 'sniffed-mp4.bin');
  await probeAgainstFfprobe({ container: 'flv', name: 'sniffed.flv' }, 'sniffed-flv');
});
