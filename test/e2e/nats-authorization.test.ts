// The operator's NATS authorization against real nats-servers (Debian's 2.9 and the chart's):
// every identity can do its job (ingest pod, push-listener, operator, reader) and nothing else.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { connect, credsAuthenticator, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { type NatsIdentity, natsInboxPrefix, subjects } from '@tributary/crds';
import { openRegistry } from '../../ingest-pod/src/registry/index.js';
import { sampleMark, sampleRoute, silentPino } from '../../ingest-pod/test/registry/fixture.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { waitFor } from '../../ingest-pod/test/support/peers.js';
import { PushRoutes } from '../../operator/src/nats/push-routes.js';
import { generateSeeds, NatsAuthority } from '../../operator/src/nats-auth/authority.js';

const PREFIX = 'tributary';
const news = (stream: string) => subjects(PREFIX, 'news', stream);

interface Client {
  nc: NatsConnection;
  /** Permission errors the server sent this connection. */
  violations: string[];
}

for (const server of ['debian', 'chart'] as const) {
  describe(`NATS authorization on the ${server} nats-server`, () => {
    let nats: NatsServer;
    let authority: NatsAuthority;
    const clients: Client[] = [];

    async function client(identity: NatsIdentity): Promise<Client> {
      const { creds } = await authority.mint(identity, JSON.stringify(identity));
      const nc = await connect({
        servers: nats.url,
        authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
        inboxPrefix: natsInboxPrefix(identity),
        maxReconnectAttempts: -1,
        reconnectTimeWait: 100,
      });
      const c: Client = { nc, violations: [] };
      void (async () => {
        for await (const status of nc.status())
          if (status.type === 'error') c.violations.push(String(status.error.message));
      })();
      clients.push(c);
      return c;
    }

    /** Messages received on `sub`, as text. */
    function collect(sub: Subscription, got: string[] = []): string[] {
      void (async () => {
        for await (const m of sub) got.push(m.string());
      })();
      return got;
    }

    before(async () => {
      authority = new NatsAuthority(generateSeeds(), PREFIX);
      nats = await startNats({ jetstream: true, server, extraConfig: await authority.serverConfig() });
    });
    after(async () => {
      for (const c of clients) await c.nc.close().catch(() => {});
      await nats?.stop();
    });

    it('refuses a connection without a credential', async () => {
      await assert.rejects(
        connect({ servers: nats.url, maxReconnectAttempts: 0 }),
        /Authorization|authorization/,
      );
    });

    it("lets a Stream's pod publish its own subjects and refuses another stream's", async () => {
      const reader = await client({ kind: 'reader', namespace: 'news' });
      const got: string[] = [];
      for (const channel of ['av', 'status'])
        collect(reader.nc.subscribe(`${PREFIX}.news.*.${channel}`), got);
      await reader.nc.flush();
      const cam = await client({ kind: 'stream', namespace: 'news', stream: 'cam' });
      cam.nc.publish(news('studio').av, 'forged av');
      cam.nc.publish(news('studio').status, 'forged status');
      cam.nc.publish(news('cam').av, 'own av');
      await waitFor(() => got.includes('own av') && cam.violations.length >= 2, 'own av and two refusals');
      assert.deepEqual(got, ['own av'], 'the forged messages never reached a subscriber');
      assert.match(
        cam.violations.join('\n'),
        /Permissions Violation for Publish to "tributary\.news\.studio\.av"/,
      );
    });

    it('lets only the operator publish .control, and the pod answer it', async () => {
      const cam = await client({ kind: 'stream', namespace: 'news', stream: 'cam' });
      // One subscription, as the pod has: nats-server ≥ 2.10 grants one reply per delivery.
      const control: string[] = [];
      cam.nc.subscribe(news('cam').control, {
        callback: (_e, m) => {
          control.push(m.string());
          m.respond('done');
        },
      });
      await cam.nc.flush();
      const other = await client({ kind: 'stream', namespace: 'news', stream: 'studio' });
      other.nc.publish(news('cam').control, '{"op":"switch","priority":1}');
      const listener = await client({ kind: 'push-listener' });
      listener.nc.publish(news('cam').control, '{"op":"switch","priority":1}');
      const reader = await client({ kind: 'reader', namespace: 'news' });
      reader.nc.publish(news('cam').control, '{"op":"switch","priority":1}');
      await waitFor(
        () => other.violations.length > 0 && listener.violations.length > 0 && reader.violations.length > 0,
        'three refusals',
      );
      const operator = await client({ kind: 'operator' });
      const reply = await operator.nc.request(news('cam').control, 'from operator', { timeout: 5_000 });
      assert.equal(reply.string(), 'done');
      assert.deepEqual(control, ['from operator']);
    });

    it("refuses a subscription to another stream's .control or push relay, and a reader's to .control", async () => {
      const cam = await client({ kind: 'stream', namespace: 'news', stream: 'cam' });
      const foreign = cam.nc.subscribe(news('studio').control);
      const relay = cam.nc.subscribe(news('studio').push);
      const reader = await client({ kind: 'reader', namespace: 'news' });
      const readerControl = reader.nc.subscribe(news('cam').control);
      const otherNamespace = reader.nc.subscribe(subjects(PREFIX, 'sport', 'cam').av);
      for (const sub of [foreign, relay, readerControl, otherNamespace]) {
        const closed = await sub.closed;
        assert.match(String(closed), /Permissions Violation for Subscription/);
      }
    });

    it('runs the push registry: the pod registers its route, the listener acquires, the operator cleans up', async () => {
      // The listener watches first, as a running replica does; the pod registers afterwards.
      const listenerClient = await client({ kind: 'push-listener' });
      const listener = await openRegistry(listenerClient.nc, { prefix: PREFIX, log: silentPino });
      const mirror = await listener.mirror();
      const cam = await client({ kind: 'stream', namespace: 'news', stream: 'cam' });
      const pod = await openRegistry(cam.nc, { prefix: PREFIX, log: silentPino });
      await pod.register(sampleRoute('cam'));
      await assert.rejects(pod.register(sampleRoute('studio')), /Permissions Violation/);
      await waitFor(() => mirror.route('news/cam') !== undefined, 'the mirror to see the route');
      const lease = await listener.acquire('news/cam', sampleMark('listener-a'));
      assert.ok(mirror.route('news/cam'));
      await assert.rejects(listener.register(sampleRoute('studio')), /Permissions Violation/);

      const operator = await client({ kind: 'operator' });
      const routes = new PushRoutes(() => operator.nc, PREFIX);
      assert.equal(await routes.remove('news', 'cam', 'uid-1'), 'removed');
      await waitFor(() => mirror.route('news/cam') === undefined, 'the route to disappear');
      await lease.release().catch(() => {});
      mirror.close();
      await listener.close();
      await pod.close();
    });
  });
}
