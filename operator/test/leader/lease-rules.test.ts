import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLease, type LeaseObservation, observeLease } from '../../src/leader/lease-rules.js';

const me = 'operator-a';
const now = 1_000_000;

const cases = [
  { name: 'no lease yet → create', lease: undefined, observedAt: now, want: { kind: 'create' } },
  {
    name: 'held by me → renew, even if my renewals lapsed',
    lease: { holderIdentity: me, leaseDurationSeconds: 15, renewTime: 'long ago' },
    observedAt: now - 60_000,
    want: { kind: 'renew' },
  },
  {
    name: 'held by another, seen changing 5 s ago → wait for the rest of its duration',
    lease: { holderIdentity: 'operator-b', leaseDurationSeconds: 15 },
    observedAt: now - 5_000,
    want: { kind: 'wait', holder: 'operator-b', expiresInMs: 10_000 },
  },
  {
    name: 'held by another, unchanged for its whole duration → take over, counting the transition',
    lease: { holderIdentity: 'operator-b', leaseDurationSeconds: 15, leaseTransitions: 3 },
    observedAt: now - 15_000,
    want: { kind: 'take-over', transitions: 4 },
  },
  {
    name: 'released (empty holder) → take over at once',
    lease: { holderIdentity: '', leaseDurationSeconds: 15 },
    observedAt: now,
    want: { kind: 'take-over', transitions: 1 },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(decideLease(c.lease, me, now, c.observedAt), c.want);
  });
}

/** A candidate's view over time, on a fake clock: what it reads, when, and what it decides. */
function watchLease(reads: { at: number; renewTime: string; resourceVersion: string }[]) {
  let observed: LeaseObservation | undefined;
  return reads.map(({ at, renewTime, resourceVersion }) => {
    const lease = { holderIdentity: 'operator-b', leaseDurationSeconds: 15, renewTime, resourceVersion };
    observed = observeLease(observed, lease, at);
    return decideLease(lease, me, at, observed.observedAt).kind;
  });
}

test('a renewTime far in the past does not expire a lease that keeps changing', () => {
  // The holder's clock is a day behind: by renewTime its lease expired long ago.
  const dayAgo = (ms: number) => new Date(now - 86_400_000 + ms).toISOString();
  const kinds = watchLease([
    { at: now, renewTime: dayAgo(0), resourceVersion: '1' },
    { at: now + 10_000, renewTime: dayAgo(10_000), resourceVersion: '2' },
    { at: now + 20_000, renewTime: dayAgo(20_000), resourceVersion: '3' },
  ]);
  assert.deepEqual(kinds, ['wait', 'wait', 'wait']);
});

test('a renewTime far in the future does not keep a lease that stopped changing', () => {
  const future = new Date(now + 86_400_000).toISOString();
  const kinds = watchLease([
    { at: now, renewTime: future, resourceVersion: '1' },
    { at: now + 14_999, renewTime: future, resourceVersion: '1' },
    { at: now + 15_000, renewTime: future, resourceVersion: '1' },
  ]);
  assert.deepEqual(kinds, ['wait', 'wait', 'take-over']);
});

test('the first sight of a lease starts its full duration, whatever its renewTime says', () => {
  const observed = observeLease(undefined, { holderIdentity: 'operator-b', renewTime: 'x' }, now);
  assert.deepEqual(observed.observedAt, now);
  const again = observeLease(observed, { holderIdentity: 'operator-b', renewTime: 'x' }, now + 9_000);
  assert.equal(again.observedAt, now, 'unchanged: still judged from the first sight');
  const moved = observeLease(again, { holderIdentity: 'operator-c', renewTime: 'x' }, now + 9_500);
  assert.equal(moved.observedAt, now + 9_500, 'a new holder is a change');
});
