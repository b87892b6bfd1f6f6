import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { shouldPublish } from '../../src/failover/step.js';
import type { FailoverInputSpec } from '../../src/failover/types.js';
import { Driver, ofType, trace } from './driver.js';

const A: FailoverInputSpec = { protocol: 'udp', configHash: 'A' };
const B: FailoverInputSpec = { protocol: 'srt', configHash: 'B' };
const C: FailoverInputSpec = { protocol: 'rtmp', configHash: 'C' };
const A2: FailoverInputSpec = { protocol: 'udp', configHash: 'A-v2' };
const B2: FailoverInputSpec = { protocol: 'srt', configHash: 'B-v2' };

/** Live and delivering on `priority` of `inputs`. */
function liveOn(inputs: FailoverInputSpec[], priority = 0): Driver {
  const d = new Driver(inputs).startLive(priority);
  d.delivering.add(priority);
  return d;
}

const readerEffects = (effects: ReturnType<Driver['send']>) =>
  effects.filter((e) => e.type === 'startReader' || e.type === 'stopReader' || e.type === 'promote');

describe('inputs changed: the healthy active input is never restarted when it did not change', () => {
  const rows: { name: string; before: FailoverInputSpec[]; priority: number; after: FailoverInputSpec[] }[] =
    [
      { name: 'same list', before: [A, B], priority: 0, after: [A, B] },
      { name: 'worse input appended', before: [A, B], priority: 0, after: [A, B, C] },
      { name: 'another input updated', before: [A, B], priority: 0, after: [A, B2] },
      { name: 'another input removed', before: [A, B, C], priority: 0, after: [A, C] },
      {
        name: 'a degraded better input removed (active moves to priority 0)',
        before: [A, B],
        priority: 1,
        after: [B],
      },
    ];
  for (const row of rows) {
    test(row.name, () => {
      const d = liveOn(row.before, row.priority);
      const active = d.state.publishingReaderId;
      const effects = d.send({ type: 'inputsChanged', inputs: row.after });
      assert.deepEqual(
        readerEffects(effects).filter((e) => e.type !== 'stopReader' || e.readerId === active),
        [],
      );
      assert.equal(d.state.publishingReaderId, active);
      assert.equal(ofType(effects, 'viewChanged').length, 1);
      d.advance(5000);
      assert.equal(d.state.publishingReaderId, active, 'and it keeps running');
    });
  }
});

describe('inputs changed: switches', () => {
  test('a new input better than the active one is switched to (input_added), make-before-break', () => {
    const d = liveOn([B]);
    const old = d.reader(0);
    const effects = d.send({ type: 'inputsChanged', inputs: [A, B] });
    assert.deepEqual(trace(effects), ['start:0:candidate']);
    assert.ok(shouldPublish(d.state, old));
    assert.deepEqual(trace(d.packet(0, 'candidate')), ['promote:0', `stop#${old}`, 'emit:input.failover']);
    assert.deepEqual(d.state.switches[0], {
      at: d.now,
      from: 1,
      to: 0,
      reason: 'input_added',
      detail: 'input 0 added',
    });
  });

  test('the active input removed: the next one takes over (input_removed), the old one bridges until it delivers', () => {
    const d = liveOn([A, B]);
    const old = d.reader(0);
    assert.deepEqual(trace(d.send({ type: 'inputsChanged', inputs: [B] })), ['start:0:candidate']);
    d.now += 100;
    d.send({ type: 'packet', readerId: old });
    assert.ok(
      shouldPublish(d.state, old),
      'the removed input is still published until its successor delivers',
    );
    assert.deepEqual(trace(d.packet(0, 'candidate')), ['promote:0', `stop#${old}`, 'emit:input.failover']);
    assert.deepEqual(
      [
        d.state.switches[0]!.from,
        d.state.switches[0]!.to,
        d.state.switches[0]!.reason,
        d.state.switches[0]!.detail,
      ],
      [0, 0, 'input_removed', 'input 0 removed'],
    );
  });

  test('removal takes precedence over a better added input in the reason', () => {
    const D: FailoverInputSpec = { protocol: 'file', configHash: 'D' };
    const d = liveOn([B, C, D], 1);
    d.send({ type: 'inputsChanged', inputs: [A, B, D] });
    d.packet(0, 'candidate');
    assert.deepEqual(
      [d.state.switches[0]!.from, d.state.switches[0]!.to, d.state.switches[0]!.reason],
      [1, 0, 'input_removed'],
    );
  });

  test('replacing an input in place is an update, not a removal', () => {
    const d = liveOn([B, C]);
    const effects = d.send({ type: 'inputsChanged', inputs: [A, C] });
    assert.deepEqual(ofType(effects, 'startReader')[0]!.configHash, 'A');
    d.packet(0, 'candidate');
    assert.equal(ofType(d.last, 'promote')[0]!.cause, 'input_updated');
  });

  test('the active input removed with nothing else healthy: it stops at once and the stream is exhausted', () => {
    const d = liveOn([A, B]);
    d.send({ type: 'manualSwitch', priority: 1 });
    d.fail(1, 'refused', true, 'candidate');
    const old = d.reader(0);
    const effects = d.send({ type: 'inputsChanged', inputs: [B] });
    assert.deepEqual(trace(effects), [`stop#${old}`, 'emit:input.exhausted']);
    assert.equal(d.state.exhausted, true);
  });

  test('the active input updated: only it is restarted, break-before-make, with no switch recorded', () => {
    const d = liveOn([A, B]);
    const old = d.reader(0);
    const switches = d.state.switches;
    const effects = d.send({ type: 'inputsChanged', inputs: [A2, B] });
    assert.deepEqual(trace(effects), [`stop#${old}`, 'start:0:candidate']);
    assert.equal(ofType(effects, 'startReader')[0]!.configHash, 'A-v2');
    assert.deepEqual(trace(d.packet(0, 'candidate')), ['promote:0']);
    assert.deepEqual(ofType(d.last, 'promote')[0]!.cause, 'input_updated');
    assert.deepEqual(ofType(d.last, 'promote')[0]!.session, 'reconnect');
    assert.deepEqual(d.state.switches, switches);
  });

  test('the active input moved to another source: make-before-break, no switch recorded', () => {
    const here: FailoverInputSpec = { protocol: 'udp', configHash: 'A', source: 'udp://127.0.0.1:5000' };
    const there: FailoverInputSpec = { protocol: 'udp', configHash: 'A-v2', source: 'udp://127.0.0.1:5002' };
    const d = liveOn([here, B]);
    const old = d.reader(0);
    const switches = d.state.switches;
    const effects = d.send({ type: 'inputsChanged', inputs: [there, B] });
    assert.deepEqual(trace(effects), ['start:0:candidate'], 'the old reader is not stopped');
    assert.ok(shouldPublish(d.state, old), 'and keeps publishing while the new one connects');
    d.advance(500);
    assert.ok(shouldPublish(d.state, old));
    assert.deepEqual(trace(d.packet(0, 'candidate')), ['promote:0', `stop#${old}`]);
    assert.equal(ofType(d.last, 'promote')[0]!.cause, 'input_updated');
    assert.deepEqual(d.state.switches, switches);
    // The same source (a UDP port binds once) is restarted in place, as before.
    const current = d.reader(0);
    const again = d.send({ type: 'inputsChanged', inputs: [{ ...there, configHash: 'A-v3' }, B] });
    assert.deepEqual(trace(again), [`stop#${current}`, 'start:0:candidate']);
  });

  test('the active input updated while a better one is standby: still only it is restarted', () => {
    const d = new Driver([A, B]).startLive();
    d.fail(0);
    d.packet(1);
    d.delivering.add(1);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    d.packet(0, 'probe'); // 0 eligible again, inside the hold-down
    d.send({ type: 'inputsChanged', inputs: [A, B2] });
    assert.ok(d.hasReader(1, 'candidate'));
    assert.equal(d.hasReader(0), false);
  });

  test('a restart whose input changes again restarts with the newest configuration', () => {
    const d = liveOn([A, B]);
    d.send({ type: 'inputsChanged', inputs: [A2, B] });
    const effects = d.send({ type: 'inputsChanged', inputs: [{ protocol: 'udp', configHash: 'A-v3' }, B] });
    assert.deepEqual(
      ofType(effects, 'startReader').map((e) => e.configHash),
      ['A-v3'],
    );
  });

  test('an updated degraded input starts over: readers closed, eligible, errors cleared', () => {
    const d = liveOn([A, B]);
    d.send({ type: 'manualSwitch', priority: 1 });
    d.fail(1, 'bad passphrase', true, 'candidate');
    d.advanceUntil(() => d.hasReader(1, 'probe'), 9000);
    const probe = d.reader(1);
    const effects = d.send({ type: 'inputsChanged', inputs: [A, B2] });
    assert.deepEqual(trace(effects), [`stop#${probe}`]);
    assert.equal(d.state.inputs[1]!.health, 'standby');
    assert.deepEqual(d.state.inputs[1]!.errors, []);
  });

  test('a removed input loses its probe', () => {
    const d = liveOn([A, B]);
    d.send({ type: 'manualSwitch', priority: 1 });
    d.fail(1, 'bad passphrase', true, 'candidate');
    d.advanceUntil(() => d.hasReader(1, 'probe'), 9000);
    const probe = d.reader(1);
    assert.deepEqual(trace(d.send({ type: 'inputsChanged', inputs: [A] })), [`stop#${probe}`]);
  });

  test("the candidate's input removed: the switch goes on with the next input", () => {
    const d = new Driver([A, B, C]).startLive();
    d.fail(0, 'gone');
    const candidate = d.reader(1);
    assert.deepEqual(trace(d.send({ type: 'inputsChanged', inputs: [A, C] })), [
      `stop#${candidate}`,
      'start:1:candidate',
    ]);
    d.packet(1, 'candidate');
    assert.deepEqual([d.state.switches[0]!.reason, d.state.switches[0]!.detail], ['error', 'gone']);
  });

  test('an exhausted stream tries an added input at once', () => {
    const d = new Driver([A]).startLive();
    d.fail(0);
    assert.equal(d.state.exhausted, true);
    assert.deepEqual(trace(d.send({ type: 'inputsChanged', inputs: [A, B] })), ['start:1:candidate']);
    d.packet(1, 'candidate');
    assert.equal(d.state.switches[0]!.reason, 'input_added');
    assert.equal(d.state.exhausted, false);
  });

  test('an exhausted stream tries an input whose configuration was fixed', () => {
    const d = new Driver([A, B]).startLive();
    d.fail(0);
    d.fail(1);
    const effects = d.send({ type: 'inputsChanged', inputs: [A, B2] });
    assert.deepEqual(trace(effects), ['start:1:candidate']);
    d.packet(1, 'candidate');
    assert.deepEqual(
      [d.state.switches[0]!.reason, d.state.switches[0]!.detail],
      ['input_added', 'input 1 changed'],
    );
  });

  test('error history, override and readers follow an input to its new priority', () => {
    const d = liveOn([A, B, C]);
    d.send({ type: 'manualSwitch', priority: 2 });
    d.packet(2, 'candidate');
    d.fail(2, 'ECONNRESET', false);
    const reader = d.state.publishingReaderId;
    const effects = d.send({ type: 'inputsChanged', inputs: [B, C] });
    assert.deepEqual(readerEffects(effects), []);
    assert.equal(d.state.publishingReaderId, reader);
    assert.deepEqual(
      d.state.inputs[1]!.errors.map((e) => e.message),
      ['ECONNRESET'],
    );
    assert.equal(d.state.overrideInputId, d.state.inputs[1]!.id);
  });
});
