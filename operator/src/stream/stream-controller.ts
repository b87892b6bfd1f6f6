import type { KubernetesObject } from '@kubernetes/client-node';
import type { Stream } from '@tributary/crds';
import type { Logger } from 'pino';
import type { ObjectCache, WatchedKind } from '../controller/object-cache.js';
import { WorkQueue } from '../controller/work-queue.js';
import { CONTROLLER, type OperatorMetrics, QUEUE } from '../observability/metrics.js';
import { LABEL_STREAM } from '../reconcile/pod-manifest.js';
import { dependentsOf, referencesOf } from '../reconcile/references.js';
import type { ReconcileResult } from './stream-reconciler.js';

export interface StreamControllerOptions {
  cache: ObjectCache;
  reconcile: (key: string) => Promise<ReconcileResult>;
  metrics: OperatorMetrics;
  log: Logger;
  workers: number;
  /** Every Stream is reconciled at least this often. */
  resyncMs: number;
  /** Secret that every ingest pod mounts; a change re-checks every Stream of its namespace. */
  natsCredentialsSecret?: string | undefined;
  retry?: { baseMs: number; maxMs: number };
}

const keyOf = (object: { metadata?: { namespace?: string; name?: string } }) =>
  `${object.metadata?.namespace ?? ''}/${object.metadata?.name ?? ''}`;

/**
 * Turns watch events into Stream keys and runs the reconcile workers while this replica leads.
 * Each leadership term gets a fresh queue, so a lost term stops its workers at once.
 */
export class StreamController {
  readonly #o: StreamControllerOptions;
  readonly #generations = new Map<string, number>();
  #queue: WorkQueue | undefined;
  #workers: Promise<void>[] = [];
  #resync: NodeJS.Timeout | undefined;

  constructor(options: StreamControllerOptions) {
    this.#o = options;
  }

  get leading(): boolean {
    return this.#queue !== undefined;
  }

  /** Informer callback: which Streams an object's change concerns. */
  onChange(kind: WatchedKind, object: KubernetesObject, verb: 'add' | 'update' | 'delete'): void {
    const namespace = object.metadata?.namespace ?? '';
    const name = object.metadata?.name ?? '';
    const streamsIn = () => this.#o.cache.streams(namespace);
    switch (kind) {
      case 'stream': {
        const key = keyOf(object);
        this.enqueue(key);
        const generation = verb === 'delete' ? -1 : (object.metadata?.generation ?? 0);
        if (this.#generations.get(key) !== generation) {
          // Existence or spec changed: Streams that copy this one re-check their inputs.
          for (const dependent of dependentsOf(name, streamsIn())) this.enqueue(`${namespace}/${dependent}`);
        }
        if (verb === 'delete') this.#generations.delete(key);
        else this.#generations.set(key, generation);
        return;
      }
      case 'pod': {
        const stream = object.metadata?.labels?.[LABEL_STREAM];
        if (stream) this.enqueue(`${namespace}/${stream}`);
        return;
      }
      case 'vodmount':
        for (const stream of streamsIn()) {
          if (referencesOf(stream).vodMounts.some((m) => m.mount === name)) this.enqueue(keyOf(stream));
        }
        return;
      case 'secret': {
        const everyone = name === this.#o.natsCredentialsSecret;
        for (const stream of streamsIn()) {
          if (everyone || referencesOf(stream).secrets.some((s) => s.secret === name))
            this.enqueue(keyOf(stream));
        }
        return;
      }
    }
  }

  enqueue(key: string): void {
    if (!this.#queue) return; // standby: the next term starts with every Stream anyway
    this.#o.metrics.queueAdds.inc({ name: QUEUE });
    this.#queue.add(key);
  }

  /** Starts a leadership term: every Stream is queued and the workers run. */
  startWorkers(): void {
    if (this.#queue) return;
    const { metrics } = this.#o;
    const queue = new WorkQueue({
      baseRetryMs: this.#o.retry?.baseMs ?? 500,
      maxRetryMs: this.#o.retry?.maxMs ?? 60_000,
      onDepthChange: (depth) => metrics.queueDepth.set({ name: QUEUE }, depth),
    });
    this.#queue = queue;
    metrics.queueDepth.set({ name: QUEUE }, 0);
    metrics.queueRetries.inc({ name: QUEUE }, 0);
    this.#enqueueAll();
    this.#workers = Array.from({ length: this.#o.workers }, () => this.#work(queue));
    const resync = () => {
      this.#enqueueAll();
      this.#resync = setTimeout(resync, this.#o.resyncMs * (0.9 + 0.2 * Math.random()));
      this.#resync.unref();
    };
    this.#resync = setTimeout(resync, this.#o.resyncMs);
    this.#resync.unref();
  }

  /** Ends the term: no new work starts; resolves when the running reconciles finished. */
  async stopWorkers(): Promise<void> {
    const queue = this.#queue;
    if (!queue) return;
    this.#queue = undefined;
    clearTimeout(this.#resync);
    queue.shutDown();
    await Promise.all(this.#workers);
    this.#workers = [];
    this.#o.metrics.queueDepth.set({ name: QUEUE }, 0);
  }

  #enqueueAll(): void {
    for (const stream of this.#o.cache.streams() as Stream[]) this.enqueue(keyOf(stream));
  }

  async #work(queue: WorkQueue): Promise<void> {
    const { metrics, log } = this.#o;
    for (;;) {
      const key = await queue.get();
      if (key === undefined || this.#queue !== queue) {
        if (key !== undefined) queue.done(key);
        return;
      }
      metrics.activeWorkers.inc({ controller: CONTROLLER });
      const end = metrics.reconcileTime.startTimer({ controller: CONTROLLER });
      const endWork = metrics.workDuration.startTimer({ name: QUEUE });
      try {
        const result = await this.#o.reconcile(key);
        queue.forget(key);
        if (result.requeueAfterMs !== undefined) {
          queue.addAfter(key, result.requeueAfterMs);
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'requeue_after' });
        } else {
          metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'success' });
        }
      } catch (error) {
        const [namespace, name] = key.split('/');
        log.warn({ namespace, name, err: error, retries: queue.failures(key) }, 'reconcile failed; retrying');
        metrics.reconcileTotal.inc({ controller: CONTROLLER, result: 'error' });
        metrics.reconcileErrors.inc({ controller: CONTROLLER });
        metrics.queueRetries.inc({ name: QUEUE });
        queue.addRateLimited(key);
      } finally {
        end();
        endWork();
        metrics.activeWorkers.dec({ controller: CONTROLLER });
        queue.done(key);
      }
    }
  }
}
