import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkReadiness, type ReadinessFacts } from '../../src/observability/index.js';

describe('checkReadiness', () => {
  const ready: ReadinessFacts = {
    natsConnected: true,
    activeInput: 0,
    lastPacketAt: 10_000,
    packetTimeoutMs: 1000,
    now: 11_000,
  };
  const cases: [string, Partial<ReadinessFacts>, string | undefined][] = [
    ['connected and delivering within the timeout', {}, undefined],
    ['NATS down', { natsConnected: false }, 'nats-disconnected'],
    ['no active input', { activeInput: null }, 'no-active-input'],
    ['active input silent so far', { lastPacketAt: null }, 'no-media'],
    ['active input silent past its timeout', { now: 11_001 }, 'input-stalled'],
    ['on standby: connected is enough', { standby: true, activeInput: null, lastPacketAt: null }, undefined],
    ['on standby without NATS', { standby: true, natsConnected: false }, 'nats-disconnected'],
  ];
  for (const [name, change, reason] of cases) {
    it(name, () => {
      const health = checkReadiness({ ...ready, ...change });
      assert.equal(health.ok ? undefined : health.reason, reason);
    });
  }
});
