import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createPrivateKey, createPublicKey, scryptSync } from 'node:crypto';
import { describe, test } from 'node:test';
import { promisify } from 'node:util';
import { Kvm } from '@nats-io/kv';
import type { IngestConfig, IngestInput } from '@tributary/crds';
import { planRoute, type RouteSecrets } from '../../src/ingest/push-route.js';
import { decodeRouteEntry, openSealed } from '../../src/registry/index.js';
import type { RouteEntry } from '../../src/registry/registry-api.js';
import { type Harness, startHarness } from '../ingest/stream-harness.js';
import { waitFor } from '../support/peers.js';

const run = promisify(execFile);

const KEY = 'the-streams-publish-key';
const PASSPHRASE = 'an-srt-passphrase-42';

async function listenerKeyPair(): Promise<{ pem: string; spki: string }> {
  const { stdout: pem } = await run('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout']);
  const spki = createPublicKey(createPrivateKey(pem))
    .export({ type: 'spki', format: 'der' })
    .toString('base64');
  return { pem, spki };
}

/** The stream's route in the routes bucket; undefined while there is none (or no bucket yet). */
async function routeOf(h: Harness): Promise<RouteEntry | undefined> {
  const kv = await new Kvm(h.observer).open('tributary_push_routes');
  const noBucket = (error: Error) => {
    if (error.name === 'StreamNotFoundError') return null;
    throw error;
  };
  const entry = await kv.get(`test.${h.config.stream.name}`).catch(noBucket);
  if (entry === null || entry.operation !== 'PUT') return undefined;
  const route = decodeRouteEntry(entry.value);
  if (route instanceof Error) throw route;
  return route;
}

describe('push route registration', () => {
  test('the route carries the uid, a scrypt hash of the key and the sealed passphrase; gone after stop', async () => {
    const { pem, spki } = await listenerKeyPair();
    let h: Harness | undefined;
    try {
      h = await startHarness({
        nats: { jetstream: true, server: 'chart' },
        inputs: [
          {
            url: 'publish://',
            publishKeyEnv: 'PUBLISH_KEY',
            params: { pbkeylen: '32', latency: '250' },
            paramsFromEnv: [{ name: 'passphrase', env: 'SRT_PASSPHRASE' }],
          },
        ],
        env: { PUBLISH_KEY: KEY, SRT_PASSPHRASE: PASSPHRASE, HOSTNAME: 'ingest-pod-0' },
        pushListenerKey: spki,
      });
      const harness = h;
      await waitFor(async () => (await routeOf(harness)) !== undefined, 'the route in KV');
      const route = await routeOf(harness);
      assert.ok(route);
      assert.equal(route.uid, h.config.stream.uid);
      assert.equal(route.namespace, 'test');
      assert.equal(route.stream, h.config.stream.name);
      assert.equal(route.owner, 'ingest-pod-0');
      const { salt, hash, cost } = route.publishKey;
      const derived = scryptSync(KEY, Buffer.from(salt, 'base64'), 32, {
        N: cost,
        r: 8,
        p: 1,
        maxmem: 256 * cost * 8,
      });
      assert.equal(derived.toString('base64'), hash, 'scrypt of the publish key');
      assert.notEqual(
        scryptSync('another-key', Buffer.from(salt, 'base64'), 32, {
          N: cost,
          r: 8,
          p: 1,
          maxmem: 256 * cost * 8,
        }).toString('base64'),
        hash,
      );
      assert.equal(openSealed(createPrivateKey(pem), route.srt?.sealed ?? ''), PASSPHRASE);
      assert.equal(route.srt?.pbkeylen, 32);
      assert.equal(route.srt?.latencyMs, 250);
      const logs = h.logs();
      for (const secret of [KEY, PASSPHRASE]) assert.ok(!logs.includes(secret), 'no secret in the log');

      // A route lost meanwhile (bucket purged, NATS restarted) comes back after the reconnect.
      const kv = await new Kvm(h.observer).open('tributary_push_routes');
      await kv.delete(`test.${h.config.stream.name}`);
      assert.equal(await routeOf(h), undefined);
      await h.nats.restart();
      await waitFor(
        async () => (await routeOf(harness).catch(() => undefined)) !== undefined,
        'registered again',
        30_000,
      );

      await h.service.stop();
      assert.equal(await routeOf(h), undefined, 'unregistered at shutdown');
    } finally {
      await h?.stop();
    }
  });
});

describe('route plan', () => {
  const secrets: RouteSecrets = {
    hashPublishKey: (key) => ({ salt: 'c2FsdA==', hash: `hash-of-${key.length}`, cost: 16384 }),
    sealSecret: (spki, plaintext) => `sealed(${spki},${plaintext})`,
  };
  const config = (pushListenerKey?: string): IngestConfig => ({
    stream: { namespace: 'ns', name: 's', uid: 'u-1', generation: 1 },
    inputs: [],
    failover: {},
    subjectPrefix: 'tributary',
    ...(pushListenerKey !== undefined && { pushListenerKey }),
  });
  const input = (params: Record<string, string> = {}): IngestInput => ({
    url: 'publish://',
    priority: 0,
    publishKeyEnv: 'K',
    headers: {},
    headersFromEnv: [],
    params,
    paramsFromEnv: [],
  });

  test('without a passphrase param the publish key is the passphrase when SRT accepts its length', async () => {
    const plan = await planRoute(config('PUB'), input(), { K: 'k'.repeat(10) }, secrets, 'pod');
    assert.ok(plan.ok);
    assert.deepEqual(plan.route.srt, { sealed: `sealed(PUB,${'k'.repeat(10)})` });
    for (const key of ['k'.repeat(9), 'k'.repeat(80)]) {
      const short = await planRoute(config('PUB'), input(), { K: key }, secrets, 'pod');
      assert.ok(short.ok);
      assert.equal(short.route.srt, undefined);
      assert.match(short.notes[0] ?? '', /not 10-79 characters: SRT publishing is refused/);
    }
  });

  test('without pushListenerKey the route has no srt; a missing key is no route', async () => {
    const plan = await planRoute(
      config(),
      input({ passphrase: 'p'.repeat(12) }),
      { K: 'key' },
      secrets,
      'pod',
    );
    assert.ok(plan.ok);
    assert.equal(plan.route.srt, undefined);
    assert.equal(plan.key, 'ns/s');
    assert.match(plan.notes.join(), /no pushListenerKey/);
    assert.deepEqual(await planRoute(config(), input(), {}, secrets, 'pod'), {
      ok: false,
      reason: 'publish key env var K is not set',
    });
  });

  test('bad pbkeylen and latency are left out with a note, never a secret in it', async () => {
    const plan = await planRoute(
      config('PUB'),
      input({ passphrase: 'secret-passphrase', pbkeylen: '20', latency: 'soon' }),
      { K: 'key' },
      secrets,
      'pod',
    );
    assert.ok(plan.ok);
    assert.deepEqual(plan.route.srt, { sealed: 'sealed(PUB,secret-passphrase)' });
    assert.equal(plan.notes.length, 2);
    assert.doesNotMatch(plan.notes.join(), /secret-passphrase/);
  });
});
