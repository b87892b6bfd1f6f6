// helm and kubectl for the chart tests: run them, render the chart, read its files.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { KubernetesObject } from '@kubernetes/client-node';
import { parse } from 'yaml';
import { kubeBinaries, parseManifest, REPO_ROOT } from '../../tools/cluster/index.js';

export const CHART_DIR = path.join(REPO_ROOT, 'charts/tributary');

export interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command; resolves with its exit code and output (it never rejects on a non-zero exit). */
export function run(
  command: string,
  args: string[],
  options: { env?: Record<string, string>; input?: string; timeoutMs?: number } = {},
): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      command,
      args,
      {
        env: { ...process.env, ...options.env },
        maxBuffer: 64 * 1024 * 1024,
        timeout: options.timeoutMs ?? 120_000,
      },
      (error, stdout, stderr) => {
        const code = (error as { code?: unknown } | null)?.code;
        if (error && typeof code !== 'number') return reject(error);
        resolve({ code: typeof code === 'number' ? code : 0, stdout, stderr });
      },
    );
    if (options.input !== undefined) child.stdin?.end(options.input);
  });
}

/** Throws with the tool's stderr unless it exited 0; returns stdout. */
export async function runOk(...args: Parameters<typeof run>): Promise<string> {
  const result = await run(...args);
  if (result.code !== 0) {
    throw new Error(
      `${args[0]} ${args[1].join(' ')} exited ${result.code}:\n${result.stderr}${result.stdout}`,
    );
  }
  return result.stdout;
}

let helmHome: string | undefined;

/** Environment that keeps helm's cache and config out of the user's home. */
export function helmEnv(): Record<string, string> {
  if (helmHome === undefined) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-helm-'));
    process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
    helmHome = dir;
  }
  return {
    HELM_CACHE_HOME: path.join(helmHome, 'cache'),
    HELM_CONFIG_HOME: path.join(helmHome, 'config'),
    HELM_DATA_HOME: path.join(helmHome, 'data'),
  };
}

export function helm(args: string[], env: Record<string, string> = {}): Promise<ToolResult> {
  return run(kubeBinaries().helm, args, { env: { ...helmEnv(), ...env } });
}

/** `--set`-style values, written as a values file so that nested objects and lists survive. */
export type Values = Record<string, unknown>;

function valuesFile(values: Values): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-values-'));
  const file = path.join(dir, 'values.json');
  fs.writeFileSync(file, JSON.stringify(values));
  return file;
}

/** `helm template` with the given values; resolves with the result (non-zero exits included). */
export async function template(
  values: Values = {},
  options: { release?: string; namespace?: string; extraArgs?: string[] } = {},
): Promise<ToolResult> {
  const file = valuesFile(values);
  try {
    return await helm([
      'template',
      options.release ?? 'demo',
      CHART_DIR,
      '--namespace',
      options.namespace ?? 'tributary-system',
      '--values',
      file,
      ...(options.extraArgs ?? []),
    ]);
  } finally {
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  }
}

/** The rendered objects; throws with helm's message when the render fails. */
export async function render(values: Values = {}, options: Parameters<typeof template>[1] = {}) {
  const result = await template(values, options);
  if (result.code !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseManifest(result.stdout);
}

/** The objects of one kind, by name. */
export function byKind<T extends KubernetesObject = KubernetesObject>(
  objects: KubernetesObject[],
  kind: string,
): Map<string, T> {
  return new Map(
    objects.filter((o) => o.kind === kind).map((o) => [o.metadata?.name ?? '', o as T] as [string, T]),
  );
}

/** The chart's default values.yaml, parsed. */
export function defaultValues(): Values {
  return parse(fs.readFileSync(path.join(CHART_DIR, 'values.yaml'), 'utf8')) as Values;
}

/** The ffmpeg test source the demo uses: a pattern and a tone, MPEG-TS over UDP in real time. */
export const TEST_SOURCE_ARGS = (udpPort: number) => [
  '-re',
  '-f',
  'lavfi',
  '-i',
  'testsrc2=size=640x360:rate=25',
  '-f',
  'lavfi',
  '-i',
  'sine=frequency=1000:sample_rate=48000',
  '-c:v',
  'libx264',
  '-preset',
  'ultrafast',
  '-tune',
  'zerolatency',
  '-pix_fmt',
  'yuv420p',
  '-g',
  '25',
  '-b:v',
  '800k',
  '-c:a',
  'aac',
  '-b:a',
  '96k',
  '-f',
  'mpegts',
  '-flush_packets',
  '0',
  `udp://127.0.0.1:${udpPort}?pkt_size=1316`,
];
