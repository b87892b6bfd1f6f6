// Which packet framing an MPEG-TS byte stream uses, told from how far apart its sync bytes repeat.
// Pure: looks at bytes, keeps no state.

export const TS_PACKET = 188;
export const TS_SYNC = 0x47;

/**
 * Bytes from one sync byte to the next: plain TS (188), M2TS/BDAV (192: a 4-byte TP_extra_header
 * in front of each packet) and DVB/ATSC with 16 bytes of Reed-Solomon parity after each (204).
 */
export type TsStride = 188 | 192 | 204;

const STRIDES: readonly TsStride[] = [188, 192, 204];
const MAX_STRIDE = 204;
/** Sync bytes in a row, one stride apart, that establish a stride. */
export const SYNC_RUN = 3;
/** When several strides reach SYNC_RUN (a 0x47 in the payload), the longest run up to this many wins. */
export const TIE_RUN = 6;
/** Bytes from a sync candidate on that `strideAt` may need before it can answer. */
export const STRIDE_LOOKAHEAD = (TIE_RUN - 1) * MAX_STRIDE + 1;

/** Bytes in front of the sync byte in each unit of `stride` bytes. */
export function leadOf(stride: TsStride): number {
  return stride === 192 ? 4 : 0;
}

/**
 * Sync bytes at pos, pos + stride, … up to `limit` of them, counting only bytes before `end`.
 * Returns how many matched in a row (the one at pos included) and whether a mismatch stopped it.
 */
function runAt(buf: Uint8Array, pos: number, end: number, stride: number, limit: number) {
  let run = 1;
  for (let next = pos + stride; run < limit; next += stride, run++) {
    if (next >= end) return { run, broken: false };
    if (buf[next] !== TS_SYNC) return { run, broken: true };
  }
  return { run, broken: false };
}

/**
 * The stride of the candidate sync byte at buf[pos] (which must be 0x47): 188, 192 or 204 when the
 * sync byte repeats at that distance; 0 when it is not a packet start; -1 when the bytes up to
 * `end` cannot tell yet. The answer depends only on the stream, never on where a chunk ended, and
 * `final` (end of stream) decides with the bytes there are. Ties go to the longest run, then to
 * `preferred` (the stride in use before sync was lost), then to the shorter stride.
 */
export function strideAt(
  buf: Uint8Array,
  pos: number,
  end: number,
  preferred: TsStride,
  final: boolean,
): TsStride | 0 | -1 {
  if (!final && end < pos + (SYNC_RUN - 1) * MAX_STRIDE + 1) return -1;
  if (pos + TS_PACKET > end) return 0;
  let matches = 0;
  for (const stride of STRIDES) {
    const { run, broken } = runAt(buf, pos, end, stride, SYNC_RUN);
    if (run === SYNC_RUN || (final && !broken)) matches++;
  }
  if (matches === 0) return 0;
  if (matches > 1 && !final && end < pos + STRIDE_LOOKAHEAD) return -1;
  let best: TsStride | 0 = 0;
  let bestRun = 0;
  for (const stride of STRIDES) {
    const first = runAt(buf, pos, end, stride, SYNC_RUN);
    if (first.run < SYNC_RUN && (!final || first.broken)) continue;
    const { run } = matches > 1 ? runAt(buf, pos, end, stride, TIE_RUN) : first;
    if (run > bestRun || (run === bestRun && stride === preferred)) {
      best = stride;
      bestRun = run;
    }
  }
  // An M2TS TP_extra_header whose first byte happens to be 0x47 repeats at 192 too; the packet's
  // own sync byte is the one four bytes on.
  const headerFirst =
    best === 192 && buf[pos + 4] === TS_SYNC && runAt(buf, pos + 4, end, 192, SYNC_RUN).run === SYNC_RUN;
  return headerFirst ? 0 : best;
}
