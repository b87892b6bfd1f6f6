// The PES header (ISO/IEC 13818-1 §2.4.3.6) in front of each access unit: PTS always, DTS when it
// differs from PTS.
import { writePesTimestamp } from './timestamps.js';

/** Start code, stream_id, length, flags and PTS + DTS. */
export const MAX_PES_HEADER = 19;
const MAX_PES_PACKET_LENGTH = 0xffff;

/**
 * Writes the header at head[0..) for `payloadLength` bytes of payload and returns its length.
 * PES_packet_length is 0 (unbounded) when the PES is too long to state it; the standard allows
 * that for video only, and nothing but video gets that large.
 */
export function writePesHeader(
  head: Uint8Array,
  streamId: number,
  pts: number,
  dts: number,
  payloadLength: number,
): number {
  const withDts = dts !== pts;
  const dataLength = withDts ? 10 : 5;
  const packetLength = 3 + dataLength + payloadLength;
  const length = packetLength > MAX_PES_PACKET_LENGTH ? 0 : packetLength;
  head[0] = 0;
  head[1] = 0;
  head[2] = 1;
  head[3] = streamId;
  head[4] = length >> 8;
  head[5] = length & 0xff;
  head[6] = 0x84; // '10', data_alignment_indicator: every PES starts with an access unit
  head[7] = withDts ? 0xc0 : 0x80; // PTS_DTS_flags
  head[8] = dataLength;
  writePesTimestamp(head, 9, withDts ? 0b0011 : 0b0010, pts);
  if (withDts) writePesTimestamp(head, 14, 0b0001, dts);
  return 9 + dataLength;
}
