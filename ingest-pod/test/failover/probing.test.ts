import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shouldPublish } from '../../src/failover/step.js';
import { Driver, events, ofType, specs, trace } from './driver.js';

/** Live on input 1 after input 0 failed at the returned time. */
function failedOver(protocols = specs('udp', 'udp', 'udp'), overrides = {}): { d: Driver; failedAt: number } {
  const d = new Driver(protocols, overrides).startLive();
  const failedAt = d.now;
  d.fail(0, 'source ended');
  d.packet(1);
  d.delivering.add(1);
  return { d, failedAt };
}

describe('probing degraded inputs', () => {
  test('a degraded input is first probed probeAfter after it degraded', () => {
    const { d, failedAt } = failedOver();
    d.advanceUntil(() => d.hasReader(0, 'probe'), 20_000);
    assert.equal(d.now - failedAt, 8000);
    assert.equal(ofType(d.last, 'startReader')[0]!.role, 'probe');
    assert.equal(shouldPublish(d.state, d.reader(0, 'probe')), false, 'a probe is never published');
  });

  const failures = [
    { name: 'no media within probeTimeout', fail: (d: Driver) => d.advance(3000), nextAfter: 8000 },
    { name: 'a permanent error', fail: (d: Driver) => d.fail(0, 'http 503', true, 'probe'), nextAfter: 8000 },
  ];
  for (const row of failures) {
    test(`a failed probe (${row.name}) is closed and retried probeAfter later`, () => {
      const { d } = failedOver();
      d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
      const probe = d.reader(0);
      const effects = row.fail(d);
      assert.ok(trace(effects).includes(`stop#${probe}`));
      assert.equal(d.state.inputs[0]!.health, 'degraded');
      const failedAt = d.now;
      assert.equal(
        d.advanceUntil(() => d.hasReader(0, 'probe'), 20_000),
        row.nextAfter,
      );
      assert.equal(d.now - failedAt, row.nextAfter);
    });
  }

  test('a retriable error of a probe is recorded; the probe keeps its probeTimeout', () => {
    const { d } = failedOver();
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    const effects = d.fail(0, 'ECONNREFUSED', false, 'probe');
    assert.deepEqual(trace(effects), ['emit:input.error']);
    assert.ok(d.hasReader(0, 'probe'));
    assert.equal(d.state.inputs[0]!.errors[0]!.message, 'ECONNREFUSED');
  });

  test('probeAfter and probeTimeout come from spec.failover when given', () => {
    const { d, failedAt } = failedOver(specs('udp', 'udp'), { probeAfterMs: 2000, probeTimeoutMs: 500 });
    d.advanceUntil(() => d.hasReader(0, 'probe'), 5000);
    assert.equal(d.now - failedAt, 2000);
    assert.equal(
      d.advanceUntil(() => !d.hasReader(0, 'probe'), 5000),
      500,
    );
  });

  test('hls probes get two target durations', () => {
    const { d } = failedOver([
      { protocol: 'hls', configHash: 'a' },
      { protocol: 'udp', configHash: 'b' },
    ]);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    d.send({ type: 'targetDuration', readerId: d.reader(0), ms: 4000 });
    assert.equal(
      d.advanceUntil(() => !d.hasReader(0, 'probe'), 20_000),
      8000,
    );
  });
});

describe('probe success and failback', () => {
  test('a probe inside the hold-down makes the input eligible; the sweeper fails back when the hold-down ends', () => {
    const { d } = failedOver();
    const switchedAt = d.state.lastSwitchAt!;
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    const probe = d.reader(0);
    const effects = d.packet(0, 'probe');
    assert.deepEqual(trace(effects), ['emit:input.recovered', `stop#${probe}`]);
    assert.deepEqual(events(effects)[0]!.payload, { priority: 0, wasExhausted: false });
    assert.deepEqual(d.health(), ['standby', 'active', 'standby']);

    d.advanceUntil(() => d.hasReader(0, 'candidate'), 10_000);
    assert.equal(d.now - switchedAt, 12_000, 'failback exactly when the hold-down is over');
    const old = d.reader(1);
    assert.ok(shouldPublish(d.state, old), 'make-before-break: input 1 publishes while 0 opens');
    assert.deepEqual(trace(d.packet(0)), ['promote:0', `stop#${old}`, 'emit:input.failover']);
    assert.deepEqual(
      [d.state.switches[0]!.from, d.state.switches[0]!.to, d.state.switches[0]!.reason],
      [1, 0, 'failback'],
    );
    assert.deepEqual(d.health(), ['active', 'standby', 'standby']);
  });

  test('a probe after the hold-down fails back at once, publishing the probe reader itself', () => {
    const { d } = failedOver();
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    d.advance(3000); // first probe fails at +11 s, the next starts at +19 s
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    const probe = d.reader(0);
    const old = d.reader(1);
    assert.deepEqual(trace(d.packet(0)), [
      'emit:input.recovered',
      'promote:0',
      `stop#${old}`,
      'emit:input.failover',
    ]);
    assert.equal(d.state.publishingReaderId, probe);
    assert.equal(d.state.switches[0]!.reason, 'failback');
  });

  test('a recovered input worse than the active one is only made eligible', () => {
    const d = new Driver(specs('udp', 'udp', 'udp')).startLive();
    d.delivering.add(0);
    d.send({ type: 'manualSwitch', priority: 2 });
    d.fail(2, 'connection refused', true, 'candidate');
    assert.deepEqual(d.health(), ['active', 'standby', 'degraded']);
    d.advance(12_000);
    d.advanceUntil(() => d.hasReader(2, 'probe'), 9000);
    const probe = d.reader(2);
    assert.deepEqual(trace(d.packet(2)), ['emit:input.recovered', `stop#${probe}`]);
    d.advance(20_000);
    assert.equal(d.publishing(), 0);
    assert.equal(d.state.switches.length, 1);
  });

  test('the sweeper does nothing while the active input is already the best', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.delivering.add(0);
    d.advance(60_000);
    assert.equal(d.state.switches.length, 1);
    assert.equal(d.live.size, 1);
  });
});

describe('exhausted and recovery', () => {
  test('a single input that errors: exhausted, probed at probeAfter, and published from the probe that delivers', () => {
    const d = new Driver(specs('srt')).startLive();
    const effects = d.fail(0, 'peer closed');
    assert.deepEqual(trace(effects), [
      'emit:input.error',
      `stop#${1}`,
      'emit:input.degraded',
      'emit:input.exhausted',
    ]);
    assert.equal(d.state.exhausted, true);
    assert.equal(
      d.advanceUntil(() => d.hasReader(0, 'probe'), 9000),
      8000,
      'the last active input is probed too',
    );
    const probe = d.reader(0);
    assert.deepEqual(trace(d.packet(0)), ['emit:input.recovered', 'promote:0', 'emit:input.failover']);
    assert.deepEqual(events(d.log, 'input.recovered').at(-1)!.payload, { priority: 0, wasExhausted: true });
    assert.equal(d.state.publishingReaderId, probe);
    assert.equal(d.state.exhausted, false);
    assert.deepEqual(
      [d.state.switches[0]!.from, d.state.switches[0]!.to, d.state.switches[0]!.reason],
      [0, 0, 'recovery'],
    );
  });

  test('a single input that stalls: its reader stays, and the moment it delivers again the stream recovers on it', () => {
    const d = new Driver(specs('udp')).startLive();
    const reader = d.reader(0);
    d.advance(1000);
    assert.equal(d.state.exhausted, true);
    d.advance(30_000);
    assert.equal(d.live.size, 1, 'no probe while the stalled reader still runs');
    assert.deepEqual(trace(d.packet(0)), ['emit:input.recovered', 'promote:0', 'emit:input.failover']);
    assert.equal(d.state.publishingReaderId, reader);
    assert.equal(d.state.switches[0]!.reason, 'recovery');
    assert.equal(d.state.switches[0]!.detail, 'input 0 delivered again');
  });

  test('the stalled reader giving up hands over to probes', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.advance(1000);
    d.advance(3000); // candidate 1 fails too
    assert.equal(d.state.exhausted, true);
    d.advance(6000);
    d.fail(0, 'socket closed', true, 'active');
    assert.equal(d.state.publishingReaderId, null);
    d.advance(250);
    assert.ok(d.hasReader(0, 'probe'), 'probe due already (degraded for 10 s)');
  });

  test('the first input to deliver wins, whatever its priority', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.fail(0);
    d.fail(1);
    assert.equal(d.state.exhausted, true);
    d.advanceUntil(() => d.hasReader(0, 'probe') && d.hasReader(1, 'probe'), 9000);
    d.packet(1);
    assert.equal(d.publishing(), 1);
    assert.equal(d.state.switches[0]!.reason, 'recovery');
    // 0 recovering right after is not failed back to inside the hold-down.
    d.packet(0);
    assert.equal(d.publishing(), 1);
    assert.equal(d.state.inputs[0]!.health, 'standby');
  });

  test('exhausted is announced once, however many attempts fail', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.fail(0);
    d.fail(1);
    d.advance(60_000);
    assert.equal(events(d.log, 'input.exhausted').length, 1);
  });
});
