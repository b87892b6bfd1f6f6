// The operator with real ingest pods: `tributary ingest` runs on the node agent as a local process,
// ffmpeg sends MPEG-TS over UDP, NATS carries the packets and the pods' status snapshots, and the
// operator turns those into the Stream's status and Events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import type { Stream } from '@tributary/crds';
import { decodeEnvelope, isWireError } from '../../ingest-pod/src/wire/index.js';
import { LIVE_H264_AAC } from '../../ingest-pod/test/support/media.js';
import { type NatsServer, startNats } from '../../ingest-pod/test/support/nats.js';
import { type FfmpegProcess, freeUdpPort, spawnFfmpeg } from '../../ingest-pod/test/support/peers.js';
import { type Cluster, waitFor } from '../cluster/index.js';
import { tributaryImages } from '../cluster/local-images.js';
import {
  condition,
  createStreamNamespace,
  deleteStream,
  eventsFor,
  type OperatorProcess,
  startOperator,
  startOperatorCluster,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const INGEST_IMAGE = 'ghcr.io/tributary/ingest-pod:e2e';

/** A small live source: 320x240 H.264 and AAC, MPEG-TS over UDP in real time. */
function udpSource(port: number): FfmpegProcess {
  return spawnFfmpeg([...LIVE_H264_AAC, '-f', 'mpegts', `udp://127.0.0.1:${port}?pkt_size=1316`]);
}

const isLive = (s: Stream) =>
  s.status?.phase === 'Live' && (s.status.inputs?.[s.status.activeInput ?? 0]?.bitrateKbps ?? 0) > 0;

describe('operator: live ingest', () => {
  let cluster: Cluster;
  let nats: NatsServer;
  let nc: NatsConnection;
  let operator: OperatorProcess;
  let ns: string;
  const sources: FfmpegProcess[] = [];
  const ports: number[] = [];

  before(async () => {
    nats = await startNats();
    nc = await connect({ servers: nats.url });
    let kubeconfig: string;
    ({ cluster, kubeconfig } = await startOperatorCluster({ images: tributaryImages() }));
    ns = await createStreamNamespace(cluster);
    operator = await startOperator(kubeconfig, 'op-live', [
      '--nats-url',
      nats.url,
      '--ingest-image',
      INGEST_IMAGE,
      '--status-interval',
      '2s',
    ]);
    for (let i = 0; i < 4; i++) ports.push(await freeUdpPort());
    for (const port of ports) sources.push(udpSource(port));
  });
  after(async () => {
    await Promise.all(sources.map((s) => s.stop()));
    await operator?.stop();
    await cluster?.stop();
    await nc?.close();
    await nats?.stop();
  });

  const udp = (i: number) => ({ url: `udp://127.0.0.1:${ports[i]}` });
  const pod = (name: string) => `${name}-ingest`;
  const reasons = async (name: string) => (await eventsFor(cluster, ns, name)).map((e) => e.reason);

  test('a UDP Stream goes Live: AVPackets decode from NATS, status has bitrate and tracks', async () => {
    await cluster.apply(streamObject(ns, 'news', { inputs: [udp(0)] }));
    await cluster.waitForPodPhase(ns, pod('news'), 'Running', { timeoutMs: 60_000 });
    assert.ok(cluster.agent?.podPids(ns, pod('news'))?.ingest, 'tributary ingest runs as a local process');

    const stream = await waitForStream(cluster, ns, 'news', isLive, 'Live with a bitrate', 90_000);
    const codecs = new Set<string>();
    const subscription = nc.subscribe(`tributary.${ns}.news.av`);
    const deadline = setTimeout(() => subscription.unsubscribe(), 20_000);
    for await (const message of subscription) {
      const envelope = decodeEnvelope(message.data);
      if (!isWireError(envelope)) codecs.add(envelope.codec);
      if (codecs.has('h264') && codecs.has('aac')) break;
    }
    clearTimeout(deadline);
    assert.deepEqual([...codecs].sort(), ['aac', 'h264'], 'AVPackets of both tracks decode');

    const status = stream.status!;
    assert.equal(status.activeInput, 0);
    assert.ok((status.bitrateKbps ?? 0) > 0);
    const tracks = status.inputs?.[0]?.tracks ?? [];
    assert.deepEqual(tracks.map((t) => t.codec).sort(), ['aac', 'h264']);
    assert.equal(status.inputs?.[0]?.state, 'active');
    assert.equal(condition(stream, 'Ready')?.status, 'True');
    assert.equal(status.pod, pod('news'));
    await waitFor(async () => (await reasons('news')).includes('Live'), {
      what: 'a Live event',
      timeoutMs: 10_000,
    });
    assert.ok((await reasons('news')).includes('PodCreated'));
  });

  test('changing the input replaces the pod, and the new input goes Live', async () => {
    const before = await cluster.core.readNamespacedPod({ namespace: ns, name: pod('news') });
    await cluster.apply(streamObject(ns, 'news', { inputs: [udp(1)] }));
    await cluster.waitForPod(
      ns,
      pod('news'),
      (p) => p.metadata?.uid !== before.metadata?.uid && p.status?.phase === 'Running',
      { timeoutMs: 60_000, what: 'the replacement pod running' },
    );
    const stream = await waitForStream(
      cluster,
      ns,
      'news',
      (s) => s.status?.observedGeneration === 2 && isLive(s),
      'Live on the new input',
      90_000,
    );
    assert.equal(stream.status?.inputs?.[0]?.url, `udp://127.0.0.1:${ports[1]}`);
  });

  test('killing the ingest process: the pod is recreated and the Stream is Live again', async () => {
    const before = await cluster.core.readNamespacedPod({ namespace: ns, name: pod('news') });
    const pid = cluster.agent?.podPids(ns, pod('news'))?.ingest;
    assert.ok(pid);
    const killedAt = Date.now();
    process.kill(-pid, 'SIGKILL'); // the whole container: its process group
    const recreated = await cluster.waitForPod(
      ns,
      pod('news'),
      (p) => p.metadata?.uid !== before.metadata?.uid && p.status?.phase === 'Running',
      { timeoutMs: 60_000, what: 'a recreated pod' },
    );
    await waitFor(async () => (await reasons('news')).includes('PodRecreated'), {
      what: 'a PodRecreated event',
      timeoutMs: 10_000,
    });
    assert.ok(recreated.metadata?.uid);
    // Live again as reported by the new pod: its first activation is after the kill.
    const stream = await waitForStream(
      cluster,
      ns,
      'news',
      (s) => isLive(s) && Date.parse(s.status?.switches?.[0]?.at ?? '') > killedAt,
      'Live again from the new pod',
      90_000,
    );
    assert.deepEqual(
      stream.status?.switches?.slice(0, 2).map((w) => [w.from, w.to, w.reason]),
      [
        [-1, 0, 'initial'],
        [-1, 0, 'initial'],
      ],
      'the history keeps the earlier pod’s activation',
    );
  });

  test('two inputs: stopping the primary source shows the failover in status.switches and an Event', async () => {
    await cluster.apply(
      streamObject(ns, 'dual', { inputs: [udp(2), udp(3)], failover: { packetTimeout: '1s' } }),
    );
    await waitForStream(
      cluster,
      ns,
      'dual',
      (s) => isLive(s) && s.status?.activeInput === 0,
      'Live on input 0',
      90_000,
    );
    await sources[2]!.stop();
    const stream = await waitForStream(
      cluster,
      ns,
      'dual',
      (s) =>
        s.status?.activeInput === 1 && (s.status.switches?.some((w) => w.from === 0 && w.to === 1) ?? false),
      'failed over to input 1',
      60_000,
    );
    const failover = stream.status?.switches?.find((w) => w.from === 0 && w.to === 1);
    assert.ok(failover && ['timeout', 'error'].includes(failover.reason), JSON.stringify(failover));
    assert.equal(stream.status?.phase, 'Degraded');
    assert.equal(condition(stream, 'Degraded')?.reason, 'OnFallbackInput');
    assert.ok((stream.status?.failoverCount ?? 0) >= 1);
    const event = await waitFor(
      async () => (await eventsFor(cluster, ns, 'dual')).find((e) => e.reason === 'InputFailover'),
      { what: 'an InputFailover event', timeoutMs: 10_000 },
    );
    assert.equal(event.type, 'Warning');
    assert.match(event.message ?? '', /input 0 -> input 1/);
  });

  test('deleting a Stream removes its pod', async () => {
    await deleteStream(cluster, ns, 'dual');
    await cluster.waitForPodGone(ns, pod('dual'), { timeoutMs: 30_000 });
  });
});
