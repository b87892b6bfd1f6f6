import type { NatsConnection } from '@nats-io/transport-node';
import type { AVPacket } from '../../src/avpacket.js';
import { createLogger } from '../../src/observability/logger.js';
import { createIngestMetrics } from '../../src/observability/metrics.js';
import { decodeEnvelope, isWireError, Reassembler, type WirePacket } from '../../src/wire/index.js';

export const STREAM = { namespace: 'default', name: 'news' };
export const SUBJECTS = {
  av: 'tributary.default.news.av',
  events: 'tributary.default.news.events',
  status: 'tributary.default.news.status',
};

export function quietLogger() {
  return createLogger({ stream: STREAM, level: 'silent' });
}

export function testMetrics() {
  return createIngestMetrics({ processMetrics: false });
}

export async function counterValue(
  metrics: ReturnType<typeof testMetrics>,
  name: string,
  labels: Record<string, string> = {},
): Promise<number> {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  const match = metric?.values.find((v) =>
    Object.entries(labels).every(([k, value]) => v.labels[k] === value),
  );
  return match?.value ?? 0;
}

export function videoPacket(index: number, bytes = 100): AVPacket {
  const data = new Uint8Array(bytes).map((_, i) => (index + i) & 0xff);
  return { codec: 'h264', trackId: 256, pts: index * 3600 + 7200, dts: index * 3600, key: index === 0, data };
}

/** Collects what arrives on a subject: decoded, reassembled access units. */
export function collectPackets(nc: NatsConnection, subject: string) {
  const packets: WirePacket[] = [];
  const errors: string[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const reassembler = new Reassembler();
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      const envelope = decodeEnvelope(msg.data);
      if (isWireError(envelope)) {
        errors.push(envelope.message);
        return;
      }
      const packet = reassembler.push(envelope);
      if (!packet) return;
      packets.push(packet);
      for (const waiter of waiters.filter((w) => packets.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  return {
    packets,
    errors,
    /** Resolves once `count` access units have arrived in total. */
    until(count: number): Promise<void> {
      if (packets.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}

export function collectJson(nc: NatsConnection, subject: string) {
  const messages: unknown[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  nc.subscribe(subject, {
    callback: (_err, msg) => {
      messages.push(msg.json());
      for (const waiter of waiters.filter((w) => messages.length >= w.count)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
  });
  return {
    messages,
    until(count: number): Promise<void> {
      if (messages.length >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
  };
}
