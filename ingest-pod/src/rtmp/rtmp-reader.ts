import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { FlvTag } from '../flv/flv-tag.js';
import type { InputReader, ReaderCounters, ReaderEvent } from '../reader/reader-api.js';
import type { ChunkReaderLimits } from './chunk-reader.js';
import { openRtmpPull, type RtmpPullConnection } from './rtmp-connection.js';
import type { RtmpUrl } from './rtmp-url.js';
import { TagQueue, type TagQueueOptions } from './tag-queue.js';

/** The FLV converter as the reader uses it: tags in, access units out, what it learned about tracks. */
export interface TagConverter {
  push(tag: FlvTag): AVPacket[];
  readonly tracks: readonly TrackInfo[];
  /** Bumped whenever `tracks` changes. */
  readonly tracksRevision: number;
  readonly stats?: { readonly parameterSetsRefused: number };
}

export interface RtmpReaderOptions {
  url: RtmpUrl;
  timeoutMs: number;
  insecureTLS?: boolean;
  /** A fresh converter per open: no codec configuration or timestamps carry over a reconnect. */
  createConverter: () => TagConverter;
  onEvent?: (event: ReaderEvent) => void;
  queue?: Omit<TagQueueOptions, 'onPause' | 'onResume'>;
  limits?: ChunkReaderLimits;
}

/** Tags converted per read(): batches stay small enough to keep the event loop responsive. */
const TAGS_PER_READ = 256;

/**
 * RTMP pull as an InputReader. The end of a session after a good open (the server closed, sent
 * Play.Stop, UnpublishNotify or StreamEOF) is a retriable ReaderError, delivered after the tags
 * queued before it, so the input loop reconnects with its backoff instead of giving the input up.
 */
export class RtmpReader implements InputReader {
  private connection: RtmpPullConnection | undefined;
  /** Aborts an open still under way when close() comes first. */
  private opening: AbortController | undefined;
  private queue: TagQueue | undefined;
  private converter: TagConverter | undefined;
  private reportedRevision = 0;
  private bytesBefore = 0;

  constructor(private readonly options: RtmpReaderOptions) {}

  get tracks(): readonly TrackInfo[] {
    return this.converter?.tracks ?? [];
  }

  get counters(): Readonly<ReaderCounters> {
    return {
      bytes: this.bytesBefore + (this.connection?.bytesReceived ?? 0),
      tsPackets: 0,
      ccErrors: 0,
      unknownStreams: 0,
      dropped: this.queue?.dropped ?? 0,
      parameterSetsRefused: this.converter?.stats?.parameterSetsRefused ?? 0,
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    await this.close();
    const o = this.options;
    const converter = o.createConverter();
    this.converter = converter;
    this.reportedRevision = converter.tracksRevision;
    const queue = new TagQueue({
      ...o.queue,
      onPause: () => this.connection?.pause(),
      onResume: () => this.connection?.resume(),
    });
    this.queue = queue;
    const opening = new AbortController();
    this.opening = opening;
    this.connection = await openRtmpPull({
      url: o.url,
      timeoutMs: o.timeoutMs,
      insecureTLS: o.insecureTLS === true,
      signal: AbortSignal.any([signal, opening.signal]),
      onTag: (tag) => queue.push(tag),
      onEnd: (error) => queue.end(error),
      ...(o.limits ? { limits: o.limits } : {}),
    });
    if (queue.paused) this.connection.pause(); // filled up inside the read that opened
  }

  async read(): Promise<AVPacket[] | null> {
    const queue = this.queue;
    const converter = this.converter;
    if (queue === undefined || converter === undefined) return null;
    for (;;) {
      const tags = await queue.take(TAGS_PER_READ);
      if (tags === null) return null;
      const packets: AVPacket[] = [];
      for (const tag of tags) for (const p of converter.push(tag)) packets.push(p);
      this.noticeTracks(converter);
      if (packets.length > 0) return packets;
    }
  }

  async close(): Promise<void> {
    this.opening?.abort();
    this.queue?.end();
    const connection = this.connection;
    this.connection = undefined;
    if (connection === undefined) return;
    this.bytesBefore += connection.bytesReceived;
    await connection.close();
  }

  private noticeTracks(converter: TagConverter): void {
    if (converter.tracksRevision === this.reportedRevision) return;
    this.reportedRevision = converter.tracksRevision;
    this.options.onEvent?.({ type: 'tracks', tracks: converter.tracks });
  }
}
