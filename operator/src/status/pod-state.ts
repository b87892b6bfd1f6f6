import type { V1Pod } from '@kubernetes/client-node';
import { failureDetail } from '../reconcile/pod-decision.js';

/** The ingest pod as the Stream's status describes it. */
export type PodState =
  | { kind: 'none' }
  | { kind: 'unscheduled'; reason: string; message: string }
  | { kind: 'starting'; node: string; message: string }
  | { kind: 'running'; node: string; startedAt: number; ready: boolean }
  | { kind: 'failed'; message: string }
  | { kind: 'terminating' };

/** Why the container is not running yet (`ImagePullBackOff: …`), if it says. */
function waitingMessage(pod: V1Pod): string {
  const waiting = pod.status?.containerStatuses?.find((s) => s.state?.waiting)?.state?.waiting;
  if (!waiting?.reason) return 'the container is starting';
  return waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
}

export function podState(pod: V1Pod | undefined): PodState {
  if (!pod) return { kind: 'none' };
  if (pod.metadata?.deletionTimestamp) return { kind: 'terminating' };
  const phase = pod.status?.phase;
  if (phase === 'Failed' || phase === 'Succeeded') return { kind: 'failed', message: failureDetail(pod) };
  const node = pod.spec?.nodeName ?? '';
  const scheduled = pod.status?.conditions?.find((c) => c.type === 'PodScheduled');
  if (!node) {
    return {
      kind: 'unscheduled',
      reason: scheduled?.status === 'False' ? scheduled.reason || 'Unschedulable' : 'Pending',
      message: scheduled?.message || 'waiting for the scheduler',
    };
  }
  const running = pod.status?.containerStatuses?.some((s) => s.state?.running);
  if (phase !== 'Running' || !running) return { kind: 'starting', node, message: waitingMessage(pod) };
  const ready = pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
  const started = pod.status?.startTime ? new Date(pod.status.startTime).getTime() : 0;
  return { kind: 'running', node, startedAt: Number.isFinite(started) ? started : 0, ready };
}
