// A tiny MPEG-TS writer for crafted test streams: PSI sections, PES with PTS/DTS, control over
// continuity counters and adaptation-field flags. Test-only; real sources come from ffmpeg.
import { crc32Mpeg } from '../../src/mpegts/crc32.js';

export const PACKET = 188;

export interface PacketOptions {
  /** Sets discontinuity_indicator on the first packet. */
  discontinuity?: boolean;
  /** Force the continuity counter of the first packet. */
  cc?: number;
  /** Put at most this many payload bytes in the first packet (the rest is adaptation stuffing). */
  firstPayload?: number;
}

export class TsWriter {
  private readonly counters = new Map<number, number>();
  private readonly packets: Uint8Array[] = [];

  /** Splits `data` over TS packets of `pid`; the first one has payload_unit_start_indicator. */
  payload(pid: number, data: Uint8Array, unitStart: boolean, options: PacketOptions = {}): this {
    let pos = 0;
    let first = true;
    while (first || pos < data.length) {
      const pkt = new Uint8Array(PACKET).fill(0xff);
      let remaining = data.length - pos;
      if (first && options.firstPayload !== undefined) remaining = Math.min(remaining, options.firstPayload);
      const flags = first && options.discontinuity ? 0x80 : 0;
      let afLength = -1;
      if (flags) afLength = Math.max(1, 183 - remaining);
      else if (remaining < 184) afLength = 183 - remaining;
      const n = PACKET - 4 - (afLength >= 0 ? 1 + afLength : 0);
      let cc = ((this.counters.get(pid) ?? -1) + 1) & 0x0f;
      if (first && options.cc !== undefined) cc = options.cc;
      this.counters.set(pid, cc);
      pkt[0] = 0x47;
      pkt[1] = (first && unitStart ? 0x40 : 0) | ((pid >> 8) & 0x1f);
      pkt[2] = pid & 0xff;
      pkt[3] = (afLength >= 0 ? 0x30 : 0x10) | cc;
      if (afLength >= 0) {
        pkt[4] = afLength;
        if (afLength > 0) pkt[5] = flags;
      }
      pkt.set(data.subarray(pos, pos + n), PACKET - n);
      this.packets.push(pkt);
      pos += n;
      first = false;
    }
    return this;
  }

  /** One PSI/private section on its own (pointer_field 0). */
  section(pid: number, section: Uint8Array, options: PacketOptions = {}): this {
    const data = new Uint8Array(section.length + 1);
    data.set(section, 1);
    return this.payload(pid, data, true, options);
  }

  pes(pid: number, es: Uint8Array, pes: PesOptions, options: PacketOptions = {}): this {
    return this.payload(pid, pesPacket(es, pes), true, options);
  }

  raw(bytes: Uint8Array): this {
    this.packets.push(bytes);
    return this;
  }

  bytes(): Uint8Array {
    return Buffer.concat(this.packets);
  }
}

export interface PesOptions {
  streamId: number;
  pts?: number;
  dts?: number;
  /** Write PES_packet_length (default: sized for audio stream ids, unsized for video). */
  sized?: boolean;
}

function timestamp(prefix: number, ts: number): number[] {
  const high = Math.floor(ts / 2 ** 30) & 7;
  const low = ts % 2 ** 30;
  return [
    (prefix << 4) | (high << 1) | 1,
    (low >> 22) & 0xff,
    ((low >> 14) & 0xfe) | 1,
    (low >> 7) & 0xff,
    ((low << 1) & 0xfe) | 1,
  ];
}

export function pesPacket(es: Uint8Array, o: PesOptions): Uint8Array {
  const fields: number[] = [];
  let flags = 0;
  if (o.pts !== undefined && o.dts !== undefined && o.dts !== o.pts) {
    flags = 0xc0;
    fields.push(...timestamp(3, o.pts), ...timestamp(1, o.dts));
  } else if (o.pts !== undefined) {
    flags = 0x80;
    fields.push(...timestamp(2, o.pts));
  }
  const sized = o.sized ?? (o.streamId & 0xf0) !== 0xe0;
  const length = sized ? 3 + fields.length + es.length : 0;
  if (length > 0xffff) throw new Error('PES too long to be sized');
  const header = [0, 0, 1, o.streamId, length >> 8, length & 0xff, 0x80, flags, fields.length, ...fields];
  return Buffer.concat([Uint8Array.from(header), es]);
}

/** Appends the CRC_32 to a section whose section_length already counts it. */
export function withCrc(body: number[]): Uint8Array {
  const bytes = Uint8Array.from([...body, 0, 0, 0, 0]);
  const crc = crc32Mpeg(bytes, 0, bytes.length - 4);
  bytes.set([crc >>> 24, (crc >>> 16) & 0xff, (crc >>> 8) & 0xff, crc & 0xff], bytes.length - 4);
  return bytes;
}

function longSection(tableId: number, idExtension: number, version: number, rest: number[]): Uint8Array {
  const sectionLength = 5 + rest.length + 4;
  return withCrc([
    tableId,
    0xb0 | (sectionLength >> 8),
    sectionLength & 0xff,
    idExtension >> 8,
    idExtension & 0xff,
    0xc1 | (version << 1),
    0,
    0,
    ...rest,
  ]);
}

export function patSection(programs: { program: number; pmtPid: number }[], version = 0): Uint8Array {
  const rest = programs.flatMap((p) => [
    p.program >> 8,
    p.program & 0xff,
    0xe0 | (p.pmtPid >> 8),
    p.pmtPid & 0xff,
  ]);
  return longSection(0x00, 1, version, rest);
}

export interface PmtEntry {
  streamType: number;
  pid: number;
  descriptors?: number[];
}

export function pmtSection(program: number, pcrPid: number, streams: PmtEntry[], version = 0): Uint8Array {
  const rest = [0xe0 | (pcrPid >> 8), pcrPid & 0xff, 0xf0, 0];
  for (const s of streams) {
    const d = s.descriptors ?? [];
    rest.push(s.streamType, 0xe0 | (s.pid >> 8), s.pid & 0xff, 0xf0 | (d.length >> 8), d.length & 0xff, ...d);
  }
  return longSection(0x02, program, version, rest);
}

/** A splice_info_section with a splice_null command (and `padding` descriptor-loop bytes). */
export function scte35Section(ptsAdjustment = 0, padding = 0): Uint8Array {
  const body = [
    0x00, // protocol_version
    (ptsAdjustment / 2 ** 32) & 1,
    (ptsAdjustment >>> 24) & 0xff,
    (ptsAdjustment >>> 16) & 0xff,
    (ptsAdjustment >>> 8) & 0xff,
    ptsAdjustment & 0xff,
    0x00, // cw_index
    0xff, // tier 0xfff, splice_command_length 0
    0xf0,
    0x00,
    0x00, // splice_command_type splice_null
    padding >> 8,
    padding & 0xff,
    ...new Array<number>(padding).fill(0x41),
  ];
  const sectionLength = body.length + 4;
  return withCrc([0xfc, 0x30 | (sectionLength >> 8), sectionLength & 0xff, ...body]);
}
