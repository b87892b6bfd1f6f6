import type { Stream } from '@tributary/crds';
import type { Logger } from 'pino';
import { isConflict, isNotFound } from '../kube/api-client.js';
import { objectPath, STREAMS } from '../kube/resources.js';
import { patchStreamFinalizers } from '../kube/writes.js';
import { finalizersWith, PUSH_ROUTE_FINALIZER, type PushRouteStep } from '../push/push-route-finalizer.js';
import type { ReconcilerDeps } from './stream-reconciler.js';

/** The push route finalizer of a Stream: set before its pod exists, released once NATS forgot the route. */
export class PushRouteRelease {
  readonly #d: Pick<ReconcilerDeps, 'api' | 'pushRoutes' | 'metrics' | 'events'>;

  constructor(deps: Pick<ReconcilerDeps, 'api' | 'pushRoutes' | 'metrics' | 'events'>) {
    this.#d = deps;
  }

  /**
   * Adds or removes the push route finalizer; undefined when the Stream is gone (or let go). The
   * cache often trails the operator's own status writes, so a conflict is retried once on a fresh read.
   */
  async set(stream: Stream, present: boolean): Promise<Stream | undefined> {
    const { api } = this.#d;
    let current = stream;
    for (let attempt = 1; ; attempt++) {
      const finalizers = finalizersWith(current.metadata.finalizers, present);
      if (!finalizers) return current;
      try {
        return await patchStreamFinalizers(api, current, finalizers);
      } catch (error) {
        if (isNotFound(error)) return undefined;
        if (!isConflict(error) || attempt > 1) throw error;
      }
      const { name, namespace = '' } = stream.metadata;
      const fresh = await api.get<Stream>(objectPath(STREAMS, namespace, name)).catch((error: unknown) => {
        if (isNotFound(error)) return undefined;
        throw error;
      });
      // Deleted meanwhile, or another Stream of that name now: nothing of ours to change.
      if (!fresh || fresh.metadata.uid !== stream.metadata.uid) return undefined;
      current = fresh;
    }
  }

  /**
   * Deletes the Stream's route and active mark from NATS KV, then removes the finalizer. While NATS
   * cannot be reached the finalizer stays, a Warning Event says why, and the caller retries.
   */
  async release(
    stream: Stream,
    step: Extract<PushRouteStep, { kind: 'clean-up' | 'drop-finalizer' }>,
    log: Logger,
  ): Promise<Stream | undefined> {
    const { name, namespace = '', uid = '' } = stream.metadata;
    if (step.kind === 'clean-up' && this.#d.pushRoutes) {
      try {
        const outcome = await this.#d.pushRoutes.remove(namespace, name, uid);
        this.#d.metrics.pushRouteCleanups.inc({ outcome });
        log.info({ outcome, why: step.why }, 'push route cleaned up');
      } catch (error) {
        this.#d.metrics.pushRouteCleanups.inc({ outcome: 'failed' });
        const doing = step.why === 'deleted' ? 'deleting the Stream waits' : 'the finalizer stays';
        await this.#d.events.record(stream, {
          type: 'Warning',
          reason: 'PushRouteCleanupFailed',
          message: `cannot remove the push route from NATS (${(error as Error).message}); ${doing} until it is removed (finalizer ${PUSH_ROUTE_FINALIZER}), retrying`,
        });
        throw error;
      }
    } else {
      log.warn(
        { finalizer: PUSH_ROUTE_FINALIZER },
        'no NATS configured: removing the push route finalizer without cleaning the route',
      );
    }
    return this.set(stream, false);
  }
}
