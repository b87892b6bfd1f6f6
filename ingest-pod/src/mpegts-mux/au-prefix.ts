// Bytes the TS mapping wants in front of an access unit that the AVPacket does not carry:
// an access unit delimiter for H.264/H.265 (ISO/IEC 13818-1 §2.14 requires one per AU; RTMP and
// RTSP sources send none) and the Opus control header (au_size coded in 255-steps), as ffmpeg's
// mpegts muxer writes them.
import type { Codec } from '../avpacket.js';

const H264_AUD = [0, 0, 0, 1, 0x09, 0xf0]; // primary_pic_type 7: any slice type
const H265_AUD = [0, 0, 0, 1, 0x46, 0x01, 0x50]; // pic_type 2: any slice type
const H264_NAL_AUD = 9;
const H265_NAL_AUD = 35;

/** NAL unit type of the first unit of an Annex B access unit, or -1. */
function firstNalType(codec: 'h264' | 'h265', data: Uint8Array): number {
  let i = 0;
  while (i < data.length && data[i] === 0) i++;
  if (i < 2 || data[i] !== 1 || i + 1 >= data.length) return -1;
  const header = data[i + 1]!;
  return codec === 'h264' ? header & 0x1f : (header >> 1) & 0x3f;
}

/** Bytes `writePrefix` puts in front of `data`. */
export function prefixLength(codec: Codec, data: Uint8Array): number {
  switch (codec) {
    case 'h264':
      return firstNalType(codec, data) === H264_NAL_AUD ? 0 : H264_AUD.length;
    case 'h265':
      return firstNalType(codec, data) === H265_NAL_AUD ? 0 : H265_AUD.length;
    case 'opus':
      return 2 + Math.floor(data.length / 255) + 1;
    default:
      return 0;
  }
}

/** Writes the prefix (prefixLength bytes) at out[at..). */
export function writePrefix(
  codec: Codec,
  data: Uint8Array,
  length: number,
  out: Uint8Array,
  at: number,
): void {
  if (length === 0) return;
  if (codec === 'h264') out.set(H264_AUD, at);
  else if (codec === 'h265') out.set(H265_AUD, at);
  else if (codec === 'opus') {
    out[at] = 0x7f; // control_header_prefix (11 bits of 1) ...
    out[at + 1] = 0xe0; // ... then start_trim_flag, end_trim_flag, control_extension_flag: 0
    let n = data.length;
    let p = at + 2;
    for (;;) {
      const b = Math.min(n, 255);
      out[p++] = b;
      n -= 255;
      if (b < 255) break;
    }
  }
}
