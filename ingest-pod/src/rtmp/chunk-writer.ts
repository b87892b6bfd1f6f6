/** Chunk stream ids we send on: protocol control must use 2; commands conventionally use 3. */
export const CHUNK_STREAM = { control: 2, command: 3 } as const;

export interface OutgoingMessage {
  chunkStreamId: number;
  typeId: number;
  streamId: number;
  timestamp: number;
  payload: Uint8Array;
}

function basicHeader(fmt: number, id: number): number[] {
  if (id < 2 || id > 65599) throw new RangeError(`chunk stream id ${id} is outside 2-65599`);
  if (id < 64) return [(fmt << 6) | id];
  if (id < 320) return [fmt << 6, id - 64];
  return [(fmt << 6) | 1, (id - 64) & 0xff, (id - 64) >> 8];
}

/**
 * One message as chunks: a type 0 header, then type 3 headers every `chunkSize` payload bytes.
 * Timestamps from 0xffffff up go in the extended field, repeated on every type 3 chunk as the
 * spec (and ffmpeg's reader) expect. We only send small commands and control messages, so
 * always using type 0 costs nothing worth saving.
 */
export function encodeChunks(message: OutgoingMessage, chunkSize: number): Uint8Array {
  const { payload } = message;
  if (payload.length > 0xffffff) throw new RangeError('RTMP messages are at most 16 MiB - 1');
  const timestamp = message.timestamp >>> 0;
  const extended = timestamp >= 0xffffff;
  const first = basicHeader(0, message.chunkStreamId);
  const next = basicHeader(3, message.chunkStreamId);
  const chunks = Math.max(1, Math.ceil(payload.length / chunkSize));
  const ext = extended ? 4 : 0;
  const size = first.length + 11 + ext + (chunks - 1) * (next.length + ext) + payload.length;
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  out.set(first, 0);
  let at = first.length;
  const field = extended ? 0xffffff : timestamp;
  out.set([field >> 16, (field >> 8) & 0xff, field & 0xff], at);
  out.set([payload.length >> 16, (payload.length >> 8) & 0xff, payload.length & 0xff], at + 3);
  out[at + 6] = message.typeId;
  view.setUint32(at + 7, message.streamId, true); // the one little-endian field of RTMP
  at += 11;
  for (let offset = 0; ; ) {
    if (extended) {
      view.setUint32(at, timestamp);
      at += 4;
    }
    const n = Math.min(chunkSize, payload.length - offset);
    out.set(payload.subarray(offset, offset + n), at);
    at += n;
    offset += n;
    if (offset >= payload.length) break;
    out.set(next, at);
    at += next.length;
  }
  return out;
}
