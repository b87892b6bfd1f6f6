import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamStatus } from '@tributary/crds';
import { decideEvents } from '../../src/events/decide-events.js';
import { EventThrottle } from '../../src/events/event-throttle.js';

const condition = (type: string, status: 'True' | 'False', message = '') => ({
  type,
  status,
  reason: status === 'True' ? 'Yes' : 'No',
  message,
  lastTransitionTime: '2026-01-01T00:00:00Z',
});
const none = { kind: 'none' } as const;

test('a new pod, then a recreated one after a failure', () => {
  const status: StreamStatus = { phase: 'Pending' };
  assert.deepEqual(
    decideEvents(undefined, status, { kind: 'create', reason: 'new', detail: '' }, 'news-ingest'),
    [{ type: 'Normal', reason: 'PodCreated', message: 'created pod news-ingest' }],
  );
  const [event] = decideEvents(
    status,
    status,
    { kind: 'create', reason: 'recreated', detail: 'exit code 137' },
    'news-ingest',
  );
  assert.equal(event?.reason, 'PodRecreated');
  assert.match(event?.message ?? '', /exit code 137/);
});

test('InvalidInput once per distinct problem', () => {
  const invalid: StreamStatus = {
    phase: 'Failed',
    conditions: [condition('InputsValid', 'False', 'input 0: no Secret')],
  };
  assert.deepEqual(
    decideEvents(undefined, invalid, none, 'p').map((e) => [e.type, e.reason, e.message]),
    [['Warning', 'InvalidInput', 'input 0: no Secret']],
  );
  assert.deepEqual(decideEvents(invalid, invalid, none, 'p'), []);
  const other: StreamStatus = {
    phase: 'Failed',
    conditions: [condition('InputsValid', 'False', 'input 1: no VodMount')],
  };
  assert.equal(decideEvents(invalid, other, none, 'p').length, 1);
});

test('failovers and recoveries from new switch records, Live and Degraded on phase changes', () => {
  const live: StreamStatus = {
    phase: 'Live',
    switches: [{ at: '2026-01-01T00:00:00.000Z', from: -1, to: 0, reason: 'initial' }],
  };
  assert.deepEqual(
    decideEvents({ phase: 'Connecting' }, live, none, 'p').map((e) => e.reason),
    ['Live'],
    'the first activation is no failover',
  );
  const failedOver: StreamStatus = {
    phase: 'Degraded',
    conditions: [condition('Degraded', 'True', 'ingesting input 1')],
    switches: [
      { at: '2026-01-01T00:01:00.000Z', from: 0, to: 1, reason: 'timeout', detail: 'no packet for 1s' },
      ...live.switches!,
    ],
  };
  const events = decideEvents(live, failedOver, none, 'p');
  assert.deepEqual(
    events.map((e) => [e.type, e.reason]),
    [
      ['Warning', 'InputFailover'],
      ['Warning', 'Degraded'],
    ],
  );
  assert.equal(events[0]?.message, 'input 0 -> input 1 (timeout): no packet for 1s');
  const back: StreamStatus = {
    phase: 'Live',
    switches: [
      { at: '2026-01-01T00:02:00.000Z', from: 1, to: 0, reason: 'failback' },
      ...failedOver.switches!,
    ],
  };
  assert.deepEqual(
    decideEvents(failedOver, back, none, 'p').map((e) => e.reason),
    ['InputRecovered', 'Live'],
  );
});

test('the throttle folds repeats into a count and limits bursts per object', () => {
  let now = 0;
  const throttle = new EventThrottle({ burst: 2, refillMs: 1000, aggregateWindowMs: 10_000, now: () => now });
  const a = { type: 'Normal' as const, reason: 'Live', message: 'a' };
  const b = { type: 'Normal' as const, reason: 'Live', message: 'b' };
  const c = { type: 'Normal' as const, reason: 'Live', message: 'c' };
  assert.deepEqual(throttle.admit('uid', a), { kind: 'create' });
  throttle.remember('uid', a, 'ev-a', 1);
  assert.deepEqual(throttle.admit('uid', a), { kind: 'bump', name: 'ev-a', count: 2 });
  assert.deepEqual(throttle.admit('uid', b), { kind: 'create' });
  assert.deepEqual(throttle.admit('uid', c), { kind: 'drop' }, 'burst of 2 used up');
  assert.deepEqual(throttle.admit('other', c), { kind: 'create' }, 'buckets are per object');
  now = 1000;
  assert.deepEqual(throttle.admit('uid', c), { kind: 'create' }, 'one token back per refill interval');
  now = 20_000;
  assert.deepEqual(throttle.admit('uid', a), { kind: 'create' }, 'outside the window a repeat is new');
});
