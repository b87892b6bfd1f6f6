// The generated CRDs against a real kube-apiserver: they install, a good Stream is accepted, and
// every x-kubernetes-validations rule rejects its bad case with the rule's own message.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { KubernetesObject } from '@kubernetes/client-node';
import { type Cluster, parseManifest, REPO_ROOT, startCluster } from './index.js';

const CRD_FILES = ['crds/generated/streams.tributary.io.yaml', 'crds/generated/vodmounts.tributary.io.yaml'];

/** Every validation message in a CRD's schema, wherever it sits. */
function validationMessages(node: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(node)) for (const item of node) validationMessages(item, found);
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'x-kubernetes-validations' && Array.isArray(value)) {
        for (const rule of value as { message?: string; rule: string }[])
          found.add(rule.message ?? rule.rule);
      }
      validationMessages(value, found);
    }
  }
  return found;
}

const crds = CRD_FILES.map((file) => parseManifest(fs.readFileSync(path.join(REPO_ROOT, file), 'utf8'))[0]!);
const messages = [...new Set(crds.flatMap((crd) => [...validationMessages(crd)]))];

/** The one validation message that contains `phrase`. */
function messageFor(phrase: string): string {
  const matches = messages.filter((m) => m.includes(phrase));
  assert.equal(
    matches.length,
    1,
    `expected one CRD validation message containing "${phrase}", found: ${matches}`,
  );
  return matches[0]!;
}

type Spec = Record<string, unknown>;
const udp = (n: number) => ({ url: `udp://239.1.1.${n}:5000` });
// Bad cases get their own names unless the name is the point, so no create fails as a duplicate.
let counter = 0;
const nextName = (kind: string) => `bad-${kind}-${++counter}`;
const stream = (spec: Spec, name = nextName('stream')): KubernetesObject & { spec: Spec } => ({
  apiVersion: 'tributary.io/v1alpha1',
  kind: 'Stream',
  metadata: { name },
  spec,
});
const vodMount = (spec: Spec, name = nextName('vod')): KubernetesObject & { spec: Spec } => ({
  apiVersion: 'tributary.io/v1alpha1',
  kind: 'VodMount',
  metadata: { name },
  spec,
});

// Each bad case names a phrase of the rule's message; the rejection must carry the whole message.
const badCases: { name: string; phrase: string; object: KubernetesObject }[] = [
  {
    name: 'name longer than 52 characters',
    phrase: 'DNS-1035 label',
    object: stream({ inputs: [udp(1)] }, `a${'b'.repeat(52)}`),
  },
  {
    name: 'name that is a subdomain, not a label',
    phrase: 'DNS-1035 label',
    object: stream({ inputs: [udp(1)] }, 'news.eu'),
  },
  { name: 'no inputs', phrase: 'between 1 and 8 inputs', object: stream({ inputs: [] }) },
  { name: 'duplicate URLs', phrase: 'URLs must be unique', object: stream({ inputs: [udp(1), udp(1)] }) },
  {
    name: 'priority other than the index',
    phrase: 'priority, when given',
    object: stream({ inputs: [{ ...udp(1), priority: 1 }, udp(2)] }),
  },
  {
    name: 'headers on a udp input',
    phrase: 'headers and headersFrom are only allowed',
    object: stream({ inputs: [{ ...udp(1), headers: { 'X-Token': 'abc' } }] }),
  },
  {
    name: 'header name that is not an HTTP token',
    phrase: 'header names must be HTTP tokens',
    object: stream({ inputs: [{ url: 'https://cdn.example.com/a.m3u8', headers: { 'X Token': 'abc' } }] }),
  },
  {
    name: 'program on an rtmp input',
    phrase: 'program and pids are only allowed',
    object: stream({ inputs: [{ url: 'rtmp://origin.example.com/live/key', program: 3 }] }),
  },
  {
    name: 'pid above 8191',
    phrase: 'pids must be between 0 and 8191',
    object: stream({ inputs: [{ ...udp(1), pids: [0, 9000] }] }),
  },
  {
    name: 'publish:// without publishKeySecretRef',
    phrase: 'need publishKeySecretRef',
    object: stream({ inputs: [{ url: 'publish://' }] }),
  },
  {
    name: 'publishKeySecretRef on a pull input',
    phrase: 'publishKeySecretRef is only allowed on push inputs',
    object: stream({ inputs: [{ ...udp(1), publishKeySecretRef: { name: 'enc', key: 'key' } }] }),
  },
  {
    name: 'packetTimeout that does not parse',
    phrase: 'must be a positive duration',
    object: stream({ inputs: [udp(1)], failover: { packetTimeout: 'soon' } }),
  },
  {
    name: 'packetTimeout below its floor',
    phrase: 'failover.packetTimeout must be between 200ms and 60s',
    object: stream({ inputs: [udp(1)], failover: { packetTimeout: '100ms' } }),
  },
  {
    name: 'probeTimeout above its ceiling',
    phrase: 'failover.probeTimeout must be between 500ms and 5m',
    object: stream({ inputs: [udp(1)], failover: { probeTimeout: '10m' } }),
  },
  {
    name: 'probeAfter below its floor',
    phrase: 'failover.probeAfter must be between 1s and 1h',
    object: stream({ inputs: [udp(1)], failover: { probeAfter: '500ms' } }),
  },
  {
    name: 'failbackHoldDown above its ceiling',
    phrase: 'failover.failbackHoldDown must be between 1s and 1h',
    object: stream({ inputs: [udp(1)], failover: { failbackHoldDown: '2h' } }),
  },
  {
    name: 'unknown scheme',
    phrase: 'url must start with a supported scheme',
    object: stream({ inputs: [{ url: 'gopher://example.com/x' }] }),
  },
  {
    name: 'mixer input',
    phrase: 'mixer:// inputs are not supported',
    object: stream({ inputs: [{ url: 'mixer://a' }] }),
  },
  {
    name: 'http url of neither shape',
    phrase: 'an http(s) url must point at',
    object: stream({ inputs: [{ url: 'https://cdn.example.com/index.html' }] }),
  },
  {
    name: 'file url with an absolute path',
    phrase: 'a file url must be written',
    object: stream({ inputs: [{ url: 'file:///srv/a.ts' }] }),
  },
  {
    name: 'copy url with a path',
    phrase: 'a copy url must be written',
    object: stream({ inputs: [{ url: 'copy://other/extra' }] }),
  },
  {
    name: 'publish url with a path',
    phrase: 'write publish:// with nothing after it',
    object: stream({ inputs: [{ url: 'publish://x', publishKeySecretRef: { name: 'enc', key: 'key' } }] }),
  },
  {
    name: 'stream copying itself',
    phrase: 'cannot copy itself',
    object: stream({ inputs: [{ url: 'copy://loop' }] }, 'loop'),
  },
  {
    name: 'VodMount with two sources',
    phrase: 'exactly one of persistentVolumeClaim',
    object: vodMount({ hostPath: { path: '/srv/vod' }, configMap: { name: 'clips' } }),
  },
  {
    name: 'VodMount name over 52 characters',
    phrase: 'DNS-1035 label',
    object: vodMount({ hostPath: { path: '/srv' } }, 'v'.repeat(53)),
  },
];

function rejection(error: unknown): { code: number | undefined; message: string } {
  const e = error as { code?: number; body?: unknown };
  let body = e.body;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body);
    } catch {
      // not JSON: keep the text
    }
  }
  const message =
    typeof body === 'object' && body !== null
      ? String((body as { message?: unknown }).message)
      : String(body);
  return { code: e.code, message };
}

describe('CRDs on a real kube-apiserver', () => {
  let cluster: Cluster;
  let namespace: string;

  before(async () => {
    cluster = await startCluster();
    await cluster.apply(crds);
    namespace = await cluster.createNamespace();
  });
  after(() => cluster?.stop());

  test('both CRDs are Established and served as tributary.io/v1alpha1', async () => {
    for (const crd of crds) {
      const name = crd.metadata?.name ?? '';
      const object = await cluster.waitForCondition(
        { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', name },
        'Established',
      );
      assert.equal(object.metadata?.name, name);
    }
  });

  test('a good Stream and a good VodMount are accepted and read back', async () => {
    const good = stream({
      inputs: [
        {
          url: 'udp://239.1.1.1:5000?iface=eth1&source=10.0.0.9',
          priority: 0,
          program: 3,
          pids: [0, 4096, 256, 257],
        },
        {
          url: 'https://cdn.example.com/live/news.m3u8',
          priority: 1,
          headers: { 'X-Token': 'abc' },
          headersFrom: [{ name: 'Authorization', secretKeyRef: { name: 'cdn', key: 'auth' } }],
        },
        { url: 'srt://10.0.0.5:9000?latency=200', params: { latency: '200' } },
        { url: 'file://library/clips/loop.ts' },
        { url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } },
      ],
      failover: { packetTimeout: '1s', probeAfter: '8s', probeTimeout: '1.5s', failbackHoldDown: '1m30s' },
    });
    await cluster.objects.create({ ...good, metadata: { name: 'news', namespace } });
    const library = vodMount({ hostPath: { path: '/srv/vod' } }, 'library');
    await cluster.objects.create({ ...library, metadata: { name: 'library', namespace } });
    const read = await cluster.read<typeof good>({
      apiVersion: 'tributary.io/v1alpha1',
      kind: 'Stream',
      name: 'news',
      namespace,
    });
    assert.ok(read, 'the Stream reads back');
    assert.equal((read.spec.inputs as unknown[]).length, 5);
  });

  test('nine inputs are rejected (the schema allows at most 8)', async () => {
    const object = stream({ inputs: Array.from({ length: 9 }, (_, i) => udp(i + 1)) }, 'too-many');
    await assert.rejects(
      cluster.objects.create({ ...object, metadata: { name: 'too-many', namespace } }),
      (error) => {
        const { code, message } = rejection(error);
        assert.equal(code, 422);
        assert.match(message, /8/);
        return true;
      },
    );
  });

  for (const bad of badCases) {
    test(`rejects ${bad.name}`, async () => {
      const expected = messageFor(bad.phrase);
      const object = { ...bad.object, metadata: { ...bad.object.metadata, namespace } };
      await assert.rejects(cluster.objects.create(object), (error) => {
        const { code, message } = rejection(error);
        assert.equal(code, 422, message);
        assert.ok(message.includes(expected), `expected "${expected}" in: ${message}`);
        return true;
      });
    });
  }

  test('every validation rule in the CRDs has a bad case above', () => {
    const covered = new Set(badCases.map((c) => messageFor(c.phrase)));
    const uncovered = messages.filter((m) => !covered.has(m));
    assert.deepEqual(uncovered, [], 'add a bad case for each new rule');
  });
});
