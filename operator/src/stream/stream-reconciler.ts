import type { V1Pod } from '@kubernetes/client-node';
import {
  type CopySource,
  copySourceOf,
  copyUpstreams,
  type Stream,
  type StreamStatus,
  type VodMount,
} from '@tributary/crds';
import type { Logger } from 'pino';
import type { ObjectCache } from '../controller/object-cache.js';
import { decideEvents } from '../events/decide-events.js';
import type { EventRecorder } from '../events/event-recorder.js';
import { ApiError, type KubeApi } from '../kube/api-client.js';
import { applyPod, applyStreamStatus, deletePod } from '../kube/writes.js';
import type { RouteRemoval } from '../nats/push-routes.js';
import type { SnapshotEntry } from '../nats/status-feed.js';
import type { ControlAnswer } from '../nats/stream-control.js';
import type { OperatorMetrics } from '../observability/metrics.js';
import { decidePushRoute, hasPushInput, PUSH_ROUTE_FINALIZER } from '../push/push-route-finalizer.js';
import { type ValidationOptions, validateAgainstWorld } from '../reconcile/cross-validate.js';
import {
  type BackoffSettings,
  decidePod,
  freshMemory,
  type PodAction,
  type PodMemory,
} from '../reconcile/pod-decision.js';
import {
  arrangePods,
  decideHandover,
  freshHandover,
  type HandoverAction,
  type HandoverMemory,
  type StreamPods,
} from '../reconcile/pod-handover.js';
import {
  ANNOTATION_SECRET_SALT,
  buildIngestPod,
  type DesiredPod,
  type IngestPodSettings,
  ingestPodNames,
  standbyPod,
  streamCredentialsSecret,
} from '../reconcile/pod-manifest.js';
import { memoryFromStatus, podRecreationOf } from '../reconcile/pod-recreation.js';
import { referencesOf } from '../reconcile/references.js';
import { newSalt } from '../reconcile/spec-hash.js';
import { removeSwitchAnnotation } from '../reconcile/switch-annotation.js';
import { podState } from '../status/pod-state.js';
import { currentSnapshot, type StatusFacts, streamStatus } from '../status/stream-status.js';
import { decideStatusWrite } from '../status/write-decision.js';
import { LiveRelay } from './live-relay.js';
import { PushRouteRelease } from './push-route-release.js';

export interface ReconcilerSettings {
  pod: IngestPodSettings;
  validation: ValidationOptions;
  backoff: BackoffSettings;
  /** Bitrate-only status changes are written at most this often per Stream. */
  statusMinIntervalMs: number;
  /** A pod's status snapshot older than this no longer counts. */
  snapshotStaleMs: number;
  push?: { rtmp?: string | undefined; srt?: string | undefined } | undefined;
  /** A live configuration the pod has not reported yet is sent again after this long (default 5 s). */
  liveConfigResendMs?: number | undefined;
}

export interface ReconcilerDeps {
  api: KubeApi;
  cache: ObjectCache;
  snapshots?: { get(key: string): SnapshotEntry | undefined; forget(key: string): void } | undefined;
  events: EventRecorder;
  /** The push registry in NATS KV; undefined when the operator has no NATS (no finalizer then). */
  pushRoutes?: { remove(namespace: string, name: string, uid: string): Promise<RouteRemoval> } | undefined;
  /** Mints each Stream's NATS credential Secret before its pod needs it; undefined: pods share one. */
  credentials?:
    | {
        ensureStream(stream: Stream, secretName: string, copyFrom: readonly CopySource[]): Promise<void>;
        forgetStream(namespace: string, secretName: string): void;
      }
    | undefined;
  /** The ingest pods' control subjects; undefined when the operator has no NATS (edits replace pods). */
  control?:
    | { request(namespace: string, name: string, body: Record<string, unknown>): Promise<ControlAnswer> }
    | undefined;
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
  readonly #handovers = new Map<string, HandoverMemory>();
  /** The status last written per Stream: newer than the cache until the watch delivers it. */
  readonly #written = new Map<string, { status: StreamStatus; at: number; uid: string }>();
  /** The last pod seen or applied per Stream. */
  readonly #applied = new Map<string, V1Pod>();
  /** The salt of each Stream's Secret digests until its pod carries it. */
  readonly #salts = new Map<string, string>();
  readonly #relay: LiveRelay | undefined;
  readonly #finalizer: PushRouteRelease;

  constructor(deps: ReconcilerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
    this.#finalizer = new PushRouteRelease(deps);
    const control = deps.control;
    this.#relay = control
      ? new LiveRelay({
          control,
          recordEvent: (stream, event) => deps.events.record(stream, event),
          removeSwitchAnnotation: (stream, value) => removeSwitchAnnotation(deps.api, stream, value),
          log: deps.log,
          resendAfterMs: deps.settings.liveConfigResendMs ?? 5000,
        })
      : undefined;
  }

  async reconcile(key: string): Promise<ReconcileResult> {
    const [namespace = '', name = ''] = key.split('/');
    const { cache, api, settings } = this.#d;
    let stream = cache.stream(namespace, name);
    const names = ingestPodNames(name);
    const found = names.flatMap((podName) => cache.pod(namespace, podName) ?? []);
    const now = this.#now();
    const log = this.#d.log.child({ namespace, name });

    if (!stream) {
      for (const orphan of found) {
        const { action } = decidePod({ pod: orphan, memory: freshMemory(), now, backoff: settings.backoff });
        if (action.kind !== 'delete') continue;
        log.info({ pod: orphan.metadata?.name }, 'deleting the pod of a deleted Stream');
        await deletePod(api, namespace, orphan.metadata?.name ?? '', action.uid);
      }
      this.#forget(key, namespace, name);
      return {};
    }
    const pods = arrangePods(found, stream.metadata.uid);
    let pod = podToDecide(pods, names[0]);
    let podName = pod?.metadata?.name ?? names[0];

    const pushStep = decidePushRoute({
      pushInput: hasPushInput(stream),
      deleting: Boolean(stream.metadata.deletionTimestamp),
      hasFinalizer: stream.metadata.finalizers?.includes(PUSH_ROUTE_FINALIZER) ?? false,
      natsConfigured: this.#d.pushRoutes !== undefined,
    });
    if (pushStep.kind === 'add-finalizer') {
      // Before the pod exists: a route is only ever registered under a Stream that guards it.
      const guarded = await this.#finalizer.set(stream, true);
      if (!guarded) return {};
      log.info({ finalizer: PUSH_ROUTE_FINALIZER }, 'added the push route finalizer');
      stream = guarded;
    }

    await this.#loadSecrets(stream);
    const problems = validateAgainstWorld(stream, this.#world(namespace), settings.validation);
    const copySources = copyUpstreams(stream.spec.inputs).map((upstream) =>
      copySourceOf(upstream, cache.stream(namespace, upstream)?.spec.ladder),
    );
    const desired =
      problems.length === 0 && !stream.spec.suspend
        ? buildIngestPod(
            stream,
            this.#vodMounts(stream),
            this.#secretDigests(stream),
            { ...settings.pod, liveEdits: this.#relay !== undefined },
            this.#secretSalt(key, pod),
            copySources,
          )
        : undefined;
    // Without memory of this Stream (a new leader, a restart), the backoff continues from its status.
    const remembered = this.#memory.get(key) ?? memoryFromStatus(stream.status?.podRecreation);
    const decision = decidePod({
      stream: {
        uid: stream.metadata.uid ?? '',
        deleting: Boolean(stream.metadata.deletionTimestamp),
        suspended: Boolean(stream.spec.suspend),
      },
      desiredHash: desired?.hash,
      pod,
      memory: remembered,
      now,
      backoff: settings.backoff,
    });
    let memory = decision.memory;
    const action = decision.action;
    let requeueAfterMs: number | undefined;
    let podNote: StatusFacts['podNote'];
    // Pod changes need the control subject to hand over; without it a pod is replaced outright.
    const handover = this.#relay
      ? decideHandover({
          pods,
          desiredHash: desired?.hash,
          podAction: action,
          otherName: (current) => (current === names[0] ? names[1] : names[0]),
          memory: this.#handovers.get(key) ?? freshHandover(),
          now,
          backoff: settings.backoff,
        })
      : { action: { kind: 'pass' } as const, memory: freshHandover() };
    this.#handovers.set(key, handover.memory);
    if (handover.action.kind !== 'pass') log.debug({ handover: handover.action }, 'pod replacement step');

    let rejected: ApiError | undefined;
    // Written before the pod needs it, and again should someone delete it.
    if (desired && this.#d.credentials)
      await this.#d.credentials.ensureStream(stream, streamCredentialsSecret(name), copySources);
    if (handover.action.kind !== 'pass' && handover.action.kind !== 'retire') {
      const step = await this.#handOver(stream, handover.action, desired, memory, log);
      memory = step.memory;
      if (step.requeueAfterMs !== undefined) requeueAfterMs = step.requeueAfterMs;
    } else if (action.kind === 'create' && desired) {
      log.info({ pod: podName, reason: action.reason, hash: desired.hash }, 'applying the ingest pod');
      try {
        pod = await applyPod(api, desired.pod);
        const uid = pod.metadata?.uid ?? '';
        memory = { ...memory, lastPodUid: uid, created: { at: now, uid }, podSince: { uid, at: now } };
      } catch (error) {
        // Refused (invalid resources, admission): say so in the status, then retry with backoff.
        if (!(error instanceof ApiError) || ![400, 403, 422].includes(error.code)) throw error;
        rejected = error;
        memory = remembered;
        podNote = { reason: 'PodRejected', message: error.message };
      }
    } else if (action.kind === 'delete') {
      log.info({ pod: podName, reason: action.reason, detail: action.detail }, 'deleting the ingest pod');
      await deletePod(api, namespace, podName, action.uid);
      pod = pod && { ...pod, metadata: { ...pod.metadata, deletionTimestamp: new Date(now) } };
      const successor = pods.successor;
      if (handover.action.kind === 'retire' && successor) {
        // The successor publishes once released; until then no report speaks for it.
        const old = podName;
        pod = successor;
        podName = successor.metadata?.name ?? podName;
        memory = { ...memory, podSince: { uid: successor.metadata?.uid ?? '', at: Number.MAX_SAFE_INTEGER } };
        await this.#d.events.record(stream, {
          type: 'Normal',
          reason: 'PodReplaced',
          message: `pod ${podName} is ready to take over: deleted ${old}; ${podName} publishes once ${old} has stopped`,
        });
      }
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
    // After the pod action (a deleted Stream's pod is being stopped, so it stops registering) and
    // before the status write (which changes the resourceVersion the finalizer patch is based on).
    let pushError: unknown;
    if (pushStep.kind === 'clean-up' || pushStep.kind === 'drop-finalizer') {
      try {
        const released = await this.#finalizer.release(stream, pushStep, log);
        // Let go of a deleted Stream without other finalizers: it is gone now.
        if (stream.metadata.deletionTimestamp && !released?.metadata.finalizers?.length) return {};
        if (released) stream = released;
      } catch (error) {
        pushError = error;
      }
    }
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
      podRecreation: podRecreationOf(memory),
      snapshot,
      snapshotsSince: memory.podSince?.uid === pod?.metadata?.uid ? memory.podSince?.at : undefined,
      now,
      subjectPrefix: settings.pod.subjectPrefix,
      push: settings.push,
      staleAfterMs: settings.snapshotStaleMs,
    };
    // Without NATS there is no control subject: every spec change replaces the pod.
    const live = this.#relay
      ? await this.#relay.reconcile({ key, stream, pod, desired, snapshot: currentSnapshot(facts), now })
      : {};
    facts.liveConfig = live.condition;
    if (live.requeueAfterMs !== undefined) requeueAfterMs = min(requeueAfterMs, live.requeueAfterMs);
    const written = this.#written.get(key);
    const previous = written?.uid === stream.metadata.uid ? written?.status : stream.status;
    const status = streamStatus(facts, previous);
    const eventAction: PodAction = rejected || handover.action.kind !== 'pass' ? { kind: 'none' } : action;
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
    if (pushError) throw pushError;
    return requeueAfterMs === undefined ? {} : { requeueAfterMs: Math.max(0, requeueAfterMs) };
  }

  /** One step of a make-before-break replacement (see decideHandover); returns the pod memory. */
  async #handOver(
    stream: Stream,
    action: Exclude<HandoverAction, { kind: 'pass' | 'retire' }>,
    desired: DesiredPod | undefined,
    memory: PodMemory,
    log: Logger,
  ): Promise<{ memory: PodMemory; requeueAfterMs?: number }> {
    const { api, events } = this.#d;
    const key = `${stream.metadata.namespace}/${stream.metadata.name}`;
    const namespace = stream.metadata.namespace ?? '';
    switch (action.kind) {
      case 'wait':
        return { memory, ...(action.retryInMs !== undefined && { requeueAfterMs: action.retryInMs }) };
      case 'create-successor': {
        if (!desired) return { memory };
        log.info(
          { pod: action.name, replaces: action.replaces, hash: desired.hash },
          'starting a replacement pod on standby',
        );
        const created = await applyPod(api, standbyPod(desired.pod, action.name));
        const handover = this.#handovers.get(key);
        if (handover?.created) handover.created.uid = created.metadata?.uid;
        await events.record(stream, {
          type: 'Normal',
          reason: 'PodCreated',
          message: `created pod ${action.name} to replace ${action.replaces} (the Stream changed); ${action.replaces} publishes until ${action.name} is ready`,
        });
        return { memory };
      }
      case 'delete-successor':
        log.info({ pod: action.name, detail: action.detail }, 'deleting the standby replacement pod');
        await deletePod(api, namespace, action.name, action.uid);
        return { memory };
      case 'release': {
        const control = this.#d.control;
        if (!control) return { memory };
        let answer: ControlAnswer;
        try {
          answer = await control.request(namespace, stream.metadata.name, {
            op: 'release',
            pod: action.name,
          });
        } catch (error) {
          log.warn({ err: error, pod: action.name }, 'could not release the standby pod; retrying');
          return { memory, requeueAfterMs: RELEASE_RETRY_MS };
        }
        if (!answer.ok) {
          log.warn(
            { pod: action.name, reply: answer.message },
            'the standby pod refused the release; retrying',
          );
          return { memory, requeueAfterMs: RELEASE_RETRY_MS };
        }
        const handover = this.#handovers.get(key);
        if (handover) handover.released = action.uid;
        log.info({ pod: action.name, reply: answer.message }, 'standby pod released');
        return { memory: { ...memory, podSince: { uid: action.uid, at: this.#now() } } };
      }
    }
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
      secretLabels: (name: string) => {
        const secret = cache.secret(namespace, name);
        return secret ? (secret.metadata?.labels ?? {}) : undefined;
      },
    };
  }

  /** Reads the Secrets this Stream (and its pod) use, where the cache has only their metadata. */
  async #loadSecrets(stream: Stream): Promise<void> {
    const names = referencesOf(stream).secrets.map((use) => use.secret);
    const creds = this.#d.settings.validation.natsCredentials;
    if (creds) names.push(creds.secret);
    if (names.length > 0) await this.#d.cache.loadSecrets(stream.metadata.namespace ?? '', names);
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

  /**
   * Forgets what this replica learnt while leading (pod memory, statuses written, pods applied), so
   * a later term starts from the cluster as it then is rather than from a stale past.
   */
  reset(): void {
    this.#memory.clear();
    this.#handovers.clear();
    this.#written.clear();
    this.#applied.clear();
    this.#relay?.reset();
  }

  /** The salt the pod's hash was made with, so the same Secrets give the same hash. */
  #secretSalt(key: string, pod: V1Pod | undefined): string {
    const salt = pod?.metadata?.annotations?.[ANNOTATION_SECRET_SALT] ?? this.#salts.get(key) ?? newSalt();
    this.#salts.set(key, salt);
    return salt;
  }

  #forget(key: string, namespace: string, name: string): void {
    this.#relay?.forget(key);
    this.#d.credentials?.forgetStream(namespace, streamCredentialsSecret(name));
    this.#salts.delete(key);
    const uid = this.#written.get(key)?.uid;
    if (uid) this.#d.events.forget(uid);
    this.#memory.delete(key);
    this.#handovers.delete(key);
    this.#written.delete(key);
    this.#applied.delete(key);
    this.#d.snapshots?.forget(key);
    this.#d.metrics.forgetStream(namespace, name);
  }
}

/** A standby pod that did not answer `release` is asked again after this long. */
const RELEASE_RETRY_MS = 1000;

/**
 * The pod decidePod looks at: a pod an earlier Stream of this name left (it is deleted first), else
 * the current pod, else one on its way out, else a foreign pod under the first name (it blocks).
 */
function podToDecide(pods: StreamPods, firstName: string): V1Pod | undefined {
  const stale = pods.others.find(
    (p) =>
      !p.metadata?.deletionTimestamp && p.metadata?.ownerReferences?.some((ref) => ref.kind === 'Stream'),
  );
  return (
    stale ?? pods.current ?? pods.terminating[0] ?? pods.others.find((p) => p.metadata?.name === firstName)
  );
}

function min(a: number | undefined, b: number): number {
  return a === undefined ? b : Math.min(a, b);
}
