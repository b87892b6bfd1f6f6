// Real peer: FLV files written by ffmpeg, read with our file reader + converter, against
// `ffprobe -show_packets` on the same file; then the Annex B / ADTS / MP3 output must decode
// cleanly with ffmpeg, frame for frame.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { FlvConverter } from '../../src/flv/flv-converter.js';
import { readFlvFile } from '../../src/flv/flv-file.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { ffmpegDecodeErrors, makeFlvFile } from '../support/flv-media.js';
import { ffprobeCounts, ffprobeDecodedFrames, ffprobePackets, type ProbedPacket } from '../support/media.js';
import { concat } from './flv-builder.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-flv-oracle-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function convert(tags: FlvTag[]) {
  const converter = new FlvConverter();
  const packets = tags.flatMap((t) => converter.push(t));
  return { converter, packets };
}

/** ffprobe's packets by codec name (FLV time base is 1 ms). */
async function probe(file: string): Promise<Map<string, ProbedPacket[]>> {
  const streams = await ffprobeCounts(file);
  const packets = await ffprobePackets(file);
  return new Map(streams.map((s) => [s.codec, packets.get(s.index) ?? []]));
}

function assertSameTimeline(ours: AVPacket[], theirs: ProbedPacket[], offsetMs: number, keys: boolean): void {
  assert.equal(ours.length, theirs.length, 'packet count');
  const expect = theirs.map((p) => [(p.dts! + offsetMs) * 90, (p.pts! + offsetMs) * 90, keys && p.key]);
  assert.deepEqual(
    ours.map((p) => [p.dts, p.pts, keys && p.key]),
    expect,
  );
}

async function dump(name: string, packets: AVPacket[]): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, concat(...packets.map((p) => p.data)));
  return file;
}

async function assertDecodes(file: string, frames: number): Promise<void> {
  assert.equal(await ffmpegDecodeErrors(file), '', `${file} decodes without errors`);
  assert.deepEqual(await ffprobeDecodedFrames(file), [frames], `${file} decodes to every frame`);
}

describe('FLV converter against ffprobe (ffmpeg-written FLV)', () => {
  it('H.264 with B-frames + AAC: same packets, keyframes and pts/dts; both dumps decode', async () => {
    const file = await makeFlvFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
    const { reader, tags } = readFlvFile(await readFile(file));
    assert.equal(reader.error, undefined);
    const { converter, packets } = convert(tags);
    const probed = await probe(file);
    const video = packets.filter((p) => p.codec === 'h264');
    const audio = packets.filter((p) => p.codec === 'aac');
    assertSameTimeline(video, probed.get('h264')!, 0, true);
    assertSameTimeline(audio, probed.get('aac')!, 0, false);
    assert.ok(
      video.some((p) => p.pts !== p.dts),
      'B-frames give composition offsets',
    );
    assert.deepEqual(converter.tracks, [
      { trackId: 0, codec: 'h264', width: 320, height: 240 },
      { trackId: 1, codec: 'aac', sampleRate: 48000, channels: 2 },
    ]);
    assert.equal(converter.metadata?.width, 320);
    assert.deepEqual(
      { ...converter.stats, tags: 0, packets: 0 },
      {
        tags: 0,
        packets: 0,
        audioBeforeConfig: 0,
        keyframesWithoutParameterSets: 0,
        videoBeforeKeyframe: 0,
        unsupported: 0,
        malformed: 0,
        parameterSetsRefused: 0,
      },
    );
    await assertDecodes(await dump('bframes.h264', video), video.length);
    await assertDecodes(await dump('bframes.aac', audio), audio.length);
  });

  it('H.264 + MP3: MP3 frames pass through and decode', async () => {
    const file = await makeFlvFile(dir, { video: 'h264', audio: 'mp3', seconds: 2 });
    const { packets, converter } = convert(readFlvFile(await readFile(file)).tags);
    const probed = await probe(file);
    const video = packets.filter((p) => p.codec === 'h264');
    const audio = packets.filter((p) => p.codec === 'mp3');
    assertSameTimeline(video, probed.get('h264')!, 0, true);
    assertSameTimeline(audio, probed.get('mp3')!, 0, false);
    assert.deepEqual(converter.tracks[1], { trackId: 1, codec: 'mp3', sampleRate: 44100, channels: 2 });
    await assertDecodes(await dump('plain.h264', video), video.length);
    await assertDecodes(await dump('audio.mp3', audio), audio.length);
  });

  it('the same real stream re-stamped to cross 2^32 ms keeps one continuous timeline', async () => {
    const file = await makeFlvFile(dir, { video: 'h264-bframes', audio: 'aac', seconds: 3 });
    const offset = 2 ** 32 - 1500;
    const tags = readFlvFile(await readFile(file)).tags.map((t) => ({
      ...t,
      timestamp: (t.timestamp + offset) % 2 ** 32,
    }));
    assert.ok(tags.some((t) => t.timestamp < 5000) && tags.some((t) => t.timestamp > 2 ** 32 - 5000));
    const { packets } = convert(tags);
    const probed = await probe(file);
    assertSameTimeline(
      packets.filter((p) => p.codec === 'h264'),
      probed.get('h264')!,
      offset,
      true,
    );
    assertSameTimeline(
      packets.filter((p) => p.codec === 'aac'),
      probed.get('aac')!,
      offset,
      false,
    );
  });
});
