// MPEG-TS demux throughput per byte, start-up excluded for every contestant alike:
//   ours fed in 64 KiB chunks, ours fed in 1316-byte chunks (seven TS packets, one UDP datagram),
//   mux.js fed in 64 KiB chunks (TS -> PES -> ADTS frames), and `ffmpeg -i <file> -c copy -f null -`.
// Source: a ≥ 100 MB 720p H.264 + AAC file, built once into the cache and read once first, so every
// contestant reads it from the page cache.
// Each measurement is a fresh process reading that file from disk, once or PASSES (4) times in a
// row: ours and mux.js run bench/demux-contestant.ts (bundled with esbuild, as the pod runs, with
// the node flags of docker/ingest-pod.Dockerfile), which read()s about 64 KiB at a time (a whole
// number of chunks) into a fresh buffer per read, as the pod's FileSource does, pushes it in chunks
// and starts each pass with a fresh demuxer; ffmpeg loops with `-stream_loop 3`. CPU time is the
// whole process's user + sys, every thread (GC helpers count against their contestant): ffmpeg's
// from bash's `times` after it exited, a node contestant's from process.cpuUsage() (getrusage of the
// process since exec) printed as its last act, so the bench never waits on Node's exit, which now
// and then hangs (nodejs/node#64560; such a process is killed after 10 s and counted).
// Per-byte cost = (CPU for PASSES passes − CPU for one pass) / ((PASSES − 1) × file bytes): process
// start-up, module loading, JIT warm-up and ffmpeg's probing cancel out.
// DEMUX_RUNS rounds (default 7); each round measures every contestant, interleaved (A B C D, a
// contestant's two measurements back to back, alternating which goes first), so drift hits all
// alike. Reported: median MB/s of each with its min–max over the rounds, ratios of the medians, and
// the min–max of the per-round ratios (round i against round i); the start-up cost and the
// start-up-included figure (one pass, whole process) are shown for reference. Readable lines go to
// stderr, JSON lines to stdout. Access-unit counts must agree between rounds, between our two chunk
// sizes, and with the number of passes.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cachedMedia } from './cached-media.js';
import { median, podNodeFlags } from './ingest-support.js';

const MIN_BYTES = 100 * 1024 * 1024;
const PASSES = 4;
const root = fileURLToPath(new URL('..', import.meta.url));

function runsFromEnv(): number {
  const raw = process.env.DEMUX_RUNS ?? '7';
  const runs = Number(raw);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`DEMUX_RUNS=${raw}: set a whole number ≥ 1`);
  return runs;
}

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

/** Reads the file once so every contestant finds it in the page cache. */
function warmPageCache(file: string): void {
  const buffer = Buffer.allocUnsafe(1 << 20);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
}

/** bench/demux-contestant.ts as one ES module, rebuilt every run so it is the current source. */
function bundleContestant(): string {
  const out = join(root, 'node_modules/.cache/tributary-bench/demux-contestant.mjs');
  const result = spawnSync(
    join(root, 'node_modules/.bin/esbuild'),
    [
      'bench/demux-contestant.ts',
      ...['--bundle', '--platform=node', '--format=esm', '--target=node24', '--log-level=warning'],
      ...['--external:mux.js', `--outfile=${out}`],
    ],
    { cwd: root, stdio: 'inherit' },
  );
  if (result.status !== 0) throw new Error('esbuild could not bundle bench/demux-contestant.ts (see above)');
  return out;
}

interface Contestant {
  name: string;
  label: string;
  /** The command line for `passes` passes over `file`. */
  command(file: string, passes: number): string[];
  /** Node contestants print {"accessUnits","bytes","cpuSeconds"} last; ffmpeg prints nothing. */
  reportsItself: boolean;
}

interface Measured {
  cpuSeconds: number;
  accessUnits?: number;
}

/** How long a node contestant may take to exit after its report before it is killed. */
const EXIT_GRACE_MS = 10_000;
let hungExits = 0;

/** ffmpeg: a fresh process's user + sys CPU seconds after it exited (bash `times`, children's line). */
function measureByTimes(c: Contestant, file: string, passes: number): Measured {
  const script = '"$@" || exit $?; times';
  const result = spawnSync('bash', ['-c', script, 'bash', ...c.command(file, passes)], {
    encoding: 'utf8',
    cwd: root,
  });
  if (result.status !== 0) throw new Error(`${c.label} failed on ${file}: ${result.stderr}`);
  const children = result.stdout.trim().split('\n').at(-1)!;
  const times = [...children.matchAll(/(\d+)m([\d.]+)s/g)].map((m) => Number(m[1]) * 60 + Number(m[2]));
  if (times.length !== 2) throw new Error(`cannot read CPU time from bash times: "${children}"`);
  return { cpuSeconds: times[0]! + times[1]! };
}

/** A node contestant: a fresh process's own report of its CPU seconds, printed as its last act. */
function measureByReport(c: Contestant, file: string, passes: number): Promise<Measured> {
  const [command, ...args] = c.command(file, passes);
  const child = spawn(command!, args, { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let report: { accessUnits: number; bytes: number; cpuSeconds: number } | undefined;
  let killer: NodeJS.Timeout | undefined;
  child.stderr.on('data', (data) => {
    stderr += data;
  });
  child.stdout.on('data', (data) => {
    stdout += data;
    if (report !== undefined || !stdout.includes('\n')) return;
    report = JSON.parse(stdout.slice(0, stdout.indexOf('\n')));
    killer = setTimeout(() => {
      hungExits++;
      child.kill('SIGKILL');
    }, EXIT_GRACE_MS);
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(killer);
      if (report === undefined || (code !== 0 && code !== null))
        return reject(new Error(`${c.label} failed on ${file} (exit ${code}): ${stderr}`));
      if (report.bytes !== passes * statSync(file).size)
        return reject(new Error(`${c.label} read ${report.bytes} bytes in ${passes} passes over ${file}`));
      resolve({ cpuSeconds: report.cpuSeconds, accessUnits: report.accessUnits });
    });
  });
}

const measure = async (c: Contestant, file: string, passes: number): Promise<Measured> =>
  c.reportsItself ? measureByReport(c, file, passes) : measureByTimes(c, file, passes);

/** One round of a contestant: one pass and PASSES passes, in either order. */
interface Round {
  one: Measured;
  many: Measured;
}

async function measureRound(c: Contestant, file: string, manyFirst: boolean): Promise<Round> {
  if (manyFirst) {
    const many = await measure(c, file, PASSES);
    return { many, one: await measure(c, file, 1) };
  }
  const one = await measure(c, file, 1);
  return { one, many: await measure(c, file, PASSES) };
}

const file = sourceFile();
const fileMB = statSync(file).size / 1e6;
const deltaMB = (PASSES - 1) * fileMB;
const RUNS = runsFromEnv();
warmPageCache(file);

const node = [process.execPath, ...podNodeFlags(), bundleContestant()];
const nodeContestant = (name: string, label: string, kind: string, chunk: number): Contestant => ({
  name,
  label,
  command: (f, passes) => [...node, kind, f, String(chunk), String(passes)],
  reportsItself: true,
});
const ours64 = nodeContestant('ours-64KiB', 'ours, 64KiB chunks', 'ours', 65536);
const ours1316 = nodeContestant('ours-1316B', 'ours, 1316B chunks', 'ours', 1316);
const muxjs = nodeContestant('mux.js', 'mux.js (PES + ADTS), 64KiB chunks', 'muxjs', 65536);
const ffmpeg: Contestant = {
  name: 'ffmpeg',
  label: 'ffmpeg -c copy -f null',
  command: (f, passes) => [
    ...['ffmpeg', '-hide_banner', '-loglevel', 'error'],
    ...(passes > 1 ? ['-stream_loop', String(passes - 1)] : []),
    ...['-i', f, '-c', 'copy', '-f', 'null', '-'],
  ],
  reportsItself: false,
};
const contestants = [ours64, ours1316, muxjs, ffmpeg];

const load = () =>
  loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
console.error(
  `file ${file}: ${fileMB.toFixed(1)} MB, read once and ${PASSES} times; CPU per byte from the ` +
    `${deltaMB.toFixed(1)} MB between them; ${RUNS} rounds; node flags ${podNodeFlags().join(' ')}; ` +
    `load average ${load()}`,
);

const rounds = new Map<Contestant, Round[]>(contestants.map((c) => [c, []]));
for (let i = 0; i < RUNS; i++) {
  for (const c of contestants) rounds.get(c)!.push(await measureRound(c, file, i % 2 === 1));
}
const loadAfter = load();

/** Seconds of CPU per MB in one round: the slope between one pass and PASSES passes. */
const secondsPerMB = (r: Round) => (r.many.cpuSeconds - r.one.cpuSeconds) / deltaMB;
const perRound = (c: Contestant) => rounds.get(c)!.map((r) => 1 / secondsPerMB(r));
const spread = (values: readonly number[]): [number, number] => [Math.min(...values), Math.max(...values)];
const round0 = (n: number) => Math.round(n);
const round2 = (n: number) => Math.round(n * 100) / 100;

for (let i = 0; i < RUNS; i++)
  console.error(
    `round ${i + 1}: ${contestants.map((c) => `${c.name} ${round0(perRound(c)[i]!)}`).join(', ')} MB/s`,
  );
if (contestants.some((c) => perRound(c).some((v) => !(v > 0))))
  console.error(
    `WARNING a round measured no more CPU for ${PASSES} passes than for one: the machine is too busy`,
  );

// Access units: the same in every round, PASSES times as many for PASSES passes, and the same for
// both of our chunk sizes.
let countsDisagree = false;
function accessUnits(c: Contestant): number {
  const perPass = new Set(rounds.get(c)!.flatMap((r) => [r.one.accessUnits, r.many.accessUnits! / PASSES]));
  if (perPass.size !== 1) {
    console.error(`ERROR ${c.label}: access units per pass differ between passes or rounds: ${[...perPass]}`);
    countsDisagree = true;
  }
  return rounds.get(c)![0]!.one.accessUnits!;
}
const oursAus = accessUnits(ours64);
const ours1316Aus = accessUnits(ours1316);
const muxAus = accessUnits(muxjs);
if (oursAus !== ours1316Aus) {
  console.error('ERROR our access units differ between 64 KiB and 1316-byte chunks');
  countsDisagree = true;
}
console.error(
  `access units per pass: ours 64KiB ${oursAus}, ours 1316B ${ours1316Aus}, ` +
    `mux.js video PES + ADTS frames ${muxAus}`,
);

for (const c of contestants) {
  const mbs = perRound(c);
  const [lo, hi] = spread(mbs);
  // Start-up: what the line through both points leaves at zero bytes.
  const startup = median(rounds.get(c)!.map((r) => r.one.cpuSeconds - fileMB * secondsPerMB(r)));
  const whole = median(rounds.get(c)!.map((r) => fileMB / r.one.cpuSeconds));
  console.error(
    `${c.label}: ${round0(median(mbs))} MB/s (${round0(lo)}–${round0(hi)}); start-up ≈ ${startup.toFixed(3)} s CPU; ` +
      `one pass, start-up included: ${round0(whole)} MB/s`,
  );
}

function emit(
  metric: string,
  unit: string,
  ours: readonly number[],
  anchor: string,
  anchorValues: readonly number[],
): void {
  const value = median(ours);
  const anchorValue = median(anchorValues);
  const [lo, hi] = spread(ours.map((v, i) => v / anchorValues[i]!));
  console.error(
    `${metric}: ${round0(value)} ${unit} vs ${anchor} ${round0(anchorValue)} ${unit}: ` +
      `${round2(value / anchorValue)}× (per round: ${round2(lo)}–${round2(hi)}×)`,
  );
  console.log(
    JSON.stringify({
      bench: 'demux',
      metric,
      unit,
      value: round0(value),
      anchor,
      anchor_value: round0(anchorValue),
      ratio: round2(value / anchorValue),
      spread: spread(ours).map(round0),
      anchor_spread: spread(anchorValues).map(round0),
      ratio_spread: [round2(lo), round2(hi)],
      runs: ours.length,
      method: `cpu-slope: whole-process user+sys, ${PASSES} passes minus 1, a fresh process each`,
    }),
  );
}

const ffmpegAnchor = 'ffmpeg -c copy -f null (CPU time)';
const ffmpegMBs = perRound(ffmpeg);
const auPerMB = oursAus / fileMB;
const toAus = (mbs: readonly number[]) => mbs.map((v) => v * auPerMB);
for (const c of [ours64, ours1316]) {
  const suffix = c.name.slice('ours-'.length);
  emit(`throughput-${suffix}`, 'MB/s', perRound(c), ffmpegAnchor, ffmpegMBs);
  emit(`access-units-${suffix}`, 'AU/s', toAus(perRound(c)), ffmpegAnchor, toAus(ffmpegMBs));
}
emit('throughput-64KiB-vs-muxjs', 'MB/s', perRound(ours64), 'mux.js PES + ADTS (CPU time)', perRound(muxjs));
console.error(`load average after the rounds: ${loadAfter}`);
if (hungExits > 0)
  console.error(`${hungExits} node contestants did not exit after their report and were killed`);
if (countsDisagree) process.exitCode = 1;
