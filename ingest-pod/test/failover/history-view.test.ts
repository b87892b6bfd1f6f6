import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { failoverView } from '../../src/failover/failover-view.js';
import { ERROR_HISTORY_LIMIT, SWITCH_HISTORY_LIMIT } from '../../src/failover/timings.js';
import { Driver, events, specs, T0 } from './driver.js';

const iso = (ms: number) => new Date(ms).toISOString();

describe('histories', () => {
  test(`errors: the last ${ERROR_HISTORY_LIMIT} per input, newest first`, () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    for (let i = 1; i <= 7; i++) {
      d.now += 10;
      d.packet(0);
      d.fail(0, `e${i}`, false);
    }
    assert.deepEqual(
      d.state.inputs[0]!.errors,
      [7, 6, 5, 4, 3].map((i) => ({ message: `e${i}`, at: T0 + i * 10 })),
    );
    assert.deepEqual(d.state.inputs[1]!.errors, []);
  });

  test(`switches: the last ${SWITCH_HISTORY_LIMIT} per stream, newest first, the initial one with from -1`, () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    assert.deepEqual(
      d.state.switches.map((s) => s.from),
      [-1],
    );
    for (let i = 0; i < 24; i++) {
      d.now += 1000;
      const target = (i + 1) % 2;
      d.send({ type: 'manualSwitch', priority: target });
      d.packet(target, 'candidate');
    }
    assert.equal(d.state.switches.length, SWITCH_HISTORY_LIMIT);
    assert.deepEqual(
      d.state.switches.map((s) => s.at),
      Array.from({ length: 20 }, (_, i) => T0 + (24 - i) * 1000),
    );
    assert.deepEqual(d.state.switches[0], { at: T0 + 24_000, from: 1, to: 0, reason: 'manual', detail: '' });
  });

  test('an input that recovers keeps its error history (the switch log tells when it came back)', () => {
    const d = new Driver(specs('udp')).startLive();
    d.fail(0, 'peer closed');
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    d.packet(0);
    assert.deepEqual(
      d.state.inputs[0]!.errors.map((e) => e.message),
      ['peer closed'],
    );
  });
});

describe('events', () => {
  test('a failover publishes error, degraded and failover with their payloads, in that order', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.fail(0, 'http 410');
    d.packet(1);
    assert.deepEqual(events(d.log), [
      { event: 'input.failover', payload: { from: -1, to: 0, reason: 'initial', detail: '' } },
      { event: 'input.error', payload: { priority: 0, message: 'http 410', permanent: true } },
      { event: 'input.degraded', payload: { priority: 0, reason: 'http 410' } },
      { event: 'input.failover', payload: { from: 0, to: 1, reason: 'error', detail: 'http 410' } },
    ]);
  });

  test('every switch recorded is published as input.failover, and only those', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.fail(0);
    d.packet(1);
    d.delivering.add(1);
    d.advance(30_000);
    d.send({
      type: 'inputsChanged',
      inputs: [{ protocol: 'udp', configHash: 'new' }, ...specs('udp', 'udp').slice(1)],
    });
    d.advance(5000);
    const published = events(d.log, 'input.failover').map((e) => e.payload);
    const recorded = [...d.state.switches]
      .reverse()
      .map(({ from, to, reason, detail }) => ({ from, to, reason, detail }));
    assert.deepEqual(published, recorded);
    assert.ok(published.length >= 2);
  });
});

describe('failover view', () => {
  test('shows each input state, the switch under way, times as ISO 8601', () => {
    const d = new Driver(specs('udp', 'udp', 'udp'));
    d.send({ type: 'start' });
    assert.deepEqual(failoverView(d.state).switching, { to: 0, cause: 'initial', since: iso(T0) });
    assert.deepEqual(
      failoverView(d.state).inputs.map((i) => i.state),
      ['connecting', 'standby', 'standby'],
    );
    d.now += 500;
    d.packet(0);
    d.now += 500;
    d.fail(0, 'eof');
    d.packet(1);
    d.delivering.add(1);
    d.advanceUntil(() => d.hasReader(0, 'probe'), 9000);
    const view = failoverView(d.state);
    assert.deepEqual(view, {
      activeInput: 1,
      live: true,
      overrideInput: null,
      exhausted: false,
      switching: null,
      inputs: [
        {
          priority: 0,
          state: 'probing',
          lastPacketTime: iso(T0 + 500),
          degradedSince: iso(T0 + 1000),
          nextProbeAt: iso(T0 + 9000),
          errors: [{ message: 'eof', at: iso(T0 + 1000) }],
        },
        {
          priority: 1,
          state: 'active',
          lastPacketTime: iso(d.now),
          degradedSince: null,
          nextProbeAt: null,
          errors: [],
        },
        {
          priority: 2,
          state: 'standby',
          lastPacketTime: null,
          degradedSince: null,
          nextProbeAt: null,
          errors: [],
        },
      ],
      switches: [
        { at: iso(T0 + 1000), from: 0, to: 1, reason: 'error', detail: 'eof' },
        { at: iso(T0 + 500), from: -1, to: 0, reason: 'initial', detail: '' },
      ],
    });
  });

  test('exhausted with the stalled reader kept: active input shown, not live', () => {
    const d = new Driver(specs('udp')).startLive();
    d.advance(1000);
    const view = failoverView(d.state);
    assert.equal(view.exhausted, true);
    assert.equal(view.activeInput, 0);
    assert.equal(view.live, false);
    assert.equal(view.inputs[0]!.state, 'degraded');
  });

  test('viewChanged closes every step that changed something, and only those', () => {
    const d = new Driver(specs('udp', 'udp'));
    const rows: { name: string; run: () => ReturnType<Driver['send']>; changed: boolean }[] = [
      { name: 'start', run: () => d.send({ type: 'start' }), changed: true },
      { name: 'quiet tick', run: () => d.send({ type: 'tick' }), changed: false },
      { name: 'first media', run: () => d.packet(0), changed: true },
      { name: 'routine media', run: () => d.packet(0), changed: false },
      {
        name: 'pin the active input',
        run: () => d.send({ type: 'manualSwitch', priority: 0 }),
        changed: true,
      },
      { name: 'refused switch', run: () => d.send({ type: 'manualSwitch', priority: 9 }), changed: false },
      { name: 'retriable error', run: () => d.fail(0, 'x', false), changed: true },
      { name: 'stop', run: () => d.send({ type: 'stop' }), changed: true },
      { name: 'after stop', run: () => d.send({ type: 'tick' }), changed: false },
    ];
    for (const row of rows) {
      const effects = row.run();
      const flagged = effects.filter((e) => e.type === 'viewChanged');
      assert.equal(flagged.length, row.changed ? 1 : 0, row.name);
      if (row.changed) assert.equal(effects.at(-1)?.type, 'viewChanged', row.name);
    }
  });

  test('stop closes every reader once, and later events do nothing', () => {
    const d = new Driver(specs('udp', 'udp')).startLive();
    d.advance(1000); // timed out: stalled active + candidate
    assert.equal(d.live.size, 2);
    d.send({ type: 'stop' });
    assert.equal(d.live.size, 0);
    assert.equal(d.state.publishingReaderId, null);
    assert.deepEqual(d.advance(60_000), []);
  });
});
