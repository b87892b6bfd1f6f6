// `npm run cluster:up` / `npm run cluster:down`: a long-lived local cluster for people and the demo.
//   cli.ts up [--kwok-nodes N]   start it in the background (a detached `serve`), print KUBECONFIG
//   cli.ts down                  stop it
//   cli.ts serve [...]           run it in the foreground until SIGTERM or SIGINT
// Each takes --state-dir <dir> (default ~/.cache/tributary/dev-cluster): where the kubeconfig and
// state.json (pid, readiness, the cluster's files) are kept. The demo runs its own in its work dir.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { kubeBinaries } from './binaries.js';
import { startCluster } from './cluster.js';
import { imagesFromEnvironment } from './local-images.js';

const [command, ...rest] = process.argv.slice(2);
const STATE_DIR = path.resolve(
  optionValue(rest, '--state-dir') ??
    path.join(process.env.TRIBUTARY_CACHE ?? path.join(os.homedir(), '.cache/tributary'), 'dev-cluster'),
);
const STATE_FILE = path.join(STATE_DIR, 'state.json');
const KUBECONFIG = path.join(STATE_DIR, 'kubeconfig');
const DAEMON_LOG = path.join(STATE_DIR, 'daemon.log');
const NODE_NAME = 'tributary-node';

interface State {
  pid: number;
  ready: boolean;
  server?: string;
  dir?: string;
  startSeconds?: number;
  error?: string;
}

function readState(): State | undefined {
  try {
    return JSON.parse(fs.readFileSync(STATE_FILE, 'utf8')) as State;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function optionValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function kwokNodesArg(args: string[]): number {
  return Number(optionValue(args, '--kwok-nodes') ?? 0);
}

function printUsage(state: State): void {
  const bin = kubeBinaries();
  console.log(`cluster: running (pid ${state.pid}), apiserver ${state.server}, node ${NODE_NAME}`);
  console.log(`cluster: kubectl ${bin.kubectl}`);
  console.log(`cluster: helm    ${bin.helm}`);
  console.log(`export KUBECONFIG=${KUBECONFIG}`);
}

async function up(args: string[]): Promise<void> {
  const existing = readState();
  if (existing && alive(existing.pid) && existing.ready) {
    console.log('cluster: already up');
    printUsage(existing);
    return;
  }
  fs.mkdirSync(STATE_DIR, { recursive: true });
  fs.rmSync(STATE_FILE, { force: true });
  const log = fs.openSync(DAEMON_LOG, 'w');
  const self = fileURLToPath(import.meta.url);
  const child = spawn(process.execPath, ['--import', 'tsx', self, 'serve', ...args], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  fs.closeSync(log);
  child.unref();
  const started = Date.now();
  for (;;) {
    const state = readState();
    if (state?.ready) {
      console.log(`cluster: up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      printUsage(state);
      return;
    }
    if (state?.error || child.exitCode !== null || (child.pid && !alive(child.pid))) {
      const tail = fs.readFileSync(DAEMON_LOG, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`cluster: failed to start (log ${DAEMON_LOG}):\n${tail}`);
    }
    if (Date.now() - started > 180_000) throw new Error(`cluster: not up after 180 s (log ${DAEMON_LOG})`);
    await sleep(200);
  }
}

async function down(): Promise<void> {
  const state = readState();
  if (!state || !alive(state.pid)) {
    fs.rmSync(STATE_FILE, { force: true });
    fs.rmSync(KUBECONFIG, { force: true });
    console.log('cluster: not running');
    return;
  }
  process.kill(state.pid, 'SIGTERM');
  const deadline = Date.now() + 60_000;
  while (alive(state.pid)) {
    if (Date.now() > deadline) throw new Error(`cluster: pid ${state.pid} did not stop within 60 s`);
    await sleep(200);
  }
  console.log('cluster: stopped');
}

async function serve(args: string[]): Promise<void> {
  fs.mkdirSync(STATE_DIR, { recursive: true });
  const writeState = (state: State) => fs.writeFileSync(STATE_FILE, JSON.stringify(state));
  writeState({ pid: process.pid, ready: false });
  const started = Date.now();
  let cluster: Awaited<ReturnType<typeof startCluster>>;
  try {
    cluster = await startCluster({
      controllerManager: true,
      scheduler: true,
      kwokNodes: kwokNodesArg(args),
      agent: { nodeName: NODE_NAME, images: imagesFromEnvironment() },
    });
  } catch (error) {
    writeState({ pid: process.pid, ready: false, error: String(error) });
    throw error;
  }
  fs.copyFileSync(cluster.kubeconfigPath, KUBECONFIG);
  fs.chmodSync(KUBECONFIG, 0o600);
  const startSeconds = (Date.now() - started) / 1000;
  console.log(`cluster started in ${startSeconds.toFixed(1)} s; files in ${cluster.dir}`);
  writeState({ pid: process.pid, ready: true, server: cluster.server, dir: cluster.dir, startSeconds });
  const keepAlive = setInterval(() => {}, 60_000);
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping the cluster`);
    await cluster.stop();
    fs.rmSync(STATE_FILE, { force: true });
    fs.rmSync(KUBECONFIG, { force: true });
    clearInterval(keepAlive);
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

const commands: Record<string, (args: string[]) => Promise<void>> = { up, down, serve };
const action = commands[command ?? ''];
const USAGE =
  'usage: cli.ts up [--kwok-nodes N] | down | serve [--kwok-nodes N]   each with [--state-dir DIR]   (npm run cluster:up / cluster:down)';
if (command === '--help' || command === '-h' || rest.includes('--help') || rest.includes('-h')) {
  console.log(USAGE);
  process.exit(0);
}
if (!action) {
  console.error(USAGE);
  process.exit(2);
}
action(rest).catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
