import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shouldPublish } from '../../src/failover/step.js';
import type { InputProtocol } from '../../src/failover/types.js';
import { Driver, events, ofType, specs, T0, trace } from './driver.js';

describe('initial selection', () => {
  test('opens the preferred input and publishes it from its first media (from -1, reason initial)', () => {
    const d = new Driver(specs('udp', 'udp'));
    assert.deepEqual(trace(d.send({ type: 'start' })), ['start:0:candidate']);
    assert.equal(d.publishing(), null);
    d.now += 400;
    assert.deepEqual(trace(d.packet(0)), ['promote:0', 'emit:input.failover']);
    assert.deepEqual(ofType(d.last, 'promote')[0], {
      type: 'promote',
      readerId: d.reader(0),
      priority: 0,
      cause: 'initial',
      session: 'fresh',
    });
    assert.deepEqual(d.state.switches, [{ at: T0 + 400, from: -1, to: 0, reason: 'initial', detail: '' }]);
    assert.deepEqual(d.health(), ['active', 'standby']);
  });

  const failures = [
    { name: 'a permanent error', fail: (d: Driver) => d.fail(0, 'dns: no such host') },
    { name: 'no media within the probe timeout', fail: (d: Driver) => d.advance(3000) },
  ];
  for (const row of failures) {
    test(`an input that fails to start (${row.name}) is degraded and the next one is tried; still "initial"`, () => {
      const d = new Driver(specs('udp', 'udp'));
      d.send({ type: 'start' });
      row.fail(d);
      assert.deepEqual(d.health(), ['degraded', 'standby']);
      assert.ok(d.hasReader(1, 'candidate'));
      d.packet(1);
      assert.deepEqual(
        d.state.switches.map(({ from, to, reason }) => ({ from, to, reason })),
        [{ from: -1, to: 1, reason: 'initial' }],
      );
      // Not left idle forever: it is probed later.
      d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    });
  }

  test('a candidate is given exactly probeTimeout, and the packet timeout does not apply before its first media', () => {
    const d = new Driver(specs('udp', 'udp'));
    d.send({ type: 'start' });
    d.advance(2750);
    assert.deepEqual(d.health(), ['standby', 'standby'], 'well past the 1 s packet timeout, still waiting');
    d.advance(250);
    assert.deepEqual(d.health(), ['degraded', 'standby']);
    assert.deepEqual(d.state.inputs[0]!.errors, [
      { message: 'no media within 3 s of starting', at: T0 + 3000 },
    ]);
  });

  test('nothing starts before `start`, and `start` twice starts once', () => {
    const d = new Driver(specs('udp'));
    assert.deepEqual(d.advance(20_000), []);
    d.send({ type: 'start' });
    assert.deepEqual(trace(d.send({ type: 'start' })), []);
    assert.equal(d.live.size, 1);
  });

  test('with every input failing to start, the stream is exhausted (lastActive -1)', () => {
    const d = new Driver(specs('udp', 'srt'));
    d.send({ type: 'start' });
    d.fail(0);
    d.fail(1);
    assert.equal(d.state.exhausted, true);
    assert.deepEqual(events(d.last, 'input.exhausted'), [
      { event: 'input.exhausted', payload: { lastActive: -1 } },
    ]);
  });
});

describe('failover on a reader error', () => {
  test('a permanent error closes the reader at once, degrades the input and opens the next one', () => {
    const d = new Driver(specs('udp', 'udp', 'udp')).startLive();
    const old = d.reader(0);
    d.now += 5000;
    const effects = d.fail(0, 'http 404', true);
    assert.deepEqual(trace(effects), [
      'emit:input.error',
      `stop#${old}`,
      'emit:input.degraded',
      'start:1:candidate',
    ]);
    assert.equal(d.publishing(), null, 'a dead reader publishes nothing meanwhile');
    d.now += 300;
    assert.deepEqual(trace(d.packet(1)), ['promote:1', 'emit:input.failover']);
    assert.deepEqual(d.state.switches[0], {
      at: T0 + 5300,
      from: 0,
      to: 1,
      reason: 'error',
      detail: 'http 404',
    });
    assert.deepEqual(d.health(), ['degraded', 'active', 'standby']);
  });

  test('a retriable error is recorded and published but does not fail over', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    const effects = d.fail(0, 'ECONNRESET', false);
    assert.deepEqual(trace(effects), ['emit:input.error']);
    assert.deepEqual(events(effects)[0]!.payload, { priority: 0, message: 'ECONNRESET', permanent: false });
    assert.deepEqual(d.health(), ['active', 'standby']);
    assert.equal(d.state.inputs[0]!.errors[0]!.message, 'ECONNRESET');
  });

  test('errors and media from a reader the machine already closed are ignored', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    const old = d.reader(0);
    d.fail(0);
    d.packet(1);
    const before = d.state;
    assert.deepEqual(d.send({ type: 'packet', readerId: old }), []);
    assert.deepEqual(d.send({ type: 'readerError', readerId: old, message: 'aborted', permanent: true }), []);
    assert.deepEqual(d.send({ type: 'readerOpened', readerId: old }), []);
    assert.deepEqual(d.state, before);
  });
});

describe('failover on packet timeout', () => {
  const rows: { protocol: InputProtocol; targetDurationMs?: number; expectMs: number }[] = [
    ...(['udp', 'srt', 'rtmp', 'rtsp', 'http-ts', 'file', 'copy', 'publish'] as const).map((protocol) => ({
      protocol,
      expectMs: 1000,
    })),
    { protocol: 'hls', expectMs: 9000 },
    { protocol: 'hls', targetDurationMs: 2000, expectMs: 3000 },
    { protocol: 'hls', targetDurationMs: 4000, expectMs: 6000 },
  ];
  for (const row of rows) {
    const td = row.targetDurationMs === undefined ? '' : ` (target duration ${row.targetDurationMs} ms)`;
    test(`${row.protocol}${td}: declared lost ${row.expectMs} ms after its last packet`, () => {
      const d = new Driver([
        { protocol: row.protocol, configHash: 'a' },
        { protocol: 'udp', configHash: 'b' },
      ]).startLive();
      if (row.targetDurationMs !== undefined) {
        d.send({ type: 'targetDuration', readerId: d.reader(0), ms: row.targetDurationMs });
      }
      d.advance(row.expectMs / 2);
      d.packet(0);
      const lastPacket = d.now;
      const elapsed = d.advanceUntil(() => d.state.inputs[0]!.health === 'degraded', 20_000);
      assert.equal(elapsed, row.expectMs);
      assert.equal(d.now - lastPacket, row.expectMs);
    });
  }

  test('spec.failover.packetTimeout overrides the protocol default', () => {
    const d = new Driver(specs('hls', 'udp'), { packetTimeoutMs: 500 }).startLive();
    assert.equal(
      d.advanceUntil(() => d.state.inputs[0]!.health === 'degraded', 5000),
      500,
    );
  });

  test('overridesChanged takes effect on the next tick', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.send({ type: 'overridesChanged', overrides: { packetTimeoutMs: 5000 } });
    d.advance(4750);
    assert.equal(d.state.inputs[0]!.health, 'active');
    d.advance(250);
    assert.equal(d.state.inputs[0]!.health, 'degraded');
  });

  test('a steady 30 fps source never times out', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    for (let i = 0; i < 300; i++) {
      d.now += 33;
      if (d.now % 250 < 33) d.send({ type: 'tick' });
      d.packet(0);
    }
    assert.deepEqual(d.health(), ['active', 'standby']);
    assert.equal(d.state.switches.length, 1);
  });

  test('make-before-break: the stalled reader keeps publishing until the next input delivers, then it is closed', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    const old = d.reader(0);
    const effects = d.advance(1000);
    assert.deepEqual(trace(effects), ['emit:input.error', 'emit:input.degraded', 'start:1:candidate']);
    const text = 'no packet for 1 s (timeout 1 s)';
    assert.deepEqual(events(effects, 'input.degraded')[0]!.payload, { priority: 0, reason: text });
    assert.ok(shouldPublish(d.state, old), 'still the published reader');

    d.now += 100;
    assert.deepEqual(
      d.send({ type: 'packet', readerId: old }).length,
      0,
      'late media of the old input is published',
    );
    assert.ok(shouldPublish(d.state, old));

    d.now += 100;
    assert.deepEqual(trace(d.packet(1)), ['promote:1', `stop#${old}`, 'emit:input.failover']);
    assert.equal(
      shouldPublish(d.state, old),
      false,
      'nothing of the old input is published after the switch',
    );
    assert.ok(shouldPublish(d.state, d.reader(1)));
    assert.deepEqual(d.state.switches[0], { at: d.now, from: 0, to: 1, reason: 'timeout', detail: text });
    assert.deepEqual(ofType(d.log, 'promote').at(-1)!.session, 'failover');
  });

  test('the timeout is measured from the promotion, not from when the candidate was opened', () => {
    const d = new Driver(specs('udp', 'udp'));
    d.send({ type: 'start' });
    d.advance(2500);
    d.packet(0);
    d.advance(750);
    assert.equal(d.state.inputs[0]!.health, 'active');
    d.advance(250);
    assert.equal(d.state.inputs[0]!.health, 'degraded');
  });
});

describe('candidate failure during a switch', () => {
  const rows = [
    {
      name: 'gives up with a permanent error',
      fail: (d: Driver) => d.fail(1, 'tls: bad certificate'),
      error: 'tls: bad certificate',
    },
    {
      name: 'delivers nothing within probeTimeout',
      fail: (d: Driver) => d.advance(3000),
      error: 'no media within 3 s of starting',
    },
  ];
  for (const row of rows) {
    test(`a candidate that ${row.name} is degraded and the next input is tried`, () => {
      const d = new Driver(specs('udp', 'udp', 'udp')).startLive();
      d.fail(0, 'source ended');
      row.fail(d);
      assert.deepEqual(d.health(), ['degraded', 'degraded', 'standby']);
      assert.equal(d.state.inputs[1]!.errors[0]!.message, row.error);
      assert.ok(d.hasReader(2, 'candidate'));
      d.packet(2);
      assert.deepEqual(d.state.switches[0]!.reason, 'error');
      assert.deepEqual(d.state.switches[0]!.detail, 'source ended', 'the switch keeps its original cause');
      assert.deepEqual([d.state.switches[0]!.from, d.state.switches[0]!.to], [0, 2]);
    });
  }

  test('while candidates fail, a stalled reader keeps publishing; the last failure leaves it as the only hope', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    const old = d.reader(0);
    d.advance(1000);
    d.advance(3000);
    assert.equal(d.state.exhausted, true);
    assert.ok(shouldPublish(d.state, old));
    assert.deepEqual(events(d.last, 'input.exhausted'), [
      { event: 'input.exhausted', payload: { lastActive: 0 } },
    ]);
  });
});

describe('reader lifecycle events', () => {
  test('input.connected is published for opened active and candidate readers, not for probes', () => {
    const d = new Driver(specs('udp', 'udp'));
    d.send({ type: 'start' });
    const opened = d.send({ type: 'readerOpened', readerId: d.reader(0) });
    assert.deepEqual(events(opened), [
      { event: 'input.connected', payload: { priority: 0, role: 'candidate' } },
    ]);
    d.packet(0);
    const reopened = d.send({ type: 'readerOpened', readerId: d.reader(0) });
    assert.deepEqual(events(reopened), [
      { event: 'input.connected', payload: { priority: 0, role: 'active' } },
    ]);
    d.fail(0);
    d.packet(1);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    assert.deepEqual(events(d.send({ type: 'readerOpened', readerId: d.reader(0, 'probe') })), []);
  });
});
