// Top-level ISO BMFF boxes (ISO/IEC 14496-12 §4.2): size, type, and where the next box starts.

export interface BoxHeader {
  type: string;
  /** Bytes of the header (8, or 16 with a 64-bit size). */
  headerSize: number;
  /** Bytes of the whole box, header included. */
  size: number;
}

/** Bytes needed to read any box header. */
export const BOX_HEADER_BYTES = 16;

/**
 * Pure: the box header at the start of `bytes` (the first up to 16 bytes at `offset` of a file of
 * `fileSize` bytes), or why it cannot be one.
 */
export function readBoxHeader(bytes: Uint8Array, offset: number, fileSize: number): BoxHeader | string {
  if (bytes.length < 8) return `a box header cut off at byte ${offset}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const type = Buffer.from(bytes.subarray(4, 8)).toString('latin1');
  let size = view.getUint32(0);
  let headerSize = 8;
  if (size === 1) {
    if (bytes.length < 16) return `a 64-bit box size cut off at byte ${offset}`;
    size = Number(view.getBigUint64(8));
    headerSize = 16;
  } else if (size === 0) {
    size = fileSize - offset; // the box runs to the end of the file
  }
  if (size < headerSize) return `box '${type}' at byte ${offset} has an impossible size ${size}`;
  return { type, headerSize, size };
}
