import { type Codec, VIDEO_CODECS } from '../avpacket.js';
import type { PlacedPacket } from './output-timeline.js';

const TICKS_PER_MS = 90;
/** An audio-only stream is cut this often: any audio frame is a place to start. */
const AUDIO_ONLY_CUT_TICKS = 90_000;

/** A run of packets that starts where a player can start (a keyframe), or after a session break. */
export interface Gop {
  /** Counts up from 1 per stream; never reused. */
  readonly seq: number;
  readonly sessionId: number;
  /** A player can start decoding here: a video keyframe, or any audio frame on an audio-only stream. */
  readonly startable: boolean;
  /** The first packet starts a session that follows another one. */
  readonly discontinuity: boolean;
  readonly startDts: number;
  /** Highest DTS so far. */
  endDts: number;
  readonly packets: PlacedPacket[];
  bytes: number;
}

export interface StreamRingOptions {
  /** How much media to keep, by timestamps. */
  windowMs: number;
  /** A ceiling on the bytes kept, whatever the window (oldest GOPs go first). */
  maxBytes: number;
}

export type RingListener = (packet: PlacedPacket, gop: Gop, opensGop: boolean) => void;

/**
 * The last `windowMs` of one stream, cut at keyframes, in order of arrival. The newest GOP is
 * always kept, so a stream with rare keyframes still has somewhere to start.
 */
export class StreamRing {
  readonly #options: StreamRingOptions;
  readonly #gops: Gop[] = [];
  readonly #tracks = new Map<number, Codec>();
  readonly #listeners = new Set<RingListener>();
  #bytes = 0;
  #nextSeq = 1;
  #hasVideo = false;
  /** Bumped whenever a track appears or changes codec. */
  tracksVersion = 0;

  constructor(options: StreamRingOptions) {
    this.#options = options;
  }

  get gops(): readonly Gop[] {
    return this.#gops;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** Track id → codec, in order of first appearance. */
  get tracks(): ReadonlyMap<number, Codec> {
    return this.#tracks;
  }

  /** Timestamp span of what is kept, in ms. */
  get bufferedMs(): number {
    const first = this.#gops[0];
    const last = this.#gops.at(-1);
    return first && last ? Math.round((last.endDts - first.startDts) / TICKS_PER_MS) : 0;
  }

  push(packet: PlacedPacket): void {
    if (this.#tracks.get(packet.trackId) !== packet.codec) {
      this.#tracks.set(packet.trackId, packet.codec);
      this.tracksVersion++;
      if (VIDEO_CODECS.has(packet.codec)) this.#hasVideo = true;
    }
    let gop = this.#gops.at(-1);
    const opensGop = gop === undefined || packet.sessionId !== gop.sessionId || this.#cutsHere(packet, gop);
    if (opensGop || gop === undefined) {
      gop = {
        seq: this.#nextSeq++,
        sessionId: packet.sessionId,
        startable: this.#startable(packet),
        discontinuity: packet.discontinuity,
        startDts: packet.dts,
        endDts: packet.dts,
        packets: [],
        bytes: 0,
      };
      this.#gops.push(gop);
    }
    gop.packets.push(packet);
    gop.bytes += packet.data.byteLength;
    if (packet.dts > gop.endDts) gop.endDts = packet.dts;
    this.#bytes += packet.data.byteLength;
    this.#evict();
    for (const listener of this.#listeners) listener(packet, gop, opensGop);
  }

  /** The newest GOP a player can start from, and everything after it. */
  fromLatestStart(): Gop[] {
    for (let i = this.#gops.length - 1; i >= 0; i--) if (this.#gops[i]!.startable) return this.#gops.slice(i);
    return [];
  }

  /** Calls `listener` with every packet pushed from now on; returns the unsubscribe. */
  listen(listener: RingListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  #startable(packet: PlacedPacket): boolean {
    return this.#hasVideo ? VIDEO_CODECS.has(packet.codec) && packet.key : true;
  }

  #cutsHere(packet: PlacedPacket, current: Gop): boolean {
    if (this.#hasVideo) return VIDEO_CODECS.has(packet.codec) && packet.key;
    return packet.dts - current.startDts >= AUDIO_ONLY_CUT_TICKS;
  }

  #evict(): void {
    const newest = this.#gops.at(-1)!;
    const windowTicks = this.#options.windowMs * TICKS_PER_MS;
    // Drops the oldest GOP while the rest still cover the window (or while over the byte ceiling).
    while (this.#gops.length > 1) {
      const next = this.#gops[1]!;
      const overWindow = newest.endDts - next.startDts >= windowTicks;
      if (!overWindow && this.#bytes <= this.#options.maxBytes) break;
      this.#bytes -= this.#gops.shift()!.bytes;
    }
  }
}
