// HEVC and AV1 from real encoders. ffmpeg 5.1's FLV muxer refuses both ("codec not compatible
// with flv"), so the media comes from libx265 (via MPEG-TS and our demuxer) and libaom (raw
// OBUs), and the FLV framing is built here: HEVC as legacy codec id 12 and as Enhanced hvc1,
// AV1 as Enhanced av01. The converter's output must keep every frame, timestamp and keyframe,
// and decode cleanly with ffmpeg.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { AVPacket } from '../../src/avpacket.js';
import { OBU_SEQUENCE_HEADER, type Obu, splitObus, writeObus } from '../../src/flv/av1-obu.js';
import { FlvConverter } from '../../src/flv/flv-converter.js';
import type { FlvTag } from '../../src/flv/flv-tag.js';
import { nextStartCode, trimTrailingZeros } from '../../src/mpegts/elementary/start-codes.js';
import { createTsDemuxer } from '../../src/mpegts/index.js';
import { ffmpegDecodeErrors, ffprobePacketSpans, makeAv1ObuFile } from '../support/flv-media.js';
import { ffprobeDecodedFrames, makeTsFile } from '../support/media.js';
import {
  av1Config,
  CODEC_ID,
  concat,
  EX_PACKET,
  enhancedVideo,
  FRAME,
  hevcConfig,
  legacyVideo,
  prefixed,
  videoTag,
} from './flv-builder.js';

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tributary-flv-encoders-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function annexBUnits(d: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let at = nextStartCode(d, 0, d.length);
  while (at >= 0) {
    const next = nextStartCode(d, at + 3, d.length);
    units.push(d.subarray(at + 3, trimTrailingZeros(d, at + 3, next < 0 ? d.length : next)));
    at = next;
  }
  return units;
}

const hevcType = (u: Uint8Array) => (u[0]! >> 1) & 0x3f;
const isParameterSet = (u: Uint8Array) => hevcType(u) >= 32 && hevcType(u) <= 34;

async function assertDecodes(name: string, packets: AVPacket[], format?: string): Promise<void> {
  const file = join(dir, name);
  await writeFile(file, concat(...packets.map((p) => p.data)));
  assert.equal(await ffmpegDecodeErrors(file, format), '', `${name} decodes without errors`);
  assert.deepEqual(await ffprobeDecodedFrames(file), [packets.length], `${name} decodes to every frame`);
}

describe('FLV HEVC from libx265', () => {
  let source: AVPacket[];
  before(async () => {
    const ts = await makeTsFile(dir, { video: 'h265', audio: null, seconds: 2 });
    const demuxer = createTsDemuxer();
    source = [...demuxer.push(await readFile(ts)), ...demuxer.flush()];
    assert.ok(
      source.every((p) => p.dts % 90 === 0 && p.pts % 90 === 0),
      'whole milliseconds',
    );
    assert.ok(
      source.some((p) => p.pts !== p.dts),
      'x265 reorders frames',
    );
  });

  /** The stream as FLV tags: sets in a sequence header only, frames with their composition time. */
  function flvTags(enhanced: boolean): FlvTag[] {
    const firstKey = annexBUnits(source.find((p) => p.key)!.data);
    const record = hevcConfig(firstKey.filter(isParameterSet));
    const tags = [
      videoTag(
        0,
        enhanced
          ? enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'hvc1', record)
          : legacyVideo(CODEC_ID.hevc, FRAME.key, 0, 0, record),
      ),
    ];
    for (const p of source) {
      const body = prefixed(annexBUnits(p.data).filter((u) => !isParameterSet(u)));
      const frameType = p.key ? FRAME.key : FRAME.inter;
      const cts = (p.pts - p.dts) / 90;
      tags.push(
        videoTag(
          p.dts / 90,
          enhanced
            ? enhancedVideo(frameType, EX_PACKET.codedFrames, 'hvc1', body, cts)
            : legacyVideo(CODEC_ID.hevc, frameType, 1, cts, body),
        ),
      );
    }
    return tags;
  }

  for (const enhanced of [false, true]) {
    it(`${enhanced ? 'Enhanced hvc1' : 'legacy codec id 12'}: every frame, timestamp and keyframe; decodes`, async () => {
      const converter = new FlvConverter();
      const packets = flvTags(enhanced).flatMap((t) => converter.push(t));
      assert.deepEqual(
        packets.map((p) => [p.codec, p.dts, p.pts, p.key]),
        source.map((p) => ['h265', p.dts, p.pts, p.key]),
      );
      assert.deepEqual(converter.tracks, [{ trackId: 0, codec: 'h265', width: 320, height: 240 }]);
      await assertDecodes(enhanced ? 'enhanced.hevc' : 'legacy.hevc', packets);
    });
  }
});

describe('FLV AV1 from libaom', () => {
  let units: { obus: Obu[]; key: boolean }[];
  before(async () => {
    const file = await makeAv1ObuFile(dir, { seconds: 2 });
    const bytes = await readFile(file);
    units = (await ffprobePacketSpans(file)).map((s) => {
      const obus = splitObus(bytes.subarray(s.pos, s.pos + s.size));
      assert.ok(typeof obus !== 'string', String(obus));
      return { obus: obus.filter((o) => o.type !== 2), key: s.key };
    });
  });

  for (const inBand of [true, false]) {
    it(`${inBand ? 'sequence header in band' : 'sequence header from the record only'}: every temporal unit; decodes`, async () => {
      const header = units[0]!.obus.find((o) => o.type === OBU_SEQUENCE_HEADER)!;
      const tags = [
        videoTag(
          0,
          enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'av01', av1Config(writeObus([], [header]))),
        ),
      ];
      units.forEach((u, i) => {
        const obus = inBand ? u.obus : u.obus.filter((o) => o.type !== OBU_SEQUENCE_HEADER);
        const frameType = u.key ? FRAME.key : FRAME.inter;
        tags.push(
          videoTag(i * 40, enhancedVideo(frameType, EX_PACKET.codedFrames, 'av01', writeObus([], obus))),
        );
      });
      const converter = new FlvConverter();
      const packets = tags.flatMap((t) => converter.push(t));
      assert.deepEqual(
        packets.map((p) => [p.codec, p.dts, p.key]),
        units.map((u, i) => ['av1', i * 3600, u.key]),
      );
      assert.deepEqual(converter.tracks, [{ trackId: 0, codec: 'av1', width: 160, height: 120 }]);
      await assertDecodes(inBand ? 'inband.obu' : 'record.obu', packets, 'obu');
    });
  }
});
