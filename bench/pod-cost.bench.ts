// What one ingest pod costs, per transport: `tributary ingest` (bundled and started as in the
// image, node flags included) on a 4 Mbps source for 60 s, publishing to NATS. CPU in % of one
// core over the window (utime + stime from /proc/<pid>/stat), peak RSS (VmHWM), and peak private
// memory (RssAnon, sampled each second; RSS also counts the executable's file pages, which all pods
// on a node share). Each transport has its anchor, measured alongside on a second copy of the
// source: udp `ffmpeg -i udp://… -c copy -f null -`, srt `srt-live-transmit srt://… udp://…`, rtmp
// `ffmpeg -i rtmp://… -c copy -f null -`, rtsp-tcp/rtsp-udp `ffmpeg -rtsp_transport tcp|udp -i
// rtsp://… -c copy -f null -` (both from one GStreamer RTSP server: 960x540 H.264 near 4 Mbps + AAC).
//
//   npm run bench -- pod-cost                      udp, srt, rtmp, rtsp-tcp and rtsp-udp
//   POD_COST=srt npm run bench -- pod-cost         only the named ones (comma-separated)
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { BIN } from '../ingest-pod/test/cli/run-cli.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import {
  type FfmpegProcess,
  ffmpegLoop,
  freeUdpPort,
  loopedFileInput,
  makeTempDir,
} from '../ingest-pod/test/support/peers.js';
import { startFfmpegRtmpServer } from '../ingest-pod/test/support/rtmp-peers.js';
import { startRtspServer } from '../ingest-pod/test/support/rtsp-peers.js';
import {
  bundleIngestPod,
  podNodeFlags,
  report,
  sampleProcess,
  sleep,
  writeStreamConfig,
} from './ingest-support.js';

const WINDOW_S = Number(process.env.POD_COST_SECONDS ?? 60);
const WARM_UP_MS = 5000;

/** How one transport is fed and what it is compared with. */
interface Setup {
  /** The pod's input URL. */
  url: string;
  anchorName: string;
  anchor: () => ChildProcess;
  sources: FfmpegProcess[];
  /** Stops what else the setup started. */
  stop?: () => Promise<void>;
}

const quiet = (command: string, args: readonly string[]) => spawn(command, args, { stdio: 'ignore' });

const ffmpegNull = (url: string, input: readonly string[] = []) =>
  quiet(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', ...input, '-i', url, '-map', '0'].concat([
      '-c',
      'copy',
      '-f',
      'null',
      '-',
    ]),
  );

/** One shared GStreamer RTSP server for the pod and the anchor, pulled over `transport`. */
async function rtspSetup(transport: 'tcp' | 'udp'): Promise<Setup> {
  const server = await startRtspServer({ size: '960x540', bitrateKbps: 3800 });
  return {
    url: `${server.url('/test')}?transport=${transport}`,
    anchorName: `ffmpeg -rtsp_transport ${transport} -i rtsp:// -c copy -f null`,
    anchor: () => ffmpegNull(server.url('/test'), ['-rtsp_transport', transport]),
    sources: [],
    stop: () => server.stop(),
  };
}

const SETUPS: Record<string, (file: string) => Promise<Setup>> = {
  'rtsp-tcp': () => rtspSetup('tcp'),
  'rtsp-udp': () => rtspSetup('udp'),
  async udp(file) {
    const [port, anchorPort] = [await freeUdpPort(), await freeUdpPort()];
    const udp = (p: number) => `udp://127.0.0.1:${p}?pkt_size=1316`;
    return {
      url: `udp://127.0.0.1:${port}`,
      anchorName: 'ffmpeg -c copy -f null (receive + demux only)',
      anchor: () => ffmpegNull(`udp://127.0.0.1:${anchorPort}`),
      sources: [
        ffmpegLoop(file, ['-f', 'mpegts', udp(port)]),
        ffmpegLoop(file, ['-f', 'mpegts', udp(anchorPort)]),
      ],
    };
  },
  async srt(file) {
    const [port, anchorPort, sink] = [await freeUdpPort(), await freeUdpPort(), await freeUdpPort()];
    // ffmpeg's SRT latency is in microseconds: 120 ms, SRT's default.
    const listener = (p: number) => `srt://127.0.0.1:${p}?mode=listener&latency=120000&pkt_size=1316`;
    return {
      url: `srt://127.0.0.1:${port}`,
      anchorName: 'srt-live-transmit srt:// udp:// (receive only)',
      anchor: () =>
        quiet('srt-live-transmit', ['-q', `srt://127.0.0.1:${anchorPort}`, `udp://127.0.0.1:${sink}`]),
      sources: [
        ffmpegLoop(file, ['-f', 'mpegts', listener(port)]),
        ffmpegLoop(file, ['-f', 'mpegts', listener(anchorPort)]),
      ],
    };
  },
  async rtmp(file) {
    // ffmpeg -listen 1 serves one player: a server each, listening before anyone connects.
    const input = loopedFileInput(file);
    const [pod, anchor] = [
      await startFfmpegRtmpServer(input, 'live/cost'),
      await startFfmpegRtmpServer(input, 'live/cost'),
    ];
    return {
      url: pod.url,
      anchorName: 'ffmpeg -i rtmp:// -c copy -f null',
      anchor: () => ffmpegNull(anchor.url),
      sources: [pod.ffmpeg, anchor.ffmpeg],
    };
  },
};

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

const ticks = Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
const wanted = (process.env.POD_COST ?? 'udp,srt,rtmp,rtsp-tcp,rtsp-udp').split(',').filter(Boolean);
const unknown = wanted.filter((name) => !(name in SETUPS));
if (unknown.length > 0) throw new Error(`POD_COST names no transport ${unknown.join(', ')}`);
const dir = await makeTempDir('tributary-bench-cost-');
const nats = await startNats();
const file = await makeTsFile(dir.path, {
  seconds: 10,
  size: '1280x720',
  gop: 25,
  ffmpegArgs: ['-b:v', '3.8M', '-maxrate', '3.8M', '-bufsize', '2M', '-muxrate', '4M'],
});
const entry = bundleIngestPod() ?? BIN;
const nodeFlags = podNodeFlags();
console.error(
  `runtime: ${entry === BIN ? 'tsx' : 'esbuild bundle, as in the image'}, node ${nodeFlags.join(' ')}`,
);

async function measure(transport: string): Promise<void> {
  const setup = await SETUPS[transport]!(file);
  const config = await writeStreamConfig(dir.path, `cost-${transport}`, [setup.url]);
  const pod = spawn(
    process.execPath,
    [...nodeFlags, entry, 'ingest', '--config', config, '--listen', '127.0.0.1:0'],
    { env: { ...process.env, NATS_URL: nats.url }, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let podLog = '';
  pod.stdout?.setEncoding('utf8').on('data', (text: string) => {
    podLog = (podLog + text).slice(-100_000);
  });
  const anchor = setup.anchor();
  /** Bytes the pod read so far, from its own /metrics (to report the source's real rate). */
  const bytesRead = async () => {
    const port = /"port":(\d+),"msg":"health server listening"/.exec(podLog)?.[1];
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^tributary_ingest_bytes_total\{input="0"\} (\d+)/m.exec(text)?.[1] ?? Number.NaN);
  };
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
    const bench = `pod-cost ${transport}`;
    const anchorName = setup.anchorName;
    report({ bench, metric: 'source rate', unit: 'Mbps', value: mbps });
    const cpuGoal = transport === 'udp' ? '≤ 1 %' : '≤ 1.5 × the anchor';
    report({
      bench,
      metric: 'cpu',
      unit: '% of one core',
      value: cpu,
      anchor: anchorName,
      anchorValue: anchorCpu,
      goal: cpuGoal,
    });
    report({
      bench,
      metric: 'peak rss',
      unit: 'MB',
      value: pod1.peakRssMb,
      anchor: anchorName,
      anchorValue: anchor1.peakRssMb,
    });
    report({
      bench,
      metric: 'peak private memory (RssAnon)',
      unit: 'MB',
      value: Math.max(podAnon, pod1.anonMb),
      anchor: anchorName,
      anchorValue: Math.max(anchorAnon, anchor1.anonMb),
    });
  } finally {
    await Promise.all([stop(pod), stop(anchor)]);
    for (const source of setup.sources) await source.stop();
    await setup.stop?.();
  }
}

try {
  for (const transport of wanted) await measure(transport);
} finally {
  await nats.stop();
  await dir.remove();
}
