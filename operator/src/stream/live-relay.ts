import type { V1Pod } from '@kubernetes/client-node';
import type { Stream } from '@tributary/crds';
import type { Logger } from 'pino';
import type { EventSpec } from '../events/decide-events.js';
import type { ControlAnswer } from '../nats/stream-control.js';
import { configureRequest } from '../reconcile/live-config.js';
import { decideLiveConfig, type LiveConfigMemory } from '../reconcile/pod-decision.js';
import { ANNOTATION_SPEC_HASH, type DesiredPod } from '../reconcile/pod-manifest.js';
import { parseSwitchRequest, SWITCH_ANNOTATION } from '../reconcile/switch-annotation.js';
import type { ConditionValue } from '../status/conditions.js';
import type { PodSnapshot } from '../status/snapshot.js';

/** Condition type that says whether the ingest pod runs the Stream's inputs and failover settings. */
export const CONFIG_CONDITION = 'ConfigApplied';

export interface LiveRelayDeps {
  control: {
    request(namespace: string, name: string, body: Record<string, unknown>): Promise<ControlAnswer>;
  };
  recordEvent(stream: Stream, event: EventSpec): Promise<void>;
  /** Removes the switch annotation if it still has `value`; false when it changed meanwhile. */
  removeSwitchAnnotation(stream: Stream, value: string): Promise<boolean>;
  log: Logger;
  resendAfterMs: number;
}

export interface LiveRelayFacts {
  key: string;
  stream: Stream;
  pod: V1Pod | undefined;
  /** Undefined while the Stream is invalid or suspended. */
  desired: DesiredPod | undefined;
  /** The running pod's recent status report, if any. */
  snapshot: PodSnapshot | undefined;
  now: number;
}

export interface LiveRelayOutcome {
  /** The ConfigApplied condition; undefined while no pod runs (a new pod starts with the spec). */
  condition?: ConditionValue;
  requeueAfterMs?: number;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Relays Stream spec edits to the running ingest pod: inputs and failover settings as `configure`
 * (re-sent until the pod reports the generation), and a manual switch asked for with the
 * `tributary.io/switch-to` annotation as `switch`, after which the annotation is removed.
 */
export class LiveRelay {
  readonly #d: LiveRelayDeps;
  readonly #memory = new Map<string, LiveConfigMemory>();
  /** The Stream version whose switch annotation was relayed: the cache may show it again. */
  readonly #switched = new Map<string, string>();

  constructor(deps: LiveRelayDeps) {
    this.#d = deps;
  }

  forget(key: string): void {
    this.#memory.delete(key);
    this.#switched.delete(key);
  }

  reset(): void {
    this.#memory.clear();
    this.#switched.clear();
  }

  async reconcile(f: LiveRelayFacts): Promise<LiveRelayOutcome> {
    const { stream, pod, desired, now } = f;
    const running = pod?.status?.phase === 'Running' && !pod.metadata?.deletionTimestamp;
    if (!desired || !pod || !running) return {};
    const uid = pod.metadata?.uid ?? '';
    const generation = desired.live.generation;
    let memory = this.#memory.get(f.key);
    if (memory?.podUid !== uid) memory = { podUid: uid };
    const action = decideLiveConfig({
      pod: { uid, hash: pod.metadata?.annotations?.[ANNOTATION_SPEC_HASH] },
      desiredHash: desired.hash,
      desiredGeneration: generation,
      reportedGeneration: f.snapshot?.configGeneration,
      memory,
      now,
      resendAfterMs: this.#d.resendAfterMs,
    });
    const pending = (message: string): ConditionValue => ({ status: 'False', reason: 'Pending', message });
    switch (action.kind) {
      case 'replace':
        return {
          condition: { status: 'False', reason: 'PodReplaced', message: 'the change needs a new ingest pod' },
        };
      case 'refused':
        return {
          condition: {
            status: 'False',
            reason: 'Refused',
            message: `the ingest pod refused generation ${generation}: ${action.message}`,
          },
        };
      case 'wait':
        return {
          condition: memory.sent?.generation === generation ? applied(generation) : pending(action.detail),
          ...(action.retryInMs !== undefined && { requeueAfterMs: action.retryInMs }),
        };
      case 'in-sync': {
        const requeueAfterMs = await this.#relaySwitch(f.key, stream);
        return {
          condition: applied(generation),
          ...(requeueAfterMs !== undefined && { requeueAfterMs }),
        };
      }
      case 'send':
        break;
    }
    memory = { podUid: uid, sent: { generation, at: now } };
    this.#memory.set(f.key, memory);
    const podName = pod.metadata?.name ?? '';
    let answer: ControlAnswer;
    try {
      answer = await this.#d.control.request(
        stream.metadata.namespace ?? '',
        stream.metadata.name,
        configureRequest(desired.live),
      );
    } catch (error) {
      this.#d.log.warn({ err: error, generation }, 'could not send the live configuration; retrying');
      const message = `could not reach the ingest pod (${errorText(error)}); retrying`;
      return { condition: pending(message), requeueAfterMs: this.#d.resendAfterMs };
    }
    if (!answer.ok) {
      this.#memory.set(f.key, { ...memory, refused: { generation, message: answer.message } });
      await this.#d.recordEvent(stream, {
        type: 'Warning',
        reason: 'LiveConfigRefused',
        message: `pod ${podName} refused generation ${generation}: ${answer.message}`,
      });
      return {
        condition: {
          status: 'False',
          reason: 'Refused',
          message: `the ingest pod refused generation ${generation}: ${answer.message}`,
        },
      };
    }
    this.#d.log.info({ generation, reply: answer.message }, 'live configuration applied');
    await this.#d.recordEvent(stream, {
      type: 'Normal',
      reason: 'LiveConfigApplied',
      message: `pod ${podName} applied generation ${generation} without a restart: ${answer.message}`,
    });
    return { condition: applied(generation), requeueAfterMs: this.#d.resendAfterMs };
  }

  /** Relays the switch annotation, if there is one; returns when to look again after a failure. */
  async #relaySwitch(key: string, stream: Stream): Promise<number | undefined> {
    const value = stream.metadata.annotations?.[SWITCH_ANNOTATION];
    if (value === undefined) return undefined;
    const version = `${stream.metadata.uid}/${stream.metadata.resourceVersion}`;
    if (this.#switched.get(key) === version) return undefined;
    const request = parseSwitchRequest(value, stream.spec.inputs.length);
    let event: EventSpec;
    if (!request.ok) {
      event = { type: 'Warning', reason: 'ManualSwitchRefused', message: request.message };
    } else {
      let answer: ControlAnswer;
      try {
        answer = await this.#d.control.request(stream.metadata.namespace ?? '', stream.metadata.name, {
          op: 'switch',
          priority: request.priority,
        });
      } catch (error) {
        this.#d.log.warn(
          { err: error, priority: request.priority },
          'could not relay the manual switch; retrying',
        );
        return this.#d.resendAfterMs;
      }
      const asked = `${SWITCH_ANNOTATION}: "${value}"`;
      event = answer.ok
        ? { type: 'Normal', reason: 'ManualSwitch', message: `${asked}: ${answer.message}` }
        : { type: 'Warning', reason: 'ManualSwitchRefused', message: `${asked}: ${answer.message}` };
    }
    this.#d.log.info({ annotation: value, event: event.reason }, 'switch annotation handled');
    this.#switched.set(key, version);
    await this.#d.recordEvent(stream, event);
    await this.#d.removeSwitchAnnotation(stream, value);
    return undefined;
  }
}

function applied(generation: number): ConditionValue {
  return {
    status: 'True',
    reason: 'Applied',
    message: `the ingest pod runs the inputs and failover settings of generation ${generation}`,
  };
}
