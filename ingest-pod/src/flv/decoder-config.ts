// AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3) and HEVCDecoderConfigurationRecord
// (§8.3.3): the NAL unit length size and the parameter sets an FLV sequence header carries.
import { nextStartCode, trimTrailingZeros } from '../mpegts/elementary/start-codes.js';

export interface NalDecoderConfig {
  /** Bytes of the length prefix in front of every NAL unit of the frames (1 to 4). */
  lengthSize: number;
  /** The NAL units of the record (parameter sets, maybe SEI), each without a prefix. */
  units: Uint8Array[];
}

/** Bounds what one record may hold; real records are well under 1 KiB. */
export const MAX_CONFIG_UNITS = 64;
export const MAX_CONFIG_BYTES = 64 * 1024;

const AVC_HEADER = 5;
const HEVC_HEADER = 22;

class UnitList {
  readonly units: Uint8Array[] = [];
  private bytes = 0;
  error: string | undefined;

  add(unit: Uint8Array): void {
    if (unit.length === 0) return;
    this.bytes += unit.length;
    if (this.units.length >= MAX_CONFIG_UNITS || this.bytes > MAX_CONFIG_BYTES) {
      this.error ??= `decoder configuration over ${MAX_CONFIG_UNITS} units or ${MAX_CONFIG_BYTES} bytes`;
      return;
    }
    this.units.push(unit);
  }

  /** `count` units, each with a 16-bit length, from d[p]; returns the offset after them or -1. */
  readSized(d: Uint8Array, p: number, count: number): number {
    for (let i = 0; i < count; i++) {
      if (p + 2 > d.length) return -1;
      const size = (d[p]! << 8) | d[p + 1]!;
      if (p + 2 + size > d.length) return -1;
      this.add(d.slice(p + 2, p + 2 + size));
      p += 2 + size;
    }
    return p;
  }
}

function startsWithStartCode(d: Uint8Array): boolean {
  return d[0] === 0 && d[1] === 0 && (d[2] === 1 || (d[2] === 0 && d[3] === 1));
}

/** Some encoders send their parameter sets as Annex B instead of a record. */
function readAnnexB(d: Uint8Array): NalDecoderConfig | string {
  const list = new UnitList();
  let unit = nextStartCode(d, 0, d.length);
  while (unit >= 0) {
    const next = nextStartCode(d, unit + 3, d.length);
    list.add(d.slice(unit + 3, trimTrailingZeros(d, unit + 3, next < 0 ? d.length : next)));
    unit = next;
  }
  return list.error ?? { lengthSize: 4, units: list.units };
}

function finish(list: UnitList, end: number, lengthSize: number, name: string): NalDecoderConfig | string {
  if (end < 0) return `truncated ${name}`;
  return list.error ?? { lengthSize, units: list.units };
}

export function readAvcConfig(d: Uint8Array): NalDecoderConfig | string {
  if (startsWithStartCode(d)) return readAnnexB(d);
  if (d.length < AVC_HEADER + 1) return `AVCDecoderConfigurationRecord of ${d.length} bytes`;
  const lengthSize = (d[4]! & 0x03) + 1;
  const list = new UnitList();
  let p = list.readSized(d, AVC_HEADER + 1, d[AVC_HEADER]! & 0x1f);
  if (p >= 0 && p < d.length) p = list.readSized(d, p + 1, d[p]!);
  else p = -1;
  // Anything after the PPS (the High-profile chroma fields, SPS extensions) is not needed.
  return finish(list, p, lengthSize, 'AVCDecoderConfigurationRecord');
}

export function readHevcConfig(d: Uint8Array): NalDecoderConfig | string {
  if (startsWithStartCode(d)) return readAnnexB(d);
  if (d.length < HEVC_HEADER + 1) return `HEVCDecoderConfigurationRecord of ${d.length} bytes`;
  const lengthSize = (d[21]! & 0x03) + 1;
  const list = new UnitList();
  let p = HEVC_HEADER + 1;
  for (let a = 0; a < d[HEVC_HEADER]! && p >= 0; a++) {
    // array_completeness / NAL_unit_type: the units say their own type
    p = p + 3 <= d.length ? list.readSized(d, p + 3, (d[p + 1]! << 8) | d[p + 2]!) : -1;
  }
  return finish(list, p, lengthSize, 'HEVCDecoderConfigurationRecord');
}
