import { Counter, collectDefaultMetrics, Gauge, Registry } from 'prom-client';
import type { Codec } from '../avpacket.js';
import type { LinkStats, ReaderCounters } from '../reader/reader-api.js';
import { createNatsLinkMetrics, type NatsLinkMetrics } from './nats-link-metrics.js';

const PREFIX = 'tributary_ingest_';

export type PublishFailureReason = 'disconnected' | 'encode' | 'publish' | 'backpressure';

/** Why a reader dropped data: a transport queue or unusable datagrams, or one of the ceilings. */
export type DropReason = 'transport' | 'demux_budget' | 'parameter_sets';

/**
 * The ingest pod's metrics, one registry per process. Input labels are priorities ("0".."7"),
 * never URLs: URLs can carry credentials.
 */
export interface IngestMetrics extends NatsLinkMetrics {
  readonly registry: Registry;
  readonly bytes: Counter<'input'>;
  /** MPEG-TS packets (188 bytes) read. */
  readonly tsPackets: Counter<'input'>;
  readonly accessUnits: Counter<'codec'>;
  readonly reconnects: Counter<'input'>;
  readonly stalls: Counter<'input'>;
  readonly ccErrors: Counter<'input'>;
  /** What readers dropped, by reason (see ReaderCounters). */
  readonly readerDrops: Counter<'input' | 'reason'>;
  /** Elementary streams of a type we cannot carry, in the input's current reader. */
  readonly unknownStreams: Gauge<'input'>;
  readonly publishedMessages: Counter;
  readonly publishFailures: Counter<'reason'>;
  readonly timelineReanchors: Counter<'reason'>;
  /** Records when the active input last delivered; scrapes report the age. */
  markPacket(atMs: number): void;
  /** Adds what a reader counted since the previous call for the same reader object. */
  syncReader(input: number, reader: { readonly counters: Readonly<ReaderCounters> }): void;
  /** Link statistics of a reader whose transport keeps them (SRT): gauges now, counts as deltas. */
  syncLink(input: number, reader: { readonly linkStats?: Readonly<LinkStats> | undefined }): void;
  countAccessUnit(codec: Codec): void;
}

export interface MetricsOptions {
  now?: () => number;
  /** Node process metrics (CPU, memory, event loop); off in unit tests that build many registries. */
  processMetrics?: boolean;
}

export function createIngestMetrics({
  now = Date.now,
  processMetrics = true,
}: MetricsOptions = {}): IngestMetrics {
  const registry = new Registry();
  // The event-loop delay histogram samples every 100 ms, not prom-client's 10 ms: a timer firing
  // 100 times a second cost an idle pod more CPU than everything else together.
  if (processMetrics) collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 100 });
  const registers = [registry];
  const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) =>
    new Counter<L>({ name: PREFIX + name, help, labelNames, registers });

  let lastPacketAt: number | undefined;
  new Gauge({
    name: `${PREFIX}last_packet_age_seconds`,
    help: 'Seconds since the active input last delivered an access unit (NaN before the first one)',
    registers,
    collect() {
      this.set(lastPacketAt === undefined ? Number.NaN : Math.max(0, now() - lastPacketAt) / 1000);
    },
  });

  const bytes = counter('bytes_total', 'Bytes read from inputs', ['input']);
  const tsPackets = counter('packets_total', 'MPEG-TS packets read from inputs', ['input']);
  const ccErrors = counter('cc_errors_total', 'MPEG-TS continuity counter errors', ['input']);
  const readerDrops = counter(
    'dropped_total',
    'Data an input reader dropped: transport queue overflow or unusable datagrams, demuxer memory budget, parameter sets over their cap',
    ['input', 'reason'],
  );
  const unknownStreams = new Gauge({
    name: `${PREFIX}unknown_streams`,
    help: 'Elementary streams of an unsupported type seen by the current reader of an input',
    labelNames: ['input'] as const,
    registers,
  });
  const accessUnits = counter('access_units_total', 'Access units (AVPackets) published, by codec', [
    'codec',
  ]);
  const seen = new WeakMap<object, ReaderCounters>();
  const link = linkMetrics(registers);

  return {
    registry,
    bytes,
    tsPackets,
    accessUnits,
    reconnects: counter('reconnects_total', 'Reconnects of an input reader after a retriable error', [
      'input',
    ]),
    stalls: counter('stalls_total', 'Stalls: an input that stopped delivering while connected', ['input']),
    ccErrors,
    readerDrops,
    unknownStreams,
    publishedMessages: counter(
      'published_messages_total',
      'NATS messages published (envelopes, events, status)',
    ),
    publishFailures: counter('publish_failures_total', 'Messages that could not be published', ['reason']),
    ...createNatsLinkMetrics(PREFIX, registry),
    timelineReanchors: counter('timeline_reanchors_total', 'Timeline re-anchors, by reason', ['reason']),
    markPacket(atMs) {
      lastPacketAt = atMs;
    },
    syncReader(input, reader) {
      const current = { ...reader.counters };
      const previous = seen.get(reader) ?? { bytes: 0, tsPackets: 0, ccErrors: 0, unknownStreams: 0 };
      const labels = { input: String(input) };
      bytes.inc(labels, Math.max(0, current.bytes - previous.bytes));
      tsPackets.inc(labels, Math.max(0, current.tsPackets - previous.tsPackets));
      ccErrors.inc(labels, Math.max(0, current.ccErrors - previous.ccErrors));
      unknownStreams.set(labels, current.unknownStreams);
      const drops: [DropReason, number | undefined, number | undefined][] = [
        ['transport', current.dropped, previous.dropped],
        ['demux_budget', current.demuxBudgetDrops, previous.demuxBudgetDrops],
        ['parameter_sets', current.parameterSetsRefused, previous.parameterSetsRefused],
      ];
      for (const [reason, total, earlier] of drops) {
        const delta = (total ?? 0) - (earlier ?? 0);
        if (delta > 0) readerDrops.inc({ ...labels, reason }, delta);
      }
      seen.set(reader, current);
    },
    syncLink: link.sync,
    countAccessUnit(codec) {
      accessUnits.inc({ codec });
    },
  };
}

type LinkCount = 'packetsReceived' | 'packetsLost' | 'packetsRetransmitted' | 'packetsDropped';

/** SRT-style link statistics by input: what an SRT user looks at first is loss. */
function linkMetrics(registers: Registry[]) {
  const gauge = (name: string, help: string) =>
    new Gauge({ name: `${PREFIX}link_${name}`, help, labelNames: ['input'] as const, registers });
  const rtt = gauge('rtt_seconds', 'Round-trip time to the peer of an input with a link (SRT)');
  const buffer = gauge('receive_buffer_seconds', 'Media held in the receive buffer of an input (SRT)');
  const latency = gauge('latency_seconds', 'Receive latency agreed with the peer of an input (SRT)');
  const bandwidth = gauge('bandwidth_bits_per_second', 'Estimated link bandwidth of an input (SRT)');
  const counts: Record<LinkCount, Counter<'input'>> = {
    packetsReceived: new Counter({
      name: `${PREFIX}link_packets_received_total`,
      help: 'Packets received on the link of an input (SRT)',
      labelNames: ['input'] as const,
      registers,
    }),
    packetsLost: new Counter({
      name: `${PREFIX}link_packets_lost_total`,
      help: 'Packets found missing on the link of an input, before retransmission (SRT)',
      labelNames: ['input'] as const,
      registers,
    }),
    packetsRetransmitted: new Counter({
      name: `${PREFIX}link_packets_retransmitted_total`,
      help: 'Retransmitted packets received on the link of an input (SRT)',
      labelNames: ['input'] as const,
      registers,
    }),
    packetsDropped: new Counter({
      name: `${PREFIX}link_packets_dropped_total`,
      help: 'Packets dropped as too late on the link of an input: loss after retransmission (SRT)',
      labelNames: ['input'] as const,
      registers,
    }),
  };
  const seen = new WeakMap<object, Record<LinkCount, number>>();
  return {
    sync(input: number, reader: { readonly linkStats?: Readonly<LinkStats> | undefined }): void {
      const stats = reader.linkStats;
      if (stats === undefined) return;
      const labels = { input: String(input) };
      rtt.set(labels, stats.rttMs / 1000);
      buffer.set(labels, stats.receiveBufferMs / 1000);
      latency.set(labels, stats.latencyMs / 1000);
      bandwidth.set(labels, stats.bandwidthMbps * 1e6);
      const previous = seen.get(reader);
      const current = {} as Record<LinkCount, number>;
      for (const key of Object.keys(counts) as LinkCount[]) {
        current[key] = stats[key];
        counts[key].inc(labels, Math.max(0, stats[key] - (previous?.[key] ?? 0)));
      }
      seen.set(reader, current);
    },
  };
}
