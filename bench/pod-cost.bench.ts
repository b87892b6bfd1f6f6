// What one ingest pod costs: `tributary ingest` (bundled and started as in the image, node flags
// included) on a 4 Mbps UDP source for 60 s, publishing to NATS. CPU in % of one core over the
// window (utime + stime from /proc/<pid>/stat), peak RSS (VmHWM), and peak private memory
// (RssAnon, sampled each second; RSS also counts the executable's file pages, which all pods on a
// node share). Anchor, measured alongside on a second copy of the source:
// `ffmpeg -i udp://… -c copy -f null -` (receive and demux only, publishes nothing).
import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BIN } from '../ingest-pod/test/cli/run-cli.js';
import { udpSource, udpUrl } from '../ingest-pod/test/ingest/stream-harness.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { freeUdpPort, makeTempDir } from '../ingest-pod/test/support/peers.js';
import { podNodeFlags, report, sampleProcess, sleep, writeStreamConfig } from './ingest-support.js';

const WINDOW_S = 60;
const WARM_UP_MS = 5000;
const root = fileURLToPath(new URL('..', import.meta.url));

/** The image runs an esbuild bundle, not tsx: measure that (falls back to the tsx entry). */
function bundle(): string | undefined {
  const out = join(root, 'node_modules/.cache/tributary-bench/tributary.mjs');
  const result = spawnSync('bash', ['docker/bundle.sh', 'ingest-pod/src/cli.ts', out], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status === 0 ? out : undefined;
}

const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const dir = await makeTempDir('tributary-bench-cost-');
const nats = await startNats();
const file = await makeTsFile(dir.path, {
  seconds: 10,
  size: '1280x720',
  gop: 25,
  ffmpegArgs: ['-b:v', '3.8M', '-maxrate', '3.8M', '-bufsize', '2M', '-muxrate', '4M'],
});
const [port, anchorPort] = [await freeUdpPort(), await freeUdpPort()];
const sources = [udpSource(file, port), udpSource(file, anchorPort)];
const entry = bundle() ?? BIN;
const nodeFlags = podNodeFlags();
const config = await writeStreamConfig(dir.path, 'cost', [udpUrl(port)]);
const pod = spawn(
  process.execPath,
  [...nodeFlags, entry, 'ingest', '--config', config, '--listen', '127.0.0.1:0'],
  {
    env: { ...process.env, NATS_URL: nats.url },
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
let podLog = '';
pod.stdout.setEncoding('utf8').on('data', (text: string) => {
  podLog = (podLog + text).slice(-100_000);
});
const anchor = spawn(
  'ffmpeg',
  [
    '-hide_banner',
    '-loglevel',
    'error',
    '-nostdin',
    '-i',
    udpUrl(anchorPort),
    '-map',
    '0',
    '-c',
    'copy',
    '-f',
    'null',
    '-',
  ],
  { stdio: 'ignore' },
);

/** Bytes the pod read so far, from its own /metrics (to report the source's real rate). */
async function bytesRead(): Promise<number> {
  const port = /"port":(\d+),"msg":"health server listening"/.exec(podLog)?.[1];
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return Number(/^tributary_ingest_bytes_total\{input="0"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
}

try {
  await sleep(WARM_UP_MS);
  const [podPid, anchorPid] = [pod.pid!, anchor.pid!];
  const [pod0, anchor0] = [await sampleProcess(podPid, ticks), await sampleProcess(anchorPid, ticks)];
  const bytes0 = await bytesRead();
  const started = performance.now();
  // Private memory has no kernel high-water mark: sample it every second.
  let [podAnon, anchorAnon] = [pod0.anonMb, anchor0.anonMb];
  for (let i = 0; i < WINDOW_S; i++) {
    await sleep(1000);
    podAnon = Math.max(podAnon, (await sampleProcess(podPid, ticks)).anonMb);
    anchorAnon = Math.max(anchorAnon, (await sampleProcess(anchorPid, ticks)).anonMb);
  }
  const seconds = (performance.now() - started) / 1000;
  const [pod1, anchor1] = [await sampleProcess(podPid, ticks), await sampleProcess(anchorPid, ticks)];
  const mbps = (((await bytesRead()) - bytes0) * 8) / seconds / 1e6;
  const cpu = ((pod1.cpuSeconds - pod0.cpuSeconds) / seconds) * 100;
  const anchorCpu = ((anchor1.cpuSeconds - anchor0.cpuSeconds) / seconds) * 100;
  console.error(
    `runtime: ${entry === BIN ? 'tsx' : 'esbuild bundle, as in the image'}, node ${nodeFlags.join(' ')}; ` +
      `source ${mbps.toFixed(2)} Mbps`,
  );
  const ffmpeg = 'ffmpeg -c copy -f null (receive + demux only)';
  report({ bench: 'pod-cost', metric: 'source rate', unit: 'Mbps', value: mbps });
  report({
    bench: 'pod-cost',
    metric: 'cpu',
    unit: '% of one core',
    value: cpu,
    anchor: ffmpeg,
    anchorValue: anchorCpu,
    goal: '≤ 1 %',
  });
  report({
    bench: 'pod-cost',
    metric: 'peak rss',
    unit: 'MB',
    value: pod1.peakRssMb,
    anchor: ffmpeg,
    anchorValue: anchor1.peakRssMb,
    goal: '≤ 60 MB',
  });
  report({
    bench: 'pod-cost',
    metric: 'peak private memory (RssAnon)',
    unit: 'MB',
    value: Math.max(podAnon, pod1.anonMb),
    anchor: ffmpeg,
    anchorValue: Math.max(anchorAnon, anchor1.anonMb),
  });
} finally {
  for (const child of [pod, anchor]) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
  for (const source of sources) await source.stop();
  await nats.stop();
  await dir.remove();
}
