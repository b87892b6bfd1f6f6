import { readU32 } from './chunk-reader.js';
import { CHUNK_STREAM, type OutgoingMessage } from './chunk-writer.js';
import { MESSAGE_TYPE, RtmpProtocolError, USER_CONTROL } from './protocol.js';

function u32(value: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, value >>> 0);
  return b;
}

function control(typeId: number, payload: Uint8Array): OutgoingMessage {
  return { chunkStreamId: CHUNK_STREAM.control, typeId, streamId: 0, timestamp: 0, payload };
}

export function setChunkSizeMessage(size: number): OutgoingMessage {
  return control(MESSAGE_TYPE.setChunkSize, u32(size & 0x7fffffff));
}

/** Acknowledgement: the total bytes received so far, modulo 2^32. */
export function acknowledgementMessage(bytesReceived: number): OutgoingMessage {
  return control(MESSAGE_TYPE.acknowledgement, u32(bytesReceived % 2 ** 32));
}

export function windowAckSizeMessage(size: number): OutgoingMessage {
  return control(MESSAGE_TYPE.windowAckSize, u32(size));
}

function userControl(event: number, ...values: number[]): OutgoingMessage {
  const payload = new Uint8Array(2 + 4 * values.length);
  const view = new DataView(payload.buffer);
  view.setUint16(0, event);
  for (const [i, v] of values.entries()) view.setUint32(2 + 4 * i, v >>> 0);
  return {
    chunkStreamId: CHUNK_STREAM.control,
    typeId: MESSAGE_TYPE.userControl,
    streamId: 0,
    timestamp: 0,
    payload,
  };
}

export function pingResponseMessage(timestamp: number): OutgoingMessage {
  return userControl(USER_CONTROL.pingResponse, timestamp);
}

/** How much the server may buffer ahead for us; some servers hold media back until they hear it. */
export function setBufferLengthMessage(streamId: number, ms: number): OutgoingMessage {
  return userControl(USER_CONTROL.setBufferLength, streamId, ms);
}

/** A 4-byte big-endian value, the whole body of Window Ack Size and the start of Set Peer Bandwidth. */
export function readControlValue(payload: Uint8Array, what: string): number {
  if (payload.length < 4) throw new RtmpProtocolError(`${what} message shorter than 4 bytes`);
  return readU32(payload, 0);
}

export interface UserControlEvent {
  event: number;
  /** The first 4-byte value: a message stream id, or a ping's timestamp. */
  value: number;
}

export function parseUserControl(payload: Uint8Array): UserControlEvent {
  if (payload.length < 2) throw new RtmpProtocolError('User Control message shorter than 2 bytes');
  const event = ((payload[0] as number) << 8) | (payload[1] as number);
  return { event, value: payload.length >= 6 ? readU32(payload, 2) : 0 };
}
