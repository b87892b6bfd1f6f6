import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionsError, parseOptions } from '../src/options.js';

test('defaults: all namespaces, default prefix, leader election on, chart-like pod defaults', () => {
  const o = parseOptions([], {});
  assert.equal(o.namespaces, 'all');
  assert.equal(o.subjectPrefix, 'tributary');
  assert.equal(o.leaderElection.enabled, true);
  assert.equal(o.leaderElection.leaseDurationSeconds, 15);
  assert.equal(o.leaderElection.renewDeadlineMs, 10_000);
  assert.equal(o.leaderElection.retryPeriodMs, 2_000);
  assert.deepEqual(o.metrics, { host: '0.0.0.0', port: 8080 });
  assert.deepEqual(o.podDefaults.resources?.requests, { cpu: '100m', memory: '96Mi' });
});

test('the environment the Helm chart sets is read', () => {
  const o = parseOptions([], {
    WATCH_NAMESPACES: 'a,b',
    NATS_URL: 'nats://nats:4222',
    SUBJECT_PREFIX: 'tv',
    INGEST_IMAGE: 'registry/ingest:1',
    INGEST_POD_DEFAULTS: JSON.stringify({ resources: { requests: { cpu: '1' } }, priorityClassName: 'live' }),
    METRICS_ADDR: '127.0.0.1:9090',
    LEADER_ELECTION: 'false',
    LEASE_NAME: 'tributary',
    POD_NAMESPACE: 'tributary-system',
    POD_NAME: 'operator-0',
    LEASE_DURATION: '30s',
    RESYNC_PERIOD: '1m',
    ALLOW_HOST_PATH: 'true',
  });
  assert.deepEqual(o.namespaces, ['a', 'b']);
  assert.equal(o.natsUrl, 'nats://nats:4222');
  assert.equal(o.subjectPrefix, 'tv');
  assert.equal(o.ingestImage, 'registry/ingest:1');
  assert.deepEqual(o.podDefaults.resources, { requests: { cpu: '1' } });
  assert.equal(o.podDefaults.priorityClassName, 'live');
  assert.deepEqual(o.metrics, { host: '127.0.0.1', port: 9090 });
  assert.equal(o.leaderElection.enabled, false);
  assert.deepEqual(
    [o.leaderElection.name, o.leaderElection.namespace, o.leaderElection.identity],
    ['tributary', 'tributary-system', 'operator-0'],
  );
  assert.equal(o.leaderElection.leaseDurationSeconds, 30);
  assert.equal(o.resyncMs, 60_000);
  assert.equal(o.allowHostPath, true);
});

test('flags win over the environment', () => {
  const o = parseOptions(
    [
      '--namespaces',
      'x',
      '--default-requests',
      'cpu=250m,memory=128Mi',
      '--ingest-nats-creds-secret',
      'nats/user.creds',
    ],
    { WATCH_NAMESPACES: 'a,b' },
  );
  assert.deepEqual(o.namespaces, ['x']);
  assert.deepEqual(o.podDefaults.resources, {
    requests: { cpu: '250m', memory: '128Mi' },
    limits: { memory: '384Mi' },
  });
  assert.deepEqual(o.ingestNatsCredentials, { secret: 'nats', key: 'user.creds' });
});

test('bad values are refused with the option named', () => {
  assert.throws(
    () => parseOptions(['--subject-prefix', 'a.*'], {}),
    (e) => e instanceof OptionsError && /subject-prefix/.test(e.message),
  );
  assert.throws(() => parseOptions(['--resync-period', 'soon'], {}), /resync-period/);
  assert.throws(() => parseOptions(['--workers', '0'], {}), /workers/);
  assert.throws(() => parseOptions(['--no-such-flag', 'x'], {}), /no-such-flag/);
});

test("the push-listener's and the buffer's credential Secrets, with the buffer's namespaces", () => {
  const auth = { NATS_AUTH_SECRET: 'tributary-nats-auth', POD_NAMESPACE: 'tributary-system' };
  const o = parseOptions([], {
    ...auth,
    PUSH_LISTENER_NATS_SECRET: 'listener-nats',
    BUFFER_NATS_SECRET: 'buffer-nats',
    BUFFER_NAMESPACES: 'news, sports',
  });
  assert.equal(o.natsAuth?.namespace, 'tributary-system');
  assert.equal(o.natsAuth?.pushListenerSecret, 'listener-nats');
  assert.deepEqual(o.natsAuth?.buffer, { secret: 'buffer-nats', namespaces: ['news', 'sports'] });
  const everyNamespace = parseOptions(['--buffer-nats-secret', 'buffer-nats'], auth);
  assert.deepEqual(everyNamespace.natsAuth?.buffer, { secret: 'buffer-nats', namespaces: [] });
  assert.equal(parseOptions([], auth).natsAuth?.buffer, undefined, 'no buffer: no Secret');
  assert.throws(
    () => parseOptions(['--buffer-nats-secret', 'b', '--buffer-namespaces', 'news,*'], auth),
    (e) => e instanceof OptionsError && /--buffer-namespaces: "\*" is not a namespace name/.test(e.message),
  );
  assert.throws(() => parseOptions(['--buffer-namespaces', 'news'], auth), /--buffer-namespaces: only used/);
});
