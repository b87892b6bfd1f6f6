// The highest bitrate one ingest pod receives over SRT without loss, on loopback at 120 ms
// latency, beside srt-live-transmit as the receiver at the same rates in the same run.
//
// The sender is ffmpeg as SRT listener copying a real MPEG-TS file, looped and read at a multiple
// of its own rate (`-readrate`); `-progress` tells how many bytes it muxed into SRT in all. Each
// receiver gets a fresh sender per trial: the pod (`tributary ingest`, bundled as in the image,
// publishing to NATS) counts what it read in its own /metrics; srt-live-transmit as the anchor
// writes to stdout, counted here. A trial is lossless when every byte sent arrived. Rates step up
// until both receivers lose data.
//
//   npm run bench -- srt-throughput            SRT_RATES=50,100,200 to choose the steps (Mbps)
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { BIN } from '../ingest-pod/test/cli/run-cli.js';
import { makeTsFile } from '../ingest-pod/test/support/media.js';
import { startNats } from '../ingest-pod/test/support/nats.js';
import { freeUdpPort, makeTempDir } from '../ingest-pod/test/support/peers.js';
import { bundleIngestPod, podNodeFlags, report, sleep, writeStreamConfig } from './ingest-support.js';

const TRIAL_MS = 5000;
const LATENCY_MS = 120;
const RATES = (process.env.SRT_RATES ?? '50,100,200,300,400,600,800').split(',').map(Number);

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await once(child, 'exit');
}

interface Source {
  path: string;
  bytes: number;
  mbps: number;
}

interface Sent {
  bytes: number;
  /** From ffmpeg's progress reports while it was sending (its start-up and linger left out). */
  mbps: number;
}

/**
 * ffmpeg sending `source` as an SRT listener at about `mbps`, for about TRIAL_MS; `sent` resolves
 * once it has finished (linger lets the last packets be acknowledged).
 */
function sender(port: number, source: Source, mbps: number): { child: ChildProcess; sent: Promise<Sent> } {
  const loops = Math.max(1, Math.ceil((mbps * 1e6 * (TRIAL_MS / 1000)) / 8 / source.bytes));
  const url = `srt://127.0.0.1:${port}?mode=listener&latency=${LATENCY_MS * 1000}&pkt_size=1316&linger=5`;
  const child = spawn(
    'ffmpeg',
    ['-hide_banner', '-loglevel', 'error', '-nostdin', '-readrate', String(mbps / source.mbps)]
      .concat(['-stream_loop', String(loops - 1), '-i', source.path, '-map', '0', '-c', 'copy'])
      .concat(['-f', 'mpegts', '-progress', 'pipe:1', url]),
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  const reports: { at: number; bytes: number }[] = [];
  child.stdout?.setEncoding('utf8').on('data', (text: string) => {
    for (const match of text.matchAll(/total_size=(\d+)/g)) {
      const bytes = Number(match[1]);
      if (bytes > 0) reports.push({ at: performance.now(), bytes });
    }
  });
  const sent = once(child, 'exit').then(() => {
    const first = reports[0];
    const last = reports.at(-1);
    if (first === undefined || last === undefined) return { bytes: Number.NaN, mbps: Number.NaN };
    const seconds = (last.at - first.at) / 1000;
    return {
      bytes: last.bytes,
      mbps: seconds > 0 ? ((last.bytes - first.bytes) * 8) / seconds / 1e6 : Number.NaN,
    };
  });
  return { child, sent };
}

/** Waits until `read()` stops growing (the receiver has taken what will arrive). */
async function settled(read: () => Promise<number>): Promise<number> {
  let last = -1;
  let now = await read();
  while (now !== last) {
    last = now;
    await sleep(LATENCY_MS + 400);
    now = await read();
  }
  return now;
}

interface Trial {
  sentMbps: number;
  lostBytes: number;
}

async function podTrial(
  entry: string,
  natsUrl: string,
  dir: string,
  source: Source,
  mbps: number,
): Promise<Trial> {
  const port = await freeUdpPort();
  const config = await writeStreamConfig(dir, `srt-${mbps}`, [
    `srt://127.0.0.1:${port}?latency=${LATENCY_MS}`,
  ]);
  const send = sender(port, source, mbps);
  const pod = spawn(
    process.execPath,
    [...podNodeFlags(), entry, 'ingest', '--config', config, '--listen', '127.0.0.1:0'],
    {
      env: { ...process.env, NATS_URL: natsUrl },
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let log = '';
  pod.stdout?.setEncoding('utf8').on('data', (text: string) => {
    log = (log + text).slice(-100_000);
  });
  const bytesRead = async () => {
    const port = /"port":(\d+),"msg":"health server listening"/.exec(log)?.[1];
    if (port === undefined) return 0;
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return Number(/^tributary_ingest_bytes_total\{input="0"\} (\d+)/m.exec(text)?.[1] ?? 0);
  };
  try {
    const sent = await send.sent;
    const got = await settled(bytesRead);
    return { sentMbps: sent.mbps, lostBytes: Math.max(0, sent.bytes - got) };
  } finally {
    await stop(pod);
    await stop(send.child);
  }
}

/** Bytes srt-live-transmit's socket received, from its last full statistics report. */
async function anchorReceived(statsFile: string): Promise<number> {
  const text = await readFile(statsFile, 'utf8').catch(() => '');
  const last = text.trim().split('\n').at(-1);
  if (!last) return 0;
  try {
    return Number((JSON.parse(last) as { recv?: { bytesUnique?: number } }).recv?.bytesUnique ?? 0);
  } catch {
    return 0;
  }
}

/**
 * The anchor is judged at its socket (its statistics), as the pod is (its bytes-read counter):
 * srt-live-transmit drops what is still in its latency buffer when the sender closes, which is
 * not a throughput limit.
 */
async function anchorTrial(dir: string, source: Source, mbps: number): Promise<Trial> {
  const port = await freeUdpPort();
  const statsFile = join(dir, `slt-${mbps}.json`);
  const send = sender(port, source, mbps);
  const receiver = spawn(
    'srt-live-transmit',
    ['-q', '-s:100', '-f', '-pf:json', `-statsout:${statsFile}`].concat([
      `srt://127.0.0.1:${port}?latency=${LATENCY_MS}`,
      'file://con',
    ]),
    { stdio: ['ignore', 'ignore', 'ignore'] },
  );
  try {
    const sent = await send.sent;
    const received = await settled(() => anchorReceived(statsFile));
    return { sentMbps: sent.mbps, lostBytes: Math.max(0, sent.bytes - received) };
  } finally {
    await stop(receiver);
    await stop(send.child);
  }
}

const dir = await makeTempDir('tributary-bench-srt-');
const nats = await startNats();
try {
  const path = await makeTsFile(dir.path, {
    seconds: 10,
    size: '1280x720',
    gop: 25,
    ffmpegArgs: ['-b:v', '7.8M', '-maxrate', '7.8M', '-bufsize', '4M', '-muxrate', '8M'],
  });
  const bytes = (await stat(path)).size;
  const source: Source = { path, bytes, mbps: (bytes * 8) / 10 / 1e6 };
  const entry = bundleIngestPod() ?? BIN;
  let best = 0;
  let anchorBest = 0;
  let podLost = false;
  let anchorLost = false;
  for (const mbps of RATES) {
    const pod = podLost ? undefined : await podTrial(entry, nats.url, dir.path, source, mbps);
    const anchor = anchorLost ? undefined : await anchorTrial(dir.path, source, mbps);
    const line = (name: string, t: Trial | undefined) =>
      t === undefined
        ? `${name} skipped`
        : `${name} sent ${t.sentMbps.toFixed(0)} Mbps, lost ${t.lostBytes} bytes`;
    console.error(`${mbps} Mbps: ${line('pod', pod)}; ${line('srt-live-transmit', anchor)}`);
    const lossless = (t: Trial) => t.lostBytes === 0 && t.sentMbps >= mbps * 0.9;
    if (pod !== undefined) {
      if (lossless(pod)) best = Math.max(best, pod.sentMbps);
      else podLost = true;
    }
    if (anchor !== undefined) {
      if (lossless(anchor)) anchorBest = Math.max(anchorBest, anchor.sentMbps);
      else anchorLost = true;
    }
    if (podLost && anchorLost) break;
  }
  report({
    bench: 'srt-throughput',
    metric: `highest lossless rate at ${LATENCY_MS} ms latency`,
    unit: 'Mbps',
    value: best,
    anchor: 'srt-live-transmit srt:// file://con (bytes at its socket)',
    anchorValue: anchorBest,
    goal: '≥ 200 Mbps and ≥ 0.8 × the anchor',
  });
} finally {
  await nats.stop();
  await dir.remove();
}
