// `tributary probe --dump` on TS files with 192-byte (M2TS) and 204-byte packets, checked against
// ffprobe on the same files.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { ffprobeTimeline, timelineOf } from '../support/ffprobe-timeline.js';
import { ffprobeCounts, ffprobeDecodedFrames, makeTsFile } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { remuxToM2ts, to204 } from '../support/ts-packet-sizes.js';
import { runCli } from './run-cli.js';

let dir: TempDir;
let clips: string;

before(async () => {
  dir = await makeTempDir();
  clips = join(dir.path, 'vod', 'media', 'clips');
  await mkdir(clips, { recursive: true });
  const ts = await makeTsFile(clips, { video: 'h264', audio: 'ac3', seconds: 2, name: 'clip.ts' });
  await writeFile(join(clips, 'clip204.ts'), to204(await readFile(ts)));
  // ffmpeg writes AC-3 in M2TS with a Blu-ray stream type, AAC as undeclared private data (0x06).
  for (const audio of ['ac3', 'aac'] as const) {
    const source = audio === 'ac3' ? ts : await makeTsFile(clips, { video: 'h264', audio, seconds: 2 });
    const m2ts = join(clips, `clip-${audio}.m2ts`);
    await remuxToM2ts(source, m2ts);
  }
});
after(() => dir.remove());

/** Runs `probe --dump` on a clip; returns the dump directory and its packets.jsonl as packets. */
async function probeDump(name: string): Promise<{ out: string; packets: AVPacket[] }> {
  const out = join(dir.path, `dump-${name}`);
  const result = await runCli([
    'probe',
    `file://media/clips/${name}`,
    '--vod-root',
    join(dir.path, 'vod'),
    '--dump',
    out,
  ]);
  assert.equal(result.code, 0, result.stderr);
  assert.doesNotMatch(result.stdout, /unsupported|lost TS sync|malformed/, result.stdout);
  const lines = (await readFile(join(out, 'packets.jsonl'), 'utf8')).trim().split('\n');
  const packets = lines.map((line) => {
    const p = JSON.parse(line) as {
      track: number;
      codec: AVPacket['codec'];
      pts: number;
      dts: number;
      key: boolean;
    };
    return { trackId: p.track, codec: p.codec, pts: p.pts, dts: p.dts, key: p.key } as AVPacket;
  });
  return { out, packets };
}

for (const audio of ['ac3', 'aac'] as const) {
  test(`.m2ts with H.264 and ${audio}: the streams and packets ffprobe lists, and elementary streams it decodes whole`, async () => {
    const name = `clip-${audio}.m2ts`;
    const file = join(clips, name);
    const { out, packets } = await probeDump(name);
    const expected = await ffprobeTimeline(file);
    assert.deepEqual([...expected.keys()], [0x1011, 0x1100]);
    assert.deepEqual(timelineOf(packets), expected);
    const probed = await ffprobeCounts(file);
    for (const [pid, extension] of [
      [0x1011, 'h264'],
      [0x1100, audio],
    ] as const) {
      const frames = probed.find((s) => s.pid === pid)!.frames;
      assert.deepEqual(
        await ffprobeDecodedFrames(join(out, `${pid}.${extension}`)),
        [frames],
        `${pid}.${extension}`,
      );
    }
  });
}

test('204-byte packets: the same dump as the 188-byte original, and what ffprobe lists', async () => {
  const { out, packets } = await probeDump('clip204.ts');
  const { out: originalOut, packets: original } = await probeDump('clip.ts');
  assert.ok(original.length > 100);
  assert.deepEqual(packets, original);
  assert.deepEqual(timelineOf(packets), await ffprobeTimeline(join(clips, 'clip204.ts')));
  for (const name of ['256.h264', '257.ac3']) {
    assert.ok((await readFile(join(out, name))).equals(await readFile(join(originalOut, name))), name);
  }
});
