// Builds RTP v2 packets for the depacketizer tests.

export interface RtpFields {
  sequence: number;
  timestamp: number;
  marker?: boolean;
  payloadType?: number;
  ssrc?: number;
  csrc?: number;
  extensionWords?: number;
  padding?: number;
}

export function rtpPacket(payload: Uint8Array, f: RtpFields): Uint8Array {
  const csrc = f.csrc ?? 0;
  const ext = f.extensionWords;
  const pad = f.padding ?? 0;
  const header = 12 + 4 * csrc + (ext !== undefined ? 4 + 4 * ext : 0);
  const out = new Uint8Array(header + payload.length + pad).fill(0xaa);
  out[0] = 0x80 | (pad > 0 ? 0x20 : 0) | (ext !== undefined ? 0x10 : 0) | csrc;
  out[1] = (f.marker ? 0x80 : 0) | (f.payloadType ?? 96);
  const view = new DataView(out.buffer);
  view.setUint16(2, f.sequence & 0xffff);
  view.setUint32(4, f.timestamp >>> 0);
  view.setUint32(8, f.ssrc ?? 0x1234abcd);
  if (ext !== undefined) view.setUint16(12 + 4 * csrc + 2, ext);
  out.set(payload, header);
  if (pad > 0) out[out.length - 1] = pad;
  return out;
}

export const bytes = (...values: number[]) => Uint8Array.from(values);

/** A NAL unit of `size` bytes: the header bytes given, then a filler pattern. */
export function nal(header: number[], size: number): Uint8Array {
  const out = new Uint8Array(size);
  out.set(header);
  for (let i = header.length; i < size; i++) out[i] = (i * 7 + 3) & 0xff || 1;
  return out;
}

/** STAP-A / AP body: header bytes, then each unit behind its 16-bit size. */
export function aggregate(header: number[], units: Uint8Array[]): Uint8Array {
  const parts: Uint8Array[] = [Uint8Array.from(header)];
  for (const u of units) parts.push(bytes(u.length >> 8, u.length & 0xff), u);
  return Buffer.concat(parts);
}

/** Annex B with 4-byte start codes. */
export function annexB(units: Uint8Array[]): Uint8Array {
  return Buffer.concat(units.flatMap((u) => [bytes(0, 0, 0, 1), u]));
}

/** FU-A packets for an H.264 unit: indicator (NRI kept, type 28), FU header, then a slice of the body. */
export function fuA(unit: Uint8Array, pieces: number): Uint8Array[] {
  const body = unit.subarray(1);
  const step = Math.ceil(body.length / pieces);
  const out: Uint8Array[] = [];
  for (let i = 0; i < pieces; i++) {
    const fu = (i === 0 ? 0x80 : 0) | (i === pieces - 1 ? 0x40 : 0) | (unit[0]! & 0x1f);
    out.push(Buffer.concat([bytes((unit[0]! & 0xe0) | 28, fu), body.subarray(i * step, (i + 1) * step)]));
  }
  return out;
}

/** H.265 FU packets: payload header type 49, FU header with the unit type. */
export function fu265(unit: Uint8Array, pieces: number): Uint8Array[] {
  const body = unit.subarray(2);
  const step = Math.ceil(body.length / pieces);
  const type = (unit[0]! >> 1) & 0x3f;
  const out: Uint8Array[] = [];
  for (let i = 0; i < pieces; i++) {
    const fu = (i === 0 ? 0x80 : 0) | (i === pieces - 1 ? 0x40 : 0) | type;
    out.push(
      Buffer.concat([
        bytes((unit[0]! & 0x81) | (49 << 1), unit[1]!, fu),
        body.subarray(i * step, (i + 1) * step),
      ]),
    );
  }
  return out;
}
