import { parseRtpPacket } from '../rtsp/rtp/rtp-packet.js';

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
  const rtpPacket = parseRtpPacket(datagram);
  if ('error' in rtpPacket) return { drop: rtpPacket.error };
  const payload = rtpPacket.payload;
  if (payload.length === 0) return { drop: 'RTP packet without payload' };
  if (payload[0] !== TS_SYNC && !isM2ts(payload)) return { drop: 'RTP payload is not MPEG-TS' };
  return { payload };
}
