import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Paths of the binaries scripts/kube-binaries.sh builds into the cache outside the repo. */
export interface KubeBinaries {
  kubeApiserver: string;
  kubeControllerManager: string;
  kubeScheduler: string;
  etcd: string;
  /** '' when kwok was not built. */
  kwok: string;
  kwokStages: string;
  kubectl: string;
  helm: string;
  /** nats-server at the version the chart deploys (per-key TTLs, which Debian's 2.9 lacks). */
  natsServer: string;
}

const ENV_NAMES: Record<keyof KubeBinaries, string> = {
  kubeApiserver: 'TRIBUTARY_KUBE_APISERVER',
  kubeControllerManager: 'TRIBUTARY_KUBE_CONTROLLER_MANAGER',
  kubeScheduler: 'TRIBUTARY_KUBE_SCHEDULER',
  etcd: 'TRIBUTARY_ETCD',
  kwok: 'TRIBUTARY_KWOK',
  kwokStages: 'TRIBUTARY_KWOK_STAGES',
  kubectl: 'TRIBUTARY_KUBECTL',
  helm: 'TRIBUTARY_HELM',
  natsServer: 'TRIBUTARY_NATS_SERVER',
};

// kwok is only needed by scale tests, so a machine without it can still run everything else.
const OPTIONAL = new Set<keyof KubeBinaries>(['kwok', 'kwokStages']);

let cached: KubeBinaries | undefined;

/**
 * Asks the build script where the cached binaries are (`--check` never builds). An environment
 * variable of the same name overrides a path. Throws, naming the command to run, when a required
 * binary is missing; a missing optional one (kwok) is returned as ''.
 */
export function kubeBinaries(): KubeBinaries {
  if (cached) return cached;
  const script = path.join(REPO_ROOT, 'scripts/kube-binaries.sh');
  let output: string;
  try {
    output = execFileSync('bash', [script, '--check'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    // --check prints every path even when something is missing; what matters is decided below.
    output = (error as { stdout?: string }).stdout ?? '';
  }
  const fromScript = new Map<string, string>();
  for (const line of output.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) fromScript.set(line.slice(0, eq), line.slice(eq + 1));
  }
  const result = {} as KubeBinaries;
  for (const [key, envName] of Object.entries(ENV_NAMES) as [keyof KubeBinaries, string][]) {
    const value = process.env[envName] || fromScript.get(envName);
    if (value && fs.existsSync(value)) result[key] = value;
    else if (OPTIONAL.has(key)) result[key] = '';
    else
      throw new Error(`${envName} (${value ?? 'unset'}) does not exist. Run: bash scripts/kube-binaries.sh`);
  }
  cached = result;
  return result;
}
