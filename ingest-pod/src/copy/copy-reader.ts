import type { AVPacket, TrackInfo } from '../avpacket.js';
import { BatchQueue } from '../reader/batch-queue.js';
import { ReaderError } from '../reader/packet-reader.js';
import type { CopyFeed, InputReader, ReaderCounters, ReaderEvent } from '../reader/reader-api.js';
import { decodeEnvelope, isWireError, Reassembler } from '../wire/index.js';

/** Envelopes held for `read()`: seconds of any sane bitrate. */
const QUEUE_BYTES = 32 * 1024 * 1024;

export interface CopyReaderOptions {
  /** Name of the copied Stream (same namespace). */
  upstream: string;
  /** The rung of the upstream's ladder to read, where it has one. */
  rung?: string | undefined;
  feed: CopyFeed;
  onEvent?: (event: ReaderEvent) => void;
  queueBytes?: number;
}

type Item = { type: 'av'; data: Uint8Array } | { type: 'stopped'; reason: string };

/** `stream.stopped` on the upstream's events subject, with its reason; undefined for anything else. */
function stoppedReason(data: Uint8Array): string | undefined {
  try {
    const event = JSON.parse(new TextDecoder().decode(data)) as {
      type?: unknown;
      payload?: { reason?: unknown };
    };
    if (event?.type !== 'stream.stopped') return undefined;
    return typeof event.payload?.reason === 'string' ? event.payload.reason : 'no reason given';
  } catch {
    return undefined;
  }
}

/**
 * A copy:// input: the AVPackets another Stream publishes, read from its subject through the pod's
 * NATS connection. The upstream's session ids and sequence numbers stay behind (the publish path
 * stamps this Stream's own); its sequence gaps count as dropped, and a new upstream session is
 * a discontinuity the timeline absorbs like any input's. The upstream saying `stream.stopped` is
 * noted but does not end the input: when the upstream's pod is replaced its successor publishes on
 * the same subject a moment later, and a deleted upstream's silence trips the packet timeout.
 */
export class CopyReader implements InputReader {
  readonly #o: CopyReaderOptions;
  readonly #queue: BatchQueue<Item>;
  readonly #reassembler = new Reassembler();
  readonly #tracks = new Map<number, TrackInfo>();
  #subscriptions: { unsubscribe(): void }[] = [];
  #failure: ReaderError | undefined;
  #session: number | undefined;
  #nextSeq = 0;
  /** Access units the upstream's sequence numbers show as missing (joining midway is not a loss). */
  #lost = 0;
  #bytes = 0;
  #badMessages = 0;
  #opened = false;
  #closed = false;

  constructor(options: CopyReaderOptions) {
    this.#o = options;
    this.#queue = new BatchQueue<Item>(options.queueBytes ?? QUEUE_BYTES, (item) =>
      item.type === 'av' ? item.data.length : 0,
    );
  }

  get tracks(): readonly TrackInfo[] {
    return [...this.#tracks.values()];
  }

  get counters(): Readonly<ReaderCounters> {
    const r = this.#reassembler.stats;
    return {
      bytes: this.#bytes,
      tsPackets: 0,
      ccErrors: 0,
      unknownStreams: 0,
      dropped: this.#lost + this.#queue.dropped + this.#badMessages + r.inconsistent + r.oversized,
    };
  }

  async open(signal: AbortSignal): Promise<void> {
    if (this.#opened || this.#closed) throw new ReaderError(`${this.#label}: reader reopened`, true);
    this.#opened = true;
    if (signal.aborted) throw new ReaderError(`${this.#label}: opening was cancelled`, true);
    const { av, events } = this.#o.feed.subjectsOf({
      stream: this.#o.upstream,
      ...(this.#o.rung !== undefined && { rung: this.#o.rung }),
    });
    const onError = (subject: string) => (error: Error) =>
      this.#fail(
        new ReaderError(
          `${this.#label}: cannot read ${subject}: ${error.message} (the Stream's NATS credential must grant it; the operator grants the subjects of every copy:// upstream)`,
          true,
        ),
      );
    this.#subscriptions.push(
      this.#o.feed.subscribe(
        events,
        (data) => {
          const reason = stoppedReason(data);
          if (reason !== undefined) this.#queue.push({ type: 'stopped', reason });
        },
        onError(events),
      ),
      this.#o.feed.subscribe(av, (data) => this.#queue.push({ type: 'av', data }), onError(av)),
    );
  }

  async read(): Promise<AVPacket[] | null> {
    for (;;) {
      const items = await this.#queue.take();
      if (items === null) {
        if (this.#failure !== undefined && !this.#closed) throw this.#failure;
        return null;
      }
      const packets: AVPacket[] = [];
      for (const item of items) {
        if (item.type === 'stopped') {
          const detail = `${this.#label}: Stream "${this.#o.upstream}" stopped (${item.reason}); waiting for its next session`;
          this.#o.onEvent?.({ type: 'demux', detail });
          continue;
        }
        const packet = this.#accept(item.data);
        if (packet !== undefined) packets.push(packet);
      }
      if (packets.length > 0) return packets;
      if (this.#failure !== undefined) throw this.#failure;
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const subscription of this.#subscriptions) subscription.unsubscribe();
    this.#subscriptions = [];
    this.#queue.end();
  }

  get #label(): string {
    return `copy://${this.#o.upstream}`;
  }

  #fail(error: ReaderError): void {
    this.#failure ??= error;
    this.#queue.end();
  }

  /** One envelope in; a whole access unit, without the upstream's wire metadata, out. */
  #accept(data: Uint8Array): AVPacket | undefined {
    this.#bytes += data.length;
    const envelope = decodeEnvelope(data);
    if (isWireError(envelope)) {
      this.#badMessages++;
      this.#o.onEvent?.({ type: 'demux', detail: `${this.#label}: ${envelope.kind}: ${envelope.message}` });
      return undefined;
    }
    const unit = this.#reassembler.push(envelope);
    if (unit === undefined) return undefined;
    if (unit.sessionId === this.#session) {
      if (unit.seq > this.#nextSeq) this.#lost += unit.seq - this.#nextSeq;
      this.#nextSeq = Math.max(this.#nextSeq, unit.seq + 1);
    } else {
      if (this.#session !== undefined)
        this.#o.onEvent?.({ type: 'demux', detail: `${this.#label}: the upstream began a new session` });
      this.#session = unit.sessionId;
      this.#nextSeq = unit.seq + 1;
    }
    if (!this.#tracks.has(unit.trackId)) {
      this.#tracks.set(unit.trackId, { trackId: unit.trackId, codec: unit.codec });
      this.#o.onEvent?.({ type: 'tracks', tracks: this.tracks });
    }
    return {
      codec: unit.codec,
      trackId: unit.trackId,
      pts: unit.pts,
      dts: unit.dts,
      key: unit.key,
      data: unit.data,
    };
  }
}
