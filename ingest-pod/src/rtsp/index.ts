// RTSP inputs (rtsp://, rtsps://): cameras, encoders and VMS systems, pulled over TCP or UDP.
import type { TsFilter } from '../mpegts/demuxer-api.js';
import type { InputReader, ReaderContext, ReaderInput } from '../reader/reader-api.js';
import { RtspReader } from './rtsp-reader.js';
import { parseRtspUrl } from './rtsp-url.js';

export { RtspReader, type RtspReaderOptions } from './rtsp-reader.js';

/** The reader of an rtsp:// input; `timeoutSeconds` bounds connecting and each request. */
export function createRtspReader(input: ReaderInput, context: ReaderContext, filter: TsFilter): InputReader {
  parseRtspUrl(input.url); // a malformed URL is refused now, naming its bad part
  return new RtspReader({
    url: input.url,
    ...(input.timeoutSeconds ? { timeoutMs: input.timeoutSeconds * 1000 } : {}),
    ...(input.insecureTLS !== undefined && { insecureTLS: input.insecureTLS }),
    filter,
    ...(context.onEvent !== undefined && { onEvent: context.onEvent }),
  });
}
