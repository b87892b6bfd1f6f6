// Push failover: a listener replica holding a publisher is SIGKILLed; how long until the Stream is
// Live again, i.e. until the first access unit of a new publisher session reaches `.av`. Two
// replicas (processes, the esbuild bundle as in the image), an ingest with one push input (in this
// process), and ffmpeg as an encoder that reconnects 300 ms after its connection drops, each attempt
// to the next replica of the current list (what a Service in front of them amounts to). After each
// round a replacement replica takes the killed one's place. Besides the total, where it goes:
// kill -> the surviving replica admits the encoder (its "publisher accepted" log line; mostly the
// killed replica's active mark expiring, ACTIVE_MARK_TTL_MS), and admitted -> first access unit;
// each round's line also lists what the ingest logged meanwhile (reconnects and their backoff).
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { connect } from '@nats-io/transport-node';
import { ACTIVE_MARK_HEARTBEAT_MS, ACTIVE_MARK_TTL_MS } from '@tributary/crds';
import { startIngest } from '../ingest-pod/src/ingest/service.js';
import { decodeEnvelope, isWireError } from '../ingest-pod/src/wire/index.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { makeTempDir, waitFor } from '../ingest-pod/test/support/peers.js';
import {
  type ListenerReplica,
  makeSealingKey,
  metricSum,
  reconnectingEncoder,
  rtmpPublisher,
  startListenerReplica,
} from '../test/e2e/push-support.js';
import { median, report, sleep } from './ingest-support.js';
import { imageEntry, loadAverageLine, pushIngestConfig, pushMedia } from './push-bench-support.js';

const ROUNDS = 5;
const KEY = 'bench-publish-key-0123456789';
const STREAM = 'push-failover';

console.error(loadAverageLine());
const dir = await makeTempDir('tributary-bench-push-failover-');
const keyFile = join(dir.path, 'sealing-key.pem');
makeSealingKey(keyFile);
const file = pushMedia({ videoMbps: 3, format: 'flv', seconds: 40 });
const nats = await startNats({ jetstream: true, server: 'chart' });
const observer = await connect({ servers: nats.url });
const entry = imageEntry();
console.error(`listener runtime: ${entry.runtime}; ingest in this process`);
let started = 0;
const startReplica = () =>
  startListenerReplica({
    name: `listener-${++started}`,
    natsUrl: nats.url,
    sealingKeyFile: keyFile,
    entry: entry.args,
  });
const replicas: ListenerReplica[] = [await startReplica(), await startReplica()];

/** When each publisher session's first access unit reached `.av`, by session id. */
const firstPacketAt = new Map<number, number>();
const av = observer.subscribe(`tributary.bench.${STREAM}.av`, {
  callback: (_err, message) => {
    const envelope = decodeEnvelope(message.data);
    if (isWireError(envelope) || firstPacketAt.has(envelope.sessionId)) return;
    firstPacketAt.set(envelope.sessionId, Date.now());
  },
});
await observer.flush();

const config = pushIngestConfig(STREAM, keyFile);
/** The ingest's JSON log lines (time, msg, delayMs), to say what it did between admission and media. */
const ingestLines: { time: number; msg: string; delayMs?: number }[] = [];
const ingestLog = new Writable({
  write: (chunk: Buffer, _encoding, done) => {
    for (const line of chunk.toString().split('\n')) {
      if (line.trim() === '') continue;
      try {
        ingestLines.push(JSON.parse(line) as (typeof ingestLines)[number]);
      } catch {
        // not a log line
      }
    }
    done();
  },
});
const service = await startIngest({
  config,
  env: { PUSH_KEY: KEY },
  natsUrl: nats.url,
  listen: { host: '127.0.0.1', port: 0 },
  vodRoot: '/nonexistent',
  logDestination: ingestLog,
});
const encoder = reconnectingEncoder((attempt) => {
  const replica = replicas[attempt % replicas.length]!;
  return rtmpPublisher(file, `rtmp://127.0.0.1:${replica.rtmpPort}/bench/${STREAM}?key=${KEY}`, true);
});

async function holder(): Promise<ListenerReplica | undefined> {
  for (const replica of replicas) {
    if (metricSum(await replica.metrics(), 'tributary_push_publishers') === 1) return replica;
  }
  return undefined;
}

/** The time (epoch ms) of the first "publisher accepted" line a replica logged after `since`. */
function acceptedAt(replica: ListenerReplica, since: number): number | undefined {
  const line = replica.logs.find(
    (l) => l.msg === 'publisher accepted' && typeof l.time === 'number' && l.time >= since,
  );
  return line?.time as number | undefined;
}

const totals: number[] = [];
const admissions: number[] = [];
const firstPackets: number[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    await waitFor(async () => (await holder()) !== undefined, 'a replica holding the publisher', 60_000);
    await waitFor(() => firstPacketAt.size > 0, 'media on .av', 30_000);
    // A random phase against the mark's heartbeat, as a real failure would have.
    await sleep(2000 + Math.random() * ACTIVE_MARK_HEARTBEAT_MS);
    const killed = (await holder())!;
    const attemptsBefore = encoder.attempts.length;
    const sessionsBefore = firstPacketAt.size;
    const killedAt = Date.now();
    await killed.kill();
    await waitFor(() => firstPacketAt.size > sessionsBefore, 'a new publisher session on .av', 60_000);
    const backAt = [...firstPacketAt.values()].at(-1)!;
    const survivor = replicas.find((r) => r !== killed)!;
    const admitted = acceptedAt(survivor, killedAt);
    const attempts = encoder.attempts.length - attemptsBefore;
    const total = backAt - killedAt;
    totals.push(total);
    if (admitted !== undefined) {
      admissions.push(admitted - killedAt);
      firstPackets.push(backAt - admitted);
    }
    const ingestSaid = ingestLines
      .filter((l) => l.time > killedAt && l.time <= backAt)
      .map(
        (l) =>
          `+${l.time - killedAt} ms ${l.msg}${l.delayMs === undefined ? '' : ` (delay ${l.delayMs} ms)`}`,
      );
    console.error(
      `round ${round}: killed ${killed.name}; Live again after ${total} ms ` +
        `(admitted by ${survivor.name} after ${admitted === undefined ? '?' : admitted - killedAt} ms, ` +
        `${attempts} encoder connections ended meanwhile); ingest: ${ingestSaid.join('; ') || 'nothing logged'}`,
    );
    replicas[replicas.indexOf(killed)] = await startReplica();
  }
} finally {
  await encoder.stop();
  av.unsubscribe();
  await service.stop();
  for (const replica of replicas) await replica.stop();
  await observer.drain();
  await nats.stop();
  await dir.remove();
}

const bench = 'push-failover';
console.error(`active mark TTL ${ACTIVE_MARK_TTL_MS} ms, heartbeat ${ACTIVE_MARK_HEARTBEAT_MS} ms`);
report({
  bench,
  metric: `replica kill -> Live again, median of ${ROUNDS}`,
  unit: 'ms',
  value: median(totals),
  goal: '≤ 10 s',
});
report({ bench, metric: 'replica kill -> Live again, max', unit: 'ms', value: Math.max(...totals) });
report({
  bench,
  metric: 'kill -> encoder admitted by the other replica, median',
  unit: 'ms',
  value: median(admissions),
});
report({
  bench,
  metric: 'admitted -> first access unit on .av, median',
  unit: 'ms',
  value: median(firstPackets),
});
