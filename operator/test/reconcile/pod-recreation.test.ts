import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import type { PodRecreation, Stream, StreamStatus } from '@tributary/crds';
import type { ObjectCache } from '../../src/controller/object-cache.js';
import type { ApiRequest, KubeApi } from '../../src/kube/api-client.js';
import { decidePod, freshMemory, type PodMemory } from '../../src/reconcile/pod-decision.js';
import { buildIngestPod } from '../../src/reconcile/pod-manifest.js';
import {
  LAST_FAILURE_MAX_CHARS,
  memoryFromStatus,
  podRecreationOf,
} from '../../src/reconcile/pod-recreation.js';
import { pod, stream, testReconciler } from '../support/fixtures.js';

const backoff = { baseMs: 1000, maxMs: 60_000, resetAfterMs: 60_000 };
const T = Date.parse('2026-12-03T06:00:00.250Z');

describe('podRecreationOf', () => {
  test('nothing while no pod failed', () => {
    assert.equal(podRecreationOf(freshMemory()), undefined);
    assert.equal(podRecreationOf({ ...freshMemory(), lastPodUid: 'p', created: { at: T } }), undefined);
  });

  test('the backoff only, not what this process saw of its cache', () => {
    const memory: PodMemory = {
      failures: 3,
      notBefore: T,
      lastFailure: 'exit code 1 (Error)',
      lastPodUid: 'p',
      created: { at: T - 5, uid: 'p' },
      podSince: { uid: 'p', at: T - 5 },
      deleted: { uid: 'p', reason: 'failed', detail: 'exit code 1 (Error)' },
    };
    assert.deepEqual(podRecreationOf(memory), {
      failures: 3,
      notBefore: '2026-12-03T06:00:00.250Z',
      lastFailure: 'exit code 1 (Error)',
    });
  });

  test('a long termination message is cut to fit the status', () => {
    const memory: PodMemory = { failures: 1, notBefore: T, lastFailure: `exit code 1 (${'x'.repeat(5000)})` };
    assert.equal(podRecreationOf(memory)?.lastFailure?.length, LAST_FAILURE_MAX_CHARS);
  });
});

describe('memoryFromStatus', () => {
  test('no field, or one that cannot be read: a fresh memory', () => {
    assert.deepEqual(memoryFromStatus(undefined), freshMemory());
    const broken = [
      { failures: 0, notBefore: '2026-12-03T06:00:00Z' },
      { failures: 1.5, notBefore: '2026-12-03T06:00:00Z' },
      { failures: '2', notBefore: '2026-12-03T06:00:00Z' } as unknown as PodRecreation,
    ];
    for (const field of broken)
      assert.deepEqual(memoryFromStatus(field), freshMemory(), JSON.stringify(field));
    assert.equal(memoryFromStatus({ failures: 2, notBefore: 'soon' }).notBefore, 0, 'no time: no wait');
  });

  test('round trip: the status written again is the status read', () => {
    const field = { failures: 4, notBefore: '2026-12-03T06:00:00.250Z', lastFailure: 'the pod disappeared' };
    assert.deepEqual(podRecreationOf(memoryFromStatus(field)), field);
    const bare = { failures: 1, notBefore: '2026-12-03T06:00:00.000Z' };
    assert.deepEqual(podRecreationOf(memoryFromStatus(bare)), bare);
  });

  const seeded = memoryFromStatus({
    failures: 5,
    notBefore: new Date(T + 8000).toISOString(),
    lastFailure: 'exit code 1 (Error)',
  });

  test('a new leader without a pod waits until notBefore, then recreates it', () => {
    const early = decidePod({ stream: s, desiredHash: 'h1', memory: seeded, now: T + 1000, backoff });
    assert.deepEqual(early.action, {
      kind: 'wait',
      detail: 'backing off before recreating the pod',
      retryInMs: 7000,
    });
    const due = decidePod({ stream: s, desiredHash: 'h1', memory: early.memory, now: T + 8000, backoff });
    assert.deepEqual(due.action, { kind: 'create', reason: 'recreated', detail: 'exit code 1 (Error)' });
    assert.equal(due.memory.failures, 5, 'the count goes on until a pod runs long enough');
  });

  test('a new leader that finds the pod failed again doubles the delay it inherited', () => {
    const failed = pod('uid-news', { phase: 'Failed' });
    const next = decidePod({ stream: s, desiredHash: 'h1', pod: failed, memory: seeded, now: T, backoff });
    assert.equal(next.action.kind, 'delete');
    assert.equal(next.memory.failures, 6);
    assert.equal(next.memory.notBefore, T + 16_000);
    // Without the status the same pod counted as the first failure: recreated at once.
    const amnesiac = decidePod({
      stream: s,
      desiredHash: 'h1',
      pod: failed,
      memory: freshMemory(),
      now: T,
      backoff,
    });
    assert.equal(amnesiac.memory.notBefore, T);
  });

  test('a pod that has run long enough clears it', () => {
    const running = pod('uid-news', { phase: 'Running' });
    running.status = { phase: 'Running', startTime: new Date(T - 61_000) };
    const next = decidePod({ stream: s, desiredHash: 'h1', pod: running, memory: seeded, now: T, backoff });
    assert.equal(podRecreationOf(next.memory), undefined);
  });
});

const s = { uid: 'uid-news', deleting: false, suspended: false };

function recordingApi() {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const api = {
    async request(method: string, path: string, request: ApiRequest = {}) {
      calls.push({ method, path: path.replace(/^.*\/namespaces\/media\//, ''), body: request.body });
      return {};
    },
  };
  return { api: api as unknown as KubeApi, calls };
}

function cacheWith(s: Stream, pods: () => V1Pod[]): ObjectCache {
  return {
    stream: (_ns: string, name: string) => (name === s.metadata.name ? s : undefined),
    streams: () => [s],
    vodMount: () => undefined,
    pod: (_ns: string, name: string) => pods().find((p) => p.metadata?.name === name),
    secret: () => undefined,
  } as unknown as ObjectCache;
}

const written = (calls: { path: string; body: unknown }[]) =>
  (calls.findLast((c) => c.path.endsWith('/status'))?.body as { status: StreamStatus } | undefined)?.status;

describe('StreamReconciler: status.podRecreation', () => {
  test('a new reconciler (leader) keeps to the backoff in the status, writing nothing more', async () => {
    const notBefore = new Date(Date.now() + 30_000).toISOString();
    const field = { failures: 6, notBefore, lastFailure: 'exit code 1 (Error)' };
    const news = stream('news');
    news.status = { podRecreation: field };
    const { api, calls } = recordingApi();
    const r = testReconciler(
      api,
      cacheWith(news, () => []),
    );
    const result = await r.reconcile('media/news');
    assert.ok(!calls.some((c) => c.path.startsWith('pods/')), 'no pod before notBefore');
    const status = written(calls);
    assert.deepEqual(status?.podRecreation, field, 'the backoff stays in the status');
    const scheduled = status?.conditions?.find((c) => c.type === 'PodScheduled');
    assert.equal(scheduled?.reason, 'BackOff');
    assert.ok(
      (result.requeueAfterMs ?? 0) > 25_000,
      `looks again at notBefore, not ${result.requeueAfterMs}`,
    );

    // Steady state: the same status, no request.
    news.status = status;
    calls.length = 0;
    await r.reconcile('media/news');
    assert.deepEqual(calls, []);
  });

  test('a failure is written once; a pod running long enough removes the field', async () => {
    const news = stream('news');
    let pods = [pod('uid-news', { phase: 'Failed' })];
    const { api, calls } = recordingApi();
    const r = testReconciler(
      api,
      cacheWith(news, () => pods),
    );
    news.status = { podRecreation: { failures: 3, notBefore: new Date(0).toISOString() } };
    const before = Date.now();
    await r.reconcile('media/news');
    const after = Date.now();
    assert.ok(calls.some((c) => c.method === 'DELETE' && c.path === 'pods/news-ingest'));
    const field = written(calls)?.podRecreation;
    assert.equal(field?.failures, 4);
    const notBefore = Date.parse(field?.notBefore ?? '');
    assert.ok(notBefore >= before + 4000 && notBefore <= after + 4000, `notBefore ${field?.notBefore}`);
    assert.match(field?.lastFailure ?? '', /phase Failed/);

    news.status = written(calls);
    // The pod this Stream wants, running for over a minute.
    const settings = {
      image: 'ingest:1',
      subjectPrefix: 'tributary',
      natsUrl: 'nats://n:4222',
      defaults: {},
    };
    const running = buildIngestPod(news, new Map(), [], { ...settings, liveEdits: false }, 'salt').pod;
    running.metadata = { ...running.metadata, uid: 'pod-2' };
    running.spec = { ...running.spec, containers: running.spec?.containers ?? [], nodeName: 'node-a' };
    running.status = { phase: 'Running', startTime: new Date(Date.now() - 61_000) };
    pods = [running];
    calls.length = 0;
    await r.reconcile('media/news');
    const status = written(calls);
    assert.ok(status, 'the status is written when the backoff resets');
    assert.equal(status.podRecreation, undefined);
    news.status = status;
    calls.length = 0;
    await r.reconcile('media/news');
    assert.deepEqual(calls, [], 'and not again');
  });
});
