const RTCP_RR = 201;
const RTCP_SDES = 202;
const SDES_CNAME = 1;

/**
 * An empty RTCP receiver report with an SDES CNAME (the smallest compound packet RFC 3550 §6.1
 * allows). Sent over UDP it tells the server the receiver is alive and opens NAT pinholes for
 * the server's packets; reception statistics are left out (report count 0).
 */
export function receiverReport(ssrc: number, cname: string): Uint8Array {
  const name = Buffer.from(cname, 'utf8').subarray(0, 255);
  // SDES chunk: SSRC, CNAME item (type, length, text), end-of-items, padded to 32 bits.
  const chunkBytes = Math.ceil((4 + 2 + name.length + 1) / 4) * 4;
  const out = Buffer.alloc(8 + 4 + chunkBytes);
  out[0] = 0x80;
  out[1] = RTCP_RR;
  out.writeUInt16BE(1, 2);
  out.writeUInt32BE(ssrc >>> 0, 4);
  out[8] = 0x81;
  out[9] = RTCP_SDES;
  out.writeUInt16BE(chunkBytes / 4, 10);
  out.writeUInt32BE(ssrc >>> 0, 12);
  out[16] = SDES_CNAME;
  out[17] = name.length;
  name.copy(out, 18);
  return out;
}
