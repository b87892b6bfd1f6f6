import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  decidePushRoute,
  finalizersWith,
  hasPushInput,
  PUSH_ROUTE_FINALIZER,
} from '../../src/push/push-route-finalizer.js';
import { stream } from '../support/fixtures.js';

const situation = { pushInput: true, deleting: false, hasFinalizer: false, natsConfigured: true };

test('push inputs: publish:// and the legacy wildcard-host URLs; pull URLs are not', () => {
  assert.equal(hasPushInput(stream('a', { inputs: [{ url: 'publish://' }] })), true);
  assert.equal(hasPushInput(stream('a', { inputs: [{ url: 'rtmp://0.0.0.0/live/x' }] })), true);
  assert.equal(
    hasPushInput(stream('a', { inputs: [{ url: 'udp://239.1.1.1:5000' }, { url: 'publish://' }] })),
    true,
  );
  assert.equal(hasPushInput(stream('a', { inputs: [{ url: 'rtmp://cdn.example/live/x' }] })), false);
  assert.equal(hasPushInput(stream('a', { inputs: [{ url: 'not a url' }] })), false);
});

test('a Stream with a push input gets the finalizer, once, and only with NATS', () => {
  assert.deepEqual(decidePushRoute(situation), { kind: 'add-finalizer' });
  assert.deepEqual(decidePushRoute({ ...situation, hasFinalizer: true }), { kind: 'none' });
  assert.deepEqual(decidePushRoute({ ...situation, natsConfigured: false }), { kind: 'none' });
  assert.deepEqual(decidePushRoute({ ...situation, pushInput: false }), { kind: 'none' });
});

test('deleted, or no push input any more: clean up, then let go', () => {
  const guarded = { ...situation, hasFinalizer: true };
  assert.deepEqual(decidePushRoute({ ...guarded, deleting: true }), { kind: 'clean-up', why: 'deleted' });
  assert.deepEqual(decidePushRoute({ ...guarded, pushInput: false }), {
    kind: 'clean-up',
    why: 'no-push-input',
  });
  assert.deepEqual(decidePushRoute({ ...situation, deleting: true }), { kind: 'none' }, 'not ours to hold');
});

test('without NATS a held finalizer is dropped, never kept forever', () => {
  const guarded = { ...situation, hasFinalizer: true, natsConfigured: false };
  assert.deepEqual(decidePushRoute({ ...guarded, deleting: true }), {
    kind: 'drop-finalizer',
    why: 'no-nats',
  });
  assert.deepEqual(decidePushRoute({ ...guarded, pushInput: false }), {
    kind: 'drop-finalizer',
    why: 'no-nats',
  });
  assert.deepEqual(decidePushRoute(guarded), { kind: 'none' });
});

test('finalizersWith keeps the other finalizers and says when nothing changes', () => {
  assert.deepEqual(finalizersWith(undefined, true), [PUSH_ROUTE_FINALIZER]);
  assert.deepEqual(finalizersWith(['x.io/a'], true), ['x.io/a', PUSH_ROUTE_FINALIZER]);
  assert.equal(finalizersWith([PUSH_ROUTE_FINALIZER], true), undefined);
  assert.deepEqual(finalizersWith(['x.io/a', PUSH_ROUTE_FINALIZER], false), ['x.io/a']);
  assert.equal(finalizersWith(['x.io/a'], false), undefined);
});
