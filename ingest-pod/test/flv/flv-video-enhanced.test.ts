// HEVC (legacy codec id 12 and Enhanced RTMP hvc1), Enhanced avc1 and av01, ModEx prefixes, and
// video the converter cannot carry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { splitObus } from '../../src/flv/av1-obu.js';
import {
  AV1_SEQUENCE_HEADER,
  annexBUnits,
  av1Config,
  avcConfig,
  CODEC_ID,
  concat,
  EX_PACKET,
  enhancedVideo,
  FRAME,
  H264_IDR,
  H264_PPS,
  H264_SPS_320,
  HEVC_IDR,
  HEVC_PPS,
  HEVC_SPS,
  HEVC_TRAIL,
  HEVC_VPS,
  hevcConfig,
  legacyVideo,
  prefixed,
  videoTag,
} from './flv-builder.js';
import { runConverter } from './run-converter.js';

const hexOf = (u: Uint8Array) => Buffer.from(u).toString('hex');
const unitsOf = (d: Uint8Array) => annexBUnits(d).map(hexOf);
const HEVC_SETS = [HEVC_VPS, HEVC_SPS, HEVC_PPS];

describe('FLV HEVC', () => {
  it('reads legacy codec id 12 like AVC, with VPS/SPS/PPS in front of keyframes', () => {
    const run = runConverter(
      videoTag(0, legacyVideo(CODEC_ID.hevc, FRAME.key, 0, 0, hevcConfig(HEVC_SETS))),
      videoTag(0, legacyVideo(CODEC_ID.hevc, FRAME.key, 1, 40, prefixed([HEVC_IDR]))),
      videoTag(40, legacyVideo(CODEC_ID.hevc, FRAME.inter, 1, -40, prefixed([HEVC_TRAIL]))),
    );
    assert.deepEqual(run.converter.tracks, [{ trackId: 0, codec: 'h265', width: 352, height: 288 }]);
    assert.deepEqual(
      run.packets.map((p) => [p.codec, p.key, p.dts, p.pts]),
      [
        ['h265', true, 0, 3600],
        ['h265', false, 3600, 0],
      ],
    );
    assert.deepEqual(unitsOf(run.packets[0]!.data), [...HEVC_SETS, HEVC_IDR].map(hexOf));
    assert.deepEqual(unitsOf(run.packets[1]!.data), [hexOf(HEVC_TRAIL)]);
  });

  it('reads Enhanced RTMP hvc1: CodedFrames with a composition time, CodedFramesX without', () => {
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'hvc1', hevcConfig(HEVC_SETS))),
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'hvc1', prefixed([HEVC_IDR]), -20)),
      videoTag(40, enhancedVideo(FRAME.inter, EX_PACKET.codedFramesX, 'hvc1', prefixed([HEVC_TRAIL]))),
      videoTag(40, enhancedVideo(FRAME.inter, EX_PACKET.sequenceEnd, 'hvc1', new Uint8Array(0))),
    );
    assert.deepEqual(
      run.packets.map((p) => [p.key, p.dts, p.pts]),
      [
        [true, 0, -1800],
        [false, 3600, 3600],
      ],
    );
    assert.deepEqual(unitsOf(run.packets[0]!.data), [...HEVC_SETS, HEVC_IDR].map(hexOf));
    assert.equal(run.converter.stats.malformed, 0);
  });

  it('refreshes the HEVC cache from sets sent in a frame', () => {
    const run = runConverter(
      videoTag(
        0,
        enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'hvc1', prefixed([...HEVC_SETS, HEVC_IDR])),
      ),
      videoTag(40, enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'hvc1', prefixed([HEVC_IDR]))),
    );
    assert.deepEqual(unitsOf(run.packets[1]!.data), [...HEVC_SETS, HEVC_IDR].map(hexOf));
  });

  it('reads Enhanced avc1 and skips ModEx prefixes', () => {
    const modEx = (inner: number, data: number[]) => [
      0x80 | (FRAME.key << 4) | EX_PACKET.modEx,
      data.length - 1,
      ...data,
      (0 << 4) | inner,
    ];
    const body = prefixed([H264_IDR]);
    const run = runConverter(
      videoTag(
        0,
        enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'avc1', avcConfig([H264_SPS_320], [H264_PPS])),
      ),
      videoTag(0, concat(modEx(EX_PACKET.codedFrames, [0, 1, 2]), Buffer.from('avc1'), [0, 0, 40], body)),
    );
    assert.deepEqual(
      run.packets.map((p) => [p.codec, p.key, p.pts]),
      [['h264', true, 3600]],
    );
    assert.deepEqual(unitsOf(run.packets[0]!.data), [H264_SPS_320, H264_PPS, H264_IDR].map(hexOf));
  });

  it('ignores metadata, command frames and the MPEG-2 TS sequence start', () => {
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.metadata, 'hvc1', Uint8Array.of(2, 0, 0))),
      videoTag(0, Uint8Array.of(0x80 | (FRAME.command << 4) | EX_PACKET.codedFrames, 1)),
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.mpeg2tsSequenceStart, 'av01', Uint8Array.of(0x80, 4))),
    );
    assert.equal(run.packets.length, 0);
    assert.equal(run.converter.stats.malformed, 0);
  });
});

describe('FLV AV1 (Enhanced RTMP av01)', () => {
  const frameObu = (first: number) => Uint8Array.of(0x32, 0x03, first, 0xaa, 0xbb); // OBU_FRAME, 3 bytes
  const keyFrame = frameObu(0x10); // show_existing_frame 0, frame_type KEY_FRAME
  const interFrame = frameObu(0x30); // frame_type INTER_FRAME

  it('puts a temporal delimiter first and the sequence header before keyframes', () => {
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'av01', av1Config())),
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'av01', keyFrame)),
      videoTag(40, enhancedVideo(FRAME.inter, EX_PACKET.codedFramesX, 'av01', concat([0x12, 0], interFrame))),
    );
    assert.deepEqual(run.converter.tracks, [{ trackId: 0, codec: 'av1', width: 160, height: 120 }]);
    assert.deepEqual(
      run.packets.map((p) => [p.codec, p.key, p.dts, p.pts]),
      [
        ['av1', true, 0, 0],
        ['av1', false, 3600, 3600],
      ],
    );
    assert.equal(hexOf(run.packets[0]!.data), `1200${hexOf(AV1_SEQUENCE_HEADER)}${hexOf(keyFrame)}`);
    assert.equal(hexOf(run.packets[1]!.data), `1200${hexOf(interFrame)}`);
  });

  it('writes a size field into OBUs that came without one', () => {
    const unsized = Uint8Array.of(0x30, 0x10, 1, 2, 3); // OBU_FRAME, no size field: runs to the end
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'av01', av1Config())),
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'av01', unsized)),
    );
    const obus = splitObus(run.packets[0]!.data);
    assert.ok(typeof obus !== 'string');
    assert.deepEqual(
      obus.map((o) => [o.type, o.header[0]! & 0x02, o.payload.length]),
      [
        [2, 2, 0],
        [1, 2, 10],
        [6, 2, 4],
      ],
    );
  });

  it('drops keyframes before any sequence header, counting them', () => {
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'av01', keyFrame)),
      videoTag(
        40,
        enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'av01', concat(AV1_SEQUENCE_HEADER, keyFrame)),
      ),
    );
    assert.equal(run.packets.length, 1);
    assert.equal(run.converter.stats.keyframesWithoutParameterSets, 1);
    assert.deepEqual(run.events, [{ type: 'keyframe-without-parameter-sets', codec: 'av1' }]);
  });

  it('counts OBUs whose size runs past the tag', () => {
    const run = runConverter(
      videoTag(0, enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'av01', Uint8Array.of(0x32, 9, 1))),
    );
    assert.equal(run.converter.stats.malformed, 1);
  });
});

describe('FLV video the converter cannot carry', () => {
  it('reports each unsupported codec once, counts every tag, and clears when a supported one comes', () => {
    const run = runConverter(
      videoTag(0, Uint8Array.of((FRAME.key << 4) | CODEC_ID.vp6, 0, 1, 2)),
      videoTag(40, Uint8Array.of((FRAME.inter << 4) | CODEC_ID.vp6, 0, 1, 2)),
      videoTag(80, enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'vp09', Uint8Array.of(1, 2))),
      videoTag(
        120,
        Uint8Array.of(0x80 | (FRAME.key << 4) | EX_PACKET.multitrack, 0x00, ...Buffer.from('hvc1')),
      ),
    );
    assert.deepEqual(run.events, [
      { type: 'unsupported', media: 'video', codec: 'vp6' },
      { type: 'unsupported', media: 'video', codec: 'fourcc vp09' },
      { type: 'unsupported', media: 'video', codec: 'multitrack hvc1' },
    ]);
    assert.equal(run.converter.stats.unsupported, 4);
    assert.deepEqual(run.converter.unsupportedTracks, [{ media: 'video', codec: 'multitrack hvc1' }]);
    assert.equal(run.converter.tracks.length, 0);
    run.push(
      videoTag(160, legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([H264_SPS_320], [H264_PPS]))),
    );
    assert.deepEqual(run.converter.unsupportedTracks, []);
    assert.equal(run.converter.tracks[0]?.codec, 'h264');
  });

  it('names Sorenson H.263 and unknown legacy ids', () => {
    const run = runConverter(videoTag(0, Uint8Array.of(0x22, 0)), videoTag(0, Uint8Array.of(0x2e, 0)));
    assert.deepEqual(
      run.events.map((e) => (e.type === 'unsupported' ? e.codec : e.type)),
      ['sorenson-h263', 'flv video codec 14'],
    );
  });
});
