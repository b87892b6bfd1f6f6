import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  type BackoffSettings,
  decidePod,
  freshMemory,
  type PodSituation,
} from '../../src/reconcile/pod-decision.js';
import { pod } from '../support/fixtures.js';

const backoff: BackoffSettings = { baseMs: 1000, maxMs: 8000, resetAfterMs: 60_000 };
const live = { uid: 'uid-news', deleting: false, suspended: false };

function situation(overrides: Partial<PodSituation>): PodSituation {
  return { stream: live, desiredHash: 'h1', memory: freshMemory(), now: 1_000_000, backoff, ...overrides };
}

test('a valid Stream without a pod gets one', () => {
  const { action } = decidePod(situation({}));
  assert.deepEqual(action, { kind: 'create', reason: 'new', detail: '' });
});

test('an invalid Stream gets no pod, and keeps a running one', () => {
  assert.deepEqual(decidePod(situation({ desiredHash: undefined })).action, { kind: 'none' });
  assert.deepEqual(decidePod(situation({ desiredHash: undefined, pod: pod('uid-news') })).action, {
    kind: 'none',
  });
});

test('a pod with the wanted hash is left alone; another hash is replaced (delete, then create)', () => {
  assert.deepEqual(decidePod(situation({ pod: pod('uid-news') })).action, { kind: 'none' });
  const changed = decidePod(situation({ pod: pod('uid-news'), desiredHash: 'h2' }));
  assert.equal(changed.action.kind, 'delete');
  assert.equal(changed.action.kind === 'delete' && changed.action.reason, 'spec-changed');
  const next = decidePod(situation({ desiredHash: 'h2', memory: changed.memory }));
  assert.deepEqual(next.action, { kind: 'create', reason: 'replaced', detail: 'the Stream changed' });
});

test('a terminating pod is waited for', () => {
  const terminating = pod('uid-news');
  terminating.metadata!.deletionTimestamp = new Date();
  assert.equal(decidePod(situation({ pod: terminating })).action.kind, 'wait');
});

test('a failed pod is deleted and recreated, at once the first time and then with doubling delays', () => {
  let memory = freshMemory();
  let now = 1_000_000;
  const delays: number[] = [];
  for (let round = 0; round < 5; round++) {
    const failedPod = pod('uid-news', { phase: 'Failed', uid: `pod-${round}` });
    failedPod.status!.containerStatuses = [
      {
        name: 'ingest',
        image: 'x',
        imageID: '',
        ready: false,
        restartCount: 0,
        state: { terminated: { exitCode: 137, reason: 'Error' } },
      },
    ];
    const failed = decidePod(situation({ pod: failedPod, memory, now }));
    assert.equal(failed.action.kind, 'delete');
    memory = failed.memory;
    let next = decidePod(situation({ memory, now }));
    let delay = 0;
    while (next.action.kind === 'wait') {
      delay += next.action.retryInMs ?? 0;
      next = decidePod(situation({ memory: next.memory, now: now + delay }));
    }
    delays.push(delay);
    now += delay;
    assert.deepEqual(next.action, { kind: 'create', reason: 'recreated', detail: 'exit code 137 (Error)' });
    const created = next;
    memory = created.memory;
  }
  assert.deepEqual(delays, [0, 1000, 2000, 4000, 8000]);
});

test('a pod that ran long enough resets the failure count', () => {
  const memory = { ...freshMemory(), failures: 3, notBefore: 0 };
  const running = pod('uid-news');
  running.status!.startTime = new Date(1_000_000 - 61_000);
  assert.equal(decidePod(situation({ pod: running, memory })).memory.failures, 0);
  running.status!.startTime = new Date(1_000_000 - 5_000);
  assert.equal(decidePod(situation({ pod: running, memory })).memory.failures, 3);
});

test('a pod just created but not yet in the cache is waited for, not recreated', () => {
  const created = decidePod(situation({})).memory;
  const soon = decidePod(situation({ memory: created, now: 1_000_000 + 5_000 }));
  assert.equal(soon.action.kind, 'wait');
  assert.equal(soon.memory.failures, 0);
  const seen = decidePod(situation({ memory: soon.memory, pod: pod('uid-news') })).memory;
  assert.equal(seen.created, undefined);
});

test('a pod that disappears without the operator deleting it is recreated and counted', () => {
  const seen = decidePod(situation({ pod: pod('uid-news', { uid: 'p1' }) })).memory;
  const { action, memory } = decidePod(situation({ memory: seen }));
  assert.deepEqual(action, { kind: 'create', reason: 'recreated', detail: 'the pod disappeared' });
  assert.equal(memory.failures, 1);
});

test('suspend removes the pod; a deleted Stream leaves an orphan to delete', () => {
  const suspended = decidePod(situation({ stream: { ...live, suspended: true }, pod: pod('uid-news') }));
  assert.equal(suspended.action.kind === 'delete' && suspended.action.reason, 'suspended');
  assert.deepEqual(decidePod(situation({ stream: { ...live, suspended: true } })).action, { kind: 'none' });
  const orphan = decidePod(situation({ stream: undefined, pod: pod('uid-gone') }));
  assert.equal(orphan.action.kind === 'delete' && orphan.action.reason, 'orphaned');
});

test('a pod of an earlier Stream with the same name is deleted; a stranger blocks the name', () => {
  const stale = decidePod(situation({ pod: pod('uid-old') }));
  assert.equal(stale.action.kind === 'delete' && stale.action.reason, 'stale-owner');
  const stranger = pod('x');
  stranger.metadata!.ownerReferences = [];
  assert.equal(decidePod(situation({ pod: stranger })).action.kind, 'blocked');
  assert.deepEqual(decidePod(situation({ stream: undefined, pod: stranger })).action, { kind: 'none' });
});
