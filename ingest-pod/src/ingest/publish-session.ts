import { randomInt } from 'node:crypto';
import type { AVPacket, TrackInfo } from '../avpacket.js';
import type { PacketBatch } from '../input-loop/input-loop-api.js';
import { fromFirstKeyframe } from './start-gate.js';

/**
 * Session ids of one publisher: from a random u32, one more (mod 2^32) per session, so a
 * replacement pod overlapping the one it replaces does not reuse its ids.
 */
export function sessionIds(start = randomInt(2 ** 32)): () => number {
  let last = start >>> 0;
  return () => {
    last = (last + 1) >>> 0;
    return last;
  };
}

export interface AdmittedBatch {
  packets: AVPacket[];
  sessionId: number;
  /** The first packet opens a session: consumers re-anchor there. */
  sessionStart: boolean;
}

/**
 * The publishing side of one reader: which session its packets belong to, and from where they may
 * be published. A reader newly published, and a reader that reconnected, start again at a video
 * keyframe; a stall recovery keeps going (the decoder's state still holds). Pure.
 */
export class PublishSession {
  #sessionId: number | undefined;
  #startPending = false;
  #awaitKeyframe = false;
  /** Promoted by the batch being admitted now: its own session flag is covered by the promotion. */
  #justPromoted = false;

  constructor(private readonly mintSessionId: () => number) {}

  /** The reader became the published one; `fresh` when it was not published just before. */
  promoted(fresh: boolean): void {
    this.#sessionId = this.mintSessionId();
    this.#startPending = true;
    this.#justPromoted = true;
    if (fresh) this.#awaitKeyframe = true;
  }

  /** What of a batch of the published reader goes out, or undefined when nothing does yet. */
  admit(batch: PacketBatch, tracks: readonly TrackInfo[]): AdmittedBatch | undefined {
    if (batch.sessionStart && !this.#justPromoted) {
      this.#sessionId = batch.session;
      this.#startPending = true;
      if (batch.reason === 'reconnect') this.#awaitKeyframe = true;
    }
    this.#justPromoted = false;
    this.#sessionId ??= batch.session;
    let packets = batch.packets;
    if (this.#awaitKeyframe) {
      packets = fromFirstKeyframe(packets, tracks);
      if (packets.length === 0) return undefined;
      this.#awaitKeyframe = false;
    }
    const sessionStart = this.#startPending;
    this.#startPending = false;
    return { packets, sessionId: this.#sessionId, sessionStart };
  }
}
