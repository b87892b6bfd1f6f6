// The first bytes of an FLV video tag body: legacy (frame type + codec id, AVC/HEVC packet type,
// composition time) or Enhanced RTMP (IsExHeader bit, packet type, ModEx prefixes, FourCC).
import { fourccText, skipModEx } from './enhanced-rtmp.js';

export type FlvVideoCodec = 'h264' | 'h265' | 'av1';

export type VideoTagHeader =
  /** Decoder configuration record: AVCDecoderConfigurationRecord, HEVC…, AV1CodecConfigurationRecord. */
  | { kind: 'config'; codec: FlvVideoCodec; body: Uint8Array }
  /** One access unit; `cts` is the signed composition time offset in milliseconds. */
  | { kind: 'frame'; codec: FlvVideoCodec; key: boolean; cts: number; body: Uint8Array }
  /** Carries no media and changes nothing here: command frames, sequence end, metadata. */
  | { kind: 'ignored' }
  | { kind: 'unsupported'; codec: string }
  | { kind: 'malformed'; detail: string };

const LEGACY_CODEC_NAMES: Record<number, string> = {
  1: 'jpeg',
  2: 'sorenson-h263',
  3: 'screen-video',
  4: 'vp6',
  5: 'vp6-alpha',
  6: 'screen-video-2',
};
const CODEC_AVC = 7;
/** Not in the Adobe spec: the id Chinese CDNs use for HEVC. */
const CODEC_HEVC = 12;

const FRAME_KEY = 1;
/** "Generated keyframe": a server-made seek point, decodable like a keyframe. */
const FRAME_GENERATED_KEY = 4;
/** Video info / command frame: one command byte, no picture. */
const FRAME_COMMAND = 5;

const LEGACY_SEQUENCE_HEADER = 0;
const LEGACY_NALU = 1;
const LEGACY_END_OF_SEQUENCE = 2;

const PACKET = {
  sequenceStart: 0,
  codedFrames: 1,
  sequenceEnd: 2,
  codedFramesX: 3,
  metadata: 4,
  mpeg2tsSequenceStart: 5,
  multitrack: 6,
} as const;
const MULTITRACK_MANY_CODECS = 2;

const FOURCC_CODECS: Record<string, FlvVideoCodec> = { avc1: 'h264', hvc1: 'h265', av01: 'av1' };

const IGNORED: VideoTagHeader = { kind: 'ignored' };

function malformed(detail: string): VideoTagHeader {
  return { kind: 'malformed', detail };
}

function isKey(frameType: number): boolean {
  return frameType === FRAME_KEY || frameType === FRAME_GENERATED_KEY;
}

/** Signed 24-bit big-endian: composition offsets can be negative. */
export function readSi24(d: Uint8Array, p: number): number {
  const v = (d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!;
  return v & 0x800000 ? v - 0x1000000 : v;
}

function readLegacy(d: Uint8Array): VideoTagHeader {
  const frameType = d[0]! >> 4;
  const codecId = d[0]! & 0x0f;
  if (frameType === FRAME_COMMAND) return IGNORED;
  const codec = codecId === CODEC_AVC ? 'h264' : codecId === CODEC_HEVC ? 'h265' : undefined;
  if (codec === undefined) {
    return { kind: 'unsupported', codec: LEGACY_CODEC_NAMES[codecId] ?? `flv video codec ${codecId}` };
  }
  if (d.length < 5) return malformed(`${codec} video tag of ${d.length} bytes`);
  const body = d.subarray(5);
  switch (d[1]) {
    case LEGACY_SEQUENCE_HEADER:
      return { kind: 'config', codec, body };
    case LEGACY_NALU:
      return { kind: 'frame', codec, key: isKey(frameType), cts: readSi24(d, 2), body };
    case LEGACY_END_OF_SEQUENCE:
      return IGNORED;
    default:
      return malformed(`${codec} packet type ${d[1]}`);
  }
}

function readEnhanced(d: Uint8Array): VideoTagHeader {
  const frameType = (d[0]! >> 4) & 0x07;
  const header = skipModEx(d, 1, d[0]! & 0x0f);
  if (header === null) return malformed('truncated ModEx video header');
  let p = header.p;
  const packetType = header.packetType;
  if (frameType === FRAME_COMMAND && packetType !== PACKET.metadata) return IGNORED;
  if (packetType === PACKET.multitrack) {
    const many = (d[p] ?? 0) >> 4 === MULTITRACK_MANY_CODECS;
    return { kind: 'unsupported', codec: many ? 'multitrack video' : `multitrack ${fourccText(d, p + 1)}` };
  }
  if (p + 4 > d.length) return malformed('truncated enhanced video header');
  const fourcc = fourccText(d, p);
  p += 4;
  const codec = FOURCC_CODECS[fourcc];
  if (codec === undefined) return { kind: 'unsupported', codec: `fourcc ${fourcc}` };
  switch (packetType) {
    case PACKET.sequenceStart:
      return { kind: 'config', codec, body: d.subarray(p) };
    case PACKET.codedFrames: {
      // Only AVC and HEVC carry a composition time; AV1 has no reordering offset in FLV.
      if (codec === 'av1')
        return { kind: 'frame', codec, key: isKey(frameType), cts: 0, body: d.subarray(p) };
      if (p + 3 > d.length) return malformed(`${codec} coded frames without composition time`);
      return { kind: 'frame', codec, key: isKey(frameType), cts: readSi24(d, p), body: d.subarray(p + 3) };
    }
    case PACKET.codedFramesX:
      return { kind: 'frame', codec, key: isKey(frameType), cts: 0, body: d.subarray(p) };
    case PACKET.sequenceEnd:
    case PACKET.metadata:
    // The AV1 video descriptor of MPEG-2 TS: nothing a decoder needs beyond the in-band OBUs.
    case PACKET.mpeg2tsSequenceStart:
      return IGNORED;
    default:
      return malformed(`enhanced video packet type ${packetType}`);
  }
}

/** Reads the header of a video tag body; total (never throws). */
export function readVideoTagHeader(d: Uint8Array): VideoTagHeader {
  if (d.length === 0) return malformed('empty video tag');
  return d[0]! & 0x80 ? readEnhanced(d) : readLegacy(d);
}
