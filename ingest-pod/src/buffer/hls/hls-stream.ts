import { type MuxTrack, TsMuxer } from '../../mpegts-mux/index.js';
import type { PlacedPacket } from '../output-timeline.js';
import type { Gop, StreamRing } from '../stream-ring.js';
import type { LiveEdge } from './blocking-reload.js';
import { type HlsPart, type HlsSegment, TICKS_PER_SECOND } from './media-segment.js';
import { partTargetSeconds, renderPlaylist } from './playlist.js';
import { HlsSegmenter } from './segmenter.js';

export interface HlsStreamOptions {
  targetMs: number;
  partTargetMs: number;
  /**
   * How much media the playlist keeps (complete segments, not counting the oldest): a live player
   * needs a few target durations, and every segment is a muxed copy of what the ring holds.
   * Never more than the ring has.
   */
  windowMs: number;
}

/** Segments whose parts the playlist lists: the one in progress and the two before it. */
const SEGMENTS_WITH_PARTS = 3;

function muxTracks(ring: StreamRing): MuxTrack[] {
  return [...ring.tracks].map(([trackId, codec]) => ({ trackId, codec }));
}

/**
 * One stream served as HLS: a segmenter fed from the ring (first from what the ring holds, then
 * live), its window kept to the GOPs the ring still has, and requests waiting for parts to come.
 */
export class HlsStream {
  readonly ring: StreamRing;
  /** When a client last asked for anything of this stream (epoch ms). */
  lastRequestAt: number;
  readonly #options: HlsStreamOptions;
  readonly #muxer: TsMuxer;
  readonly #segmenter: HlsSegmenter;
  readonly #waiters = new Set<() => void>();
  #tracksVersion: number;
  #unlisten: (() => void) | undefined;
  #targetDuration: number;

  constructor(ring: StreamRing, options: HlsStreamOptions, now: number) {
    this.ring = ring;
    this.#options = options;
    this.lastRequestAt = now;
    this.#muxer = new TsMuxer(muxTracks(ring));
    this.#tracksVersion = ring.tracksVersion;
    this.#segmenter = new HlsSegmenter(this.#muxer, {
      targetTicks: (options.targetMs * TICKS_PER_SECOND) / 1000,
      partTargetTicks: (options.partTargetMs * TICKS_PER_SECOND) / 1000,
    });
    this.#targetDuration = Math.max(1, Math.round(options.targetMs / 1000));
  }

  /** Segments what the ring holds from its oldest startable GOP, then follows it until stop(). */
  start(): void {
    const gops = this.ring.gops;
    const first = gops.findIndex((gop) => gop.startable);
    if (first >= 0)
      for (const gop of gops.slice(first))
        for (const [i, packet] of gop.packets.entries()) this.#take(packet, gop, i === 0);
    this.#trim();
    this.#unlisten = this.ring.listen((packet, gop, opensGop) => {
      if (this.#take(packet, gop, opensGop)) {
        this.#trim();
        this.#wake();
      }
    });
  }

  /** Stops following the ring; waiting requests are released (they find nothing new). */
  stop(): void {
    this.#unlisten?.();
    this.#unlisten = undefined;
    this.#wake();
  }

  get edge(): LiveEdge | undefined {
    const open = this.#segmenter.segments.at(-1);
    return open && { msn: open.msn, parts: open.parts.filter((p) => p.complete).length };
  }

  /** The playlist lists at least one part. */
  get listsMedia(): boolean {
    return this.#segmenter.segments[0]?.parts[0]?.complete === true;
  }

  /** EXT-X-TARGETDURATION: the configured target, or the longest segment so far, rounded. */
  get targetDuration(): number {
    const longest = Math.round(this.#segmenter.longestSegmentTicks / TICKS_PER_SECOND);
    // Never goes down: players must not see it change for the worse.
    this.#targetDuration = Math.max(this.#targetDuration, longest);
    return this.#targetDuration;
  }

  get partTarget(): number {
    const longest = Math.max(
      this.#segmenter.longestPartTicks,
      (this.#options.partTargetMs * TICKS_PER_SECOND) / 1000,
    );
    return partTargetSeconds(longest);
  }

  playlist(): string {
    const segments = this.#segmenter.segments;
    const open = segments.at(-1);
    return renderPlaylist({
      segments,
      mediaSequence: this.#segmenter.mediaSequence,
      discontinuitySequence: this.#segmenter.discontinuitySequence,
      targetDuration: this.targetDuration,
      partTarget: this.partTarget,
      partsFromMsn: open ? open.msn - (SEGMENTS_WITH_PARTS - 1) : 0,
    });
  }

  segment(msn: number): HlsSegment | undefined {
    const first = this.#segmenter.segments[0];
    return first && this.#segmenter.segments[msn - first.msn];
  }

  part(msn: number, index: number): HlsPart | undefined {
    return this.segment(msn)?.parts[index];
  }

  /**
   * Resolves true once `ready()` holds (checked now and whenever a part completes), false after
   * `timeoutMs`, on stop(), or when `cancel` fires.
   */
  waitUntil(ready: () => boolean, timeoutMs: number, cancel?: AbortSignal): Promise<boolean> {
    if (ready()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        cancel?.removeEventListener('abort', abort);
        resolve(ok);
      };
      const check = () => {
        if (ready()) finish(true);
        else if (this.#unlisten === undefined) finish(false);
      };
      const abort = () => finish(false);
      const timer = setTimeout(() => finish(false), timeoutMs);
      cancel?.addEventListener('abort', abort);
      this.#waiters.add(check);
    });
  }

  #take(packet: PlacedPacket, gop: Gop, opensGop: boolean): boolean {
    if (this.ring.tracksVersion !== this.#tracksVersion) {
      this.#tracksVersion = this.ring.tracksVersion;
      this.#muxer.setTracks(muxTracks(this.ring));
    }
    return this.#segmenter.push(packet, gop, opensGop);
  }

  /** Keeps the segments covering `windowMs`, and only those whose first GOP the ring still holds. */
  #trim(): void {
    const oldest = this.ring.gops[0];
    if (oldest === undefined) return;
    while ((this.#segmenter.segments[0]?.firstGopSeq ?? oldest.seq) < oldest.seq)
      if (this.#segmenter.dropOldest() === undefined) break;
    const windowTicks = (this.#options.windowMs / 1000) * TICKS_PER_SECOND;
    const covered = (from: number) =>
      this.#segmenter.segments.slice(from).reduce((sum, s) => sum + (s.complete ? s.durationTicks : 0), 0);
    while (covered(1) >= windowTicks) if (this.#segmenter.dropOldest() === undefined) break;
  }

  #wake(): void {
    for (const check of [...this.#waiters]) check();
  }
}
