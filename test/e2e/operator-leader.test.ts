// Leader election against a real kube-apiserver: a leader whose renewals hang behind a stalled
// apiserver steps down within its renew deadline (and leads again, starting clean, once it can),
// and a standby judges a Lease by when it saw it change, not by the holder's (skewed) clock.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoordinationV1Api } from '@kubernetes/client-node';
import { isNotFound, mergePatch } from '../../tools/cluster/agent/api.js';
import { type Cluster, waitFor } from '../../tools/cluster/index.js';
import { ApiProxy } from './api-proxy.js';
import {
  OPERATOR_NAMESPACE,
  type OperatorProcess,
  startOperator,
  startOperatorCluster,
} from './operator-harness.js';

const LEASE = 'tributary-operator';

/** Times (ms, the operator's clock) at which it logged taking and giving up the lead. */
const logTimes = (operator: OperatorProcess, msg: string) =>
  operator.logs.filter((l) => l.msg === msg).map((l) => l.time as number);
const LEADING = 'leading: reconciling Streams';
const NOT_LEADING = 'not leading: reconciling stopped';

const microTime = (ms: number) => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

describe('operator: leader election', () => {
  let cluster: Cluster;
  let kubeconfig: string;
  let coordination: CoordinationV1Api;

  before(async () => {
    ({ cluster, kubeconfig } = await startOperatorCluster());
    coordination = cluster.kubeConfig.makeApiClient(CoordinationV1Api);
  });
  after(async () => {
    await cluster?.stop();
  });

  test('a leader whose renewal hangs steps down within the renew deadline, then leads again', async () => {
    const proxy = await ApiProxy.start(cluster);
    const renewDeadlineMs = 2_000;
    const operator = await startOperator(proxy.kubeconfig(kubeconfig), 'op-slow', [
      '--lease-duration',
      '3s',
      '--renew-deadline',
      `${renewDeadlineMs}ms`,
      '--retry-period',
      '250ms',
    ]);
    try {
      await waitFor(() => logTimes(operator, LEADING).length === 1 || undefined, {
        what: 'op-slow to lead',
        timeoutMs: 30_000,
      });
      // The apiserver stops answering the Lease requests: the next renewal hangs (the request
      // timeout is 30 s).
      const heldAt = Date.now();
      proxy.hold((r) => r.url.includes(`/leases/${LEASE}`));
      const [steppedDownAt] = await waitFor(
        () => (logTimes(operator, NOT_LEADING).length > 0 ? logTimes(operator, NOT_LEADING) : undefined),
        { what: 'op-slow to step down', timeoutMs: 20_000 },
      );
      // The deadline runs from the last renewal, at most one retry period before the hold.
      const after = (steppedDownAt ?? 0) - heldAt;
      assert.ok(after <= renewDeadlineMs + 1_000, `stepped down ${after} ms after the apiserver stalled`);
      assert.ok(
        operator.logs.some((l) =>
          String((l.err as { message?: string })?.message).includes('renew deadline'),
        ),
        'the log says why',
      );
      proxy.release();
      await waitFor(() => logTimes(operator, LEADING).length === 2 || undefined, {
        what: 'op-slow to lead again once the apiserver answers',
        timeoutMs: 30_000,
      });
    } finally {
      await operator.stop();
      await proxy.stop();
    }
  });

  test('expiry follows the local observation of the Lease, not the holder’s renewTime', async () => {
    const leaseDurationSeconds = 2;
    const ghost = async (renewTime: string) => {
      const spec = { holderIdentity: 'ghost', leaseDurationSeconds, renewTime };
      try {
        await coordination.patchNamespacedLease(
          { namespace: OPERATOR_NAMESPACE, name: LEASE, body: { spec } },
          mergePatch(),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
        const body = { metadata: { name: LEASE, namespace: OPERATOR_NAMESPACE }, spec };
        // biome-ignore lint/suspicious/noExplicitAny: renewTime must stay a microsecond string, not a Date
        await coordination.createNamespacedLease({ namespace: OPERATOR_NAMESPACE, body: body as any });
      }
      return Date.now();
    };
    const dayMs = 86_400_000;
    // The ghost's clock is a day behind: by renewTime its lease expired a day ago.
    let lastWrite = await ghost(microTime(Date.now() - dayMs));
    const operator = await startOperator(kubeconfig, 'op-skew', [
      '--lease-duration',
      `${leaseDurationSeconds}s`,
      '--renew-deadline',
      '1500ms',
      '--retry-period',
      '200ms',
    ]);
    try {
      // Keeps renewing (with its skewed clock) over three lease durations: the lease is alive.
      const renewals = 3 * leaseDurationSeconds * 4;
      for (let i = 1; i <= renewals; i++) {
        await sleep(250); // the ghost's own retry period: it is a peer, not a wait for a result
        lastWrite = await ghost(microTime(Date.now() - dayMs));
        assert.deepEqual(logTimes(operator, LEADING), [], `op-skew took a lease renewed ${i} times`);
      }
      // Now its clock is a day ahead, and it stops renewing: by renewTime the lease would live a
      // day more, by observation it expires one lease duration after this last write.
      lastWrite = await ghost(microTime(Date.now() + dayMs));
      const [ledAt] = await waitFor(
        () => (logTimes(operator, LEADING).length > 0 ? logTimes(operator, LEADING) : undefined),
        { what: 'op-skew to take over the abandoned lease', timeoutMs: 20_000 },
      );
      const waited = (ledAt ?? 0) - lastWrite;
      // (A read racing the write's response may see it a few ms before the test does.)
      assert.ok(waited >= leaseDurationSeconds * 1000 - 100, `took over ${waited} ms after the last renewal`);
      const lease = await coordination.readNamespacedLease({ namespace: OPERATOR_NAMESPACE, name: LEASE });
      assert.equal(lease.spec?.holderIdentity, 'op-skew');
    } finally {
      await operator.stop();
    }
  });
});
