import type { StreamStatus, SwitchRecord } from '@tributary/crds';
import type { PodAction } from '../reconcile/pod-decision.js';

export interface EventSpec {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

const RECOVERY_REASONS = new Set(['failback', 'recovery']);

const conditionOf = (status: StreamStatus | undefined, type: string) =>
  status?.conditions?.find((c) => c.type === type);

function switchMessage(s: SwitchRecord): string {
  const from = s.from < 0 ? 'no input' : `input ${s.from}`;
  return `${from} -> input ${s.to} (${s.reason})${s.detail ? `: ${s.detail}` : ''}`;
}

/**
 * The Events a reconcile should record: transitions between the last written status and the new
 * one, and what was done to the pod. Pure.
 */
export function decideEvents(
  previous: StreamStatus | undefined,
  next: StreamStatus,
  action: PodAction,
  podName: string,
): EventSpec[] {
  const events: EventSpec[] = [];
  const valid = conditionOf(next, 'InputsValid');
  const validBefore = conditionOf(previous, 'InputsValid');
  if (
    valid?.status === 'False' &&
    (validBefore?.status !== 'False' || validBefore.message !== valid.message)
  ) {
    events.push({ type: 'Warning', reason: 'InvalidInput', message: valid.message });
  }
  if (action.kind === 'create') {
    if (action.reason === 'recreated') {
      const why = action.detail ? ` after the previous one stopped: ${action.detail}` : '';
      events.push({ type: 'Warning', reason: 'PodRecreated', message: `recreated pod ${podName}${why}` });
    } else {
      const why = action.reason === 'replaced' ? ' to replace the previous one (the Stream changed)' : '';
      events.push({ type: 'Normal', reason: 'PodCreated', message: `created pod ${podName}${why}` });
    }
  }
  const known = new Set((previous?.switches ?? []).map((s) => `${s.at}|${s.from}|${s.to}`));
  const added = (next.switches ?? []).filter((s) => !known.has(`${s.at}|${s.from}|${s.to}`) && s.from >= 0);
  for (const record of [...added].reverse()) {
    events.push(
      RECOVERY_REASONS.has(record.reason)
        ? { type: 'Normal', reason: 'InputRecovered', message: switchMessage(record) }
        : { type: 'Warning', reason: 'InputFailover', message: switchMessage(record) },
    );
  }
  if (next.phase !== previous?.phase) {
    if (next.phase === 'Live') {
      events.push({ type: 'Normal', reason: 'Live', message: conditionOf(next, 'Live')?.message ?? 'live' });
    } else if (next.phase === 'Degraded') {
      const message = conditionOf(next, 'Degraded')?.message ?? 'degraded';
      events.push({ type: 'Warning', reason: 'Degraded', message });
    }
  }
  return events;
}
