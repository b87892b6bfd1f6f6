import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { FailoverView } from '../../src/failover/failover-view.js';
import { type FailoverEffectHandlers, FailoverMachine } from '../../src/failover/machine.js';
import { specs, T0 } from './driver.js';

function recorder(): { calls: string[]; handlers: FailoverEffectHandlers; views: FailoverView[] } {
  const calls: string[] = [];
  const views: FailoverView[] = [];
  return {
    calls,
    views,
    handlers: {
      startReader: (e) => calls.push(`start ${e.readerId} p${e.priority} ${e.role} ${e.configHash}`),
      stopReader: (id) => calls.push(`stop ${id}`),
      promote: (e) => calls.push(`promote ${e.readerId} ${e.cause} ${e.session}`),
      emit: (event, payload) => calls.push(`${event} ${JSON.stringify(payload)}`),
      viewChanged: (view) => {
        calls.push('view');
        views.push(view);
      },
    },
  };
}

describe('FailoverMachine', () => {
  test('runs effects through the handlers in order, with times from the injected clock', () => {
    let now = T0;
    const { calls, handlers, views } = recorder();
    const machine = new FailoverMachine({ inputs: specs('udp', 'srt'), clock: () => now, handlers });
    machine.dispatch({ type: 'start' });
    now += 250;
    machine.dispatch({ type: 'packet', readerId: 1 });
    now += 1000;
    machine.dispatch({ type: 'tick' });
    assert.deepEqual(calls, [
      'start 1 p0 candidate udp-0',
      'view',
      'promote 1 initial fresh',
      'input.failover {"from":-1,"to":0,"reason":"initial","detail":""}',
      'view',
      'input.error {"priority":0,"message":"no packet for 1 s (timeout 1 s)","permanent":false}',
      'input.degraded {"priority":0,"reason":"no packet for 1 s (timeout 1 s)"}',
      'start 2 p1 candidate srt-1',
      'view',
    ]);
    assert.equal(views.at(-1)?.switches[0]?.at, new Date(T0 + 250).toISOString());
    assert.equal(machine.shouldPublish(1), true);
    assert.equal(machine.shouldPublish(2), false);
    assert.equal(machine.view().inputs[1]?.state, 'connecting');
  });

  test('returns the reply of a manual switch', () => {
    const { handlers } = recorder();
    const machine = new FailoverMachine({ inputs: specs('udp'), clock: () => T0, handlers });
    assert.deepEqual(machine.dispatch({ type: 'manualSwitch', priority: 4 }), {
      ok: false,
      error: 'unknown_priority',
      message: 'no input with priority 4; known: priority 0',
    });
    assert.equal(machine.dispatch({ type: 'tick' }), undefined);
  });

  test('refuses a dispatch from inside an effect handler and stays usable', () => {
    const { handlers } = recorder();
    let machine: FailoverMachine | undefined;
    let inner: unknown;
    handlers.startReader = (e) => {
      try {
        machine?.dispatch({ type: 'readerOpened', readerId: e.readerId });
      } catch (err) {
        inner = err;
      }
    };
    machine = new FailoverMachine({ inputs: specs('udp'), clock: () => T0, handlers });
    machine.dispatch({ type: 'start' });
    assert.match(String(inner), /dispatched from an effect handler/);
    machine.dispatch({ type: 'readerOpened', readerId: 1 });
    assert.equal(machine.state.readers[0]?.openedAt, T0);
  });
});
