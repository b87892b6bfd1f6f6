import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideLiveConfig, type LiveConfigSituation } from '../../src/reconcile/pod-decision.js';
import { parseSwitchRequest } from '../../src/reconcile/switch-annotation.js';

const NOW = 1_000_000;

function situation(overrides: Partial<LiveConfigSituation>): LiveConfigSituation {
  return {
    pod: { uid: 'pod-1', hash: 'shape-1' },
    desiredHash: 'shape-1',
    desiredGeneration: 3,
    reportedGeneration: 2,
    memory: undefined,
    now: NOW,
    resendAfterMs: 5000,
    ...overrides,
  };
}

test('a pod running an older generation of the same shape is sent configure', () => {
  assert.deepEqual(decideLiveConfig(situation({})), { kind: 'send' });
});

test('a changed pod shape is a replacement, not a live change', () => {
  assert.deepEqual(decideLiveConfig(situation({ desiredHash: 'shape-2' })), { kind: 'replace' });
});

test('the desired generation reported (or a newer one) is in sync', () => {
  assert.deepEqual(decideLiveConfig(situation({ reportedGeneration: 3 })), { kind: 'in-sync' });
  assert.deepEqual(decideLiveConfig(situation({ reportedGeneration: 4 })), { kind: 'in-sync' });
});

test('no pod, or no report yet: wait', () => {
  assert.equal(decideLiveConfig(situation({ pod: undefined })).kind, 'wait');
  const unknown = decideLiveConfig(situation({ reportedGeneration: undefined }));
  assert.equal(unknown.kind, 'wait');
  assert.match(unknown.kind === 'wait' ? unknown.detail : '', /report its configuration/);
});

test('sent and not yet reported: wait for the resend interval, then send again', () => {
  const memory = { podUid: 'pod-1', sent: { generation: 3, at: NOW - 2000 } };
  assert.deepEqual(decideLiveConfig(situation({ memory })), {
    kind: 'wait',
    detail: 'waiting for the ingest pod to apply generation 3',
    retryInMs: 3000,
  });
  assert.deepEqual(decideLiveConfig(situation({ memory, now: NOW + 3000 })), { kind: 'send' });
  // A newer generation does not wait for the older one's answer.
  assert.deepEqual(decideLiveConfig(situation({ memory, desiredGeneration: 4 })), { kind: 'send' });
});

test('a container that restarted with its older env reports the older generation: sent again', () => {
  // The pod had applied generation 3 (so it was sent), then booted from its spec's generation 2.
  const memory = { podUid: 'pod-1', sent: { generation: 3, at: NOW - 60_000 } };
  assert.deepEqual(decideLiveConfig(situation({ memory, reportedGeneration: 2 })), { kind: 'send' });
});

test('a refused generation is not sent again to the same pod; a new pod or generation is', () => {
  const memory = { podUid: 'pod-1', refused: { generation: 3, message: 'inputs[1].url: bad' } };
  assert.deepEqual(decideLiveConfig(situation({ memory })), {
    kind: 'refused',
    message: 'inputs[1].url: bad',
  });
  assert.deepEqual(decideLiveConfig(situation({ memory, desiredGeneration: 4 })), { kind: 'send' });
  assert.deepEqual(decideLiveConfig(situation({ memory, pod: { uid: 'pod-2', hash: 'shape-1' } })), {
    kind: 'send',
  });
});

test('the switch annotation names an input priority of the Stream', () => {
  assert.deepEqual(parseSwitchRequest('1', 2), { ok: true, priority: 1 });
  assert.deepEqual(parseSwitchRequest(' 0 ', 1), { ok: true, priority: 0 });
  for (const value of ['2', '-1', 'backup', '1.5', '']) {
    const request = parseSwitchRequest(value, 2);
    assert.equal(request.ok, false, value);
    assert.match(
      request.ok ? '' : request.message,
      /^tributary\.io\/switch-to: ".*" is not the priority of an input of this Stream \(0\.\.1\)/,
    );
  }
});
