import { PerformanceObserver } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import type { IngestConfig } from '@tributary/crds';
import { startIngest } from '../ingest-pod/src/ingest/service.js';
import type { CreateReader } from '../ingest-pod/src/reader/reader-api.js';
import { createReader } from '../ingest-pod/src/sources/create-reader.js';
import { decodeEnvelope, isWireError } from '../ingest-pod/src/wire/index.js';
import { udpSource, udpUrl } from '../ingest-pod/test/ingest/stream-harness.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { freeUdpPort, makeTempDir } from '../ingest-pod/test/support/peers.js';
import { median, percentile, report, runWithPodNodeFlags, sleep } from './ingest-support.js';

runWithPodNodeFlags(import.meta.url);

const RUNS = Number(process.env.LATENCY_RUNS ?? 3);
const MEASURE_MS = Number(process.env.LATENCY_SECONDS ?? 15) * 1000;
const SLOW_MS = 5;
const now = () => performance.timeOrigin + performance.now();

const dir = await makeTempDir('tributary-bench-latency-');
const nats = await startNats();
const file = await makeTsFile(dir.path, {
  seconds: 10,
  size: '1280x720',
  gop: 25,
  ffmpegArgs: ['-b:v', '3M', '-maxrate', '3M', '-bufsize', '1M'],
});
const port = await freeUdpPort();
const source = udpSource(file, port);

const demuxedAt = new Map<string, number>();
const stamping: CreateReader = (input, context) => {
  const reader = createReader(input, context);
  const read = reader.read.bind(reader);
  reader.read = async () => {
    const packets = await read();
    const at = now();
    for (const p of packets ?? []) demuxedAt.set(`${p.trackId}:${p.pts}`, at);
    return packets;
  };
  return reader;
};

const config: IngestConfig = {
  stream: { namespace: 'bench', name: 'latency', uid: 'u', generation: 1 },
  inputs: [
    { url: udpUrl(port), priority: 0, headers: {}, headersFromEnv: [], params: {}, paramsFromEnv: [] },
  ],
  failover: {},
  subjectPrefix: 'tributary',
};
const observer = await connect({ servers: nats.url });
/** One access unit's trip: completed by the demuxer at `from`, received at `to`. */
interface Trip {
  from: number;
  to: number;
  bytes: number;
}
let trips: Trip[] = [];
const sizes: number[] = [];
let measuring = false;
// What else ran meanwhile: garbage collections, and event-loop turns that held a 1 ms timer up.
const pauses: { from: number; to: number; what: 'gc' | 'long turn' }[] = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries())
    pauses.push({
      from: performance.timeOrigin + e.startTime,
      to: performance.timeOrigin + e.startTime + e.duration,
      what: 'gc',
    });
}).observe({ entryTypes: ['gc'] });
let tick = now();
const ticker = setInterval(() => {
  const at = now();
  if (at - tick > SLOW_MS + 1) pauses.push({ from: tick + 1, to: at, what: 'long turn' });
  tick = at;
}, 1);
observer.subscribe('tributary.bench.latency.av', {
  callback: (_err, message) => {
    const at = now();
    const envelope = decodeEnvelope(message.data);
    if (isWireError(envelope) || !measuring) return;
    const key = `${envelope.trackId}:${envelope.pts}`;
    const stamp = demuxedAt.get(key);
    if (stamp === undefined) return;
    demuxedAt.delete(key);
    trips.push({ from: stamp, to: at, bytes: envelope.payload.byteLength });
    sizes.push(envelope.payload.byteLength);
  },
});
await observer.flush();
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
const service = await startIngest({
  config,
  env: {},
  natsUrl: nats.url,
  listen: { host: '127.0.0.1', port: 0 },
  vodRoot: '/nonexistent',
  logDestination: quiet,
  createReader: stamping,
});
try {
  await sleep(3000);
  const windows: { p50: number; p99: number; max: number; slow: number; gc: number; longTurn: number }[] = [];
  for (let run = 0; run < RUNS; run++) {
    demuxedAt.clear();
    trips = [];
    pauses.length = 0;
    measuring = true;
    await sleep(MEASURE_MS);
    measuring = false;
    const latencies = trips.map((t) => t.to - t.from);
    const slow = trips.filter((t) => t.to - t.from > SLOW_MS);
    const overlaps = (t: Trip, what: string) =>
      pauses.some((p) => p.what === what && p.from < t.to && p.to > t.from);
    const window = {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      slow: slow.length,
      gc: slow.filter((t) => overlaps(t, 'gc')).length,
      longTurn: slow.filter((t) => !overlaps(t, 'gc') && overlaps(t, 'long turn')).length,
    };
    windows.push(window);
    console.error(
      `window ${run + 1}: ${latencies.length} access units, p50 ${window.p50.toFixed(2)} ms, p99 ${window.p99.toFixed(2)} ms, ` +
        `max ${window.max.toFixed(1)} ms; ${window.slow} over ${SLOW_MS} ms: ${window.gc} during a GC, ` +
        `${window.longTurn} during another long event-loop turn, ${window.slow - window.gc - window.longTurn} neither; ` +
        (slow.length > 0
          ? `median size ${median(slow.map((t) => t.bytes))} bytes (all: ${median(trips.map((t) => t.bytes))})`
          : 'none slow'),
    );
  }
  clearInterval(ticker);
  await service.stop();

  // The floor: the same sizes published straight to NATS from this process, at the same pace.
  const bare: number[] = [];
  const publisher = await connect({ servers: nats.url });
  const sent = new Map<number, number>();
  observer.subscribe('bench.bare', {
    callback: (_err, message) => {
      const at = now();
      const id = new DataView(message.data.buffer, message.data.byteOffset).getUint32(0);
      const stamp = sent.get(id);
      if (stamp !== undefined) bare.push(at - stamp);
    },
  });
  await observer.flush();
  const pace = (RUNS * MEASURE_MS) / Math.max(1, sizes.length);
  for (let id = 0; id < Math.min(sizes.length, 1500); id++) {
    const message = new Uint8Array(Math.max(4, (sizes[id] ?? 0) + 60));
    new DataView(message.buffer).setUint32(0, id);
    sent.set(id, now());
    publisher.publish('bench.bare', message);
    await sleep(pace);
  }
  await publisher.flush();
  await sleep(200);
  await publisher.close();

  console.error(`${bare.length} bare messages`);
  const anchor = 'bare NATS publish -> receive, same sizes';
  const spread = (values: number[]) => `${Math.min(...values).toFixed(2)}–${Math.max(...values).toFixed(2)}`;
  for (const p of [50, 99] as const) {
    const values = windows.map((w) => (p === 50 ? w.p50 : w.p99));
    report({
      bench: 'latency',
      metric: `demux -> subscriber p${p}, median of ${RUNS} windows (spread ${spread(values)} ms)`,
      unit: 'ms',
      value: median(values),
      anchor,
      anchorValue: percentile(bare, p),
      ...(p === 99 && { goal: '≤ 5 ms' }),
    });
  }
  report({
    bench: 'latency',
    metric: 'demux -> subscriber max',
    unit: 'ms',
    value: Math.max(...windows.map((w) => w.max)),
  });
  const total = (key: 'slow' | 'gc' | 'longTurn') => windows.reduce((sum, w) => sum + w[key], 0);
  report({
    bench: 'latency',
    metric: `access units over ${SLOW_MS} ms`,
    unit: 'count',
    value: total('slow'),
  });
  report({ bench: 'latency', metric: `of those, during a GC`, unit: 'count', value: total('gc') });
  report({
    bench: 'latency',
    metric: `of those, during another long event-loop turn`,
    unit: 'count',
    value: total('longTurn'),
  });
} finally {
  await service.stop();
  await source.stop();
  await observer.drain();
  await nats.stop();
  await dir.remove();
}
