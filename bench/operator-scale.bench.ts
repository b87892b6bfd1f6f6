// Operator at scale: 1000 Streams applied at once against a real kube-apiserver with kwok-faked
// nodes (pods are scheduled and marked Running, nothing runs). Measured: time until every Stream
// has its pod and a status, the operator's peak RSS, and its API requests per Stream.
// Anchor: kube-controller-manager creating the same number of pods for one ReplicaSet, in the
// same cluster (its client is rate-limited to 20 requests/s by default, as in production).
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { type Cluster, KWOK_NODE_ANNOTATION, REPO_ROOT, startCluster } from '../test/cluster/index.js';
import {
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  operatorGet,
  startOperator,
} from '../test/e2e/operator-harness.js';

const STREAMS = Number(process.env.OPERATOR_SCALE_STREAMS ?? 1000);
const NODES = Math.ceil(STREAMS / 100) + 1; // kwok nodes hold 110 pods each
const APPLY_CONCURRENCY = 16;
const toleration = { key: KWOK_NODE_ANNOTATION, operator: 'Exists', effect: 'NoSchedule' };

function report(metric: string, unit: string, value: number, anchor?: { name: string; value: number }) {
  const line: Record<string, unknown> = { bench: 'operator-scale', metric, unit, value: round(value) };
  if (anchor)
    Object.assign(line, {
      anchor: anchor.name,
      anchor_value: round(anchor.value),
      ratio: round(value / anchor.value),
    });
  console.error(
    `${metric}: ${round(value)} ${unit}${anchor ? ` (${anchor.name}: ${round(anchor.value)} ${unit})` : ''}`,
  );
  console.log(JSON.stringify(line));
}
const round = (n: number) => Math.round(n * 100) / 100;

/** Peak resident set of a process (VmHWM), in MB. */
function peakRssMb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb / 1024;
}

async function countUntil(
  label: string,
  target: number,
  count: () => Promise<number>,
  limitMs: number,
): Promise<number> {
  const start = performance.now();
  let last = -1;
  for (;;) {
    const n = await count();
    if (n !== last)
      console.error(`  ${label}: ${n}/${target} after ${((performance.now() - start) / 1000).toFixed(1)} s`);
    last = n;
    if (n >= target) return performance.now();
    if (performance.now() - start > limitMs)
      throw new Error(`${label}: only ${n} of ${target} after ${limitMs} ms`);
    await sleep(500);
  }
}

async function applyStreams(cluster: Cluster, namespace: string): Promise<void> {
  const api = cluster.makeApiClient(CustomObjectsApi);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < STREAMS; i = next++) {
      const body = {
        apiVersion: 'tributary.io/v1alpha1',
        kind: 'Stream',
        metadata: { name: `s-${i}`, namespace },
        spec: { inputs: [{ url: `udp://239.0.${i >> 8}.${i & 255}:5000` }] },
      };
      await api.createNamespacedCustomObject({
        group: 'tributary.io',
        version: 'v1alpha1',
        plural: 'streams',
        namespace,
        body,
      });
    }
  };
  await Promise.all(Array.from({ length: APPLY_CONCURRENCY }, worker));
}

async function operatorRun(cluster: Cluster, kubeconfig: string): Promise<void> {
  const namespace = await cluster.createNamespace('scale');
  const operator: OperatorProcess = await startOperator(kubeconfig, 'scale', [
    '--ingest-image',
    'ghcr.io/tributary/ingest-pod:bench',
    '--pod-defaults',
    JSON.stringify({ tolerations: [toleration], nodeSelector: { type: 'kwok' } }),
    '--leader-elect',
    'false',
  ]);
  try {
    await sleep(1000);
    const baseline = await apiRequests(operator);
    const start = performance.now();
    await applyStreams(cluster, namespace);
    const applied = performance.now();
    const streams = cluster.makeApiClient(CustomObjectsApi);
    const podsDone = countUntil(
      'pods',
      STREAMS,
      async () => {
        const list = await cluster.core.listNamespacedPod({
          namespace,
          labelSelector: 'app.kubernetes.io/name=tributary-ingest',
        });
        return list.items.length;
      },
      300_000,
    );
    const statusDone = countUntil(
      'streams with status',
      STREAMS,
      async () => {
        const list = (await streams.listNamespacedCustomObject({
          group: 'tributary.io',
          version: 'v1alpha1',
          plural: 'streams',
          namespace,
        })) as {
          items: { status?: { observedGeneration?: number; phase?: string } }[];
        };
        return list.items.filter((s) => s.status?.observedGeneration === 1 && s.status.phase).length;
      },
      300_000,
    );
    const done = Math.max(await podsDone, await statusDone);
    const requests = (await apiRequests(operator)) - baseline;
    console.error(`  applied ${STREAMS} Streams in ${((applied - start) / 1000).toFixed(1)} s`);
    report('time_to_all_pods_and_status', 's', (done - start) / 1000);
    report('api_requests_per_stream', 'requests', requests / STREAMS);
    await sleep(5000); // let pod status changes settle, then count again
    report(
      'api_requests_per_stream_settled',
      'requests',
      ((await apiRequests(operator)) - baseline) / STREAMS,
    );
    report('operator_peak_rss', 'MB', peakRssMb(operator.pid));
    (globalThis as { scaleResult?: number }).scaleResult = (done - start) / 1000;
  } finally {
    await operator.stop();
  }
}

async function apiRequests(operator: OperatorProcess): Promise<number> {
  const text = (await operatorGet(operator.port, '/metrics')).body;
  let sum = 0;
  for (const match of text.matchAll(/^rest_client_requests_total\{[^}]*\} (\d+)/gm)) sum += Number(match[1]);
  return sum;
}

/** The anchor: a ReplicaSet (through a Deployment) of the same size, reconciled by kube-controller-manager. */
async function replicaSetRun(cluster: Cluster): Promise<number> {
  const namespace = await cluster.createNamespace('anchor');
  const apps = cluster.makeApiClient(AppsV1Api);
  const start = performance.now();
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'anchor' },
      spec: {
        replicas: STREAMS,
        selector: { matchLabels: { app: 'anchor' } },
        template: {
          metadata: { labels: { app: 'anchor' } },
          spec: {
            tolerations: [toleration],
            nodeSelector: { type: 'kwok' },
            containers: [{ name: 'c', image: 'ghcr.io/tributary/ingest-pod:bench' }],
          },
        },
      },
    },
  });
  const done = await countUntil(
    'anchor pods',
    STREAMS,
    async () => {
      const list = await cluster.core.listNamespacedPod({ namespace, labelSelector: 'app=anchor' });
      return list.items.length;
    },
    300_000,
  );
  return (done - start) / 1000;
}

async function main(): Promise<void> {
  console.error(`starting a cluster with ${NODES} kwok nodes`);
  const cluster = await startCluster({ scheduler: true, controllerManager: true, kwokNodes: NODES });
  try {
    for (const file of [
      'crds/generated/streams.tributary.io.yaml',
      'crds/generated/vodmounts.tributary.io.yaml',
    ])
      await cluster.apply(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'));
    await cluster.createNamespace(OPERATOR_NAMESPACE);
    await cluster.apply(fs.readFileSync(path.join(REPO_ROOT, 'operator/deploy/rbac.yaml'), 'utf8'));
    const { yaml } = await cluster.serviceAccountKubeConfig(OPERATOR_NAMESPACE, 'tributary-operator');
    const kubeconfig = path.join(cluster.dir, 'operator.kubeconfig');
    fs.writeFileSync(kubeconfig, yaml, { mode: 0o600 });
    await sleep(2000); // let the namespaces' default ServiceAccounts appear
    await operatorRun(cluster, kubeconfig);
    const ours = (globalThis as { scaleResult?: number }).scaleResult ?? 0;
    const anchor = await replicaSetRun(cluster);
    report('time_to_all_pods_vs_replicaset', 's', ours, {
      name: 'kube-controller-manager ReplicaSet, same pod count',
      value: anchor,
    });
  } finally {
    await cluster.stop();
  }
}

await main();
