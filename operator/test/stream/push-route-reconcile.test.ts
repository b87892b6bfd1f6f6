// The reconciler's push route steps, with a recording API and a scripted route store.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { IngestConfig, Stream } from '@tributary/crds';
import { pino } from 'pino';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import { EventRecorder } from '../../src/events/event-recorder.js';
import { ApiError, type ApiRequest, type KubeApi } from '../../src/kube/api-client.js';
import { PushRoutesUnavailable, type RouteRemoval } from '../../src/nats/push-routes.js';
import { OperatorMetrics } from '../../src/observability/metrics.js';
import { PUSH_ROUTE_FINALIZER } from '../../src/push/push-route-finalizer.js';
import { StreamReconciler } from '../../src/stream/stream-reconciler.js';
import { pod, stream } from '../support/fixtures.js';

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** An API that records calls; with `conflicts`, that many Stream patches fail with 409 first. */
function fakeApi(conflicts = 0) {
  const calls: Call[] = [];
  const api = {
    get(path: string) {
      return api.request('GET', path);
    },
    async request(method: string, path: string, request: ApiRequest = {}) {
      calls.push({ method, path, body: request.body });
      if (method === 'GET' && path.endsWith('/streams/news')) {
        return { ...current, metadata: { ...current.metadata, resourceVersion: '8' } };
      }
      if (method === 'PATCH' && path.endsWith('/streams/news') && conflicts > 0) {
        conflicts--;
        throw new ApiError(409, 'the object has been modified');
      }
      if (method === 'PATCH' && path.endsWith('/pods/news-ingest')) {
        const applied = request.body as V1Pod;
        return { ...applied, metadata: { ...applied.metadata, uid: 'pod-uid' } };
      }
      if (method === 'PATCH' && path.endsWith('/streams/news')) {
        const patch = request.body as { metadata: { finalizers: string[] } };
        return { ...current, metadata: { ...current.metadata, finalizers: patch.metadata.finalizers } };
      }
      return {};
    },
  };
  let current: Stream;
  return {
    api: api as unknown as KubeApi,
    calls,
    serve(s: Stream) {
      current = s;
    },
  };
}

function cacheWith(s: Stream, pods: V1Pod[] = []): ObjectCache {
  return {
    stream: (_ns: string, name: string) => (name === s.metadata.name ? s : undefined),
    streams: () => [s],
    vodMount: () => undefined,
    pod: (_ns: string, name: string) => pods.find((p) => p.metadata?.name === name),
    secret: (_ns: string, name: string) => (name === 'enc' ? { data: { key: 'c2VjcmV0' } } : undefined),
    loadSecrets: async () => {},
  } as unknown as ObjectCache;
}

type Remove = (namespace: string, name: string, uid: string) => Promise<RouteRemoval>;

function reconciler(api: KubeApi, cache: ObjectCache, remove?: Remove, pushListenerKey?: string) {
  const log = pino({ level: 'silent' });
  return new StreamReconciler({
    api,
    cache,
    events: new EventRecorder(api, 'test', log),
    pushRoutes: remove && { remove },
    metrics: new OperatorMetrics({ defaultMetrics: false }),
    log,
    settings: {
      pod: {
        image: 'ingest:1',
        subjectPrefix: 'tributary',
        natsUrl: 'nats://n:4222',
        defaults: {},
        pushListenerKey,
      },
      validation: { allowHostPath: false },
      backoff: { baseMs: 1000, maxMs: 60_000, resetAfterMs: 60_000 },
      statusMinIntervalMs: 15_000,
      snapshotStaleMs: 16_000,
    },
  });
}

const kinds = (calls: Call[]) =>
  calls.map((c) => `${c.method} ${c.path.replace(/^.*\/namespaces\/media\//, '')}`);
const pushStream = (meta: Partial<Stream['metadata']> = {}) =>
  stream(
    'news',
    { inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'enc', key: 'key' } }] },
    { resourceVersion: '7', ...meta },
  );
const podConfig = (calls: Call[]): IngestConfig => {
  const applied = calls.find((c) => c.path.endsWith('/pods/news-ingest'))?.body as V1Pod;
  const env = applied.spec?.containers[0]?.env?.find((e) => e.name === 'TRIBUTARY_STREAM');
  return JSON.parse(env?.value ?? '{}') as IngestConfig;
};
const never: Remove = async () => assert.fail('no route cleanup expected');

test('a push Stream gets the finalizer (at its resourceVersion) before its pod is applied', async () => {
  const s = pushStream();
  const { api, calls, serve } = fakeApi();
  serve(s);
  await reconciler(api, cacheWith(s), never).reconcile('media/news');
  assert.deepEqual(kinds(calls).slice(0, 2), ['PATCH streams/news', 'PATCH pods/news-ingest']);
  assert.deepEqual(calls[0]?.body, {
    metadata: { finalizers: [PUSH_ROUTE_FINALIZER], resourceVersion: '7' },
  });
});

test('no NATS, or no push input: no finalizer', async () => {
  for (const [s, remove] of [
    [pushStream(), undefined],
    [stream('news'), never],
  ] as const) {
    const { api, calls, serve } = fakeApi();
    serve(s);
    await reconciler(api, cacheWith(s), remove).reconcile('media/news');
    assert.equal(kinds(calls)[0], 'PATCH pods/news-ingest');
    assert.ok(!kinds(calls).includes('PATCH streams/news'));
  }
});

test("the listener's key goes into the config of push Streams only", async () => {
  const key = 'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE';
  const push = pushStream({ finalizers: [PUSH_ROUTE_FINALIZER] });
  const withPush = fakeApi();
  await reconciler(withPush.api, cacheWith(push), never, key).reconcile('media/news');
  assert.equal(podConfig(withPush.calls).pushListenerKey, key);
  const pull = fakeApi();
  await reconciler(pull.api, cacheWith(stream('news')), never, key).reconcile('media/news');
  assert.equal(podConfig(pull.calls).pushListenerKey, undefined);
});

test('a deleted push Stream: pod deleted, route removed for its uid, then the finalizer', async () => {
  const s = pushStream({ finalizers: [PUSH_ROUTE_FINALIZER], deletionTimestamp: new Date().toISOString() });
  const { api, calls, serve } = fakeApi();
  serve(s);
  const removed: string[] = [];
  const remove: Remove = async (ns, name, uid) => {
    removed.push(`${ns}/${name}/${uid}`);
    calls.push({ method: 'KV', path: 'remove', body: undefined });
    return 'removed';
  };
  const result = await reconciler(api, cacheWith(s, [pod('uid-news')]), remove).reconcile('media/news');
  assert.deepEqual(result, {});
  assert.deepEqual(removed, ['media/news/uid-news']);
  assert.deepEqual(kinds(calls), ['DELETE pods/news-ingest', 'KV remove', 'PATCH streams/news']);
  assert.deepEqual(calls[2]?.body, { metadata: { finalizers: [], resourceVersion: '7' } });
});

test('NATS down: the finalizer stays, a Warning Event says why, and the reconcile fails (backoff)', async () => {
  const s = pushStream({ finalizers: [PUSH_ROUTE_FINALIZER], deletionTimestamp: new Date().toISOString() });
  const { api, calls, serve } = fakeApi();
  serve(s);
  const down: Remove = async () => {
    throw new PushRoutesUnavailable('not connected to NATS');
  };
  await assert.rejects(reconciler(api, cacheWith(s), down).reconcile('media/news'), PushRoutesUnavailable);
  assert.ok(!kinds(calls).includes('PATCH streams/news'), 'the finalizer is kept');
  const event = calls.find((c) => c.path.endsWith('/events'))?.body as {
    type: string;
    reason: string;
    message: string;
  };
  assert.equal(event.type, 'Warning');
  assert.equal(event.reason, 'PushRouteCleanupFailed');
  assert.match(event.message, /not connected to NATS.*tributary\.io\/push-route/);
});

test('no push input any more: the route is removed and the finalizer dropped; the Stream lives on', async () => {
  const s = stream('news', {}, { finalizers: ['x.io/other', PUSH_ROUTE_FINALIZER], resourceVersion: '9' });
  const { api, calls, serve } = fakeApi();
  serve(s);
  let cleaned = 0;
  await reconciler(api, cacheWith(s), async () => {
    cleaned++;
    return 'absent';
  }).reconcile('media/news');
  assert.equal(cleaned, 1);
  assert.deepEqual(calls.find((c) => c.path.endsWith('/streams/news'))?.body, {
    metadata: { finalizers: ['x.io/other'], resourceVersion: '9' },
  });
  assert.ok(kinds(calls).includes('PATCH streams/news/status'), 'status is still written');
});

test('the operator lost its NATS: a held finalizer is dropped so deletion never blocks', async () => {
  const s = pushStream({ finalizers: [PUSH_ROUTE_FINALIZER], deletionTimestamp: new Date().toISOString() });
  const { api, calls, serve } = fakeApi();
  serve(s);
  await reconciler(api, cacheWith(s)).reconcile('media/news');
  assert.deepEqual(kinds(calls), ['PATCH streams/news']);
});

test('a conflict (the cache trails our own status write) is retried once on a fresh read', async () => {
  const s = pushStream({ finalizers: [PUSH_ROUTE_FINALIZER], deletionTimestamp: new Date().toISOString() });
  const { api, calls, serve } = fakeApi(1);
  serve(s);
  await reconciler(api, cacheWith(s), async () => 'removed').reconcile('media/news');
  const patches = calls.filter((c) => c.path.endsWith('/streams/news'));
  assert.deepEqual(
    patches.map((c) => c.method),
    ['PATCH', 'GET', 'PATCH'],
  );
  assert.deepEqual(patches[2]?.body, { metadata: { finalizers: [], resourceVersion: '8' } });
  const twice = fakeApi(2);
  twice.serve(s);
  await assert.rejects(
    reconciler(twice.api, cacheWith(s), async () => 'removed').reconcile('media/news'),
    (error: ApiError) => error.code === 409,
  );
});
