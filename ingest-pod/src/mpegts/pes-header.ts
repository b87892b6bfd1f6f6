// PES packet header (ISO/IEC 13818-1 §2.4.3.6): where the payload starts, its size, PTS and DTS.

export interface PesHeader {
  /** Header bytes before the elementary-stream payload. */
  headerBytes: number;
  /** Payload bytes announced by PES_packet_length, or -1 for an unsized (video) PES. */
  payloadBytes: number;
  /** Raw 33-bit values, -1 when absent. */
  pts: number;
  dts: number;
}

/** Stream ids whose PES has no optional header (program_stream_map, padding, private_stream_2, …). */
function hasOptionalHeader(streamId: number): boolean {
  return !(
    streamId === 0xbc ||
    streamId === 0xbe ||
    streamId === 0xbf ||
    streamId === 0xf0 ||
    streamId === 0xf1 ||
    streamId === 0xf2 ||
    streamId === 0xf8 ||
    streamId === 0xff
  );
}

function readTimestamp(d: Uint8Array, p: number): number {
  // 3 + 15 + 15 bits with marker bits between; the top 3 bits go through a multiply to stay exact.
  return (
    ((d[p]! >> 1) & 0x07) * 0x40000000 +
    ((d[p + 1]! << 22) | ((d[p + 2]! >> 1) << 15) | (d[p + 3]! << 7) | (d[p + 4]! >> 1))
  );
}

/** Bytes needed before the header can be parsed: 9, or 9 + PES_header_data_length. */
export function pesHeaderLength(d: Uint8Array, start: number, available: number): number {
  if (available < 9) return 9;
  return hasOptionalHeader(d[start + 3]!) ? 9 + d[start + 8]! : 6;
}

/** Parses a complete header; returns a reason string when it is not a PES header. */
export function parsePesHeader(d: Uint8Array, start: number): PesHeader | string {
  if (d[start] !== 0 || d[start + 1] !== 0 || d[start + 2] !== 1) return 'PES start code missing';
  const packetLength = (d[start + 4]! << 8) | d[start + 5]!;
  let headerBytes = 6;
  let pts = -1;
  let dts = -1;
  if (hasOptionalHeader(d[start + 3]!)) {
    if ((d[start + 6]! & 0xc0) !== 0x80) return 'PES header marker bits wrong';
    headerBytes = 9 + d[start + 8]!;
    const flags = d[start + 7]! >> 6;
    if (flags === 1) return 'PES PTS_DTS_flags forbidden value';
    if (flags >= 2) {
      if (headerBytes < 14) return 'PES header too short for PTS';
      pts = readTimestamp(d, start + 9);
      dts = pts;
    }
    if (flags === 3) {
      if (headerBytes < 19) return 'PES header too short for DTS';
      dts = readTimestamp(d, start + 14);
    }
  }
  let payloadBytes = -1;
  if (packetLength > 0) {
    payloadBytes = packetLength + 6 - headerBytes;
    if (payloadBytes < 0) return 'PES_packet_length shorter than its header';
  }
  return { headerBytes, payloadBytes, pts, dts };
}
