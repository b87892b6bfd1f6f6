// `helm install` into the harness cluster: the operator runs as two local processes (through the
// node agent) under the chart's ServiceAccount and RBAC, elects a leader, and reconciles an
// example Stream to Live. Then upgrade (CRDs follow the chart) and uninstall (CRDs and Streams stay).
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { AppsV1Api, CoordinationV1Api, type KubernetesObject, type V1Pod } from '@kubernetes/client-node';
import { LIVE_H264_AAC } from '../../ingest-pod/test/support/media.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import {
  type FfmpegProcess,
  freeTcpPort,
  freeUdpPort,
  spawnFfmpeg,
} from '../../ingest-pod/test/support/peers.js';
import { type Cluster, REPO_ROOT, startCluster, waitFor } from '../../tools/cluster/index.js';
import { imagesFromEnvironment } from '../../tools/cluster/local-images.js';
import { CHART_DIR, helm, run, TEST_SOURCE_ARGS } from './chart-helm.js';
import { deleteStream, readStream } from './operator-harness.js';
import { reconnectingEncoder } from './push-support.js';

const RELEASE = 'tributary';
const NAMESPACE = 'tributary-system';
const OPERATOR = 'tributary-operator';
const STREAM = 'demo';

type StreamObject = KubernetesObject & { status?: { phase?: string } };
type Crd = KubernetesObject & { spec: { versions: { additionalPrinterColumns?: { name: string }[] }[] } };

describe('helm install into the harness cluster', () => {
  let nats: NatsServer;
  let natsUrl: string;
  let cluster: Cluster;
  let source: FfmpegProcess | undefined;
  let streamNamespace: string;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-chart-install-'));

  const installArgs = (chart: string) => [
    chart,
    '--namespace',
    NAMESPACE,
    '--values',
    path.join(CHART_DIR, 'ci/harness-values.yaml'),
    '--set',
    `nats.url=${natsUrl}`,
    // The push-listener from the chart, each replica on its own pod address like the operator.
    ...['--set', 'pushListener.enabled=true', '--set', 'pushListener.bindAddress=$(POD_IP)'],
    // The buffer too, on its credential from the operator.
    ...['--set', 'buffer.enabled=true', '--set', 'buffer.bindAddress=$(POD_IP)'],
  ];
  const helmOk = async (args: string[]) => {
    const result = await helm(args, cluster.toolEnv());
    assert.equal(result.code, 0, `helm ${args[0]}:\n${result.stderr}${result.stdout}`);
    return result.stdout;
  };
  const operatorPods = async () =>
    (
      await cluster.core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: 'app.kubernetes.io/component=operator',
      })
    ).items.filter((pod) => !pod.metadata?.deletionTimestamp);
  const leaseHolder = async () => {
    const coordination = cluster.makeApiClient(CoordinationV1Api);
    const lease = await coordination.readNamespacedLease({ namespace: NAMESPACE, name: OPERATOR });
    return lease.spec?.holderIdentity ?? '';
  };
  const streamRef = () => ({
    apiVersion: 'tributary.io/v1alpha1',
    kind: 'Stream',
    name: STREAM,
    namespace: streamNamespace,
  });
  const phaseIs = (phase: string, timeoutMs = 120_000) =>
    waitFor(
      async () => {
        const stream = await cluster.read<StreamObject>(streamRef());
        return stream?.status?.phase === phase ? stream : undefined;
      },
      { what: `Stream ${STREAM} phase ${phase}`, timeoutMs, intervalMs: 500 },
    );

  before(async () => {
    const natsPort = await freeTcpPort();
    natsUrl = `nats://127.0.0.1:${natsPort}`;
    cluster = await startCluster({
      controllerManager: true,
      scheduler: true,
      agent: { images: imagesFromEnvironment() },
    });
    await helmOk(['install', RELEASE, ...installArgs(CHART_DIR), '--create-namespace']);
    // NATS authorization as the chart's own NATS runs it: the server includes the auth.conf the
    // operator wrote on its first start, so every client below needs the credential minted for it.
    const authSecret = await waitFor(
      () => cluster.core.readNamespacedSecret({ namespace: NAMESPACE, name: `${RELEASE}-nats-auth` }),
      { what: 'the operator to create the NATS authority Secret', timeoutMs: 120_000, intervalMs: 500 },
    );
    const authConfig = Buffer.from(authSecret.data?.['auth.conf'] ?? '', 'base64').toString('utf8');
    nats = await startNats({ jetstream: true, server: 'chart', port: natsPort, extraConfig: authConfig });
  });

  after(async () => {
    await source?.stop();
    await cluster?.stop();
    await nats?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** What the operator pods are doing, for a failure message: status and the end of their output. */
  const describeOperatorPods = async () => {
    const lines: string[] = [];
    for (const pod of await operatorPods()) {
      const name = pod.metadata?.name ?? '';
      const states = pod.status?.containerStatuses?.map((c) => JSON.stringify(c.state)) ?? [];
      lines.push(`pod ${name}: ${pod.status?.phase} ${states.join(' ')} ${pod.status?.message ?? ''}`);
      const podDirs = fs.readdirSync(path.join(cluster.dir, 'agent/pods')).filter((d) => d.includes(name));
      for (const dir of podDirs) {
        const log = path.join(cluster.dir, 'agent/pods', dir, 'containers/operator/output.log');
        const text = fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '(no output file)';
        lines.push(text.split('\n').slice(-15).join('\n'));
      }
    }
    return lines.join('\n');
  };

  test('the operator Deployment becomes ready with two replicas, one holding the Lease', async () => {
    const apps = cluster.makeApiClient(AppsV1Api);
    await waitFor(
      async () => {
        const deployment = await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: OPERATOR });
        return deployment.status?.readyReplicas === 2;
      },
      { what: 'two ready operator replicas', timeoutMs: 120_000, intervalMs: 500 },
    ).catch(async (error: Error) => {
      error.message += `\n${await describeOperatorPods()}`;
      throw error;
    });
    const names = (await operatorPods()).map((pod) => pod.metadata?.name);
    assert.equal(names.length, 2);
    const holder = await waitFor(async () => {
      const identity = await leaseHolder();
      return names.includes(identity) ? identity : undefined;
    });
    assert.ok(holder);
  });

  test('an example Stream reaches Live, its ingest pod made from the chart defaults', async () => {
    const port = await freeUdpPort();
    source = spawnFfmpeg(TEST_SOURCE_ARGS(port));
    streamNamespace = await cluster.createNamespace();
    const example = fs.readFileSync(path.join(REPO_ROOT, 'examples/local-udp.yaml'), 'utf8');
    const manifest = example.replace('udp://127.0.0.1:15000', `udp://127.0.0.1:${port}`);
    assert.notEqual(manifest, example);
    await cluster.apply(manifest, { namespace: streamNamespace });
    await phaseIs('Live');
    const pods = await cluster.core.listNamespacedPod({
      namespace: streamNamespace,
      labelSelector: `tributary.io/stream=${STREAM}`,
    });
    assert.equal(pods.items.length, 1);
    const container = (pods.items[0] as V1Pod).spec?.containers[0];
    const chart = fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8');
    const appVersion = /appVersion: "?([^"\n]+)"?/.exec(chart)?.[1];
    assert.equal(container?.image, `ghcr.io/tributary/ingest-pod:${appVersion}`);
    assert.deepEqual(container?.resources?.requests, { cpu: '100m', memory: '96Mi' });
  });

  test('the chart runs the buffer: ready on its own NATS credential, it serves the Live Stream', async () => {
    const apps = cluster.makeApiClient(AppsV1Api);
    await waitFor(
      async () =>
        (await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: `${RELEASE}-buffer` })).status
          ?.readyReplicas === 1,
      { what: 'a ready buffer replica', timeoutMs: 120_000, intervalMs: 500 },
    );
    const [buffer] = (
      await cluster.core.listNamespacedPod({
        namespace: NAMESPACE,
        labelSelector: 'app.kubernetes.io/component=buffer',
      })
    ).items;
    const address = buffer?.status?.podIP;
    assert.ok(address, 'a buffer pod address');
    type Listed = { streams: { namespace: string; name: string }[] };
    const listed = await waitFor(
      async () => {
        const response = await fetch(`http://${address}:8000/streams`);
        const body = (await response.json()) as Listed;
        return body.streams.some((s) => s.namespace === streamNamespace && s.name === STREAM)
          ? body
          : undefined;
      },
      {
        what: `GET /streams on the buffer to list ${streamNamespace}/${STREAM}`,
        timeoutMs: 60_000,
        intervalMs: 500,
      },
    );
    assert.ok(listed.streams.length >= 1);
  });

  test('the chart runs the push-listener: two ready replicas, an RTMP encoder makes a push Stream Live', async () => {
    const apps = cluster.makeApiClient(AppsV1Api);
    await waitFor(
      async () =>
        (await apps.readNamespacedDeployment({ namespace: NAMESPACE, name: `${RELEASE}-push-listener` }))
          .status?.readyReplicas === 2,
      { what: 'two ready push-listener replicas', timeoutMs: 120_000, intervalMs: 500 },
    );
    const listeners = await cluster.core.listNamespacedPod({
      namespace: NAMESPACE,
      labelSelector: 'app.kubernetes.io/component=push-listener',
    });
    const address = listeners.items[0]?.status?.podIP;
    assert.ok(address, 'a listener pod address');
    const key = 'chart-push-key-0123456789';
    await cluster.apply(
      [
        'apiVersion: v1',
        'kind: Secret',
        'metadata: {name: pushed-key}',
        `stringData: {key: ${key}}`,
        '---',
        'apiVersion: tributary.io/v1alpha1',
        'kind: Stream',
        'metadata: {name: pushed}',
        'spec:',
        '  inputs:',
        '    - url: publish://',
        '      publishKeySecretRef: {name: pushed-key, key: key}',
      ].join('\n'),
      { namespace: streamNamespace },
    );
    // Like a real encoder, it retries until the ingest pod has registered the route.
    const url = `rtmp://${address}:1935/${streamNamespace}/pushed?key=${key}`;
    const encoder = reconnectingEncoder(() => spawnFfmpeg([...LIVE_H264_AAC, '-f', 'flv', url]));
    try {
      await waitFor(
        async () => {
          const stream = (await readStream(cluster, streamNamespace, 'pushed')) as StreamObject | undefined;
          return stream?.status?.phase === 'Live' ? stream : undefined;
        },
        { what: 'the pushed Stream Live', timeoutMs: 120_000, intervalMs: 500 },
      );
      const stream = await readStream(cluster, streamNamespace, 'pushed');
      assert.match(stream?.status?.pushEndpoints?.rtmp ?? '', new RegExp(`/${streamNamespace}/pushed$`));
    } finally {
      await encoder.stop();
    }
    await deleteStream(cluster, streamNamespace, 'pushed');
    await waitFor(async () => (await readStream(cluster, streamNamespace, 'pushed')) === undefined, {
      what: 'the pushed Stream gone (the operator removed its route and finalizer)',
      timeoutMs: 60_000,
      intervalMs: 500,
    });
  });

  test('the standby takes over when the leader pod goes, and keeps reconciling', async () => {
    const leader = await leaseHolder();
    await cluster.core.deleteNamespacedPod({ namespace: NAMESPACE, name: leader });
    const next = await waitFor(
      async () => {
        const holder = await leaseHolder();
        const current = (await operatorPods()).map((pod) => pod.metadata?.name);
        return holder && holder !== leader && current.includes(holder) ? holder : undefined;
      },
      { what: 'a new Lease holder', timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.notEqual(next, leader);
    await cluster.objects.patch(
      {
        ...streamRef(),
        metadata: { name: STREAM, namespace: streamNamespace },
        spec: { suspend: true },
      } as never,
      undefined,
      undefined,
      undefined,
      undefined,
      'application/merge-patch+json' as never,
    );
    await phaseIs('Suspended', 60_000);
  });

  test('helm upgrade carries CRD changes both ways (they are templates, not crds/)', async () => {
    const crdName = 'streams.tributary.io';
    const columns = async () => {
      const crd = await cluster.read<Crd>({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name: crdName,
      });
      return (crd?.spec.versions[0]?.additionalPrinterColumns ?? []).map((c) => c.name);
    };
    assert.ok((await columns()).includes('Failovers'));
    // Another chart version: the same chart whose Stream CRD lacks the Failovers column.
    const other = path.join(scratch, 'tributary');
    fs.cpSync(CHART_DIR, other, { recursive: true });
    const crdFile = path.join(other, 'files/crds', `${crdName}.yaml`);
    const text = fs.readFileSync(crdFile, 'utf8');
    const withoutColumn = text.replace(/ {8}- name: Failovers\n(?: {10}.*\n)+/, '');
    assert.notEqual(withoutColumn, text);
    fs.writeFileSync(crdFile, withoutColumn);
    await helmOk(['upgrade', RELEASE, ...installArgs(other)]);
    assert.ok(!(await columns()).includes('Failovers'), 'the upgrade removed the column');
    await helmOk(['upgrade', RELEASE, ...installArgs(CHART_DIR)]);
    assert.ok((await columns()).includes('Failovers'), 'the upgrade restored the column');
  });

  test('helm uninstall removes the operator, keeps the CRDs and the Streams', async () => {
    await helmOk(['uninstall', RELEASE, '--namespace', NAMESPACE]);
    const apps = cluster.makeApiClient(AppsV1Api);
    const deployments = await apps.listNamespacedDeployment({ namespace: NAMESPACE });
    assert.equal(deployments.items.length, 0);
    for (const name of ['streams.tributary.io', 'vodmounts.tributary.io']) {
      const crd = await cluster.read({
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        name,
      });
      assert.ok(crd, `${name} is kept`);
    }
    assert.ok(await cluster.read(streamRef()), 'the Stream is kept');
    const list = await run(cluster.binaries.kubectl, ['get', 'streams', '-A'], { env: cluster.toolEnv() });
    assert.match(list.stdout, new RegExp(`${streamNamespace}\\s+${STREAM}`));
  });
});
