// PushRoutes against a real nats-server with JetStream: the route and active mark buckets as the
// ingest pods and the push-listener write them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { registryBuckets } from '@tributary/crds';
import { type NatsServer, startNats } from '../../../ingest-pod/test/support/nats.js';
import { PushRoutes, PushRoutesUnavailable } from '../../src/nats/push-routes.js';

const route = (uid: string) =>
  JSON.stringify({
    v: 1,
    namespace: 'media',
    stream: 'news',
    uid,
    publishKey: { salt: 'c2FsdA==', hash: 'aGFzaA==', cost: 16384 },
    owner: 'news-ingest',
    registeredAt: new Date().toISOString(),
  });

describe('PushRoutes on a real nats-server', () => {
  let nats: NatsServer;
  let nc: NatsConnection;
  const buckets = registryBuckets('tributary');

  before(async () => {
    nats = await startNats({ jetstream: true });
    nc = await connect({ servers: nats.url });
  });
  after(async () => {
    await nc?.close();
    await nats?.stop();
  });

  test('no buckets yet: nothing to remove', async () => {
    const routes = new PushRoutes(() => nc, 'tributary');
    assert.equal(await routes.remove('media', 'news', 'uid-1'), 'absent');
  });

  test("deletes the Stream's own route and its active mark", async () => {
    const kvm = new Kvm(nc);
    const kvRoutes = await kvm.create(buckets.routes);
    const kvActive = await kvm.create(buckets.active);
    await kvRoutes.put('media.news', route('uid-1'));
    await kvRoutes.put('media.sports', JSON.stringify({ ...JSON.parse(route('uid-2')), stream: 'sports' }));
    await kvActive.put('media.news', JSON.stringify({ replica: 'r1', protocol: 'rtmp' }));
    const routes = new PushRoutes(() => nc, 'tributary');
    assert.equal(await routes.remove('media', 'news', 'uid-1'), 'removed');
    assert.equal((await kvRoutes.get('media.news'))?.operation, 'DEL');
    assert.equal((await kvActive.get('media.news'))?.operation, 'DEL');
    assert.equal((await kvRoutes.get('media.sports'))?.operation, 'PUT', 'other routes stay');
    assert.equal(await routes.remove('media', 'news', 'uid-1'), 'absent', 'idempotent');
  });

  test('leaves a route of another Stream of that name (another uid) and its mark alone', async () => {
    const kvm = new Kvm(nc);
    const kvRoutes = await kvm.open(buckets.routes);
    const kvActive = await kvm.open(buckets.active);
    await kvRoutes.put('media.news', route('uid-new'));
    await kvActive.put('media.news', JSON.stringify({ replica: 'r1', protocol: 'srt' }));
    const routes = new PushRoutes(() => nc, 'tributary');
    assert.equal(await routes.remove('media', 'news', 'uid-old'), 'not-ours');
    assert.equal((await kvRoutes.get('media.news'))?.operation, 'PUT');
    assert.equal((await kvActive.get('media.news'))?.operation, 'PUT');
  });

  test('not connected: PushRoutesUnavailable', async () => {
    const routes = new PushRoutes(() => undefined, 'tributary');
    await assert.rejects(routes.remove('media', 'news', 'uid-1'), PushRoutesUnavailable);
  });
});

describe('PushRoutes without JetStream', () => {
  test('a server without JetStream holds no route', async () => {
    const nats = await startNats();
    const nc = await connect({ servers: nats.url });
    try {
      const routes = new PushRoutes(() => nc, 'tributary');
      assert.equal(await routes.remove('media', 'news', 'uid-1'), 'absent');
    } finally {
      await nc.close();
      await nats.stop();
    }
  });
});
