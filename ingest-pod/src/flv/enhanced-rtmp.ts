// Pieces of the Enhanced RTMP (v2) tag headers that audio and video share.

/** Packet type of a ModEx prefix, in audio and video alike. */
const MOD_EX = 7;

/** A FourCC as text, with bytes that are not printable ASCII shown as '?'. */
export function fourccText(d: Uint8Array, p: number): string {
  let s = '';
  for (let i = p; i < p + 4 && i < d.length; i++) {
    const c = d[i]!;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  }
  return s;
}

/**
 * Skips ModEx prefixes (size-1 as UI8, or 255 then size-1 as UI16; data; modifier type and the
 * next packet type in one byte). The one modifier defined, a sub-millisecond timestamp offset, is
 * below what FLV timestamps resolve anyway. Returns where the header goes on and the real packet
 * type, or null when the prefixes run past the end.
 */
export function skipModEx(
  d: Uint8Array,
  from: number,
  packetType: number,
): { p: number; packetType: number } | null {
  let p = from;
  let type = packetType;
  while (type === MOD_EX) {
    let size = (d[p++] ?? 0) + 1;
    if (size === 256) {
      size = ((d[p] ?? 0) << 8) + (d[p + 1] ?? 0) + 1;
      p += 2;
    }
    p += size;
    if (p >= d.length) return null;
    type = d[p++]! & 0x0f;
  }
  return { p, packetType: type };
}
