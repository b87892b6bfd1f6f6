// Annex B / MPEG video start codes (00 00 01).

/** Offset of the next 00 00 01 at or after `from`, or -1. */
export function nextStartCode(d: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i + 2 < end) {
    const third = d[i + 2]!;
    // No start code can begin at i, i+1 or i+2 unless the third byte is 0 or 1.
    if (third > 1) i += 3;
    else if (third === 1) {
      if (d[i] === 0 && d[i + 1] === 0) return i;
      i += 3;
    } else i++;
  }
  return -1;
}

/** End of a unit without the zero bytes that belong to the next (4-byte) start code or stuffing. */
export function trimTrailingZeros(d: Uint8Array, start: number, end: number): number {
  let e = end;
  while (e > start && d[e - 1] === 0) e--;
  return e;
}
