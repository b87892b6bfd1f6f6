import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { V1Pod } from '@kubernetes/client-node';
import {
  type BackoffSettings,
  CREATE_EXPECTATION_MS,
  type PodAction,
} from '../../src/reconcile/pod-decision.js';
import {
  arrangePods,
  decideHandover,
  freshHandover,
  type HandoverSituation,
  type StreamPods,
} from '../../src/reconcile/pod-handover.js';
import { pod } from '../support/fixtures.js';

const backoff: BackoffSettings = { baseMs: 1000, maxMs: 8000, resetAfterMs: 60_000 };
const NOW = 1_000_000;
const names = ['news-ingest', 'news-ingest-b'];
const specChanged: PodAction = {
  kind: 'delete',
  uid: 'old',
  reason: 'spec-changed',
  detail: 'the Stream changed',
};
const none: PodAction = { kind: 'none' };

function ingestPod(
  name: string,
  o: { uid: string; hash?: string; ready?: boolean; phase?: string; standby?: boolean; at?: number },
): V1Pod {
  const p = pod('uid-news', { uid: o.uid, hash: o.hash ?? 'h1', ...(o.phase && { phase: o.phase }) });
  p.metadata!.name = name;
  p.metadata!.creationTimestamp = new Date(o.at ?? 0);
  if (o.standby) p.metadata!.annotations!['tributary.io/standby'] = 'true';
  p.status!.conditions = [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }];
  return p;
}

function situation(pods: Partial<StreamPods>, o: Partial<HandoverSituation> = {}): HandoverSituation {
  return {
    pods: { terminating: [], others: [], ...pods },
    desiredHash: 'h2',
    podAction: specChanged,
    otherName: (name) => (name === names[0] ? names[1]! : names[0]!),
    memory: freshHandover(),
    now: NOW,
    backoff,
    ...o,
  };
}

const old = ingestPod('news-ingest', { uid: 'old', hash: 'h1' });

describe('decideHandover: make-before-break', () => {
  test('a changed Stream starts the successor on standby under the other name, once', () => {
    const first = decideHandover(situation({ current: old }));
    assert.deepEqual(first.action, {
      kind: 'create-successor',
      name: 'news-ingest-b',
      replaces: 'news-ingest',
    });
    // The cache has not shown it yet: no second successor.
    const again = decideHandover(situation({ current: old }, { memory: first.memory, now: NOW + 100 }));
    assert.equal(again.action.kind, 'wait');
    const late = decideHandover(
      situation({ current: old }, { memory: first.memory, now: NOW + CREATE_EXPECTATION_MS + 1 }),
    );
    assert.equal(late.action.kind, 'create-successor', 'it never showed up: try again');
  });

  test('the old pod keeps publishing until the successor is ready, then is retired', () => {
    const starting = ingestPod('news-ingest-b', {
      uid: 'new',
      hash: 'h2',
      standby: true,
      ready: false,
      at: 5,
    });
    assert.equal(decideHandover(situation({ current: old, successor: starting })).action.kind, 'wait');
    const ready = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true, at: 5 });
    assert.deepEqual(decideHandover(situation({ current: old, successor: ready })).action, {
      kind: 'retire',
      successor: 'news-ingest-b',
    });
  });

  test('the successor is released only once the old pod is gone, and not again', () => {
    const successor = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true, at: 5 });
    const terminating = { ...old, metadata: { ...old.metadata, deletionTimestamp: new Date(NOW) } };
    const waiting = decideHandover(
      situation({ current: successor, terminating: [terminating] }, { podAction: none }),
    );
    assert.equal(waiting.action.kind, 'wait');
    const release = decideHandover(situation({ current: successor }, { podAction: none }));
    assert.deepEqual(release.action, { kind: 'release', name: 'news-ingest-b', uid: 'new' });
    const released = { ...release.memory, released: 'new' };
    assert.deepEqual(
      decideHandover(situation({ current: successor }, { podAction: none, memory: released })).action,
      { kind: 'pass' },
    );
  });

  test('a successor made for an older change, or no longer needed, is deleted', () => {
    const stale = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true, at: 5 });
    const newer = decideHandover(situation({ current: old, successor: stale }, { desiredHash: 'h3' }));
    assert.equal(newer.action.kind, 'delete-successor');
    const reverted = decideHandover(situation({ current: old, successor: stale }, { podAction: none }));
    assert.equal(reverted.action.kind, 'delete-successor');
  });

  test('a successor that stopped is deleted, and the next waits with a doubling delay', () => {
    const failed = ingestPod('news-ingest-b', {
      uid: 'new',
      hash: 'h2',
      standby: true,
      phase: 'Failed',
      at: 5,
    });
    const first = decideHandover(situation({ current: old, successor: failed }));
    assert.equal(first.action.kind, 'delete-successor');
    assert.equal(first.memory.notBefore, NOW + 1000);
    const backingOff = decideHandover(situation({ current: old }, { memory: first.memory, now: NOW + 500 }));
    assert.deepEqual(backingOff.action, {
      kind: 'wait',
      detail: 'backing off before starting another replacement pod',
      retryInMs: 500,
    });
    const second = decideHandover(situation({ current: old, successor: failed }, { memory: first.memory }));
    assert.equal(second.memory.notBefore, NOW + 2000);
  });

  test('a standby pod that never became ready is replaced outright (it publishes nothing)', () => {
    const stuck = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true, ready: false });
    assert.deepEqual(decideHandover(situation({ current: stuck }, { desiredHash: 'h3' })).action, {
      kind: 'pass',
    });
    // Ready but never released (an operator restart between the two): released first, then replaced.
    const ready = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true });
    assert.equal(decideHandover(situation({ current: ready }, { desiredHash: 'h3' })).action.kind, 'release');
  });

  test("other deletions (failed, suspended, orphaned) are decidePod's; a pod not on standby is never released", () => {
    const failed: PodAction = { kind: 'delete', uid: 'old', reason: 'failed', detail: 'exit code 1' };
    const successor = ingestPod('news-ingest-b', { uid: 'new', hash: 'h2', standby: true, at: 5 });
    assert.deepEqual(decideHandover(situation({ current: old, successor }, { podAction: failed })).action, {
      kind: 'pass',
    });
    assert.deepEqual(
      decideHandover(situation({ current: old }, { podAction: none, desiredHash: 'h1' })).action,
      {
        kind: 'pass',
      },
    );
  });

  test('the other name taken by a terminating or foreign pod is waited for', () => {
    const leaving = ingestPod('news-ingest-b', { uid: 'x' });
    leaving.metadata!.deletionTimestamp = new Date(NOW);
    const waiting = decideHandover(situation({ current: old, terminating: [leaving] }));
    assert.deepEqual(waiting.action, { kind: 'wait', detail: 'pod news-ingest-b is terminating' });
  });
});

describe('arrangePods', () => {
  test('the oldest live pod is current, the newer its successor; terminating and foreign apart', () => {
    const a = ingestPod('news-ingest', { uid: 'a', at: 1000 });
    const b = ingestPod('news-ingest-b', { uid: 'b', at: 2000 });
    assert.deepEqual(arrangePods([b, a], 'uid-news'), {
      current: a,
      successor: b,
      terminating: [],
      others: [],
    });
    const gone = { ...a, metadata: { ...a.metadata, deletionTimestamp: new Date() } };
    const foreign = ingestPod('news-ingest', { uid: 'f' });
    foreign.metadata!.ownerReferences = [];
    assert.deepEqual(arrangePods([gone, b], 'uid-news'), {
      current: b,
      successor: undefined,
      terminating: [gone],
      others: [],
    });
    assert.deepEqual(arrangePods([foreign, b], 'uid-news').others, [foreign]);
  });
});
