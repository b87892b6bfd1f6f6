// Real files through the real file reader: MP4 and FLV loop with timestamps that keep increasing,
// are paced by DTS, and tracks the reader does not carry are reported once, not dropped silently.
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { FileReader } from '../../src/file/file-reader.js';
import type { ReaderEvent } from '../../src/reader/reader-api.js';
import { ffprobeTimeline, makeContainerFile } from '../support/container-media.js';
import { makeTempDir, type TempDir } from '../support/peers.js';
import { assertPacedByDts, take } from './file-reading.js';

let dir: TempDir;
let root: string;

before(async () => {
  dir = await makeTempDir();
  root = join(dir.path, 'vod');
  await mkdir(join(root, 'films'), { recursive: true });
  await makeContainerFile(join(root, 'films'), { container: 'mp4', name: 'clip.mp4' });
  await makeContainerFile(join(root, 'films'), { container: 'flv', name: 'clip.flv' });
  await makeContainerFile(join(root, 'films'), {
    container: 'mp4',
    name: 'extra.mp4',
    unsupportedTracks: true,
  });
});
after(() => dir.remove());

for (const name of ['clip.mp4', 'clip.flv']) {
  test(`${name} loops: the second pass is the first shifted by its length, DTS always increasing`, async () => {
    const total = (await ffprobeTimeline(join(root, 'films', name))).reduce(
      (n, s) => n + s.packets.length,
      0,
    );
    const r = new FileReader({ url: `file://films/${name}?pace=none`, vodRoot: root });
    await r.open(new AbortController().signal);
    const packets = await take(r, (got) => got.length >= 2 * total + 10);
    await r.close();
    assert.ok(packets.length >= 2 * total + 10, 'the reader went on past the end of the file');
    const first = packets.slice(0, total);
    const second = packets.slice(total, 2 * total);
    // From the first DTS of the pass (any track) to the last, plus one 25 fps frame.
    const dts = first.map((p) => p.dts);
    const span = Math.max(...dts) - Math.min(...dts) + 3600;
    second.forEach((p, i) => {
      const q = first[i]!;
      assert.deepEqual(
        [p.trackId, p.dts - q.dts, p.pts - q.pts, p.key, p.data.length],
        [q.trackId, span, span, q.key, q.data.length],
        `packet ${i}`,
      );
    });
    for (const trackId of new Set(packets.map((p) => p.trackId))) {
      const track = packets.filter((p) => p.trackId === trackId);
      for (let i = 1; i < track.length; i++) {
        assert.ok(track[i]!.dts > track[i - 1]!.dts, `track ${trackId}: DTS not increasing at ${i}`);
      }
    }
    assert.ok(r.counters.bytes > 0);
  });
}

test('clip.mp4 is paced by DTS by default: media never runs ahead of wall time', async () => {
  const r = new FileReader({ url: 'file://films/clip.mp4?loop=false', vodRoot: root });
  await assertPacedByDts(r);
});

test('Opus and subtitle tracks of an MP4 are reported once across loops, the rest is read', async () => {
  const events: ReaderEvent[] = [];
  const r = new FileReader({
    url: 'file://films/extra.mp4?pace=none',
    vodRoot: root,
    onEvent: (e) => events.push(e),
  });
  await r.open(new AbortController().signal);
  const packets = await take(r, (got) => got.filter((p) => p.key).length >= 5); // into the third pass
  await r.close();
  const details = events.flatMap((e) => (e.type === 'demux' ? [e.detail] : []));
  assert.deepEqual(details, [
    'extra.mp4: track 3 (audio, Opus) is not read: only H.264, H.265 and AAC are',
    'extra.mp4: track 4 (subtitles, tx3g) is not read: only H.264, H.265 and AAC are',
  ]);
  assert.deepEqual(
    r.tracks.map((t) => [t.trackId, t.codec]),
    [
      [1, 'h264'],
      [2, 'aac'],
    ],
  );
  assert.deepEqual([...new Set(packets.map((p) => p.codec))].sort(), ['aac', 'h264']);
  assert.equal(r.counters.unknownStreams, 2, 'a gauge of the file, not a sum over loops');
});
