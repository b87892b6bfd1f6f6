import { DEFAULT_SUBJECT_PREFIX, parseStreamSubject } from '@tributary/crds';
import type { StreamEvent } from '../../publish/publisher.js';
import type { StatusDocument } from '../../status/status-document.js';

/** Events kept per stream for the console, newest last. */
const EVENT_HISTORY = 50;

export interface BoardEntry {
  readonly namespace: string;
  readonly name: string;
  /** The latest `.status` document, and when it arrived (epoch ms). */
  status: StatusDocument | undefined;
  statusAt: number | undefined;
  /** The latest events, newest last. */
  readonly events: StreamEvent[];
  /** When anything last arrived for the stream (epoch ms). */
  lastMessageAt: number;
}

/** What `.status` and `.events` said lately, per stream: the console's view of the ingest pods. */
export class StreamBoard {
  readonly #prefix: string;
  readonly #entries = new Map<string, BoardEntry>();
  /** Messages that were not the JSON object their subject promises. */
  badMessages = 0;

  constructor(prefix = DEFAULT_SUBJECT_PREFIX) {
    this.#prefix = prefix;
  }

  /** Takes one `.status` or `.events` message; true when it changed what the board shows. */
  receive(subject: string, data: Uint8Array, now: number): boolean {
    const parsed = parseStreamSubject(subject, this.#prefix);
    if (parsed === undefined || (parsed.channel !== 'status' && parsed.channel !== 'events')) return false;
    let value: unknown;
    try {
      value = JSON.parse(new TextDecoder().decode(data));
    } catch {
      this.badMessages++;
      return false;
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.badMessages++;
      return false;
    }
    const entry = this.#entry(parsed.namespace, parsed.stream);
    entry.lastMessageAt = now;
    if (parsed.channel === 'status') {
      if (!Array.isArray((value as StatusDocument).inputs)) {
        this.badMessages++;
        return false;
      }
      entry.status = value as StatusDocument;
      entry.statusAt = now;
    } else {
      if (typeof (value as StreamEvent).type !== 'string') {
        this.badMessages++;
        return false;
      }
      entry.events.push(value as StreamEvent);
      if (entry.events.length > EVENT_HISTORY) entry.events.shift();
    }
    return true;
  }

  get(namespace: string, name: string): BoardEntry | undefined {
    return this.#entries.get(`${namespace}/${name}`);
  }

  get entries(): IterableIterator<BoardEntry> {
    return this.#entries.values();
  }

  /** Forgets the streams nothing arrived for since `cutoff` (epoch ms): Streams deleted long ago. */
  forgetSilentSince(cutoff: number): void {
    for (const [key, entry] of this.#entries) if (entry.lastMessageAt < cutoff) this.#entries.delete(key);
  }

  #entry(namespace: string, name: string): BoardEntry {
    const key = `${namespace}/${name}`;
    let entry = this.#entries.get(key);
    if (entry === undefined) {
      entry = { namespace, name, status: undefined, statusAt: undefined, events: [], lastMessageAt: 0 };
      this.#entries.set(key, entry);
    }
    return entry;
  }
}
