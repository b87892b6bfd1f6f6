// `helm template` output and every example, validated by a real kube-apiserver with a server-side
// dry run: schemas, CEL rules and admission all run, nothing is stored.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Cluster, parseManifest, REPO_ROOT, startCluster } from '../../tools/cluster/index.js';
import { CHART_DIR, helm, render, run, template, type Values } from './chart-helm.js';

const RELEASE_NAMESPACE = 'tributary-system';
const WATCHED = ['news', 'sports'];
const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

// Just enough of the Prometheus Operator's CRDs for the monitors to be accepted.
const monitorCrd = (kind: string, plural: string) => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.monitoring.coreos.com` },
  spec: {
    group: 'monitoring.coreos.com',
    names: { kind, plural, listKind: `${kind}List`, singular: kind.toLowerCase() },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
});

const valueSets: Record<string, Values> = {
  defaults: {},
  'watched namespaces': { watchNamespaces: WATCHED },
  'every option on': {
    watchNamespaces: WATCHED,
    serviceMonitor: { enabled: true },
    networkPolicy: {
      enabled: true,
      natsClientNamespaceSelector: { matchLabels: { 'tributary.io/nats': 'yes' } },
    },
    nats: { jetstream: { persistence: { enabled: true, storageClassName: 'fast' } } },
    operator: { priorityClassName: 'system-cluster-critical', extraEnv: [{ name: 'EXTRA', value: '1' }] },
    imagePullSecrets: [{ name: 'registry' }],
  },
  'push-listener with every option': {
    pushListener: {
      enabled: true,
      publicHost: 'push.example.com',
      service: {
        externalTrafficPolicy: 'Local',
        loadBalancerClass: 'lb.example/l4',
        loadBalancerSourceRanges: ['198.51.100.0/24'],
        annotations: { 'lb.example/kind': 'nlb' },
      },
      autoscaling: { enabled: true, minReplicas: 2, maxReplicas: 6 },
      priorityClassName: 'system-cluster-critical',
    },
    networkPolicy: { enabled: true },
    serviceMonitor: { enabled: true },
  },
  'push-listener with an existing NATS and key': {
    nats: {
      enabled: false,
      url: 'tls://nats.messaging:4222',
      auth: { enabled: false },
      credentials: { secretName: 'nats-user' },
    },
    pushListener: { enabled: true, service: { type: 'NodePort' }, sealingKey: { existingSecret: 'my-key' } },
  },
  'existing NATS with credentials': {
    nats: {
      enabled: false,
      url: 'tls://nats.messaging:4222',
      auth: { enabled: false },
      credentials: { secretName: 'nats-user' },
    },
  },
  'in-chart NATS with TLS, and the push-listener': {
    nats: { tls: { enabled: true, secretName: 'nats-tls' } },
    pushListener: { enabled: true },
  },
  'buffer with every option, beside the push-listener': {
    buffer: {
      enabled: true,
      replicas: 2,
      namespaces: WATCHED,
      service: { type: 'LoadBalancer', annotations: { 'lb.example/kind': 'nlb' } },
      priorityClassName: 'system-cluster-critical',
      extraEnv: [{ name: 'EXTRA', value: '1' }],
    },
    pushListener: { enabled: true },
    networkPolicy: { enabled: true, bufferClientNamespaceSelector: { matchLabels: { team: 'video' } } },
    serviceMonitor: { enabled: true },
  },
};

describe('chart and examples on a real kube-apiserver (server-side dry run)', () => {
  let cluster: Cluster;

  const kubectl = (args: string[], input?: string) =>
    run(cluster.binaries.kubectl, args, {
      env: cluster.toolEnv(),
      ...(input === undefined ? {} : { input }),
    });

  before(async () => {
    cluster = await startCluster();
    for (const namespace of [RELEASE_NAMESPACE, ...WATCHED]) await cluster.createNamespace(namespace);
    await cluster.apply([
      monitorCrd('ServiceMonitor', 'servicemonitors'),
      monitorCrd('PodMonitor', 'podmonitors'),
    ]);
  });
  after(() => cluster?.stop());

  for (const [name, values] of Object.entries(valueSets)) {
    test(`helm template (${name}) passes a server-side dry run, object by object`, async () => {
      const rendered = await template(values, { namespace: RELEASE_NAMESPACE });
      assert.equal(rendered.code, 0, rendered.stderr);
      const objects = parseManifest(rendered.stdout);
      const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], rendered.stdout);
      assert.equal(result.code, 0, result.stderr);
      const accepted = result.stdout.split('\n').filter((line) => line.endsWith('(server dry run)'));
      assert.equal(accepted.length, objects.length, result.stdout);
    });
  }

  test('an upgrade keeps the generated push-listener sealing key (lookup of the existing Secret)', async () => {
    const args = (release: string) => [
      'template',
      release,
      CHART_DIR,
      '--namespace',
      RELEASE_NAMESPACE,
      '--set',
      'pushListener.enabled=true',
      '--dry-run=server',
      '--show-only',
      'templates/push-listener/secret.yaml',
    ];
    const keyOf = (stdout: string) =>
      (parseManifest(stdout)[0] as { data?: Record<string, string> } | undefined)?.data?.['sealing-key.pem'];
    const first = await helm(args('keep'), cluster.toolEnv());
    assert.equal(first.code, 0, first.stderr);
    // As `helm install` would have left it: owned by the release.
    const installed = parseManifest(first.stdout)[0]!;
    installed.metadata!.annotations = {
      'meta.helm.sh/release-name': 'keep',
      'meta.helm.sh/release-namespace': RELEASE_NAMESPACE,
    };
    await cluster.apply(installed);
    const again = await helm(args('keep'), cluster.toolEnv());
    assert.equal(again.code, 0, again.stderr);
    assert.equal(keyOf(again.stdout), keyOf(first.stdout), 'the same key on upgrade');
    const other = await helm(args('other'), cluster.toolEnv());
    assert.notEqual(keyOf(other.stdout), keyOf(first.stdout), 'another release gets its own');
  });

  test('the dry run does reject what the server would (a PDB with a negative minAvailable)', async () => {
    const objects = await render({}, { namespace: RELEASE_NAMESPACE });
    const pdb = objects.find((o) => o.kind === 'PodDisruptionBudget') as { spec: { minAvailable: number } };
    pdb.spec.minAvailable = -1;
    const result = await kubectl(['apply', '--dry-run=server', '-f', '-'], JSON.stringify(pdb));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /minAvailable/);
  });

  describe('examples/', () => {
    const files = fs.readdirSync(EXAMPLES_DIR).filter((f) => f.endsWith('.yaml'));
    let namespace: string;

    before(async () => {
      const crds = (await render({}, { namespace: RELEASE_NAMESPACE })).filter(
        (o) => o.kind === 'CustomResourceDefinition',
      );
      await cluster.apply(crds);
      namespace = await cluster.createNamespace();
    });

    test('cover UDP multicast, HLS pull, a VodMount file, a failover pair and the demo', () => {
      const urls = files.flatMap((file) =>
        parseManifest(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'))
          .filter((o) => o.kind === 'Stream')
          .flatMap((o) =>
            (o as unknown as { spec: { inputs: { url: string }[] } }).spec.inputs.map((i) => i.url),
          ),
      );
      assert.ok(
        urls.some((u) => /^udp:\/\/239\./.test(u)),
        'a multicast input',
      );
      assert.ok(
        urls.some((u) => /\.m3u8$/.test(u)),
        'an HLS input',
      );
      assert.ok(
        urls.some((u) => u.startsWith('file://')),
        'a file input',
      );
      const pair = files.some((file) =>
        parseManifest(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8')).some(
          (o) =>
            o.kind === 'Stream' && (o as unknown as { spec: { inputs: unknown[] } }).spec.inputs.length >= 2,
        ),
      );
      assert.ok(pair, 'a Stream with a backup input');
      assert.ok(files.includes('local-udp.yaml'), 'the demo Stream');
    });

    for (const file of files) {
      test(`${file} is accepted by the CRDs' schema and rules`, async () => {
        const result = await kubectl([
          'apply',
          '--dry-run=server',
          '-n',
          namespace,
          '-f',
          path.join(EXAMPLES_DIR, file),
        ]);
        assert.equal(result.code, 0, result.stderr);
        const objects = parseManifest(fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'));
        assert.equal(
          result.stdout.split('\n').filter((l) => l.endsWith('(server dry run)')).length,
          objects.length,
        );
      });
    }

    test('the same dry run rejects a broken example (so the checks above can fail)', async () => {
      const text = fs.readFileSync(path.join(EXAMPLES_DIR, 'local-udp.yaml'), 'utf8');
      const broken = text.replace('udp://127.0.0.1:15000', 'file:///srv/a.ts');
      assert.notEqual(broken, text);
      const result = await kubectl(['apply', '--dry-run=server', '-n', namespace, '-f', '-'], broken);
      assert.notEqual(result.code, 0);
      assert.match(result.stderr, /a file url must be written/);
    });
  });
});
