import type { V1Pod } from '@kubernetes/client-node';
import { doublingDelayMs, GROUP, STREAM } from '@tributary/crds';
import { ANNOTATION_SPEC_HASH } from './pod-manifest.js';

/** Why the operator deleted an ingest pod. */
export type DeleteReason = 'spec-changed' | 'failed' | 'suspended' | 'orphaned' | 'stale-owner';
/** Why it creates one: the first, a replacement after a spec change, or after a failure/disappearance. */
export type CreateReason = 'new' | 'replaced' | 'recreated';

export type PodAction =
  | { kind: 'none' }
  | { kind: 'create'; reason: CreateReason; detail: string }
  | { kind: 'delete'; uid: string; reason: DeleteReason; detail: string }
  /** Nothing to do until a pod event arrives or `retryInMs` passed. */
  | { kind: 'wait'; detail: string; retryInMs?: number }
  /** A pod with the ingest pod's name exists that this Stream does not own. */
  | { kind: 'blocked'; detail: string };

/**
 * What the operator remembers about a Stream's pods between reconciles. The recreation backoff
 * (failures, notBefore, lastFailure) is also kept in the Stream's status for the next leader (see
 * pod-recreation.ts); the rest describes this process's cache and is lost on restart, harmlessly.
 */
export interface PodMemory {
  /** Consecutive failures (failed or vanished pods), reset once a pod ran long enough. */
  failures: number;
  /** No new pod before this time (epoch ms). */
  notBefore: number;
  /** The last pod seen, and why the operator deleted it, if it did. */
  lastPodUid?: string;
  deleted?: { uid: string; reason: DeleteReason; detail: string } | undefined;
  /** A pod the operator created that the cache has not shown yet (it is not missing, just late). */
  created?: { at: number; uid?: string } | undefined;
  /** The pod the operator created last and when (its clock): earlier status reports are not this pod's. */
  podSince?: { uid: string; at: number } | undefined;
  /** Why the last pod failed, for the PodRecreated event. */
  lastFailure?: string;
}

export const freshMemory = (): PodMemory => ({ failures: 0, notBefore: 0 });

export interface BackoffSettings {
  /** Delay before the second recreation in a row; doubles per failure (the first is immediate). */
  baseMs: number;
  maxMs: number;
  /** A pod that ran this long resets the failure count. */
  resetAfterMs: number;
}

/** How long a just-created pod may be absent from the cache before it counts as vanished. */
export const CREATE_EXPECTATION_MS = 30_000;

export interface PodSituation {
  /** The Stream, or undefined once it is gone. */
  stream?: { uid: string; deleting: boolean; suspended: boolean } | undefined;
  /** Undefined when the Stream is invalid (no new pod is made; a running one is kept). */
  desiredHash?: string | undefined;
  pod?: V1Pod | undefined;
  memory: PodMemory;
  now: number;
  backoff: BackoffSettings;
}

function controllerOf(pod: V1Pod) {
  return pod.metadata?.ownerReferences?.find((ref) => ref.controller);
}

function ownedByAStream(pod: V1Pod): boolean {
  const owner = controllerOf(pod);
  return owner?.kind === STREAM.kind && (owner.apiVersion ?? '').startsWith(`${GROUP}/`);
}

/** Why a pod stopped, from its container status, e.g. `exit code 137 (Error)`. */
export function failureDetail(pod: V1Pod): string {
  const terminated = pod.status?.containerStatuses?.find((s) => s.state?.terminated)?.state?.terminated;
  if (terminated) {
    const why = [terminated.reason, terminated.message].filter(Boolean).join(': ');
    return `exit code ${terminated.exitCode}${why ? ` (${why})` : ''}`;
  }
  return [pod.status?.reason, pod.status?.message].filter(Boolean).join(': ') || `phase ${pod.status?.phase}`;
}

/** The next step for a Stream's ingest pod, and the memory to keep. Pure. */
export function decidePod(s: PodSituation): { action: PodAction; memory: PodMemory } {
  const { pod, stream, now } = s;
  let memory = s.memory;
  const uid = pod?.metadata?.uid ?? '';
  const deleting = Boolean(pod?.metadata?.deletionTimestamp);
  const del = (reason: DeleteReason, detail: string) => ({
    action: { kind: 'delete', uid, reason, detail } as const,
    memory: { ...memory, deleted: { uid, reason, detail } },
  });

  if (!stream || stream.deleting) {
    if (pod && !deleting && ownedByAStream(pod)) return del('orphaned', 'the Stream is gone');
    return { action: { kind: 'none' }, memory };
  }
  if (pod) {
    const owner = controllerOf(pod);
    if (owner?.uid !== stream.uid) {
      if (ownedByAStream(pod) && !deleting)
        return del('stale-owner', 'the pod belongs to an earlier Stream of this name');
      if (!ownedByAStream(pod)) {
        return {
          action: {
            kind: 'blocked',
            detail: `pod ${pod.metadata?.name} exists and is not owned by this Stream`,
          },
          memory,
        };
      }
    }
    if (memory.created && (memory.created.uid === undefined || memory.created.uid === uid)) {
      memory = { ...memory, created: undefined };
    }
    if (deleting) return { action: { kind: 'wait', detail: 'the old pod is terminating' }, memory };
    memory = observeRunning(pod, memory, s);
  }
  if (stream.suspended) {
    return pod ? del('suspended', 'the Stream is suspended') : { action: { kind: 'none' }, memory };
  }
  if (pod) {
    const phase = pod.status?.phase;
    if (phase === 'Failed' || phase === 'Succeeded') {
      const detail = failureDetail(pod);
      memory = failed(memory, s, detail);
      return del('failed', detail);
    }
    const hash = pod.metadata?.annotations?.[ANNOTATION_SPEC_HASH];
    if (s.desiredHash !== undefined && hash !== s.desiredHash)
      return del('spec-changed', 'the Stream changed');
    return { action: { kind: 'none' }, memory };
  }
  if (s.desiredHash === undefined) return { action: { kind: 'none' }, memory };

  // No pod. Just created, and the cache has not caught up?
  const created = memory.created;
  if (created && now - created.at < CREATE_EXPECTATION_MS) {
    const retryInMs = created.at + CREATE_EXPECTATION_MS - now;
    return { action: { kind: 'wait', detail: 'waiting for the new pod to show up', retryInMs }, memory };
  }
  // Did it vanish without us deleting it (evicted, deleted by hand)?
  if (memory.lastPodUid && memory.deleted?.uid !== memory.lastPodUid) {
    memory = failed(memory, s, 'the pod disappeared');
    memory = {
      ...memory,
      deleted: { uid: memory.lastPodUid ?? '', reason: 'failed', detail: 'the pod disappeared' },
    };
  }
  if (memory.notBefore > now) {
    return {
      action: {
        kind: 'wait',
        detail: 'backing off before recreating the pod',
        retryInMs: memory.notBefore - now,
      },
      memory,
    };
  }
  const reason: CreateReason =
    memory.deleted?.reason === 'spec-changed'
      ? 'replaced'
      : memory.deleted?.reason === 'failed'
        ? 'recreated'
        : 'new';
  const detail =
    reason === 'recreated'
      ? (memory.deleted?.detail ?? '')
      : reason === 'replaced'
        ? 'the Stream changed'
        : '';
  return {
    action: { kind: 'create', reason, detail },
    memory: { ...memory, deleted: undefined, created: { at: now } },
  };
}

function failed(memory: PodMemory, s: PodSituation, detail: string): PodMemory {
  const failures = memory.failures + 1;
  const delay = failures <= 1 ? 0 : doublingDelayMs(s.backoff.baseMs, s.backoff.maxMs, failures - 2);
  return { ...memory, failures, notBefore: s.now + delay, lastFailure: detail };
}

function observeRunning(pod: V1Pod, memory: PodMemory, s: PodSituation): PodMemory {
  const uid = pod.metadata?.uid ?? '';
  let next = memory.lastPodUid === uid ? memory : { ...memory, lastPodUid: uid };
  const started = pod.status?.startTime ? new Date(pod.status.startTime).getTime() : Number.NaN;
  if (pod.status?.phase === 'Running' && next.failures > 0 && s.now - started >= s.backoff.resetAfterMs) {
    next = { ...next, failures: 0, notBefore: 0 };
  }
  return next;
}

/** What the operator remembers about the live configuration it sent to a Stream's pod. */
export interface LiveConfigMemory {
  /** The pod it was sent to: a new pod starts with the configuration of its own spec. */
  podUid: string;
  sent?: { generation: number; at: number } | undefined;
  /** The pod refused this generation; its rules do not change, so it is not sent again. */
  refused?: { generation: number; message: string } | undefined;
}

export interface LiveConfigSituation {
  /** The pod, if one runs (not terminating). */
  pod?: { uid: string; hash: string | undefined } | undefined;
  desiredHash: string;
  desiredGeneration: number;
  /** The generation the pod last reported running; undefined while it has not (or cannot) say. */
  reportedGeneration: number | undefined;
  memory: LiveConfigMemory | undefined;
  now: number;
  /** An unanswered or unapplied `configure` is sent again after this long. */
  resendAfterMs: number;
}

export type LiveConfigAction =
  /** The pod runs the desired configuration. */
  | { kind: 'in-sync' }
  /** Send `configure` on the control subject. */
  | { kind: 'send' }
  /** The pod's shape changed: only a new pod can take it (decidePod replaces it). */
  | { kind: 'replace' }
  | { kind: 'refused'; message: string }
  | { kind: 'wait'; detail: string; retryInMs?: number };

/**
 * Whether the running pod needs the Stream's live configuration (inputs, failover settings), and
 * whether to send it now. Level-triggered: sent until the pod reports the generation. Pure.
 */
export function decideLiveConfig(s: LiveConfigSituation): LiveConfigAction {
  if (!s.pod) return { kind: 'wait', detail: 'no ingest pod runs' };
  if (s.pod.hash !== s.desiredHash) return { kind: 'replace' };
  if (s.reportedGeneration === undefined)
    return { kind: 'wait', detail: 'waiting for the ingest pod to report its configuration' };
  if (s.reportedGeneration >= s.desiredGeneration) return { kind: 'in-sync' };
  const memory = s.memory?.podUid === s.pod.uid ? s.memory : undefined;
  if (memory?.refused?.generation === s.desiredGeneration)
    return { kind: 'refused', message: memory.refused.message };
  const sent = memory?.sent;
  if (sent?.generation === s.desiredGeneration && s.now - sent.at < s.resendAfterMs) {
    return {
      kind: 'wait',
      detail: `waiting for the ingest pod to apply generation ${s.desiredGeneration}`,
      retryInMs: sent.at + s.resendAfterMs - s.now,
    };
  }
  return { kind: 'send' };
}
