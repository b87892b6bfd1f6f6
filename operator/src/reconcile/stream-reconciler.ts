import type { V1Pod } from '@kubernetes/client-node';
import type { Stream, StreamStatus, VodMount } from '@tributary/crds';
import type { Logger } from 'pino';
import type { ObjectCache } from '../controller/object-cache.js';
import { decideEvents } from '../events/decide-events.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { ApiError, type KubeApi } from '../kube/api-client.js';
import { applyPod, applyStreamStatus, deletePod } from '../kube/writes.js';
import type { SnapshotEntry } from '../nats/status-feed.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import { podState } from '../status/pod-state.js';
import { currentSnapshot, type StatusFacts, streamStatus } from '../status/stream-status.js';
import { decideStatusWrite } from '../status/write-decision.js';
import { type ValidationOptions, validateAgainstWorld } from './cross-validate.js';
import { type BackoffSettings, decidePod, freshMemory, type PodMemory } from './pod-decision.js';
import { buildIngestPod, type IngestPodSettings, ingestPodName } from './pod-manifest.js';
import { referencesOf } from './references.js';

export interface ReconcilerSettings {
  pod: IngestPodSettings;
  validation: ValidationOptions;
  backoff: BackoffSettings;
  /** Bitrate-only status changes are written at most this often per Stream. */
  statusMinIntervalMs: number;
  /** A pod's status snapshot older than this no longer counts. */
  snapshotStaleMs: number;
  push?: { rtmp?: string | undefined; srt?: string | undefined } | undefined;
}

export interface ReconcilerDeps {
  api: KubeApi;
  cache: ObjectCache;
  snapshots?: { get(key: string): SnapshotEntry | undefined; forget(key: string): void } | undefined;
  events: EventRecorder;
  metrics: OperatorMetrics;
  log: Logger;
  settings: ReconcilerSettings;
  now?: () => number;
}

export interface ReconcileResult {
  /** Reconcile this key again after this long, even if nothing changes. */
  requeueAfterMs?: number;
}

/** Makes one Stream's pod and status match the world; called from the work queue, one key at a time. */
export class StreamReconciler {
  readonly #d: ReconcilerDeps;
  readonly #now: () => number;
  readonly #memory = new Map<string, PodMemory>();
  /** The status last written per Stream: newer than the cache until the watch delivers it. */
  readonly #written = new Map<string, { status: StreamStatus; at: number; uid: string }>();
  /** The last pod seen or applied per Stream. */
  readonly #applied = new Map<string, V1Pod>();

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const { cache, api, settings } = this.#d;
    const stream = cache.stream(namespace, name);
    const podName = ingestPodName(name);
    let pod = cache.pod(namespace, podName);
    const now = this.#now();
    const log = this.#d.log.child({ namespace, name });

    if (!stream) {
      const { action } = decidePod({ pod, memory: freshMemory(), now, backoff: settings.backoff });
      if (action.kind === 'delete') {
        log.info({ pod: podName }, 'deleting the pod of a deleted Stream');
        await deletePod(api, namespace, podName, action.uid);
      }
      this.#forget(key, namespace, name);
      return {};
    }

    const problems = validateAgainstWorld(stream, this.#world(namespace), settings.validation);
    const desired =
      problems.length === 0 && !stream.spec.suspend
        ? buildIngestPod(stream, this.#vodMounts(stream), this.#secretDigests(stream), settings.pod)
        : undefined;
    const decision = decidePod({
      stream: {
        uid: stream.metadata.uid ?? '',
        deleting: Boolean(stream.metadata.deletionTimestamp),
        suspended: Boolean(stream.spec.suspend),
      },
      desiredHash: desired?.hash,
      pod,
      memory: this.#memory.get(key) ?? freshMemory(),
      now,
      backoff: settings.backoff,
    });
    let memory = decision.memory;
    const action = decision.action;
    let requeueAfterMs: number | undefined;
    let podNote: StatusFacts['podNote'];

    let rejected: ApiError | undefined;
    if (action.kind === 'create' && desired) {
      log.info({ pod: podName, reason: action.reason, hash: desired.hash }, 'applying the ingest pod');
      try {
        pod = await applyPod(api, desired.pod);
        const uid = pod.metadata?.uid ?? '';
        memory = { ...memory, lastPodUid: uid, created: { at: now, uid }, podSince: { uid, at: now } };
      } catch (error) {
        // Refused (invalid resources, admission): say so in the status, then retry with backoff.
        if (!(error instanceof ApiError) || ![400, 403, 422].includes(error.code)) throw error;
        rejected = error;
        memory = this.#memory.get(key) ?? freshMemory();
        podNote = { reason: 'PodRejected', message: error.message };
      }
    } else if (action.kind === 'delete') {
      log.info({ pod: podName, reason: action.reason, detail: action.detail }, 'deleting the ingest pod');
      await deletePod(api, namespace, podName, action.uid);
      pod = pod && { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now) } };
    } else if (action.kind === 'wait') {
      if (action.retryInMs !== undefined) requeueAfterMs = action.retryInMs;
      if (memory.notBefore > now) {
        const why = memory.lastFailure ? `; the last pod stopped: ${memory.lastFailure}` : '';
        podNote = { reason: 'BackOff', message: `${action.detail}${why}` };
      }
    } else if (action.kind === 'blocked') {
      podNote = { reason: 'PodNameTaken', message: action.detail };
    }
    this.#memory.set(key, memory);
    // Until the watch delivers the pod just created, describe it as the apply returned it.
    if (pod) this.#applied.set(key, pod);
    else if (memory.created?.uid && this.#applied.get(key)?.metadata?.uid === memory.created.uid) {
      pod = this.#applied.get(key);
    }

    const snapshot = this.#d.snapshots?.get(key);
    const facts: StatusFacts = {
      stream,
      problems,
      pod: podState(pod),
      podName: pod ? podName : undefined,
      podNote,
      snapshot,
      snapshotsSince: memory.podSince?.uid === pod?.metadata?.uid ? memory.podSince?.at : undefined,
      now,
      subjectPrefix: settings.pod.subjectPrefix,
      push: settings.push,
      staleAfterMs: settings.snapshotStaleMs,
    };
    const written = this.#written.get(key);
    const previous = written?.uid === stream.metadata.uid ? written?.status : stream.status;
    const status = streamStatus(facts, previous);
    const eventAction = rejected ? ({ kind: 'none' } as const) : action;
    const write = decideStatusWrite(status, previous, written?.at, now, settings.statusMinIntervalMs);
    if (write.kind === 'write') {
      await applyStreamStatus(api, stream, status);
      this.#written.set(key, { status, at: now, uid: stream.metadata.uid ?? '' });
      this.#d.metrics.statusWrites.inc({ outcome: 'written' });
      for (const event of decideEvents(previous, status, eventAction, podName))
        await this.#d.events.record(stream, event);
    } else {
      this.#d.metrics.statusWrites.inc({ outcome: write.kind === 'skip' ? 'unchanged' : 'deferred' });
      if (write.kind === 'later') requeueAfterMs = min(requeueAfterMs, write.inMs);
      if (eventAction.kind === 'create')
        for (const event of decideEvents(previous, status, eventAction, podName))
          await this.#d.events.record(stream, event);
    }
    this.#d.metrics.streamLive.set(
      { namespace, name },
      status.phase === 'Live' || status.phase === 'Degraded' ? 1 : 0,
    );
    this.#d.metrics.streamFailovers.set({ namespace, name }, status.failoverCount ?? 0);

    // A fresh snapshot goes stale if the pod stops reporting: look again then.
    if (snapshot && currentSnapshot(facts)) {
      requeueAfterMs = min(requeueAfterMs, snapshot.receivedAt + settings.snapshotStaleMs - now + 100);
    }
    if (rejected) throw rejected;
    return requeueAfterMs === undefined ? {} : { requeueAfterMs: Math.max(0, requeueAfterMs) };
  }

  #world(namespace: string) {
    const { cache } = this.#d;
    return {
      stream: (name: string) => cache.stream(namespace, name),
      vodMount: (name: string) => cache.vodMount(namespace, name),
      secretKeys: (name: string) => {
        const secret = cache.secret(namespace, name);
        return secret ? Object.keys(secret.data ?? {}) : undefined;
      },
    };
  }

  #vodMounts(stream: Stream): Map<string, VodMount> {
    const namespace = stream.metadata.namespace ?? '';
    const mounts = new Map<string, VodMount>();
    for (const { mount } of referencesOf(stream).vodMounts) {
      const vodMount = this.#d.cache.vodMount(namespace, mount);
      if (vodMount) mounts.set(mount, vodMount);
    }
    return mounts;
  }

  #secretDigests(stream: Stream): string[] {
    const namespace = stream.metadata.namespace ?? '';
    return referencesOf(stream).secrets.map(({ secret, key }) => {
      const digest = this.#d.cache.secret(namespace, secret)?.data?.[key] ?? '';
      return `${secret}/${key}=${digest}`;
    });
  }

  #forget(key: string, namespace: string, name: string): void {
    const uid = this.#written.get(key)?.uid;
    if (uid) this.#d.events.forget(uid);
    this.#memory.delete(key);
    this.#written.delete(key);
    this.#applied.delete(key);
    this.#d.snapshots?.forget(key);
    this.#d.metrics.forgetStream(namespace, name);
  }
}

function min(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}
