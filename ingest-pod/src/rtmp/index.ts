// RTMP/RTMPS pull: our own client (handshake, chunk streams, connect/createStream/play) feeding
// FLV tags to the shared FLV converter. `createRtmpReader` is what the reader factory calls.
import { FlvConverter } from '../flv/index.js';
import type { InputReader, ReaderContext, ReaderInput } from '../reader/reader-api.js';
import { converterEventReporter } from './converter-events.js';
import { RtmpReader } from './rtmp-reader.js';
import { parseRtmpUrl } from './rtmp-url.js';

export { openRtmpPull, type RtmpPullConnection, type RtmpPullOptions } from './rtmp-connection.js';
export { RtmpReader, type RtmpReaderOptions, type TagConverter } from './rtmp-reader.js';
export { parseRtmpUrl, type RtmpUrl } from './rtmp-url.js';

/** The RTMP budget for connect + handshake + play when the input leaves timeoutSeconds at 0. */
export const DEFAULT_RTMP_TIMEOUT_MS = 10_000;

/**
 * The reader for an `rtmp://` or `rtmps://` pull input. Throws a permanent ReaderError for a URL
 * it cannot use (no app, userinfo, bad port); the key never appears in its messages.
 */
export function createRtmpReader(input: ReaderInput, context: ReaderContext): InputReader {
  const url = parseRtmpUrl(input.url);
  const report = converterEventReporter(context.onEvent);
  return new RtmpReader({
    url,
    timeoutMs: input.timeoutSeconds ? input.timeoutSeconds * 1000 : DEFAULT_RTMP_TIMEOUT_MS,
    insecureTLS: input.insecureTLS === true,
    createConverter: () => new FlvConverter({ onEvent: report }),
    ...(context.onEvent !== undefined ? { onEvent: context.onEvent } : {}),
  });
}
