import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { failoverView } from '../../src/failover/failover-view.js';
import { ERROR_HISTORY_LIMIT, SWITCH_HISTORY_LIMIT } from '../../src/failover/timings.js';
import type { FailoverInputSpec, FailoverState, InputProtocol } from '../../src/failover/types.js';
import { Driver } from './driver.js';

const POOL: FailoverInputSpec[] = (['udp', 'hls', 'srt', 'rtmp', 'publish'] as InputProtocol[]).map(
  (protocol, i) => ({
    protocol,
    configHash: `h${i}`,
  }),
);

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('packet' as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('opened' as const), pick: fc.nat() }) },
  {
    weight: 3,
    arbitrary: fc.record({ kind: fc.constant('error' as const), pick: fc.nat(), permanent: fc.boolean() }),
  },
  {
    weight: 6,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 1, max: 15_000 }) }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('switch' as const), priority: fc.integer({ min: -1, max: 5 }) }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant('inputs' as const),
      list: fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 4 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant('target' as const), pick: fc.nat(), ms: fc.nat(10_000) }),
  },
);
type Op = typeof op extends fc.Arbitrary<infer T> ? T : never;

function apply(d: Driver, o: Op): void {
  const readers = [...d.live.keys()];
  const readerId = readers.length === 0 ? 999 : readers[('pick' in o ? o.pick : 0) % readers.length]!;
  switch (o.kind) {
    case 'packet':
      d.send({ type: 'packet', readerId });
      return;
    case 'opened':
      d.send({ type: 'readerOpened', readerId });
      return;
    case 'error':
      d.send({ type: 'readerError', readerId, message: 'x', permanent: o.permanent });
      return;
    case 'advance':
      d.advance(o.ms);
      return;
    case 'switch':
      d.send({ type: 'manualSwitch', priority: o.priority });
      assert.ok(d.lastReply !== undefined);
      return;
    case 'inputs':
      d.send({ type: 'inputsChanged', inputs: o.list.map((i) => POOL[i]!) });
      return;
    case 'target':
      d.send({ type: 'targetDuration', readerId, ms: o.ms });
  }
}

function checkInvariants(s: FailoverState, d: Driver): void {
  const ids = s.readers.map((r) => r.id);
  assert.deepEqual(
    new Set(ids),
    new Set(d.live.keys()),
    'the machine and the shell agree on running readers',
  );
  assert.ok(s.readers.filter((r) => r.role === 'active').length <= 1, 'one active reader at most');
  assert.ok(s.readers.filter((r) => r.role === 'candidate').length <= 1, 'one candidate at most');
  const candidate = s.readers.find((r) => r.role === 'candidate');
  assert.equal(s.pending?.readerId, candidate?.id, 'a switch under way has exactly its candidate');
  if (s.publishingReaderId !== null) {
    assert.equal(
      s.readers.find((r) => r.id === s.publishingReaderId)?.role,
      'active',
      'only the active reader publishes',
    );
  }
  const perInput = new Map<number, number>();
  for (const r of s.readers) perInput.set(r.inputId, (perInput.get(r.inputId) ?? 0) + 1);
  assert.ok(
    [...perInput.values()].every((n) => n === 1),
    'one reader per input at most',
  );
  for (const r of s.readers) {
    const input = s.inputs.find((i) => i.id === r.inputId);
    if (r.role === 'probe') assert.equal(input?.health, 'degraded', 'only degraded inputs are probed');
    if (r.role === 'candidate')
      assert.notEqual(input?.health, 'degraded', 'no candidate on a degraded input');
  }
  const actives = s.inputs.filter((i) => i.health === 'active');
  assert.ok(actives.length <= 1);
  if (actives.length === 1) {
    const publishing = s.readers.find((r) => r.id === s.publishingReaderId);
    assert.equal(publishing?.inputId, actives[0]!.id, 'the active input is the published one');
  }
  if (s.started && !s.stopped && !s.exhausted) {
    assert.ok(actives.length === 1 || s.pending !== null, 'not exhausted: live or switching');
  }
  if (s.stopped) assert.equal(s.readers.length, 0);
  assert.ok(s.inputs.every((i) => i.errors.length <= ERROR_HISTORY_LIMIT));
  assert.ok(s.switches.length <= SWITCH_HISTORY_LIMIT);
  for (let i = 1; i < s.switches.length; i++)
    assert.ok(s.switches[i - 1]!.at >= s.switches[i]!.at, 'newest first');
}

describe('failover invariants under random event sequences', () => {
  test('hold after every step', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 4 }),
        fc.array(op, { maxLength: 100 }),
        fc.boolean(),
        (initial, ops, stopAtEnd) => {
          const d = new Driver(initial.map((i) => POOL[i]!));
          d.send({ type: 'start' });
          checkInvariants(d.state, d);
          for (const o of ops) {
            apply(d, o);
            checkInvariants(d.state, d);
          }
          if (stopAtEnd) {
            d.send({ type: 'stop' });
            checkInvariants(d.state, d);
            assert.equal(d.live.size, 0, 'stop closes every reader');
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('once every source delivers, the stream goes live within a probe cycle and settles on the preferred input', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: POOL.length - 1 }), { minLength: 1, maxLength: 4 }),
        fc.array(op, { maxLength: 60 }),
        (initial, ops) => {
          const d = new Driver(initial.map((i) => POOL[i]!));
          d.send({ type: 'start' });
          for (const o of ops) apply(d, o);
          d.allDelivering = true;
          d.advance(8000 + 250 + 250);
          assert.notEqual(failoverView(d.state).live, false, 'live after at most one probe interval');
          d.advance(40_000);
          const view = failoverView(d.state);
          assert.equal(view.live, true);
          assert.equal(view.activeInput, view.overrideInput ?? 0, 'failed back to the preferred input');
          assert.ok(view.inputs.every((i) => i.state === 'active' || i.state === 'standby'));
        },
      ),
      { numRuns: 100 },
    );
  });
});
