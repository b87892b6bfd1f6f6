import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputStatus, StreamStatus } from '@tributary/crds';
import type { PodState } from '../../src/status/pod-state.js';
import type { PodSnapshot } from '../../src/status/snapshot.js';
import { type StatusFacts, streamStatus } from '../../src/status/stream-status.js';
import { stream } from '../support/fixtures.js';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const running: PodState = { kind: 'running', node: 'node-a', startedAt: NOW - 60_000, ready: true };
const twoInputs = stream('news', {
  inputs: [{ url: 'udp://239.1.1.1:5000' }, { url: 'udp://239.1.1.2:5000' }],
});

function snap(active: number | null, states: string[], extra: Partial<PodSnapshot> = {}): PodSnapshot {
  const inputs: InputStatus[] = states.map((state, priority) => ({
    priority,
    state,
    bitrateKbps: state === 'active' ? 900 : 0,
    tracks: state === 'active' ? [{ trackId: 256, codec: 'h264' }] : [],
    errors: state === 'degraded' ? [{ message: 'no packet for 1s', at: '2026-03-01T11:59:58.000Z' }] : [],
  }));
  return { at: NOW - 1000, activeInput: active, exhausted: false, inputs, switches: [], ...extra };
}

function facts(overrides: Partial<StatusFacts>): StatusFacts {
  return {
    stream: twoInputs,
    problems: [],
    pod: running,
    podName: 'news-ingest',
    now: NOW,
    subjectPrefix: 'tributary',
    staleAfterMs: 16_000,
    ...overrides,
  };
}
const cond = (status: StreamStatus, type: string) => status.conditions?.find((c) => c.type === type);

test('no pod yet: Pending, not scheduled, not live', () => {
  const status = streamStatus(facts({ pod: { kind: 'none' }, podName: undefined }), undefined);
  assert.equal(status.phase, 'Pending');
  assert.equal(cond(status, 'PodScheduled')?.status, 'False');
  assert.equal(cond(status, 'Ready')?.status, 'False');
  assert.equal(status.pod, undefined);
  assert.equal(status.subject, 'tributary.media.news.av');
  assert.equal(status.observedGeneration, 1);
});

test('invalid inputs without a pod: Failed, and InputsValid says why', () => {
  const problems = [{ reason: 'SecretNotFound', message: 'input 0: Secret "x" does not exist' }];
  const status = streamStatus(facts({ pod: { kind: 'none' }, podName: undefined, problems }), undefined);
  assert.equal(status.phase, 'Failed');
  assert.deepEqual(
    [
      cond(status, 'InputsValid')?.status,
      cond(status, 'InputsValid')?.reason,
      cond(status, 'InputsValid')?.message,
    ],
    ['False', 'SecretNotFound', 'input 0: Secret "x" does not exist'],
  );
  assert.equal(cond(status, 'Ready')?.message, 'input 0: Secret "x" does not exist');
});

test('an unschedulable pod passes the scheduler message on', () => {
  const pod: PodState = { kind: 'unscheduled', reason: 'Unschedulable', message: '0/3 nodes are available' };
  const status = streamStatus(facts({ pod }), undefined);
  assert.equal(status.phase, 'Pending');
  assert.deepEqual(
    [cond(status, 'PodScheduled')?.reason, cond(status, 'PodScheduled')?.message],
    ['Unschedulable', '0/3 nodes are available'],
  );
});

test('a running pod without a report is Connecting; with the primary active it is Live', () => {
  assert.equal(streamStatus(facts({}), undefined).phase, 'Connecting');
  const status = streamStatus(
    facts({ snapshot: { value: snap(0, ['active', 'idle']), receivedAt: NOW } }),
    undefined,
  );
  assert.equal(status.phase, 'Live');
  assert.equal(status.activeInput, 0);
  assert.equal(status.bitrateKbps, 900);
  assert.deepEqual(status.inputs?.[0]?.tracks, [{ trackId: 256, codec: 'h264' }]);
  assert.equal(status.inputs?.[1]?.url, 'udp://239.1.1.2:5000');
  assert.deepEqual(
    ['Ready', 'Live', 'Degraded', 'PodScheduled', 'InputsValid'].map((type) => cond(status, type)?.status),
    ['True', 'True', 'False', 'True', 'True'],
  );
});

test('live on a fallback input is Degraded, naming the failed primary', () => {
  const status = streamStatus(
    facts({ snapshot: { value: snap(1, ['degraded', 'active']), receivedAt: NOW } }),
    undefined,
  );
  assert.equal(status.phase, 'Degraded');
  assert.equal(cond(status, 'Ready')?.status, 'True');
  assert.equal(cond(status, 'Degraded')?.reason, 'OnFallbackInput');
  assert.match(
    cond(status, 'Degraded')?.message ?? '',
    /input 0 \(udp:\/\/239\.1\.1\.1:5000\) is degraded: no packet/,
  );
});

test('all inputs failing is Failed', () => {
  const value = snap(null, ['degraded', 'degraded'], { exhausted: true });
  const status = streamStatus(facts({ snapshot: { value, receivedAt: NOW } }), undefined);
  assert.equal(status.phase, 'Failed');
  assert.equal(cond(status, 'Degraded')?.reason, 'AllInputsFailing');
});

test('a stale report, or one from an earlier pod, says nothing about now', () => {
  const stale = { value: snap(0, ['active', 'idle']), receivedAt: NOW - 20_000 };
  assert.equal(streamStatus(facts({ snapshot: stale }), undefined).phase, 'Connecting');
  const older = { value: snap(0, ['active', 'idle'], { at: NOW - 120_000 }), receivedAt: NOW };
  assert.equal(streamStatus(facts({ snapshot: older }), undefined).phase, 'Connecting');
  // The dead pod's last report arrived before the operator created the new pod.
  const lastWords = { value: snap(0, ['active', 'idle']), receivedAt: NOW - 500 };
  assert.equal(
    streamStatus(facts({ snapshot: lastWords, snapshotsSince: NOW - 200 }), undefined).phase,
    'Connecting',
  );
  assert.equal(
    streamStatus(facts({ snapshot: lastWords, snapshotsSince: NOW - 900 }), undefined).phase,
    'Live',
  );
});

test('suspended Streams say so and their inputs are stopped', () => {
  const status = streamStatus(
    facts({ stream: stream('news', { suspend: true }), pod: { kind: 'none' } }),
    undefined,
  );
  assert.equal(status.phase, 'Suspended');
  assert.equal(status.inputs?.[0]?.state, 'stopped');
  assert.equal(cond(status, 'PodScheduled')?.reason, 'Suspended');
});

test('a condition keeps its transition time until its status changes', () => {
  const first = streamStatus(facts({ now: NOW - 60_000 }), undefined);
  const later = streamStatus(
    facts({ snapshot: { value: snap(0, ['active', 'idle']), receivedAt: NOW } }),
    first,
  );
  assert.equal(
    cond(later, 'InputsValid')?.lastTransitionTime,
    cond(first, 'InputsValid')?.lastTransitionTime,
  );
  assert.notEqual(cond(later, 'Live')?.lastTransitionTime, cond(first, 'Live')?.lastTransitionTime);
  assert.equal(cond(later, 'Live')?.lastTransitionTime, '2026-03-01T12:00:00Z');
});

test('switches accumulate across pods, newest first, and failovers are counted once', () => {
  const first = { at: '2026-03-01T11:00:00.000Z', from: -1, to: 0, reason: 'initial' as const };
  const failover = {
    at: '2026-03-01T11:30:00.000Z',
    from: 0,
    to: 1,
    reason: 'timeout' as const,
    detail: 'x',
  };
  const one = streamStatus(
    facts({
      snapshot: { value: snap(1, ['degraded', 'active'], { switches: [failover, first] }), receivedAt: NOW },
    }),
    undefined,
  );
  assert.equal(one.failoverCount, 1);
  const again = streamStatus(
    facts({
      snapshot: { value: snap(1, ['degraded', 'active'], { switches: [failover, first] }), receivedAt: NOW },
    }),
    one,
  );
  assert.equal(again.failoverCount, 1, 'the same report counts once');
  const restart = { at: '2026-03-01T11:59:00.000Z', from: -1, to: 0, reason: 'initial' as const };
  const afterRestart = streamStatus(
    facts({ snapshot: { value: snap(0, ['active', 'idle'], { switches: [restart] }), receivedAt: NOW } }),
    again,
  );
  assert.deepEqual(
    afterRestart.switches?.map((s) => s.at),
    [restart.at, failover.at, first.at],
  );
  assert.equal(afterRestart.failoverCount, 1);
});

test('push Streams get their push endpoints when the listener address is configured', () => {
  const push = stream('news', {
    inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'k', key: 'k' } }],
  });
  const status = streamStatus(
    facts({ stream: push, push: { rtmp: 'rtmp://push.example.com', srt: 'srt://push.example.com:9000' } }),
    undefined,
  );
  assert.equal(status.pushEndpoints?.rtmp, 'rtmp://push.example.com/media/news');
  assert.equal(status.pushEndpoints?.srt, 'srt://push.example.com:9000?streamid=publish:media/news');
  assert.equal(streamStatus(facts({}), undefined).pushEndpoints, undefined);
});
