/** Result of looking at one datagram: the TS bytes to keep, or why it was dropped. */
export type DatagramPayload = { payload: Uint8Array } | { drop: string };

const TS_SYNC = 0x47;
const M2TS_UNIT = 192;

/** Whole M2TS units (a 4-byte TP_extra_header, then the packet): 0x47 is the fifth byte of each. */
function isM2ts(bytes: Uint8Array): boolean {
  if (bytes.length % M2TS_UNIT !== 0) return false;
  for (let at = 4; at < bytes.length; at += M2TS_UNIT) if (bytes[at] !== TS_SYNC) return false;
  return true;
}

/**
 * Pure: returns the MPEG-TS bytes of a datagram. Plain TS (first byte 0x47, so 188- or 204-byte
 * packets) and whole 192-byte M2TS units pass unchanged. With `rtp` on, an RTP v2 header is removed
 * (fixed 12 bytes, CSRC list, header extension, padding) and the payload must be TS in one of those
 * forms; anything else is dropped with a reason.
 */
export function extractTsPayload(datagram: Uint8Array, rtp: boolean): DatagramPayload {
  if (datagram.length === 0) return { drop: 'empty datagram' };
  if (datagram[0] === TS_SYNC || isM2ts(datagram)) return { payload: datagram };
  if (!rtp) return { drop: 'no TS sync byte and RTP stripping is off' };
  if (datagram.length < 12) return { drop: 'shorter than an RTP header' };
  const first = datagram[0]!;
  if (first >> 6 !== 2) return { drop: `RTP version ${first >> 6}, expected 2` };
  const padding = (first & 0x20) !== 0;
  const extension = (first & 0x10) !== 0;
  const csrcCount = first & 0x0f;
  let start = 12 + 4 * csrcCount;
  if (extension) {
    if (datagram.length < start + 4) return { drop: 'RTP header extension truncated' };
    const words = (datagram[start + 2]! << 8) | datagram[start + 3]!;
    start += 4 + 4 * words;
  }
  let end = datagram.length;
  if (padding) end -= datagram[datagram.length - 1]!;
  if (start >= end) return { drop: 'RTP packet without payload' };
  if (datagram[start] !== TS_SYNC && !isM2ts(datagram.subarray(start, end))) {
    return { drop: 'RTP payload is not MPEG-TS' };
  }
  return { payload: datagram.subarray(start, end) };
}
