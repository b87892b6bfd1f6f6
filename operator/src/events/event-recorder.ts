import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { isNotFound, type KubeApi } from '../kube/api-client.js';
import { collectionPath, EVENTS, objectPath } from '../kube/resources.js';
import { metaTime } from '../status/conditions.js';
import type { EventSpec } from './decide-events.js';
import { EventThrottle } from './event-throttle.js';

export interface EventSubject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; uid?: string; resourceVersion?: string };
}

export const EVENT_COMPONENT = 'tributary-operator';

/** Records core/v1 Events about Streams, throttled and aggregated; failures are logged, never thrown. */
export class EventRecorder {
  readonly #api: KubeApi;
  readonly #instance: string;
  readonly #log: Logger;
  readonly #throttle: EventThrottle;

  constructor(api: KubeApi, instance: string, log: Logger, throttle = new EventThrottle()) {
    this.#api = api;
    this.#instance = instance;
    this.#log = log;
    this.#throttle = throttle;
  }

  async record(subject: EventSubject, event: EventSpec): Promise<void> {
    const objectKey = subject.metadata.uid ?? `${subject.metadata.namespace}/${subject.metadata.name}`;
    const admission = this.#throttle.admit(objectKey, event);
    const namespace = subject.metadata.namespace ?? 'default';
    const now = metaTime(Date.now());
    const message = event.message.slice(0, 1024);
    try {
      if (admission.kind === 'drop') {
        this.#log.debug({ reason: event.reason }, 'event dropped by the rate limit');
        return;
      }
      if (admission.kind === 'bump') {
        try {
          await this.#api.request('PATCH', objectPath(EVENTS, namespace, admission.name), {
            body: { count: admission.count, lastTimestamp: now },
            contentType: 'application/merge-patch+json',
          });
          this.#throttle.remember(objectKey, event, admission.name, admission.count);
          return;
        } catch (error) {
          if (!isNotFound(error)) throw error; // expired: create a new one below
        }
      }
      const name = `${subject.metadata.name}.${randomBytes(8).toString('hex')}`;
      await this.#api.request('POST', collectionPath(EVENTS, namespace), {
        body: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name, namespace },
          involvedObject: {
            apiVersion: subject.apiVersion,
            kind: subject.kind,
            name: subject.metadata.name,
            namespace,
            uid: subject.metadata.uid,
            resourceVersion: subject.metadata.resourceVersion,
          },
          type: event.type,
          reason: event.reason,
          message,
          count: 1,
          firstTimestamp: now,
          lastTimestamp: now,
          source: { component: EVENT_COMPONENT },
          reportingComponent: EVENT_COMPONENT,
          reportingInstance: this.#instance,
        },
      });
      this.#throttle.remember(objectKey, event, name, 1);
    } catch (error) {
      this.#log.warn({ err: error, reason: event.reason }, 'could not record an event');
    }
  }

  forget(uid: string): void {
    this.#throttle.forget(uid);
  }

  /** Forgets the rate limits and aggregation of every object (a new leadership term). */
  forgetAll(): void {
    this.#throttle.forgetAll();
  }
}
