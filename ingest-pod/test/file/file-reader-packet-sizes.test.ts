// VodMount files in every TS packet size: an ffmpeg-made .m2ts (192) and a 204-byte file built from
// an ffmpeg-made .ts, read through file:// and compared with ffprobe on the same file.
import assert from 'node:assert/strict';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { FileReader } from '../../src/file/file-reader.js';
import { ffprobeTimeline, timelineOf } from '../support/ffprobe-timeline.js';
import { makeTsFile } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { remuxToM2ts, to204 } from '../support/ts-packet-sizes.js';

let dir: TempDir;
let movies: string;

before(async () => {
  dir = await makeTempDir();
  movies = join(dir.path, 'vod', 'movies');
  await mkdir(movies, { recursive: true });
  // AAC, which ffmpeg's M2TS mode writes as private data (stream type 0x06), as ffprobe still reads it.
  const ts = await makeTsFile(movies, { video: 'h264', audio: 'aac', seconds: 2, name: 'clip.ts' });
  await remuxToM2ts(ts, join(movies, 'clip.m2ts'));
  await writeFile(join(movies, 'clip204.ts'), to204(await readFile(ts), { hostile: true }));
});
after(() => dir.remove());

async function readAll(name: string): Promise<{ packets: AVPacket[]; reader: FileReader }> {
  const reader = new FileReader({
    url: `file://movies/${name}?loop=false&pace=none`,
    vodRoot: join(dir.path, 'vod'),
  });
  await reader.open(new AbortController().signal);
  const packets: AVPacket[] = [];
  for (let batch = await reader.read(); batch !== null; batch = await reader.read()) packets.push(...batch);
  await reader.close();
  return { packets, reader };
}

test('.m2ts (192-byte packets, as ffmpeg writes them): every access unit ffprobe reads', async () => {
  const { packets, reader } = await readAll('clip.m2ts');
  const expected = await ffprobeTimeline(join(movies, 'clip.m2ts'));
  assert.deepEqual([...expected.keys()], [0x1011, 0x1100]);
  assert.deepEqual(timelineOf(packets), expected);
  const size = (await readFile(join(movies, 'clip.m2ts'))).length;
  assert.deepEqual([reader.counters.bytes, reader.counters.tsPackets], [size, size / 192]);
  assert.deepEqual(
    reader.tracks.map((t) => t.codec),
    ['h264', 'aac'],
  );
});

test('204-byte packets: the access units of the 188-byte original, and what ffprobe reads', async () => {
  const { packets } = await readAll('clip204.ts');
  const { packets: original } = await readAll('clip.ts');
  const shape = (p: AVPacket) =>
    `${p.trackId}/${p.pts}/${p.dts}/${p.key}/${Buffer.from(p.data).toString('base64')}`;
  assert.ok(original.length > 100);
  assert.ok(packets.map(shape).join('\n') === original.map(shape).join('\n'), 'access units differ');
  assert.deepEqual(timelineOf(packets), await ffprobeTimeline(join(movies, 'clip204.ts')));
});
