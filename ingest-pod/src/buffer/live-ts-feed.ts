import { type MuxTrack, TsMuxer } from '../mpegts-mux/index.js';
import type { PlacedPacket } from './output-timeline.js';
import type { Gop, StreamRing } from './stream-ring.js';

/** Where the feed writes: an HTTP response, or anything with the same two members. */
export interface ByteSink {
  write(chunk: Uint8Array): boolean;
  readonly writableLength: number;
}

export interface LiveTsFeedStats {
  accessUnits: number;
  bytes: number;
  /** Access units skipped because the viewer fell behind (it resumes at a later keyframe). */
  dropped: number;
}

function muxTracks(ring: StreamRing): MuxTrack[] {
  return [...ring.tracks].map(([trackId, codec]) => ({ trackId, codec }));
}

/**
 * One viewer's MPEG-TS: the buffered media from the latest keyframe, then live. A viewer that
 * cannot keep up (more than `maxQueuedBytes` waiting on its socket) loses whole GOPs, never parts
 * of one: it resumes at the next keyframe once its queue has drained to half.
 */
export class LiveTsFeed {
  readonly stats: LiveTsFeedStats = { accessUnits: 0, bytes: 0, dropped: 0 };
  readonly #ring: StreamRing;
  readonly #sink: ByteSink;
  readonly #maxQueuedBytes: number;
  readonly #muxer: TsMuxer;
  #tracksVersion: number;
  /** Waiting for a GOP to start at: before the first one, and after falling behind. */
  #skipping = true;
  #unlisten: (() => void) | undefined;

  constructor(ring: StreamRing, sink: ByteSink, options: { maxQueuedBytes: number }) {
    this.#ring = ring;
    this.#sink = sink;
    this.#maxQueuedBytes = options.maxQueuedBytes;
    this.#muxer = new TsMuxer(muxTracks(ring));
    this.#tracksVersion = ring.tracksVersion;
  }

  /** Writes the backlog from the latest keyframe, then follows the ring until stop(). */
  start(): void {
    this.#write(this.#muxer.tables());
    for (const gop of this.#ring.fromLatestStart())
      for (const [i, packet] of gop.packets.entries()) this.#take(packet, gop, i === 0);
    this.#unlisten = this.#ring.listen((packet, gop, opensGop) => this.#take(packet, gop, opensGop));
  }

  stop(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
  }

  #take(packet: PlacedPacket, gop: Gop, opensGop: boolean): void {
    if (this.#skipping) {
      if (!(opensGop && gop.startable && this.#sink.writableLength <= this.#maxQueuedBytes / 2)) {
        if (this.stats.accessUnits > 0) this.stats.dropped++;
        return;
      }
      this.#skipping = false;
    } else if (this.#sink.writableLength > this.#maxQueuedBytes) {
      this.#skipping = true;
      this.stats.dropped++;
      return;
    }
    if (this.#ring.tracksVersion !== this.#tracksVersion) {
      this.#tracksVersion = this.#ring.tracksVersion;
      this.#muxer.setTracks(muxTracks(this.#ring));
    }
    this.stats.accessUnits++;
    this.#write(this.#muxer.accessUnit(packet, { discontinuity: packet.discontinuity }));
  }

  #write(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    this.stats.bytes += bytes.byteLength;
    this.#sink.write(bytes);
  }
}
