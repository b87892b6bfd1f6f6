// Wire format v1, the subpath `@tributary/ingest-pod/wire` for buffer-pod authors.
// Specification: docs/wire-format.md.
export { type DecodeOptions, decodeEnvelope } from './decode.js';
export { type EncodeOptions, encodeEnvelopes } from './encode.js';
export {
  CODEC_IDS,
  codecFromId,
  DEFAULT_MAX_ACCESS_UNIT_BYTES,
  type DecodedEnvelope,
  HEADER_SIZE,
  isWireError,
  NO_INPUT_PRIORITY,
  WIRE_VERSION,
  type WireError,
  type WireErrorKind,
  type WireMeta,
  type WirePacket,
} from './format.js';
export { LossCounter, type LossStats } from './loss-counter.js';
export { Reassembler, type ReassemblerOptions, type ReassemblerStats } from './reassembler.js';
