import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { StreamStatus } from '@tributary/crds';
import { decideStatusWrite } from '../../src/status/write-decision.js';

const base: StreamStatus = {
  observedGeneration: 1,
  phase: 'Live',
  bitrateKbps: 900,
  inputs: [
    {
      priority: 0,
      state: 'active',
      bitrateKbps: 900,
      lastPacketTime: '2026-01-01T00:00:00.000Z',
      tracks: [{ trackId: 1, codec: 'h264', bitrateKbps: 800 }],
    },
  ],
};
const bitrateOnly: StreamStatus = {
  ...base,
  bitrateKbps: 950,
  inputs: [
    {
      priority: 0,
      state: 'active',
      bitrateKbps: 950,
      lastPacketTime: '2026-01-01T00:00:05.000Z',
      tracks: [{ trackId: 1, codec: 'h264', bitrateKbps: 850 }],
    },
  ],
};

test('an unchanged status is not written', () => {
  assert.deepEqual(decideStatusWrite(structuredClone(base), base, undefined, 0, 15_000), { kind: 'skip' });
});

test('a real change is written at once, however recent the last write', () => {
  const changed = { ...base, phase: 'Degraded' as const };
  assert.deepEqual(decideStatusWrite(changed, base, 1000, 1001, 15_000), { kind: 'write' });
  assert.deepEqual(decideStatusWrite(base, undefined, undefined, 0, 15_000), { kind: 'write' });
});

test('bitrates and packet times alone are written at most every interval', () => {
  assert.deepEqual(decideStatusWrite(bitrateOnly, base, 10_000, 14_000, 15_000), {
    kind: 'later',
    inMs: 11_000,
  });
  assert.deepEqual(decideStatusWrite(bitrateOnly, base, 10_000, 25_000, 15_000), { kind: 'write' });
  assert.deepEqual(decideStatusWrite(bitrateOnly, base, undefined, 0, 15_000), { kind: 'write' });
});

test('a bitrate becoming known (or dropping to zero) is written at once', () => {
  const starting: StreamStatus = {
    ...base,
    bitrateKbps: 0,
    inputs: [{ ...base.inputs![0]!, bitrateKbps: 0 }],
  };
  assert.deepEqual(decideStatusWrite(base, starting, 10_000, 10_500, 15_000), { kind: 'write' });
  assert.deepEqual(decideStatusWrite(starting, base, 10_000, 10_500, 15_000), { kind: 'write' });
});
