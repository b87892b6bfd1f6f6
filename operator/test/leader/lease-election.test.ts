import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { waitFor } from '../../../tools/cluster/wait.js';
import { LeaseElection } from '../../src/leader/lease-election.js';
import { type LeaseObject, type LeaseStore, microTime } from '../../src/leader/lease-store.js';

/** One Lease in memory, with the apiserver's optimistic concurrency (409 on a stale replace). */
function memoryStore(): LeaseStore & { lease: LeaseObject | undefined } {
  let version = 0;
  const store = {
    lease: undefined as LeaseObject | undefined,
    async read() {
      return store.lease && structuredClone(store.lease);
    },
    async create(lease: LeaseObject) {
      if (store.lease) throw Object.assign(new Error('exists'), { code: 409 });
      store.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++version) } };
      return structuredClone(store.lease);
    },
    async replace(lease: LeaseObject) {
      if (lease.metadata.resourceVersion !== store.lease?.metadata.resourceVersion)
        throw Object.assign(new Error('conflict'), { code: 409 });
      store.lease = { ...lease, metadata: { ...lease.metadata, resourceVersion: String(++version) } };
      return structuredClone(store.lease);
    },
  };
  return store;
}

const until = (check: () => boolean, what: string) =>
  waitFor(check, { what, timeoutMs: 20_000, intervalMs: 10, retryErrors: false });

/** A short lease by default, for the tests that wait for it to run out; `steady` rides out a slow machine. */
function candidate(store: LeaseStore, identity: string, log: string[], steady = false) {
  return new LeaseElection({
    store,
    namespace: 'ops',
    name: 'tributary-operator',
    identity,
    leaseDurationSeconds: steady ? 15 : 1,
    renewDeadlineMs: steady ? 10_000 : 500,
    retryPeriodMs: 20,
    onStartedLeading: () => log.push(`${identity} leads`),
    onStoppedLeading: () => log.push(`${identity} stops`),
  });
}

test('one of two candidates leads; stopping it hands the lease over at once', async () => {
  const store = memoryStore();
  const log: string[] = [];
  const a = candidate(store, 'a', log, true);
  const b = candidate(store, 'b', log, true);
  a.start();
  await until(() => a.isLeader, 'a to lead');
  b.start();
  await sleep(100);
  assert.equal(b.isLeader, false, 'the lease is held and renewed');
  assert.equal(store.lease?.spec?.holderIdentity, 'a');
  assert.match(store.lease?.spec?.renewTime ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
  await a.stop();
  await until(() => b.isLeader, 'b to take over');
  assert.equal(store.lease?.spec?.leaseTransitions, 1);
  assert.deepEqual(log, ['a leads', 'a stops', 'b leads']);
  await b.stop();
});

test('a leader that cannot renew steps down; an expired lease is taken over', async () => {
  const store = memoryStore();
  const log: string[] = [];
  store.lease = {
    metadata: { name: 'tributary-operator', namespace: 'ops', resourceVersion: '7' },
    spec: { holderIdentity: 'gone', leaseDurationSeconds: 1, renewTime: microTime(Date.now() - 5000) },
  };
  const a = candidate(store, 'a', log);
  a.start();
  await until(() => a.isLeader, 'a to take over the expired lease');
  store.replace = async () => {
    throw new Error('apiserver unavailable');
  };
  await until(() => !a.isLeader, 'a to step down');
  assert.deepEqual(log, ['a leads', 'a stops']);
  await a.stop();
});

test('a renewal that hangs is aborted and the leader steps down within the renew deadline', async () => {
  const store = memoryStore();
  const log: string[] = [];
  const a = candidate(store, 'a', log);
  a.start();
  await until(() => a.isLeader, 'a to lead');
  let aborted = false;
  let hungAt = 0;
  store.replace = (_lease, signal) => {
    hungAt ||= Date.now();
    return new Promise((_resolve, reject) =>
      signal?.addEventListener('abort', () => {
        aborted = true;
        reject(signal.reason);
      }),
    );
  };
  await until(() => !a.isLeader, 'a to step down');
  // The deadline runs from the last renewal, before the hang; the margin is for a loaded machine.
  assert.ok(
    Date.now() - hungAt < 1_500,
    'stepped down within the 500 ms renew deadline, not the request timeout',
  );
  assert.ok(aborted, 'the hanging request was aborted');
  assert.deepEqual(log, ['a leads', 'a stops']);
  await a.stop();
});

test('microTime has microseconds, as metav1.MicroTime', () => {
  assert.equal(microTime(Date.UTC(2026, 0, 2, 3, 4, 5, 678)), '2026-01-02T03:04:05.678000Z');
});
