// The push route finalizer end to end: the operator (a child process, with its ServiceAccount's
// RBAC) against a real kube-apiserver and a real JetStream nats-server. A Stream with a push input
// gets the finalizer; deleting it removes its route and active mark from NATS KV, then the Stream.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type KV, Kvm } from '@nats-io/kv';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { registryBuckets, registryKvKey } from '@tributary/crds';
import { type NatsServer, startNats } from '../../../ingest-pod/test/support/nats.js';
import {
  createStreamNamespace,
  deleteStream,
  eventsFor,
  type OperatorProcess,
  operatorGet,
  problemsLogged,
  readPod,
  readStream,
  startOperator,
  startOperatorCluster,
  streamObject,
} from '../../../test/e2e/operator-harness.js';
import { type Cluster, waitFor } from '../../../tools/cluster/index.js';
import { PUSH_ROUTE_FINALIZER } from '../../src/push/push-route-finalizer.js';

const STUB_IMAGE = 'tributary.test/ingest-stub';
// Stands in for the ingest pod: answers its probes, registers nothing (the test writes the route).
const STUB = `
const listen = process.env.TRIBUTARY_LISTEN ?? '127.0.0.1:8080';
const i = listen.lastIndexOf(':');
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(listen.slice(i + 1)), listen.slice(0, i));
process.on('SIGTERM', () => process.exit(0));`;

/** A TCP relay to NATS that the test can cut (the operator sees NATS go away) and restore. */
async function natsRelay(target: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
    }
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) =>
    new Promise<void>((resolve) => server.listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as net.AddressInfo).port;
  return {
    url: `nats://127.0.0.1:${port}`,
    async cut() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    restore: () => listen(port),
    close() {
      for (const socket of sockets) socket.destroy();
      server.close();
    },
  };
}

describe('operator: push route finalizer (real kube-apiserver, real nats-server)', () => {
  let cluster: Cluster;
  let kubeconfig: string;
  let nats: NatsServer;
  let nc: NatsConnection;
  let relay: Awaited<ReturnType<typeof natsRelay>>;
  let operator: OperatorProcess | undefined;
  let routes: KV;
  let active: KV;
  let ns: string;

  before(async () => {
    nats = await startNats({ jetstream: true, server: 'chart' });
    nc = await connect({ servers: nats.url });
    const buckets = registryBuckets('tributary');
    const kvm = new Kvm(nc);
    routes = await kvm.create(buckets.routes);
    active = await kvm.create(buckets.active);
    relay = await natsRelay(nats.port);
    ({ cluster, kubeconfig } = await startOperatorCluster({
      images: { [STUB_IMAGE]: { entrypoint: [process.execPath, '-e', STUB] } },
    }));
    ns = await createStreamNamespace(cluster);
    await cluster.apply({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 'encoder', namespace: ns },
      stringData: { key: 'a-long-enough-publish-key' },
    } as never);
  });
  after(async () => {
    await operator?.stop();
    await cluster?.stop();
    relay?.close();
    await nc?.close();
    await nats?.stop();
  });

  // The push-listener's key as the chart generates it: a SEC1 PEM of a P-256 key.
  const keyPair = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const listenerKey = keyPair.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const start = () => {
    const keyFile = path.join(cluster.dir, 'push-sealing-key.pem');
    fs.writeFileSync(keyFile, keyPair.privateKey.export({ type: 'sec1', format: 'pem' }), { mode: 0o600 });
    return startOperator(kubeconfig, 'op-push', [
      '--ingest-image',
      STUB_IMAGE,
      '--leader-elect',
      'false',
      '--nats-url',
      relay.url,
      '--push-rtmp-url',
      'rtmp://push.example.com',
      '--push-srt-url',
      'srt://push.example.com:9000',
      '--push-key-file',
      keyFile,
    ]);
  };
  const pushSpec = { inputs: [{ url: 'publish://', publishKeySecretRef: { name: 'encoder', key: 'key' } }] };
  const route = (name: string, uid: string) =>
    JSON.stringify({
      v: 1,
      namespace: ns,
      stream: name,
      uid,
      publishKey: { salt: 'c2FsdA==', hash: 'aGFzaA==', cost: 16384 },
      owner: `${name}-ingest`,
      registeredAt: new Date().toISOString(),
    });
  const finalized = (name: string) =>
    waitFor(
      async () => {
        const stream = await readStream(cluster, ns, name);
        return stream?.metadata.finalizers?.includes(PUSH_ROUTE_FINALIZER) ? stream : undefined;
      },
      { what: `the finalizer on ${name}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  const gone = (name: string, timeoutMs = 30_000) =>
    waitFor(async () => ((await readStream(cluster, ns, name)) ? undefined : true), {
      what: `Stream ${name} to be deleted`,
      timeoutMs,
      intervalMs: 200,
    });

  test('a push Stream gets the finalizer; deleting it removes its route and mark, then the Stream', async () => {
    operator = await start();
    await cluster.apply(streamObject(ns, 'live', pushSpec));
    const stream = await finalized('live');
    const key = registryKvKey(ns, 'live');
    await routes.put(key, route('live', stream.metadata.uid ?? ''));
    await active.put(key, JSON.stringify({ replica: 'listener-0', protocol: 'rtmp' }));
    await cluster.apply(streamObject(ns, 'pull', { inputs: [{ url: 'udp://127.0.0.1:5999' }] }));

    // Where to publish, in status and in `kubectl get -o wide`; the pod gets the listener's key.
    await waitFor(async () => (await readStream(cluster, ns, 'live'))?.status?.pushEndpoints?.rtmp, {
      what: 'status.pushEndpoints',
      timeoutMs: 30_000,
      intervalMs: 200,
    });
    const wide = execFileSync(cluster.binaries.kubectl, ['-n', ns, 'get', 'streams', '-o', 'wide'], {
      env: { ...process.env, ...cluster.toolEnv() },
      encoding: 'utf8',
    });
    assert.match(wide, /RTMP\s+SRT/);
    assert.match(
      wide,
      new RegExp(
        `live .*rtmp://push\\.example\\.com/${ns}/live\\s+srt://push\\.example\\.com:9000\\?streamid=`,
      ),
    );
    const pod = await readPod(cluster, ns, 'live-ingest');
    const config = pod?.spec?.containers[0]?.env?.find((e) => e.name === 'TRIBUTARY_STREAM')?.value ?? '{}';
    assert.equal((JSON.parse(config) as { pushListenerKey?: string }).pushListenerKey, listenerKey);

    await deleteStream(cluster, ns, 'live');
    await gone('live');
    assert.equal((await routes.get(key))?.operation, 'DEL', 'the route is deleted');
    assert.equal((await active.get(key))?.operation, 'DEL', 'the active mark is deleted');
    const pull = await readStream(cluster, ns, 'pull');
    assert.deepEqual(pull?.metadata.finalizers ?? [], [], 'a pull Stream gets no finalizer');
    const metrics = await operatorGet(operator.port, '/metrics');
    assert.match(metrics.body, /tributary_operator_push_route_cleanups_total\{outcome="removed"\} 1/);
    assert.equal(problemsLogged(operator), '');
  });

  test('a route of another uid is left alone; a push input removed from the spec drops the finalizer', async () => {
    await cluster.apply(streamObject(ns, 'edited', pushSpec));
    await finalized('edited');
    const key = registryKvKey(ns, 'edited');
    await routes.put(key, route('edited', 'some-other-uid'));
    await cluster.apply(streamObject(ns, 'edited', { inputs: [{ url: 'udp://127.0.0.1:5998' }] }));
    await waitFor(
      async () => ((await readStream(cluster, ns, 'edited'))?.metadata.finalizers?.length ? undefined : true),
      { what: 'the finalizer to go', timeoutMs: 30_000, intervalMs: 200 },
    );
    assert.equal((await routes.get(key))?.operation, 'PUT', "another Stream's route stays");
    await deleteStream(cluster, ns, 'edited');
    await gone('edited');
  });

  test('NATS unreachable: deletion waits with a Warning Event, and completes once NATS is back', async () => {
    await cluster.apply(streamObject(ns, 'waits', pushSpec));
    const stream = await finalized('waits');
    const key = registryKvKey(ns, 'waits');
    await routes.put(key, route('waits', stream.metadata.uid ?? ''));
    await relay.cut();
    try {
      await deleteStream(cluster, ns, 'waits');
      const event = await waitFor(
        async () =>
          (await eventsFor(cluster, ns, 'waits')).find((e) => e.reason === 'PushRouteCleanupFailed'),
        { what: 'a PushRouteCleanupFailed event', timeoutMs: 60_000, intervalMs: 250 },
      );
      assert.equal(event.type, 'Warning');
      assert.match(event.message ?? '', /push route.*tributary\.io\/push-route/);
      assert.ok(await readStream(cluster, ns, 'waits'), 'the Stream is kept while the route may exist');
    } finally {
      await relay.restore();
    }
    await gone('waits', 90_000);
    assert.equal((await routes.get(key))?.operation, 'DEL');
  });
});
