// Hand-made RTMP chunks for the demuxer tests: any fmt, any chunk stream id, optional extended timestamp.

export interface ChunkHeader {
  fmt: 0 | 1 | 2 | 3;
  csid: number;
  /** Timestamp (fmt 0) or delta (fmt 1, 2); from 0xffffff up it goes into the extended field. */
  time?: number;
  length?: number;
  typeId?: number;
  streamId?: number;
  /** fmt 3 only: the 4-byte extended timestamp it repeats. */
  extended?: number;
}

function basic(fmt: number, csid: number): number[] {
  if (csid < 64) return [(fmt << 6) | csid];
  if (csid < 320) return [fmt << 6, csid - 64];
  return [(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >> 8];
}

function u24(v: number): number[] {
  return [(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

function u32(v: number): number[] {
  return [(v >>> 24) & 0xff, (v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff];
}

export function chunk(h: ChunkHeader, payload: Uint8Array | number[] = []): Uint8Array {
  const out = basic(h.fmt, h.csid);
  const time = h.time ?? 0;
  const extended = h.fmt < 3 && time >= 0xffffff;
  if (h.fmt <= 2) out.push(...u24(extended ? 0xffffff : time));
  if (h.fmt <= 1) out.push(...u24(h.length ?? payload.length), h.typeId ?? 9);
  if (h.fmt === 0) {
    const id = h.streamId ?? 1;
    out.push(id & 0xff, (id >> 8) & 0xff, (id >> 16) & 0xff, (id >>> 24) & 0xff);
  }
  if (extended) out.push(...u32(time));
  if (h.fmt === 3 && h.extended !== undefined) out.push(...u32(h.extended));
  return Uint8Array.from([...out, ...payload]);
}

export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function filled(length: number, seed = 1): Uint8Array {
  return Uint8Array.from({ length }, (_, i) => (i * 31 + seed) & 0xff);
}

/** A Set Chunk Size message on chunk stream 2. */
export function setChunkSize(size: number): Uint8Array {
  return chunk({ fmt: 0, csid: 2, typeId: 1, streamId: 0 }, u32(size));
}
