// Shared by the operator's end-to-end tests: a cluster with the CRDs and the operator's RBAC, and
// the operator itself as a child process that authenticates with its ServiceAccount's token.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CoreV1Event,
  CustomObjectsApi,
  type KubernetesObject,
  type V1Pod,
} from '@kubernetes/client-node';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Stream, StreamSpec } from '@tributary/crds';
import { LIVE_H264_AAC } from '../../ingest-pod/test/support/media.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { type FfmpegProcess, freeUdpPort, spawnFfmpeg } from '../../ingest-pod/test/support/peers.js';
import {
  type AgentOptions,
  type Cluster,
  REPO_ROOT,
  startCluster,
  waitFor,
} from '../../tools/cluster/index.js';
import { tributaryImages } from '../../tools/cluster/local-images.js';

export const OPERATOR_NAMESPACE = 'tributary-system';
export const OPERATOR_SA = 'tributary-operator';
const CRDS = ['crds/generated/streams.tributary.io.yaml', 'crds/generated/vodmounts.tributary.io.yaml'];

export interface OperatorCluster {
  cluster: Cluster;
  /** Kubeconfig file that authenticates as the operator's ServiceAccount. */
  kubeconfig: string;
}

/**
 * A cluster with the CRDs and operator/deploy/rbac.yaml applied. With `agent`, also a scheduler, a
 * controller-manager (it lifts the new node's not-ready taint and collects garbage) and a node
 * agent that runs pods; without, a control plane only: enough for what the operator decides and
 * writes, not for pods running.
 */
export async function startOperatorCluster(agent?: AgentOptions): Promise<OperatorCluster> {
  const cluster = await startCluster(agent ? { scheduler: true, controllerManager: true, agent } : {});
  try {
    for (const file of CRDS) await cluster.apply(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    await cluster.createNamespace(OPERATOR_NAMESPACE);
    await cluster.apply(fs.readFileSync(path.join(REPO_ROOT, 'operator/deploy/rbac.yaml'), 'utf8'));
    const { yaml } = await cluster.serviceAccountKubeConfig(OPERATOR_NAMESPACE, OPERATOR_SA);
    const kubeconfig = path.join(cluster.dir, 'operator.kubeconfig');
    fs.writeFileSync(kubeconfig, yaml, { mode: 0o600 });
    // startOperator keeps each operator's log there.
    fs.mkdirSync(path.join(cluster.dir, 'logs'), { recursive: true });
    return { cluster, kubeconfig };
  } catch (error) {
    await cluster.stop();
    throw error;
  }
}

/**
 * A namespace for Streams, once kube-controller-manager made its default ServiceAccount (pods are
 * refused without it, which would look like a missing permission of the operator).
 */
export async function createStreamNamespace(cluster: Cluster): Promise<string> {
  const namespace = await cluster.createNamespace();
  await waitFor(() => cluster.core.readNamespacedServiceAccount({ namespace, name: 'default' }), {
    what: `the default ServiceAccount of ${namespace}`,
    timeoutMs: 30_000,
  });
  return namespace;
}

/** Warnings and errors the operator logged, for assertion messages. */
export function problemsLogged(operator: OperatorProcess): string {
  return operator.logs
    .filter((l) => (l.level as number) >= 40)
    .map((l) => `${l.msg}: ${(l.err as { message?: string } | undefined)?.message ?? ''}`)
    .join('\n');
}

export interface OperatorProcess {
  pid: number;
  identity: string;
  /** Port of /metrics, /healthz and /readyz. */
  port: number;
  /** Log lines (JSON) so far. */
  logs: Record<string, unknown>[];
  exited: Promise<number | null>;
  /** SIGTERM (graceful: the lease is released) and wait for the exit. */
  stop(): Promise<void>;
  /** SIGKILL: as if the node died. */
  kill(): Promise<void>;
}

/** Runs operator/src/main.ts as a child process; resolves once it serves /healthz. */
export async function startOperator(
  kubeconfig: string,
  identity: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<OperatorProcess> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      path.join(REPO_ROOT, 'operator/src/main.ts'),
      '--kubeconfig',
      kubeconfig,
      '--identity',
      identity,
      '--lease-namespace',
      OPERATOR_NAMESPACE,
      '--metrics-listen',
      '127.0.0.1:0',
      ...args,
    ],
    {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, LOG_LEVEL: 'debug', ...env },
    },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error('the operator did not start');
  const logs: Record<string, unknown>[] = [];
  const stderr: string[] = [];
  // Kept with the cluster's logs (TRIBUTARY_KEEP_CLUSTER=1 keeps them after the test).
  const logFile = fs.createWriteStream(
    path.join(path.dirname(kubeconfig), 'logs', `operator-${identity}.log`),
  );
  child.stdout?.pipe(logFile);
  createInterface({ input: child.stdout! }).on('line', (line) => {
    try {
      logs.push(JSON.parse(line) as Record<string, unknown>);
    } catch {
      stderr.push(line);
    }
  });
  child.stderr?.on('data', (chunk: Buffer) => stderr.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const finish = async (signal: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) process.kill(pid, signal);
    await exited;
    process.off('exit', killOnExit);
  };
  const port = await waitFor(
    () => {
      if (child.exitCode !== null) throw new Error(`operator exited: ${stderr.join('')}`);
      return logs.find((l) => l.msg === 'operator starting')?.port as number | undefined;
    },
    { what: `operator ${identity} to serve /healthz`, timeoutMs: 30_000, intervalMs: 100 },
  ).catch(async (error: Error) => {
    await finish('SIGKILL');
    throw new Error(`${error.message}\n${stderr.join('')}`);
  });
  return { pid, identity, port, logs, exited, stop: () => finish('SIGTERM'), kill: () => finish('SIGKILL') };
}

/** GET on the operator's health server. */
export async function operatorGet(port: number, urlPath: string): Promise<{ status: number; body: string }> {
  const response = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: response.status, body: await response.text() };
}

/** A Stream to apply. */
export function streamObject(namespace: string, name: string, spec: StreamSpec): KubernetesObject {
  const stream: Stream = {
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'Stream',
    metadata: { name, namespace },
    spec,
  };
  return stream as unknown as KubernetesObject;
}

export async function readStream(
  cluster: Cluster,
  namespace: string,
  name: string,
): Promise<Stream | undefined> {
  const object = await cluster.read({ apiVersion: 'tributary.io/v1alpha1', kind: 'Stream', name, namespace });
  return object as unknown as Stream | undefined;
}

/** Waits until the Stream's status satisfies `predicate`; returns the Stream. */
export function waitForStream(
  cluster: Cluster,
  namespace: string,
  name: string,
  predicate: (stream: Stream) => boolean,
  what: string,
  timeoutMs = 60_000,
): Promise<Stream> {
  let last: Stream | undefined;
  return waitFor(
    async () => {
      last = await readStream(cluster, namespace, name);
      return last && predicate(last) ? last : undefined;
    },
    { what: `Stream ${namespace}/${name}: ${what}`, timeoutMs, intervalMs: 250 },
  ).catch((error: Error) => {
    throw new Error(`${error.message}\nlast status: ${JSON.stringify(last?.status, null, 1)}`);
  });
}

export const condition = (stream: Stream, type: string) =>
  stream.status?.conditions?.find((c) => c.type === type);

/** Events about one object, oldest first. */
export async function eventsFor(cluster: Cluster, namespace: string, name: string): Promise<CoreV1Event[]> {
  const list = await cluster.core.listNamespacedEvent({
    namespace,
    fieldSelector: `involvedObject.name=${name}`,
  });
  return list.items;
}

export async function deleteStream(cluster: Cluster, namespace: string, name: string): Promise<void> {
  await cluster.makeApiClient(CustomObjectsApi).deleteNamespacedCustomObject({
    group: 'tributary.io',
    version: 'v1alpha1',
    plural: 'streams',
    namespace,
    name,
  });
}

/** Ingest pods (by the operator's label) in a namespace. */
export async function ingestPods(cluster: Cluster, namespace: string): Promise<V1Pod[]> {
  const list = await cluster.core.listNamespacedPod({
    namespace,
    labelSelector: 'app.kubernetes.io/name=tributary-ingest',
  });
  return list.items;
}

export async function readPod(cluster: Cluster, namespace: string, name: string): Promise<V1Pod | undefined> {
  return cluster.core.readNamespacedPod({ namespace, name }).catch(() => undefined);
}

export { sleep };

/** The image the node agent maps to `tributary` from this checkout (tributaryImages()). */
export const INGEST_IMAGE = 'ghcr.io/tributary/ingest-pod:e2e';

/** A small live source: 320x240 H.264 and AAC, MPEG-TS over UDP to 127.0.0.1:`port` in real time. */
export function liveUdpSource(port: number): FfmpegProcess {
  return spawnFfmpeg([...LIVE_H264_AAC, '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`]);
}

/** A cluster with real ingest pods, an operator on a plain nats-server, and live UDP sources. */
export interface LiveOperatorBed {
  cluster: Cluster;
  nats: NatsServer;
  /** An unauthenticated client of that server, for the test's own subscriptions. */
  nc: NatsConnection;
  operator: OperatorProcess;
  /** A namespace for the test's Streams. */
  namespace: string;
  /** Input `i`: the URL of live source `i`. */
  udp(i: number): { url: string };
  /** The ffmpeg processes behind those URLs (a test may stop one). */
  sources: FfmpegProcess[];
  stop(): Promise<void>;
}

export async function startLiveOperatorBed(identity: string, sourceCount: number): Promise<LiveOperatorBed> {
  const nats = await startNats();
  const sources: FfmpegProcess[] = [];
  let cluster: Cluster | undefined;
  let nc: NatsConnection | undefined;
  let operator: OperatorProcess | undefined;
  const stop = async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await operator?.stop();
    await cluster?.stop();
    await nc?.close();
    await nats.stop();
  };
  try {
    nc = await connect({ servers: nats.url });
    let kubeconfig: string;
    ({ cluster, kubeconfig } = await startOperatorCluster({ images: tributaryImages() }));
    const namespace = await createStreamNamespace(cluster);
    const flags = ['--nats-url', nats.url, '--ingest-image', INGEST_IMAGE, '--status-interval', '2s'];
    operator = await startOperator(kubeconfig, identity, flags);
    const ports: number[] = [];
    for (let i = 0; i < sourceCount; i++) ports.push(await freeUdpPort());
    for (const port of ports) sources.push(liveUdpSource(port));
    return {
      cluster,
      nats,
      nc,
      operator,
      namespace,
      udp: (i) => ({ url: `udp://127.0.0.1:${ports[i]}` }),
      sources,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
