// What the push-listener costs per publisher: 10 publishers of a 4 Mbps 720p stream, CPU in % of
// one core (utime + stime over the window) and memory (peak RSS, VmHWM; peak private memory,
// RssAnon sampled each second, also per publisher above the idle process), for RTMP and for SRT.
// Our listener runs as the image runs it (the esbuild bundle with the pod's node flags), a fresh
// one per scenario, on routes registered straight into the registry (no ingest pods: its relay
// still goes to NATS, where nobody listens). Each scenario has its anchor, fed alongside by
// another 10 publishers:
//   rtmp  node-media-server 4.4.3 alone (its NodeMediaServer class, own node process, same flags),
//         10 `ffmpeg -re -stream_loop -1 -c copy -f flv` publishers on each side;
//   srt   10 `srt-live-transmit srt://…?mode=listener udp://…` (summed), 10 ffmpeg SRT callers on
//         each side, with the same passphrase (encryption) as our routes.
//
//   npm run bench -- push-cost          PUSH_COST=srt (or rtmp) for one; PUSH_COST_SECONDS=60
import { spawnSync } from 'node:child_process';
import net from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { startNats } from '../ingest-pod/test/support/nats.js';
import {
  type FfmpegProcess,
  ffmpegLoop,
  freeTcpPort,
  freeUdpPort,
  makeTempDir,
  spawnPeer,
  waitFor,
} from '../ingest-pod/test/support/peers.js';
import {
  type ListenerReplica,
  makeSealingKey,
  metricSum,
  rtmpPublisher,
  startListenerReplica,
} from '../test/e2e/push-support.js';
import { type ProcessSample, podNodeFlags, report, sampleProcess, sleep } from './ingest-support.js';
import {
  imageEntry,
  listenerPublicKey,
  loadAverageLine,
  pushMedia,
  registerRoute,
} from './push-bench-support.js';

const PUBLISHERS = 10;
const WINDOW_S = Number(process.env.PUSH_COST_SECONDS ?? 30);
/** Connections, admissions (an scrypt key check each for RTMP) and SRT handshakes settle first. */
const WARM_UP_MS = 8000;
const VIDEO_MBPS = 3.8;
const keyOf = (i: number) => `bench-cost-key-${i}-0123456789`;
const streamOf = (i: number) => `cost-${i}`;

const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const wanted = (process.env.PUSH_COST ?? 'rtmp,srt').split(',').filter(Boolean);
if (wanted.some((name) => name !== 'rtmp' && name !== 'srt'))
  throw new Error('PUSH_COST takes rtmp and/or srt');

/** The anchor's processes (summed); its encoders start once its idle memory has been read. */
interface Side {
  pids: number[];
  startEncoders(): FfmpegProcess[];
  stop(): Promise<void>;
}

/**
 * CPU and memory of groups of processes over the window, each group summed over its members:
 * CPU % of one core, peak RSS (VmHWM), and the lowest and highest private memory (RssAnon).
 */
async function measureGroups(groups: readonly (readonly number[])[]) {
  const sampleGroup = async (pids: readonly number[]) => {
    const samples = await Promise.all(pids.map((pid) => sampleProcess(pid, ticks)));
    const total = (pick: (s: ProcessSample) => number) => samples.reduce((n, s) => n + pick(s), 0);
    return {
      cpu: total((s) => s.cpuSeconds),
      peakRss: total((s) => s.peakRssMb),
      anon: total((s) => s.anonMb),
    };
  };
  const before = await Promise.all(groups.map(sampleGroup));
  const anon = before.map((b) => ({ low: b.anon, peak: b.anon }));
  const started = performance.now();
  for (let i = 0; i <= WINDOW_S; i++) {
    if (i > 0) await sleep(1000);
    const now = await Promise.all(groups.map(sampleGroup));
    now.forEach((sample, g) => {
      const range = anon[g]!;
      range.low = Math.min(range.low, sample.anon);
      range.peak = Math.max(range.peak, sample.anon);
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const after = await Promise.all(groups.map(sampleGroup));
  return groups.map((_, g) => ({
    cpuPercent: ((after[g]!.cpu - before[g]!.cpu) / seconds) * 100,
    peakRssMb: after[g]!.peakRss,
    peakAnonMb: anon[g]!.peak,
    lowAnonMb: anon[g]!.low,
  }));
}

console.error(loadAverageLine());
const dir = await makeTempDir('tributary-bench-push-cost-');
const keyFile = join(dir.path, 'sealing-key.pem');
makeSealingKey(keyFile);
const media = {
  rtmp: pushMedia({ videoMbps: VIDEO_MBPS, format: 'flv', seconds: 20 }),
  srt: pushMedia({ videoMbps: VIDEO_MBPS, format: 'mpegts', seconds: 20 }),
};
const nats = await startNats({ jetstream: true, server: 'chart' });
const nc = await connect({ servers: nats.url });
const listenerKey = listenerPublicKey(keyFile);
for (let i = 0; i < PUBLISHERS; i++) {
  // The publish key doubles as the SRT passphrase, as an ingest pod seals it.
  await registerRoute(nc, {
    namespace: 'bench',
    stream: streamOf(i),
    key: keyOf(i),
    passphrase: keyOf(i),
    listenerKey,
  });
}
const entry = imageEntry();
console.error(`listener runtime: ${entry.runtime}; ${PUBLISHERS} publishers, window ${WINDOW_S} s`);
/** A fresh listener per scenario, so that its peak RSS is that scenario's. */
const startListener = (protocol: string) =>
  startListenerReplica({
    name: `bench-cost-${protocol}`,
    natsUrl: nats.url,
    sealingKeyFile: keyFile,
    entry: entry.args,
    idleTimeoutSeconds: 30,
  });

const srtCaller = (port: number, query: string) =>
  ffmpegLoop(media.srt, [
    '-f',
    'mpegts',
    `srt://127.0.0.1:${port}?mode=caller&latency=120000&pkt_size=1316&${query}`,
  ]);
const stopAll = (peers: readonly FfmpegProcess[]) => Promise.all(peers.map((p) => p.stop()));

const NMS_SCRIPT = `
import { createRequire } from 'node:module';
const [port, store, from] = process.argv.slice(1);
const require = createRequire(from);
const NodeMediaServer = require('node-media-server');
const logger = require('node-media-server/src/core/logger.js');
console.log = () => undefined; // the constructor logs at debug through console.log
const nms = new NodeMediaServer({ bind: '127.0.0.1', rtmp: { port: Number(port) }, store: { path: store }, webadmin: { enable: false } });
logger.level = 'error';
nms.run();
`;

/** True once something accepts TCP connections on 127.0.0.1:port. */
function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ port, host: '127.0.0.1' });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** node-media-server alone in its own node process, and 10 publishers to it. */
async function nodeMediaServerSide(): Promise<Side> {
  const port = await freeTcpPort();
  const from = new URL('../package.json', import.meta.url).pathname;
  const nms = spawnPeer(process.execPath, [
    ...podNodeFlags(),
    ...['--input-type=module', '-e', NMS_SCRIPT, String(port), join(dir.path, 'nms-store'), from],
  ]);
  await waitFor(() => accepts(port), 'node-media-server to listen', 20_000);
  let encoders: FfmpegProcess[] = [];
  return {
    pids: [nms.pid],
    startEncoders: () => {
      encoders = Array.from({ length: PUBLISHERS }, (_, i) =>
        rtmpPublisher(media.rtmp, `rtmp://127.0.0.1:${port}/live/${streamOf(i)}`, true),
      );
      return encoders;
    },
    stop: async () => {
      await stopAll(encoders);
      await nms.stop();
    },
  };
}

/** 10 srt-live-transmit listeners forwarding to UDP ports nobody reads, a caller each. */
async function srtLiveTransmitSide(): Promise<Side> {
  const relays: FfmpegProcess[] = [];
  const ports: number[] = [];
  for (let i = 0; i < PUBLISHERS; i++) {
    const [port, sink] = [await freeUdpPort(), await freeUdpPort()];
    ports.push(port);
    relays.push(
      spawnPeer('srt-live-transmit', [
        '-q',
        `srt://127.0.0.1:${port}?mode=listener&latency=120&passphrase=${keyOf(i)}`,
        `udp://127.0.0.1:${sink}`,
      ]),
    );
  }
  let encoders: FfmpegProcess[] = [];
  return {
    pids: relays.map((r) => r.pid),
    startEncoders: () => {
      encoders = ports.map((port, i) => srtCaller(port, `passphrase=${keyOf(i)}`));
      return encoders;
    },
    stop: async () => {
      await stopAll(encoders);
      await stopAll(relays);
    },
  };
}

/** Where our listener's private memory is (its own /metrics, prom-client's process metrics). */
async function heapLine(listener: ListenerReplica, sampled: { peakAnonMb: number; lowAnonMb: number }) {
  const text = await listener.metrics();
  const mb = (name: string, labels: Record<string, string> = {}) =>
    (metricSum(text, name, labels) / 1e6).toFixed(1);
  return (
    `our listener: RssAnon ${sampled.lowAnonMb.toFixed(1)}-${sampled.peakAnonMb.toFixed(1)} MB over the window; ` +
    `now V8 heap ${mb('nodejs_heap_size_used_bytes')} MB used of ${mb('nodejs_heap_size_total_bytes')} MB ` +
    `(old space ${mb('nodejs_heap_space_size_total_bytes', { space: 'old' })} MB, large objects ` +
    `${mb('nodejs_heap_space_size_total_bytes', { space: 'large_object' })} MB), external ${mb('nodejs_external_memory_bytes')} MB`
  );
}

/** Our listener's encoders for one protocol. */
function ourEncoders(listener: ListenerReplica, protocol: 'rtmp' | 'srt'): FfmpegProcess[] {
  return Array.from({ length: PUBLISHERS }, (_, i) =>
    protocol === 'rtmp'
      ? rtmpPublisher(
          media.rtmp,
          `rtmp://127.0.0.1:${listener.rtmpPort}/bench/${streamOf(i)}?key=${keyOf(i)}`,
          true,
        )
      : // ffmpeg passes the stream id on raw, so it goes in as it is.
        srtCaller(listener.srtPort, `streamid=#!::r=bench/${streamOf(i)},m=publish&passphrase=${keyOf(i)}`),
  );
}

async function measure(protocol: 'rtmp' | 'srt'): Promise<void> {
  const listener = await startListener(protocol);
  let anchor: Side | undefined;
  let ours: FfmpegProcess[] = [];
  let theirs: FfmpegProcess[] = [];
  const anchorName =
    protocol === 'rtmp'
      ? 'node-media-server 4.4.3 alone'
      : `${PUBLISHERS} × srt-live-transmit srt:// udp:// (summed)`;
  try {
    anchor = protocol === 'rtmp' ? await nodeMediaServerSide() : await srtLiveTransmitSide();
    await sleep(1000);
    const anonOf = async (pids: readonly number[]) =>
      (await Promise.all(pids.map((pid) => sampleProcess(pid, ticks)))).reduce((n, s) => n + s.anonMb, 0);
    const idle = { mine: await anonOf([listener.pid]), theirs: await anonOf(anchor.pids) };
    ours = ourEncoders(listener, protocol);
    theirs = anchor.startEncoders();
    const exited = new Set<FfmpegProcess>();
    for (const encoder of [...ours, ...theirs]) void encoder.exited.then(() => exited.add(encoder));
    await sleep(WARM_UP_MS);
    const publishing = metricSum(await listener.metrics(), 'tributary_push_publishers', { protocol });
    if (publishing !== PUBLISHERS)
      console.error(`warning: our listener holds ${publishing} of ${PUBLISHERS} ${protocol} publishers`);
    const bytes = async () =>
      metricSum(await listener.metrics(), 'tributary_push_relayed_bytes_total', { protocol });
    const bytes0 = await bytes();
    const started = performance.now();
    const [mine, them] = await measureGroups([[listener.pid], anchor.pids]);
    const mbps = (((await bytes()) - bytes0) * 8) / ((performance.now() - started) / 1000) / 1e6;
    if (exited.size > 0) console.error(`warning: ${exited.size} encoders exited before the window ended`);
    console.error(await heapLine(listener, mine!));
    const bench = `push-cost ${protocol}`;
    report({ bench, metric: 'relayed per publisher', unit: 'Mbps', value: mbps / PUBLISHERS });
    report({
      bench,
      metric: 'cpu per publisher',
      unit: '% of one core',
      value: mine!.cpuPercent / PUBLISHERS,
      anchor: anchorName,
      anchorValue: them!.cpuPercent / PUBLISHERS,
      goal: '≤ 1.2 × the anchor',
    });
    report({
      bench,
      metric: `peak rss, ${PUBLISHERS} publishers`,
      unit: 'MB',
      value: mine!.peakRssMb,
      anchor: anchorName,
      anchorValue: them!.peakRssMb,
    });
    report({
      bench,
      metric: `peak private memory (RssAnon), ${PUBLISHERS} publishers`,
      unit: 'MB',
      value: mine!.peakAnonMb,
      anchor: anchorName,
      anchorValue: them!.peakAnonMb,
    });
    report({
      bench,
      metric: 'private memory per publisher (peak RssAnon above idle / publishers)',
      unit: 'MB',
      value: (mine!.peakAnonMb - idle.mine) / PUBLISHERS,
      anchor: anchorName,
      anchorValue: (them!.peakAnonMb - idle.theirs) / PUBLISHERS,
      goal: '≤ 1.2 × the anchor',
    });
    report({
      bench,
      metric: 'idle private memory (RssAnon, no publisher)',
      unit: 'MB',
      value: idle.mine,
      anchor: anchorName,
      anchorValue: idle.theirs,
    });
  } finally {
    await stopAll([...ours, ...theirs]);
    await anchor?.stop();
    await listener.stop();
  }
}

try {
  for (const protocol of wanted as ('rtmp' | 'srt')[]) await measure(protocol);
} finally {
  await nc.close();
  await nats.stop();
  await dir.remove();
}
