// AV1 OBUs (AV1 bitstream spec §5.3): splitting a temporal unit, writing the low-overhead format
// (every OBU with obu_has_size_field), and the few header fields the converter needs.
import { BitReader } from '../mpegts/elementary/bit-reader.js';

export const OBU_SEQUENCE_HEADER = 1;
export const OBU_TEMPORAL_DELIMITER = 2;
export const OBU_FRAME_HEADER = 3;
export const OBU_FRAME = 6;

/** A temporal delimiter OBU with a zero size field: starts every temporal unit of the output. */
export const TEMPORAL_DELIMITER = Uint8Array.of((OBU_TEMPORAL_DELIMITER << 3) | 0x02, 0);

export interface Obu {
  type: number;
  /** obu_header (one or two bytes), as received. */
  header: Uint8Array;
  payload: Uint8Array;
}

/** OBUs of a temporal unit or of configOBUs, or why they cannot be read. */
export function splitObus(d: Uint8Array): Obu[] | string {
  const obus: Obu[] = [];
  let p = 0;
  while (p < d.length) {
    const h = d[p]!;
    if (h & 0x80) return 'AV1 OBU with the forbidden bit set';
    const headerEnd = p + 1 + ((h >> 2) & 1);
    if (headerEnd > d.length) return 'truncated AV1 OBU header';
    let q = headerEnd;
    let size = 0;
    if (h & 0x02) {
      let shift = 1;
      for (let i = 0; ; i++) {
        if (i === 8 || q >= d.length) return 'bad AV1 OBU size field';
        const byte = d[q++]!;
        size += (byte & 0x7f) * shift;
        shift *= 128;
        if ((byte & 0x80) === 0) break;
      }
    } else size = d.length - q;
    if (size > d.length - q) return 'AV1 OBU size beyond the tag';
    obus.push({ type: (h >> 3) & 0x0f, header: d.subarray(p, headerEnd), payload: d.subarray(q, q + size) });
    p = q + size;
  }
  return obus;
}

function leb128(value: number): number[] {
  const out: number[] = [];
  let v = value;
  do {
    const byte = v % 128;
    v = Math.floor(v / 128);
    out.push(v > 0 ? byte | 0x80 : byte);
  } while (v > 0);
  return out;
}

/** The OBUs in low-overhead format, after `prefix` (already complete OBUs). */
export function writeObus(prefix: readonly Uint8Array[], obus: readonly Obu[]): Uint8Array {
  const sizes = obus.map((o) => leb128(o.payload.length));
  let total = 0;
  for (const b of prefix) total += b.length;
  obus.forEach((o, i) => {
    total += o.header.length + sizes[i]!.length + o.payload.length;
  });
  const out = new Uint8Array(total);
  let at = 0;
  for (const b of prefix) {
    out.set(b, at);
    at += b.length;
  }
  obus.forEach((o, i) => {
    out.set(o.header, at);
    out[at] = o.header[0]! | 0x02;
    at += o.header.length;
    out.set(sizes[i]!, at);
    at += sizes[i]!.length;
    out.set(o.payload, at);
    at += o.payload.length;
  });
  return out;
}

export interface Av1SequenceInfo {
  /** Every frame is a key frame and the frame header has no show_existing_frame/frame_type. */
  reducedStillPictureHeader: boolean;
  width: number;
  height: number;
}

/** sequence_header_obu() up to max_frame_height_minus_1; null when it runs out of bits. */
export function readSequenceHeader(payload: Uint8Array): Av1SequenceInfo | null {
  const r = new BitReader(payload);
  r.skip(4); // seq_profile, still_picture
  const reduced = r.flag();
  if (reduced)
    r.skip(5); // seq_level_idx[0]
  else {
    let bufferDelayBits = 0;
    let decoderModelInfo = false;
    if (r.flag()) {
      r.skip(64); // num_units_in_display_tick, time_scale
      if (r.flag()) r.ue(); // equal_picture_interval: num_ticks_per_picture_minus_1 (uvlc)
      decoderModelInfo = r.flag();
      if (decoderModelInfo) {
        bufferDelayBits = r.bits(5) + 1;
        r.skip(32 + 5 + 5); // num_units_in_decoding_tick, two length fields
      }
    }
    const initialDisplayDelay = r.flag();
    const operatingPoints = r.bits(5) + 1;
    for (let i = 0; i < operatingPoints && !r.overrun; i++) {
      r.skip(12); // operating_point_idc
      if (r.bits(5) > 7) r.skip(1); // seq_level_idx, seq_tier
      if (decoderModelInfo && r.flag()) r.skip(2 * bufferDelayBits + 1);
      if (initialDisplayDelay && r.flag()) r.skip(4);
    }
  }
  const widthBits = r.bits(4) + 1;
  const heightBits = r.bits(4) + 1;
  const width = r.bits(widthBits) + 1;
  const height = r.bits(heightBits) + 1;
  return r.overrun ? null : { reducedStillPictureHeader: reduced, width, height };
}

/** Whether the frame header at the start of a FRAME or FRAME_HEADER payload is a new key frame. */
export function isKeyFrameHeader(payload: Uint8Array, reducedStillPictureHeader: boolean): boolean {
  if (reducedStillPictureHeader) return true;
  const first = payload[0] ?? 0xff;
  // show_existing_frame = 0 and frame_type = KEY_FRAME (0)
  return (first & 0xe0) === 0;
}
