// Envelope encoder: on the publisher's hot path, so one buffer per message, the header built once
// per access unit and copied into later fragments, and the payload moved with a single set().
import {
  CODEC_IDS,
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
  type WirePacket,
} from './format.js';

export interface EncodeOptions {
  /** Largest message the transport accepts, header included (NATS: the server's max_payload). */
  maxPayload: number;
}

const U32_MAX = 0xffff_ffff;
const TWO_POW_32 = 2 ** 32;

/**
 * Encodes one access unit as one envelope, or as several fragments when it does not fit in
 * `maxPayload`. Throws RangeError on a packet no v1 envelope can carry (a programming error,
 * unlike decoding, which never throws).
 */
export function encodeEnvelopes(packet: WirePacket, opts: EncodeOptions): Uint8Array[] {
  const codecId = checkPacket(packet);
  const { maxPayload } = opts;
  if (!Number.isInteger(maxPayload) || maxPayload <= HEADER_SIZE) {
    throw new RangeError(`maxPayload must be an integer above ${HEADER_SIZE}, got ${maxPayload}`);
  }
  const data = packet.data;
  const total = data.length;
  const capacity = maxPayload - HEADER_SIZE;
  const count = total <= capacity ? 1 : Math.ceil(total / capacity);

  const firstLength = Math.min(total, capacity);
  const first = new Uint8Array(HEADER_SIZE + firstLength);
  first[OFFSET.magic] = MAGIC_0;
  first[OFFSET.magic + 1] = MAGIC_1;
  first[OFFSET.version] = WIRE_VERSION;
  first[OFFSET.headerLength] = HEADER_SIZE;
  first[OFFSET.codec] = codecId;
  first[OFFSET.flags] =
    (packet.key ? FLAG_KEY : 0) |
    (packet.sessionStart ? FLAG_SESSION_START : 0) |
    (count > 1 ? FLAG_FRAGMENT : 0);
  first[OFFSET.inputPriority] = packet.inputPriority ?? NO_INPUT_PRIORITY;
  setUint32(first, OFFSET.sessionId, packet.sessionId);
  setUint32(first, OFFSET.trackId, packet.trackId);
  setInt64(first, OFFSET.seq, packet.seq);
  setInt64(first, OFFSET.pts, packet.pts);
  setInt64(first, OFFSET.dts, packet.dts);
  setInt64(first, OFFSET.wallTimeMs, packet.wallTimeMs);
  setUint32(first, OFFSET.accessUnitLength, total);
  setUint32(first, OFFSET.payloadLength, firstLength);
  if (count === 1) {
    first.set(data, HEADER_SIZE);
    return [first];
  }
  first.set(data.subarray(0, firstLength), HEADER_SIZE);

  const messages = [first];
  const sharedHeader = first.subarray(0, OFFSET.fragmentOffset);
  for (let offset = capacity; offset < total; offset += capacity) {
    const length = Math.min(capacity, total - offset);
    const message = new Uint8Array(HEADER_SIZE + length);
    message.set(sharedHeader);
    setUint32(message, OFFSET.fragmentOffset, offset);
    setUint32(message, OFFSET.payloadLength, length);
    message.set(data.subarray(offset, offset + length), HEADER_SIZE);
    messages.push(message);
  }
  return messages;
}

function setUint32(buf: Uint8Array, offset: number, value: number): void {
  buf[offset] = value >>> 24;
  buf[offset + 1] = value >>> 16;
  buf[offset + 2] = value >>> 8;
  buf[offset + 3] = value;
}

/** Two's complement 64-bit from a safe integer, without going through BigInt. */
function setInt64(buf: Uint8Array, offset: number, value: number): void {
  const high = Math.floor(value / TWO_POW_32);
  setUint32(buf, offset, high >>> 0);
  setUint32(buf, offset + 4, value - high * TWO_POW_32);
}

function checkPacket(packet: WirePacket): number {
  const codecId = CODEC_IDS[packet.codec];
  if (codecId === undefined) throw new RangeError(`codec ${String(packet.codec)} has no wire id`);
  checkUint32('trackId', packet.trackId);
  checkUint32('sessionId', packet.sessionId);
  const priority = packet.inputPriority;
  if (priority !== null && !(Number.isInteger(priority) && priority >= 0 && priority <= MAX_INPUT_PRIORITY)) {
    throw new RangeError(
      `inputPriority must be null or an integer 0..${MAX_INPUT_PRIORITY}, got ${priority}`,
    );
  }
  checkSafe('seq', packet.seq, 0);
  checkSafe('wallTimeMs', packet.wallTimeMs, 0);
  checkSafe('pts', packet.pts, -Number.MAX_SAFE_INTEGER);
  checkSafe('dts', packet.dts, -Number.MAX_SAFE_INTEGER);
  if (packet.data.length > U32_MAX)
    throw new RangeError(`access unit of ${packet.data.length} bytes exceeds u32`);
  return codecId;
}

function checkUint32(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 0 && value <= U32_MAX)) {
    throw new RangeError(`${name} must be an integer 0..${U32_MAX}, got ${value}`);
  }
}

function checkSafe(name: string, value: number, min: number): void {
  if (!(Number.isSafeInteger(value) && value >= min)) {
    throw new RangeError(`${name} must be a safe integer >= ${min}, got ${value}`);
  }
}
