// One accepted publisher's media on its way to the stream's ingest pod: a `start` message, the
// bytes as they came (coalesced per event-loop turn, cut to fit max_payload), an `end` message.
import { randomInt } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import {
  allocRelay,
  encodeRelay,
  RELAY_FLAG_CONTINUATION,
  RELAY_HEADER_BYTES,
  RelayKind,
  type RelayStart,
} from '../push-relay/relay-wire.js';

/** Largest payload one relay message carries: fewer, bigger messages, still far below 1 MiB. */
export const RELAY_BATCH_BYTES = 64 * 1024;

export interface RelayCounters {
  /** Media bytes relayed (payload only). */
  bytes(count: number): void;
  /** Relay messages published (start and end included). */
  messages(count: number): void;
  /** A publish the NATS client refused (closed connection, buffer full). */
  failed(error: unknown): void;
}

export interface RelayPublisherOptions {
  nc: Pick<NatsConnection, 'publish' | 'info'>;
  /** `<prefix>._push.<ns>.<stream>` */
  subject: string;
  start: RelayStart;
  /** Default: a random u32. */
  session?: number;
  counters?: RelayCounters;
}

/** A fresh relay session id: random, so a restarted listener never reuses a live one. */
export function newRelaySession(): number {
  return randomInt(0, 2 ** 32 - 1) >>> 0;
}

export class RelayPublisher {
  readonly session: number;
  private readonly kind: RelayKind;
  private sequence = 0;
  /** Chunks handed to relay() and not yet published; the first from `offset` on. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private flushQueued: NodeJS.Immediate | undefined;
  private ended = false;

  constructor(private readonly options: RelayPublisherOptions) {
    this.session = options.session ?? newRelaySession();
    this.kind = options.start.protocol === 'srt' ? RelayKind.ts : RelayKind.flv;
    this.publish(RelayKind.start, new TextEncoder().encode(JSON.stringify(options.start)));
  }

  /** Payload bytes per message: the batch size, or less when the server's max_payload is smaller. */
  get maxChunk(): number {
    const max = this.options.nc.info?.max_payload ?? RELAY_BATCH_BYTES + RELAY_HEADER_BYTES;
    return Math.max(1, Math.min(RELAY_BATCH_BYTES, max - RELAY_HEADER_BYTES));
  }

  /**
   * Queues bytes (TS from SRT; one whole FLV record per call from RTMP). Whole batches leave at
   * once, the rest at the end of this event-loop turn.
   */
  relay(bytes: Uint8Array): void {
    if (this.ended || bytes.length === 0) return;
    this.pending.push(bytes);
    this.pendingBytes += bytes.length;
    const chunk = this.maxChunk;
    while (this.pendingBytes >= chunk) this.publishPending(chunk);
    if (this.pendingBytes > 0) this.flushQueued ??= setImmediate(() => this.flush());
  }

  /** Publishes what is queued now. */
  flush(): void {
    if (this.flushQueued !== undefined) clearImmediate(this.flushQueued);
    this.flushQueued = undefined;
    const chunk = this.maxChunk;
    while (this.pendingBytes > 0) this.publishPending(chunk);
  }

  /** Flushes, then sends the `end` message. Idempotent. */
  end(reason: string): void {
    if (this.ended) return;
    this.flush();
    this.ended = true;
    this.publish(RelayKind.end, new TextEncoder().encode(JSON.stringify({ reason })));
  }

  /** One message of up to `limit` bytes from the front of the queue. */
  private publishPending(limit: number): void {
    const size = Math.min(limit, this.pendingBytes);
    // A message starting inside a chunk starts inside an FLV record (one record per relay()).
    const flags = this.kind === RelayKind.flv && this.offset > 0 ? RELAY_FLAG_CONTINUATION : 0;
    const message = allocRelay(
      { kind: this.kind, session: this.session, sequence: this.sequence++, flags },
      size,
    );
    let filled = 0;
    while (filled < size) {
      const first = this.pending[0] as Uint8Array;
      const take = Math.min(size - filled, first.length - this.offset);
      message.set(first.subarray(this.offset, this.offset + take), RELAY_HEADER_BYTES + filled);
      filled += take;
      this.offset += take;
      if (this.offset === first.length) {
        this.pending.shift();
        this.offset = 0;
      }
    }
    this.pendingBytes -= size;
    if (this.send(message)) this.options.counters?.bytes(size);
  }

  private publish(kind: RelayKind, payload: Uint8Array): boolean {
    return this.send(encodeRelay({ kind, session: this.session, sequence: this.sequence++, payload }));
  }

  private send(message: Uint8Array): boolean {
    try {
      this.options.nc.publish(this.options.subject, message);
      this.options.counters?.messages(1);
      return true;
    } catch (error) {
      this.options.counters?.failed(error);
      return false;
    }
  }
}
