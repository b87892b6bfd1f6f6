// The operator against a real kube-apiserver, with its ServiceAccount's RBAC, and ingest pods that
// are stand-ins (they only answer /healthz and /readyz): cross-object validation, the pod it
// makes, suspend, deletion, an apiserver restart, and leader election between two replicas.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import {
  condition,
  createStreamNamespace,
  deleteStream,
  eventsFor,
  ingestPods,
  type OperatorProcess,
  operatorGet,
  problemsLogged,
  readPod,
  startOperator,
  startOperatorCluster,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const STUB_IMAGE = 'tributary.test/ingest-stub';
// Serves 200 on every path at TRIBUTARY_LISTEN (the pod's own IP), like a healthy ingest pod.
const STUB = `
const listen = process.env.TRIBUTARY_LISTEN ?? '127.0.0.1:8080';
const i = listen.lastIndexOf(':');
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(listen.slice(i + 1)), listen.slice(0, i));
process.on('SIGTERM', () => process.exit(0));`;
const OPERATOR_ARGS = [
  '--ingest-image',
  STUB_IMAGE,
  '--lease-duration',
  '3s',
  '--renew-deadline',
  '2s',
  '--retry-period',
  '500ms',
  '--resync-period',
  '30s',
];

describe('operator: control plane', () => {
  let cluster: Cluster;
  let kubeconfig: string;
  let operator: OperatorProcess;
  let ns: string;

  before(async () => {
    ({ cluster, kubeconfig } = await startOperatorCluster({
      images: { [STUB_IMAGE]: { entrypoint: [process.execPath, '-e', STUB] } },
    }));
    ns = await createStreamNamespace(cluster);
    operator = await startOperator(kubeconfig, 'op-a', OPERATOR_ARGS);
  });
  after(async () => {
    await operator?.stop();
    await cluster?.stop();
  });

  const udp = (port: number) => ({ url: `udp://127.0.0.1:${port}` });
  const podOf = (name: string) => `${name}-ingest`;

  test('invalid cross-object references: InputsValid=False naming the input, an Event, no pod', async () => {
    await cluster.apply(
      streamObject(ns, 'needs-secret', {
        inputs: [
          udp(5000),
          { url: 'publish://', publishKeySecretRef: { name: 'encoder', key: 'key' } },
          { url: 'file://clips/loop.ts' },
        ],
      }),
    );
    const stream = await waitForStream(
      cluster,
      ns,
      'needs-secret',
      (s) => condition(s, 'InputsValid')?.status === 'False',
      'InputsValid=False',
    );
    const valid = condition(stream, 'InputsValid');
    assert.equal(valid?.reason, 'SecretNotFound');
    assert.match(
      valid?.message ?? '',
      /input 1 \(publish:\/\/\): publishKeySecretRef: Secret "encoder" does not exist/,
    );
    assert.match(
      valid?.message ?? '',
      /input 2 \(file:\/\/clips\/loop\.ts\): VodMount "clips" does not exist/,
    );
    assert.equal(stream.status?.phase, 'Failed');
    assert.equal(stream.status?.observedGeneration, 1);
    const events = await waitFor(
      async () => {
        // An empty list is truthy: wait until the event is there.
        const invalid = (await eventsFor(cluster, ns, 'needs-secret')).filter(
          (e) => e.reason === 'InvalidInput',
        );
        return invalid.length > 0 ? invalid : undefined;
      },
      { what: 'an InvalidInput event', timeoutMs: 10_000 },
    );
    assert.equal(events[0]?.type, 'Warning');
    assert.equal(await readPod(cluster, ns, podOf('needs-secret')), undefined);

    // Creating what was missing makes the Stream valid: the Secret and VodMount watches trigger it.
    await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'encoder' }, stringData: { key: 's3cret' } },
    });
    await cluster.apply({
      apiVersion: 'tributary.io/v1alpha1',
      kind: 'VodMount',
      metadata: { name: 'clips', namespace: ns },
      spec: { configMap: { name: 'clips' } },
    } as never);
    await waitForStream(
      cluster,
      ns,
      'needs-secret',
      (s) => condition(s, 'InputsValid')?.status === 'True',
      'valid',
    );
    const pod = await cluster.waitForPod(ns, podOf('needs-secret'), () => true, { timeoutMs: 20_000 });
    const env = pod.spec?.containers[0]?.env ?? [];
    const secretEnv = env.find((e) => e.valueFrom?.secretKeyRef?.name === 'encoder');
    const ref = secretEnv?.valueFrom?.secretKeyRef;
    assert.deepEqual([ref?.name, ref?.key], ['encoder', 'key']);
    assert.doesNotMatch(JSON.stringify(env), /s3cret/);
    const vod = pod.spec?.containers[0]?.volumeMounts?.find((m) => m.mountPath === '/vod/clips');
    assert.equal(vod?.readOnly, true);
    await deleteStream(cluster, ns, 'needs-secret');
  });

  test('a copy:// cycle is reported on each Stream of the cycle', async () => {
    await cluster.apply(streamObject(ns, 'loop-a', { inputs: [{ url: 'copy://loop-b' }] }));
    await cluster.apply(streamObject(ns, 'loop-b', { inputs: [{ url: 'copy://loop-a' }] }));
    for (const [name, path] of [
      ['loop-a', 'loop-a -> loop-b -> loop-a'],
      ['loop-b', 'loop-b -> loop-a -> loop-b'],
    ] as const) {
      const stream = await waitForStream(
        cluster,
        ns,
        name,
        (s) => condition(s, 'InputsValid')?.reason === 'CopyCycle',
        'CopyCycle',
      );
      assert.match(condition(stream, 'InputsValid')?.message ?? '', new RegExp(path.replaceAll('-', '\\-')));
    }
    assert.deepEqual(
      (await ingestPods(cluster, ns)).filter((p) => p.metadata?.name?.startsWith('loop-')),
      [],
    );
    await deleteStream(cluster, ns, 'loop-a');
    await deleteStream(cluster, ns, 'loop-b');
  });

  test('a valid Stream gets one locked-down ingest pod that runs, with status and a PodCreated event', async () => {
    await cluster.apply(
      // spec.pod.resources replaces the defaults whole, so it brings its own memory limit (required).
      streamObject(ns, 'plain', {
        inputs: [udp(5001)],
        pod: { resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { memory: '128Mi' } } },
      }),
    );
    const running = await cluster.waitForPodPhase(ns, podOf('plain'), 'Running', { timeoutMs: 30_000 });
    assert.ok(cluster.agent?.podPids(ns, podOf('plain'))?.ingest, 'runs as a local process on the node');
    const spec = running.spec!;
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal(spec.securityContext?.runAsNonRoot, true);
    assert.equal(spec.containers[0]?.securityContext?.readOnlyRootFilesystem, true);
    assert.deepEqual(spec.containers[0]?.securityContext?.capabilities?.drop, ['ALL']);
    assert.deepEqual(spec.containers[0]?.resources?.requests, { cpu: '50m', memory: '64Mi' });
    const owner = running.metadata?.ownerReferences?.[0];
    assert.deepEqual([owner?.kind, owner?.name, owner?.controller], ['Stream', 'plain', true]);
    assert.ok(running.metadata?.annotations?.['tributary.io/spec-hash']);
    const managers = running.metadata?.managedFields?.map((f) => [f.manager, f.operation]);
    assert.deepEqual(managers?.[0], ['tributary-operator', 'Apply']);

    const stream = await waitForStream(
      cluster,
      ns,
      'plain',
      (s) => condition(s, 'PodScheduled')?.status === 'True' && s.status?.phase === 'Connecting',
      'scheduled and connecting',
    );
    assert.equal(stream.status?.pod, podOf('plain'));
    assert.equal(stream.status?.subject, `tributary.${ns}.plain.av`);
    const events = await eventsFor(cluster, ns, 'plain');
    assert.ok(events.some((e) => e.reason === 'PodCreated' && e.source?.component === 'tributary-operator'));
  });

  test('changing the Stream replaces the pod; suspend removes it; resume brings it back', async () => {
    const before = await cluster.waitForPodPhase(ns, podOf('plain'), 'Running', { timeoutMs: 30_000 });
    await cluster.apply(streamObject(ns, 'plain', { inputs: [udp(5002)] }));
    const replaced = await cluster.waitForPod(
      ns,
      podOf('plain'),
      (p) => p.metadata?.uid !== before.metadata?.uid && !p.metadata?.deletionTimestamp,
      { timeoutMs: 30_000, what: 'a new pod' },
    );
    assert.match(JSON.stringify(replaced.spec?.containers[0]?.env), /udp:\/\/127\.0\.0\.1:5002/);
    await waitForStream(
      cluster,
      ns,
      'plain',
      (s) => s.status?.observedGeneration === 2,
      'generation 2 observed',
    );

    await cluster.apply(streamObject(ns, 'plain', { inputs: [udp(5002)], suspend: true }));
    await cluster.waitForPodGone(ns, podOf('plain'), { timeoutMs: 30_000 });
    await waitForStream(cluster, ns, 'plain', (s) => s.status?.phase === 'Suspended', 'Suspended');
    await cluster.apply(streamObject(ns, 'plain', { inputs: [udp(5002)], suspend: false }));
    await cluster.waitForPodPhase(ns, podOf('plain'), 'Running', { timeoutMs: 30_000 });
  });

  test('a pod that fails is recreated, and one deleted by hand comes back', async () => {
    const first = await cluster.waitForPodPhase(ns, podOf('plain'), 'Running', { timeoutMs: 30_000 });
    const pid = cluster.agent?.podPids(ns, podOf('plain'))?.ingest;
    assert.ok(pid);
    process.kill(-pid, 'SIGKILL'); // the whole container: its process group
    const second = await cluster.waitForPod(
      ns,
      podOf('plain'),
      (p) => p.metadata?.uid !== first.metadata?.uid && p.status?.phase === 'Running',
      { timeoutMs: 30_000, what: 'a recreated, running pod' },
    );
    const recreated = await waitFor(
      async () => (await eventsFor(cluster, ns, 'plain')).find((e) => e.reason === 'PodRecreated'),
      { what: 'a PodRecreated event', timeoutMs: 10_000 },
    );
    assert.match(recreated.message ?? '', /exit code 137/);
    await cluster.core.deleteNamespacedPod({ namespace: ns, name: podOf('plain') });
    await cluster.waitForPod(
      ns,
      podOf('plain'),
      (p) => p.metadata?.uid !== second.metadata?.uid && p.status?.phase === 'Running',
      { timeoutMs: 30_000, what: 'the pod back after a manual delete' },
    );
  });

  test('deleting the Stream removes its pod', async () => {
    await deleteStream(cluster, ns, 'plain');
    await cluster.waitForPodGone(ns, podOf('plain'), { timeoutMs: 30_000 });
  });

  test('/readyz reports synced informers and the last event age; /metrics has controller-runtime names', async () => {
    const ready = await operatorGet(operator.port, '/readyz');
    assert.equal(ready.status, 200);
    const body = JSON.parse(ready.body) as {
      leader: boolean;
      informers: { name: string; synced: boolean; lastEventAgeSeconds: number | null }[];
    };
    assert.equal(body.leader, true);
    assert.deepEqual(body.informers.map((i) => i.name).sort(), ['pods', 'secrets', 'streams', 'vodmounts']);
    assert.ok(body.informers.every((i) => i.synced));
    assert.equal(typeof body.informers.find((i) => i.name === 'streams')?.lastEventAgeSeconds, 'number');
    const metrics = (await operatorGet(operator.port, '/metrics')).body;
    for (const name of [
      'controller_runtime_reconcile_total{controller="stream",result="success"}',
      'controller_runtime_reconcile_time_seconds_bucket',
      'workqueue_depth{name="stream"}',
      'workqueue_retries_total',
      'rest_client_requests_total{method="PATCH",code="200"}',
      'leader_election_master_status{name="tributary-operator"} 1',
    ])
      assert.ok(metrics.includes(name), `metrics lack ${name}`);
    assert.doesNotMatch(
      metrics,
      /code="403"/,
      `the ServiceAccount was refused something:\n${problemsLogged(operator)}`,
    );
    assert.equal((await operatorGet(operator.port, '/healthz')).status, 200);
  });

  test('after a kube-apiserver restart the operator resumes and misses nothing', async () => {
    await cluster.apply(
      streamObject(ns, 'waits-for-key', {
        inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'late-key', key: 'key' } }],
      }),
    );
    await waitForStream(
      cluster,
      ns,
      'waits-for-key',
      (s) => condition(s, 'InputsValid')?.status === 'False',
      'invalid',
    );
    await cluster.restartApiServer();
    // Changes right after the restart, while the operator's watches are still reconnecting. (Only
    // creations: deleting a pod in this window can leave kube-scheduler's cache inconsistent.)
    await cluster.apply(streamObject(ns, 'after-restart', { inputs: [udp(5004)] }));
    await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'late-key' }, stringData: { key: 'k' } },
    });
    await cluster.waitForPodPhase(ns, podOf('after-restart'), 'Running', { timeoutMs: 60_000 });
    await cluster.waitForPodPhase(ns, podOf('waits-for-key'), 'Running', { timeoutMs: 60_000 });
    const ready = await waitFor(
      async () => {
        const r = await operatorGet(operator.port, '/readyz');
        return r.status === 200 ? r : undefined;
      },
      { what: 'the operator ready again', timeoutMs: 30_000 },
    );
    assert.ok(JSON.parse(ready.body).informers.some((i: { restarts: number }) => i.restarts > 0));
    await deleteStream(cluster, ns, 'waits-for-key');
    await deleteStream(cluster, ns, 'after-restart');
    await cluster.waitForPodGone(ns, podOf('after-restart'), { timeoutMs: 30_000 });
  });

  test('two replicas: exactly one reconciles; when it dies the other takes over, with no duplicate pods', async () => {
    const second = await startOperator(kubeconfig, 'op-b', OPERATOR_ARGS);
    try {
      const names = ['ha-1', 'ha-2', 'ha-3'];
      for (const name of names)
        await cluster.apply(streamObject(ns, name, { inputs: [udp(5100 + names.indexOf(name))] }));
      for (const name of names)
        await cluster.waitForPodPhase(ns, podOf(name), 'Running', { timeoutMs: 30_000 });
      const leaders = async () =>
        (
          await Promise.all(
            [operator, second].map(async (o) => [
              o.identity,
              JSON.parse((await operatorGet(o.port, '/readyz')).body).leader,
            ]),
          )
        ).filter(([, leads]) => leads);
      // Polled: a renewal delayed past the deadline on a slow machine makes op-a step down for a moment.
      await waitFor(async () => JSON.stringify(await leaders()) === JSON.stringify([['op-a', true]]), {
        timeoutMs: 15_000,
        what: 'op-a, and only op-a, to lead',
      });
      assert.equal(
        second.logs.filter((l) => l.msg === 'applying the ingest pod').length,
        0,
        'the standby made no pods',
      );

      await operator.kill();
      await waitFor(async () => (await operatorGet(second.port, '/readyz')).body.includes('"leader":true'), {
        what: 'the standby to lead',
        timeoutMs: 20_000,
      });
      await cluster.apply(streamObject(ns, 'ha-4', { inputs: [udp(5103)] }));
      await cluster.waitForPodPhase(ns, podOf('ha-4'), 'Running', { timeoutMs: 30_000 });
      const pods = (await ingestPods(cluster, ns)).filter((p) => !p.metadata?.deletionTimestamp);
      const perStream = new Map<string, number>();
      for (const pod of pods) {
        const stream = pod.metadata?.labels?.['tributary.io/stream'] ?? '';
        perStream.set(stream, (perStream.get(stream) ?? 0) + 1);
      }
      assert.deepEqual([...perStream].filter(([s]) => s.startsWith('ha-')).sort(), [
        ['ha-1', 1],
        ['ha-2', 1],
        ['ha-3', 1],
        ['ha-4', 1],
      ]);
      operator = second;
    } catch (error) {
      await second.stop();
      throw error;
    }
  });
});
