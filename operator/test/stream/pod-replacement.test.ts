import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { Stream } from '@tributary/crds';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import type { ApiRequest, KubeApi } from '../../src/kube/api-client.js';
import { testReconciler as reconciler, stream } from '../support/fixtures.js';

// The reconciler's side of a make-before-break replacement, over a fake API and cache: the pods
// the fake API creates and deletes show up in the cache as the watch would deliver them.

function world(s: Stream) {
  const pods = new Map<string, V1Pod>();
  const applied = new Map<string, V1Pod>();
  const calls: string[] = [];
  let uids = 0;
  const api = {
    async request(method: string, path: string, request: ApiRequest = {}) {
      const name = /\/pods\/([^/?]+)/.exec(path)?.[1];
      if (name) calls.push(`${method} ${name}`);
      if (method === 'PATCH' && name) {
        const pod = request.body as V1Pod;
        applied.set(name, pod);
        const created = {
          ...pod,
          metadata: { ...pod.metadata, uid: `uid-${++uids}`, creationTimestamp: new Date(uids * 1000) },
          status: { phase: 'Pending' },
        };
        // As the operator's cache keeps pods: no container details.
        pods.set(name, { ...created, spec: { containers: [] } });
        return created;
      }
      if (method === 'DELETE' && name) {
        const pod = pods.get(name);
        if (pod) pods.set(name, { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date() } });
      }
      return {};
    },
  };
  const cache = {
    stream: (_ns: string, name: string) => (name === s.metadata.name ? s : undefined),
    streams: () => [s],
    vodMount: () => undefined,
    pod: (_ns: string, name: string) => pods.get(name),
    secret: () => undefined,
    loadSecrets: async () => {},
  } as unknown as ObjectCache;
  const ready = (name: string) => {
    const pod = pods.get(name)!;
    pods.set(name, {
      ...pod,
      spec: { ...pod.spec!, nodeName: 'node-a' },
      status: {
        phase: 'Running',
        startTime: new Date(),
        conditions: [{ type: 'Ready', status: 'True' }],
        containerStatuses: [
          { name: 'ingest', image: 'x', imageID: '', ready: true, restartCount: 0, state: { running: {} } },
        ],
      },
    });
  };
  return { api: api as unknown as KubeApi, cache, pods, applied, calls, ready };
}

test('a pod-shape change: successor on standby, old pod deleted once it is ready, released once gone', async () => {
  const s = stream('news');
  const w = world(s);
  const requests: Record<string, unknown>[] = [];
  const r = reconciler(w.api, w.cache, {
    request: async (_ns, _name, body) => {
      requests.push(body);
      return { ok: true, message: body.op === 'release' ? 'released' : 'applied' };
    },
  });
  await r.reconcile('media/news');
  assert.deepEqual(w.calls, ['PATCH news-ingest']);
  w.ready('news-ingest');
  await r.reconcile('media/news');

  w.calls.length = 0;
  s.spec = { ...s.spec, pod: { resources: { limits: { memory: '512Mi' } } } };
  s.metadata.generation = 2;
  await r.reconcile('media/news');
  assert.deepEqual(w.calls, ['PATCH news-ingest-b'], 'the successor first; the old pod stays');
  assert.deepEqual(
    w.applied.get('news-ingest-b')?.spec?.containers[0]?.env?.find((e) => e.name === 'TRIBUTARY_STANDBY'),
    { name: 'TRIBUTARY_STANDBY', value: 'news-ingest-b' },
  );
  await r.reconcile('media/news');
  assert.deepEqual(w.calls, ['PATCH news-ingest-b'], 'nothing more until the successor is ready');

  w.ready('news-ingest-b');
  await r.reconcile('media/news');
  assert.deepEqual(w.calls, ['PATCH news-ingest-b', 'DELETE news-ingest']);
  await r.reconcile('media/news');
  assert.equal(requests.filter((b) => b.op === 'release').length, 0, 'not released while the old pod stops');

  w.pods.delete('news-ingest');
  await r.reconcile('media/news');
  assert.deepEqual(
    requests.filter((b) => b.op === 'release'),
    [{ op: 'release', pod: 'news-ingest-b' }],
  );
  await r.reconcile('media/news');
  assert.equal(requests.filter((b) => b.op === 'release').length, 1, 'released once');
  assert.deepEqual(w.calls, ['PATCH news-ingest-b', 'DELETE news-ingest'], 'no other pod touched');
});
