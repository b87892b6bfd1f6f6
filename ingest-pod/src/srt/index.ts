// SRT for the ingest pod: caller inputs (createSrtReader) and, for the push-listener, listeners
// with handshake-time access control (sharedSrtEngine().listen). libsrt is driven from the JS
// thread by one srt_epoll wait on libuv's threadpool.

export {
  SrtConnection,
  SrtEngine,
  SrtListener,
  SrtRequestError,
  sharedSrtEngine,
} from './srt-engine.js';
export { describeReject, type RejectReason, type SrtFailure } from './srt-errors.js';
export type { SrtAccessEntry, SrtAccessTable, SrtAddress } from './srt-messages.js';
export { createSrtReader, SrtReader } from './srt-reader.js';
export { resolveSrtHost, SrtSource } from './srt-source.js';
export { parseSrtUrl, type SrtCallerConfig, type SrtSocketOptions } from './srt-url.js';
