import { FLV_TAG, type FlvTag } from '../flv/flv-tag.js';
import { MESSAGE_TYPE, type RtmpMessage, RtmpProtocolError } from './protocol.js';

const FLV_TAG_HEADER = 11;
const BACK_POINTER = 4;
/** AMF0 string "@setDataFrame": marker 0x02, length 13, the text. */
const SET_DATA_FRAME = new Uint8Array([0x02, 0x00, 0x0d, ...new TextEncoder().encode('@setDataFrame')]);

function startsWith(data: Uint8Array, prefix: Uint8Array): boolean {
  if (data.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (data[i] !== prefix[i]) return false;
  return true;
}

/** Data messages that are protocol chatter, not stream data: `|RtmpSampleAccess`, `onStatus` (Data.Start). */
function isChatter(body: Uint8Array): boolean {
  if (body[0] !== 0x02 || body.length < 4) return false;
  const length = ((body[1] as number) << 8) | (body[2] as number);
  const name = new TextDecoder().decode(body.subarray(3, 3 + length));
  return name.startsWith('|') || name === 'onStatus';
}

/**
 * A data message as an FLV script tag body. A publisher's `@setDataFrame, onMetaData, {…}` loses
 * its first value so it reads like the `onMetaData, {…}` of an FLV file; AMF3 data messages (15)
 * lose the leading format byte in front of their AMF0 values.
 */
export function scriptBody(message: RtmpMessage): Uint8Array {
  let body = message.payload;
  if (message.typeId === MESSAGE_TYPE.dataAmf3 && body[0] === 0 && body[1] === 0x02) body = body.subarray(1);
  if (startsWith(body, SET_DATA_FRAME)) body = body.subarray(SET_DATA_FRAME.length);
  return body;
}

/**
 * Aggregate message (22): FLV tags back to back, each with its 11-byte header and 4-byte back
 * pointer. The sub-tags keep their spacing but are moved onto the message's own timestamp.
 */
function aggregateTags(message: RtmpMessage): FlvTag[] {
  const data = message.payload;
  const tags: FlvTag[] = [];
  let first: number | undefined;
  for (let at = 0; at < data.length; ) {
    if (data.length - at < FLV_TAG_HEADER)
      throw new RtmpProtocolError('truncated tag in an aggregate message');
    const type = data[at] as number;
    const size =
      ((data[at + 1] as number) << 16) | ((data[at + 2] as number) << 8) | (data[at + 3] as number);
    const ts =
      (((data[at + 7] as number) << 24) |
        ((data[at + 4] as number) << 16) |
        ((data[at + 5] as number) << 8) |
        (data[at + 6] as number)) >>>
      0;
    const end = at + FLV_TAG_HEADER + size;
    if (end > data.length) throw new RtmpProtocolError('tag overruns its aggregate message');
    first ??= ts;
    const timestamp = (message.timestamp + ts - first) >>> 0;
    const body = data.subarray(at + FLV_TAG_HEADER, end);
    if (type === FLV_TAG.audio || type === FLV_TAG.video) tags.push({ type, timestamp, data: body });
    else if (type === FLV_TAG.script) {
      const script = scriptBody({ ...message, typeId: type, payload: body });
      if (!isChatter(script)) tags.push({ type, timestamp, data: script });
    }
    at = end + BACK_POINTER;
  }
  return tags;
}

/** The FLV tags in a media, data or aggregate message; [] for any other message type and for chatter. */
export function messageTags(message: RtmpMessage): FlvTag[] {
  switch (message.typeId) {
    case MESSAGE_TYPE.audio:
    case MESSAGE_TYPE.video:
      if (message.payload.length === 0) return []; // some servers send empty ones as keep-alives
      return [{ type: message.typeId, timestamp: message.timestamp, data: message.payload }];
    case MESSAGE_TYPE.dataAmf0:
    case MESSAGE_TYPE.dataAmf3: {
      const data = scriptBody(message);
      return isChatter(data) ? [] : [{ type: FLV_TAG.script, timestamp: message.timestamp, data }];
    }
    case MESSAGE_TYPE.aggregate:
      return aggregateTags(message);
    default:
      return [];
  }
}
