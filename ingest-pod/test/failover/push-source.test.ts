import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FailoverInputSpec } from '../../src/failover/types.js';
import { Driver, events, specs } from './driver.js';

// Push inputs (seed 4.2): "no pusher connected" fails a stream with other inputs over at once; a
// sole push input waits for its publisher quietly and goes live on its first media.

const push: FailoverInputSpec = { protocol: 'publish', configHash: 'push-0', push: true };
const NO_PUSHER = 'no pusher connected';

function absent(d: Driver, priority: number, message = NO_PUSHER) {
  return d.send({ type: 'sourceAbsent', readerId: d.reader(priority), message, left: message !== NO_PUSHER });
}

describe('a push input with other inputs', () => {
  test('nobody publishing: the candidate fails over at once, with the reason as its error', () => {
    const d = new Driver([push, ...specs('udp')]);
    d.send({ type: 'start' });
    absent(d, 0);
    assert.deepEqual(d.health(), ['degraded', 'standby']);
    assert.ok(d.hasReader(1, 'candidate'));
    assert.equal(d.state.inputs[0]!.errors[0]?.message, NO_PUSHER);
    assert.deepEqual(events(d.last, 'input.degraded'), [
      { event: 'input.degraded', payload: { priority: 0, reason: NO_PUSHER } },
    ]);
  });

  test('a probe without a publisher fails quietly and is retried probeAfter later', () => {
    const d = new Driver([push, ...specs('udp')], { probeAfterMs: 1000 });
    d.send({ type: 'start' });
    absent(d, 0);
    d.packet(1);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 2000);
    const effects = absent(d, 0);
    assert.deepEqual(events(effects), [], 'no event for a failed probe');
    assert.equal(d.hasReader(0), false);
    assert.equal(d.state.inputs[0]!.nextProbeAt, d.now + 1000);
    assert.equal(d.state.inputs[0]!.errors.length, 1, 'only the first "no pusher connected" is recorded');
  });

  test('a probe that finds a publisher says who connected, and the input is failed back to', () => {
    const d = new Driver([push, ...specs('udp')], { probeAfterMs: 1000, failbackHoldDownMs: 500 });
    d.send({ type: 'start' });
    absent(d, 0);
    d.packet(1);
    d.delivering.add(1);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 2000);
    const opened = d.send({
      type: 'readerOpened',
      readerId: d.reader(0, 'probe'),
      pusher: { protocol: 'srt', peer: '192.0.2.7:4000' },
    });
    assert.deepEqual(events(opened), [
      {
        event: 'input.connected',
        payload: { priority: 0, role: 'probe', protocol: 'srt', peer: '192.0.2.7:4000' },
      },
    ]);
    d.packet(0, 'probe');
    assert.equal(d.publishing(), 0);
    assert.equal(d.state.switches[0]?.reason, 'failback');
  });

  test('the publisher leaving closes the published reader and fails over with its reason', () => {
    const d = new Driver([push, ...specs('udp')]).startLive();
    const reason = 'pusher disconnected: publisher disconnected';
    absent(d, 0, reason);
    assert.equal(d.hasReader(0), false);
    assert.deepEqual(d.health(), ['degraded', 'standby']);
    assert.ok(d.hasReader(1, 'candidate'));
    assert.equal(d.state.inputs[0]!.errors[0]?.message, reason);
    d.packet(1);
    assert.deepEqual(
      d.state.switches.map(({ to, reason: why, detail }) => ({ to, why, detail })),
      [
        { to: 1, why: 'error', detail: reason },
        { to: 0, why: 'initial', detail: '' },
      ],
    );
  });
});

describe('a sole push input', () => {
  test('waits for its publisher without errors or events, past the candidate deadline', () => {
    const d = new Driver([push], { probeTimeoutMs: 500 });
    d.send({ type: 'start' });
    const quiet = [...absent(d, 0), ...d.advance(30_000)];
    assert.deepEqual(events(quiet), []);
    assert.deepEqual(d.health(), ['standby']);
    assert.deepEqual(d.state.inputs[0]!.errors, []);
    assert.ok(d.hasReader(0, 'candidate'), 'still the first reader, waiting');
  });

  test('goes live on the first media of a publisher: initial switch, input.connected with the peer', () => {
    const d = new Driver([push]);
    d.send({ type: 'start' });
    d.advance(10_000);
    const opened = d.send({
      type: 'readerOpened',
      readerId: d.reader(0),
      pusher: { protocol: 'rtmp', peer: '192.0.2.8:50000' },
    });
    assert.deepEqual(events(opened), [
      {
        event: 'input.connected',
        payload: { priority: 0, role: 'candidate', protocol: 'rtmp', peer: '192.0.2.8:50000' },
      },
    ]);
    d.packet(0);
    assert.equal(d.publishing(), 0);
    assert.deepEqual(d.state.switches[0], { at: d.now, from: -1, to: 0, reason: 'initial', detail: '' });
  });

  test('once a publisher is there, the candidate has probeTimeout from then to deliver', () => {
    const d = new Driver([push], { probeTimeoutMs: 1000 });
    d.send({ type: 'start' });
    d.advance(5000);
    d.send({ type: 'readerOpened', readerId: d.reader(0) });
    d.advance(750);
    assert.deepEqual(d.health(), ['standby']);
    d.advance(500);
    assert.deepEqual(d.health(), ['degraded']);
    assert.equal(d.state.inputs[0]!.errors[0]?.message, 'no media within 1 s of starting');
  });

  test('its publisher leaving degrades it and exhausts the stream; the next publisher recovers it', () => {
    const d = new Driver([push]).startLive();
    const reason = 'pusher disconnected: publisher disconnected';
    const reader = d.reader(0);
    absent(d, 0, reason);
    assert.deepEqual(
      events(d.last).map((e) => e.event),
      ['input.error', 'input.degraded', 'input.exhausted'],
    );
    assert.equal(d.state.inputs[0]!.errors[0]?.message, reason);
    assert.equal(d.reader(0), reader, 'the reader stays, waiting for the next publisher');
    assert.deepEqual(events(d.advance(20_000)), [], 'no more news while nobody publishes');
    d.send({ type: 'readerOpened', readerId: reader, pusher: { protocol: 'srt', peer: '192.0.2.9:1' } });
    d.packet(0);
    assert.equal(d.state.exhausted, false);
    assert.deepEqual(d.health(), ['active']);
    assert.equal(d.state.switches[0]?.reason, 'recovery');
  });

  test('a pull input alone keeps its deadline', () => {
    const d = new Driver(specs('udp'), { probeTimeoutMs: 500 });
    d.send({ type: 'start' });
    d.advance(500);
    assert.deepEqual(d.health(), ['degraded']);
  });
});
