// What the buffer pod costs serving viewers: `tributary buffer` (bundled and started as in the
// image, node flags included) holding 10 streams of ~4 Mbps from a paced publisher in this process
// (720p H.264 + AAC access units on NATS, as ingest pods publish them), each watched by 5 live
// `.ts` viewers (read and discard) and 5 LL-HLS viewers (blocking playlist reloads, every new part
// fetched). After a warm-up, over BUFFER_COST_SECONDS (default 30): the buffer's CPU in % of one
// core (utime + stime from /proc/<pid>/stat), peak private memory (RssAnon, sampled each second),
// bytes served per second (counted by the viewers), each as a total and per stream (total / 10).
// Anchor, alongside: `ffmpeg -re -stream_loop -1 -i <same file> -c copy -f hls -hls_time 2
// -hls_flags delete_segments` remuxing one stream to HLS files. The anchor has no viewers, so the
// ratio overstates what the buffer costs per stream: it also serves 10 viewers per stream.
// Also checked (reported, not asserted): that no viewer lost data.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, mkdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { BIN } from '../ingest-pod/test/cli/run-cli.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { freeTcpPort, makeTempDir, spawnFfmpeg, waitFor } from '../ingest-pod/test/support/peers.js';
import { makeBenchMedia, PacedPublisher, type Viewer, watchLiveTs, watchLlHls } from './buffer-support.js';
import { bundleIngestPod, median, podNodeFlags, report, sampleProcess, sleep } from './ingest-support.js';

const WINDOW_S = Number(process.env.BUFFER_COST_SECONDS ?? 30);
const STREAMS = Number(process.env.BUFFER_COST_STREAMS ?? 10);
const TS_VIEWERS = 5;
const HLS_VIEWERS = 5;
/** The buffer's --window-seconds (default 30): the rings are full, and memory level, by the window. */
const WARM_UP_MS = 30_000;
const NS = 'bench';
const BENCH = 'buffer-cost';

const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const dir = await makeTempDir('tributary-bench-buffer-cost-');
const nats = await startNats();
const { file, packets } = await makeBenchMedia(dir.path);
const entry = bundleIngestPod() ?? BIN;
// The image puts the console's files, hls.js included, next to the bundle.
if (entry !== BIN) {
  const consoleDir = join(dirname(entry), 'console');
  cpSync(new URL('../ingest-pod/console', import.meta.url), consoleDir, { recursive: true });
  mkdirSync(join(consoleDir, 'vendor'), { recursive: true });
  cpSync(
    new URL('../node_modules/hls.js/dist/hls.min.js', import.meta.url),
    join(consoleDir, 'vendor/hls.min.js'),
  );
}
const nodeFlags = podNodeFlags();
console.error(
  `runtime: ${entry === BIN ? 'tsx' : 'esbuild bundle, as in the image'}, node ${nodeFlags.join(' ')}; ` +
    `${STREAMS} streams, ${TS_VIEWERS} .ts + ${HLS_VIEWERS} LL-HLS viewers each`,
);

const [port, metricsPort] = [await freeTcpPort(), await freeTcpPort()];
const buffer = spawn(
  process.execPath,
  [
    ...nodeFlags,
    entry,
    'buffer',
    ...['--nats-url', nats.url, '--host', '127.0.0.1', '--port', String(port)],
    ...['--metrics-port', String(metricsPort), '--replica', 'bench', '--namespace', NS],
  ],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;
const publisherNc = await connect({ servers: nats.url });
const names = Array.from({ length: STREAMS }, (_, i) => `cost-${i}`);
/** Payload bytes published per stream, for the .ts viewers' check. */
const publishedBytes = names.map(() => 0);
const publisher = new PacedPublisher(
  publisherNc,
  packets,
  names.map((name) => `tributary.${NS}.${name}.av`),
  (stream, _key, _at, bytes) => {
    publishedBytes[stream]! += bytes;
  },
);
const anchorDir = join(dir.path, 'anchor-hls');
let anchor: ReturnType<typeof spawnFfmpeg> | undefined;
const tsViewers: Viewer[][] = names.map(() => []);
const hlsViewers: Viewer[] = [];

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const streamsListed = async () => {
  const response = await fetch(`${base}/streams`);
  return ((await response.json()) as { streams: { name: string; lost: number; bytes: number }[] }).streams;
};

try {
  await waitFor(
    async () => (await fetch(`http://127.0.0.1:${metricsPort}/readyz`).catch(() => undefined))?.ok,
    'the buffer ready',
    30_000,
  );
  const idle = await sampleProcess(buffer.pid!, ticks);
  publisher.start();
  await mkdir(anchorDir);
  anchor = spawnFfmpeg([
    ...['-re', '-stream_loop', '-1', '-i', file, '-map', '0', '-c', 'copy'],
    ...['-f', 'hls', '-hls_time', '2', '-hls_flags', 'delete_segments', join(anchorDir, 'index.m3u8')],
  ]);
  await waitFor(
    async () => (await streamsListed()).length === STREAMS,
    `${STREAMS} streams in the buffer`,
    30_000,
  );
  for (const [i, name] of names.entries()) {
    for (let v = 0; v < TS_VIEWERS; v++) tsViewers[i]!.push(watchLiveTs(`${base}/${NS}/${name}.ts`));
    for (let v = 0; v < HLS_VIEWERS; v++) hlsViewers.push(watchLlHls(`${base}/${NS}/${name}/index.m3u8`));
  }
  await sleep(WARM_UP_MS);

  const allViewers = () => [...tsViewers.flat(), ...hlsViewers];
  const sumBytes = (viewers: Viewer[]) => viewers.reduce((sum, v) => sum + v.stats.bytes, 0);
  const tsBytes0 = tsViewers.map((viewers) => viewers.map((v) => v.stats.bytes));
  const published0 = [...publishedBytes];
  const [hlsBytes0, served0] = [sumBytes(hlsViewers), sumBytes(allViewers())];
  const hlsErrors0 = hlsViewers.map((v) => new Map(v.stats.errors));
  const hlsParts0 = hlsViewers.map((v) => v.stats.parts);
  const lost0 = (await streamsListed()).reduce((sum, s) => sum + s.lost, 0);
  const [buffer0, anchor0] = [
    await sampleProcess(buffer.pid!, ticks),
    await sampleProcess(anchor.pid, ticks),
  ];
  const started = performance.now();
  // Private memory has no kernel high-water mark: sample it every second.
  let [bufferAnon, anchorAnon] = [buffer0.anonMb, anchor0.anonMb];
  /** The buffer's private memory every 10 s: whether it levels off once the rings are full. */
  const trail: number[] = [];
  for (let s = 0; s < WINDOW_S; s++) {
    await sleep(1000);
    const anon = (await sampleProcess(buffer.pid!, ticks)).anonMb;
    if (s % 10 === 9) trail.push(Math.round(anon));
    bufferAnon = Math.max(bufferAnon, anon);
    anchorAnon = Math.max(anchorAnon, (await sampleProcess(anchor.pid, ticks)).anonMb);
  }
  const seconds = (performance.now() - started) / 1000;
  const [buffer1, anchor1] = [
    await sampleProcess(buffer.pid!, ticks),
    await sampleProcess(anchor.pid, ticks),
  ];
  const servedMbps = ((sumBytes(allViewers()) - served0) * 8) / seconds / 1e6;
  const hlsMbps = ((sumBytes(hlsViewers) - hlsBytes0) * 8) / seconds / 1e6;
  const sourceMbps =
    (publishedBytes.reduce((sum, b, i) => sum + b - published0[i]!, 0) * 8) / seconds / 1e6 / STREAMS;
  const cpu = ((buffer1.cpuSeconds - buffer0.cpuSeconds) / seconds) * 100;
  const anchorCpu = ((anchor1.cpuSeconds - anchor0.cpuSeconds) / seconds) * 100;
  const peakAnon = Math.max(bufferAnon, buffer1.anonMb);
  const anchorPeakAnon = Math.max(anchorAnon, anchor1.anonMb);

  // Loss: a .ts viewer gets its stream's payload plus TS overhead (≥ 1×; a skipped GOP shows as
  // less); an HLS viewer gets every part it asks for (no 404/503).
  const tsRatios = tsViewers.flatMap((viewers, i) =>
    viewers.map((v, j) => (v.stats.bytes - tsBytes0[i]![j]!) / (publishedBytes[i]! - published0[i]!)),
  );
  const hlsFailures = hlsViewers.reduce((sum, v, i) => {
    let failures = 0;
    for (const [status, count] of v.stats.errors) failures += count - (hlsErrors0[i]!.get(status) ?? 0);
    return sum + failures;
  }, 0);
  const partsPerViewer = hlsViewers.map((v, i) => v.stats.parts - hlsParts0[i]!);
  const listed = await streamsListed();
  const lost = listed.reduce((sum, s) => sum + s.lost, 0) - lost0;
  const heldMb = listed.reduce((sum, s) => sum + s.bytes, 0) / 1024 / 1024;
  console.error(
    `window ${seconds.toFixed(1)} s: source ${sourceMbps.toFixed(2)} Mbps per stream; .ts viewers got ` +
      `${Math.min(...tsRatios).toFixed(3)}–${Math.max(...tsRatios).toFixed(3)} × their stream's payload; ` +
      `HLS viewers fetched ${Math.min(...partsPerViewer)}–${Math.max(...partsPerViewer)} parts each, ` +
      `${hlsFailures} answered other than 200; ${lost} access units lost on the bus; ` +
      `buffer private memory every 10 s: ${trail.join(', ')} MB`,
  );

  const anchorName = 'ffmpeg -re -stream_loop -1 -i <file> -c copy -f hls (one stream, no viewers)';
  report({ bench: BENCH, metric: 'source rate per stream', unit: 'Mbps', value: sourceMbps });
  report({ bench: BENCH, metric: 'served, total', unit: 'Mbps', value: servedMbps });
  report({
    bench: BENCH,
    metric: 'served per stream (10 viewers)',
    unit: 'Mbps',
    value: servedMbps / STREAMS,
  });
  report({ bench: BENCH, metric: 'of which LL-HLS, total', unit: 'Mbps', value: hlsMbps });
  report({ bench: BENCH, metric: 'cpu, total', unit: '% of one core', value: cpu });
  report({
    bench: BENCH,
    metric: 'cpu per stream with its 10 viewers',
    unit: '% of one core',
    value: cpu / STREAMS,
    anchor: anchorName,
    anchorValue: anchorCpu,
  });
  report({ bench: BENCH, metric: 'peak private memory (RssAnon), total', unit: 'MB', value: peakAnon });
  report({ bench: BENCH, metric: 'private memory when idle (no streams)', unit: 'MB', value: idle.anonMb });
  // The rings hold --window-seconds (30) of every stream: most of the memory, by design.
  report({ bench: BENCH, metric: 'media held in the rings, total', unit: 'MB', value: heldMb });
  report({
    bench: BENCH,
    metric: 'peak private memory per stream (total / streams)',
    unit: 'MB',
    value: peakAnon / STREAMS,
    anchor: anchorName,
    anchorValue: anchorPeakAnon,
  });
  report({
    bench: BENCH,
    metric: '.ts viewer bytes / stream payload, lowest',
    unit: '×',
    value: Math.min(...tsRatios),
  });
  report({
    bench: BENCH,
    metric: 'LL-HLS part or playlist requests not 200',
    unit: 'count',
    value: hlsFailures,
  });
  report({
    bench: BENCH,
    metric: 'LL-HLS parts per viewer, median',
    unit: 'count',
    value: median(partsPerViewer),
  });
  report({ bench: BENCH, metric: 'access units lost on the bus', unit: 'count', value: lost });
} finally {
  for (const viewer of [...tsViewers.flat(), ...hlsViewers]) viewer.stop();
  publisher.stop();
  await publisherNc.close();
  await anchor?.stop();
  await stop(buffer);
  await nats.stop();
  await dir.remove();
}
