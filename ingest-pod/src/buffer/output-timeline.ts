import type { WirePacket } from '../wire/index.js';

/** 90 kHz ticks. */
const TICKS_PER_SECOND = 90_000;
/** A new session whose timestamps leap this far ahead of the last ones out is re-anchored. */
const MAX_JUMP_TICKS = 10 * TICKS_PER_SECOND;
/**
 * Where a re-anchored session starts, after the newest timestamp out of any track: room for the
 * new session's audio to run a little behind its first video frame without going back in time.
 */
const ANCHOR_GAP_TICKS = TICKS_PER_SECOND / 10;

export interface PlacedPacket extends WirePacket {
  /** True on the first packet of a session that follows another one: players reset here. */
  discontinuity: boolean;
}

/**
 * Keeps the timestamps a buffer serves on one line across sessions. The ingest pod already keeps
 * them monotonic across reconnects and failovers, so usually nothing moves; a session that goes
 * back in time on its first packet's track (a new pod, a publisher restarted from zero) or leaps
 * far ahead is shifted to start just after everything served so far.
 */
export class OutputTimeline {
  #sessionId: number | undefined;
  #offset = 0;
  /** Newest DTS out, of any track. */
  #lastDts: number | undefined;
  readonly #lastDtsOfTrack = new Map<number, number>();

  place(packet: WirePacket): PlacedPacket {
    let discontinuity = false;
    if (packet.sessionId !== this.#sessionId) {
      discontinuity = this.#sessionId !== undefined;
      this.#sessionId = packet.sessionId;
      if (this.#lastDts !== undefined) {
        const shifted = packet.dts + this.#offset;
        const trackLast = this.#lastDtsOfTrack.get(packet.trackId) ?? this.#lastDts - TICKS_PER_SECOND;
        if (shifted <= trackLast || shifted > this.#lastDts + MAX_JUMP_TICKS)
          this.#offset = this.#lastDts + ANCHOR_GAP_TICKS - packet.dts;
      }
    }
    const dts = packet.dts + this.#offset;
    if (this.#lastDts === undefined || dts > this.#lastDts) this.#lastDts = dts;
    this.#lastDtsOfTrack.set(packet.trackId, dts);
    return { ...packet, pts: packet.pts + this.#offset, dts, discontinuity };
  }
}
