// One reader's view of the push relay: relay messages in, the publisher session's media out.
// Pure: no timers, no I/O; `now` comes with every message.
import type { FlvTag } from '../flv/flv-tag.js';
import {
  RELAY_FLAG_CONTINUATION,
  RelayKind,
  type RelayMessage,
  type RelayStart,
} from '../push-relay/relay-wire.js';
import { FlvRecordParser } from './flv-record-parser.js';

export type PushProtocol = RelayStart['protocol'];

export type RelayItem =
  /** A session began: its start message was seen, or (no `start`) the reader joined it midway. */
  | { type: 'session'; session: number; protocol: PushProtocol; start?: RelayStart }
  | { type: 'ts'; bytes: Uint8Array }
  | { type: 'flv'; tags: FlvTag[] }
  /** The current session is over; a later message may begin another one. */
  /** `replaced`: a new publisher's start ended this session (it is publishing already). */
  | { type: 'end'; session: number; reason: string; replaced?: boolean };

export interface RelayStats {
  /** Messages that never arrived, from gaps in the sequence numbers. */
  lostMessages: number;
  /** Continuation messages skipped while waiting for a record boundary (after a join or a loss). */
  skippedContinuations: number;
  /** Messages of sessions other than the current one, duplicates and late arrivals. */
  ignoredMessages: number;
  /** FLV records that could not be read, and start/end payloads that are not the JSON they should be. */
  malformed: number;
  /** Relay payload bytes of sessions that were followed. */
  bytes: number;
}

export interface RelayReassemblerOptions {
  /**
   * A current session silent this long gives way to another session's media (a listener that
   * died without an end message, and a start message lost on the way).
   */
  staleSessionMs?: number;
  onMalformed?: (detail: string) => void;
}

const DEFAULT_STALE_SESSION_MS = 3000;
const HALF_RANGE = 2 ** 31;

interface Current {
  session: number;
  protocol: PushProtocol;
  /** Sequence number expected next. */
  expected: number;
  lastAt: number;
  /** FLV: skip continuation messages until a record starts at a message boundary. */
  resync: boolean;
}

function decodeJson<T>(payload: Uint8Array): T | undefined {
  try {
    const value: unknown = JSON.parse(new TextDecoder().decode(payload));
    return typeof value === 'object' && value !== null ? (value as T) : undefined;
  } catch {
    return undefined;
  }
}

function protocolOf(kind: RelayKind): PushProtocol | undefined {
  if (kind === RelayKind.ts) return 'srt';
  if (kind === RelayKind.flv) return 'rtmp';
  return undefined;
}

/**
 * Follows one publisher session at a time: the first one seen (from its start message, or from
 * the first message a reader can begin at when it joins midway) until its end, or until a new
 * session's start replaces it. Sequence gaps are counted as loss; FLV then drops the record it
 * was in and skips continuation messages, TS bytes go on (the demuxer resyncs on sync bytes).
 */
export class RelayReassembler {
  readonly stats: RelayStats = {
    lostMessages: 0,
    skippedContinuations: 0,
    ignoredMessages: 0,
    malformed: 0,
    bytes: 0,
  };
  readonly #flv = new FlvRecordParser();
  readonly #staleSessionMs: number;
  readonly #onMalformed: ((detail: string) => void) | undefined;
  #current: Current | undefined;

  constructor(options: RelayReassemblerOptions = {}) {
    this.#staleSessionMs = options.staleSessionMs ?? DEFAULT_STALE_SESSION_MS;
    this.#onMalformed = options.onMalformed;
  }

  /** The session being followed, if any. */
  get session(): number | undefined {
    return this.#current?.session;
  }

  push(message: RelayMessage, now: number): RelayItem[] {
    const out: RelayItem[] = [];
    const current = this.#current;
    if (current !== undefined && message.session !== current.session) {
      if (!this.#replaces(message, current, now)) {
        this.stats.ignoredMessages++;
        return out;
      }
      this.#end(out, current, `replaced by publisher session ${message.session}`, true);
    }
    if (this.#current === undefined) this.#begin(message, now, out);
    else this.#follow(message, this.#current, now, out);
    return out;
  }

  /** A new session's start always replaces the current one; its media only a stale one. */
  #replaces(message: RelayMessage, current: Current, now: number): boolean {
    if (message.kind === RelayKind.start) return true;
    if (message.kind === RelayKind.end || now - current.lastAt < this.#staleSessionMs) return false;
    return !(message.kind === RelayKind.flv && isContinuation(message));
  }

  #begin(message: RelayMessage, now: number, out: RelayItem[]): void {
    if (message.kind === RelayKind.end) {
      this.stats.ignoredMessages++;
      return;
    }
    if (message.kind === RelayKind.start) {
      const start = decodeJson<RelayStart>(message.payload);
      if (start === undefined || (start.protocol !== 'rtmp' && start.protocol !== 'srt')) {
        this.#malformed(`start message of session ${message.session} is not a relay start`);
        return;
      }
      this.#current = this.#newCurrent(message, start.protocol, now);
      out.push({ type: 'session', session: message.session, protocol: start.protocol, start });
      return;
    }
    if (message.kind === RelayKind.flv && isContinuation(message)) {
      this.stats.skippedContinuations++;
      return;
    }
    const protocol = protocolOf(message.kind)!;
    this.#current = this.#newCurrent(message, protocol, now);
    out.push({ type: 'session', session: message.session, protocol });
    this.#media(message, this.#current, out);
  }

  #newCurrent(message: RelayMessage, protocol: PushProtocol, now: number): Current {
    this.#flv.reset();
    return {
      session: message.session,
      protocol,
      expected: (message.sequence + 1) >>> 0,
      lastAt: now,
      resync: false,
    };
  }

  #follow(message: RelayMessage, current: Current, now: number, out: RelayItem[]): void {
    const ahead = (message.sequence - current.expected) >>> 0;
    if (ahead >= HALF_RANGE) {
      this.stats.ignoredMessages++; // a duplicate or a late arrival
      return;
    }
    if (ahead > 0) {
      this.stats.lostMessages += ahead;
      this.#flv.reset();
      current.resync = true;
    }
    current.expected = (message.sequence + 1) >>> 0;
    current.lastAt = now;
    switch (message.kind) {
      case RelayKind.start:
        this.stats.ignoredMessages++; // the start of this very session again
        return;
      case RelayKind.end: {
        const end = decodeJson<{ reason?: unknown }>(message.payload);
        const reason = typeof end?.reason === 'string' ? end.reason : 'no reason given';
        this.#end(out, current, reason);
        return;
      }
      default:
        this.#media(message, current, out);
    }
  }

  #media(message: RelayMessage, current: Current, out: RelayItem[]): void {
    if (protocolOf(message.kind) !== current.protocol) {
      this.#malformed(
        `${current.protocol} session ${current.session} sent a message of kind ${message.kind}`,
      );
      return;
    }
    this.stats.bytes += message.payload.length;
    if (message.kind === RelayKind.ts) {
      if (message.payload.length > 0) out.push({ type: 'ts', bytes: message.payload });
      return;
    }
    if (current.resync) {
      if (isContinuation(message)) {
        this.stats.skippedContinuations++;
        return;
      }
      current.resync = false;
    } else if (!isContinuation(message) && this.#flv.partial) {
      this.#flv.reset();
      this.#malformed(`rtmp session ${current.session}: a record was cut short`);
    }
    const result = this.#flv.push(message.payload);
    if (result.tags.length > 0) out.push({ type: 'flv', tags: result.tags });
    if (result.malformed !== undefined) {
      current.resync = true;
      this.#malformed(result.malformed);
    }
  }

  #end(out: RelayItem[], current: Current, reason: string, replaced = false): void {
    this.#current = undefined;
    this.#flv.reset();
    out.push({ type: 'end', session: current.session, reason, ...(replaced && { replaced }) });
  }

  #malformed(detail: string): void {
    this.stats.malformed++;
    this.#onMalformed?.(detail);
  }
}

function isContinuation(message: RelayMessage): boolean {
  return ((message.flags ?? 0) & RELAY_FLAG_CONTINUATION) !== 0;
}
