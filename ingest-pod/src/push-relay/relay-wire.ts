// The push relay message: push-listener -> the stream's ingest pod on `<prefix>._push.<ns>.<stream>`.
// The listener does not demux; it forwards the publisher's bytes as they came, cut anywhere to fit
// the server's max_payload, and the ingest pod reassembles them per publisher session.

/** What a relay message carries. */
export const RelayKind = {
  /** A publisher was accepted; payload: JSON `RelayStart`. The first message of every session. */
  start: 1,
  /** MPEG-TS bytes from an SRT publisher (whole SRT messages, concatenated). */
  ts: 2,
  /** FLV tag records from an RTMP publisher (see `encodeFlvRecords`), a byte stream cut anywhere. */
  flv: 3,
  /** The publisher left or was disconnected; payload: JSON `RelayEnd`. The last message of a session. */
  end: 4,
} as const;
export type RelayKind = (typeof RelayKind)[keyof typeof RelayKind];

export const RELAY_VERSION = 1;
/** version u8, kind u8, flags u8, reserved u8, publisher session id u32, sequence u32 (per session, from 0). */
export const RELAY_HEADER_BYTES = 12;

/**
 * Set on an `flv` message whose payload begins inside a record that an earlier message started:
 * a reader that joins a session midway (pod restart, probe) skips such messages until one is not.
 */
export const RELAY_FLAG_CONTINUATION = 1;

export interface RelayStart {
  protocol: 'rtmp' | 'srt';
  /** The encoder's address as the listener saw it (`ip:port`). */
  peer: string;
  /** The listener replica that accepted it. */
  replica: string;
}

export interface RelayEnd {
  /** Why the session ended, e.g. "publisher disconnected", "stream unregistered", "listener draining". */
  reason: string;
}

export interface RelayMessage {
  kind: RelayKind;
  session: number;
  sequence: number;
  /** RELAY_FLAG_* bits; 0 when absent. */
  flags?: number;
  payload: Uint8Array;
}

export class RelayWireError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RelayWireError';
  }
}

const KINDS = new Set<number>(Object.values(RelayKind));

/**
 * A relay message with its header written and room for `payloadBytes` after it, which the caller
 * fills from RELAY_HEADER_BYTES on: a sender assembling a payload from several chunks copies once.
 */
export function allocRelay(header: Omit<RelayMessage, 'payload'>, payloadBytes: number): Uint8Array {
  const out = new Uint8Array(RELAY_HEADER_BYTES + payloadBytes);
  const view = new DataView(out.buffer);
  out[0] = RELAY_VERSION;
  out[1] = header.kind;
  out[2] = header.flags ?? 0;
  view.setUint32(4, header.session >>> 0);
  view.setUint32(8, header.sequence >>> 0);
  return out;
}

export function encodeRelay(message: RelayMessage): Uint8Array {
  const out = allocRelay(message, message.payload.length);
  out.set(message.payload, RELAY_HEADER_BYTES);
  return out;
}

/** Throws a RelayWireError for anything that is not a version-1 relay message. */
export function decodeRelay(data: Uint8Array): RelayMessage {
  if (data.length < RELAY_HEADER_BYTES) throw new RelayWireError(`relay message of ${data.length} bytes`);
  if (data[0] !== RELAY_VERSION)
    throw new RelayWireError(`relay version ${data[0]} (expected ${RELAY_VERSION})`);
  const kind = data[1] ?? 0;
  if (!KINDS.has(kind)) throw new RelayWireError(`unknown relay kind ${kind}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  return {
    kind: kind as RelayKind,
    flags: data[2] ?? 0,
    session: view.getUint32(4),
    sequence: view.getUint32(8),
    payload: data.subarray(RELAY_HEADER_BYTES),
  };
}

/** One FLV tag as the relay carries it: type u8 (8 audio, 9 video, 18 script), timestamp u32 ms, size u32, data. */
export const FLV_RECORD_HEADER_BYTES = 9;

export function encodeFlvRecord(type: number, timestampMs: number, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(FLV_RECORD_HEADER_BYTES + data.length);
  const view = new DataView(out.buffer);
  out[0] = type;
  view.setUint32(1, timestampMs >>> 0);
  view.setUint32(5, data.length);
  out.set(data, FLV_RECORD_HEADER_BYTES);
  return out;
}
