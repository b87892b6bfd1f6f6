// The pod recreation backoff survives a change of leader, against a real kube-apiserver: the
// leader writes it to status.podRecreation as an ingest pod keeps failing; the standby that takes
// over reads it there and does not recreate the pod before status.podRecreation.notBefore.
// Control plane only: the test plays the kubelet and marks each pod Failed.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Stream } from '@tributary/crds';
import {
  type OperatorProcess,
  startOperator,
  startOperatorCluster,
  streamObject,
  waitForStream,
} from '../../../test/e2e/operator-harness.js';
import { mergePatch } from '../../../tools/cluster/agent/api.js';
import { type Cluster, waitFor } from '../../../tools/cluster/index.js';

const POD = 'news-ingest';
const LEADING = 'leading: reconciling Streams';
const APPLYING = 'applying the ingest pod';
// Leadership moves within a few hundred ms of the leader letting go of the Lease.
const ELECTION = ['--lease-duration', '3s', '--renew-deadline', '2s', '--retry-period', '250ms'];
// With the default backoff (1 s doubling) the sixth failure in a row waits 16 s.
const FAILURES = 6;
const SIXTH_DELAY_MS = 16_000;

const leadingAt = (operator: OperatorProcess) =>
  operator.logs.find((l) => l.msg === LEADING)?.time as number | undefined;

describe('operator: the pod recreation backoff across a change of leader', () => {
  let cluster: Cluster;
  let kubeconfig: string;
  let ns: string;
  const operators: OperatorProcess[] = [];

  before(async () => {
    ({ cluster, kubeconfig } = await startOperatorCluster());
    ns = await cluster.createNamespace();
  });
  after(async () => {
    for (const operator of operators) await operator.stop();
    await cluster?.stop();
  });

  test('a crash-looping pod is not recreated by the new leader before notBefore', async () => {
    const start = (identity: string) =>
      startOperator(kubeconfig, identity, ['--ingest-image', 'tributary.test/ingest-stub', ...ELECTION]);
    const first = await start('op-first');
    operators.push(first);
    await waitFor(() => leadingAt(first), { what: 'op-first to lead', timeoutMs: 30_000 });
    // The standby runs already, so the handover does not wait for a process to start.
    const second = await start('op-second');
    operators.push(second);

    await cluster.apply(streamObject(ns, 'news', { inputs: [{ url: 'udp://127.0.0.1:5000' }] }));
    const seen = new Set<string>();
    let failedAt = 0;
    let stream: Stream | undefined;
    for (let failures = 1; failures <= FAILURES; failures++) {
      const pod = await cluster.waitForPod(ns, POD, (p) => !seen.has(p.metadata?.uid ?? ''), {
        what: `ingest pod number ${failures}`,
        timeoutMs: 60_000,
      });
      seen.add(pod.metadata?.uid ?? '');
      failedAt = Date.now();
      await cluster.core.patchNamespacedPodStatus(
        {
          namespace: ns,
          name: POD,
          body: { status: { phase: 'Failed', reason: 'Error', message: `crash ${failures}` } },
        },
        mergePatch(),
      );
      stream = await waitForStream(
        cluster,
        ns,
        'news',
        (s) => s.status?.podRecreation?.failures === failures,
        `status.podRecreation.failures ${failures}`,
      );
    }
    const recreation = stream?.status?.podRecreation;
    assert.equal(recreation?.lastFailure, `Error: crash ${FAILURES}`);
    const notBefore = Date.parse(recreation?.notBefore ?? '');
    assert.ok(
      notBefore >= failedAt + SIXTH_DELAY_MS,
      `the backoff grew: notBefore ${recreation?.notBefore} is ${notBefore - failedAt} ms after the failure`,
    );

    // The leader goes (releasing its Lease); the standby takes over while the backoff runs.
    await first.stop();
    const ledAt = await waitFor(() => leadingAt(second), { what: 'op-second to lead', timeoutMs: 30_000 });
    assert.ok(
      ledAt < notBefore - 2000,
      `op-second must lead well before notBefore to show anything (led ${notBefore - ledAt} ms before)`,
    );

    const recreated = await cluster.waitForPod(ns, POD, (p) => !seen.has(p.metadata?.uid ?? ''), {
      what: 'the pod recreated by op-second',
      timeoutMs: 60_000,
    });
    const applied = second.logs.filter((l) => l.msg === APPLYING);
    assert.equal(applied[0]?.reason, 'recreated', JSON.stringify(second.logs.slice(-20)));
    const appliedAt = applied[0]?.time as number;
    assert.ok(
      appliedAt >= notBefore,
      `op-second applied the pod ${notBefore - appliedAt} ms before notBefore`,
    );
    const createdAt = new Date(recreated.metadata?.creationTimestamp ?? 0).getTime();
    assert.ok(createdAt >= Math.floor(notBefore / 1000) * 1000, 'the apiserver agrees (whole seconds)');
    // The count goes on: the next failure would wait longer still.
    const current = await waitForStream(cluster, ns, 'news', (s) => s.status?.pod === POD, 'the new pod');
    assert.equal(current.status?.podRecreation?.failures, FAILURES);
  });
});
