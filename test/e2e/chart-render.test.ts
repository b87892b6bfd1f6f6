// The chart without a cluster: lint, the values schema, and what `helm template` renders for
// each toggle. Server-side validation of the same output is in chart-dryrun.test.ts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import type {
  KubernetesObject,
  V1ClusterRole,
  V1ConfigMap,
  V1Deployment,
  V1NetworkPolicy,
  V1PodDisruptionBudget,
  V1PolicyRule,
  V1Role,
  V1Secret,
  V1Service,
  V1ServiceAccount,
  V1StatefulSet,
  V2HorizontalPodAutoscaler,
} from '@kubernetes/client-node';
import { generateSeeds, NatsAuthority } from '../../operator/src/nats-auth/authority.js';
import { parseOptions, USAGE } from '../../operator/src/options.js';
import { INGEST_APP, LABEL_APP } from '../../operator/src/reconcile/pod-manifest.js';
import { parseManifest, REPO_ROOT } from '../../tools/cluster/index.js';
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
/** `helm install --dry-run=client` of the chart as release `demo` with `--set` values: NOTES included. */
function dryRunInstall(...sets: string[]) {
  return helm([
    'install',
    'demo',
    CHART_DIR,
    '--dry-run=client',
    '--namespace',
    'tributary-system',
    ...sets.flatMap((set) => ['--set', set]),
  ]);
}

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
  // Variables the pod spec needs for itself (Node reads NODE_EXTRA_CA_CERTS), not options of the operator.
  const podOnly = new Set(['POD_IP', 'NODE_EXTRA_CA_CERTS']);

  test('every environment variable is an operator option', async () => {
    const known = new Set([...USAGE.matchAll(/\[([A-Z_, ]+)\]/g)].flatMap((m) => m[1]!.split(/,\s*/)));
    const sharedCredentials = {
      nats: {
        enabled: false,
        url: 'nats://n:4222',
        auth: { enabled: false },
        credentials: { secretName: 's' },
      },
    };
    const authAndTls = {
      nats: { tls: { enabled: true, secretName: 'nats-tls' } },
      pushListener: { enabled: true },
      buffer: { enabled: true, namespaces: ['news'] },
    };
    for (const values of [sharedCredentials, authAndTls]) {
      const deployment = byKind<V1Deployment>(await render(values), 'Deployment').get(operatorName)!;
      for (const name of envOf(deployment).keys())
        assert.ok(
          known.has(name) || podOnly.has(name),
          `${name} is not read by the operator (operator/src/options.ts)`,
        );
    }
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
    const own = objects.find(
      (o) => o.kind === 'Role' && o.metadata?.name === `${operatorName}-own-secrets`,
    ) as V1Role;
    assert.equal(
      own.metadata?.namespace,
      'tributary-system',
      "the operator's own Secrets, in the release namespace",
    );
    assert.deepEqual(own.rules?.[0]?.verbs, ['get', 'create', 'patch']);
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
    assert.match(text, /include \.\/auth\.conf/, 'authorization by default');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-nats-conf-'));
    try {
      // The auth.conf the operator writes into the Secret the server's pod mounts beside nats.conf.
      const authority = new NatsAuthority(generateSeeds(), 'tributary');
      fs.writeFileSync(path.join(dir, 'auth.conf'), await authority.serverConfig());
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
      nats: {
        enabled: false,
        url: 'tls://nats.messaging:4222',
        auth: { enabled: false },
        credentials: { secretName: 'nats-user' },
      },
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

  test('authorization by default: the operator gets the authority Secret and mints for the listener', async () => {
    const objects = await render({ pushListener: { enabled: true } });
    const env = envOf(byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!);
    assert.equal(env.get('NATS_AUTH_SECRET'), 'demo-tributary-nats-auth');
    assert.equal(env.get('READER_NATS_SECRET'), 'tributary-nats-reader');
    assert.equal(env.get('PUSH_LISTENER_NATS_SECRET'), 'demo-tributary-push-listener-nats');
    assert.equal(env.get('NATS_CREDS'), undefined, 'the operator mints its own credential');
    const set = [...byKind<V1StatefulSet>(objects, 'StatefulSet').values()][0]!;
    const sources =
      set.spec?.template.spec?.volumes?.find((v) => v.name === 'config')?.projected?.sources ?? [];
    assert.deepEqual(
      sources.map((s) => s.configMap?.name ?? s.secret?.name),
      ['demo-tributary-nats', 'demo-tributary-nats-auth'],
      'nats.conf and the auth.conf it includes, side by side',
    );
    const listener = byKind<V1Deployment>(objects, 'Deployment').get('demo-tributary-push-listener')!;
    assert.ok(
      listener.spec?.template.spec?.volumes?.some(
        (v) => v.secret?.secretName === 'demo-tributary-push-listener-nats',
      ),
    );
    const shared = await template({ nats: { credentials: { secretName: 'x' } } });
    assert.notEqual(shared.code, 0);
    assert.match(shared.stderr, /nats\.credentials\.secretName is for an existing NATS without nats\.auth/);
  });

  test('TLS: the server serves the Secret, clients use tls:// and trust its CA', async () => {
    const objects = await render({ nats: { tls: { enabled: true, secretName: 'nats-tls' } } });
    const operator = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    const env = envOf(operator);
    assert.equal(env.get('NATS_URL'), 'tls://demo-tributary-nats.tributary-system.svc:4222');
    const caVolume = operator.spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === 'nats-tls');
    const caMount = operator.spec?.template.spec?.containers[0]?.volumeMounts?.find(
      (m) => m.name === caVolume?.name,
    );
    assert.equal(env.get('NATS_CA_FILE'), `${caMount?.mountPath}/ca.crt`);
    assert.equal(env.get('NODE_EXTRA_CA_CERTS'), env.get('NATS_CA_FILE'));
    const conf =
      byKind<V1ConfigMap>(objects, 'ConfigMap').get('demo-tributary-nats')!.data?.['nats.conf'] ?? '';
    assert.match(conf, /tls \{\s+cert_file: \/etc\/nats\/tls\.crt\s+key_file: \/etc\/nats\/tls\.key/);
    const noAuth = await template({
      nats: { auth: { enabled: false }, tls: { enabled: true, secretName: 'x' } },
    });
    assert.match(noAuth.stderr, /nats\.tls\.enabled needs nats\.auth\.enabled/);
    const noSecret = await template({ nats: { tls: { enabled: true } } });
    assert.match(noSecret.stderr, /nats\.tls\.secretName is required/);
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

  test('NetworkPolicies for the operator and NATS by default; NATS admits only its clients', async () => {
    assert.equal(byKind(await render({ networkPolicy: { enabled: false } }), 'NetworkPolicy').size, 0);
    const policies = byKind<V1NetworkPolicy>(await render(), 'NetworkPolicy');
    assert.deepEqual([...policies.keys()].sort(), ['demo-tributary-nats', operatorName]);
    type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown };
    const [clients] = (policies.get('demo-tributary-nats')?.spec?.ingress ?? []) as { from?: Peer[] }[];
    const admitted = (clients?.from ?? []).map((peer) => peer.podSelector?.matchLabels ?? {});
    assert.ok(
      admitted.every((labels) => Object.keys(labels).length > 0),
      'no peer admits every pod',
    );
    assert.deepEqual(
      admitted.map(
        (l) =>
          l['app.kubernetes.io/component'] ?? l['app.kubernetes.io/name'] ?? l['tributary.io/nats-client'],
      ),
      ['operator', 'push-listener', 'tributary-ingest', 'true'],
    );
  });
});

describe('push-listener', () => {
  const listenerName = 'demo-tributary-push-listener';
  const keySecret = 'demo-tributary-push-sealing-key';
  const enabled = (extra: Values = {}): Values => ({
    ...extra,
    pushListener: { enabled: true, publicHost: 'push.example.com', ...(extra.pushListener as object) },
  });
  const ofListener = (objects: KubernetesObject[]) =>
    objects.filter((o) => o.metadata?.labels?.['app.kubernetes.io/component'] === 'push-listener');

  test('disabled by default: nothing of the listener, and the operator gets no push settings', async () => {
    const objects = await render({ networkPolicy: { enabled: true }, serviceMonitor: { enabled: true } });
    assert.deepEqual(ofListener(objects), []);
    const operator = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    for (const name of envOf(operator).keys()) assert.doesNotMatch(name, /^PUSH_/);
    assert.ok(!operator.spec?.template.spec?.volumes?.some((v) => v.name === 'push-sealing-key'));
  });

  test('enabled: Deployment, Service, metrics Service, PDB, ServiceAccount and key Secret', async () => {
    const objects = ofListener(await render(enabled()));
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort(), [
      `Deployment/${listenerName}`,
      `NetworkPolicy/${listenerName}`,
      `PodDisruptionBudget/${listenerName}`,
      `Secret/${keySecret}`,
      `Service/${listenerName}`,
      'Service/demo-tributary-push-metrics',
      `ServiceAccount/${listenerName}`,
    ]);
  });

  test('the listener pod: the ingest image, ports, probes, NATS, the key file, locked down', async () => {
    const values = enabled({
      ingest: { image: { repository: 'registry.example/ingest', tag: '2.0.0' } },
      nats: {
        enabled: false,
        url: 'nats://nats.messaging:4222',
        auth: { enabled: false },
        credentials: { secretName: 'nats-user' },
      },
    });
    const deployment = byKind<V1Deployment>(await render(values), 'Deployment').get(listenerName)!;
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    assert.equal(container.image, 'registry.example/ingest:2.0.0');
    assert.equal(container.args?.[0], 'push-listener');
    assert.ok(container.args?.includes('--subject-prefix=tributary'));
    assert.deepEqual(
      container.ports?.map((p) => `${p.name} ${p.containerPort}/${p.protocol}`),
      ['rtmp 1935/TCP', 'srt 9000/UDP', 'metrics 8080/TCP'],
    );
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.livenessProbe?.httpGet?.port, 'metrics');
    const env = envOf(deployment);
    assert.equal(env.get('NATS_URL'), 'nats://nats.messaging:4222');
    assert.equal(env.get('NATS_CREDS'), '/etc/tributary/nats/nats.creds');
    const keyFile = env.get('PUSH_SEALING_KEY_FILE') ?? '';
    const keyVolume = pod.volumes?.find((v) => v.secret?.secretName === keySecret);
    const keyMount = container.volumeMounts?.find((m) => m.name === keyVolume?.name);
    assert.equal(keyFile, `${keyMount?.mountPath}/${keyVolume?.secret?.items?.[0]?.path}`);
    assert.ok(pod.volumes?.some((v) => v.secret?.secretName === 'nats-user'));
    const dataDir = container.args?.find((a) => a.startsWith('--data-dir='))?.split('=')[1];
    const dataMount = container.volumeMounts?.find((m) => m.mountPath === dataDir);
    assert.ok(pod.volumes?.find((v) => v.name === dataMount?.name)?.emptyDir, 'a writable emptyDir data dir');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, listenerName);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
    assert.ok((pod.terminationGracePeriodSeconds ?? 0) >= 20, 'time to drain');
    assert.equal(deployment.spec?.replicas, 2);
    const sa = byKind<V1ServiceAccount>(await render(values), 'ServiceAccount').get(listenerName)!;
    assert.equal(sa.automountServiceAccountToken, false);
  });

  test('one Service with RTMP over TCP and SRT over UDP, and its load balancer settings', async () => {
    const service = {
      type: 'LoadBalancer',
      rtmpPort: 1936,
      srtPort: 9010,
      annotations: { 'lb.example/kind': 'nlb' },
      externalTrafficPolicy: 'Local',
      loadBalancerIP: '203.0.113.7',
      loadBalancerClass: 'lb.example/l4',
      loadBalancerSourceRanges: ['198.51.100.0/24'],
    };
    const objects = await render(enabled({ pushListener: { service } }));
    const svc = byKind<V1Service>(objects, 'Service').get(listenerName)!;
    assert.equal(svc.spec?.type, 'LoadBalancer');
    assert.deepEqual(
      svc.spec?.ports?.map((p) => `${p.name} ${p.port}->${p.targetPort}/${p.protocol}`),
      ['rtmp 1936->rtmp/TCP', 'srt 9010->srt/UDP'],
    );
    assert.equal(svc.metadata?.annotations?.['lb.example/kind'], 'nlb');
    assert.equal(svc.spec?.externalTrafficPolicy, 'Local');
    assert.equal(svc.spec?.loadBalancerIP, '203.0.113.7');
    assert.equal(svc.spec?.loadBalancerClass, 'lb.example/l4');
    assert.deepEqual(svc.spec?.loadBalancerSourceRanges, ['198.51.100.0/24']);
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(listenerName)!;
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(svc.spec?.selector ?? {})) assert.equal(podLabels[key], value);
    assert.ok(!svc.spec?.ports?.some((p) => p.name === 'metrics'), 'metrics stay off the public Service');
    const clusterIp = byKind<V1Service>(
      await render(enabled({ pushListener: { service: { type: 'ClusterIP' } } })),
      'Service',
    ).get(listenerName)!;
    assert.equal(clusterIp.spec?.externalTrafficPolicy, undefined);
  });

  test('a PDB that selects the listener pods', async () => {
    const objects = await render(enabled());
    const pdb = byKind<V1PodDisruptionBudget>(objects, 'PodDisruptionBudget').get(listenerName)!;
    assert.equal(pdb.spec?.maxUnavailable, 1);
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(listenerName)!;
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(pdb.spec?.selector?.matchLabels ?? {}))
      assert.equal(podLabels[key], value, `PDB selector ${key}`);
    const none = await render(enabled({ pushListener: { podDisruptionBudget: { enabled: false } } }));
    assert.equal(byKind(none, 'PodDisruptionBudget').has(listenerName), false);
  });

  test('an HPA on CPU only when autoscaling is enabled; then the Deployment leaves replicas to it', async () => {
    assert.equal(byKind(await render(enabled()), 'HorizontalPodAutoscaler').size, 0);
    const autoscaling = {
      enabled: true,
      minReplicas: 3,
      maxReplicas: 12,
      targetCPUUtilizationPercentage: 60,
    };
    const objects = await render(enabled({ pushListener: { autoscaling } }));
    const hpa = byKind<V2HorizontalPodAutoscaler>(objects, 'HorizontalPodAutoscaler').get(listenerName)!;
    assert.equal(hpa.spec?.scaleTargetRef.name, listenerName);
    assert.equal(hpa.spec?.minReplicas, 3);
    assert.equal(hpa.spec?.maxReplicas, 12);
    assert.equal(hpa.spec?.metrics?.[0]?.resource?.target.averageUtilization, 60);
    assert.equal(byKind<V1Deployment>(objects, 'Deployment').get(listenerName)?.spec?.replicas, undefined);
    const inverted = await template(
      enabled({ pushListener: { autoscaling: { ...autoscaling, minReplicas: 20 } } }),
    );
    assert.notEqual(inverted.code, 0);
    assert.match(inverted.stderr, /minReplicas must not exceed maxReplicas/);
  });

  test('a NetworkPolicy: media ports from anywhere, metrics from the scrapers only', async () => {
    const selector = { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } };
    const objects = await render(
      enabled({ networkPolicy: { enabled: true, metricsNamespaceSelector: selector } }),
    );
    const policy = byKind<V1NetworkPolicy>(objects, 'NetworkPolicy').get(listenerName)!;
    // As YAML has it: the client library's model calls the field `_from`.
    type Rule = { from?: unknown; ports?: { port?: string | number; protocol?: string }[] };
    const [media, metrics] = (policy.spec?.ingress ?? []) as Rule[];
    assert.equal(media?.from, undefined, 'encoders publish from anywhere');
    assert.deepEqual(
      media?.ports?.map((p) => `${p.port}/${p.protocol}`),
      ['rtmp/TCP', 'srt/UDP'],
    );
    assert.deepEqual(metrics?.from, [{ namespaceSelector: selector }]);
    assert.deepEqual(
      metrics?.ports?.map((p) => `${p.port}/${p.protocol}`),
      ['metrics/TCP'],
    );
    assert.equal(
      byKind(await render(enabled({ networkPolicy: { enabled: false } })), 'NetworkPolicy').size,
      0,
    );
  });

  test('the generated key is P-256 and the operator, given the rendered env, reads its public half', async () => {
    const objects = await render(enabled());
    const secret = byKind<V1Secret>(objects, 'Secret').get(keySecret)!;
    const pem = Buffer.from(secret.data?.['sealing-key.pem'] ?? '', 'base64').toString();
    assert.match(pem, /BEGIN EC PRIVATE KEY/);
    const operator = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    const env = envOf(operator);
    assert.equal(env.get('PUSH_RTMP_URL'), 'rtmp://push.example.com');
    assert.equal(env.get('PUSH_SRT_URL'), 'srt://push.example.com:9000');
    const pod = operator.spec?.template.spec;
    const volume = pod?.volumes?.find((v) => v.secret?.secretName === keySecret);
    const mount = pod?.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name);
    assert.equal(env.get('PUSH_SEALING_KEY_FILE'), `${mount?.mountPath}/${volume?.secret?.items?.[0]?.path}`);
    // The key file where the pod would see it, then the operator's own option parsing.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tributary-push-key-'));
    try {
      const file = path.join(dir, 'sealing-key.pem');
      fs.writeFileSync(file, pem);
      const options = parseOptions([], {
        PUSH_SEALING_KEY_FILE: file,
        PUSH_RTMP_URL: env.get('PUSH_RTMP_URL'),
      });
      const publicKey = createPublicKey({
        key: Buffer.from(options.push.listenerKey ?? '', 'base64'),
        format: 'der',
        type: 'spki',
      });
      assert.equal(publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
      assert.equal(options.push.rtmp, 'rtmp://push.example.com');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('an existing key Secret is used instead of a generated one', async () => {
    const values = enabled({ pushListener: { sealingKey: { existingSecret: 'my-key', key: 'key.pem' } } });
    const objects = await render(values);
    assert.equal(byKind(objects, 'Secret').size, 0);
    for (const name of [listenerName, operatorName]) {
      const deployment = byKind<V1Deployment>(objects, 'Deployment').get(name)!;
      const volume = deployment.spec?.template.spec?.volumes?.find((v) => v.secret?.secretName === 'my-key');
      assert.equal(volume?.secret?.items?.[0]?.key, 'key.pem', name);
      assert.match(envOf(deployment).get('PUSH_SEALING_KEY_FILE') ?? '', /\/key\.pem$/);
    }
  });

  test('without publicHost the endpoints use the in-cluster name; a non-default RTMP port is kept', async () => {
    const values: Values = { pushListener: { enabled: true, service: { rtmpPort: 1936 } } };
    const env = envOf(byKind<V1Deployment>(await render(values), 'Deployment').get(operatorName)!);
    assert.equal(env.get('PUSH_RTMP_URL'), `rtmp://${listenerName}.tributary-system.svc:1936`);
    assert.equal(env.get('PUSH_SRT_URL'), `srt://${listenerName}.tributary-system.svc:9000`);
  });

  test('NOTES say where encoders publish', async () => {
    const result = await dryRunInstall(
      'pushListener.enabled=true',
      'pushListener.publicHost=push.example.com',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /server rtmp:\/\/push\.example\.com\/<namespace> +stream key <stream>\?key=/);
    assert.match(
      result.stdout,
      /srt:\/\/push\.example\.com:9000\?streamid=#!::r=<namespace>\/<stream>,m=publish/,
    );
    assert.doesNotMatch(result.stdout, /not available|not part of this chart/i);
  });

  test('the schema rejects bad values, naming them', async () => {
    for (const [values, name] of [
      [{ replicas: 'two' }, /\/pushListener\/replicas/],
      [{ service: { type: 'ExternalName' } }, /\/pushListener\/service\/type/],
      [{ service: { srtPort: 70000 } }, /\/pushListener\/service\/srtPort/],
      [{ service: { externalTrafficPolicy: 'Nearest' } }, /externalTrafficPolicy/],
      [{ publicHost: 'rtmp://push.example.com' }, /\/pushListener\/publicHost/],
      [{ autoscaling: { enabled: 'yes' } }, /\/pushListener\/autoscaling\/enabled/],
      [{ replicaz: 2 }, /replicaz/],
    ] as const) {
      const result = await template({ pushListener: { enabled: true, ...values } });
      assert.notEqual(result.code, 0, JSON.stringify(values));
      assert.match(result.stderr, name);
    }
  });

  test('the in-chart NATS must run JetStream, where the routes live', async () => {
    const result = await template(enabled({ nats: { jetstream: { enabled: false } } }));
    assert.notEqual(result.code, 0);
    assert.match(result.stderr, /pushListener\.enabled needs nats\.jetstream\.enabled/);
  });
});

describe('buffer', () => {
  const bufferName = 'demo-tributary-buffer';
  const enabled = (extra: Values = {}): Values => ({
    ...extra,
    buffer: { enabled: true, ...(extra.buffer as object) },
  });
  const ofBuffer = (objects: KubernetesObject[]) =>
    objects.filter((o) => o.metadata?.labels?.['app.kubernetes.io/component'] === 'buffer');
  const bufferOf = async (values: Values) =>
    byKind<V1Deployment>(await render(values), 'Deployment').get(bufferName)!;
  type Peer = { podSelector?: { matchLabels?: Record<string, string> }; namespaceSelector?: unknown };
  const natsPeers = (objects: KubernetesObject[]) => {
    const policy = byKind<V1NetworkPolicy>(objects, 'NetworkPolicy').get('demo-tributary-nats');
    const [clients] = (policy?.spec?.ingress ?? []) as { from?: Peer[] }[];
    return clients?.from ?? [];
  };

  test('disabled by default: nothing of the buffer, and the operator mints no credential for it', async () => {
    const objects = await render({ networkPolicy: { enabled: true }, serviceMonitor: { enabled: true } });
    assert.deepEqual(ofBuffer(objects), []);
    const operator = byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!;
    for (const name of envOf(operator).keys()) assert.doesNotMatch(name, /^BUFFER_/);
    assert.ok(
      !natsPeers(objects).some(
        (p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'buffer',
      ),
    );
  });

  test('enabled: Deployment, Service, metrics Service, ServiceAccount and NetworkPolicy', async () => {
    const objects = ofBuffer(await render(enabled()));
    assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata?.name}`).sort(), [
      `Deployment/${bufferName}`,
      `NetworkPolicy/${bufferName}`,
      `Service/${bufferName}`,
      `Service/${bufferName}-metrics`,
      `ServiceAccount/${bufferName}`,
    ]);
  });

  test('the buffer pod: the ingest image, args, ports, probes, limits, locked down', async () => {
    const values = enabled({
      ingest: { image: { repository: 'registry.example/ingest', tag: '2.0.0' } },
      nats: { subjectPrefix: 'tv' },
      buffer: { namespaces: ['news', 'sports'], windowSeconds: 45, maxMbPerStream: 128 },
    });
    const deployment = await bufferOf(values);
    const pod = deployment.spec!.template.spec!;
    const container = pod.containers[0]!;
    assert.equal(container.image, 'registry.example/ingest:2.0.0');
    assert.deepEqual(container.args, [
      'buffer',
      '--host=0.0.0.0',
      '--port=8000',
      '--metrics-port=8080',
      '--subject-prefix=tv',
      '--window-seconds=45',
      '--max-mb-per-stream=128',
      '--namespace=news',
      '--namespace=sports',
    ]);
    assert.deepEqual(
      container.ports?.map((p) => `${p.name} ${p.containerPort}/${p.protocol}`),
      ['http 8000/TCP', 'metrics 8080/TCP'],
    );
    assert.equal(container.livenessProbe?.httpGet?.path, '/healthz');
    assert.equal(container.readinessProbe?.httpGet?.path, '/readyz');
    assert.equal(container.livenessProbe?.httpGet?.port, 'metrics');
    assert.equal(container.readinessProbe?.httpGet?.port, 'metrics');
    assert.deepEqual(container.resources, {
      requests: { cpu: '100m', memory: '256Mi' },
      limits: { memory: '1Gi' },
    });
    assert.equal(deployment.spec?.replicas, 1);
    const labels = deployment.spec?.template.metadata?.labels ?? {};
    assert.equal(labels['tributary.io/nats-client'], 'true', 'the NATS NetworkPolicy admits it');
    assert.equal(labels['app.kubernetes.io/component'], 'buffer');
    assert.equal(pod.automountServiceAccountToken, false);
    assert.equal(pod.serviceAccountName, bufferName);
    assert.equal(pod.securityContext?.runAsNonRoot, true);
    assert.equal(container.securityContext?.readOnlyRootFilesystem, true);
    assert.equal(container.securityContext?.allowPrivilegeEscalation, false);
    assert.deepEqual(container.securityContext?.capabilities?.drop, ['ALL']);
    const tmp = container.volumeMounts?.find((m) => m.mountPath === '/tmp');
    assert.ok(pod.volumes?.find((v) => v.name === tmp?.name)?.emptyDir, 'a writable /tmp');
    const objects = await render(values);
    const sa = byKind<V1ServiceAccount>(objects, 'ServiceAccount').get(bufferName)!;
    assert.equal(sa.automountServiceAccountToken, false);
    const svc = byKind<V1Service>(objects, 'Service').get(bufferName)!;
    assert.deepEqual(
      svc.spec?.ports?.map((p) => `${p.name} ${p.port}->${p.targetPort}/${p.protocol}`),
      ['http 8000->http/TCP'],
    );
    assert.equal(svc.spec?.type, 'ClusterIP');
    const metrics = byKind<V1Service>(objects, 'Service').get(`${bufferName}-metrics`)!;
    assert.deepEqual(
      metrics.spec?.ports?.map((p) => `${p.name} ${p.port}->${p.targetPort}`),
      ['metrics 8080->metrics'],
    );
    for (const service of [svc, metrics])
      for (const [key, value] of Object.entries(service.spec?.selector ?? {}))
        assert.equal(labels[key], value, `${service.metadata?.name} selects the buffer pods (${key})`);
  });

  test('NATS from the credential the operator writes for it, in the namespaces it buffers', async () => {
    const objects = await render(enabled({ buffer: { namespaces: ['news', 'sports'] } }));
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(bufferName)!;
    const pod = deployment.spec!.template.spec!;
    const env = envOf(deployment);
    assert.equal(env.get('NATS_URL'), 'nats://demo-tributary-nats.tributary-system.svc:4222');
    const volume = pod.volumes?.find((v) => v.secret?.secretName === 'demo-tributary-buffer-nats');
    const mount = pod.containers[0]?.volumeMounts?.find((m) => m.name === volume?.name);
    assert.equal(env.get('NATS_CREDS'), `${mount?.mountPath}/${volume?.secret?.items?.[0]?.path}`);
    assert.equal(mount?.readOnly, true);
    // The operator, given the rendered environment, writes that Secret with those namespaces.
    const operatorEnv = envOf(byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!);
    assert.equal(operatorEnv.get('BUFFER_NATS_SECRET'), 'demo-tributary-buffer-nats');
    assert.equal(operatorEnv.get('BUFFER_NAMESPACES'), 'news,sports');
    const rendered: Record<string, string> = { POD_NAMESPACE: 'tributary-system' };
    for (const [name, value] of operatorEnv) if (value !== undefined) rendered[name] = value;
    const options = parseOptions([], rendered);
    assert.deepEqual(options.natsAuth?.buffer, {
      secret: volume?.secret?.secretName,
      namespaces: ['news', 'sports'],
    });
    assert.equal(
      options.natsAuth?.namespace,
      'tributary-system',
      'beside the buffer, in the release namespace',
    );
    const everyNamespace = envOf(
      byKind<V1Deployment>(await render(enabled()), 'Deployment').get(operatorName)!,
    );
    assert.equal(everyNamespace.get('BUFFER_NAMESPACES'), '');
    assert.ok(
      !(await bufferOf(enabled())).spec?.template.spec?.containers[0]?.args?.some((a) =>
        a.startsWith('--namespace'),
      ),
    );
  });

  test('with TLS the CA comes with the credential; without authorization the shared credential is mounted', async () => {
    const tls = await bufferOf(enabled({ nats: { tls: { enabled: true, secretName: 'nats-tls' } } }));
    const items = tls.spec?.template.spec?.volumes?.find((v) => v.name === 'nats-credentials')?.secret?.items;
    assert.deepEqual(
      items?.map((i) => i.path),
      ['nats.creds', 'ca.crt'],
    );
    assert.equal(envOf(tls).get('NODE_EXTRA_CA_CERTS'), '/etc/tributary/nats/ca.crt');
    assert.equal(envOf(tls).get('NATS_URL'), 'tls://demo-tributary-nats.tributary-system.svc:4222');
    const shared = enabled({
      nats: {
        enabled: false,
        url: 'nats://nats.messaging:4222',
        auth: { enabled: false },
        credentials: { secretName: 'nats-user', key: 'user.creds' },
      },
    });
    const objects = await render(shared);
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(bufferName)!;
    assert.equal(envOf(deployment).get('NATS_CREDS'), '/etc/tributary/nats/user.creds');
    assert.ok(deployment.spec?.template.spec?.volumes?.some((v) => v.secret?.secretName === 'nats-user'));
    const operatorEnv = envOf(byKind<V1Deployment>(objects, 'Deployment').get(operatorName)!);
    assert.equal(operatorEnv.get('BUFFER_NATS_SECRET'), undefined, 'nothing to mint without authorization');
    const open = await bufferOf(enabled({ nats: { auth: { enabled: false } } }));
    assert.equal(envOf(open).get('NATS_CREDS'), undefined);
    assert.ok(!open.spec?.template.spec?.volumes?.some((v) => v.name === 'nats-credentials'));
  });

  test("the console shows the push-listener's publish URLs when it runs", async () => {
    const args = async (values: Values) =>
      (await bufferOf(values)).spec?.template.spec?.containers[0]?.args ?? [];
    assert.ok(!(await args(enabled())).some((a) => a.startsWith('--push-')));
    const withListener = await args(
      enabled({
        pushListener: { enabled: true, publicHost: 'push.example.com', service: { srtPort: 9010 } },
      }),
    );
    assert.ok(withListener.includes('--push-rtmp-url=rtmp://push.example.com'));
    assert.ok(withListener.includes('--push-srt-url=srt://push.example.com:9010'));
  });

  test('a NetworkPolicy: media and console from the cluster, metrics from the scrapers; NATS admits the buffer', async () => {
    const scrapers = { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } };
    const objects = await render(enabled({ networkPolicy: { metricsNamespaceSelector: scrapers } }));
    const policy = byKind<V1NetworkPolicy>(objects, 'NetworkPolicy').get(bufferName)!;
    type Rule = { from?: unknown; ports?: { port?: string | number; protocol?: string }[] };
    const [media, metrics] = (policy.spec?.ingress ?? []) as Rule[];
    assert.deepEqual(media?.from, [{ namespaceSelector: {} }], 'every namespace of the cluster');
    assert.deepEqual(
      media?.ports?.map((p) => `${p.port}/${p.protocol}`),
      ['http/TCP'],
    );
    assert.deepEqual(metrics?.from, [{ namespaceSelector: scrapers }]);
    assert.deepEqual(
      metrics?.ports?.map((p) => `${p.port}/${p.protocol}`),
      ['metrics/TCP'],
    );
    const deployment = byKind<V1Deployment>(objects, 'Deployment').get(bufferName)!;
    const podLabels = deployment.spec?.template.metadata?.labels ?? {};
    for (const [key, value] of Object.entries(policy.spec?.podSelector?.matchLabels ?? {}))
      assert.equal(podLabels[key], value);
    // Admitted by NATS even when natsClientNamespaceSelector leaves out the release namespace.
    const narrowed = await render(
      enabled({ networkPolicy: { natsClientNamespaceSelector: { matchLabels: { streams: 'yes' } } } }),
    );
    const own = natsPeers(narrowed).find(
      (p) => p.podSelector?.matchLabels?.['app.kubernetes.io/component'] === 'buffer',
    );
    assert.ok(own, 'a peer for the buffer pods');
    assert.equal(own.namespaceSelector, undefined, 'in the release namespace');
    for (const [key, value] of Object.entries(own.podSelector?.matchLabels ?? {}))
      assert.equal(podLabels[key], value);
    const viewers = { matchLabels: { team: 'video' } };
    const limited = await render(enabled({ networkPolicy: { bufferClientNamespaceSelector: viewers } }));
    const [limitedMedia] = (byKind<V1NetworkPolicy>(limited, 'NetworkPolicy').get(bufferName)?.spec
      ?.ingress ?? []) as Rule[];
    assert.deepEqual(limitedMedia?.from, [{ namespaceSelector: viewers }]);
    assert.equal(
      byKind(await render(enabled({ networkPolicy: { enabled: false } })), 'NetworkPolicy').size,
      0,
    );
  });

  test('a ServiceMonitor on the metrics Service only when asked for', async () => {
    const monitorsOf = async (values: Values) =>
      (await render(values)).filter((o) => o.kind === 'ServiceMonitor' && o.metadata?.name === bufferName);
    assert.equal((await monitorsOf(enabled())).length, 0);
    const [monitor] = (await monitorsOf(
      enabled({ serviceMonitor: { enabled: true } }),
    )) as (KubernetesObject & {
      spec: { endpoints: { port: string }[] };
    })[];
    assert.deepEqual(
      monitor?.spec.endpoints.map((e) => e.port),
      ['metrics'],
    );
  });

  test('NOTES say how to open the console', async () => {
    const result = await dryRunInstall('buffer.enabled=true');
    assert.equal(result.code, 0, result.stderr);
    assert.match(
      result.stdout,
      /kubectl -n tributary-system port-forward svc\/demo-tributary-buffer 8000:8000\n\s+then http:\/\/127\.0\.0\.1:8000\//,
    );
    const off = await dryRunInstall();
    assert.doesNotMatch(off.stdout, /port-forward svc\/demo-tributary-buffer/);
  });

  test('the schema rejects bad values, naming them', async () => {
    for (const [values, name] of [
      [{ replicas: 0 }, /\/buffer\/replicas/],
      [{ namespaces: ['News'] }, /\/buffer\/namespaces\/0/],
      [{ namespaces: 'news' }, /\/buffer\/namespaces/],
      [{ windowSeconds: 0 }, /\/buffer\/windowSeconds/],
      [{ maxMbPerStream: 'lots' }, /\/buffer\/maxMbPerStream/],
      [{ service: { port: 70000 } }, /\/buffer\/service\/port/],
      [{ windowSecs: 30 }, /windowSecs/],
    ] as const) {
      const result = await template({ buffer: { enabled: true, ...values } });
      assert.notEqual(result.code, 0, JSON.stringify(values));
      assert.match(result.stderr, name);
    }
  });
});
