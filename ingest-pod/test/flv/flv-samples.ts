// A vocabulary of valid FLV tag bodies (every codec path of the converter), for the fuzz tests
// and the bench: mutated, shuffled and sequenced there.
import { FLV_TAG, type FlvTagType } from '../../src/flv/flv-tag.js';
import {
  AV1_SEQUENCE_HEADER,
  asc,
  audio,
  av1Config,
  avcConfig,
  CODEC_ID,
  concat,
  EX_PACKET,
  enhancedAudio,
  enhancedVideo,
  FRAME,
  H264_AUD,
  H264_IDR,
  H264_PPS,
  H264_SEI,
  H264_SLICE,
  H264_SPS_320,
  H264_SPS_640,
  HEVC_IDR,
  HEVC_PPS,
  HEVC_SPS,
  HEVC_TRAIL,
  HEVC_VPS,
  hevcConfig,
  legacyVideo,
  prefixed,
  SOUND,
  script,
} from './flv-builder.js';

export interface SampleBody {
  type: FlvTagType;
  data: Uint8Array;
}

const video = (data: Uint8Array): SampleBody => ({ type: FLV_TAG.video, data });
const sound = (data: Uint8Array): SampleBody => ({ type: FLV_TAG.audio, data });

const HEVC_SETS = [HEVC_VPS, HEVC_SPS, HEVC_PPS];
const av1Frame = (first: number) => Uint8Array.of(0x32, 0x03, first, 0xaa, 0xbb);

export const SAMPLE_BODIES: readonly SampleBody[] = [
  video(legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([H264_SPS_320], [H264_PPS]))),
  video(legacyVideo(CODEC_ID.avc, FRAME.key, 0, 0, avcConfig([H264_SPS_640], [H264_PPS], 2))),
  video(legacyVideo(CODEC_ID.avc, FRAME.key, 1, 80, prefixed([H264_AUD, H264_SEI, H264_IDR]))),
  video(legacyVideo(CODEC_ID.avc, FRAME.key, 1, 0, prefixed([H264_SPS_640, H264_PPS, H264_IDR]))),
  video(legacyVideo(CODEC_ID.avc, FRAME.inter, 1, -40, prefixed([H264_SLICE]))),
  video(legacyVideo(CODEC_ID.avc, FRAME.inter, 1, 40, prefixed([H264_SLICE], 2))),
  video(legacyVideo(CODEC_ID.avc, FRAME.key, 1, 0, concat([0, 0, 0, 1], H264_IDR))),
  video(legacyVideo(CODEC_ID.hevc, FRAME.key, 0, 0, hevcConfig(HEVC_SETS))),
  video(legacyVideo(CODEC_ID.hevc, FRAME.key, 1, 40, prefixed([HEVC_IDR]))),
  video(legacyVideo(CODEC_ID.hevc, FRAME.inter, 1, -40, prefixed([HEVC_TRAIL]))),
  video(enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'hvc1', hevcConfig(HEVC_SETS))),
  video(enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'hvc1', prefixed([HEVC_IDR]), -20)),
  video(enhancedVideo(FRAME.inter, EX_PACKET.codedFramesX, 'hvc1', prefixed([HEVC_TRAIL]))),
  video(enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'avc1', avcConfig([H264_SPS_320], [H264_PPS]))),
  video(enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'avc1', prefixed([H264_IDR]), 0)),
  video(enhancedVideo(FRAME.key, EX_PACKET.sequenceStart, 'av01', av1Config())),
  video(enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'av01', concat(AV1_SEQUENCE_HEADER, av1Frame(0x10)))),
  video(enhancedVideo(FRAME.key, EX_PACKET.codedFramesX, 'av01', av1Frame(0x10))),
  video(enhancedVideo(FRAME.inter, EX_PACKET.codedFramesX, 'av01', concat([0x12, 0], av1Frame(0x30)))),
  video(
    concat(
      [0x80 | (FRAME.key << 4) | EX_PACKET.modEx, 2, 0, 0, 1, EX_PACKET.codedFramesX],
      Buffer.from('avc1'),
      prefixed([H264_IDR]),
    ),
  ),
  video(Uint8Array.of((FRAME.key << 4) | CODEC_ID.vp6, 0, 1, 2)),
  video(enhancedVideo(FRAME.key, EX_PACKET.codedFrames, 'vp09', Uint8Array.of(1, 2))),
  video(Uint8Array.of(0x57, 0)),
  sound(audio(SOUND.aac, asc(2, { index: 3 }, 2), 0)),
  sound(audio(SOUND.aac, asc(2, 48000, 1), 0)),
  sound(audio(SOUND.aac, asc(36, { index: 3 }, 2), 0)),
  sound(audio(SOUND.aac, Uint8Array.of(0x21, 0x10, 0x04, 0x60, 0x8c, 0x1c), 1)),
  sound(audio(SOUND.mp3, concat([0xff, 0xfb, 0x90, 0x44], new Array(40).fill(0)))),
  sound(audio(SOUND.mp3_8k, Uint8Array.of(1, 2, 3))),
  sound(enhancedAudio(0, 'mp4a', asc(2, { index: 4 }, 2))),
  sound(enhancedAudio(1, 'mp4a', Uint8Array.of(1, 2, 3))),
  sound(enhancedAudio(1, 'Opus', Uint8Array.of(1, 2, 3))),
  sound(audio(SOUND.speex, Uint8Array.of(1))),
  { type: FLV_TAG.script, data: script(['onMetaData', { width: 320, height: 240, duration: 3 }]) },
  { type: FLV_TAG.script, data: script(['@setDataFrame', 'onMetaData', { framerate: 25 }]) },
];
