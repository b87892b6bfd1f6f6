// copy:// on the cluster: a Stream copying a live UDP Stream, with real ingest pods, operator and
// nats-server. The copy publishes the upstream's media as its own; deleting the upstream makes it
// fail over to its backup input at once.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Stream } from '@tributary/crds';
import {
  decodeEnvelope,
  isWireError,
  Reassembler,
  type WirePacket,
} from '../../ingest-pod/src/wire/index.js';
import type { Cluster } from '../../tools/cluster/index.js';
import {
  condition,
  deleteStream,
  type LiveOperatorBed,
  startLiveOperatorBed,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const isLiveOn = (input: number) => (s: Stream) =>
  s.status?.phase !== undefined &&
  s.status.activeInput === input &&
  (s.status.inputs?.[input]?.bitrateKbps ?? 0) > 0;

/** Access units published on `subject` until `enough` says so (or 20 s pass). */
async function collect(
  nc: NatsConnection,
  subject: string,
  enough: (packets: WirePacket[]) => boolean,
): Promise<WirePacket[]> {
  const packets: WirePacket[] = [];
  const reassembler = new Reassembler();
  const subscription = nc.subscribe(subject);
  const deadline = setTimeout(() => subscription.unsubscribe(), 20_000);
  for await (const message of subscription) {
    const envelope = decodeEnvelope(message.data);
    const packet = isWireError(envelope) ? undefined : reassembler.push(envelope);
    if (packet !== undefined) packets.push(packet);
    if (enough(packets)) break;
  }
  clearTimeout(deadline);
  subscription.unsubscribe();
  return packets;
}

describe('operator: copy:// between Streams', () => {
  let bed: LiveOperatorBed;
  let cluster: Cluster;
  let nc: NatsConnection;
  let ns: string;

  before(async () => {
    bed = await startLiveOperatorBed('op-copy', 2);
    ({ cluster, nc, namespace: ns } = bed);
  });
  after(() => bed?.stop());

  test("a Stream copying a live UDP Stream publishes the upstream's media as its own", async () => {
    await cluster.apply(streamObject(ns, 'cam', { inputs: [bed.udp(0)] }));
    await waitForStream(cluster, ns, 'cam', isLiveOn(0), 'Live', 90_000);
    await cluster.apply(
      streamObject(ns, 'mirror', {
        inputs: [{ url: 'copy://cam' }, bed.udp(1)],
        failover: { packetTimeout: '1s' },
      }),
    );
    const mirror = await waitForStream(cluster, ns, 'mirror', isLiveOn(0), 'Live on the copy', 90_000);
    assert.equal(condition(mirror, 'InputsValid')?.status, 'True');
    assert.deepEqual(
      (mirror.status?.inputs?.[0]?.tracks ?? []).map((t) => t.codec).sort(),
      ['aac', 'h264'],
      'the copy input shows the upstream tracks in status',
    );

    const codecs = (packets: WirePacket[]) => new Set(packets.map((p) => p.codec));
    const copied = await collect(
      nc,
      `tributary.${ns}.mirror.av`,
      (p) => p.length >= 100 && codecs(p).size >= 2,
    );
    assert.deepEqual([...codecs(copied)].sort(), ['aac', 'h264']);
    assert.ok(
      copied.every((p) => p.inputPriority === 0),
      'published from the copy input',
    );
    // The mirror's own sequence numbers: consecutive within its session, whatever the upstream's are.
    for (let i = 1; i < copied.length; i++) {
      const [a, b] = [copied[i - 1]!, copied[i]!];
      if (a.sessionId === b.sessionId) assert.equal(b.seq, a.seq + 1, `packet ${i}`);
    }
  });

  test('deleting the upstream Stream makes the copy fail over to its backup input', async () => {
    await deleteStream(cluster, ns, 'cam');
    const mirror = await waitForStream(
      cluster,
      ns,
      'mirror',
      (s) => isLiveOn(1)(s) && (s.status?.switches?.some((w) => w.from === 0 && w.to === 1) ?? false),
      'failed over to input 1',
      90_000,
    );
    const failover = mirror.status?.switches?.find((w) => w.from === 0 && w.to === 1);
    // The upstream's silence decides (its stream.stopped could be a pod replacement).
    assert.equal(failover?.reason, 'timeout', JSON.stringify(failover));
    const backup = await collect(nc, `tributary.${ns}.mirror.av`, (p) => p.length >= 50);
    assert.ok(backup.length >= 50 && backup.every((p) => p.inputPriority === 1), 'media from the backup');
    // The upstream is gone, so the spec is invalid now; the running pod keeps serving the backup.
    const invalid = await waitForStream(
      cluster,
      ns,
      'mirror',
      (s) => condition(s, 'InputsValid')?.reason === 'UpstreamNotFound',
      'InputsValid=False (UpstreamNotFound)',
      30_000,
    );
    assert.equal(invalid.status?.activeInput, 1);
  });
});
