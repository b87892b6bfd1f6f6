// SRT for the ingest pod: caller inputs (createSrtReader) and, for the push-listener, listeners
// with handshake-time access control (sharedSrtThread().listen). libsrt runs in one worker thread.
export { describeReject, type RejectReason, type SrtFailure } from './srt-errors.js';
export type { SrtAccessEntry, SrtAccessTable, SrtAddress } from './srt-messages.js';
export { createSrtReader, SrtReader } from './srt-reader.js';
export { resolveSrtHost, SrtSource } from './srt-source.js';
export {
  SrtConnection,
  SrtListener,
  SrtRequestError,
  SrtThread,
  sharedSrtThread,
} from './srt-thread-host.js';
export { parseSrtUrl, type SrtCallerConfig, type SrtSocketOptions } from './srt-url.js';
