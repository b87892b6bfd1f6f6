import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { FlvTag } from '../flv/flv-tag.js';
import { FlvConverter } from '../flv/index.js';
import type { TsFilter } from '../mpegts/demuxer-api.js';
import { decodeRelay, RelayWireError } from '../push-relay/relay-wire.js';
import { BatchQueue } from '../reader/batch-queue.js';
import type { ByteSource } from '../reader/byte-source.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { InputReader, PusherInfo, PushFeed, ReaderCounters, ReaderEvent } from '../reader/reader-api.js';
import { TsPacketReader } from '../reader/ts-packet-reader.js';
import { converterEventReporter } from '../rtmp/converter-events.js';
import type { TagConverter } from '../rtmp/rtmp-reader.js';
import { type RelayItem, RelayReassembler } from './relay-reassembler.js';

/**
 * A publisher sends media continuously (several messages a second), so this much silence after
 * subscribing means nobody is publishing. Short: a stream with other inputs fails over after it.
 */
export const DEFAULT_ABSENT_AFTER_MS = 1000;
/** Media held for `read()`: seconds of any sane bitrate. */
const QUEUE_BYTES = 32 * 1024 * 1024;

export const NO_PUSHER = 'no pusher connected';

export interface PushReaderOptions {
  feed: PushFeed;
  /** Program and PID filters of an SRT publisher's TS. */
  filter?: TsFilter;
  onEvent?: (event: ReaderEvent) => void;
  absentAfterMs?: number;
  /** An RTMP session's converter; default a fresh FlvConverter per session. */
  createConverter?: () => TagConverter;
  now?: () => number;
}

type Media = { type: 'ts'; bytes: Uint8Array } | { type: 'flv'; tags: FlvTag[] };

function sizeOf(item: Media): number {
  if (item.type === 'ts') return item.bytes.length;
  let size = 0;
  for (const tag of item.tags) size += tag.data.length;
  return size;
}

/**
 * A push input: the publisher sessions the push-listener relays on the stream's push subject.
 * `open` waits for a session (saying once, after absentAfterMs, that there is no publisher yet);
 * SRT sessions go through the shared TS demuxer, RTMP sessions through a fresh FLV converter. When
 * the session ends (end message, or another session replaces it) the media already queued is
 * returned, then `read` rejects with a retriable ReaderError, and the next open follows the next
 * session. One open per reader, as the input loop uses readers.
 */
export class PushReader implements InputReader {
  readonly #o: PushReaderOptions;
  readonly #now: () => number;
  readonly #reassembler: RelayReassembler;
  readonly #queue = new BatchQueue<Media>(QUEUE_BYTES, sizeOf);
  #subscription: { unsubscribe(): void } | undefined;
  #pusher: PusherInfo | undefined;
  #sessionStarted: (() => void) | undefined;
  #sessionEnd: ReaderError | undefined;
  #ts: TsPacketReader | undefined;
  #converter: TagConverter | undefined;
  #reportedRevision = 0;
  #badMessages = 0;
  #closed = false;

  constructor(options: PushReaderOptions) {
    this.#o = options;
    this.#now = options.now ?? (() => performance.now());
    const report = converterEventReporter(options.onEvent);
    this.#reassembler = new RelayReassembler({
      onMalformed: (detail) => report({ type: 'malformed', media: 'other', detail: `push relay: ${detail}` }),
    });
  }

  get tracks(): readonly TrackInfo[] {
    return this.#ts?.tracks ?? this.#converter?.tracks ?? [];
  }

  get counters(): Readonly<ReaderCounters> {
    const ts = this.#ts?.counters;
    const stats = this.#reassembler.stats;
    return {
      bytes: stats.bytes,
      tsPackets: ts?.tsPackets ?? 0,
      ccErrors: ts?.ccErrors ?? 0,
      unknownStreams: ts?.unknownStreams ?? 0,
      dropped: stats.lostMessages + this.#queue.dropped + this.#badMessages,
      parameterSetsRefused:
        (ts?.parameterSetsRefused ?? 0) + (this.#converter?.stats?.parameterSetsRefused ?? 0),
      demuxBudgetDrops: ts?.demuxBudgetDrops ?? 0,
    };
  }

  get pusher(): Readonly<PusherInfo> | undefined {
    return this.#pusher;
  }

  async open(signal: AbortSignal): Promise<void> {
    if (this.#subscription !== undefined || this.#closed)
      throw new ReaderError('push: reader reopened', true);
    const started = new Promise<void>((resolve) => {
      this.#sessionStarted = resolve;
    });
    this.#subscription = this.#o.feed.subscribe(this.#o.feed.subject, (data) => this.#onMessage(data));
    const absent = setTimeout(
      () => this.#o.onEvent?.({ type: 'source-absent', reason: NO_PUSHER, left: false }),
      this.#o.absentAfterMs ?? DEFAULT_ABSENT_AFTER_MS,
    );
    const onAbort = () => this.#sessionStarted?.();
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      await started;
    } finally {
      clearTimeout(absent);
      signal.removeEventListener('abort', onAbort);
    }
    if (this.#pusher === undefined || this.#closed || signal.aborted) {
      await this.close();
      throw new ReaderError('push: waiting for a publisher was cancelled', true);
    }
    if (this.#pusher.protocol === 'srt') {
      this.#ts = new TsPacketReader(this.#byteSource(), this.#o.filter ?? {}, this.#o.onEvent);
      await this.#ts.open(signal);
    } else {
      const report = converterEventReporter(this.#o.onEvent);
      this.#converter = this.#o.createConverter?.() ?? new FlvConverter({ onEvent: report });
      this.#reportedRevision = this.#converter.tracksRevision;
    }
  }

  async read(): Promise<AVPacket[] | null> {
    const packets = this.#ts !== undefined ? await this.#ts.read() : await this.#readFlv();
    if (packets !== null || this.#closed) return packets;
    const end = this.#sessionEnd;
    if (end === undefined) return null;
    this.#o.onEvent?.({ type: 'source-absent', reason: end.message, left: true });
    throw end;
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#subscription?.unsubscribe();
    this.#sessionStarted?.();
    this.#queue.end();
  }

  async #readFlv(): Promise<AVPacket[] | null> {
    const converter = this.#converter;
    if (converter === undefined) return null;
    for (;;) {
      const items = await this.#queue.take();
      if (items === null) return null;
      const packets: AVPacket[] = [];
      for (const item of items) {
        if (item.type !== 'flv') continue;
        for (const tag of item.tags) for (const p of converter.push(tag)) packets.push(p);
      }
      if (converter.tracksRevision !== this.#reportedRevision) {
        this.#reportedRevision = converter.tracksRevision;
        this.#o.onEvent?.({ type: 'tracks', tracks: converter.tracks });
      }
      if (packets.length > 0) return packets;
    }
  }

  #byteSource(): ByteSource {
    const queue = this.#queue;
    return {
      open: async () => {},
      read: async () => {
        const items = await queue.take();
        return items === null ? null : items.flatMap((item) => (item.type === 'ts' ? [item.bytes] : []));
      },
      close: async () => {},
      get dropped() {
        return queue.dropped;
      },
    };
  }

  #onMessage(data: Uint8Array): void {
    if (this.#closed || this.#sessionEnd !== undefined) return;
    let items: RelayItem[];
    try {
      items = this.#reassembler.push(decodeRelay(data), this.#now());
    } catch (error) {
      if (!(error instanceof RelayWireError)) throw error;
      this.#badMessages++;
      return;
    }
    for (const item of items) {
      switch (item.type) {
        case 'session': {
          if (this.#pusher !== undefined) return; // a later session: the next open follows it
          const peer = (item.start ?? this.#o.feed.startOf?.(item.session))?.peer;
          this.#pusher = { protocol: item.protocol, ...(peer !== undefined && { peer }) };
          this.#sessionStarted?.();
          break;
        }
        case 'ts':
        case 'flv':
          this.#queue.push(item);
          break;
        case 'end':
          // A replacing publisher is sending already: the next open follows it without backoff.
          this.#sessionEnd = new ReaderError(`pusher disconnected: ${item.reason}`, true, {
            reopenAtOnce: item.replaced === true,
          });
          this.#queue.end();
          return;
      }
    }
  }
}
