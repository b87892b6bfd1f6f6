import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ControlReply } from '../../src/failover/types.js';
import { Driver, specs, trace } from './driver.js';

function live3(): Driver {
  const d = new Driver(specs('udp', 'srt', 'rtmp')).startLive();
  d.delivering.add(0);
  return d;
}

describe('manual switch', () => {
  test('switches make-before-break with reason manual and keeps preferring the target after the hold-down', () => {
    const d = live3();
    const old = d.reader(0);
    const effects = d.send({ type: 'manualSwitch', priority: 2 });
    assert.deepEqual(d.lastReply, { ok: true, message: 'switching to input 2' });
    assert.deepEqual(trace(effects), ['start:2:candidate']);
    assert.equal(d.publishing(), 0);
    assert.deepEqual(trace(d.packet(2)), ['promote:2', `stop#${old}`, 'emit:input.failover']);
    assert.deepEqual(
      [d.state.switches[0]!.from, d.state.switches[0]!.to, d.state.switches[0]!.reason],
      [0, 2, 'manual'],
    );
    d.delivering.add(2);
    d.advance(60_000);
    assert.equal(d.publishing(), 2, 'the failback sweeper honours the override');
  });

  const refusals: { name: string; priority: number; setup?: (d: Driver) => void; expect: ControlReply }[] = [
    {
      name: 'a priority past the end',
      priority: 3,
      expect: {
        ok: false,
        error: 'unknown_priority',
        message: 'no input with priority 3; known: priorities 0..2',
      },
    },
    {
      name: 'a negative priority',
      priority: -1,
      expect: {
        ok: false,
        error: 'unknown_priority',
        message: 'no input with priority -1; known: priorities 0..2',
      },
    },
    {
      name: 'a fractional priority',
      priority: 0.5,
      expect: {
        ok: false,
        error: 'unknown_priority',
        message: 'no input with priority 0.5; known: priorities 0..2',
      },
    },
    {
      name: 'a degraded input',
      priority: 1,
      setup: (d) => {
        d.send({ type: 'manualSwitch', priority: 1 });
        d.fail(1, 'srt: connection rejected', true, 'candidate');
      },
      expect: {
        ok: false,
        error: 'input_degraded',
        message:
          'input 1 is degraded (srt: connection rejected); it is probed and can be chosen once it delivers again',
      },
    },
  ];
  for (const row of refusals) {
    test(`refuses ${row.name} with a precise error and changes nothing`, () => {
      const d = live3();
      row.setup?.(d);
      const before = d.state;
      const effects = d.send({ type: 'manualSwitch', priority: row.priority });
      assert.deepEqual(d.lastReply, row.expect);
      assert.deepEqual(effects, []);
      assert.deepEqual(d.state, before);
    });
  }

  test('switching to the active input pins it without restarting anything', () => {
    const d = live3();
    const effects = d.send({ type: 'manualSwitch', priority: 0 });
    assert.deepEqual(d.lastReply, { ok: true, message: 'input 0 is already active' });
    assert.deepEqual(effects, [{ type: 'viewChanged' }]);
    assert.equal(d.state.overrideInputId, d.state.inputs[0]!.id);
  });

  test('a manual switch replaces a switch under way', () => {
    const d = live3();
    d.send({ type: 'manualSwitch', priority: 1 });
    const candidate = d.reader(1);
    assert.deepEqual(trace(d.send({ type: 'manualSwitch', priority: 2 })), [
      `stop#${candidate}`,
      'start:2:candidate',
    ]);
    d.packet(2);
    assert.equal(d.publishing(), 2);
  });

  test('switching back to the active input cancels a switch under way', () => {
    const d = live3();
    d.send({ type: 'manualSwitch', priority: 1 });
    const candidate = d.reader(1);
    assert.deepEqual(trace(d.send({ type: 'manualSwitch', priority: 0 })), [`stop#${candidate}`]);
    assert.equal(d.state.pending, null);
  });

  test('the override is cleared when its input degrades, and selection is automatic again', () => {
    const d = live3();
    d.send({ type: 'manualSwitch', priority: 2 });
    d.packet(2);
    d.delivering.add(2);
    d.advance(1000);
    d.fail(2, 'rtmp: session ended', true, 'active');
    assert.equal(d.state.overrideInputId, null);
    assert.ok(d.hasReader(0, 'candidate'), 'the best input, not the next after 2');
    d.packet(0);
    assert.equal(d.state.switches[0]!.reason, 'error');
  });

  test('a manual target that fails to start leaves the healthy active input published', () => {
    const d = new Driver(specs('udp', 'udp', 'udp')).startLive();
    d.fail(0, 'gone'); // 1 is the candidate now
    d.packet(1);
    d.delivering.add(1);
    d.send({ type: 'manualSwitch', priority: 2 });
    d.advance(3000); // 2 never delivers
    assert.equal(d.state.inputs[2]!.health, 'degraded');
    assert.equal(d.state.pending, null, 'input 1 is still the best healthy input: nothing to do');
    assert.equal(d.publishing(), 1);
  });

  test('when the manual target fails after the active input died, the next switch is an error failover', () => {
    const d = new Driver(specs('udp', 'udp', 'udp')).startLive();
    d.send({ type: 'manualSwitch', priority: 2 });
    d.fail(0, 'source ended', true, 'active');
    assert.ok(d.hasReader(2, 'candidate'), 'the manual switch goes on');
    d.fail(2, 'srt: timeout', true, 'candidate');
    d.packet(1, 'candidate');
    assert.deepEqual(d.state.switches[0], {
      at: d.now,
      from: 0,
      to: 1,
      reason: 'error',
      detail: 'srt: timeout',
    });
  });

  test('before start the override only selects what start opens', () => {
    const d = new Driver(specs('udp', 'udp'));
    d.send({ type: 'manualSwitch', priority: 1 });
    assert.equal(d.lastReply?.ok, true);
    assert.deepEqual(trace(d.send({ type: 'start' })), ['start:1:candidate']);
  });

  test('after stop every request is refused', () => {
    const d = live3();
    d.send({ type: 'stop' });
    d.send({ type: 'manualSwitch', priority: 1 });
    assert.deepEqual(d.lastReply, { ok: false, error: 'stopped', message: 'the stream is stopping' });
  });
});
