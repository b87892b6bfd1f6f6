import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { FileReader } from '../../src/file/file-reader.js';
import { ReaderError } from '../../src/reader/packet-reader.js';
import { ffprobeCounts, makeTsFile, type ProbedStream } from '../support/media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { assertPacedByDts, take } from './file-reading.js';

let dir: TempDir;
let root: string;
let probed: ProbedStream[];

before(async () => {
  dir = await makeTempDir();
  root = join(dir.path, 'vod');
  await mkdir(join(root, 'movies'), { recursive: true });
  const file = await makeTsFile(join(root, 'movies'), { seconds: 2, name: 'clip.ts' });
  await writeFile(join(root, 'movies', 'clip.mp4'), 'x');
  probed = await ffprobeCounts(file);
});
after(() => dir.remove());

function reader(query: string): FileReader {
  return new FileReader({ url: `file://movies/clip.ts${query}`, vodRoot: root });
}

const framesOf = (packets: AVPacket[], trackId: number) => packets.filter((p) => p.trackId === trackId);

test('loop=false&pace=none: every access unit once (ffprobe counts), then end of stream', async () => {
  const r = reader('?loop=false&pace=none');
  await r.open(new AbortController().signal);
  const packets = await take(r, () => false);
  await r.close();
  for (const s of probed) assert.equal(framesOf(packets, s.pid!).length, s.frames, s.codec);
  assert.equal(await r.read(), null);
  assert.ok(r.counters.tsPackets > 0);
  assert.deepEqual(
    r.tracks.map((t) => t.codec),
    ['h264', 'aac'],
  );
});

test('looping: the second pass repeats the first, shifted so timestamps keep increasing', async () => {
  const total = probed.reduce((n, s) => n + s.frames, 0);
  const r = reader('?pace=none');
  await r.open(new AbortController().signal);
  const packets = await take(r, (got) => got.length >= 2 * total + 10);
  await r.close();
  const first = packets.slice(0, total);
  const second = packets.slice(total, 2 * total);
  const dts = first.map((p) => p.dts);
  const span = Math.max(...dts) - Math.min(...dts) + 3600; // + one 25 fps frame
  second.forEach((p, i) => {
    const q = first[i]!;
    assert.deepEqual(
      [p.trackId, p.dts - q.dts, p.pts - q.pts, p.key],
      [q.trackId, span, span, q.key],
      `packet ${i}`,
    );
  });
  for (const s of probed) {
    const track = framesOf(packets, s.pid!);
    for (let i = 1; i < track.length; i++)
      assert.ok(track[i]!.dts > track[i - 1]!.dts, `${s.codec} DTS not increasing at ${i}`);
  }
  assert.ok(r.counters.tsPackets > 2 * (r.counters.bytes / 188 / 3), 'counters add up across passes');
});

test('paced by default: media never runs ahead of wall time', async () => {
  const r = reader('?loop=false');
  await assertPacedByDts(r);
});

test('close while a paced read waits for the next DTS ends that read with null', async () => {
  const r = reader('');
  await r.open(new AbortController().signal);
  assert.ok(((await r.read()) ?? []).length > 0);
  const pending = r.read(); // the next access unit is due about one frame from now
  await r.close();
  assert.equal(await pending, null);
});

test('an .mp4 file that is no MP4 and a URL that escapes the mount fail at construction or open', async () => {
  const mp4 = new FileReader({ url: 'file://movies/clip.mp4', vodRoot: root });
  await assert.rejects(
    mp4.open(new AbortController().signal),
    (err: unknown) =>
      err instanceof ReaderError && !err.retriable && /^clip\.mp4: no moov box/.test(err.message),
  );
  assert.throws(
    () => new FileReader({ url: 'file://movies/../../etc/passwd', vodRoot: root }),
    /path escapes mount root/,
  );
});
