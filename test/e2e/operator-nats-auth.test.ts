// NATS authorization end to end: the operator creates the authority, nats-server runs with the
// configuration it rendered (as the chart's does) behind TLS, and a real ingest pod goes Live on
// the credential minted for its Stream alone, trusting the CA handed over with it. Other
// identities cannot speak for the Stream.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import type { V1Secret } from '@kubernetes/client-node';
import { connect, credsAuthenticator, type NatsConnection } from '@nats-io/transport-node';
import { type NatsIdentity, natsInboxPrefix, subjects } from '@tributary/crds';
import { decodeEnvelope, isWireError } from '../../ingest-pod/src/wire/index.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { type FfmpegProcess, freeTcpPort, freeUdpPort } from '../../ingest-pod/test/support/peers.js';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import { tributaryImages } from '../../tools/cluster/local-images.js';
import {
  createStreamNamespace,
  deleteStream,
  INGEST_IMAGE,
  liveUdpSource,
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  problemsLogged,
  startOperator,
  startOperatorCluster,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const AUTH_SECRET = 'tributary-nats-auth';
const READER_SECRET = 'tributary-nats-reader';
const LISTENER_SECRET = 'tributary-push-listener-nats';
const BUFFER_SECRET = 'tributary-buffer-nats';

describe('operator: NATS authorization with per-Stream credentials', () => {
  let cluster: Cluster;
  let nats: NatsServer;
  let operator: OperatorProcess;
  let ns: string;
  let source: FfmpegProcess;
  let udpPort: number;
  let natsUrl: string;
  let startOperatorAgain: () => Promise<OperatorProcess>;
  const clients: NatsConnection[] = [];

  async function secretText(namespace: string, name: string, key: string): Promise<string> {
    const secret: V1Secret = await waitFor(() => cluster.core.readNamespacedSecret({ namespace, name }), {
      what: `Secret ${namespace}/${name}`,
      timeoutMs: 60_000,
    });
    return Buffer.from(secret.data?.[key] ?? '', 'base64').toString('utf8');
  }

  async function connectAs(
    creds: string,
    identity: NatsIdentity,
  ): Promise<{ nc: NatsConnection; refused: string[] }> {
    const nc = await connect({
      servers: natsUrl,
      tls: { caFile: cluster.pki.caCert },
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      inboxPrefix: natsInboxPrefix(identity),
    });
    clients.push(nc);
    const refused: string[] = [];
    void (async () => {
      for await (const s of nc.status()) if (s.type === 'error') refused.push(s.error.message);
    })();
    return { nc, refused };
  }

  before(async () => {
    const natsPort = await freeTcpPort();
    natsUrl = `tls://127.0.0.1:${natsPort}`;
    let kubeconfig: string;
    ({ cluster, kubeconfig } = await startOperatorCluster({ images: tributaryImages() }));
    ns = await createStreamNamespace(cluster);
    const ca = cluster.pki.caCert;
    startOperatorAgain = () =>
      startOperator(
        kubeconfig,
        'op-auth',
        [
          ...['--nats-url', natsUrl, '--nats-auth-secret', AUTH_SECRET, '--nats-ca-file', ca],
          ...['--reader-nats-secret', READER_SECRET, '--push-listener-nats-secret', LISTENER_SECRET],
          ...['--buffer-nats-secret', BUFFER_SECRET, '--buffer-namespaces', ns],
          ...['--ingest-image', INGEST_IMAGE, '--status-interval', '2s'],
        ],
        { NODE_EXTRA_CA_CERTS: ca },
      );
    operator = await startOperatorAgain();
    // What the chart's nats-server includes: the configuration the operator rendered into its
    // Secret; TLS with a certificate of the cluster's CA (it names 127.0.0.1).
    const authConfig = await secretText(OPERATOR_NAMESPACE, AUTH_SECRET, 'auth.conf');
    const { cert, key } = cluster.pki.serving;
    const tls = `tls { cert_file: ${JSON.stringify(cert)}, key_file: ${JSON.stringify(key)} }`;
    nats = await startNats({
      server: 'chart',
      jetstream: true,
      port: natsPort,
      extraConfig: `${tls}\n${authConfig}`,
    });
    udpPort = await freeUdpPort();
    source = liveUdpSource(udpPort);
  });
  after(async () => {
    for (const nc of clients) await nc.close().catch(() => {});
    await source?.stop();
    await operator?.stop();
    await cluster?.stop();
    await nats?.stop();
  });

  test('a Stream goes Live on its own credential; readers of its namespace and the buffer receive its AVPackets', async () => {
    await cluster.apply(streamObject(ns, 'news', { inputs: [{ url: `udp://127.0.0.1:${udpPort}` }] }));
    await waitForStream(
      cluster,
      ns,
      'news',
      (s) => s.status?.phase === 'Live',
      `Live (operator problems: ${problemsLogged(operator)})`,
      90_000,
    );
    const secret = await cluster.core.readNamespacedSecret({ namespace: ns, name: 'news-ingest-nats' });
    assert.equal(
      secret.metadata?.ownerReferences?.[0]?.kind,
      'Stream',
      'the credential Secret is owned by the Stream',
    );
    assert.equal(
      Buffer.from(secret.data?.['ca.crt'] ?? '', 'base64').toString(),
      await readFile(cluster.pki.caCert, 'utf8'),
      'the NATS CA travels with the credential',
    );

    const reader = await connectAs(await secretText(ns, READER_SECRET, 'nats.creds'), {
      kind: 'reader',
      namespace: ns,
    });
    const subscription = reader.nc.subscribe(subjects('tributary', ns, 'news').av, { max: 50 });
    let decoded = 0;
    for await (const message of subscription) if (!isWireError(decodeEnvelope(message.data))) decoded++;
    assert.equal(decoded, 50);

    // The buffer's credential, written beside the operator, hears the namespace it was given.
    const buffer = await connectAs(await secretText(OPERATOR_NAMESPACE, BUFFER_SECRET, 'nats.creds'), {
      kind: 'buffer',
      namespaces: [ns],
    });
    let buffered = 0;
    for await (const message of buffer.nc.subscribe(`tributary.${ns}.*.av`, { max: 50 }))
      if (!isWireError(decodeEnvelope(message.data))) buffered++;
    assert.equal(buffered, 50);
    assert.deepEqual(buffer.refused, []);
  });

  test("another Stream's credential, the reader's, the push-listener's and the buffer's cannot speak for the Stream", async () => {
    await cluster.apply(streamObject(ns, 'other', { inputs: [{ url: 'udp://127.0.0.1:9' }] }));
    const news = subjects('tributary', ns, 'news');
    const other = await connectAs(await secretText(ns, 'other-ingest-nats', 'nats.creds'), {
      kind: 'stream',
      namespace: ns,
      stream: 'other',
    });
    const reader = await connectAs(await secretText(ns, READER_SECRET, 'nats.creds'), {
      kind: 'reader',
      namespace: ns,
    });
    const listener = await connectAs(await secretText(OPERATOR_NAMESPACE, LISTENER_SECRET, 'nats.creds'), {
      kind: 'push-listener',
    });
    const buffer = await connectAs(await secretText(OPERATOR_NAMESPACE, BUFFER_SECRET, 'nats.creds'), {
      kind: 'buffer',
      namespaces: [ns],
    });
    const forged = JSON.stringify({ phase: 'Failed', activeInput: 3 });
    other.nc.publish(news.status, forged);
    other.nc.publish(news.control, '{"op":"switch","priority":0}');
    reader.nc.publish(news.status, forged);
    listener.nc.publish(news.av, 'x');
    buffer.nc.publish(news.status, forged);
    buffer.nc.subscribe(news.control);
    await waitFor(
      () =>
        other.refused.length >= 2 &&
        reader.refused.length >= 1 &&
        listener.refused.length >= 1 &&
        buffer.refused.length >= 2,
      {
        what: 'the server to refuse every forged message',
        timeoutMs: 10_000,
      },
    );
    assert.match(
      other.refused.join('\n'),
      new RegExp(`Permissions Violation for Publish to "${news.status.replaceAll('.', '\\.')}"`),
    );
    assert.match(buffer.refused.join('\n'), /Permissions Violation for Publish/);
    assert.match(buffer.refused.join('\n'), /Permissions Violation for Subscription/);
    const stream = await waitForStream(
      cluster,
      ns,
      'news',
      (s) => s.status?.phase === 'Live',
      'still Live',
      10_000,
    );
    assert.notEqual(stream.status?.activeInput, 3, 'the forged status never reached the Stream');
  });

  test('a Stream deleted and created again under its name gets its credential back, owned by the new one', async () => {
    await deleteStream(cluster, ns, 'other');
    await cluster.apply(streamObject(ns, 'other', { inputs: [{ url: 'udp://127.0.0.1:9' }] }));
    const recreated = await waitForStream(
      cluster,
      ns,
      'other',
      (s) => s.metadata.uid !== undefined,
      'recreated',
    );
    const owned = await waitFor(
      async () => {
        const secret = await cluster.core
          .readNamespacedSecret({ namespace: ns, name: 'other-ingest-nats' })
          .catch(() => undefined);
        return secret?.metadata?.ownerReferences?.[0]?.uid === recreated.metadata.uid ? secret : undefined;
      },
      { what: 'the credential Secret owned by the new Stream', timeoutMs: 60_000 },
    );
    assert.ok(owned.data?.['nats.creds']);
    // The pod mounts it: it runs only while the Secret exists.
    await cluster.waitForPodPhase(ns, 'other-ingest', 'Running', { timeoutMs: 60_000 });
  });

  /** A connection that does not reconnect: closed for good once the server drops it. */
  function dial(creds: string): Promise<NatsConnection> {
    return connect({
      servers: natsUrl,
      tls: { caFile: cluster.pki.caCert },
      authenticator: credsAuthenticator(new TextEncoder().encode(creds)),
      maxReconnectAttempts: 0,
    }).then((nc) => {
      clients.push(nc);
      return nc;
    });
  }

  /** True once the server refuses the credential (any other failure, e.g. a server still starting, is not). */
  async function refused(creds: string): Promise<boolean> {
    try {
      await (await dial(creds)).close();
      return false;
    } catch (error) {
      if (/authorization|revoked/i.test(String(error))) return true;
      throw error;
    }
  }

  /** The Stream's credential once its Secret is owned by the Stream's current uid. */
  async function credentialOf(name: string): Promise<string> {
    const stream = await waitForStream(cluster, ns, name, (s) => s.metadata.uid !== undefined, 'created');
    const secret = await waitFor(
      async () => {
        const found = await cluster.core
          .readNamespacedSecret({ namespace: ns, name: `${name}-ingest-nats` })
          .catch(() => undefined);
        return found?.metadata?.ownerReferences?.[0]?.uid === stream.metadata.uid ? found : undefined;
      },
      { what: `the credential Secret of ${name}, owned by its uid`, timeoutMs: 60_000 },
    );
    return Buffer.from(secret.data?.['nats.creds'] ?? '', 'base64').toString('utf8');
  }

  test("a deleted Stream's credential is refused within seconds; one created again under its name gets a new one", async () => {
    await cluster.apply(streamObject(ns, 'gone', { inputs: [{ url: 'udp://127.0.0.1:9' }] }));
    const first = await credentialOf('gone');
    const connected = await dial(first);
    const dropped = connected.closed();

    const deletedAt = Date.now();
    await deleteStream(cluster, ns, 'gone');
    assert.match(String(await dropped), /authorization|revoked/i, 'the connected client was dropped');
    const tookMs = Date.now() - deletedAt;
    assert.ok(tookMs < 15_000, `dropped ${tookMs} ms after the delete`);
    assert.ok(await refused(first), "a new connection with the deleted Stream's credential is refused");

    await cluster.apply(streamObject(ns, 'gone', { inputs: [{ url: 'udp://127.0.0.1:9' }] }));
    const second = await credentialOf('gone');
    assert.notEqual(second, first);
    await (await dial(second)).close();
    assert.ok(await refused(first), 'the first credential stays refused under the new Stream');
  });

  test('revocations survive a NATS restart and an operator restart, and a Stream deleted while no operator ran is revoked', async () => {
    const revoked = await credentialOf('news');
    await deleteStream(cluster, ns, 'news');
    await waitFor(async () => (await refused(revoked)) || undefined, {
      what: 'the deleted Stream news to be refused',
      timeoutMs: 15_000,
    });
    // This nats-server started from the auth.conf written before any revocation: once restarted
    // it knows none of them until the operator sends the account JWT again.
    await nats.restart();
    await waitFor(async () => (await refused(revoked)) || undefined, {
      what: 'the restarted NATS to refuse news again (sent by the operator when it reconnected)',
      timeoutMs: 15_000,
    });

    const live = await credentialOf('gone');
    await operator.stop();
    await deleteStream(cluster, ns, 'gone');
    await waitFor(
      () =>
        cluster.core
          .readNamespacedSecret({ namespace: ns, name: 'gone-ingest-nats' })
          .then(() => undefined)
          .catch(() => true),
      { what: 'the garbage collector to delete the Secret of gone', timeoutMs: 60_000 },
    );
    await nats.restart();
    // Nobody has told this server anything: the stale auth.conf lets both keys in.
    const held = await dial(live);
    const dropped = held.closed();
    await (await dial(revoked)).close();

    operator = await startOperatorAgain();
    assert.match(String(await dropped), /authorization|revoked/i, 'the new operator revoked gone');
    assert.ok(await refused(live));
    assert.ok(await refused(revoked), 'the revocation of news came back from the auth Secret');
    const authConfig = await secretText(OPERATOR_NAMESPACE, AUTH_SECRET, 'auth.conf');
    assert.match(authConfig, /resolver_preload/);
  });
});
