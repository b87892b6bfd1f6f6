import {
  assessIngestReport,
  type InputStatus,
  type PodRecreation,
  pushEndpoints,
  redactUrl,
  type Stream,
  type StreamPhase,
  type StreamStatus,
  subjects,
} from '@tributary/crds';
import { hasPushInput } from '../push/push-route-finalizer.js';
import type { InputProblem } from '../reconcile/cross-validate.js';
import { type ConditionValue, condition } from './conditions.js';
import type { PodState } from './pod-state.js';
import type { PodSnapshot } from './snapshot.js';
import { mergeSwitches } from './switch-history.js';

export interface StatusFacts {
  stream: Stream;
  problems: readonly InputProblem[];
  pod: PodState;
  podName?: string | undefined;
  /** Why there is no pod although the Stream is valid (backing off, name taken). */
  podNote?: { reason: string; message: string } | undefined;
  /** The pod recreation backoff, kept in the status for the next leader. */
  podRecreation?: PodRecreation | undefined;
  snapshot?: { value: PodSnapshot; receivedAt: number } | undefined;
  /** When the operator created the current pod: reports received before are an earlier pod's. */
  snapshotsSince?: number | undefined;
  now: number;
  subjectPrefix: string;
  /** Push-listener addresses, e.g. rtmp://push.example.com and srt://push.example.com:9000. */
  push?: { rtmp?: string | undefined; srt?: string | undefined } | undefined;
  /** A snapshot older than this says nothing about now (the pod publishes every 5 s). */
  staleAfterMs: number;
  /** Whether the running pod has the Stream's inputs and failover settings (condition ConfigApplied). */
  liveConfig?: ConditionValue | undefined;
}

/** The snapshot, if it is recent and comes from the running pod. */
export function currentSnapshot(facts: StatusFacts): PodSnapshot | undefined {
  const { pod, snapshot, now } = facts;
  if (pod.kind !== 'running' || !snapshot) return undefined;
  if (now - snapshot.receivedAt > facts.staleAfterMs) return undefined;
  if (facts.snapshotsSince !== undefined && snapshot.receivedAt < facts.snapshotsSince) return undefined;
  // Without that memory (another replica created the pod), the pod's own clock has to do; its
  // startTime has whole seconds, so this can accept the last report of a pod that just died.
  const at = snapshot.value.at;
  if (at !== undefined && at < pod.startedAt) return undefined;
  return snapshot.value;
}

interface Assessment {
  phase: StreamPhase;
  live: ConditionValue;
  degraded: ConditionValue;
}

function assess(
  facts: StatusFacts,
  snapshot: PodSnapshot | undefined,
  label: (i: number) => string,
): Assessment {
  const not = (reason: string, message: string): ConditionValue => ({ status: 'False', reason, message });
  const healthy = not('AsExpected', 'nothing is degraded');
  const { pod, stream } = facts;
  if (stream.spec.suspend)
    return { phase: 'Suspended', live: not('Suspended', 'the Stream is suspended'), degraded: healthy };
  if (pod.kind === 'none' || pod.kind === 'terminating') {
    const phase = facts.problems.length > 0 ? 'Failed' : 'Pending';
    const why = facts.problems.length > 0 ? 'InputsInvalid' : 'NoPod';
    const message =
      facts.problems.length > 0
        ? 'the inputs are not valid'
        : (facts.podNote?.message ?? 'no ingest pod yet');
    return { phase, live: not(why, message), degraded: healthy };
  }
  if (pod.kind === 'failed') {
    return {
      phase: 'Failed',
      live: not('PodFailed', `the ingest pod failed: ${pod.message}`),
      degraded: healthy,
    };
  }
  if (pod.kind !== 'running')
    return { phase: 'Pending', live: not('PodNotRunning', pod.message), degraded: healthy };
  if (!snapshot) {
    return {
      phase: 'Connecting',
      live: not('NoStatus', 'waiting for a status report from the ingest pod'),
      degraded: healthy,
    };
  }
  return assessIngestReport(snapshot, label);
}

function scheduledCondition(facts: StatusFacts): ConditionValue {
  const { pod } = facts;
  switch (pod.kind) {
    case 'none':
      if (facts.stream.spec.suspend)
        return { status: 'False', reason: 'Suspended', message: 'the Stream is suspended' };
      if (facts.problems.length > 0)
        return { status: 'False', reason: 'InputsInvalid', message: 'no pod while the inputs are not valid' };
      return {
        status: 'False',
        ...(facts.podNote ?? { reason: 'PodNotCreated', message: 'the ingest pod is being created' }),
      };
    case 'terminating':
      return { status: 'False', reason: 'PodTerminating', message: `pod ${facts.podName} is terminating` };
    case 'unscheduled':
      return { status: 'False', reason: pod.reason, message: pod.message };
    case 'failed':
      return { status: 'False', reason: 'PodFailed', message: pod.message };
    default:
      return {
        status: 'True',
        reason: 'Scheduled',
        message: `pod ${facts.podName} runs on node ${pod.node}`,
      };
  }
}

/** The Stream's whole status from what the operator observed. Pure. */
export function streamStatus(facts: StatusFacts, previous: StreamStatus | undefined): StreamStatus {
  const { stream, now } = facts;
  const generation = stream.metadata.generation ?? 0;
  const specInputs = stream.spec.inputs;
  const label = (i: number) => {
    const url = specInputs[i]?.url;
    return url === undefined ? `input ${i}` : `input ${i} (${redactUrl(url)})`;
  };
  const snapshot = currentSnapshot(facts);
  const { phase, live, degraded } = assess(facts, snapshot, label);
  const valid: ConditionValue =
    facts.problems.length === 0
      ? { status: 'True', reason: 'Valid', message: 'the inputs and the objects they reference are valid' }
      : {
          status: 'False',
          reason: facts.problems[0]?.reason ?? 'Invalid',
          message: facts.problems.map((p) => p.message).join('; '),
        };
  const serving = phase === 'Live' || phase === 'Degraded';
  const ready: ConditionValue = serving
    ? { status: 'True', reason: phase, message: live.message }
    : { status: 'False', reason: phase, message: facts.problems.length > 0 ? valid.message : live.message };
  const before = previous?.conditions;
  const conditions = [
    condition('Ready', ready, before, generation, now),
    condition('InputsValid', valid, before, generation, now),
    condition('PodScheduled', scheduledCondition(facts), before, generation, now),
    condition('Live', live, before, generation, now),
    condition('Degraded', degraded, before, generation, now),
  ];
  if (facts.liveConfig)
    conditions.push(condition('ConfigApplied', facts.liveConfig, before, generation, now));

  const idleState = phase === 'Suspended' ? 'stopped' : facts.pod.kind === 'running' ? 'connecting' : 'idle';
  const inputs: InputStatus[] = specInputs.map((input, priority) => {
    const reported = snapshot?.inputs.find((i) => i.priority === priority);
    return { ...(reported ?? { priority, state: idleState }), url: redactUrl(input.url) };
  });
  const history = mergeSwitches(previous?.switches ?? [], snapshot?.switches ?? []);
  const status: StreamStatus = {
    observedGeneration: generation,
    phase,
    conditions,
    inputs,
    switches: history.switches,
    failoverCount: (previous?.failoverCount ?? 0) + history.added.filter((s) => s.from >= 0).length,
    subject: subjects(facts.subjectPrefix, stream.metadata.namespace ?? '', stream.metadata.name).av,
  };
  if (serving && snapshot?.activeInput !== null && snapshot?.activeInput !== undefined) {
    status.activeInput = snapshot.activeInput;
    const bitrate = inputs[snapshot.activeInput]?.bitrateKbps;
    if (bitrate !== undefined) status.bitrateKbps = bitrate;
  }
  if (facts.podName && facts.pod.kind !== 'none') status.pod = facts.podName;
  const endpoints = streamPushEndpoints(facts);
  if (endpoints) status.pushEndpoints = endpoints;
  if (facts.podRecreation) status.podRecreation = facts.podRecreation;
  return status;
}

function streamPushEndpoints(facts: StatusFacts): StreamStatus['pushEndpoints'] {
  if (!hasPushInput(facts.stream) || (!facts.push?.rtmp && !facts.push?.srt)) return undefined;
  return pushEndpoints(facts.push, facts.stream.metadata.namespace ?? '', facts.stream.metadata.name);
}
