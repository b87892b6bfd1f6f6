import type { AVPacket, Codec } from '../avpacket.js';
import { defaultFrameDuration, type TrackKind, trackKind } from './track-kind.js';

/** 90 kHz ticks per millisecond. */
export const TICKS_PER_MS = 90;

export interface TimelineOptions {
  /** A DTS step forward larger than this (ticks) is a discontinuity, not a gap. */
  jumpThreshold: number;
  /**
   * When a track re-anchors after another track already did in the same session, it shares that
   * offset (keeping A/V sync) only if it then lands within this many ticks of that track's output.
   */
  snapWindow: number;
}

/** Jump threshold 2000 ms (beyond any real frame gap), cross-track snap 1000 ms. */
export const TIMELINE_DEFAULTS: Readonly<TimelineOptions> = {
  jumpThreshold: 2000 * TICKS_PER_MS,
  snapWindow: 1000 * TICKS_PER_MS,
};

export type ReanchorReason = 'start' | 'session' | 'new-track' | 'jump-forward' | 'jump-backward';

/**
 * `new`: the track chose a fresh offset that continues after everything already emitted.
 * `shared`: it took the offset another track chose in this session, so their source alignment holds.
 * `lifted`: sharing would have moved this track back over its own output, so the shared offset was
 * raised for every track on it (the others get a short gap; alignment still holds).
 */
export type ReanchorMode = 'new' | 'shared' | 'lifted';

export interface Reanchor {
  trackId: number;
  codec: Codec;
  reason: ReanchorReason;
  mode: ReanchorMode;
  /** Ticks added to this track's input DTS and PTS from now on. */
  offset: number;
}

export interface TimelineCounters {
  reanchors: number;
  /** Re-anchors that raised a shared offset (see ReanchorMode `lifted`). */
  lifts: number;
  /** Access units whose DTS did not advance and were moved one tick past the previous one. */
  bumps: number;
}

/** One offset chosen at a re-anchor, which other tracks of the same session may join. */
interface Anchor {
  id: number;
  offset: number;
  /** Highest DTS emitted through this anchor. */
  position: number;
}

interface TrackState {
  codec: Codec;
  kind: TrackKind;
  session: number;
  anchorId: number;
  offset: number;
  lastIn: number;
  lastOut: number;
  /** Recent in-session DTS steps; the smallest is the frame spacing (a hole among them does not count). */
  steps: number[];
}

const STEPS_KEPT = 8;

/** The spacing a continuation leaves after the track's last output. */
function frameDuration(track: TrackState): number {
  return track.steps.length > 0 ? Math.min(...track.steps) : defaultFrameDuration(track.codec);
}

/**
 * Rewrites one stream's timestamps so they are monotonic per track across sessions (reconnects,
 * failovers, stall recoveries) and discontinuities, keeping each access unit's composition offset.
 * The first session keeps the source's own timestamps. Pure: no clock, no I/O.
 */
export class Timeline {
  readonly counters: TimelineCounters = { reanchors: 0, lifts: 0, bumps: 0 };
  private readonly options: TimelineOptions;
  private readonly tracks = new Map<number, TrackState>();
  private session = 0;
  /** The latest anchor of the current session; undefined right after a session starts. */
  private anchor: Anchor | undefined;
  private anchorCount = 0;

  constructor(
    options: Partial<TimelineOptions> = {},
    private readonly onReanchor?: (reanchor: Reanchor) => void,
  ) {
    this.options = { ...TIMELINE_DEFAULTS, ...options };
  }

  /** `sessionStart` applies to the batch's first packet. */
  applyBatch(packets: readonly AVPacket[], { sessionStart = false } = {}): AVPacket[] {
    return packets.map((packet, index) => this.apply(packet, { sessionStart: sessionStart && index === 0 }));
  }

  /** Returns a copy of the packet with rewritten DTS and PTS (payload shared, not copied). */
  apply(packet: AVPacket, { sessionStart = false } = {}): AVPacket {
    if (sessionStart) {
      this.session++;
      this.anchor = undefined;
    }
    const kind = trackKind(packet.codec);
    if (kind === 'data') return this.emit(this.followAnchor(packet), packet);

    const known = this.tracks.get(packet.trackId);
    const reason = this.reanchorReason(known, packet);
    if (reason === undefined && known) {
      const step = packet.dts - known.lastIn;
      if (step > 0 && step <= this.options.jumpThreshold) {
        known.steps.push(step);
        if (known.steps.length > STEPS_KEPT) known.steps.shift();
      }
      return this.emit(known, packet);
    }
    return this.emit(this.reanchor(known, packet, kind, reason ?? 'new-track'), packet);
  }

  private reanchorReason(track: TrackState | undefined, packet: AVPacket): ReanchorReason | undefined {
    if (!track) return this.head() === undefined ? 'start' : 'new-track';
    if (track.codec !== packet.codec || track.session !== this.session) return 'session';
    const step = packet.dts - track.lastIn;
    if (step < 0) return 'jump-backward';
    if (step <= this.options.jumpThreshold) return undefined;
    // A long step that lands where the other tracks already are is a hole in this track, not a
    // discontinuity of the source: keep it, so the track stays aligned.
    const others = this.head(packet.trackId);
    const landsWithOthers =
      others !== undefined && Math.abs(packet.dts + track.offset - others) <= this.options.snapWindow;
    return landsWithOthers ? undefined : 'jump-forward';
  }

  private reanchor(
    known: TrackState | undefined,
    packet: AVPacket,
    kind: TrackKind,
    reason: ReanchorReason,
  ): TrackState {
    const head = this.head();
    const anchor = this.anchor;
    let mode: ReanchorMode;
    let offset: number;
    let anchorId: number;
    if (head === undefined) {
      // Nothing emitted yet: keep the source's timestamps (only lifted when they are negative).
      ({ offset, id: anchorId } = this.newAnchor(Math.max(0, -packet.dts)));
      mode = 'new';
    } else if (anchor && anchor.id !== known?.anchorId && this.withinSnap(anchor, packet)) {
      mode = 'shared';
      if (known && packet.dts + anchor.offset <= known.lastOut) {
        this.lift(anchor, known.lastOut + frameDuration(known) - packet.dts);
        mode = 'lifted';
      }
      anchorId = anchor.id;
      offset = anchor.offset;
    } else {
      ({ offset, id: anchorId } = this.newAnchor(head - packet.dts));
      mode = 'new';
    }

    const codecChanged = known !== undefined && known.codec !== packet.codec;
    const track: TrackState = known ?? {
      codec: packet.codec,
      kind,
      session: this.session,
      anchorId,
      offset,
      lastIn: packet.dts,
      lastOut: Number.NEGATIVE_INFINITY,
      steps: [],
    };
    if (codecChanged) {
      track.codec = packet.codec;
      track.kind = kind;
      track.steps = [];
    }
    track.session = this.session;
    track.anchorId = anchorId;
    track.offset = offset;
    this.tracks.set(packet.trackId, track);
    this.counters.reanchors++;
    this.onReanchor?.({ trackId: packet.trackId, codec: packet.codec, reason, mode, offset });
    return track;
  }

  /** Data tracks are sparse, so they never re-anchor on their own: they use the session's offset. */
  private followAnchor(packet: AVPacket): TrackState {
    if (!this.anchor) {
      const head = this.head();
      this.newAnchor(head === undefined ? Math.max(0, -packet.dts) : head - packet.dts);
    }
    const anchor = this.anchor!;
    const track = this.tracks.get(packet.trackId) ?? {
      codec: packet.codec,
      kind: 'data' as const,
      session: this.session,
      anchorId: anchor.id,
      offset: anchor.offset,
      lastIn: packet.dts,
      lastOut: Number.NEGATIVE_INFINITY,
      steps: [],
    };
    track.codec = packet.codec;
    track.kind = 'data';
    track.session = this.session;
    track.anchorId = anchor.id;
    track.offset = anchor.offset;
    this.tracks.set(packet.trackId, track);
    return track;
  }

  private emit(track: TrackState, packet: AVPacket): AVPacket {
    let dts = Math.max(0, packet.dts + track.offset);
    if (dts <= track.lastOut) {
      dts = track.lastOut + 1;
      this.counters.bumps++;
    }
    track.lastIn = packet.dts;
    track.lastOut = dts;
    const anchor = this.anchor;
    if (anchor && track.anchorId === anchor.id && track.offset === anchor.offset && track.kind !== 'data') {
      anchor.position = Math.max(anchor.position, dts);
    }
    const compositionOffset = Math.max(0, packet.pts - packet.dts);
    return { ...packet, dts, pts: dts + compositionOffset };
  }

  /** Raises a shared offset; the tracks already on it jump forward with it, so they stay aligned. */
  private lift(anchor: Anchor, offset: number): void {
    anchor.offset = offset;
    for (const track of this.tracks.values()) {
      if (track.anchorId === anchor.id && track.session === this.session) track.offset = offset;
    }
    this.counters.lifts++;
  }

  private newAnchor(offset: number): Anchor {
    this.anchor = { id: ++this.anchorCount, offset, position: Number.NEGATIVE_INFINITY };
    return this.anchor;
  }

  /** Whether the packet, mapped through the anchor, lands close to what that anchor has emitted. */
  private withinSnap(anchor: Anchor, packet: AVPacket): boolean {
    return Math.abs(packet.dts + anchor.offset - anchor.position) <= this.options.snapWindow;
  }

  /** The earliest DTS at which every media track could continue: max(last output + spacing). */
  private head(excludeTrackId?: number): number | undefined {
    let head: number | undefined;
    for (const [trackId, track] of this.tracks) {
      if (track.kind === 'data' || trackId === excludeTrackId) continue;
      const next = track.lastOut + frameDuration(track);
      if (head === undefined || next > head) head = next;
    }
    return head;
  }
}
