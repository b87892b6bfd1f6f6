// MPEG-TS demux throughput: our demuxer over a ≥ 100 MB 720p H.264 + AAC file, fed in 64 KiB
// and 1316-byte chunks, against `ffmpeg -c copy -f null` on the same file (its CPU time, so
// process start-up does not flatter us) and mux.js (TS -> PES -> ADTS frames).
// Both sides are timed by CPU time: ffmpeg's user+sys, and this process's user+sys (all threads,
// so GC helper threads count against us). Readable lines go to stderr, JSON lines to stdout.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createTsDemuxer } from '../ingest-pod/src/mpegts/index.js';
import { cachedMedia } from './cached-media.js';

const MIN_BYTES = 100 * 1024 * 1024;
const PASSES = 5;

/** 20 s of 720p30 H.264 (3 Mbit/s, 1 s GOP) + AAC, looped with -c copy past 100 MB; built once. */
function sourceFile(): string {
  return cachedMedia({
    name: 'demux-720p-h264-aac.ts',
    format: 'mpegts',
    minBytes: MIN_BYTES,
    encode: [
      ...['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'high', '-pix_fmt', 'yuv420p'],
      ...['-b:v', '3M', '-maxrate', '3M', '-bufsize', '3M'],
      ...['-g', '30', '-keyint_min', '30', '-sc_threshold', '0'],
      ...['-c:a', 'aac', '-b:a', '128k', '-ac', '2'],
    ],
  });
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Measured {
  cpuSeconds: number;
  wallSeconds: number;
  accessUnits: number;
}

function cpuSecondsSince(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

function runOurs(bytes: Buffer, chunk: number): Measured {
  const demuxer = createTsDemuxer();
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  let accessUnits = 0;
  for (let pos = 0; pos < bytes.length; pos += chunk)
    accessUnits += demuxer.push(bytes.subarray(pos, pos + chunk)).length;
  accessUnits += demuxer.flush().length;
  return {
    cpuSeconds: cpuSecondsSince(cpu),
    wallSeconds: Number(process.hrtime.bigint() - wall) / 1e9,
    accessUnits,
  };
}

/** ffmpeg's own user+sys CPU seconds, read with bash's `times` (children's line). */
function runFfmpeg(file: string): number {
  const script = 'ffmpeg -hide_banner -loglevel error -i "$1" -c copy -f null - && times';
  const result = spawnSync('bash', ['-c', script, 'bash', file], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ffmpeg failed: ${result.stderr}`);
  const children = result.stdout.trim().split('\n').at(-1)!;
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  return seconds.reduce((a, b) => a + b, 0);
}

interface MuxStream {
  pipe(next: MuxStream): MuxStream;
  on(event: 'data', listener: (data: { type?: string }) => void): void;
  push(data: unknown): void;
  flush(): void;
}

function runMuxJs(bytes: Buffer, chunk: number): Measured {
  const muxjs = createRequire(import.meta.url)('mux.js') as {
    mp2t: Record<'TransportPacketStream' | 'TransportParseStream' | 'ElementaryStream', new () => MuxStream>;
    codecs: { Adts: new () => MuxStream };
  };
  const packets = new muxjs.mp2t.TransportPacketStream();
  const pes = packets.pipe(new muxjs.mp2t.TransportParseStream()).pipe(new muxjs.mp2t.ElementaryStream());
  const adts = new muxjs.codecs.Adts();
  let accessUnits = 0;
  pes.on('data', (e) => {
    if (e.type === 'video') accessUnits++;
    else if (e.type === 'audio') adts.push(e);
  });
  adts.on('data', () => accessUnits++);
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let pos = 0; pos < bytes.length; pos += chunk) packets.push(bytes.subarray(pos, pos + chunk));
  packets.flush();
  return {
    cpuSeconds: cpuSecondsSince(cpu),
    wallSeconds: Number(process.hrtime.bigint() - wall) / 1e9,
    accessUnits,
  };
}

function emit(metric: string, unit: string, value: number, anchor: string, anchorValue: number): void {
  const round = (n: number) => Math.round(n);
  console.log(
    JSON.stringify({
      bench: 'demux',
      metric,
      unit,
      value: round(value),
      anchor,
      anchor_value: round(anchorValue),
      ratio: Math.round((value / anchorValue) * 100) / 100,
    }),
  );
}

const file = sourceFile();
const bytes = readFileSync(file);
const mb = bytes.length / 1e6;
console.error(`file ${file}: ${mb.toFixed(1)} MB`);

const ffmpegCpu = median(Array.from({ length: 3 }, () => runFfmpeg(file)));
const ffmpegMBs = mb / ffmpegCpu;
console.error(`ffmpeg -c copy -f null: ${ffmpegCpu.toFixed(3)} s CPU -> ${ffmpegMBs.toFixed(0)} MB/s`);

runOurs(bytes, 65536); // warm-up: JIT and allocator
for (const [label, chunk] of [
  ['64KiB', 65536],
  ['1316B', 1316],
] as const) {
  const runs = Array.from({ length: PASSES }, () => runOurs(bytes, chunk));
  const cpu = median(runs.map((r) => r.cpuSeconds));
  const wall = median(runs.map((r) => r.wallSeconds));
  const aus = runs[0]!.accessUnits;
  console.error(
    `ours, ${label} chunks: ${(mb / cpu).toFixed(0)} MB/s by CPU time (${(mb / wall).toFixed(0)} MB/s wall), ` +
      `${(aus / cpu).toFixed(0)} AU/s, ${aus} AUs, median of ${PASSES}`,
  );
  emit(`throughput-${label}`, 'MB/s', mb / cpu, 'ffmpeg -c copy (CPU time)', ffmpegMBs);
  emit(`access-units-${label}`, 'AU/s', aus / cpu, 'ffmpeg -c copy (CPU time)', aus / ffmpegCpu);
}

const ours = median(Array.from({ length: 3 }, () => runOurs(bytes, 65536).cpuSeconds));
const mux = runMuxJs(bytes, 65536);
console.error(`mux.js (PES + ADTS), 64KiB chunks: ${(mb / mux.cpuSeconds).toFixed(0)} MB/s by CPU time`);
emit('throughput-64KiB-vs-muxjs', 'MB/s', mb / ours, 'mux.js PES + ADTS (CPU time)', mb / mux.cpuSeconds);
