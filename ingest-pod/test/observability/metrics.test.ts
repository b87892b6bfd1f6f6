import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createIngestMetrics } from '../../src/observability/index.js';

async function values(metrics: ReturnType<typeof createIngestMetrics>, name: string) {
  const metric = await metrics.registry.getSingleMetric(name)?.get();
  return metric?.values.map((v) => [v.labels, v.value]);
}

describe('ingest metrics', () => {
  it('exports link statistics as gauges and the packet counts as deltas per reader object', async () => {
    const metrics = createIngestMetrics({ processMetrics: false });
    const link = {
      rttMs: 2,
      latencyMs: 120,
      bandwidthMbps: 100,
      receiveRateMbps: 4,
      receiveBufferMs: 110,
      packetsReceived: 100,
      packetsLost: 4,
      packetsRetransmitted: 3,
      packetsDropped: 1,
    };
    const reader = { linkStats: link };
    metrics.syncLink(0, reader);
    reader.linkStats = { ...link, rttMs: 3, packetsReceived: 150, packetsLost: 6 };
    metrics.syncLink(0, reader);
    metrics.syncLink(0, { linkStats: { ...link, packetsReceived: 10, packetsLost: 0 } });
    metrics.syncLink(1, {});
    assert.deepEqual(await values(metrics, 'tributary_ingest_link_rtt_seconds'), [[{ input: '0' }, 0.002]]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_link_packets_received_total'), [
      [{ input: '0' }, 160],
    ]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_link_packets_lost_total'), [
      [{ input: '0' }, 6],
    ]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_link_latency_seconds'), [
      [{ input: '0' }, 0.12],
    ]);
  });

  it('adds reader counters as deltas per reader object; a new reader starts from zero', async () => {
    const metrics = createIngestMetrics({ processMetrics: false });
    const reader = { counters: { bytes: 1000, tsPackets: 5, ccErrors: 1, unknownStreams: 1 } };
    metrics.syncReader(0, reader);
    reader.counters = { bytes: 1500, tsPackets: 8, ccErrors: 1, unknownStreams: 2 };
    metrics.syncReader(0, reader);
    metrics.syncReader(0, { counters: { bytes: 100, tsPackets: 1, ccErrors: 0, unknownStreams: 0 } });
    metrics.syncReader(1, { counters: { bytes: 7, tsPackets: 0, ccErrors: 3, unknownStreams: 0 } });
    assert.deepEqual(await values(metrics, 'tributary_ingest_bytes_total'), [
      [{ input: '0' }, 1600],
      [{ input: '1' }, 7],
    ]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_packets_total'), [
      [{ input: '0' }, 9],
      [{ input: '1' }, 0],
    ]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_cc_errors_total'), [
      [{ input: '0' }, 1],
      [{ input: '1' }, 3],
    ]);
    assert.deepEqual(await values(metrics, 'tributary_ingest_unknown_streams'), [
      [{ input: '0' }, 0],
      [{ input: '1' }, 0],
    ]);
  });

  it('counts reader drops by reason, as deltas', async () => {
    const metrics = createIngestMetrics({ processMetrics: false });
    const base = { bytes: 0, tsPackets: 0, ccErrors: 0, unknownStreams: 0 };
    const reader = { counters: { ...base, dropped: 3, demuxBudgetDrops: 1, parameterSetsRefused: 0 } };
    metrics.syncReader(0, reader);
    reader.counters = { ...base, dropped: 5, demuxBudgetDrops: 1, parameterSetsRefused: 2 };
    metrics.syncReader(0, reader);
    assert.deepEqual(await values(metrics, 'tributary_ingest_dropped_total'), [
      [{ input: '0', reason: 'transport' }, 5],
      [{ input: '0', reason: 'demux_budget' }, 1],
      [{ input: '0', reason: 'parameter_sets' }, 2],
    ]);
  });

  it('computes the last packet age at scrape time', async () => {
    let now = 1_000_000;
    const metrics = createIngestMetrics({ processMetrics: false, now: () => now });
    const before = await values(metrics, 'tributary_ingest_last_packet_age_seconds');
    assert.ok(Number.isNaN(before?.[0]?.[1]), 'NaN before the first packet');
    metrics.markPacket(now);
    now += 2500;
    assert.deepEqual(await values(metrics, 'tributary_ingest_last_packet_age_seconds'), [[{}, 2.5]]);
  });

  it('exposes every documented series in the text format, with process metrics', async () => {
    const metrics = createIngestMetrics();
    metrics.countAccessUnit('h264');
    metrics.publishFailures.inc({ reason: 'disconnected' });
    metrics.reconnects.inc({ input: '0' });
    metrics.stalls.inc({ input: '0' });
    const text = await metrics.registry.metrics();
    for (const name of [
      'tributary_ingest_bytes_total',
      'tributary_ingest_packets_total',
      'tributary_ingest_access_units_total{codec="h264"} 1',
      'tributary_ingest_reconnects_total{input="0"} 1',
      'tributary_ingest_stalls_total{input="0"} 1',
      'tributary_ingest_cc_errors_total',
      'tributary_ingest_unknown_streams',
      'tributary_ingest_publish_failures_total{reason="disconnected"} 1',
      'tributary_ingest_last_packet_age_seconds',
      'tributary_ingest_nats_connected',
      'process_cpu_seconds_total',
    ]) {
      assert.ok(text.includes(name), `${name} missing`);
    }
  });
});
