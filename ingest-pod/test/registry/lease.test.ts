// Active marks over time: heartbeats keep them, a crashed holder's mark expires (bucket max_age,
// so it works on 2.9 too), and a holder learns when its mark was deleted or taken.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type KV, Kvm } from '@nats-io/kv';
import type { NatsConnection } from '@nats-io/transport-node';
import { registryBuckets } from '@tributary/crds';
import { encodeActiveMark, openRegistry, type Registry } from '../../src/registry/index.js';
import { type NatsServer, startNats } from '../support/nats.js';
import { waitFor } from '../support/peers.js';
import { connectTo, errorCode, SERVERS, sampleMark, sampleRoute, uniquePrefix, within } from './fixture.js';

/** Short enough for a test, long enough for a loaded 2-core machine to renew in time (every 500 ms). */
const MARK_TTL_MS = 1_500;

for (const server of SERVERS) {
  describe(`active marks on the ${server} nats-server`, () => {
    let nats: NatsServer;
    let ncB: NatsConnection;
    const toClose: { close(): Promise<void> }[] = [];

    before(async () => {
      nats = await startNats({ jetstream: true, server });
      ncB = await connectTo(nats.url);
    });
    after(async () => {
      for (const thing of toClose) await thing.close();
      await ncB?.close();
      await nats?.stop();
    });

    async function setup(): Promise<{ ncA: NatsConnection; a: Registry; b: Registry; active: KV }> {
      const prefix = uniquePrefix();
      const ncA = await connectTo(nats.url);
      const a = await openRegistry(ncA, { prefix, markTtlMs: MARK_TTL_MS });
      const b = await openRegistry(ncB, { prefix, markTtlMs: MARK_TTL_MS });
      toClose.push(a, b, ncA);
      await a.register(sampleRoute());
      const active = await new Kvm(ncB).open(registryBuckets(prefix).active);
      return { ncA, a, b, active };
    }

    it('lets another replica acquire once a crashed holder’s mark expired', async () => {
      const { ncA, a, b } = await setup();
      const lease = await a.acquire('news/cam', sampleMark('listener-a'));
      let lost: string | undefined;
      lease.onLost = (reason) => {
        lost = reason;
      };
      await ncA.close();
      assert.equal(await errorCode(b.acquire('news/cam', sampleMark('listener-b'))), 'already-active');
      const taken = await waitFor(async () => {
        try {
          return await b.acquire('news/cam', sampleMark('listener-b'));
        } catch (error) {
          assert.equal((error as { code?: string }).code, 'already-active');
          return undefined;
        }
      }, 'the crashed holder’s mark to expire');
      assert.equal(taken.route.uid, 'uid-1');
      // The holder, cut off from NATS, gives up once its mark would have expired.
      assert.match(await waitFor(() => lost, 'onLost'), /could not renew the active mark for 1500 ms/);
      await taken.release();
    });

    it('keeps a mark alive with heartbeats well past the mark TTL', async () => {
      const { a, b, active } = await setup();
      const lease = await a.acquire('news/cam', sampleMark('listener-a'));
      let lost: string | undefined;
      lease.onLost = (reason) => {
        lost = reason;
      };
      const first = (await active.get('news.cam'))?.revision ?? 0;
      const start = performance.now();
      await waitFor(async () => {
        assert.equal(await errorCode(b.acquire('news/cam', sampleMark('listener-b'))), 'already-active');
        return performance.now() - start > 3 * MARK_TTL_MS;
      }, 'three mark TTLs to pass with the mark held');
      assert.equal(lost, undefined);
      const revision = (await active.get('news.cam'))?.revision ?? 0;
      assert.ok(revision >= first + 3, `mark renewed: revision ${first} -> ${revision}`);
      await lease.release();
      assert.equal((await active.get('news.cam'))?.operation, 'DEL');
    });

    it('calls onLost once when the mark is deleted behind the holder’s back', async () => {
      const { a, active } = await setup();
      const lease = await a.acquire('news/cam', sampleMark('listener-a'));
      const reasons: string[] = [];
      lease.onLost = (reason) => reasons.push(reason);
      await active.delete('news.cam');
      await waitFor(() => reasons[0], 'onLost');
      assert.deepEqual(reasons, ['the active mark was deleted']);
      await lease.release();
      assert.deepEqual(reasons, ['the active mark was deleted']);
    });

    it('calls onLost when another replica overwrote the mark, and release leaves theirs alone', async () => {
      const { a, active } = await setup();
      const lease = await a.acquire('news/cam', sampleMark('listener-a'));
      const lost = new Promise<string>((resolve) => {
        lease.onLost = resolve;
      });
      const theirs = encodeActiveMark(sampleMark('listener-b', 7));
      await active.put('news.cam', theirs);
      assert.equal(await within('onLost', lost), 'taken over by another replica (listener-b)');
      await lease.release();
      const entry = await active.get('news.cam');
      assert.equal(entry?.operation, 'PUT');
      assert.deepEqual(entry?.value, theirs);
    });

    it('stops heartbeats on close without deleting the mark', async () => {
      const { a, b, active } = await setup();
      await a.acquire('news/cam', sampleMark('listener-a'));
      await a.close();
      assert.equal((await active.get('news.cam'))?.operation, 'PUT');
      const taken = await waitFor(
        async () => b.acquire('news/cam', sampleMark('listener-b')).catch(() => undefined),
        'the abandoned mark to expire',
      );
      await taken.release();
    });
  });
}
