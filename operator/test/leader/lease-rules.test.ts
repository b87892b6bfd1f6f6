import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLease } from '../../src/leader/lease-rules.js';

const me = 'operator-a';
const now = 1_000_000;

const cases = [
  { name: 'no lease yet → create', lease: undefined, want: { kind: 'create' } },
  {
    name: 'held by me → renew, even if my renewals lapsed',
    lease: { holderIdentity: me, leaseDurationSeconds: 15, renewTime: now - 60_000 },
    want: { kind: 'renew' },
  },
  {
    name: 'held by another and fresh → wait for its expiry',
    lease: { holderIdentity: 'operator-b', leaseDurationSeconds: 15, renewTime: now - 5_000 },
    want: { kind: 'wait', holder: 'operator-b', expiresInMs: 10_000 },
  },
  {
    name: 'held by another but expired → take over, counting the transition',
    lease: {
      holderIdentity: 'operator-b',
      leaseDurationSeconds: 15,
      renewTime: now - 15_000,
      leaseTransitions: 3,
    },
    want: { kind: 'take-over', transitions: 4 },
  },
  {
    name: 'released (empty holder) → take over at once',
    lease: { holderIdentity: '', leaseDurationSeconds: 15, renewTime: now },
    want: { kind: 'take-over', transitions: 1 },
  },
];

for (const c of cases) {
  test(c.name, () => {
    assert.deepEqual(decideLease(c.lease, me, now), c.want);
  });
}
