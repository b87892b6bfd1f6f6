// Shared by the muxer tests: mux a packet list, and read TS packets back field by field.
import type { AVPacket } from '../../src/avpacket.js';
import { type MuxTrack, TsMuxer } from '../../src/mpegts-mux/index.js';

/** Tables, then every AU (the `discontinuity` set marks the first AU of a new session). */
export function muxAll(
  tracks: readonly MuxTrack[],
  packets: readonly AVPacket[],
  discontinuityAt: ReadonlySet<number> = new Set(),
): { bytes: Buffer; muxer: TsMuxer } {
  const muxer = new TsMuxer(tracks);
  const chunks: Uint8Array[] = [muxer.tables()];
  packets.forEach((p, i) => {
    chunks.push(muxer.accessUnit(p, { discontinuity: discontinuityAt.has(i) }));
  });
  return { bytes: Buffer.concat(chunks), muxer };
}

export interface ParsedTsPacket {
  pid: number;
  unitStart: boolean;
  cc: number;
  hasPayload: boolean;
  /** adaptation_field_length + 1, or 0 without an adaptation field. */
  adaptationBytes: number;
  discontinuity: boolean;
  randomAccess: boolean;
  /** PCR base in 90 kHz ticks, or -1. */
  pcr: number;
  payload: Buffer;
  raw: Buffer;
}

/** Every 188-byte packet of `bytes`, which must be whole aligned packets. */
export function parseTs(bytes: Uint8Array): ParsedTsPacket[] {
  if (bytes.length % 188 !== 0) throw new Error(`${bytes.length} bytes are not whole TS packets`);
  const out: ParsedTsPacket[] = [];
  for (let at = 0; at < bytes.length; at += 188) {
    const p = Buffer.from(bytes.buffer, bytes.byteOffset + at, 188);
    if (p[0] !== 0x47) throw new Error(`no sync byte at ${at}`);
    const hasAf = (p[3]! & 0x20) !== 0;
    const adaptationBytes = hasAf ? p[4]! + 1 : 0;
    const flags = hasAf && p[4]! > 0 ? p[5]! : 0;
    let pcr = -1;
    if (flags & 0x10) pcr = p.readUInt32BE(6) * 2 + (p[10]! >> 7);
    out.push({
      pid: ((p[1]! & 0x1f) << 8) | p[2]!,
      unitStart: (p[1]! & 0x40) !== 0,
      cc: p[3]! & 0x0f,
      hasPayload: (p[3]! & 0x10) !== 0,
      adaptationBytes,
      discontinuity: (flags & 0x80) !== 0,
      randomAccess: (flags & 0x40) !== 0,
      pcr,
      payload: p.subarray(4 + adaptationBytes),
      raw: p,
    });
  }
  return out;
}

/** Payloads of one PID joined: whole PES packets or pointer_field + sections. */
export function pidPayload(packets: readonly ParsedTsPacket[], pid: number): Buffer {
  return Buffer.concat(packets.filter((p) => p.pid === pid).map((p) => p.payload));
}

/** A minimal AU of `codec` on `trackId`. */
export function au(
  trackId: number,
  codec: AVPacket['codec'],
  pts: number,
  data: Uint8Array,
  extra: Partial<AVPacket> = {},
): AVPacket {
  return { codec, trackId, pts, dts: pts, key: false, data, ...extra };
}
