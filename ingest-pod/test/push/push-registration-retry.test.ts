import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../src/observability/logger.js';
import { PushRegistration } from '../../src/push/push-registration.js';
import type { Registry, RouteEntry } from '../../src/registry/registry-api.js';
import { waitFor } from '../support/peers.js';

const route: RouteEntry = {
  v: 1,
  namespace: 'ns',
  stream: 's',
  uid: 'uid-7',
  publishKey: { salt: 'c2FsdA==', hash: 'aGFzaA==', cost: 16384 },
  owner: 'pod-0',
  registeredAt: '2026-01-01T00:00:00.000Z',
};

/** A registry whose register fails `failures` times (JetStream unavailable), recording every call. */
function fakeRegistry(failures: number) {
  const calls: string[] = [];
  let left = failures;
  const registry: Pick<Registry, 'register' | 'unregister' | 'close'> = {
    async register(entry) {
      calls.push(`register ${entry.uid}`);
      if (left-- > 0) throw new Error('jetstream is not enabled');
    },
    async unregister(key, options) {
      calls.push(`unregister ${key} ${options?.uid}`);
    },
    async close() {
      calls.push('close');
    },
  };
  return { registry, calls };
}

function logger() {
  let text = '';
  const destination = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { log: createLogger({ stream: { namespace: 'ns', name: 's' }, destination }), text: () => text };
}

test('registering is retried with backoff, logged precisely, then the route is removed at stop', async () => {
  const { registry, calls } = fakeRegistry(2);
  const { log, text } = logger();
  const registration = new PushRegistration({
    route,
    key: 'ns/s',
    openRegistry: async () => registry,
    log,
    backoff: { initialMs: 10, maxMs: 40 },
  });
  registration.register();
  await waitFor(() => registration.registered, 'registered after two failures');
  assert.deepEqual(calls, ['register uid-7', 'register uid-7', 'register uid-7']);
  assert.equal(text().match(/could not register the push route/g)?.length, 2);
  assert.match(text(), /jetstream is not enabled/);

  registration.register(); // a reconnect
  await waitFor(() => calls.length === 4, 'registered again');
  await registration.stop();
  assert.deepEqual(calls.slice(4), ['unregister ns/s uid-7', 'close']);
  registration.register();
  assert.equal(calls.length, 6, 'nothing after stop');
});

test('stop while the registry cannot be opened ends the retries at once', async () => {
  let opens = 0;
  const registration = new PushRegistration({
    route,
    key: 'ns/s',
    openRegistry: async () => {
      opens++;
      throw new Error('no responders');
    },
    log: logger().log,
    backoff: { initialMs: 60_000, maxMs: 60_000 },
  });
  registration.register();
  await waitFor(() => opens === 1, 'the first attempt');
  const started = Date.now();
  await registration.stop();
  assert.ok(Date.now() - started < 5000, 'not held up by the backoff');
  assert.equal(opens, 1);
  assert.equal(registration.registered, false);
});
