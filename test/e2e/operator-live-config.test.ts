// Stream spec edits reach the running ingest pod through the operator: `kubectl patch` of the
// inputs or failover settings is relayed on the stream's control subject (the pod keeps running and
// publishing), a Secret reference added replaces the pod make-before-break (the new pod starts on
// standby and publishes once the old one is gone: no two sessions interleave), and the `tributary.io/switch-to`
// annotation switches the active input. Real kube-apiserver, operator, ingest pods, ffmpeg, NATS.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import type { Stream } from '@tributary/crds';
import { type DecodedEnvelope, decodeEnvelope, isWireError } from '../../ingest-pod/src/wire/index.js';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import { runOk } from './chart-helm.js';
import {
  condition,
  eventsFor,
  type LiveOperatorBed,
  readStream,
  startLiveOperatorBed,
  streamObject,
  waitForStream,
} from './operator-harness.js';

const NAME = 'edits';
const POD = `${NAME}-ingest`;
const SUCCESSOR = `${NAME}-ingest-b`;

const isLive = (s: Stream) =>
  s.status?.phase === 'Live' && (s.status.inputs?.[s.status.activeInput ?? 0]?.bitrateKbps ?? 0) > 0;

/** The pod reports running generation `n` of the inputs and failover settings. */
const configApplied = (n: number) => (s: Stream) => {
  const c = condition(s, 'ConfigApplied');
  return c?.status === 'True' && c.observedGeneration === n && c.message.includes(`generation ${n}`);
};

/** Every access unit (first fragments) published on `.av` from now on, in arrival order. */
function recordPackets(nc: NatsConnection, subject: string) {
  const packets: (DecodedEnvelope & { receivedAt: number })[] = [];
  const subscription: Subscription = nc.subscribe(subject, {
    callback: (_error, message) => {
      const envelope = decodeEnvelope(message.data);
      if (!isWireError(envelope) && envelope.fragmentOffset === 0)
        packets.push({ ...envelope, receivedAt: Date.now() });
    },
  });
  return { packets, stop: () => subscription.unsubscribe() };
}

describe('operator: live Stream edits', () => {
  let bed: LiveOperatorBed;
  let cluster: Cluster;
  let nc: NatsConnection;
  let ns: string;

  before(async () => {
    bed = await startLiveOperatorBed('op-edits', 2);
    ({ cluster, nc, namespace: ns } = bed);
  });
  after(() => bed?.stop());

  const udp = (i: number) => bed.udp(i);
  const kubectl = (...args: string[]) =>
    runOk(cluster.binaries.kubectl, ['-n', ns, ...args], { env: cluster.toolEnv() });
  const patchSpec = (spec: Record<string, unknown>) =>
    kubectl('patch', 'stream', NAME, '--type=merge', '-p', JSON.stringify({ spec }));
  const reasons = async () => (await eventsFor(cluster, ns, NAME)).map((e) => e.reason);
  const readPod = () => cluster.core.readNamespacedPod({ namespace: ns, name: POD });

  test('a backup input and a new packet timeout reach the running pod: no restart, no gap on .av', async () => {
    await cluster.apply(streamObject(ns, NAME, { inputs: [udp(0)] }));
    await waitForStream(
      cluster,
      ns,
      NAME,
      (s) => isLive(s) && configApplied(1)(s),
      'Live, generation 1',
      90_000,
    );
    const first = await readPod();
    const recording = recordPackets(nc, `tributary.${ns}.${NAME}.av`);
    try {
      await waitFor(() => recording.packets.length >= 50 || undefined, {
        what: 'packets on .av',
        timeoutMs: 20_000,
      });

      await patchSpec({ inputs: [udp(0), udp(1)] });
      let stream = await waitForStream(cluster, ns, NAME, configApplied(2), 'generation 2 applied', 60_000);
      const afterInputs = recording.packets.length;
      stream = await waitForStream(
        cluster,
        ns,
        NAME,
        (s) => s.status?.inputs?.length === 2 && s.status.inputs[1]?.state !== 'connecting' && isLive(s),
        'the backup input in the status',
        60_000,
      );
      assert.equal(stream.status?.activeInput, 0, 'the active input stays');

      await patchSpec({ failover: { packetTimeout: '3s' } });
      await waitForStream(cluster, ns, NAME, configApplied(3), 'generation 3 applied', 60_000);
      const afterFailover = recording.packets.length;
      await waitFor(() => recording.packets.length >= afterFailover + 50 || undefined, {
        what: 'packets keep flowing after the edits',
        timeoutMs: 20_000,
      });
      assert.ok(afterInputs > 0 && afterFailover > afterInputs, 'packets flowed between the edits');

      const packets = recording.packets;
      const sessions = new Set(packets.map((p) => p.sessionId));
      assert.equal(sessions.size, 1, 'one session throughout: the published input was never reopened');
      assert.ok(packets.slice(1).every((p) => !p.sessionStart));
      for (let i = 1; i < packets.length; i++) {
        assert.equal(packets[i]!.seq, packets[i - 1]!.seq + 1, `sequence continuous at packet ${i}`);
      }
      assert.ok(packets.every((p) => p.inputPriority === 0));
    } finally {
      recording.stop();
    }

    const now = await readPod();
    assert.equal(now.metadata?.uid, first.metadata?.uid, 'the same pod');
    assert.equal(now.status?.containerStatuses?.[0]?.restartCount, 0, 'the container never restarted');
    const events = await eventsFor(cluster, ns, NAME);
    const applied = events.filter((e) => e.reason === 'LiveConfigApplied').map((e) => e.message ?? '');
    assert.ok(
      applied.some((m) => /generation 2 without a restart: generation 2 applied: inputs changed/.test(m)),
    );
    assert.ok(
      applied.some((m) => /generation 3 .*failover settings changed/.test(m)),
      applied.join('\n'),
    );
    assert.equal(events.filter((e) => e.reason === 'PodCreated').length, 1, 'no other pod was created');
  });

  test('the switch-to annotation switches the active input, then is removed', async () => {
    await kubectl('annotate', 'stream', NAME, 'tributary.io/switch-to=1');
    const stream = await waitForStream(
      cluster,
      ns,
      NAME,
      (s) => s.status?.activeInput === 1 && (s.status.switches?.some((w) => w.reason === 'manual') ?? false),
      'switched to input 1',
      60_000,
    );
    assert.equal(stream.status?.switches?.[0]?.reason, 'manual');
    await waitFor(
      async () =>
        (await readStream(cluster, ns, NAME))?.metadata.annotations?.['tributary.io/switch-to'] === undefined,
      { what: 'the annotation removed', timeoutMs: 20_000 },
    );
    const event = await waitFor(
      async () => (await eventsFor(cluster, ns, NAME)).find((e) => e.reason === 'ManualSwitch'),
      { what: 'a ManualSwitch event', timeoutMs: 10_000 },
    );
    assert.match(event.message ?? '', /tributary\.io\/switch-to: "1": switching to input 1/);
    const relayed = (await eventsFor(cluster, ns, NAME)).filter((e) => e.reason === 'ManualSwitch');
    assert.deepEqual(
      relayed.map((e) => e.count ?? 1),
      [1],
      'relayed once, though the cache may show the annotation again',
    );

    await kubectl('annotate', 'stream', NAME, 'tributary.io/switch-to=7');
    const refused = await waitFor(
      async () => (await eventsFor(cluster, ns, NAME)).find((e) => e.reason === 'ManualSwitchRefused'),
      { what: 'a ManualSwitchRefused event', timeoutMs: 20_000 },
    );
    assert.equal(refused.type, 'Warning');
    assert.match(refused.message ?? '', /"7" is not the priority of an input of this Stream \(0\.\.1\)/);
  });

  test('a Secret reference added replaces the pod make-before-break: one session after the other', async () => {
    const before = await readPod();
    const recording = recordPackets(nc, `tributary.${ns}.${NAME}.av`);
    await waitFor(() => recording.packets.length >= 25 || undefined, {
      what: 'packets on .av',
      timeoutMs: 20_000,
    });
    await patchSpec({
      inputs: [
        udp(0),
        {
          ...udp(1),
          paramsFrom: [{ name: 'buffer_size', secretKeyRef: { name: 'udp-options', key: 'buffer' } }],
        },
      ],
    });
    // Until the Secret exists the Stream is invalid, and its pod keeps running unchanged.
    await waitForStream(
      cluster,
      ns,
      NAME,
      (s) => s.status?.observedGeneration === 4 && condition(s, 'InputsValid')?.status === 'False',
      'invalid without the Secret',
    );
    assert.equal((await readPod()).metadata?.uid, before.metadata?.uid);
    await cluster.core.createNamespacedSecret({
      namespace: ns,
      body: { metadata: { name: 'udp-options' }, stringData: { buffer: '2097152' } },
    });
    const replaced = await cluster.waitForPod(ns, SUCCESSOR, (p) => p.status?.phase === 'Running', {
      timeoutMs: 60_000,
      what: 'the replacement pod running',
    });
    const env = replaced.spec?.containers[0]?.env ?? [];
    assert.ok(env.some((e) => e.valueFrom?.secretKeyRef?.name === 'udp-options'));
    assert.ok(
      env.some((e) => e.name === 'TRIBUTARY_STANDBY' && e.value === SUCCESSOR),
      'started on standby',
    );
    assert.ok(!JSON.stringify(replaced).includes('2097152'), 'the secret value is not in the pod spec');
    await waitForStream(
      cluster,
      ns,
      NAME,
      (s) => isLive(s) && configApplied(4)(s) && s.status?.pod === SUCCESSOR,
      'Live on the new pod',
      90_000,
    );
    const oldSession = recording.packets[0]!.sessionId;
    await waitFor(
      () => recording.packets.filter((p) => p.sessionId !== oldSession).length >= 25 || undefined,
      { what: 'packets of the new pod', timeoutMs: 30_000 },
    );
    recording.stop();
    await assert.rejects(readPod(), 'the old pod is gone');

    // The old pod published until it stopped, then the new one: never both at once.
    const packets = recording.packets;
    const takeover = packets.findIndex((p) => p.sessionId !== oldSession);
    assert.ok(packets.slice(0, takeover).every((p) => p.sessionId === oldSession));
    assert.ok(
      packets.slice(takeover).every((p) => p.sessionId === packets[takeover]!.sessionId),
      'no interleaving',
    );
    assert.ok(packets[takeover]!.sessionStart && packets[takeover]!.key, 'the new pod starts on a keyframe');
    const gapMs = packets[takeover]!.receivedAt - packets[takeover - 1]!.receivedAt;
    console.log(`# make-before-break: ${gapMs} ms between the old pod's last packet and the new pod's first`);

    const events = await eventsFor(cluster, ns, NAME);
    const created = events.find((e) => e.reason === 'PodCreated' && e.message?.includes(SUCCESSOR));
    assert.match(
      created?.message ?? '',
      /to replace edits-ingest \(the Stream changed\); edits-ingest publishes until/,
    );
    assert.ok(
      events.some((e) => e.reason === 'PodReplaced' && e.message?.includes(`deleted ${POD}`)),
      'the old pod was deleted once the new one was ready',
    );
    assert.ok(!(await reasons()).includes('PodRecreated'));
  });
});
