// The push-listener's metrics. Labels are protocols and reasons, never routes with keys or peers.
import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createNatsLinkMetrics, type NatsLinkMetrics } from '../observability/nats-link-metrics.js';
import type { RejectReason } from './push-gate-api.js';

const PREFIX = 'tributary_push_';

export type PushProtocol = 'rtmp' | 'srt';

export interface PushMetrics extends NatsLinkMetrics {
  readonly registry: Registry;
  readonly publishers: Gauge<'protocol'>;
  readonly accepted: Counter<'protocol'>;
  readonly rejections: Counter<'protocol' | 'reason'>;
  readonly relayedBytes: Counter<'protocol'>;
  readonly relayedMessages: Counter<'protocol'>;
  readonly relayFailures: Counter<'protocol'>;
  countRejection(protocol: PushProtocol, reason: RejectReason): void;
}

export function createPushMetrics({ processMetrics = true } = {}): PushMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  const byProtocol = ['protocol'] as const;
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers });
  const rejections = counter('rejections_total', 'Publishers refused, by protocol and reason', [
    'protocol',
    'reason',
  ]);
  const accepted = counter('accepted_total', 'Publishers accepted', byProtocol);
  const publishers = new Gauge({
    name: `${PREFIX}publishers`,
    help: 'Publishers connected to this replica now',
    labelNames: byProtocol,
    registers,
  });
  for (const protocol of ['rtmp', 'srt'] as const) {
    publishers.set({ protocol }, 0);
    accepted.inc({ protocol }, 0);
  }
  return {
    registry,
    publishers,
    accepted,
    rejections,
    relayedBytes: counter('relayed_bytes_total', 'Media bytes relayed to ingest pods', byProtocol),
    relayedMessages: counter('relayed_messages_total', 'Relay messages published on NATS', byProtocol),
    relayFailures: counter('relay_failures_total', 'Relay messages NATS refused to take', byProtocol),
    ...createNatsLinkMetrics(PREFIX, registry),
    countRejection(protocol, reason) {
      rejections.inc({ protocol, reason });
    },
  };
}
