// Push latency: from our RTMP encoder writing a video tag to the listener's socket, to a NATS
// subscriber receiving that access unit from the ingest pod (`.av`). Path: encoder -> push-listener
// process (the esbuild bundle, as in the image) -> `_push` relay on NATS -> ingest in this process
// (startIngest) -> NATS -> subscriber in this process. Encoder and subscriber share one clock; access
// units are matched by video DTS (ms = dts / 90: the first session keeps source timestamps; checked,
// with a fallback to matching by order). Each run has its own Stream (so its own first session), ~20 s
// of a 720p 3 Mbps H.264 (no B-frames) + AAC file after a warm-up; several runs, median p99 reported.
// Anchor: a bare NATS publish -> receive of the same sizes at the same pace, in the same run.
//
//   npm run bench -- push-latency        PUSH_LATENCY_RUNS=5 for more runs
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { connect } from '@nats-io/transport-node';
import { readFlvFile } from '../ingest-pod/src/flv/flv-file.js';
import { startIngest } from '../ingest-pod/src/ingest/service.js';
import { decodeEnvelope, isWireError } from '../ingest-pod/src/wire/index.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { makeTempDir } from '../ingest-pod/test/support/peers.js';
import { makeSealingKey, startListenerReplica } from '../test/e2e/push-support.js';
import { median, percentile, podNodeFlags, report, sleep } from './ingest-support.js';
import { type PacedPublisher, publishPaced } from './paced-rtmp-publisher.js';
import { imageEntry, loadAverageLine, pushIngestConfig, pushMedia } from './push-bench-support.js';

const podFlags = podNodeFlags();
if (!podFlags.every((flag) => process.execArgv.includes(flag))) {
  const args = [...podFlags, ...process.execArgv, fileURLToPath(import.meta.url)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

const RUNS = Number(process.env.PUSH_LATENCY_RUNS ?? 3);
const MEASURE_MS = 20_000;
const WARM_UP_MS = 3000;
const KEY = 'bench-publish-key-0123456789';
const now = () => performance.timeOrigin + performance.now();

interface RunResult {
  latencies: number[];
  sizes: number[];
}

console.error(loadAverageLine());
const dir = await makeTempDir('tributary-bench-push-latency-');
const keyFile = join(dir.path, 'sealing-key.pem');
makeSealingKey(keyFile);
const { tags } = readFlvFile(readFileSync(pushMedia({ videoMbps: 3, format: 'flv', seconds: 40 })));
const nats = await startNats({ jetstream: true, server: 'chart' });
const entry = imageEntry();
console.error(`listener runtime: ${entry.runtime}; ingest in this process`);
const listener = await startListenerReplica({
  name: 'bench-a',
  natsUrl: nats.url,
  sealingKeyFile: keyFile,
  entry: entry.args,
});
const observer = await connect({ servers: nats.url });
const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });

/** Retries while the listener does not know the route yet (the pod registers it as it starts). */
async function publishWhenRouted(stream: string, onVideoSent: (ts: number, at: number) => void) {
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      return await publishPaced({
        port: listener.rtmpPort,
        app: 'bench',
        name: `${stream}?key=${KEY}`,
        tags,
        onVideoSent,
        now,
      });
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function measureRun(run: number): Promise<RunResult> {
  const stream = `push-latency-${run}`;
  const sentAt = new Map<number, number>();
  const sentOrder: number[] = [];
  const received: { ms: number; at: number; size: number }[] = [];
  const sub = observer.subscribe(`tributary.bench.${stream}.av`, {
    callback: (_err, message) => {
      const at = now();
      const envelope = decodeEnvelope(message.data);
      if (isWireError(envelope) || envelope.codec !== 'h264') return;
      // The access unit is complete with its last fragment.
      if (envelope.fragmentOffset + envelope.payload.byteLength < envelope.accessUnitLength) return;
      received.push({ ms: Math.round(envelope.dts / 90), at, size: envelope.accessUnitLength });
    },
  });
  await observer.flush();
  const service = await startIngest({
    config: pushIngestConfig(stream, keyFile),
    env: { PUSH_KEY: KEY },
    natsUrl: nats.url,
    listen: { host: '127.0.0.1', port: 0 },
    vodRoot: '/nonexistent',
    logDestination: quiet,
  });
  let measuredFrom = 0;
  let publisher: PacedPublisher | undefined;
  try {
    publisher = await publishWhenRouted(stream, (ts, at) => {
      sentAt.set(ts, at);
      sentOrder.push(ts);
    });
    await sleep(WARM_UP_MS);
    measuredFrom = now();
    await sleep(MEASURE_MS);
  } finally {
    await publisher?.stop();
    await sleep(500);
    sub.unsubscribe();
    await service.stop();
  }
  // Source timestamps kept: (nearly) every received DTS is the FLV timestamp of a frame sent.
  const byDts = received.filter((r) => sentAt.has(r.ms)).length >= 0.95 * received.length;
  const latencies: number[] = [];
  const sizes: number[] = [];
  received.forEach((r, index) => {
    const stamp = byDts ? sentAt.get(r.ms) : sentAt.get(sentOrder[index] ?? Number.NaN);
    if (stamp === undefined || stamp < measuredFrom) return;
    latencies.push(r.at - stamp);
    sizes.push(r.size);
  });
  const sentInWindow = [...sentAt.values()].filter((at) => at >= measuredFrom).length;
  console.error(
    `run ${run}: ${latencies.length} of ${sentInWindow} video AUs sent in the window matched ` +
      `${byDts ? 'by DTS (source timestamps kept)' : 'by order (DTS did not match the FLV timestamps)'}`,
  );
  return { latencies, sizes };
}

/**
 * Bare NATS of `sizes` (+ an envelope header's worth each), paced like the video: publish ->
 * receive (one hop), and on through a relay that republishes at once (two hops, as the push path
 * crosses NATS twice: listener -> pod, pod -> subscriber).
 */
async function bareNats(sizes: readonly number[]): Promise<{ oneHop: number[]; twoHops: number[] }> {
  const publisher = await connect({ servers: nats.url });
  const relay = await connect({ servers: nats.url });
  const receiver = await connect({ servers: nats.url });
  const oneHop: number[] = [];
  const twoHops: number[] = [];
  const sent = new Map<number, number>();
  const idOf = (data: Uint8Array) => new DataView(data.buffer, data.byteOffset).getUint32(0);
  relay.subscribe('bench.bare.1', {
    callback: (_err, message) => {
      const stamp = sent.get(idOf(message.data));
      if (stamp !== undefined) oneHop.push(now() - stamp);
      relay.publish('bench.bare.2', message.data);
    },
  });
  receiver.subscribe('bench.bare.2', {
    callback: (_err, message) => {
      const stamp = sent.get(idOf(message.data));
      if (stamp !== undefined) twoHops.push(now() - stamp);
    },
  });
  await Promise.all([relay.flush(), receiver.flush()]);
  const pace = MEASURE_MS / Math.max(1, sizes.length);
  for (let id = 0; id < sizes.length; id++) {
    const message = new Uint8Array(Math.max(4, (sizes[id] ?? 0) + 60));
    new DataView(message.buffer).setUint32(0, id);
    sent.set(id, now());
    publisher.publish('bench.bare.1', message);
    await sleep(pace);
  }
  await publisher.flush();
  await sleep(200);
  await Promise.all([publisher.close(), relay.close(), receiver.close()]);
  return { oneHop, twoHops };
}

const runs: { p50: number; p99: number; max: number; bare: { oneHop: number[]; twoHops: number[] } }[] = [];
try {
  for (let run = 1; run <= RUNS; run++) {
    const { latencies, sizes } = await measureRun(run);
    const bare = await bareNats(sizes);
    const result = {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      bare,
    };
    runs.push(result);
    const ms = (n: number) => `${n.toFixed(2)} ms`;
    const pair = (values: number[]) => `p50 ${ms(percentile(values, 50))}, p99 ${ms(percentile(values, 99))}`;
    console.error(
      `run ${run}: p50 ${ms(result.p50)}, p99 ${ms(result.p99)}, max ${ms(result.max)}; ` +
        `bare NATS one hop ${pair(bare.oneHop)}; two hops ${pair(bare.twoHops)}`,
    );
  }
} finally {
  await listener.stop();
  await observer.drain();
  await nats.stop();
  await dir.remove();
}

const bench = 'push-latency';
const anchor = 'bare NATS publish -> receive, same sizes';
const acrossRuns = (pick: (r: (typeof runs)[number]) => number) => median(runs.map(pick));
const p99s = runs.map((r) => r.p99);
report({
  bench,
  metric: `encoder -> subscriber p50 (median of ${RUNS} runs)`,
  unit: 'ms',
  value: acrossRuns((r) => r.p50),
  anchor,
  anchorValue: acrossRuns((r) => percentile(r.bare.oneHop, 50)),
});
report({
  bench,
  metric: `encoder -> subscriber p99 (median of ${RUNS} runs)`,
  unit: 'ms',
  value: median(p99s),
  anchor,
  anchorValue: acrossRuns((r) => percentile(r.bare.oneHop, 99)),
  goal: '≤ 20 ms',
});
report({
  bench,
  metric: `encoder -> subscriber p99 (median of ${RUNS} runs), against two NATS hops`,
  unit: 'ms',
  value: median(p99s),
  anchor: 'bare NATS publish -> relay -> receive, same sizes',
  anchorValue: acrossRuns((r) => percentile(r.bare.twoHops, 99)),
});
report({
  bench,
  metric: 'encoder -> subscriber p99 spread (max - min over runs)',
  unit: 'ms',
  value: Math.max(...p99s) - Math.min(...p99s),
});
report({
  bench,
  metric: 'encoder -> subscriber max (all runs)',
  unit: 'ms',
  value: Math.max(...runs.map((r) => r.max)),
});
