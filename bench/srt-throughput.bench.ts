// The highest bitrate one ingest pod receives over SRT without loss, on loopback at 120 ms
// latency, beside srt-live-transmit as the receiver at the same rates in the same run.
//
// The sender is `srt-live-transmit file://con srt://…?mode=listener`, fed on stdin at a set rate
// with the bytes of a real MPEG-TS file (a pipe loses nothing, so what was written is what SRT
// sent). Each receiver gets a fresh sender per trial: the pod (`tributary ingest`, bundled as in the
// image, publishing to NATS) counts what it read in its own /metrics; srt-live-transmit as the
// anchor writes to stdout, counted here. A trial is lossless when every byte sent arrived. Rates
// step up until both receivers lose data or the sender cannot be fed faster.
//
//   npm run bench -- srt-throughput            SRT_RATES=50,100,200 to choose the steps (Mbps)
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFile } from 'node:fs/promises';
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

/** srt-live-transmit sending its stdin as an SRT listener on `port`. */
function sender(port: number): ChildProcess {
  const url = `srt://127.0.0.1:${port}?mode=listener&latency=${LATENCY_MS}`;
  return spawn('srt-live-transmit', ['-q', '-chunk:1316', 'file://con', url], {
    stdio: ['pipe', 'ignore', 'ignore'],
  });
}

/**
 * Writes `ts` (looped) to the sender's stdin at `mbps` for TRIAL_MS, in 1316-byte-aligned pieces
 * every 2 ms; returns the bytes written. A pipe that pushes back slows the feed (reported).
 */
async function feed(child: ChildProcess, ts: Buffer, mbps: number): Promise<number> {
  const stdin = child.stdin;
  if (stdin === null) throw new Error('sender has no stdin');
  const bytesPerMs = (mbps * 1e6) / 8 / 1000;
  const started = performance.now();
  let written = 0;
  let offset = 0;
  while (performance.now() - started < TRIAL_MS) {
    const due = Math.floor(((performance.now() - started) * bytesPerMs) / 1316) * 1316;
    while (written < due) {
      const size = Math.min(due - written, 64 * 1316, ts.length - offset);
      const ok = stdin.write(ts.subarray(offset, offset + size));
      written += size;
      offset = (offset + size) % ts.length;
      if (!ok) await once(stdin, 'drain');
    }
    await sleep(2);
  }
  return written;
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
  ts: Buffer,
  mbps: number,
): Promise<Trial> {
  const port = await freeUdpPort();
  const source = sender(port);
  const config = await writeStreamConfig(dir, `srt-${mbps}`, [
    `srt://127.0.0.1:${port}?latency=${LATENCY_MS}`,
  ]);
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
    // Connected once a first byte went through.
    source.stdin?.write(ts.subarray(0, 1316));
    for (let i = 0; i < 200 && (await bytesRead()) === 0; i++) await sleep(50);
    const before = await bytesRead();
    const sent = await feed(source, ts.subarray(1316), mbps);
    const got = (await settled(bytesRead)) - before;
    return { sentMbps: (sent * 8) / (TRIAL_MS * 1000), lostBytes: Math.max(0, sent - got) };
  } finally {
    await stop(pod);
    await stop(source);
  }
}

async function anchorTrial(ts: Buffer, mbps: number): Promise<Trial> {
  const port = await freeUdpPort();
  const source = sender(port);
  const receiver = spawn(
    'srt-live-transmit',
    ['-q', `srt://127.0.0.1:${port}?latency=${LATENCY_MS}`, 'file://con'],
    {
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  let got = 0;
  receiver.stdout?.on('data', (chunk: Buffer) => {
    got += chunk.length;
  });
  try {
    source.stdin?.write(ts.subarray(0, 1316));
    for (let i = 0; i < 200 && got === 0; i++) await sleep(50);
    const before = got;
    const sent = await feed(source, ts.subarray(1316), mbps);
    const received = (await settled(async () => got)) - before;
    return { sentMbps: (sent * 8) / (TRIAL_MS * 1000), lostBytes: Math.max(0, sent - received) };
  } finally {
    await stop(receiver);
    await stop(source);
  }
}

const dir = await makeTempDir('tributary-bench-srt-');
const nats = await startNats();
try {
  const file = await makeTsFile(dir.path, {
    seconds: 10,
    size: '1280x720',
    gop: 25,
    ffmpegArgs: ['-b:v', '8M'],
  });
  const whole = await readFile(file);
  const ts = whole.subarray(0, whole.length - (whole.length % 1316));
  const entry = bundleIngestPod() ?? BIN;
  let best = 0;
  let anchorBest = 0;
  let podLost = false;
  let anchorLost = false;
  for (const mbps of RATES) {
    const pod = podLost ? undefined : await podTrial(entry, nats.url, dir.path, ts, mbps);
    const anchor = anchorLost ? undefined : await anchorTrial(ts, mbps);
    const line = (name: string, t: Trial | undefined) =>
      t === undefined
        ? `${name} skipped`
        : `${name} sent ${t.sentMbps.toFixed(0)} Mbps, lost ${t.lostBytes} bytes`;
    console.error(`${mbps} Mbps: ${line('pod', pod)}; ${line('srt-live-transmit', anchor)}`);
    const lossless = (t: Trial) => t.lostBytes === 0 && t.sentMbps >= mbps * 0.95;
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
    anchor: 'srt-live-transmit srt:// file://con',
    anchorValue: anchorBest,
    goal: '≥ 200 Mbps and ≥ 0.8 × the anchor',
  });
} finally {
  await nats.stop();
  await dir.remove();
}
