import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../avpacket.js';
import type { Logger, StreamIdentity } from '../observability/logger.js';
import type { IngestMetrics, PublishFailureReason } from '../observability/metrics.js';
import { encodeEnvelopes } from '../wire/index.js';
import type { NatsLink } from './connection.js';

/** nats-server's default max_payload, used until the server has told us its own. */
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;
const DEFAULT_HELD_EVENTS = 100;

export interface PublisherSubjects {
  av: string;
  events: string;
  status: string;
}

/** The DESIGN's event types; failover may add its own (e.g. input.exhausted). */
export type EventType =
  | 'input.connected'
  | 'input.reconnecting'
  | 'input.degraded'
  | 'input.failover'
  | 'input.recovered'
  | 'input.error'
  | 'stream.started'
  | 'stream.stopped'
  | (string & {});

export interface StreamEvent {
  id: string;
  type: EventType;
  stream: StreamIdentity;
  at: string;
  payload: Record<string, unknown>;
}

export interface BatchMeta {
  /** Priority of the input the batch came from; null when there is none. */
  inputPriority: number | null;
  sessionId: number;
  /** The batch opens a new session (fresh, reconnect, failover, stall recovery). */
  sessionStart: boolean;
}

export interface PublisherOptions {
  nc: Pick<NatsConnection, 'publish' | 'info'>;
  subjects: PublisherSubjects;
  stream: StreamIdentity;
  /** Largest message; the server's announced max_payload when absent. */
  maxPayload?: number;
  /**
   * While it says disconnected, envelopes are dropped and counted (the client would discard them
   * at its next dial anyway) and events and the latest status are held until it reconnects.
   */
  link?: Pick<NatsLink, 'connected' | 'onChange'>;
  log: Logger;
  metrics: Pick<IngestMetrics, 'publishedMessages' | 'publishFailures' | 'countAccessUnit' | 'markPacket'>;
  now?: () => number;
  /** Events held while disconnected; the oldest are dropped (and counted) beyond this. */
  maxHeldEvents?: number;
}

export interface Publisher {
  /** Never waits: envelopes go to the client's buffer. Consumers count loss from `seq`. */
  publishPackets(packets: readonly AVPacket[], meta: BatchMeta): void;
  publishEvent(type: EventType, payload?: Record<string, unknown>): void;
  publishStatus(snapshot: unknown): void;
  /** Stops following the link; held messages are discarded. */
  close(): void;
}

export function createPublisher(options: PublisherOptions): Publisher {
  const { nc, subjects, stream, log, metrics, link, now = Date.now } = options;
  const maxHeldEvents = options.maxHeldEvents ?? DEFAULT_HELD_EVENTS;
  const encoder = new TextEncoder();

  let sessionId: number | undefined;
  let seq = 0;
  /** Set until the session's first access unit has actually left: that one carries the flag. */
  let sessionFlagPending = false;
  let failureStreak = 0;
  const heldEvents: Uint8Array[] = [];
  let heldStatus: Uint8Array | undefined;

  const connected = () => link?.connected ?? true;

  const fail = (reason: PublishFailureReason, error?: unknown) => {
    metrics.publishFailures.inc({ reason });
    if (failureStreak++ === 0)
      log.warn({ reason, err: error }, 'publishing failed; counting until it recovers');
  };

  /** True when the message went to the client. */
  const send = (subject: string, message: Uint8Array): boolean => {
    try {
      nc.publish(subject, message);
    } catch (error) {
      fail('publish', error);
      return false;
    }
    metrics.publishedMessages.inc();
    if (failureStreak > 0) {
      log.info({ failed: failureStreak }, 'publishing resumed');
      failureStreak = 0;
    }
    return true;
  };

  const flushHeld = () => {
    for (const event of heldEvents.splice(0)) send(subjects.events, event);
    if (heldStatus) send(subjects.status, heldStatus);
    heldStatus = undefined;
  };
  const unsubscribe = link?.onChange((isConnected) => {
    if (isConnected) flushHeld();
  });

  return {
    publishPackets(packets, meta) {
      if (packets.length === 0) return;
      if (meta.sessionStart || meta.sessionId !== sessionId) {
        sessionId = meta.sessionId;
        seq = 0;
        sessionFlagPending = true;
      }
      const wallTimeMs = now();
      metrics.markPacket(wallTimeMs);
      const maxPayload = options.maxPayload ?? nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
      for (const packet of packets) {
        metrics.countAccessUnit(packet.codec);
        const packetSeq = seq++;
        if (!connected()) {
          fail('disconnected');
          continue;
        }
        let envelopes: Uint8Array[];
        try {
          envelopes = encodeEnvelopes(
            {
              ...packet,
              inputPriority: meta.inputPriority,
              sessionId: meta.sessionId,
              sessionStart: sessionFlagPending,
              seq: packetSeq,
              wallTimeMs,
            },
            { maxPayload },
          );
        } catch (error) {
          fail('encode', error);
          continue;
        }
        let sent = true;
        for (const envelope of envelopes) sent = send(subjects.av, envelope) && sent;
        if (sent) sessionFlagPending = false;
      }
    },

    publishEvent(type, payload = {}) {
      const event: StreamEvent = {
        id: randomUUID(),
        type,
        stream,
        at: new Date(now()).toISOString(),
        payload,
      };
      const message = encoder.encode(JSON.stringify(event));
      if (connected()) {
        send(subjects.events, message);
        return;
      }
      heldEvents.push(message);
      if (heldEvents.length > maxHeldEvents) {
        heldEvents.shift();
        fail('disconnected');
      }
    },

    publishStatus(snapshot) {
      const message = encoder.encode(JSON.stringify(snapshot));
      if (connected()) send(subjects.status, message);
      else heldStatus = message;
    },

    close() {
      unsubscribe?.();
      heldEvents.length = 0;
      heldStatus = undefined;
    },
  };
}
