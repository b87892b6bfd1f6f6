// Every codec from a real ffmpeg source: our access units against ffprobe's packets on the same
// file (counts, keyframes, every PTS/DTS), track descriptions, and dumped elementary streams that
// ffprobe decodes frame for frame.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AUDIO_CODECS, type AVPacket, VIDEO_CODECS } from '../../src/avpacket.js';
import {
  type AudioOption,
  ffprobeCounts,
  ffprobeDecodedFrames,
  ffprobePackets,
  makeTsFile,
  type ProbedPacket,
  type ProbedStream,
  type VideoOption,
} from '../support/media.js';
import { byTrack, DUMP_EXTENSION, demuxAll, nalTypes } from './demux-helpers.js';

interface Case {
  video: VideoOption | null;
  audio: AudioOption | null;
  size?: string;
  chunk?: number;
}

const OUR_CODEC: Record<string, string> = { hevc: 'h265' };

const CASES: Case[] = [
  { video: 'h264', audio: 'aac' },
  { video: 'h264-bframes', audio: 'aac', size: '330x202', chunk: 1316 },
  { video: 'h265', audio: 'ac3', size: '330x202' },
  { video: 'mpeg2video', audio: 'mp2' },
  { video: 'mpeg2video', audio: 'ac3', chunk: 1000 },
  { video: 'h264', audio: 'eac3' },
  { video: null, audio: 'mp3' },
];

interface Fixture {
  file: string;
  bytes: Buffer;
  probed: ProbedStream[];
  probedPackets: Map<number, ProbedPacket[]>;
}

let dir: string;
const fixtures = new Map<Case, Fixture>();

before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-demux-sources-'));
  for (const c of CASES) {
    const options = { video: c.video, audio: c.audio, seconds: 2, ...(c.size ? { size: c.size } : {}) };
    const file = await makeTsFile(dir, options);
    fixtures.set(c, {
      file,
      bytes: await readFile(file),
      probed: await ffprobeCounts(file),
      probedPackets: await ffprobePackets(file),
    });
  }
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function assertKeyframeCarriesParameterSets(p: AVPacket): void {
  if (p.codec === 'h264') {
    const types = nalTypes('h264', p.data);
    const slice = types.indexOf(5);
    assert.ok(
      types.slice(0, slice).includes(7) && types.slice(0, slice).includes(8),
      `SPS+PPS before IDR: ${types}`,
    );
  } else if (p.codec === 'h265') {
    const types = nalTypes('h265', p.data);
    const slice = types.findIndex((t) => t >= 16 && t <= 23);
    for (const ps of [32, 33, 34])
      assert.ok(types.slice(0, slice).includes(ps), `VPS/SPS/PPS before IRAP: ${types}`);
  } else if (p.codec === 'mpeg2video') {
    assert.deepEqual([...p.data.subarray(0, 4)], [0, 0, 1, 0xb3], 'I picture starts with a sequence header');
  }
}

for (const c of CASES) {
  const name = `${c.video ?? 'no video'} + ${c.audio ?? 'no audio'}${c.size ? ` at ${c.size}` : ''}`;
  describe(`demux ${name} (chunks of ${c.chunk ?? 65536} bytes)`, () => {
    it('matches ffprobe: frames, keyframes and every PTS/DTS', () => {
      const f = fixtures.get(c)!;
      const { packets, demuxer } = demuxAll(f.bytes, {}, c.chunk ?? 65536);
      const tracks = byTrack(packets);
      assert.equal(tracks.size, f.probed.length);
      for (const s of f.probed) {
        const ours = tracks.get(s.pid!) ?? [];
        const theirs = f.probedPackets.get(s.index)!;
        assert.equal(ours.length, s.frames, `${s.codec} frames`);
        assert.ok(s.frames > 10);
        assert.deepEqual(
          ours.map((p) => [p.pts, p.dts]),
          theirs.map((p) => [p.pts, p.dts]),
          `${s.codec} timestamps`,
        );
        const codec = ours[0]!.codec;
        assert.equal(codec, OUR_CODEC[s.codec] ?? s.codec);
        if (VIDEO_CODECS.has(codec)) {
          assert.equal(ours.filter((p) => p.key).length, s.keyframes, 'keyframes');
          assert.deepEqual(
            ours.map((p) => p.key),
            theirs.map((p) => p.key),
          );
          for (const p of ours.filter((p) => p.key)) assertKeyframeCarriesParameterSets(p);
        } else {
          assert.ok(AUDIO_CODECS.has(codec));
          assert.ok(ours.every((p) => !p.key && p.pts === p.dts));
        }
        for (let i = 1; i < ours.length; i++) assert.ok(ours[i]!.dts > ours[i - 1]!.dts, 'DTS increases');
      }
      const stats = demuxer.stats;
      assert.equal(stats.tsPackets, f.bytes.length / 188);
      assert.equal(stats.accessUnits, packets.length);
      assert.deepEqual(
        [
          stats.ccErrors,
          stats.crcErrors,
          stats.resyncs,
          stats.malformed,
          stats.unknownStreams,
          stats.bufferedBytes,
        ],
        [0, 0, 0, 0, 0, 0],
      );
    });

    it('describes its tracks', () => {
      const f = fixtures.get(c)!;
      const { demuxer } = demuxAll(f.bytes);
      const [width, height] = (c.size ?? '320x240').split('x').map(Number);
      const expected = f.probed.map((s) => {
        const codec = OUR_CODEC[s.codec] ?? s.codec;
        return VIDEO_CODECS.has(codec as AVPacket['codec'])
          ? { trackId: s.pid, codec, width, height }
          : { trackId: s.pid, codec, sampleRate: 48000, channels: 2 };
      });
      assert.deepEqual(demuxer.tracks, expected);
      assert.deepEqual(demuxer.programs, [
        { program: 1, pmtPid: 0x1000, pcrPid: 0x100, pids: f.probed.map((s) => s.pid) },
      ]);
    });

    it('dumps elementary streams that ffprobe decodes frame for frame', async () => {
      const f = fixtures.get(c)!;
      const { packets } = demuxAll(f.bytes);
      for (const [trackId, list] of byTrack(packets)) {
        const probed = f.probed.find((s) => s.pid === trackId)!;
        const dump = join(dir, `dump-${trackId}-${probed.index}.${DUMP_EXTENSION[list[0]!.codec]}`);
        await writeFile(dump, Buffer.concat(list.map((p) => p.data)));
        const decoded = await ffprobeDecodedFrames(dump);
        assert.deepEqual(decoded, [probed.frames], `${dump} decodes`);
      }
    });
  });
}
