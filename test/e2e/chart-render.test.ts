// The chart without a cluster: lint, the values schema, and what `helm template` renders for
// each toggle. Server-side validation of the same output is in chart-dryrun.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1ConfigMap,
  V1Deployment,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1StatefulSet,
} from '@kubernetes/client-node';
import { parseOptions, USAGE } from '../../operator/src/options.js';
import { INGEST_APP, LABEL_APP } from '../../operator/src/reconcile/pod-manifest.js';
import { parseManifest, REPO_ROOT } from '../cluster/index.js';
import { byKind, CHART_DIR, defaultValues, helm, render, template, type Values } from './chart-helm.js';

const GENERATED_CRDS = ['streams.tributary.io.yaml', 'vodmounts.tributary.io.yaml'];
const OPERATOR_RBAC = path.join(REPO_ROOT, 'operator/deploy/rbac.yaml');

interface SchemaNode {
  type?: string;
  properties?: Record<string, SchemaNode>;
  additionalProperties?: boolean | SchemaNode;
  items?: SchemaNode;
  description?: string;
}

const schema = JSON.parse(fs.readFileSync(path.join(CHART_DIR, 'values.schema.json'), 'utf8')) as SchemaNode;

/**
 * Walks values.yaml and the schema together: returns values the schema does not describe and
 * schema properties values.yaml lacks. Below a schema node without fixed properties (a map, a
 * list, a resources block) the value is free-form and the walk stops.
 */
function coverageGaps(schemaNode: SchemaNode, value: unknown, prefix = ''): string[] {
  if (!schemaNode.properties) return [];
  const given = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
  const gaps: string[] = [];
  for (const key of Object.keys(given))
    if (!(key in schemaNode.properties)) gaps.push(`values.yaml ${prefix}${key} is not in the schema`);
  for (const [key, child] of Object.entries(schemaNode.properties)) {
    if (!(key in given)) gaps.push(`schema ${prefix}${key} is not in values.yaml`);
    else gaps.push(...coverageGaps(child, (given as Record<string, unknown>)[key], `${prefix}${key}.`));
  }
  return gaps;
}

function schemaObjects(node: SchemaNode, prefix = ''): [string, SchemaNode][] {
  const own: [string, SchemaNode][] = node.properties ? [[prefix || '(root)', node]] : [];
  return [
    ...own,
    ...Object.entries(node.properties ?? {}).flatMap(([key, child]) =>
      schemaObjects(child, prefix ? `${prefix}.${key}` : key),
    ),
  ];
}

function envOf(deployment: V1Deployment): Map<string, string | undefined> {
  const container = deployment.spec?.template.spec?.containers[0];
  return new Map((container?.env ?? []).map((e) => [e.name, e.value]));
}

/** Rules as comparable strings: one per (apiGroup, resource, verb, resourceName). */
function ruleSet(rules: V1PolicyRule[]): string[] {
  const out = new Set<string>();
  for (const rule of rules)
    for (const group of rule.apiGroups ?? [''])
      for (const resource of rule.resources ?? [])
        for (const verb of rule.verbs)
          for (const name of rule.resourceNames ?? ['*']) out.add(`${group}/${resource} ${verb} ${name}`);
  return [...out].sort();
}

const operatorName = 'demo-tributary-operator';

/** A Prometheus Operator PodMonitor, as far as these tests read it. */
type PodMonitor = KubernetesObject & {
  spec: { selector: { matchLabels: Record<string, string> }; namespaceSelector: unknown };
};

describe('helm lint', () => {
  test('is clean with the default values and every values file in ci/', async () => {
    const files = fs.readdirSync(path.join(CHART_DIR, 'ci')).map((f) => path.join(CHART_DIR, 'ci', f));
    assert.ok(files.length > 0, 'ci/ holds the values files the tests and the demo install with');
    for (const args of [
      [],
      ...files.map((f) => ['--values', f, '--set', 'nats.url=nats://127.0.0.1:4222']),
    ]) {
      const result = await helm(['lint', '--strict', CHART_DIR, ...args]);
      assert.equal(result.code, 0, `helm lint ${args.join(' ')}:\n${result.stdout}${result.stderr}`);
      assert.doesNotMatch(result.stdout, /\[(WARNING|ERROR)\]/);
    }
  });
});

describe('values.schema.json', () => {
  test('describes every value in values.yaml, and nothing that is not there', () => {
    const gaps = coverageGaps(schema, { global: {}, ...defaultValues() });
    assert.deepEqual(gaps, []);
  });

  test('rejects unknown keys at every level, and every value has a description', () => {
    for (const [where, node] of schemaObjects(schema)) {
      assert.equal(node.additionalProperties, false, `${where} must set additionalProperties: false`);
      for (const [key, child] of Object.entries(node.properties ?? {}))
        assert.ok(child.description, `${where}.${key} has no description`);
    }
  });

  test('a typo or a wrong type fails the render and names the value', async () => {
    const typo = await template({ operator: { replicass: 3 } });
    assert.notEqual(typo.code, 0);
    assert.match(typo.stderr, /replicass/);
    const wrongType = await template({ operator: { replicas: 'two' } });
    assert.notEqual(wrongType.code, 0);
    assert.match(wrongType.stderr, /\/operator\/replicas/);
    const badDuration = await template({ operator: { leaderElection: { leaseDuration: 'soon' } } });
    assert.notEqual(badDuration.code, 0);
    assert.match(badDuration.stderr, /leaseDuration/);
  });
});

describe('CRDs', () => {
  test('the chart copies equal crds/generated (copy them over after `npm run generate -w crds`)', () => {
    const copies = fs.readdirSync(path.join(CHART_DIR, 'files/crds')).sort();
    assert.deepEqual(copies, GENERATED_CRDS);
    for (const file of GENERATED_CRDS) {
      const generated = fs.readFileSync(path.join(REPO_ROOT, 'crds/generated', file), 'utf8');
      const copy = fs.readFileSync(path.join(CHART_DIR, 'files/crds', file), 'utf8');
      assert.ok(
        copy === generated,
        `charts/tributary/files/crds/${file} differs from crds/generated/${file}`,
      );
    }
  });

  test('render as templates with the generated spec, kept on uninstall by default', async () => {
    const crds = byKind(await render(), 'CustomResourceDefinition');
    assert.deepEqual([...crds.keys()].sort(), ['streams.tributary.io', 'vodmounts.tributary.io']);
    for (const file of GENERATED_CRDS) {
      const generated = parseManifest(
        fs.readFileSync(path.join(REPO_ROOT, 'crds/generated', file), 'utf8'),
      )[0]!;
      const rendered = crds.get(generated.metadata?.name ?? '') as KubernetesObject & { spec: unknown };
      assert.deepEqual(rendered.spec, (generated as typeof rendered).spec);
      assert.equal(rendered.metadata?.annotations?.['helm.sh/resource-policy'], 'keep');
      assert.equal(rendered.metadata?.labels?.['app.kubernetes.io/instance'], 'demo');
    }
  });

  test('crds.keep=false drops the keep policy; crds.install=false renders no CRD', async () => {
    const unkept = byKind(await render({ crds: { keep: false } }), 'CustomResourceDefinition');
    assert.equal(unkept.size, 2);
    for (const crd of unkept.values())
      assert.equal(crd.metadata?.annotations?.['helm.sh/resource-policy'], undefined);
    const none = byKind(await render({ crds: { install: false } }), 'CustomResourceDefinition');
    assert.equal(none.size, 0);
  });
});

describe('operator', () => {
  test('two replicas with leader election, and a PDB that selects them', async () => {
    const objects = await render();
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    assert.equal(deployment.spec?.replicas, 2);
    const env = envOf(deployment);
    assert.equal(env.get('LEADER_ELECTION'), 'true');
    assert.equal(env.get('LEASE_NAME'), operatorName);
    const pdb = byKind<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget').get(operatorName)!;
    assert.equal(pdb.spec?.minAvailable, 1);
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(pdb.spec?.selector?.matchLabels ?? {}))
      assert.equal(podLabels[key], value, `PDB selector ${key}`);
    assert.ok(Object.keys(pdb.spec?.selector?.matchLabels ?? {}).length > 0);
  });

  test('runs as non-root with a read-only root filesystem and no capabilities', async () => {
    const deployment = byKind<V1Deployment>(await render(), 'Deployment').get(operatorName)!;
    const pod = deployment.spec?.template.spec;
    assert.equal(pod?.securityContext?.runAsNonRoot, true);
    const container = pod?.containers[0];
    assert.equal(container?.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container?.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container?.securityContext?.capabilities?.drop, ['ALL']);
  });

  test('hands the ingest defaults, image and NATS settings to the operator', async () => {
    const ingest = {
      image: { repository: 'registry.example/ingest', tag: '9.9.9' },
      resources: { requests: { cpu: '300m' } },
      priorityClassName: 'live-video',
      nodeSelector: { 'net.example/multicast': 'true' },
      tolerations: [{ key: 'video', operator: 'Exists', effect: 'NoSchedule' }],
    };
    const values = { ingest, nats: { subjectPrefix: 'acme.media' } };
    const deployment = byKind<V1Deployment>(await render(values), 'Deployment').get(operatorName)!;
    const env = envOf(deployment);
    assert.equal(env.get('INGEST_IMAGE'), 'registry.example/ingest:9.9.9');
    assert.equal(env.get('SUBJECT_PREFIX'), 'acme.media');
    assert.equal(env.get('NATS_URL'), 'nats://demo-tributary-nats.tributary-system.svc:4222');
    const defaults = JSON.parse(env.get('INGEST_POD_DEFAULTS') ?? '{}');
    assert.equal(defaults.resources.requests.cpu, '300m');
    assert.equal(defaults.priorityClassName, 'live-video');
    assert.deepEqual(defaults.nodeSelector, ingest.nodeSelector);
    assert.deepEqual(defaults.tolerations, ingest.tolerations);
  });

  test('image tags default to the appVersion, and a digest wins over the tag', async () => {
    const chart = fs.readFileSync(path.join(CHART_DIR, 'Chart.yaml'), 'utf8');
    const appVersion = /appVersion: "?([^"\n]+)"?/.exec(chart)?.[1];
    const plain = byKind<V1Deployment>(await render(), 'Deployment').get(operatorName)!;
    assert.equal(plain.spec?.template.spec?.containers[0]?.image, `ghcr.io/tributary/operator:${appVersion}`);
    const digest = `sha256:${'a'.repeat(64)}`;
    const pinned = byKind<V1Deployment>(await render({ operator: { image: { digest } } }), 'Deployment').get(
      operatorName,
    )!;
    assert.equal(pinned.spec?.template.spec?.containers[0]?.image, `ghcr.io/tributary/operator@${digest}`);
  });

  test('several replicas without leader election are refused', async () => {
    const result = await template({ operator: { leaderElection: { enabled: false } } });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /leaderElection/);
    const single = await render({ operator: { replicas: 1, leaderElection: { enabled: false } } });
    const deployment = byKind<V1Deployment>(single, 'Deployment').get(operatorName)!;
    assert.equal(envOf(deployment).get('LEADER_ELECTION'), 'false');
    assert.equal(byKind(single, 'Role').size, 0, 'no Lease role without leader election');
  });
});

describe('the operator reads what the chart sets', () => {
  // Variables the pod spec needs for itself, not options of the operator.
  const podOnly = new Set(['POD_IP']);

  test('every environment variable is an operator option', async () => {
    const known = new Set([...USAGE.matchAll(/\[([A-Z_, ]+)\]/g)].flatMap((m) => m[1]!.split(/,\s*/)));
    const values = { nats: { enabled: false, url: 'nats://n:4222', credentials: { secretName: 's' } } };
    const deployment = byKind<V1Deployment>(await render(values), 'Deployment').get(operatorName)!;
    for (const name of envOf(deployment).keys())
      assert.ok(
        known.has(name) || podOnly.has(name),
        `${name} is not read by the operator (operator/src/options.ts)`,
      );
  });

  test('parseOptions turns the rendered environment into the intended settings', async () => {
    const values = {
      watchNamespaces: ['news', 'sports'],
      ingest: { priorityClassName: 'live-video', allowHostPath: true },
      operator: { metrics: { port: 9090 }, leaderElection: { leaseDuration: '20s' }, workers: 3 },
    };
    const deployment = byKind<V1Deployment>(await render(values), 'Deployment').get(operatorName)!;
    const fieldRefs = {
      POD_NAME: 'demo-tributary-operator-abc',
      POD_NAMESPACE: 'tributary-system',
      POD_IP: '10.1.2.3',
    };
    const env: Record<string, string> = { ...fieldRefs };
    for (const [name, value] of envOf(deployment)) if (value !== undefined) env[name] = value;
    const options = parseOptions([], env);
    assert.deepEqual(options.namespaces, ['news', 'sports']);
    assert.equal(options.natsUrl, 'nats://demo-tributary-nats.tributary-system.svc:4222');
    assert.equal(options.ingestImage.split(':')[0], 'ghcr.io/tributary/ingest-pod');
    assert.equal(options.podDefaults.priorityClassName, 'live-video');
    assert.equal(options.allowHostPath, true);
    assert.deepEqual(options.metrics, { host: '0.0.0.0', port: 9090 });
    assert.equal(options.workers, 3);
    assert.equal(options.leaderElection.enabled, true);
    assert.equal(options.leaderElection.name, operatorName);
    assert.equal(options.leaderElection.namespace, 'tributary-system');
    assert.equal(options.leaderElection.identity, fieldRefs.POD_NAME);
    assert.equal(options.leaderElection.leaseDurationSeconds, 20);
  });

  test("the ingest PodMonitor selects the operator's ingest pods", async () => {
    const objects = await render({ serviceMonitor: { enabled: true } });
    const monitor = objects.find((o) => o.kind === 'PodMonitor') as PodMonitor;
    assert.equal(monitor.spec.selector.matchLabels[LABEL_APP], INGEST_APP);
  });
});

describe('RBAC', () => {
  test('all namespaces: one ClusterRole; the Lease role stays in the release namespace', async () => {
    const objects = await render();
    const clusterRoles = byKind<V1ClusterRole>(objects, 'ClusterRole');
    assert.deepEqual([...clusterRoles.keys()], [operatorName]);
    const roles = [...byKind<V1Role>(objects, 'Role').values()];
    assert.deepEqual(
      roles.map((r) => [r.metadata?.name, r.metadata?.namespace]),
      [[`${operatorName}-leader-election`, 'tributary-system']],
    );
    const leaseRules = ruleSet(roles[0]!.rules ?? []);
    assert.deepEqual(leaseRules, [
      'coordination.k8s.io/leases create *',
      `coordination.k8s.io/leases get ${operatorName}`,
      `coordination.k8s.io/leases update ${operatorName}`,
    ]);
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    assert.equal(envOf(deployment).get('WATCH_NAMESPACES'), '');
  });

  test('watchNamespaces: a Role and RoleBinding in each, no cluster-wide grant', async () => {
    const objects = await render({ watchNamespaces: ['news', 'sports'] });
    assert.equal(byKind(objects, 'ClusterRole').size, 0);
    assert.equal(byKind(objects, 'ClusterRoleBinding').size, 0);
    const roles = objects.filter((o) => o.kind === 'Role' && o.metadata?.name === operatorName) as V1Role[];
    assert.deepEqual(roles.map((r) => r.metadata?.namespace).sort(), ['news', 'sports']);
    const bindings = objects.filter((o) => o.kind === 'RoleBinding' && o.metadata?.name === operatorName);
    assert.deepEqual(bindings.map((b) => b.metadata?.namespace).sort(), ['news', 'sports']);
    const clusterWide = byKind<V1ClusterRole>(await render(), 'ClusterRole').get(operatorName)!;
    for (const role of roles) assert.deepEqual(ruleSet(role.rules ?? []), ruleSet(clusterWide.rules ?? []));
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    assert.equal(envOf(deployment).get('WATCH_NAMESPACES'), 'news,sports');
  });

  test('grants exactly the permissions of operator/deploy/rbac.yaml', async () => {
    const deployed = parseManifest(fs.readFileSync(OPERATOR_RBAC, 'utf8'));
    const rulesOf = (objects: KubernetesObject[], kind: string) => {
      const roles = objects.filter((o) => o.kind === kind) as V1Role[];
      assert.equal(roles.length, 1, `one ${kind}`);
      return ruleSet(roles[0]!.rules ?? []);
    };
    // Released as "tributary", the chart's names (and so the Lease name) are the manifest's.
    const chart = await render({}, { release: 'tributary' });
    assert.deepEqual(rulesOf(chart, 'ClusterRole'), rulesOf(deployed, 'ClusterRole'));
    assert.deepEqual(rulesOf(chart, 'Role'), rulesOf(deployed, 'Role'));
  });
});

describe('NATS', () => {
  test('the in-chart server config is accepted by nats-server', async () => {
    const config = byKind<V1ConfigMap>(await render(), 'ConfigMap').get('demo-tributary-nats')!;
    const text = config.data?.['nats.conf'] ?? '';
    assert.match(text, /jetstream/);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-nats-conf-'));
    try {
      const file = path.join(dir, 'nats.conf');
      fs.writeFileSync(file, text.replace('/data', path.join(dir, 'data')));
      const result = await new Promise<{ code: number; output: string }>((resolve) => {
        execFile(
          'nats-server',
          ['-c', file, '-t'],
          { env: { ...process.env, POD_NAME: 'nats-0' } },
          (e, o, s) => resolve({ code: e ? Number((e as { code?: number }).code ?? 1) : 0, output: o + s }),
        );
      });
      assert.equal(result.code, 0, result.output);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an existing NATS: no server rendered, its URL and credentials go to the operator', async () => {
    const values: Values = {
      nats: { enabled: false, url: 'tls://nats.messaging:4222', credentials: { secretName: 'nats-user' } },
    };
    const objects = await render(values);
    assert.equal(byKind(objects, 'StatefulSet').size, 0);
    assert.equal(byKind(objects, 'ConfigMap').size, 0);
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    const env = envOf(deployment);
    assert.equal(env.get('NATS_URL'), 'tls://nats.messaging:4222');
    assert.equal(env.get('NATS_CREDS'), '/etc/tributary/nats/nats.creds');
    assert.equal(env.get('INGEST_NATS_CREDS_SECRET'), 'nats-user/nats.creds');
    const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === 'nats-user');
    assert.ok(volume, 'the credentials Secret is mounted');
    const mount = deployment.spec?.template.spec?.containers[0]?.volumeMounts?.find(
      (m) => m.name === volume.name,
    );
    assert.equal(mount?.mountPath, '/etc/tributary/nats');
  });

  test('nats.enabled=false without a URL, or with both, fails with a message', async () => {
    const missing = await template({ nats: { enabled: false } });
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /nats\.url is required/);
    const both = await template({ nats: { url: 'nats://x:4222' } });
    assert.notEqual(both.code, 0);
    assert.match(both.stderr, /nats\.url is only used/);
  });

  test('JetStream persistence switches the data volume to a claim template', async () => {
    const volumeKinds = async (values: Values) => {
      const set = [...byKind<V1StatefulSet>(await render(values), 'StatefulSet').values()][0]!;
      const data = set.spec?.template.spec?.volumes?.find((v) => v.name === 'data');
      return { emptyDir: data !== undefined, claims: (set.spec?.volumeClaimTemplates ?? []).length };
    };
    assert.deepEqual(await volumeKinds({}), { emptyDir: true, claims: 0 });
    const persistent = { nats: { jetstream: { persistence: { enabled: true, size: '5Gi' } } } };
    assert.deepEqual(await volumeKinds(persistent), { emptyDir: false, claims: 1 });
  });
});

describe('optional parts', () => {
  test('ServiceMonitor and ingest PodMonitor only when asked for', async () => {
    assert.equal((await render()).filter((o) => o.apiVersion?.startsWith('monitoring.coreos.com')).length, 0);
    const objects = await render({ serviceMonitor: { enabled: true, labels: { release: 'prom' } } });
    const monitors = objects.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1');
    assert.deepEqual(monitors.map((o) => o.kind).sort(), ['PodMonitor', 'ServiceMonitor']);
    for (const monitor of monitors) assert.equal(monitor.metadata?.labels?.release, 'prom');
    const scoped = await render({ serviceMonitor: { enabled: true }, watchNamespaces: ['news'] });
    const pods = scoped.find((o) => o.kind === 'PodMonitor') as PodMonitor;
    assert.deepEqual(pods.spec.namespaceSelector, { matchNames: ['news'] });
  });

  test('NetworkPolicies for the operator and NATS only when enabled', async () => {
    assert.equal(byKind(await render(), 'NetworkPolicy').size, 0);
    const policies = byKind(await render({ networkPolicy: { enabled: true } }), 'NetworkPolicy');
    assert.deepEqual([...policies.keys()].sort(), ['demo-tributary-nats', operatorName]);
  });

  test('the push-listener cannot be enabled yet, and says so', async () => {
    const result = await template({ pushListener: { enabled: true } });
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /push-listener is not part of this chart version/);
  });
});
