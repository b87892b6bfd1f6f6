// Wire format v1: constants, the codec table and the types shared by encoder, decoder and
// reassembler. docs/wire-format.md is the byte-by-byte specification; keep the two in step.
import type { AVPacket, Codec } from '../avpacket.js';

/** "TB": the first two bytes of every envelope. */
export const MAGIC_0 = 0x54;
export const MAGIC_1 = 0x42;
export const WIRE_VERSION = 1;
/** Bytes a v1 writer puts in front of the payload. Readers honour the header-length byte instead. */
export const HEADER_SIZE = 60;

/** Byte offsets of the v1 header fields (big-endian). */
export const OFFSET = {
  magic: 0,
  version: 2,
  headerLength: 3,
  codec: 4,
  flags: 5,
  inputPriority: 6,
  reserved: 7,
  sessionId: 8,
  trackId: 12,
  seq: 16,
  pts: 24,
  dts: 32,
  wallTimeMs: 40,
  accessUnitLength: 48,
  fragmentOffset: 52,
  payloadLength: 56,
} as const;

export const FLAG_KEY = 0x01;
export const FLAG_SESSION_START = 0x02;
export const FLAG_FRAGMENT = 0x04;

/** Input priorities are 0..7 (a Stream has at most 8 inputs); this byte value means "none". */
export const NO_INPUT_PRIORITY = 0xff;
export const MAX_INPUT_PRIORITY = 7;

/** Default refusal threshold for one access unit, decoded or reassembled. */
export const DEFAULT_MAX_ACCESS_UNIT_BYTES = 64 * 1024 * 1024;

/**
 * Stable numeric codec ids. Never renumber or reuse an id; a new codec takes the next free one.
 * 0 is never valid, so a zeroed header is rejected.
 */
export const CODEC_IDS: Readonly<Record<Codec, number>> = {
  h264: 1,
  h265: 2,
  aac: 3,
  mp2: 4,
  mp3: 5,
  ac3: 6,
  eac3: 7,
  mpeg2video: 8,
  av1: 9,
  scte35: 10,
  opus: 11,
};

const codecById: (Codec | undefined)[] = [];
for (const [codec, id] of Object.entries(CODEC_IDS)) codecById[id] = codec as Codec;

export function codecFromId(id: number): Codec | undefined {
  return codecById[id];
}

/** What the publisher adds to an access unit for transport. */
export interface WireMeta {
  /** Priority (index) of the input the packet came from, or null when there is none. */
  inputPriority: number | null;
  /** Identifies one session; it differs from the previous session's id on the same stream. */
  sessionId: number;
  /** True on the first access unit of a session: consumers re-anchor here. */
  sessionStart: boolean;
  /** Access-unit counter within the session: 0 on the session's first AU, +1 per AU on the stream. */
  seq: number;
  /** When the ingest pod received the access unit, ms since the Unix epoch. */
  wallTimeMs: number;
}

export type WirePacket = AVPacket & WireMeta;

/** One decoded message: a whole access unit, or one fragment of it. */
export interface DecodedEnvelope extends WireMeta {
  codec: Codec;
  trackId: number;
  pts: number;
  dts: number;
  key: boolean;
  /** Set when the access unit was split over several messages. */
  fragment: boolean;
  /** Size of the whole access unit's payload. */
  accessUnitLength: number;
  /** Where `payload` starts inside the access unit. */
  fragmentOffset: number;
  /** A view into the decoded buffer (not a copy). */
  payload: Uint8Array;
}

export type WireErrorKind =
  | 'truncated'
  | 'bad-magic'
  | 'unsupported-version'
  | 'length-mismatch'
  | 'oversized'
  | 'bad-codec'
  | 'bad-fragment'
  | 'bad-field';

/** Returned (never thrown) by the decoder. A plain object: cheap to make for every bad message. */
export interface WireError {
  kind: WireErrorKind;
  message: string;
}

export function isWireError(value: DecodedEnvelope | WireError): value is WireError {
  return 'kind' in value;
}
