// A listener replica's mirror of the registry: initial load, live changes, removed keys, garbage
// in the buckets, stale marks (2.9 sends no expiry event) and a nats-server restart.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { jetstreamManager } from '@nats-io/jetstream';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { registryBuckets } from '@tributary/crds';
import { openRegistry, type Registry, type RegistryMirror, type RouteKey } from '../../src/registry/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { waitFor } from '../support/peers.js';
import {
  connectTo,
  recordingLogger,
  SERVERS,
  sampleMark,
  sampleRoute,
  startProxy,
  uniquePrefix,
} from './fixture.js';

const MARK_TTL_MS = 1_500;

/** Records what onChange reported. */
function recordChanges(mirror: RegistryMirror): { calls: number; removed: RouteKey[] } {
  const record = { calls: 0, removed: [] as RouteKey[] };
  mirror.onChange = (removed) => {
    record.calls++;
    record.removed.push(...removed);
  };
  return record;
}

for (const server of SERVERS) {
  describe(`registry mirror on the ${server} nats-server`, () => {
    let nats: NatsServer;
    let ncA: NatsConnection;
    let ncB: NatsConnection;
    const toClose: { close(): unknown }[] = [];

    before(async () => {
      nats = await startNats({ jetstream: true, server });
      ncA = await connectTo(nats.url);
      ncB = await connectTo(nats.url);
    });
    after(async () => {
      for (const thing of toClose) await thing.close();
      await ncA?.close();
      await ncB?.close();
      await nats?.stop();
    });

    async function setup(): Promise<{ prefix: string; writer: Registry; listener: Registry }> {
      const prefix = uniquePrefix();
      const writer = await openRegistry(ncA, { prefix, markTtlMs: MARK_TTL_MS });
      const listener = await openRegistry(ncB, { prefix, markTtlMs: MARK_TTL_MS });
      toClose.push(writer, listener);
      return { prefix, writer, listener };
    }

    it('loads the current routes and marks before it resolves, and starts on empty buckets', async () => {
      const { writer, listener } = await setup();
      const empty = await listener.mirror();
      assert.equal(empty.routes().size, 0);
      await writer.register(sampleRoute('cam'));
      await writer.register(sampleRoute('studio'));
      const lease = await writer.acquire('news/studio', sampleMark('listener-a'));
      const mirror = await listener.mirror();
      toClose.push(mirror, empty);
      assert.deepEqual([...mirror.routes().keys()].sort(), ['news/cam', 'news/studio']);
      assert.deepEqual(mirror.route('news/cam'), sampleRoute('cam'));
      assert.equal(mirror.active('news/studio')?.replica, 'listener-a');
      assert.equal(mirror.active('news/cam'), undefined);
      await lease.release();
    });

    it('follows register, acquire, release and unregister, and reports removed routes', async () => {
      const { writer, listener } = await setup();
      const mirror = await listener.mirror();
      toClose.push(mirror);
      const changes = recordChanges(mirror);
      await writer.register(sampleRoute('cam'));
      await writer.register(sampleRoute('studio'));
      await waitFor(() => mirror.routes().size === 2, 'both routes');
      const lease = await writer.acquire('news/cam', sampleMark('listener-a'));
      await waitFor(() => mirror.active('news/cam'), 'the mark');
      await lease.release();
      await waitFor(() => !mirror.active('news/cam'), 'the released mark to vanish');
      assert.deepEqual(changes.removed, []);
      await Promise.all([writer.unregister('news/cam'), writer.unregister('news/studio', { uid: 'uid-1' })]);
      await waitFor(() => changes.removed.length === 2, 'both routes removed');
      assert.deepEqual(changes.removed.sort(), ['news/cam', 'news/studio']);
      assert.equal(mirror.routes().size, 0);
      assert.ok(changes.calls >= 1);
    });

    it('ignores garbage put straight into the buckets and keeps watching', async () => {
      const { prefix, writer } = await setup();
      const log = recordingLogger();
      const listener = await openRegistry(ncB, { prefix, log, markTtlMs: MARK_TTL_MS });
      toClose.push(listener);
      const mirror = await listener.mirror();
      toClose.push(mirror);
      const kvm = new Kvm(ncA);
      const routes = await kvm.open(registryBuckets(prefix).routes);
      const active = await kvm.open(registryBuckets(prefix).active);
      await routes.put('news.junk', 'not json');
      await routes.put('news.half', JSON.stringify({ ...sampleRoute('half'), uid: 42 }));
      await routes.put('news.alias', JSON.stringify(sampleRoute('cam')));
      await routes.put('not-a-route-key', JSON.stringify(sampleRoute('cam')));
      await active.put('news.junk', JSON.stringify({ ...sampleMark(), protocol: 'http' }));
      await writer.register(sampleRoute('cam'));
      await waitFor(() => mirror.route('news/cam'), 'the valid route after the garbage');
      assert.deepEqual([...mirror.routes().keys()], ['news/cam']);
      assert.equal(mirror.active('news/junk'), undefined);
      const warnings = log.lines.filter((line) => line.level === 'warn').map((line) => line.message);
      assert.deepEqual(warnings.sort(), [
        'ignoring a key no registry writes',
        'ignoring an invalid active mark',
        'ignoring an invalid route',
        'ignoring an invalid route',
        'ignoring an invalid route',
      ]);
      // A valid route overwritten with garbage is no longer a route.
      const changes = recordChanges(mirror);
      await routes.put('news.cam', '{"v":2}');
      await waitFor(() => !mirror.route('news/cam'), 'the overwritten route to go');
      await waitFor(() => changes.removed.includes('news/cam'), 'the removal to be reported');
    });

    it('treats a mark nobody renews as absent once the mark TTL passed', async () => {
      const { prefix, listener } = await setup();
      // A holder that stops renewing without deleting, as a killed replica does.
      const holder = await openRegistry(ncA, { prefix });
      await holder.register(sampleRoute());
      const mirror = await listener.mirror();
      toClose.push(mirror);
      await holder.acquire('news/cam', sampleMark('listener-a'));
      await waitFor(() => mirror.active('news/cam'), 'the mark');
      await holder.close();
      const seenAt = performance.now();
      await waitFor(() => !mirror.active('news/cam'), 'the mark to go stale');
      assert.ok(performance.now() - seenAt >= MARK_TTL_MS - 600, 'a renewed mark must not go stale early');
    });

    it('keeps watching across a nats-server restart', async () => {
      const { writer, listener } = await setup();
      await writer.register(sampleRoute('cam'));
      const mirror = await listener.mirror();
      toClose.push(mirror);
      const changes = recordChanges(mirror);
      await nats.restart();
      await waitFor(
        async () => {
          await writer.register(sampleRoute('studio')).catch(() => undefined);
          return mirror.route('news/studio');
        },
        'a register after the restart',
        30_000,
      );
      await writer.unregister('news/cam');
      await waitFor(() => changes.removed.includes('news/cam'), 'the removal after the restart');
      assert.equal(mirror.route('news/cam'), undefined);
    });

    it('catches up after its connection was cut, even with changes it can no longer be sent', async () => {
      const { prefix, writer } = await setup();
      await writer.register(sampleRoute('cam'));
      await writer.register(sampleRoute('studio'));
      const proxy = await startProxy(nats.port);
      const ncProxied = await connectTo(proxy.url);
      toClose.push(proxy, ncProxied);
      const listener = await openRegistry(ncProxied, { prefix });
      toClose.push(listener);
      const mirror = await listener.mirror();
      const changes = recordChanges(mirror);
      assert.equal(mirror.routes().size, 2);
      proxy.cut();
      // While it is away, cam is deleted and even its delete marker purged; studio changes owner.
      await writer.unregister('news/cam');
      const jsm = await jetstreamManager(ncA);
      await jsm.streams.purge(`KV_${registryBuckets(prefix).routes}`, {
        filter: `$KV.${registryBuckets(prefix).routes}.news.cam`,
      });
      await writer.register(sampleRoute('studio', { owner: 'ingest-news-studio-1' }));
      proxy.restore();
      await waitFor(() => changes.removed.includes('news/cam'), 'the deleted route to be reported');
      await waitFor(() => mirror.route('news/studio')?.owner === 'ingest-news-studio-1', 'the changed route');
      assert.deepEqual([...mirror.routes().keys()], ['news/studio']);
    });
  });
}
