// The operator's gates on privileged pod settings and its Secret access, against a real
// kube-apiserver, with the operator's requests recorded by a proxy in front of the apiserver.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { StreamSpec } from '@tributary/crds';
import { mergePatch } from '../../tools/cluster/agent/api.js';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import { ApiProxy } from './api-proxy.js';
import {
  condition,
  eventsFor,
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  problemsLogged,
  readPod,
  startOperator,
  startOperatorCluster,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const LABEL = 'tributary.io/ingest';
const udp = { url: 'udp://127.0.0.1:5000' };
const withHeader = (secret: string): StreamSpec => ({
  inputs: [
    udp,
    {
      url: 'https://cdn.example/live.m3u8',
      headersFrom: [{ name: 'Authorization', secretKeyRef: { name: secret, key: 'auth' } }],
    },
  ],
});

/** The operator's requests for Secrets: to lists and watches, and to single Secrets. */
/**
 * The operator's Secret requests: list/watch (`collection`) and, in the Streams' namespace, reads
 * of single Secrets. Its own Secret (the digest key, in its namespace) must be all it touches there.
 */
function secretRequests(proxy: ApiProxy, streamNamespace: string) {
  const all = proxy.requests.filter((r) => /\/secrets(\/|\?|$)/.test(r.url));
  const own = all.filter((r) => r.url.includes(`/namespaces/${OPERATOR_NAMESPACE}/secrets`));
  for (const r of own) assert.match(r.url, /\/secrets(\/[^/?]*-digest-key)?(\?|$)/, `${r.method} ${r.url}`);
  const objects = all.filter(
    (r) => r.url.includes(`/namespaces/${streamNamespace}/secrets/`) && /\/secrets\/[^/?]+/.test(r.url),
  );
  const names = new Set(
    objects.map((r) => decodeURIComponent(r.url.replace(/^.*\/secrets\/([^/?]+).*$/, '$1'))),
  );
  const collection = all.filter((r) => !own.includes(r) && /\/secrets(\?|$)/.test(r.url));
  return { collection, objects, names };
}

describe('operator: gates and Secrets', () => {
  let cluster: Cluster;
  let proxy: ApiProxy;
  let operator: OperatorProcess;
  let ns: string;
  let kubeconfig: string;

  before(async () => {
    ({ cluster, kubeconfig } = await startOperatorCluster());
    ns = await cluster.createNamespace();
    const secret = (name: string, labels: Record<string, string> = {}) =>
      cluster.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name, labels }, stringData: { auth: `value of ${name}` } },
      });
    await secret('cdn');
    await secret('unrelated');
    await secret('labelled-unused', { [LABEL]: 'allowed' });
    proxy = await ApiProxy.start(cluster);
    operator = await startOperator(proxy.kubeconfig(kubeconfig), 'op-gates', [
      '--ingest-image',
      'tributary.test/ingest-stub',
      '--secret-label',
      `${LABEL}=allowed`,
      '--allowed-nfs-servers',
      'nas.example',
    ]);
  });
  after(async () => {
    await operator?.stop();
    await proxy?.stop();
    await cluster?.stop();
  });

  /** Applies the Stream and waits until it is refused: the condition, the Event, no pod. */
  async function refused(name: string, spec: StreamSpec, reason: string, mentions: RegExp[]): Promise<void> {
    await cluster.apply(streamObject(ns, name, spec));
    const stream = await waitForStream(
      cluster,
      ns,
      name,
      (s) => condition(s, 'InputsValid')?.status === 'False',
      'InputsValid=False',
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${problemsLogged(operator)}`);
    });
    const valid = condition(stream, 'InputsValid');
    assert.equal(valid?.reason, reason);
    for (const mention of mentions) assert.match(valid?.message ?? '', mention);
    const events = await waitFor(
      async () => {
        // An empty list is truthy: wait until the event is there.
        const invalid = (await eventsFor(cluster, ns, name)).filter((e) => e.reason === 'InvalidInput');
        return invalid.length > 0 ? invalid : undefined;
      },
      { what: `an InvalidInput event for ${name}`, timeoutMs: 10_000 },
    );
    for (const mention of mentions) assert.match(events[0]?.message ?? '', mention);
    assert.equal(await readPod(cluster, ns, `${name}-ingest`), undefined);
  }

  const podMade = (name: string) =>
    cluster.waitForPod(ns, `${name}-ingest`, () => true, { timeoutMs: 20_000 });

  test('hostNetwork without --allow-host-network is refused, naming the field and the flag', async () => {
    await refused('host-net', { inputs: [udp], pod: { hostNetwork: true } }, 'HostNetworkNotAllowed', [
      /spec\.pod\.hostNetwork/,
      /--allow-host-network/,
    ]);
  });

  test('an NFS server not on --allowed-nfs-servers is refused; one on it is mounted', async () => {
    const mount = (name: string, server: string) =>
      cluster.apply({
        apiVersion: 'tributary.io/v1alpha1',
        kind: 'VodMount',
        metadata: { name, namespace: ns },
        spec: { nfs: { server, path: '/vod' } },
      } as never);
    await mount('rogue', 'rogue.example');
    await mount('nas', 'nas.example');
    await refused('nfs-rogue', { inputs: [{ url: 'file://rogue/a.ts' }] }, 'NfsServerNotAllowed', [
      /spec\.nfs\.server "rogue\.example"/,
      /--allowed-nfs-servers/,
    ]);
    await cluster.apply(streamObject(ns, 'nfs-ok', { inputs: [{ url: 'file://nas/a.ts' }] }));
    const made = await podMade('nfs-ok');
    assert.equal(made.spec?.volumes?.find((v) => v.nfs)?.nfs?.server, 'nas.example');
  });

  test('a Stream that drops the default memory limit is refused; every pod made has one', async () => {
    await refused(
      'no-limit',
      { inputs: [udp], pod: { resources: { requests: { cpu: '100m' } } } },
      'MemoryLimitRequired',
      [/spec\.pod\.resources\.limits\.memory/, /--require-memory-limit/],
    );
    await cluster.apply(streamObject(ns, 'default-limit', { inputs: [udp] }));
    const pod = await podMade('default-limit');
    assert.equal(pod.spec?.containers[0]?.resources?.limits?.memory, '384Mi');
  });

  test('with --secret-label, a Secret without the label is refused until it gets the label', async () => {
    await refused('header', withHeader('cdn'), 'SecretNotLabeled', [
      /spec\.inputs\[1\]\.headersFrom\[Authorization\]/,
      /tributary\.io\/ingest=allowed/,
    ]);
    await cluster.core.patchNamespacedSecret(
      { namespace: ns, name: 'cdn', body: { metadata: { labels: { [LABEL]: 'allowed' } } } },
      mergePatch(),
    );
    await waitForStream(
      cluster,
      ns,
      'header',
      (s) => condition(s, 'InputsValid')?.status === 'True',
      'valid',
    );
    await podMade('header');
  });

  test('Secrets are listed and watched by metadata and label only; only referenced ones are read', async () => {
    // Runs after the test above, which made the operator read "cdn".
    const { collection, objects, names } = secretRequests(proxy, ns);
    assert.ok(collection.length >= 2, `a list and a watch of Secrets: ${JSON.stringify(collection)}`);
    for (const r of collection) {
      assert.match(r.accept, /as=PartialObjectMetadata/, `metadata only: ${r.method} ${r.url}`);
      assert.match(decodeURIComponent(r.url), new RegExp(`labelSelector=${LABEL}=allowed`), r.url);
    }
    assert.deepEqual([...names], ['cdn'], 'only the referenced Secret was read');
    assert.ok(
      objects.every((r) => r.method === 'GET'),
      'Secrets are only read',
    );
  });

  test('without --secret-label, Secrets are still watched by metadata only and only referenced ones read', async () => {
    // Another operator, the only one now, with the default settings and its own recording proxy.
    await operator.stop();
    const plainProxy = await ApiProxy.start(cluster);
    const plain = await startOperator(plainProxy.kubeconfig(kubeconfig), 'op-plain', [
      '--ingest-image',
      'tributary.test/ingest-stub',
    ]);
    try {
      await cluster.core.createNamespacedSecret({
        namespace: ns,
        body: { metadata: { name: 'plain-ref' }, stringData: { auth: 'x' } },
      });
      await cluster.apply(streamObject(ns, 'plain', withHeader('plain-ref')));
      await waitForStream(
        cluster,
        ns,
        'plain',
        (s) => condition(s, 'InputsValid')?.status === 'True',
        'valid',
      );
      const { collection, names } = secretRequests(plainProxy, ns);
      assert.ok(collection.length >= 2, `a list and a watch of Secrets: ${JSON.stringify(collection)}`);
      for (const r of collection) {
        assert.match(r.accept, /as=PartialObjectMetadata/, `metadata only: ${r.method} ${r.url}`);
        assert.doesNotMatch(r.url, /labelSelector/);
      }
      assert.ok(names.has('plain-ref'), 'the referenced Secret was read');
      for (const name of names)
        assert.ok(['plain-ref', 'cdn'].includes(name), `read unreferenced Secret ${name}`);
    } finally {
      await plain.stop();
      await plainProxy.stop();
    }
  });
});
