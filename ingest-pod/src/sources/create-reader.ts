import { classify, redactUrl } from '@tributary/crds';
import { createCopyReader } from '../copy/index.js';
import { FileReader } from '../file/file-reader.js';
import { HlsSource } from '../hls/hls-source.js';
import { HttpTsSource } from '../http-ts/http-ts-source.js';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import { createPushReader } from '../push/index.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, ReaderContext, ReaderInput } from '../reader/reader-api.js';
import { TsPacketReader } from '../reader/ts-packet-reader.js';
import { parseRtmpUrl } from '../rtmp/rtmp-url.js';
import { parseRtspUrl } from '../rtsp/rtsp-url.js';
import { parseSrtUrl } from '../srt/srt-url.js';
import { parseUdpUrl } from '../udp/udp-options.js';
import { UdpSource } from '../udp/udp-source.js';
import { LoadingReader } from './loading-reader.js';

/** Defaults for HTTP operations when the input leaves timeoutSeconds at 0. */
const HTTP_TIMEOUT_MS = 15_000;
const SEGMENT_TIMEOUT_FLOOR_MS = 60_000;

function tsFilter(input: ReaderInput): TsFilter {
  const filter: TsFilter = {};
  if (input.program !== undefined) filter.program = input.program;
  if (input.pids !== undefined && input.pids.length > 0) filter.pids = input.pids;
  return filter;
}

/**
 * Builds the reader for one input. Push inputs read the relay (`context.push`, in the ingest pod).
 * Throws a non-retriable ReaderError for URLs no reader handles: push addresses without a relay,
 * unknown schemes, and copy:// where there is no NATS connection.
 */
export function createReader(input: ReaderInput, context: ReaderContext): InputReader {
  const shown = redactUrl(input.url);
  const result = classify(input.url);
  if (!result.ok) throw new ReaderError(`cannot read input ${shown}: ${result.message}`, false);
  if (result.mode === 'push') return createPushReader(input, context, tsFilter(input));
  const timeoutMs = input.timeoutSeconds ? input.timeoutSeconds * 1000 : HTTP_TIMEOUT_MS;
  const headers = {
    ...(input.headers !== undefined && { headers: input.headers }),
    ...(input.sendHeadersToAllHosts !== undefined && { sendHeadersToAllHosts: input.sendHeadersToAllHosts }),
  };
  const insecureTLS = input.insecureTLS === true;
  const ts = (source: ConstructorParameters<typeof TsPacketReader>[0]) =>
    new TsPacketReader(source, tsFilter(input), context.onEvent);
  switch (result.kind) {
    case 'udp':
      return ts(new UdpSource(parseUdpUrl(input.url)));
    case 'http-ts':
      return ts(
        new HttpTsSource({
          url: input.url,
          headerTimeoutMs: timeoutMs,
          idleTimeoutMs: timeoutMs,
          insecureTLS,
          ...headers,
        }),
      );
    case 'hls':
      return ts(
        new HlsSource({
          url: input.url,
          playlistTimeoutMs: timeoutMs,
          segmentTimeoutMs: Math.max(4 * timeoutMs, SEGMENT_TIMEOUT_FLOOR_MS),
          insecureTLS,
          ...headers,
          ...(context.onEvent !== undefined ? { onEvent: context.onEvent } : {}),
        }),
      );
    case 'file':
      return new FileReader({
        url: input.url,
        filter: tsFilter(input),
        ...(context.vodRoot !== undefined ? { vodRoot: context.vodRoot } : {}),
        ...(context.onEvent !== undefined ? { onEvent: context.onEvent } : {}),
      });
    // The URL is checked here so a bad one fails now; the reader's code loads on open.
    case 'rtmp':
      parseRtmpUrl(input.url);
      return new LoadingReader(async () =>
        (await import('../rtmp/index.js')).createRtmpReader(input, context),
      );
    case 'srt':
      parseSrtUrl(input.url, input.params);
      return new LoadingReader(async () =>
        (await import('../srt/index.js')).createSrtReader(input, context, tsFilter(input)),
      );
    case 'copy':
      return createCopyReader(input, context);
    case 'rtsp':
      parseRtspUrl(input.url);
      return new LoadingReader(async () =>
        (await import('../rtsp/index.js')).createRtspReader(input, context, tsFilter(input)),
      );
  }
}
