import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import { EventThrottle } from '../../src/events/event-throttle.js';
import type { ApiRequest, KubeApi } from '../../src/kube/api-client.js';
import { stream, testReconciler } from '../support/fixtures.js';

function recordingApi() {
  const calls: string[] = [];
  const api = {
    async request(method: string, path: string, request: ApiRequest = {}) {
      calls.push(`${method} ${path.replace(/^.*\/namespaces\/media\//, '')}`);
      if (method === 'PATCH' && path.endsWith('/pods/news-ingest')) {
        const pod = request.body as V1Pod;
        return { ...pod, metadata: { ...pod.metadata, uid: 'pod-uid' }, status: { phase: 'Pending' } };
      }
      return {};
    },
  };
  return { api: api as unknown as KubeApi, calls };
}

test('reset() forgets the last term: a new term looks at the cluster afresh', async () => {
  const s = stream('news');
  const cache = {
    stream: (_ns: string, name: string) => (name === 'news' ? s : undefined),
    streams: () => [s],
    vodMount: () => undefined,
    pod: () => undefined,
    secret: () => undefined,
  } as unknown as ObjectCache;
  const { api, calls } = recordingApi();
  const r = testReconciler(api, cache);
  await r.reconcile('media/news');
  assert.ok(calls.includes('PATCH pods/news-ingest'));
  calls.length = 0;
  await r.reconcile('media/news');
  assert.ok(!calls.includes('PATCH pods/news-ingest'), 'within the term it remembers the pod it made');
  r.reset();
  calls.length = 0;
  await r.reconcile('media/news');
  assert.ok(calls.includes('PATCH pods/news-ingest'), 'a new term trusts only the cluster');
});

test('EventThrottle.forgetAll refills every bucket and ends aggregation', () => {
  let now = 0;
  const throttle = new EventThrottle({ burst: 1, refillMs: 60_000, now: () => now });
  const event = { type: 'Normal' as const, reason: 'PodCreated', message: 'created' };
  assert.equal(throttle.admit('a', event).kind, 'create');
  throttle.remember('a', event, 'a.1', 1);
  assert.equal(throttle.admit('a', event).kind, 'bump');
  assert.equal(throttle.admit('a', { ...event, message: 'other' }).kind, 'drop');
  throttle.forgetAll();
  now += 1;
  assert.equal(throttle.admit('a', event).kind, 'create');
});
