// Operator at scale: 1000 Streams applied at once against a real kube-apiserver with kwok-faked
// nodes (pods are scheduled and marked Running, nothing runs). Measured: time until every Stream
// has its pod and a status, the operator's peak RSS, and its API requests per Stream.
// Client limits: our operator's API client has no rate limit (no QPS, no burst); its concurrency is
// its reconcile workers (8, the --workers default, passed explicitly here), each awaiting its
// requests one after another. kube-controller-manager rate-limits each controller's client to
// --kube-api-qps 20 / --kube-api-burst 30 by default and runs 5 ReplicaSet workers. So the anchors
// in the operator's cluster run it with qps 10000 / burst 10000 (effectively unlimited, like ours)
// and 8 ReplicaSet workers; a last anchor runs it at its defaults, as in production, in a fresh
// cluster (skip with OPERATOR_SCALE_DEFAULT_ANCHOR=0). Every anchor line names both sides' limits.
// Anchors, after the operator's run in the same cluster: one ReplicaSet (through a Deployment) of
// the same pod count, created at once (our figure includes applying 1000 Streams, so this flatters
// the anchor), and 1000 ReplicaSets of one pod, applied like the Streams, until every pod and
// every ReplicaSet status is there (the like-for-like one).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { AppsV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import {
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  operatorGet,
  startOperator,
} from '../test/e2e/operator-harness.js';
import { type Cluster, KWOK_NODE_ANNOTATION, REPO_ROOT, startCluster } from '../tools/cluster/index.js';

const STREAMS = Number(process.env.OPERATOR_SCALE_STREAMS ?? 1000);
const NODES = Math.ceil(STREAMS / 100) + 1; // kwok nodes hold 110 pods each
const APPLY_CONCURRENCY = 16;
const OPERATOR_WORKERS = 8;
interface ControllerManagerLimits {
  qps: number;
  burst: number;
  replicaSetWorkers: number;
}
const KCM_MATCHED: ControllerManagerLimits = {
  qps: 10_000,
  burst: 10_000,
  replicaSetWorkers: OPERATOR_WORKERS,
};
/** kube-controller-manager's own defaults (v1.35), passed explicitly so the labels cannot drift. */
const KCM_DEFAULTS: ControllerManagerLimits = { qps: 20, burst: 30, replicaSetWorkers: 5 };
const DEFAULT_ANCHOR = process.env.OPERATOR_SCALE_DEFAULT_ANCHOR !== '0';
const kcmArgs = (limits: ControllerManagerLimits) => [
  `--kube-api-qps=${limits.qps}`,
  `--kube-api-burst=${limits.burst}`,
  `--concurrent-replicaset-syncs=${limits.replicaSetWorkers}`,
];
const limitsText = (limits: ControllerManagerLimits) =>
  `client qps ${limits.qps} burst ${limits.burst}, ${limits.replicaSetWorkers} ReplicaSet workers`;
const anchorName = (what: string, limits: ControllerManagerLimits) =>
  `kube-controller-manager, ${what}, ${limitsText(limits)}; ` +
  `ours: no client rate limit, ${OPERATOR_WORKERS} reconcile workers`;
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

/** Creates `count` objects, APPLY_CONCURRENCY at a time, as a client applying a batch would. */
async function createAll(count: number, create: (i: number) => Promise<unknown>): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < count; i = next++) await create(i);
  };
  await Promise.all(Array.from({ length: APPLY_CONCURRENCY }, worker));
}

async function applyStreams(cluster: Cluster, namespace: string): Promise<void> {
  const api = cluster.makeApiClient(CustomObjectsApi);
  await createAll(STREAMS, (i) =>
    api.createNamespacedCustomObject({
      group: 'tributary.io',
      version: 'v1alpha1',
      plural: 'streams',
      namespace,
      body: {
        apiVersion: 'tributary.io/v1alpha1',
        kind: 'Stream',
        metadata: { name: `s-${i}`, namespace },
        spec: { inputs: [{ url: `udp://239.0.${i >> 8}.${i & 255}:5000` }] },
      },
    }),
  );
}

/** Pods are admitted once kube-controller-manager made the namespace's default ServiceAccount. */
async function createPodNamespace(cluster: Cluster, name: string): Promise<string> {
  const namespace = await cluster.createNamespace(name);
  await countUntil(
    `default ServiceAccount in ${namespace}`,
    1,
    async () =>
      (await cluster.core.listNamespacedServiceAccount({ namespace, fieldSelector: 'metadata.name=default' }))
        .items.length,
    60_000,
  );
  return namespace;
}

async function operatorRun(cluster: Cluster, kubeconfig: string): Promise<void> {
  const namespace = await createPodNamespace(cluster, 'scale');
  const operator: OperatorProcess = await startOperator(kubeconfig, 'scale', [
    '--ingest-image',
    'ghcr.io/tributary/ingest-pod:bench',
    '--pod-defaults',
    JSON.stringify({ tolerations: [toleration], nodeSelector: { type: 'kwok' } }),
    '--leader-elect',
    'false',
    '--workers',
    String(OPERATOR_WORKERS),
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

const podTemplate = (labels: Record<string, string>) => ({
  metadata: { labels },
  spec: {
    tolerations: [toleration],
    nodeSelector: { type: 'kwok' },
    containers: [{ name: 'c', image: 'ghcr.io/tributary/ingest-pod:bench' }],
  },
});

/** One ReplicaSet (through a Deployment) of the same size: seconds until all its pods exist. */
async function replicaSetRun(cluster: Cluster): Promise<number> {
  const namespace = await createPodNamespace(cluster, 'anchor');
  const apps = cluster.makeApiClient(AppsV1Api);
  const start = performance.now();
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: 'anchor' },
      spec: {
        replicas: STREAMS,
        selector: { matchLabels: { app: 'anchor' } },
        template: podTemplate({ app: 'anchor' }),
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

/**
 * One ReplicaSet of one pod per Stream, applied as the Streams are: seconds until every pod exists
 * and every ReplicaSet's status counts its pod (the operator's run waits for pods and statuses).
 */
async function replicaSetsOfOneRun(cluster: Cluster): Promise<number> {
  const namespace = await createPodNamespace(cluster, 'anchor-each');
  const apps = cluster.makeApiClient(AppsV1Api);
  const start = performance.now();
  await createAll(STREAMS, (i) =>
    apps.createNamespacedReplicaSet({
      namespace,
      body: {
        metadata: { name: `r-${i}` },
        spec: {
          replicas: 1,
          selector: { matchLabels: { rs: `r-${i}` } },
          template: podTemplate({ app: 'anchor-each', rs: `r-${i}` }),
        },
      },
    }),
  );
  console.error(`  applied ${STREAMS} ReplicaSets in ${((performance.now() - start) / 1000).toFixed(1)} s`);
  const podsDone = countUntil(
    'anchor-each pods',
    STREAMS,
    async () =>
      (await cluster.core.listNamespacedPod({ namespace, labelSelector: 'app=anchor-each' })).items.length,
    300_000,
  );
  const statusDone = countUntil(
    'anchor-each ReplicaSets with status',
    STREAMS,
    async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace });
      return list.items.filter((rs) => rs.status?.observedGeneration === 1 && rs.status.replicas === 1)
        .length;
    },
    300_000,
  );
  const done = Math.max(await podsDone, await statusDone);
  return (done - start) / 1000;
}

const loadAverage = () =>
  os
    .loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');

async function startScaleCluster(limits: ControllerManagerLimits): Promise<Cluster> {
  console.error(`starting a cluster with ${NODES} kwok nodes, kube-controller-manager ${limitsText(limits)}`);
  return startCluster({
    scheduler: true,
    controllerManager: true,
    controllerManagerArgs: kcmArgs(limits),
    kwokNodes: NODES,
  });
}

async function main(): Promise<void> {
  console.error(`load average at start: ${loadAverage()} (${os.cpus().length} cores)`);
  const cluster = await startScaleCluster(KCM_MATCHED);
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
    await operatorRun(cluster, kubeconfig);
    const ours = (globalThis as { scaleResult?: number }).scaleResult ?? 0;
    const oneReplicaSet = `1 ReplicaSet of ${STREAMS} pods created at once (vs our ${STREAMS} Stream applies)`;
    report('time_to_all_pods_vs_replicaset', 's', ours, {
      name: anchorName(oneReplicaSet, KCM_MATCHED),
      value: await replicaSetRun(cluster),
    });
    report('time_to_all_pods_and_status_vs_replicasets_of_one', 's', ours, {
      name: anchorName(
        `${STREAMS} ReplicaSets of 1 pod applied like the Streams, pods and statuses`,
        KCM_MATCHED,
      ),
      value: await replicaSetsOfOneRun(cluster),
    });
    if (DEFAULT_ANCHOR) {
      await cluster.stop();
      const atDefaults = await startScaleCluster(KCM_DEFAULTS);
      try {
        report('time_to_all_pods_vs_replicaset_default_limits', 's', ours, {
          name: anchorName(`${oneReplicaSet}, its default limits, fresh cluster`, KCM_DEFAULTS),
          value: await replicaSetRun(atDefaults),
        });
      } finally {
        await atDefaults.stop();
      }
    }
  } finally {
    await cluster.stop();
    console.error(`load average at end: ${loadAverage()}`);
  }
}

await main();
