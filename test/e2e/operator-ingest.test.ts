// The operator with real ingest pods: `tributary ingest` runs on the node agent as a local process,
// ffmpeg sends MPEG-TS over UDP, NATS carries the packets and the pods' status snapshots, and the
// operator turns those into the Stream's status and Events.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Stream } from '@tributary/crds';
import { decodeEnvelope, isWireError } from '../../ingest-pod/src/wire/index.js';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import {
  condition,
  deleteStream,
  eventsFor,
  type LiveOperatorBed,
  startLiveOperatorBed,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const isLive = (s: Stream) =>
  s.status?.phase === 'Live' && (s.status.inputs?.[s.status.activeInput ?? 0]?.bitrateKbps ?? 0) > 0;

describe('operator: live ingest', () => {
  let bed: LiveOperatorBed;
  let cluster: Cluster;
  let nc: NatsConnection;
  let ns: string;

  before(async () => {
    bed = await startLiveOperatorBed('op-live', 4);
    ({ cluster, nc, namespace: ns } = bed);
  });
  after(() => bed?.stop());

  const udp = (i: number) => bed.udp(i);
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

  test('changing the input is applied to the running pod, and the new input goes Live', async () => {
    const before = await cluster.core.readNamespacedPod({ namespace: ns, name: pod('news') });
    await cluster.apply(streamObject(ns, 'news', { inputs: [udp(1)] }));
    const stream = await waitForStream(
      cluster,
      ns,
      'news',
      (s) =>
        s.status?.observedGeneration === 2 &&
        condition(s, 'ConfigApplied')?.status === 'True' &&
        isLive(s) &&
        s.status.inputs?.[0]?.url === bed.udp(1).url,
      'Live on the new input',
      90_000,
    );
    assert.equal(stream.status?.inputs?.[0]?.url, bed.udp(1).url);
    const after = await cluster.core.readNamespacedPod({ namespace: ns, name: pod('news') });
    assert.equal(after.metadata?.uid, before.metadata?.uid, 'the same pod: the edit was relayed');
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
    await bed.sources[2]!.stop();
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
