// Shared by the ingest benches (failover, pod-cost, latency): result lines, statistics, configs.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface Figure {
  bench: string;
  metric: string;
  unit: string;
  value: number;
  anchor?: string;
  anchorValue?: number;
  /** What the project aims for; shown in the readable line only. */
  goal?: string;
}

/** One readable line on stderr, one JSON line on stdout (DESIGN.md, "Command line and benchmarks"). */
export function report(figure: Figure): void {
  const round = (n: number) => Math.round(n * 1000) / 1000;
  const line: Record<string, unknown> = {
    bench: figure.bench,
    metric: figure.metric,
    unit: figure.unit,
    value: round(figure.value),
  };
  let readable = `${figure.metric}: ${line.value} ${figure.unit}`;
  if (figure.anchor !== undefined && figure.anchorValue !== undefined) {
    const ratio = figure.anchorValue === 0 ? null : round(figure.value / figure.anchorValue);
    Object.assign(line, { anchor: figure.anchor, anchor_value: round(figure.anchorValue), ratio });
    readable += ` (${figure.anchor}: ${line.anchor_value} ${figure.unit}, ratio ${ratio})`;
  }
  if (figure.goal !== undefined) readable += ` [goal ${figure.goal}]`;
  console.error(readable);
  console.log(JSON.stringify(line));
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const median = (values: readonly number[]) => percentile(values, 50);

/** Writes a pod config (the JSON the operator puts in TRIBUTARY_STREAM) and returns its path. */
export async function writeStreamConfig(dir: string, name: string, urls: readonly string[]): Promise<string> {
  const file = join(dir, `${name}.json`);
  const config = {
    stream: { namespace: 'bench', name, uid: `uid-${name}`, generation: 1 },
    inputs: urls.map((url, priority) => ({ url, priority })),
  };
  await writeFile(file, JSON.stringify(config));
  return file;
}

export interface ProcessSample {
  /** User + system CPU time, seconds. */
  cpuSeconds: number;
  /** Peak resident set (VmHWM), MB. */
  peakRssMb: number;
  rssMb: number;
  /** Private memory now (RssAnon), MB: what the process adds beyond file pages that every process
   * running the same binary shares (for Node, about 50 MB of its executable). */
  anonMb: number;
}

/** CPU time from /proc/<pid>/stat (utime + stime, in clock ticks of 1/100 s) and memory from status. */
export async function sampleProcess(pid: number, ticksPerSecond = 100): Promise<ProcessSample> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may contain spaces) start at state, field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return {
    cpuSeconds: ticks / ticksPerSecond,
    peakRssMb: kb('VmHWM') / 1024,
    rssMb: kb('VmRSS') / 1024,
    anonMb: kb('RssAnon') / 1024,
  };
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The node flags the ingest image runs `tributary` with: ARG NODE_FLAGS of its Dockerfile. */
export function podNodeFlags(): string[] {
  const dockerfile = readFileSync(new URL('../docker/ingest-pod.Dockerfile', import.meta.url), 'utf8');
  const flags = /^ARG NODE_FLAGS="([^"]*)"$/m.exec(dockerfile)?.[1];
  if (flags === undefined) throw new Error('docker/ingest-pod.Dockerfile sets no ARG NODE_FLAGS');
  return flags.split(' ').filter((flag) => flag !== '');
}

/**
 * Makes the calling bench run with the pod's node flags: without them, it runs itself again with
 * them and exits with that run's status.
 */
export function runWithPodNodeFlags(benchUrl: string): void {
  const flags = podNodeFlags();
  if (flags.every((flag) => process.execArgv.includes(flag))) return;
  const args = [...flags, ...process.execArgv, fileURLToPath(benchUrl)];
  process.exit(spawnSync(process.execPath, args, { stdio: 'inherit' }).status ?? 1);
}

/**
 * The pod as the image runs it: the esbuild bundle of docker/bundle.sh (koffi, loaded for SRT,
 * resolves from the repository's node_modules). Returns its path, or undefined when bundling
 * failed (callers fall back to the tsx entry).
 */
export function bundleIngestPod(): string | undefined {
  const root = new URL('..', import.meta.url).pathname;
  const out = join(root, 'node_modules/.cache/tributary-bench/tributary.mjs');
  const result = spawnSync('bash', ['docker/bundle.sh', 'ingest-pod/src/cli.ts', out], {
    cwd: root,
    stdio: 'inherit',
  });
  return result.status === 0 ? out : undefined;
}
