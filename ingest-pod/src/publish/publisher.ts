import { randomUUID } from 'node:crypto';
import type { NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../avpacket.js';
import { NATS_PENDING_MAX_BYTES } from '../limits.js';
import { createLogLimiter } from '../observability/log-limiter.js';
import { type Logger, redactedJson, type StreamIdentity } from '../observability/logger.js';
import type { IngestMetrics, PublishFailureReason } from '../observability/metrics.js';
import type { SecretRedactor } from '../observability/secret-redactor.js';
import { encodeEnvelopes } from '../wire/index.js';
import type { NatsLink } from './connection.js';
import { OutboundBudget } from './outbound-budget.js';

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
  /** With `flush`, AV packets are held to `maxPendingBytes` of unconfirmed output. */
  nc: Pick<NatsConnection, 'publish' | 'info'> & Partial<Pick<NatsConnection, 'flush'>>;
  /** Bytes handed to the client and not yet confirmed by the server; beyond, AV packets are dropped. */
  maxPendingBytes?: number;
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
  /** Secret values masked in events and status (URL name rules apply regardless). */
  secrets?: SecretRedactor;
}

export interface Publisher {
  /** Never waits: envelopes go to the client's buffer. Consumers count loss from `seq`. */
  publishPackets(packets: readonly AVPacket[], meta: BatchMeta): void;
  publishEvent(type: EventType, payload?: Record<string, unknown>): void;
  /** The `.status` document; held while disconnected, only the latest. */
  publishStatus(document: unknown): void;
  /** Bytes handed to the NATS client that the server has not confirmed yet. */
  readonly pendingBytes: number;
  /** Stops following the link; held messages are discarded. */
  close(): void;
}

export function createPublisher(options: PublisherOptions): Publisher {
  const { nc, subjects, stream, log, metrics, link, secrets, now = Date.now } = options;
  const maxHeldEvents = options.maxHeldEvents ?? DEFAULT_HELD_EVENTS;
  const encoder = new TextEncoder();

  let sessionId: number | undefined;
  let seq = 0;
  /** Set until the session's first access unit has actually left: that one carries the flag. */
  let sessionFlagPending = false;
  let failureStreak = 0;
  const heldEvents: Uint8Array[] = [];
  let heldStatus: Uint8Array | undefined;
  const budget =
    nc.flush === undefined
      ? undefined
      : new OutboundBudget(() => nc.flush!(), options.maxPendingBytes ?? NATS_PENDING_MAX_BYTES);
  const backpressureLog = createLogLimiter(10_000, now, 1);

  /** A whole AV packet left out because the server is not keeping up; events and status never are. */
  const dropForBackpressure = (bytes: number) => {
    metrics.publishFailures.inc({ reason: 'backpressure' });
    const held = backpressureLog.admit('backpressure');
    if (held === undefined || budget === undefined) return;
    log.warn(
      {
        pendingBytes: budget.pendingBytes,
        limitBytes: budget.limitBytes,
        packetBytes: bytes,
        alsoDropped: held,
      },
      'NATS is not keeping up: dropping AV packets beyond the pending-bytes budget',
    );
  };

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
    budget?.sent(message.length);
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
    if (!isConnected) return;
    budget?.reset();
    flushHeld();
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
        if (budget !== undefined) {
          let bytes = 0;
          for (const envelope of envelopes) bytes += envelope.length;
          if (!budget.fits(bytes)) {
            dropForBackpressure(bytes);
            continue;
          }
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
      const message = encoder.encode(redactedJson(event, secrets));
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

    publishStatus(document) {
      const message = encoder.encode(redactedJson(document, secrets));
      if (connected()) send(subjects.status, message);
      else heldStatus = message;
    },

    get pendingBytes() {
      return budget?.pendingBytes ?? 0;
    },

    close() {
      unsubscribe?.();
      heldEvents.length = 0;
      heldStatus = undefined;
    },
  };
}
