import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseSnapshot } from '../../src/status/snapshot.js';

test('a snapshot as the ingest pod publishes it is taken over', () => {
  const snapshot = parseSnapshot(
    JSON.stringify({
      stream: { namespace: 'media', name: 'news' },
      at: '2026-01-02T03:04:05.678Z',
      activeInput: 1,
      exhausted: false,
      inputs: [
        {
          priority: 0,
          state: 'degraded',
          lastPacketTime: '2026-01-02T03:04:00.000Z',
          bitrateKbps: 0,
          tracks: [],
          unknownStreams: [],
          errors: [{ message: 'no packet for 1s', at: '2026-01-02T03:04:01.000Z' }],
        },
        {
          priority: 1,
          state: 'active',
          lastPacketTime: '2026-01-02T03:04:05.600Z',
          bitrateKbps: 812.6,
          tracks: [
            { trackId: 256, codec: 'h264', kind: 'video', width: 320, height: 240, bitrateKbps: 700.2 },
          ],
          unknownStreams: [],
          errors: [],
        },
      ],
      switches: [
        { at: '2026-01-02T03:04:01.500Z', from: 0, to: 1, reason: 'timeout', detail: 'no packet for 1s' },
      ],
    }),
  );
  assert.ok(snapshot);
  assert.equal(snapshot.at, Date.parse('2026-01-02T03:04:05.678Z'));
  assert.equal(snapshot.activeInput, 1);
  assert.equal(snapshot.inputs[1]?.bitrateKbps, 813, 'the CRD wants integers');
  assert.deepEqual(snapshot.inputs[1]?.tracks, [
    { trackId: 256, codec: 'h264', width: 320, height: 240, bitrateKbps: 700 },
  ]);
  assert.deepEqual(snapshot.inputs[0]?.errors, [
    { message: 'no packet for 1s', at: '2026-01-02T03:04:01.000Z' },
  ]);
  assert.deepEqual(snapshot.switches, [
    { at: '2026-01-02T03:04:01.500Z', from: 0, to: 1, reason: 'timeout', detail: 'no packet for 1s' },
  ]);
});

test('pod input states are said in the Stream status words', () => {
  const states = ['standby', 'active', 'degraded', 'probing', 'connecting', 'Weird State!'];
  const snapshot = parseSnapshot(
    JSON.stringify({ inputs: states.map((state, priority) => ({ priority, state })) }),
  );
  assert.deepEqual(
    snapshot?.inputs.map((i) => i.state),
    ['idle', 'active', 'degraded', 'degraded', 'connecting', 'unknown'],
  );
});

test('anything the CRD would reject is dropped or clamped, never passed on', () => {
  const snapshot = parseSnapshot(
    JSON.stringify({
      at: 'yesterday',
      activeInput: 9,
      inputs: [
        {
          priority: 0,
          state: 'active',
          lastPacketTime: 'never',
          bitrateKbps: -5,
          tracks: [{ codec: 'aac' }, 'x'],
        },
        'not an input',
      ],
      switches: [
        { at: '2026-01-02T03:04:01Z', from: 0, to: 1, reason: 'probe_won', detail: 'x' },
        { at: 'bad', from: 0, to: 1, reason: 'error' },
        { at: '2026-01-02T03:04:01Z', from: -2, to: 1, reason: 'error' },
      ],
    }),
  );
  assert.ok(snapshot);
  assert.equal(snapshot.at, undefined);
  assert.equal(snapshot.activeInput, null);
  assert.deepEqual(snapshot.inputs, [{ priority: 0, state: 'active', tracks: [], errors: [] }]);
  assert.deepEqual(snapshot.switches, [
    { at: '2026-01-02T03:04:01.000Z', from: 0, to: 1, reason: 'error', detail: 'probe_won: x' },
  ]);
});

test('lists are capped as the CRD caps them, and non-objects are not snapshots', () => {
  const many = parseSnapshot(
    JSON.stringify({
      inputs: Array.from({ length: 12 }, (_, priority) => ({
        priority: priority % 8,
        state: 'idle',
        errors: Array.from({ length: 9 }, () => ({ message: 'm', at: '2026-01-01T00:00:00Z' })),
      })),
      switches: Array.from({ length: 30 }, () => ({
        at: '2026-01-01T00:00:00Z',
        from: 0,
        to: 1,
        reason: 'error',
      })),
    }),
  );
  assert.equal(many?.inputs.length, 8);
  assert.equal(many?.inputs[0]?.errors?.length, 5);
  assert.equal(many?.switches.length, 20);
  assert.equal(parseSnapshot('not json'), undefined);
  assert.equal(parseSnapshot('[1,2]'), undefined);
  assert.equal(parseSnapshot('null'), undefined);
});

test('link statistics (SRT) are taken over as whole, non-negative numbers', () => {
  const snapshot = parseSnapshot(
    JSON.stringify({
      inputs: [
        {
          priority: 0,
          state: 'active',
          link: { rttMs: 0.4, latencyMs: 120, packetsLost: 3, packetsDropped: -1, bandwidthKbps: 'x' },
        },
        { priority: 1, state: 'idle', link: 'nonsense' },
      ],
    }),
  );
  assert.deepEqual(snapshot?.inputs[0]?.link, { rttMs: 0, latencyMs: 120, packetsLost: 3 });
  assert.equal(snapshot?.inputs[1]?.link, undefined);
});

test('the configuration generation the pod runs is taken over; absent or odd means unknown', () => {
  assert.equal(parseSnapshot(JSON.stringify({ configGeneration: 7 }))?.configGeneration, 7);
  assert.equal(parseSnapshot(JSON.stringify({ activeInput: 0 }))?.configGeneration, undefined);
  assert.equal(parseSnapshot(JSON.stringify({ configGeneration: -1 }))?.configGeneration, undefined);
  assert.equal(parseSnapshot(JSON.stringify({ configGeneration: '7' }))?.configGeneration, undefined);
});
