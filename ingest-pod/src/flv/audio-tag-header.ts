// The first bytes of an FLV audio tag body: legacy (sound format, rate, size, channels, AAC
// packet type) or Enhanced RTMP audio (sound format 9: packet type, ModEx prefixes, FourCC).
import { fourccText, skipModEx } from './enhanced-rtmp.js';

export type AudioTagHeader =
  | { kind: 'aac-config'; body: Uint8Array }
  | { kind: 'aac'; body: Uint8Array }
  /** MPEG audio frames; rate and channels from the FLV header, used when the frame header is unreadable. */
  | { kind: 'mp3'; body: Uint8Array; sampleRate: number; channels: number }
  | { kind: 'ignored' }
  | { kind: 'unsupported'; codec: string }
  | { kind: 'malformed'; detail: string };

const FORMAT_NAMES: Record<number, string> = {
  0: 'lpcm',
  1: 'adpcm',
  3: 'lpcm-le',
  4: 'nellymoser-16k',
  5: 'nellymoser-8k',
  6: 'nellymoser',
  7: 'g711-alaw',
  8: 'g711-mulaw',
  11: 'speex',
  15: 'device-specific',
};
const FORMAT_MP3 = 2;
const FORMAT_EX_HEADER = 9;
const FORMAT_AAC = 10;
const FORMAT_MP3_8K = 14;
const FLV_RATES = [5512, 11025, 22050, 44100];

const AAC_SEQUENCE_HEADER = 0;
const AAC_RAW = 1;

const PACKET = { sequenceStart: 0, codedFrames: 1, multitrack: 5 } as const;

function malformed(detail: string): AudioTagHeader {
  return { kind: 'malformed', detail };
}

function readEnhanced(d: Uint8Array): AudioTagHeader {
  const header = skipModEx(d, 1, d[0]! & 0x0f);
  if (header === null) return malformed('truncated ModEx audio header');
  const { p, packetType } = header;
  if (packetType === PACKET.multitrack) {
    const many = (d[p] ?? 0) >> 4 === 2;
    return { kind: 'unsupported', codec: many ? 'multitrack audio' : `multitrack ${fourccText(d, p + 1)}` };
  }
  if (p + 4 > d.length) return malformed('truncated enhanced audio header');
  const fourcc = fourccText(d, p);
  const body = d.subarray(p + 4);
  const known = fourcc === 'mp4a' || fourcc === '.mp3';
  if (!known) return { kind: 'unsupported', codec: `fourcc ${fourcc}` };
  if (packetType === PACKET.sequenceStart) {
    return fourcc === 'mp4a' ? { kind: 'aac-config', body } : { kind: 'ignored' };
  }
  // Sequence end and multichannel configuration change nothing an ADTS or MP3 stream carries.
  if (packetType !== PACKET.codedFrames) return { kind: 'ignored' };
  return fourcc === 'mp4a' ? { kind: 'aac', body } : { kind: 'mp3', body, sampleRate: 0, channels: 0 };
}

/** Reads the header of an audio tag body; total (never throws). */
export function readAudioTagHeader(d: Uint8Array): AudioTagHeader {
  if (d.length === 0) return malformed('empty audio tag');
  const format = d[0]! >> 4;
  switch (format) {
    case FORMAT_EX_HEADER:
      return readEnhanced(d);
    case FORMAT_AAC:
      if (d.length < 2) return malformed('AAC audio tag without packet type');
      if (d[1] === AAC_SEQUENCE_HEADER) return { kind: 'aac-config', body: d.subarray(2) };
      if (d[1] === AAC_RAW) return { kind: 'aac', body: d.subarray(2) };
      return malformed(`AAC packet type ${d[1]}`);
    case FORMAT_MP3:
    case FORMAT_MP3_8K: {
      const channels = (d[0]! & 0x01) + 1;
      const sampleRate = format === FORMAT_MP3_8K ? 8000 : FLV_RATES[(d[0]! >> 2) & 0x03]!;
      return { kind: 'mp3', body: d.subarray(1), sampleRate, channels };
    }
    default:
      return { kind: 'unsupported', codec: FORMAT_NAMES[format] ?? `flv sound format ${format}` };
  }
}
