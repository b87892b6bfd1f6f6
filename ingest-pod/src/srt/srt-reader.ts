import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import type {
  InputReader,
  LinkStats,
  ReaderContext,
  ReaderCounters,
  ReaderEvent,
  ReaderInput,
} from '../reader/reader-api.js';
import { TsPacketReader } from '../reader/ts-packet-reader.js';
import type { SrtEngine } from './srt-engine.js';
import { SrtSource } from './srt-source.js';
import { parseSrtUrl, type SrtCallerConfig } from './srt-url.js';

/**
 * An SRT caller input: TS through the shared demuxer (program and PID filters apply) plus the
 * link statistics of the connection. When the peer closes or the link breaks, the access units
 * still in the demuxer are returned first, then `read()` rejects with a retriable ReaderError, so
 * the input loop reconnects with backoff (a restarted listener is picked up again).
 */
export class SrtReader implements InputReader {
  private readonly source: SrtSource;
  private readonly ts: TsPacketReader;

  constructor(
    config: SrtCallerConfig,
    filter: TsFilter = {},
    onEvent?: (event: ReaderEvent) => void,
    engine?: SrtEngine,
  ) {
    this.source = new SrtSource(config, engine);
    this.ts = new TsPacketReader(this.source, filter, onEvent);
  }

  get tracks(): readonly TrackInfo[] {
    return this.ts.tracks;
  }

  get counters(): Readonly<ReaderCounters> {
    return this.ts.counters;
  }

  get stallTimeoutMs(): number | undefined {
    return this.ts.stallTimeoutMs;
  }

  /** Refreshed about once a second from srt_bistats; undefined until connected. */
  get linkStats(): Readonly<LinkStats> | undefined {
    return this.source.linkStats;
  }

  open(signal: AbortSignal): Promise<void> {
    return this.ts.open(signal);
  }

  async read(): Promise<AVPacket[] | null> {
    const packets = await this.ts.read();
    if (packets === null && this.source.sessionEnd !== undefined) throw this.source.sessionEnd;
    return packets;
  }

  close(): Promise<void> {
    return this.ts.close();
  }
}

/**
 * The reader for a pulled `srt://host:port?…` input (caller mode). The input's params override
 * the URL's query, and a non-zero timeoutSeconds overrides `conntimeo`. Throws a permanent
 * ReaderError for a URL it cannot use.
 */
export function createSrtReader(
  input: ReaderInput,
  context: ReaderContext,
  filter: TsFilter = {},
): InputReader {
  const config = parseSrtUrl(input.url, input.params);
  if (input.timeoutSeconds) config.options.connectTimeoutMs = Math.round(input.timeoutSeconds * 1000);
  return new SrtReader(config, filter, context.onEvent);
}
