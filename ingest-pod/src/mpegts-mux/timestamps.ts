// 90 kHz timestamps as the TS fields hold them: PES PTS/DTS (ISO/IEC 13818-1 §2.4.3.7) and PCR
// (§2.4.3.5), both 33-bit and wrapping.

const WRAP = 2 ** 33;
const TOP_BITS = 2 ** 30;

/** `ticks` modulo 2^33, in [0, 2^33) for any integer (negative ones included). */
export function wrap33(ticks: number): number {
  const r = ticks % WRAP;
  return r < 0 ? r + WRAP : r;
}

/** The 5-byte PTS/DTS field with its 4-bit prefix ('0010' PTS only, '0011' PTS, '0001' DTS). */
export function writePesTimestamp(out: Uint8Array, at: number, prefix: number, ticks: number): void {
  const t = wrap33(ticks);
  const top = Math.floor(t / TOP_BITS); // bits 32..30, beyond what 32-bit operators keep
  const low = t - top * TOP_BITS;
  out[at] = (prefix << 4) | (top << 1) | 1;
  out[at + 1] = (low >>> 22) & 0xff;
  out[at + 2] = ((low >>> 14) & 0xfe) | 1;
  out[at + 3] = (low >>> 7) & 0xff;
  out[at + 4] = ((low << 1) & 0xfe) | 1;
}

/** The 6-byte program_clock_reference: 33-bit base in 90 kHz ticks, 6 reserved bits, extension 0. */
export function writePcr(out: Uint8Array, at: number, ticks: number): void {
  const base = wrap33(ticks);
  const high = Math.floor(base / 2); // bits 32..1 of the base
  out[at] = (high >>> 24) & 0xff;
  out[at + 1] = (high >>> 16) & 0xff;
  out[at + 2] = (high >>> 8) & 0xff;
  out[at + 3] = high & 0xff;
  out[at + 4] = ((base & 1) << 7) | 0x7e;
  out[at + 5] = 0;
}
