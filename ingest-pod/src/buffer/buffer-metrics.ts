// The buffer's metrics, read from the hub at scrape time. Labels are namespaces and streams.
import { collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import { createNatsLinkMetrics, type NatsLinkMetrics } from '../observability/nats-link-metrics.js';
import type { BufferHub } from './buffer-hub.js';

const PREFIX = 'tributary_buffer_';
const LABELS = ['namespace', 'stream'] as const;

export interface BufferMetrics extends NatsLinkMetrics {
  readonly registry: Registry;
}

export function createBufferMetrics(hub: BufferHub, { processMetrics = true } = {}): BufferMetrics {
  const registry = new Registry();
  if (processMetrics) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  // Each gauge is filled from the streams' summaries when scraped.
  const perStream = (
    name: string,
    help: string,
    value: (s: ReturnType<typeof summaries>[number]) => number,
  ) =>
    new Gauge({
      name: PREFIX + name,
      help,
      labelNames: LABELS,
      registers,
      collect() {
        this.reset();
        for (const s of summaries()) this.set({ namespace: s.namespace, stream: s.name }, value(s));
      },
    });
  const summaries = () => [...hub.streams].map((stream) => stream.summary());
  perStream('buffered_seconds', 'Media held per stream, by timestamps', (s) => s.bufferedMs / 1000);
  perStream('bytes', 'Bytes held per stream', (s) => s.bytes);
  perStream('viewers', 'Live MPEG-TS viewers per stream', (s) => s.viewers);
  perStream('received_access_units', 'Access units received since the buffer started', (s) => s.received);
  perStream('lost_access_units', 'Access units missing from the sequence numbers', (s) => s.lost);
  perStream('sessions', 'Sessions seen since the buffer started', (s) => s.sessions);
  return {
    registry,
    ...createNatsLinkMetrics(PREFIX, registry),
  };
}
