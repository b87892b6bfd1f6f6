// Ingest latency: from the moment the demuxer hands over a complete access unit (our reader's
// read() resolves with it) to the moment a NATS subscriber receives its envelope. The ingest runs
// in this process so both instants come from one clock: a wrapped reader stamps each access unit,
// keyed by track and PTS (the first session keeps source timestamps), and the subscriber looks
// the stamp up. Anchor: a bare NATS publish -> receive of messages of the same sizes, same process.
// The process runs with the pod's node flags (as in the image): it restarts itself with them.
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
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
import { percentile, podNodeFlags, report, sleep } from './ingest-support.js';

const podFlags = podNodeFlags();
if (!podFlags.every((flag) => process.execArgv.includes(flag))) {
  const args = [...podFlags, ...process.execArgv, fileURLToPath(import.meta.url)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

const MEASURE_MS = 20_000;
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
const latencies: number[] = [];
const sizes: number[] = [];
let measuring = false;
observer.subscribe('tributary.bench.latency.av', {
  callback: (_err, message) => {
    const at = now();
    const envelope = decodeEnvelope(message.data);
    if (isWireError(envelope) || !measuring) return;
    const key = `${envelope.trackId}:${envelope.pts}`;
    const stamp = demuxedAt.get(key);
    if (stamp === undefined) return;
    demuxedAt.delete(key);
    latencies.push(at - stamp);
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
  demuxedAt.clear();
  measuring = true;
  await sleep(MEASURE_MS);
  measuring = false;
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
  const pace = MEASURE_MS / Math.max(1, sizes.length);
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

  console.error(`${latencies.length} access units measured, ${bare.length} bare messages`);
  const anchor = 'bare NATS publish -> receive, same sizes';
  for (const p of [50, 99]) {
    report({
      bench: 'latency',
      metric: `demux -> subscriber p${p}`,
      unit: 'ms',
      value: percentile(latencies, p),
      anchor,
      anchorValue: percentile(bare, p),
      ...(p === 99 && { goal: '≤ 5 ms' }),
    });
  }
  report({ bench: 'latency', metric: 'demux -> subscriber max', unit: 'ms', value: Math.max(...latencies) });
} finally {
  await service.stop();
  await source.stop();
  await observer.drain();
  await nats.stop();
  await dir.remove();
}
