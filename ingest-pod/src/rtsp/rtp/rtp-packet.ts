// RTP v2 fixed header (RFC 3550 §5.1): CSRC list, header extension and padding skipped.

export interface RtpPacket {
  marker: boolean;
  payloadType: number;
  /** 16-bit sequence number. */
  sequence: number;
  /** 32-bit media timestamp, in the payload format's clock. */
  timestamp: number;
  ssrc: number;
  /** The payload, without header, extension or padding (a view into the datagram). */
  payload: Uint8Array;
}

const FIXED_HEADER = 12;

/** Pure: the header fields and payload, or why the bytes are not an RTP v2 packet. */
export function parseRtpPacket(d: Uint8Array): RtpPacket | { error: string } {
  if (d.length < FIXED_HEADER) return { error: `${d.length} bytes, shorter than an RTP header` };
  const first = d[0]!;
  if (first >> 6 !== 2) return { error: `RTP version ${first >> 6}, expected 2` };
  let start = FIXED_HEADER + 4 * (first & 0x0f);
  if ((first & 0x10) !== 0) {
    if (d.length < start + 4) return { error: 'RTP header extension truncated' };
    start += 4 + 4 * ((d[start + 2]! << 8) | d[start + 3]!);
  }
  let end = d.length;
  if ((first & 0x20) !== 0) {
    const padding = d[d.length - 1]!;
    if (padding === 0) return { error: 'RTP padding count 0' };
    end -= padding;
  }
  if (start > end) return { error: 'RTP header, extension and padding longer than the packet' };
  return {
    marker: (d[1]! & 0x80) !== 0,
    payloadType: d[1]! & 0x7f,
    sequence: (d[2]! << 8) | d[3]!,
    timestamp: ((d[4]! << 24) | (d[5]! << 16) | (d[6]! << 8) | d[7]!) >>> 0,
    ssrc: ((d[8]! << 24) | (d[9]! << 16) | (d[10]! << 8) | d[11]!) >>> 0,
    payload: d.subarray(start, end),
  };
}
