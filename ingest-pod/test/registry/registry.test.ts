// The seed's Register/Lookup/Acquire/Release/Unregister rules (seed-behaviour §4.1) against a real
// nats-server: the chart's version and Debian's 2.9, the oldest supported.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { registryBuckets } from '@tributary/crds';
import { openRegistry, type Registry } from '../../src/registry/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import {
  connectTo,
  errorCode,
  SERVERS,
  sampleMark,
  sampleRoute,
  silentPino,
  uniquePrefix,
  within,
} from './fixture.js';

for (const server of SERVERS) {
  describe(`registry rules on the ${server} nats-server`, () => {
    let nats: NatsServer;
    let ncA: NatsConnection;
    let ncB: NatsConnection;
    const registries: Registry[] = [];

    before(async () => {
      nats = await startNats({ jetstream: true, server });
      ncA = await connectTo(nats.url);
      ncB = await connectTo(nats.url);
    });
    after(async () => {
      for (const registry of registries) await registry.close();
      await ncA?.close();
      await ncB?.close();
      await nats?.stop();
    });

    /** Two registries on two connections sharing one prefix, as two replicas would. */
    async function pair(): Promise<[Registry, Registry]> {
      const prefix = uniquePrefix();
      const a = await openRegistry(ncA, { prefix, log: silentPino });
      const b = await openRegistry(ncB, { prefix });
      registries.push(a, b);
      return [a, b];
    }

    it('registers, looks up and overwrites a route', async () => {
      const [a, b] = await pair();
      await a.register(sampleRoute());
      assert.deepEqual(await b.lookup('news/cam'), sampleRoute());
      await a.register(sampleRoute('cam', { owner: 'ingest-news-cam-1' }));
      assert.equal((await b.lookup('news/cam')).owner, 'ingest-news-cam-1');
    });

    it('refuses a lookup of an unknown or malformed key with not-registered', async () => {
      const [a] = await pair();
      await assert.rejects(a.lookup('news/other'), {
        name: 'RegistryError',
        code: 'not-registered',
        message: 'no stream registered for news/other',
      });
      assert.equal(await errorCode(a.lookup('news.other/x')), 'not-registered');
      assert.equal(await errorCode(a.lookup('news/Bad_Name')), 'not-registered');
    });

    it('refuses to acquire an unregistered stream', async () => {
      const [a] = await pair();
      assert.equal(await errorCode(a.acquire('news/cam', sampleMark())), 'not-registered');
    });

    it('lets one replica hold the mark: a second acquire, from either connection, is already-active', async () => {
      const [a, b] = await pair();
      await a.register(sampleRoute());
      const lease = await a.acquire('news/cam', sampleMark('listener-a'));
      assert.deepEqual(lease.route, sampleRoute());
      await assert.rejects(a.acquire('news/cam', sampleMark('listener-a', 2)), {
        code: 'already-active',
        message: 'stream already has an active pusher',
      });
      assert.equal(await errorCode(b.acquire('news/cam', sampleMark('listener-b'))), 'already-active');
      await lease.release();
    });

    it('lets the stream be acquired again after a release; release is idempotent', async () => {
      const [a, b] = await pair();
      await a.register(sampleRoute());
      const first = await a.acquire('news/cam', sampleMark('listener-a'));
      await first.release();
      await first.release();
      const second = await b.acquire('news/cam', sampleMark('listener-b'));
      // A stale release of the first lease must not delete the second holder's mark.
      await a.release(first);
      assert.equal(await errorCode(a.acquire('news/cam', sampleMark('listener-a', 3))), 'already-active');
      await second.release();
    });

    it('keeps the active mark when the route is registered again', async () => {
      const [a] = await pair();
      await a.register(sampleRoute());
      const lease = await a.acquire('news/cam', sampleMark());
      let lost: string | undefined;
      lease.onLost = (reason) => {
        lost = reason;
      };
      await a.register(sampleRoute('cam', { owner: 'ingest-news-cam-1' }));
      assert.equal(await errorCode(a.acquire('news/cam', sampleMark('listener-b'))), 'already-active');
      assert.equal(lost, undefined);
      await lease.release();
    });

    it('unregister deletes the route and the active mark', async () => {
      const [a, b] = await pair();
      await a.register(sampleRoute());
      const lease = await b.acquire('news/cam', sampleMark('listener-b'));
      const lost = new Promise<string>((resolve) => {
        lease.onLost = resolve;
      });
      await a.unregister('news/cam');
      assert.equal(await errorCode(b.lookup('news/cam')), 'not-registered');
      await a.register(sampleRoute());
      const next = await a.acquire('news/cam', sampleMark('listener-a'));
      // The old holder learns at its next heartbeat that the mark is no longer its own.
      assert.match(await within('onLost', lost), /taken over|deleted/);
      await next.release();
      await lease.release();
    });

    it('unregister with a stale uid leaves the route (and its mark); the current uid deletes both', async () => {
      const [a] = await pair();
      await a.register(sampleRoute('cam', { uid: 'uid-2' }));
      const lease = await a.acquire('news/cam', sampleMark());
      await a.unregister('news/cam', { uid: 'uid-1' });
      assert.equal((await a.lookup('news/cam')).uid, 'uid-2');
      assert.equal(await errorCode(a.acquire('news/cam', sampleMark('listener-b'))), 'already-active');
      await a.unregister('news/cam', { uid: 'uid-2' });
      assert.equal(await errorCode(a.lookup('news/cam')), 'not-registered');
      await a.register(sampleRoute());
      const next = await a.acquire('news/cam', sampleMark('listener-b'));
      await next.release();
      await lease.release();
    });

    it('unregister of an absent route is a no-op, with or without a uid', async () => {
      const [a] = await pair();
      await a.unregister('news/nothing');
      await a.unregister('news/nothing', { uid: 'uid-1' });
      assert.equal(await errorCode(a.lookup('news/nothing')), 'not-registered');
    });

    it('gives exactly one lease to 10 concurrent acquires from 2 connections', async () => {
      const [a, b] = await pair();
      await a.register(sampleRoute());
      const attempts = Array.from({ length: 10 }, (_, i) =>
        (i % 2 === 0 ? a : b).acquire('news/cam', sampleMark(`listener-${i % 2}`, i)),
      );
      const results = await Promise.allSettled(attempts);
      const leases = results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const codes = results.flatMap((result) =>
        result.status === 'rejected' ? [(result.reason as { code?: string }).code] : [],
      );
      assert.equal(leases.length, 1);
      assert.deepEqual(codes, Array(9).fill('already-active'));
      await leases[0]?.release();
    });

    it('treats a route value that is not a valid route as not registered', async () => {
      const prefix = uniquePrefix();
      const a = await openRegistry(ncA, { prefix });
      registries.push(a);
      const routes = await new Kvm(ncA).open(registryBuckets(prefix).routes);
      await routes.put('news.cam', '{"v":1,"namespace":"news"}');
      await assert.rejects(a.lookup('news/cam'), {
        code: 'not-registered',
        message: /stored route is invalid/,
      });
      await routes.put('news.cam', JSON.stringify(sampleRoute('other')));
      await assert.rejects(a.lookup('news/cam'), { code: 'not-registered', message: /names another stream/ });
    });

    it('refuses to store an invalid route or mark', async () => {
      const [a] = await pair();
      await assert.rejects(a.register({ ...sampleRoute(), namespace: 'No_Such' }), TypeError);
      await a.register(sampleRoute());
      await assert.rejects(a.acquire('news/cam', { ...sampleMark(), session: -1 }), TypeError);
    });
  });
}
