// Crafted FLV tags and files for the converter tests: decoder configuration records, legacy and
// Enhanced RTMP video/audio headers, script data, and an FLV file writer.
import { type Amf0Value, encodeAmf0 } from '../../src/amf0/amf0.js';
import { FLV_TAG, type FlvTag, type FlvTagType } from '../../src/flv/flv-tag.js';

export function hex(s: string): Uint8Array {
  return Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
}

export function concat(...parts: (Uint8Array | number[])[]): Uint8Array {
  return Uint8Array.from(Buffer.concat(parts.map((p) => Uint8Array.from(p))));
}

/** x264, 320x240 and 640x360 baseline; one PPS fits both. */
export const H264_SPS_320 = hex('6742c00dda0507ec0440000003004000000c83c50aa8');
export const H264_SPS_640 = hex('6742c01eda0280bfe5c044000003000400000300c83c58ba80');
export const H264_PPS = hex('68ce0fc8');
export const H264_IDR = hex('6588840037ffbf');
export const H264_SLICE = hex('419a2236');
export const H264_AUD = hex('09f0');
export const H264_SEI = hex('0605ff01');
/** x265, 352x288. */
export const HEVC_VPS = hex('40010c01ffff01600000030090000003000003003c959409');
export const HEVC_SPS = hex(
  '42010101600000030090000003000003003ca00b080485965654a4c2f0168080000003008000000c84',
);
export const HEVC_PPS = hex('4401c073c189');
export const HEVC_IDR = hex('2801ac7448b8');
export const HEVC_TRAIL = hex('0201d00a2233');
/** libaom, 160x120: a sequence header OBU (with size field). */
export const AV1_SEQUENCE_HEADER = hex('0a0a00000003b4ff736be401');

export function u16(v: number): number[] {
  return [(v >> 8) & 0xff, v & 0xff];
}

function si24(v: number): number[] {
  const u = v < 0 ? v + 0x1000000 : v;
  return [(u >> 16) & 0xff, (u >> 8) & 0xff, u & 0xff];
}

/** NAL units, each behind a big-endian length of `size` bytes. */
export function prefixed(units: readonly Uint8Array[], size = 4): Uint8Array {
  const parts: number[][] = [];
  for (const u of units) {
    const len: number[] = [];
    for (let i = size - 1; i >= 0; i--) len.push(Math.floor(u.length / 256 ** i) & 0xff);
    parts.push(len, [...u]);
  }
  return concat(...parts);
}

export function avcConfig(
  sps: readonly Uint8Array[],
  pps: readonly Uint8Array[],
  lengthSize = 4,
): Uint8Array {
  const first = sps[0] ?? H264_SPS_320;
  return concat(
    [1, first[1]!, first[2]!, first[3]!, 0xfc | (lengthSize - 1), 0xe0 | sps.length],
    ...sps.flatMap((u) => [u16(u.length), [...u]]),
    [pps.length],
    ...pps.flatMap((u) => [u16(u.length), [...u]]),
  );
}

/** One array per NAL unit type, in the order given. */
export function hevcConfig(units: readonly Uint8Array[], lengthSize = 4): Uint8Array {
  const header = [1, 0x01, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 0x3c, 0xf0, 0, 0xfc, 0xfd, 0xf8, 0xf8, 0, 0];
  return concat(
    header,
    [0x0c | (lengthSize - 1), units.length],
    ...units.flatMap((u) => [[0x80 | ((u[0]! >> 1) & 0x3f)], u16(1), u16(u.length), [...u]]),
  );
}

export function av1Config(configObus: Uint8Array = AV1_SEQUENCE_HEADER): Uint8Array {
  return concat([0x81, 0x00, 0x0c, 0x00], configObus);
}

export const FRAME = { key: 1, inter: 2, command: 5 } as const;
export const CODEC_ID = { avc: 7, hevc: 12, vp6: 4, sorenson: 2 } as const;

/** Legacy video body: frame type / codec id, AVC packet type, SI24 composition time. */
export function legacyVideo(
  codecId: number,
  frameType: number,
  packetType: number,
  cts: number,
  body: Uint8Array,
) {
  return concat([(frameType << 4) | codecId, packetType], si24(cts), body);
}

export const EX_PACKET = {
  sequenceStart: 0,
  codedFrames: 1,
  sequenceEnd: 2,
  codedFramesX: 3,
  metadata: 4,
  mpeg2tsSequenceStart: 5,
  multitrack: 6,
  modEx: 7,
} as const;

/** Enhanced RTMP video body; `cts` is written only when given (CodedFrames of avc1/hvc1). */
export function enhancedVideo(
  frameType: number,
  packetType: number,
  fourcc: string,
  body: Uint8Array,
  cts?: number,
) {
  return concat(
    [0x80 | (frameType << 4) | packetType],
    [...Buffer.from(fourcc, 'latin1')],
    cts === undefined ? [] : si24(cts),
    body,
  );
}

export const SOUND = { mp3: 2, nellymoser: 6, alaw: 7, aac: 10, speex: 11, mp3_8k: 14, exHeader: 9 } as const;

/** Legacy audio body: sound format, 44 kHz, 16-bit, stereo; AAC adds its packet type. */
export function audio(format: number, body: Uint8Array, aacPacketType?: number): Uint8Array {
  const first = (format << 4) | 0x0f;
  return concat(aacPacketType === undefined ? [first] : [first, aacPacketType], body);
}

export function enhancedAudio(packetType: number, fourcc: string, body: Uint8Array): Uint8Array {
  return concat([(SOUND.exHeader << 4) | packetType], [...Buffer.from(fourcc, 'latin1')], body);
}

/** AudioSpecificConfig with the escapes written out when the values need them. */
export function asc(objectType: number, sampleRate: number | { index: number }, channelConfig: number) {
  const bits: [number, number][] = [];
  if (objectType >= 31) bits.push([31, 5], [objectType - 32, 6]);
  else bits.push([objectType, 5]);
  if (typeof sampleRate === 'number') bits.push([15, 4], [sampleRate, 24]);
  else bits.push([sampleRate.index, 4]);
  bits.push([channelConfig, 4], [0, 3]);
  let s = '';
  for (const [v, n] of bits) s += v.toString(2).padStart(n, '0');
  s = s.padEnd(Math.ceil(s.length / 8) * 8, '0');
  return Uint8Array.from(s.match(/.{8}/g)!.map((b) => Number.parseInt(b, 2)));
}

export function script(values: Amf0Value[]): Uint8Array {
  return encodeAmf0(values);
}

export function tag(type: FlvTagType, timestamp: number, data: Uint8Array): FlvTag {
  return { type, timestamp, data };
}

export const videoTag = (timestamp: number, data: Uint8Array) => tag(FLV_TAG.video, timestamp, data);
export const audioTag = (timestamp: number, data: Uint8Array) => tag(FLV_TAG.audio, timestamp, data);

/** A whole FLV file: 9-byte header, then PreviousTagSize + 11-byte header + body per tag. */
export function writeFlvFile(tags: readonly FlvTag[], headerSize = 9): Uint8Array {
  const parts: number[][] = [
    [0x46, 0x4c, 0x56, 1, 0x05, 0, 0, 0, headerSize],
    new Array(headerSize - 9).fill(0),
  ];
  let previous = 0;
  for (const t of tags) {
    const size = t.data.length;
    const ts = t.timestamp >>> 0;
    parts.push(
      [previous >>> 24, (previous >> 16) & 0xff, (previous >> 8) & 0xff, previous & 0xff],
      [t.type, (size >> 16) & 0xff, (size >> 8) & 0xff, size & 0xff],
      [(ts >> 16) & 0xff, (ts >> 8) & 0xff, ts & 0xff, ts >>> 24, 0, 0, 0],
      [...t.data],
    );
    previous = 11 + size;
  }
  parts.push([previous >>> 24, (previous >> 16) & 0xff, (previous >> 8) & 0xff, previous & 0xff]);
  return concat(...parts);
}

/** The NAL units of an Annex B access unit (split at 4-byte start codes, as the converter writes them). */
export function annexBUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  let start = -1;
  for (let i = 0; i + 3 < data.length; i++) {
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 0 && data[i + 3] === 1) {
      if (start >= 0) units.push(data.subarray(start, i));
      start = i + 4;
      i += 3;
    }
  }
  if (start >= 0) units.push(data.subarray(start));
  return units;
}
