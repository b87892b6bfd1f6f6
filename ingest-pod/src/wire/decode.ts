// Envelope decoder. Total over all inputs: every buffer yields a DecodedEnvelope or a WireError,
// and nothing in here throws. The payload is returned as a view, not copied.
import {
  codecFromId,
  DEFAULT_MAX_ACCESS_UNIT_BYTES,
  type DecodedEnvelope,
  FLAG_FRAGMENT,
  FLAG_KEY,
  FLAG_SESSION_START,
  HEADER_SIZE,
  MAGIC_0,
  MAGIC_1,
  MAX_INPUT_PRIORITY,
  NO_INPUT_PRIORITY,
  OFFSET,
  WIRE_VERSION,
  type WireError,
  type WireErrorKind,
} from './format.js';

export interface DecodeOptions {
  /** Access units declared larger than this are refused as 'oversized'. */
  maxAccessUnitBytes?: number;
}

const TWO_POW_32 = 2 ** 32;

export function decodeEnvelope(buf: Uint8Array, opts: DecodeOptions = {}): DecodedEnvelope | WireError {
  const size = buf.length;
  // Check whatever prefix is present first, so a foreign message is named as such however short.
  if (size > 0 && buf[0] !== MAGIC_0) return fail('bad-magic', `first byte 0x${hex(buf[0])}, expected 0x54`);
  if (size > 1 && buf[1] !== MAGIC_1) return fail('bad-magic', `second byte 0x${hex(buf[1])}, expected 0x42`);
  if (size > 2 && buf[2] !== WIRE_VERSION)
    return fail('unsupported-version', `version ${buf[2]}, expected 1`);
  const headerLength = buf[OFFSET.headerLength];
  if (headerLength !== undefined && headerLength < HEADER_SIZE) {
    return fail('bad-field', `header length ${headerLength} is below ${HEADER_SIZE}`);
  }
  if (headerLength === undefined || size < headerLength) {
    return fail('truncated', `${size} bytes, shorter than the header`);
  }

  const view = new DataView(buf.buffer, buf.byteOffset, size);
  const codecId = buf[OFFSET.codec]!;
  const codec = codecFromId(codecId);
  if (codec === undefined) return fail('bad-codec', `unknown codec id ${codecId}`);
  const flags = buf[OFFSET.flags]!;
  const priorityByte = buf[OFFSET.inputPriority]!;
  if (priorityByte > MAX_INPUT_PRIORITY && priorityByte !== NO_INPUT_PRIORITY) {
    return fail('bad-field', `input priority ${priorityByte} is neither 0..7 nor 255`);
  }
  const seq = getInt64(view, OFFSET.seq);
  const pts = getInt64(view, OFFSET.pts);
  const dts = getInt64(view, OFFSET.dts);
  const wallTimeMs = getInt64(view, OFFSET.wallTimeMs);
  if (!(seq >= 0) || !(wallTimeMs >= 0) || Number.isNaN(pts) || Number.isNaN(dts)) {
    return fail('bad-field', 'seq, wall time, pts or dts outside the range this decoder represents exactly');
  }

  const accessUnitLength = view.getUint32(OFFSET.accessUnitLength);
  const fragmentOffset = view.getUint32(OFFSET.fragmentOffset);
  const payloadLength = view.getUint32(OFFSET.payloadLength);
  const limit = opts.maxAccessUnitBytes ?? DEFAULT_MAX_ACCESS_UNIT_BYTES;
  if (accessUnitLength > limit) {
    return fail('oversized', `access unit of ${accessUnitLength} bytes exceeds the limit of ${limit}`);
  }
  const fragment = (flags & FLAG_FRAGMENT) !== 0;
  const geometryError = checkGeometry(fragment, accessUnitLength, fragmentOffset, payloadLength);
  if (geometryError !== undefined) return fail('bad-fragment', geometryError);

  const end = headerLength + payloadLength;
  if (size < end) return fail('truncated', `${size} bytes, header and payload declare ${end}`);
  if (size > end) return fail('length-mismatch', `${size - end} bytes after the declared payload`);

  return {
    codec,
    trackId: view.getUint32(OFFSET.trackId),
    pts,
    dts,
    key: (flags & FLAG_KEY) !== 0,
    sessionStart: (flags & FLAG_SESSION_START) !== 0,
    inputPriority: priorityByte === NO_INPUT_PRIORITY ? null : priorityByte,
    sessionId: view.getUint32(OFFSET.sessionId),
    seq,
    wallTimeMs,
    fragment,
    accessUnitLength,
    fragmentOffset,
    payload: buf.subarray(headerLength, end),
  };
}

function checkGeometry(fragment: boolean, total: number, offset: number, length: number): string | undefined {
  if (!fragment) {
    if (offset !== 0 || length !== total) {
      return `unfragmented envelope must carry the whole access unit (offset ${offset}, ${length} of ${total} bytes)`;
    }
    return undefined;
  }
  if (length === 0 || length >= total) return `fragment of ${length} bytes in an access unit of ${total}`;
  if (offset + length > total)
    return `fragment ${offset}+${length} runs past the access unit's ${total} bytes`;
  return undefined;
}

/**
 * Signed 64-bit big-endian as a number, or NaN when it is not a safe integer. high * 2^32 is
 * exact and a sum beyond 2^53 in magnitude rounds to a value isSafeInteger rejects.
 */
function getInt64(view: DataView, offset: number): number {
  const value = view.getInt32(offset) * TWO_POW_32 + view.getUint32(offset + 4);
  return Number.isSafeInteger(value) ? value : Number.NaN;
}

function fail(kind: WireErrorKind, message: string): WireError {
  return { kind, message };
}

function hex(byte: number | undefined): string {
  return (byte ?? 0).toString(16).padStart(2, '0');
}
