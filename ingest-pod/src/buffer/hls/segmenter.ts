import type { AVPacket } from '../../avpacket.js';
import type { PlacedPacket } from '../output-timeline.js';
import type { Gop } from '../stream-ring.js';
import type { HlsPart, HlsSegment } from './media-segment.js';

/** What the segmenter needs from an MPEG-TS muxer (TsMuxer has it). */
export interface SegmentMuxer {
  tables(): Uint8Array;
  accessUnit(packet: AVPacket, opts?: { discontinuity?: boolean }): Uint8Array;
}

export interface SegmenterOptions {
  /** A segment is cut at the first startable GOP once it is this long. */
  targetTicks: number;
  /** A part is cut at the first access unit once it is about this long. */
  partTargetTicks: number;
}

/**
 * A part is cut once it reached 90% of the part target, so that with access units at most a tenth
 * of the target apart every part lands between 90% and 100% of it (RFC 8216bis wants parts no
 * longer than PART-TARGET and, except a segment's last one, at least 85% of it).
 */
const PART_CUT_FRACTION = 0.9;
/** Assumed length of the last access unit before a session break when nothing better is known. */
const DEFAULT_LAST_STEP_TICKS = 3600;

const EMPTY = new Uint8Array(0);

function concat(chunks: readonly Uint8Array[]): Uint8Array {
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
}

/**
 * Cuts one stream's access units into HLS segments and LL-HLS parts, muxed as MPEG-TS. Pure: fed
 * the ring's packets in order, no I/O, no clock.
 *
 * Positions on the segment timeline are the highest DTS seen so far in the session (audio may run
 * a little behind video); a segment's or part's duration is the distance to the next one's start,
 * so the durations add up exactly.
 */
export class HlsSegmenter {
  readonly #muxer: SegmentMuxer;
  readonly #options: SegmenterOptions;
  readonly #segments: HlsSegment[] = [];
  #chunks: Uint8Array[] = [];
  #clock = 0;
  #lastStep = DEFAULT_LAST_STEP_TICKS;
  #mediaSequence = 0;
  #discontinuitySequence = 0;
  #longestSegmentTicks = 0;
  #longestPartTicks = 0;

  constructor(muxer: SegmentMuxer, options: SegmenterOptions) {
    this.#muxer = muxer;
    this.#options = options;
  }

  /** Oldest first; the last one is in progress (its last part too). */
  get segments(): readonly HlsSegment[] {
    return this.#segments;
  }

  /** MSN of the first segment kept (the playlist's EXT-X-MEDIA-SEQUENCE). */
  get mediaSequence(): number {
    return this.#mediaSequence;
  }

  /** Discontinuities that slid out of the window (EXT-X-DISCONTINUITY-SEQUENCE). */
  get discontinuitySequence(): number {
    return this.#discontinuitySequence;
  }

  /** The longest complete segment so far, and the one in progress (ticks). */
  get longestSegmentTicks(): number {
    const open = this.#segments.at(-1);
    const openTicks = open && !open.complete ? this.#clock - open.startTicks : 0;
    return Math.max(this.#longestSegmentTicks, openTicks);
  }

  /** The longest complete part so far (ticks). */
  get longestPartTicks(): number {
    return this.#longestPartTicks;
  }

  /**
   * Takes the next packet of the ring (`opensGop`: it is the first of `gop`). Returns true when a
   * part completed. Packets before the first startable GOP are skipped.
   */
  push(packet: PlacedPacket, gop: Gop, opensGop: boolean): boolean {
    const segment = this.#segments.at(-1);
    const startsSession = opensGop && gop.discontinuity;
    const position = startsSession ? packet.dts : Math.max(this.#clock, packet.dts);
    let completed = false;
    if (segment === undefined) {
      if (!(opensGop && gop.startable)) return false;
      this.#openSegment(packet, gop, position, segment);
    } else if (
      opensGop &&
      (startsSession || (gop.startable && position - segment.startTicks >= this.#options.targetTicks))
    ) {
      this.#closeSegment(segment, startsSession ? this.#sessionEnd(packet.dts) : position);
      this.#openSegment(packet, gop, position, segment);
      completed = true;
    } else {
      const part = segment.parts.at(-1)!;
      if (position - part.startTicks >= PART_CUT_FRACTION * this.#options.partTargetTicks) {
        this.#closePart(part, position);
        segment.parts.push(
          this.#newPart(segment.msn, segment.parts.length, opensGop && gop.startable, position),
        );
        completed = true;
      }
    }
    if (position > this.#clock) this.#lastStep = Math.max(1, position - this.#clock);
    this.#clock = position;
    const bytes = this.#muxer.accessUnit(packet, { discontinuity: packet.discontinuity });
    if (bytes.byteLength > 0) this.#chunks.push(bytes);
    return completed;
  }

  /** Drops the oldest complete segment; the one in progress always stays. */
  dropOldest(): HlsSegment | undefined {
    if (this.#segments.length < 2) return undefined;
    const dropped = this.#segments.shift()!;
    this.#mediaSequence = this.#segments[0]!.msn;
    if (this.#segments[0]!.discontinuity) this.#discontinuitySequence++;
    return dropped;
  }

  #openSegment(packet: PlacedPacket, gop: Gop, position: number, previous: HlsSegment | undefined): void {
    const msn = previous === undefined ? gop.seq : previous.msn + 1;
    if (previous === undefined) this.#mediaSequence = msn;
    this.#segments.push({
      msn,
      discontinuity: gop.discontinuity && previous !== undefined,
      firstGopSeq: gop.seq,
      programDateTimeMs: packet.wallTimeMs,
      startTicks: position,
      durationTicks: 0,
      complete: false,
      parts: [this.#newPart(msn, 0, gop.startable, position)],
      data: EMPTY,
    });
    this.#chunks.push(this.#muxer.tables());
  }

  #newPart(msn: number, index: number, independent: boolean, startTicks: number): HlsPart {
    return { msn, index, independent, startTicks, durationTicks: 0, complete: false, data: EMPTY };
  }

  #closePart(part: HlsPart, endTicks: number): void {
    part.durationTicks = Math.max(0, endTicks - part.startTicks);
    part.data = concat(this.#chunks);
    part.complete = true;
    this.#chunks = [];
    this.#longestPartTicks = Math.max(this.#longestPartTicks, part.durationTicks);
  }

  #closeSegment(segment: HlsSegment, endTicks: number): void {
    this.#closePart(segment.parts.at(-1)!, endTicks);
    segment.durationTicks = Math.max(0, endTicks - segment.startTicks);
    segment.data = concat(segment.parts.map((p) => p.data));
    // The parts become views into the segment, so its bytes are held once.
    let at = 0;
    for (const part of segment.parts) {
      const length = part.data.byteLength;
      part.data = segment.data.subarray(at, at + length);
      at += length;
    }
    segment.complete = true;
    this.#longestSegmentTicks = Math.max(this.#longestSegmentTicks, segment.durationTicks);
  }

  /** Where the old session ends: its next packet's DTS if that follows closely, else one step on. */
  #sessionEnd(nextDts: number): number {
    const gap = nextDts - this.#clock;
    return gap > 0 && gap <= this.#options.targetTicks ? nextDts : this.#clock + this.#lastStep;
  }
}
