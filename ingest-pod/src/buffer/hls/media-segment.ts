/** 90 kHz ticks per second, the unit of every duration here. */
export const TICKS_PER_SECOND = 90_000;

/** A partial segment (LL-HLS): a run of access units inside a segment, cut at an AU boundary. */
export interface HlsPart {
  readonly msn: number;
  /** Counts from 0 inside its segment. */
  readonly index: number;
  /** Starts with a GOP a player can start from. */
  readonly independent: boolean;
  readonly startTicks: number;
  /** Set when the part is complete. */
  durationTicks: number;
  complete: boolean;
  /** The part's MPEG-TS; empty until it is complete. */
  data: Uint8Array;
}

/** A media segment: starts at a GOP a player can start from (or at a new session), with PAT + PMT. */
export interface HlsSegment {
  /** Media sequence number. */
  readonly msn: number;
  /** Starts a session that follows another one: announced with #EXT-X-DISCONTINUITY. */
  readonly discontinuity: boolean;
  /** The ring GOP it starts with: the segment goes once the ring has dropped that GOP. */
  readonly firstGopSeq: number;
  /** Ingest wall time of its first access unit (ms since the epoch). */
  readonly programDateTimeMs: number;
  readonly startTicks: number;
  /** Set when the segment is complete. */
  durationTicks: number;
  complete: boolean;
  readonly parts: HlsPart[];
  /** The whole segment's MPEG-TS (its parts are views into it); empty until it is complete. */
  data: Uint8Array;
}
