import type { AVPacket } from '../avpacket.js';
import type { CreateReader, InputReader, ReaderContext, ReaderEvent } from '../reader/reader-api.js';
import type { Clock } from './clock.js';

/** Why a new session began: first open, reopen after a failure, or packets after a stall. */
export type SessionReason = 'open' | 'reconnect' | 'stall';

/** Packets of one read, tagged with the session they belong to. */
export interface PacketBatch {
  packets: AVPacket[];
  session: number;
  /** The first batch of a session: consumers re-anchor their timelines here. */
  sessionStart: boolean;
  reason: SessionReason;
}

export type InputLoopEvent =
  | { type: 'input.connected'; session: number; reconnect: boolean }
  | { type: 'input.reconnecting'; error: string; attempt: number; delayMs: number }
  /** `permanent: false` is an open that keeps failing (first failure and each one at the backoff cap). */
  | { type: 'input.error'; error: string; permanent: boolean }
  | { type: 'input.ended' }
  | { type: 'stalled'; silentMs: number }
  | { type: 'reader'; event: ReaderEvent };

export type InputLoopExit = { reason: 'stopped' } | { reason: 'ended' } | { reason: 'failed'; error: string };

export interface InputLoopDeps {
  createReader: CreateReader;
  context?: ReaderContext;
  /** Awaited before the next read, so a slow consumer slows the reader instead of queueing. */
  onPackets(batch: PacketBatch): void | Promise<void>;
  onEvent?(event: InputLoopEvent): void;
  clock?: Clock;
  /** Session ids; the input manager passes a stream-wide counter. Default: 1, 2, 3, … */
  nextSessionId?: () => number;
  /** Overrides both the reader's hint and the default. */
  stallTimeoutMs?: number;
  backoff?: { initialMs: number; maxMs: number };
}

export interface InputLoopHandle {
  /** Stops reading, closes the reader, resolves once it is closed. */
  stop(): Promise<void>;
  /** Settles when the input loop is over: stopped, source ended, or a permanent failure. */
  readonly done: Promise<InputLoopExit>;
  /** The reader of the current open (for tracks and counters), if any. */
  readonly reader: InputReader | undefined;
}

/** Constant-rate transports (udp, http-ts, file, srt) are silent for this long only when broken. */
export const DEFAULT_STALL_TIMEOUT_MS = 2000;
