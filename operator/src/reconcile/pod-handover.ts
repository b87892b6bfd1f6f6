import type { V1Pod } from '@kubernetes/client-node';
import { doublingDelayMs } from '@tributary/crds';
import { type BackoffSettings, CREATE_EXPECTATION_MS, type PodAction } from './pod-decision.js';
import { ANNOTATION_SPEC_HASH, ANNOTATION_STANDBY } from './pod-manifest.js';

/**
 * A Stream has up to two pods while one replaces the other (make-before-break): the publishing
 * pod and a successor that starts on standby. They take turns with two names.
 */
export interface StreamPods {
  /** The oldest live pod of this Stream: the one publishing (or the only one). */
  current?: V1Pod | undefined;
  /** A newer live pod of this Stream: the standby replacing `current`. */
  successor?: V1Pod | undefined;
  /** This Stream's pods on their way out. */
  terminating: V1Pod[];
  /** Pods under the Stream's pod names that it does not own (an earlier Stream's, or foreign). */
  others: V1Pod[];
}

/** What the operator remembers about a replacement in progress (lost on restart; harmless). */
export interface HandoverMemory {
  /** A successor created and not yet seen in the cache. */
  created?: { at: number; name: string; uid?: string } | undefined;
  /** Successors that failed in a row, and no new one before `notBefore` (epoch ms). */
  failures: number;
  notBefore: number;
  /** The standby pod told to publish; after a restart it is told again (it answers the same). */
  released?: string | undefined;
}

export const freshHandover = (): HandoverMemory => ({ failures: 0, notBefore: 0 });

export type HandoverAction =
  /** Nothing special: do what decidePod said for the current pod. */
  | { kind: 'pass' }
  | { kind: 'create-successor'; name: string; replaces: string }
  | { kind: 'delete-successor'; name: string; uid: string; detail: string }
  /** The successor is ready: delete the current pod (decidePod's spec-changed delete). */
  | { kind: 'retire'; successor: string }
  | { kind: 'release'; name: string; uid: string }
  | { kind: 'wait'; detail: string; retryInMs?: number };

export interface HandoverSituation {
  pods: StreamPods;
  desiredHash: string | undefined;
  /** decidePod's action for `pods.current` (or a terminating pod when none is live). */
  podAction: PodAction;
  /** The Stream's other pod name, given the name of the current pod. */
  otherName(name: string): string;
  memory: HandoverMemory;
  now: number;
  backoff: BackoffSettings;
}

const nameOf = (pod: V1Pod) => pod.metadata?.name ?? '';
const uidOf = (pod: V1Pod) => pod.metadata?.uid ?? '';
const hashOf = (pod: V1Pod) => pod.metadata?.annotations?.[ANNOTATION_SPEC_HASH];
const createdAt = (pod: V1Pod) => new Date(pod.metadata?.creationTimestamp ?? 0).getTime() || 0;

/** Started on standby: it publishes only once released. */
export function startedOnStandby(pod: V1Pod): boolean {
  return pod.metadata?.annotations?.[ANNOTATION_STANDBY] === 'true';
}

function isReady(pod: V1Pod): boolean {
  return (
    pod.status?.phase === 'Running' &&
    (pod.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false)
  );
}

const hasEnded = (pod: V1Pod) => pod.status?.phase === 'Failed' || pod.status?.phase === 'Succeeded';

/** Sorts a Stream's pods (found under its pod names) into current, successor, terminating, others. */
export function arrangePods(pods: readonly V1Pod[], streamUid: string | undefined): StreamPods {
  const mine: V1Pod[] = [];
  const arranged: StreamPods = { terminating: [], others: [] };
  for (const pod of pods) {
    const owner = pod.metadata?.ownerReferences?.find((ref) => ref.controller);
    if (streamUid === undefined || owner?.uid !== streamUid) arranged.others.push(pod);
    else if (pod.metadata?.deletionTimestamp) arranged.terminating.push(pod);
    else mine.push(pod);
  }
  mine.sort((a, b) => createdAt(a) - createdAt(b) || nameOf(a).localeCompare(nameOf(b)));
  arranged.current = mine[0];
  arranged.successor = mine[1];
  return arranged;
}

/**
 * Replacing a pod make-before-break. When the current pod must go because the Stream changed, a
 * successor starts on standby under the other name; once it is ready the current pod is deleted,
 * and once that one is gone the successor is released (so two pods never publish at once). A
 * standby pod that never became ready is simply replaced: nothing publishes from it. Pure.
 */
export function decideHandover(s: HandoverSituation): { action: HandoverAction; memory: HandoverMemory } {
  const { pods, podAction, now } = s;
  let memory = s.memory;
  const { current, successor } = pods;
  const pass = { action: { kind: 'pass' } as HandoverAction, memory };
  if (memory.created && [current, successor].some((p) => p && nameOf(p) === memory.created?.name)) {
    memory = { ...memory, created: undefined };
  }
  if (!current) return pass;
  const specChanged = podAction.kind === 'delete' && podAction.reason === 'spec-changed';
  if (podAction.kind === 'delete' && !specChanged) return pass;

  // A standby pod left alone: release it once nothing else of the Stream runs.
  if (!successor && startedOnStandby(current) && memory.released !== uidOf(current)) {
    if (pods.terminating.length > 0) {
      return {
        action: {
          kind: 'wait',
          detail: `waiting for the old pod to stop before ${nameOf(current)} publishes`,
        },
        memory,
      };
    }
    if (isReady(current))
      return { action: { kind: 'release', name: nameOf(current), uid: uidOf(current) }, memory };
    return specChanged
      ? pass
      : { action: { kind: 'wait', detail: `waiting for pod ${nameOf(current)} to be ready` }, memory };
  }

  if (successor) {
    const name = nameOf(successor);
    const drop = (detail: string, next = memory) => ({
      action: { kind: 'delete-successor', name, uid: uidOf(successor), detail } as const,
      memory: next,
    });
    if (!specChanged || hashOf(successor) !== s.desiredHash) return drop('the Stream changed again, or back');
    if (hasEnded(successor)) {
      const failures = memory.failures + 1;
      const delay = doublingDelayMs(s.backoff.baseMs, s.backoff.maxMs, failures - 1);
      return drop('it stopped before taking over', { ...memory, failures, notBefore: now + delay });
    }
    if (isReady(successor))
      return {
        action: { kind: 'retire', successor: name },
        memory: { ...memory, failures: 0, notBefore: 0 },
      };
    return { action: { kind: 'wait', detail: `waiting for pod ${name} to be ready to take over` }, memory };
  }
  if (!specChanged) return pass;

  // The current pod publishes and must be replaced: start its successor first.
  if (memory.created && now - memory.created.at < CREATE_EXPECTATION_MS) {
    const retryInMs = memory.created.at + CREATE_EXPECTATION_MS - now;
    return { action: { kind: 'wait', detail: 'waiting for the new pod to show up', retryInMs }, memory };
  }
  if (memory.notBefore > now) {
    const retryInMs = memory.notBefore - now;
    return {
      action: { kind: 'wait', detail: 'backing off before starting another replacement pod', retryInMs },
      memory,
    };
  }
  const name = s.otherName(nameOf(current));
  const blocking = [...pods.terminating, ...pods.others].find((p) => nameOf(p) === name);
  if (blocking) {
    const why = blocking.metadata?.deletionTimestamp
      ? 'is terminating'
      : 'exists and is not owned by this Stream';
    return { action: { kind: 'wait', detail: `pod ${name} ${why}` }, memory };
  }
  return {
    action: { kind: 'create-successor', name, replaces: nameOf(current) },
    memory: { ...memory, created: { at: now, name } },
  };
}
