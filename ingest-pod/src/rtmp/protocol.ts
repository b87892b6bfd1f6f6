/** RTMP message type ids (RTMP 1.0 spec §5.4, §7.1). Audio, video and AMF0 data equal the FLV tag types. */
export const MESSAGE_TYPE = {
  setChunkSize: 1,
  abort: 2,
  acknowledgement: 3,
  userControl: 4,
  windowAckSize: 5,
  setPeerBandwidth: 6,
  audio: 8,
  video: 9,
  dataAmf3: 15,
  sharedObjectAmf3: 16,
  commandAmf3: 17,
  dataAmf0: 18,
  sharedObjectAmf0: 19,
  commandAmf0: 20,
  aggregate: 22,
} as const;

/** User Control event types (spec §7.1.7). */
export const USER_CONTROL = {
  streamBegin: 0,
  streamEof: 1,
  streamDry: 2,
  setBufferLength: 3,
  streamIsRecorded: 4,
  pingRequest: 6,
  pingResponse: 7,
} as const;

/** One complete RTMP message, reassembled from its chunks. */
export interface RtmpMessage {
  typeId: number;
  /** Message stream id (0 for the connection's own control and commands). */
  streamId: number;
  /** Milliseconds, 32 bits; deltas accumulate modulo 2^32. */
  timestamp: number;
  payload: Uint8Array;
  /** The chunk stream it arrived on (only diagnostics care). */
  chunkStreamId: number;
}

/** The peer broke the protocol: a malformed chunk, an impossible size, a bad handshake. */
export class RtmpProtocolError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RtmpProtocolError';
  }
}
