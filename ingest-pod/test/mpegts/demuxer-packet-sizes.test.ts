// MPEG-TS in 192-byte (M2TS) and 204-byte (parity) packets: the same access units as the 188-byte
// stream they carry, however the bytes are chunked, with garbage in between, and when the packet
// size changes mid-stream.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { makeTsFile } from '../support/media.js';
import { makeTempDir, runFfmpeg, type TempDir } from '../support/peers.js';
import { strip, to204, toM2ts } from '../support/ts-packet-sizes.js';
import { byTrack, demuxAll, fingerprint } from './demux-helpers.js';

let dir: TempDir;
let clean: Buffer;
let cleanPackets: AVPacket[];
/** H.264 + AC-3 (audio Blu-ray players take), as .ts and remuxed by ffmpeg to .m2ts. */
let bluRayTs: Buffer;
let ffmpegM2ts: Buffer;

before(async () => {
  dir = await makeTempDir();
  clean = await readFile(await makeTsFile(dir.path, { video: 'h264', audio: 'aac', seconds: 2 }));
  cleanPackets = demuxAll(clean).packets;
  const ac3 = await makeTsFile(dir.path, { video: 'h264', audio: 'ac3', seconds: 2 });
  bluRayTs = await readFile(ac3);
  const m2ts = join(dir.path, 'clip.m2ts');
  await runFfmpeg(['-i', ac3, '-map', '0', '-c', 'copy', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', m2ts]);
  ffmpegM2ts = await readFile(m2ts);
});
after(() => dir.remove());

/** Chunk sizes from 1 to 3000 bytes, the same sequence every run. */
function unevenChunks(): () => number {
  let i = 0;
  return () => 1 + ((i++ * 7919) % 3000);
}

/** Ways to cut a stream into pushes; `all` adds one byte at a time (slow, so not everywhere). */
function chunkings(all = false): [string, number | (() => number)][] {
  const some: [string, number | (() => number)][] = [
    ['64 KiB', 65536],
    ['1316 B', 1316],
    ['777 B', 777],
    ['uneven', unevenChunks()],
  ];
  return all ? [...some, ['1 B', 1]] : some;
}

describe('packet sizes from an ffmpeg-made stream', () => {
  const variants: [string, 192 | 204, () => Buffer, () => AVPacket[]][] = [
    ['M2TS (192) written by ffmpeg', 192, () => ffmpegM2ts, () => demuxAll(strip(ffmpegM2ts, 192)).packets],
    ['M2TS (192) built from the .ts', 192, () => toM2ts(clean), () => cleanPackets],
    [
      'M2TS (192) whose headers start with 0x47',
      192,
      () => toM2ts(clean, { firstByte: 0x47 }),
      () => cleanPackets,
    ],
    ['204 with parity', 204, () => to204(clean), () => cleanPackets],
    ['204 with 0x47 in the parity', 204, () => to204(clean, { hostile: true }), () => cleanPackets],
  ];
  for (const [name, stride, bytesOf, expectedOf] of variants) {
    it(`${name}: the access units of the 188-byte stream, in any chunking`, () => {
      const bytes = bytesOf();
      const expected = fingerprint(expectedOf());
      assert.ok(expected.length > 100);
      for (const [chunking, chunk] of chunkings(true)) {
        const { packets, events, demuxer } = demuxAll(bytes, {}, chunk);
        assert.deepEqual(events, [], chunking);
        assert.equal(demuxer.packetSize, stride, chunking);
        assert.ok(
          fingerprint(packets).join('\n') === expected.join('\n'),
          `${chunking}: access units differ`,
        );
        const s = demuxer.stats;
        assert.deepEqual(
          [s.tsPackets, s.bytes, s.ccErrors, s.resyncs, s.malformed, s.bufferedBytes],
          [bytes.length / stride, bytes.length, 0, 0, 0, 0],
          chunking,
        );
      }
    });
  }

  it('ffmpeg M2TS: the same access units as the plain .ts it was remuxed from (on Blu-ray PIDs)', () => {
    const ours = [...byTrack(demuxAll(ffmpegM2ts).packets).values()];
    const plain = [...byTrack(demuxAll(bluRayTs).packets).values()];
    assert.deepEqual(
      ours.map((list) => [list[0]!.trackId, list[0]!.codec]),
      [
        [0x1011, 'h264'],
        [0x1100, 'ac3'],
      ],
    );
    assert.equal(ours.length, plain.length);
    ours.forEach((list, i) => {
      const shape = (p: AVPacket) =>
        `${p.codec}/${p.pts}/${p.dts}/${p.key}/${Buffer.from(p.data).toString('base64')}`;
      assert.ok(list.length > 40);
      assert.ok(
        list.map(shape).join('\n') === plain[i]!.map(shape).join('\n'),
        `track ${list[0]!.trackId} differs`,
      );
    });
  });
});

describe('garbage and resync', () => {
  /** 0x47 bytes in the garbage, one 188, 192 and 204 bytes after the first: none repeats twice. */
  function garbage(length: number): Buffer {
    const out = Buffer.alloc(length, 0x20);
    for (const at of [10, 10 + 188, 10 + 192, 10 + 204, 300]) out[at] = 0x47;
    return out;
  }

  for (const [name, stride, framed] of [
    ['192', 192, () => toM2ts(clean)],
    ['204', 204, () => to204(clean, { hostile: true })],
  ] as const) {
    it(`${name}: garbage before the first packet and between two: one resync each, exact counts, nothing lost`, () => {
      const bytes = framed();
      const cut = 500 * stride;
      const stream = Buffer.concat([
        garbage(1000),
        bytes.subarray(0, cut),
        garbage(600),
        bytes.subarray(cut),
      ]);
      for (const [chunking, chunk] of chunkings()) {
        const { packets, events, demuxer } = demuxAll(stream, {}, chunk);
        assert.deepEqual(
          events,
          [
            { type: 'resync', skippedBytes: 1000 },
            { type: 'resync', skippedBytes: 600 },
          ],
          chunking,
        );
        assert.equal(demuxer.packetSize, stride);
        assert.ok(fingerprint(packets).join('\n') === fingerprint(cleanPackets).join('\n'), chunking);
      }
    });
  }

  it('a stream cut inside its last unit reports the unfinished tail', () => {
    const bytes = toM2ts(clean);
    const { events } = demuxAll(bytes.subarray(0, bytes.length - 100), {}, 1316);
    assert.ok(
      events.some(
        (e) => e.type === 'malformed' && e.detail === '92 bytes at end of stream are not a whole TS packet',
      ),
      JSON.stringify(events),
    );
  });
});

describe('a packet size that changes mid-stream', () => {
  const cut = 400; // in packets
  const head = () => clean.subarray(0, cut * 188);
  const tail = () => clean.subarray(cut * 188);

  for (const [name, stream, final, expectedEvents] of [
    [
      '188 then 204',
      () => Buffer.concat([head(), to204(tail())]),
      204,
      [{ type: 'resync', skippedBytes: 16 }],
    ],
    ['204 then 192', () => Buffer.concat([to204(head()), toM2ts(tail())]), 192, []],
    ['192 then 188', () => Buffer.concat([toM2ts(head()), tail()]), 188, []],
    ['188 then 192', () => Buffer.concat([head(), toM2ts(tail())]), 192, []],
    ['192 then 204', () => Buffer.concat([toM2ts(head()), to204(tail())]), 204, []],
  ] as const) {
    it(`${name}: found again without losing a packet`, () => {
      for (const [chunking, chunk] of chunkings()) {
        const { packets, events, demuxer } = demuxAll(stream(), {}, chunk);
        assert.deepEqual(events, expectedEvents, chunking);
        assert.equal(demuxer.packetSize, final, chunking);
        assert.ok(fingerprint(packets).join('\n') === fingerprint(cleanPackets).join('\n'), chunking);
      }
    });
  }

  it('204 then 188: found again after one lost packet (the parity it expected was the next packet)', () => {
    const { packets, events, demuxer } = demuxAll(Buffer.concat([to204(head()), tail()]), {}, 1316);
    assert.equal(demuxer.packetSize, 188);
    assert.equal(events.filter((e) => e.type === 'resync').length, 1);
    // Everything from the first keyframe after the switch on is intact.
    const switchDts = demuxAll(head()).packets.at(-1)!.dts;
    const after = (list: AVPacket[]) => {
      const video = list.filter((p) => p.trackId === 0x100);
      const key = video.find((p) => p.key && p.dts > switchDts)!;
      return fingerprint(video.filter((p) => p.dts >= key.dts));
    };
    assert.ok(after(packets).length > 10);
    assert.deepEqual(after(packets), after(cleanPackets));
  });
});
