import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { Stream, StreamStatus } from '@tributary/crds';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import { ApiError, type ApiRequest, type KubeApi } from '../../src/kube/api-client.js';
import { testReconciler as reconciler, stream } from '../support/fixtures.js';

interface Call {
  method: string;
  path: string;
  body: unknown;
}

/** An API that records calls; pod applies answer with the pod (plus a uid) unless told to refuse. */
function fakeApi(refuse?: ApiError) {
  const calls: Call[] = [];
  const api = {
    async request(method: string, path: string, request: ApiRequest = {}) {
      calls.push({ method, path, body: request.body });
      if (method === 'PATCH' && path.endsWith('/pods/news-ingest')) {
        if (refuse) throw refuse;
        const pod = request.body as V1Pod;
        return { ...pod, metadata: { ...pod.metadata, uid: 'pod-uid' }, status: { phase: 'Pending' } };
      }
      return {};
    },
  };
  return { api: api as unknown as KubeApi, calls };
}

function cacheWith(s: Stream, pods: V1Pod[] = []): ObjectCache {
  return {
    stream: (_ns: string, name: string) => (name === s.metadata.name ? s : undefined),
    streams: () => [s],
    vodMount: () => undefined,
    pod: (_ns: string, name: string) => pods.find((p) => p.metadata?.name === name),
    secret: () => undefined,
  } as unknown as ObjectCache;
}

const kinds = (calls: Call[]) =>
  calls.map((c) => `${c.method} ${c.path.replace(/^.*\/namespaces\/media\//, '')}`);
const statusOf = (calls: Call[]) =>
  (calls.findLast((c) => c.path.endsWith('/status'))?.body as { status: StreamStatus } | undefined)?.status ??
  {};

test('a new Stream: the pod is applied, the status written, PodCreated recorded; once', async () => {
  const s = stream('news');
  const { api, calls } = fakeApi();
  const r = reconciler(api, cacheWith(s));
  await r.reconcile('media/news');
  assert.deepEqual(kinds(calls), ['PATCH pods/news-ingest', 'PATCH streams/news/status', 'POST events']);
  const status = statusOf(calls);
  assert.equal(status.phase, 'Pending');
  assert.equal(status.pod, 'news-ingest');
  assert.equal((calls[2]?.body as { reason?: string } | undefined)?.reason, 'PodCreated');

  // The pod has not reached the cache yet: no second pod, no "recreated", no status rewrite.
  calls.length = 0;
  s.status = status;
  const again = await r.reconcile('media/news');
  assert.deepEqual(kinds(calls), []);
  assert.ok((again.requeueAfterMs ?? 0) > 0, 'looks again later in case the pod never shows up');
});

test('a refused pod is reported in the status and retried, without a PodCreated event', async () => {
  const s = stream('news', {
    pod: { resources: { requests: { memory: '2Gi' }, limits: { memory: '1Gi' } } },
  });
  const refusal = new ApiError(
    422,
    'Pod "news-ingest" is invalid: spec.containers[0].resources.requests: must be less than or equal to memory limit',
  );
  const { api, calls } = fakeApi(refusal);
  const r = reconciler(api, cacheWith(s));
  await assert.rejects(r.reconcile('media/news'), ApiError);
  assert.deepEqual(kinds(calls), ['PATCH pods/news-ingest', 'PATCH streams/news/status']);
  const scheduled = statusOf(calls).conditions?.find((c) => c.type === 'PodScheduled');
  assert.equal(scheduled?.reason, 'PodRejected');
  assert.match(scheduled?.message ?? '', /must be less than or equal to memory limit/);
  calls.length = 0;
  await assert.rejects(r.reconcile('media/news'), ApiError);
  assert.equal(
    kinds(calls)[0],
    'PATCH pods/news-ingest',
    'the retry applies again (no phantom pod waited for)',
  );
});

test('a Stream that is gone takes its pod along', async () => {
  const s = stream('other');
  const orphan: V1Pod = {
    metadata: {
      name: 'news-ingest',
      uid: 'p1',
      ownerReferences: [
        { apiVersion: 'tributary.io/v1alpha1', kind: 'Stream', name: 'news', uid: 'x', controller: true },
      ],
    },
  };
  const { api, calls } = fakeApi();
  await reconciler(api, cacheWith(s, [orphan])).reconcile('media/news');
  assert.deepEqual(kinds(calls), ['DELETE pods/news-ingest']);
  assert.deepEqual((calls[0]?.body as { preconditions?: unknown } | undefined)?.preconditions, { uid: 'p1' });
});
