// Reading back what the RTMP push server relayed: FLV records (relay-wire) -> FlvTags -> packets.

import type { AVPacket } from '../../../src/avpacket.js';
import { FlvConverter } from '../../../src/flv/flv-converter.js';
import type { FlvTag, FlvTagType } from '../../../src/flv/flv-tag.js';
import { FLV_RECORD_HEADER_BYTES } from '../../../src/push-relay/relay-wire.js';

/** Splits a relayed byte stream (cut anywhere) into tags; throws on a torn or short record. */
export function decodeFlvRecords(chunks: readonly Uint8Array[]): FlvTag[] {
  const bytes = Buffer.concat(chunks);
  const tags: FlvTag[] = [];
  for (let at = 0; at < bytes.length; ) {
    if (bytes.length - at < FLV_RECORD_HEADER_BYTES) throw new Error(`torn record header at ${at}`);
    const type = bytes[at] as FlvTagType;
    const timestamp = bytes.readUInt32BE(at + 1);
    const size = bytes.readUInt32BE(at + 5);
    const start = at + FLV_RECORD_HEADER_BYTES;
    if (start + size > bytes.length) throw new Error(`torn record at ${at}`);
    tags.push({ type, timestamp, data: bytes.subarray(start, start + size) });
    at = start + size;
  }
  return tags;
}

export function convertTags(tags: readonly FlvTag[]): { packets: AVPacket[]; converter: FlvConverter } {
  const converter = new FlvConverter();
  const packets = tags.flatMap((tag) => converter.push(tag));
  return { packets, converter };
}
