import { setTimeout as sleep } from 'node:timers/promises';
import type { KubernetesObject } from '@kubernetes/client-node';
import { doublingDelayMs } from '@tributary/crds';
import { ApiError, type KubeApi, METADATA_ONLY } from '../kube/api-client.js';
import { apiVersionOf, collectionPath, listAll, type ResourceType } from '../kube/resources.js';
import { readWatchEvents, WatchGoneError } from '../kube/watch-events.js';

export interface InformerHealth {
  name: string;
  /** The first list completed and the watch is running. */
  synced: boolean;
  /** Seconds since the last add/update/delete, or null before any. */
  lastEventAgeSeconds: number | null;
  restarts: number;
  lastError?: string;
}

export interface SupervisedInformerOptions<T extends KubernetesObject> {
  name: string;
  api: KubeApi;
  type: ResourceType;
  /** Watch one namespace; every namespace when absent. */
  namespace?: string | undefined;
  labelSelector?: string | undefined;
  /** List and watch objects' metadata only (PartialObjectMetadata), never their contents. */
  metadataOnly?: boolean | undefined;
  /**
   * Called first for every object the informer stores, before onChange; may trim it in place
   * (the cache keeps the same object), e.g. to drop managedFields or secret values.
   */
  prepare?: (object: T) => void;
  onChange: (object: T, verb: 'add' | 'update' | 'delete') => void;
  onError?: (error: unknown, restartInMs: number) => void;
  baseRestartMs?: number;
  maxRestartMs?: number;
  /** The apiserver ends each watch after about this long; it is then resumed at once. */
  watchTimeoutSeconds?: number;
}

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ''}/${name ?? ''}`;

/**
 * A list-then-watch cache of one resource, supervised: a failed list or watch is retried with
 * backoff, a watch resumes from the last resourceVersion (relisting only when the apiserver says
 * it is gone), and /readyz learns whether it is synced. Built on the operator's own HTTP client
 * rather than client-node's informer, which stops for good on most errors and, with its model
 * classes, costs the process about 100 MB.
 */
export class SupervisedInformer<T extends KubernetesObject> {
  readonly #o: SupervisedInformerOptions<T>;
  readonly #objects = new Map<string, T>();
  #resourceVersion = '';
  #synced = false;
  #restarts = 0;
  #lastEventAt: number | undefined;
  #lastError: string | undefined;
  #abort: AbortController | undefined;
  #loop: Promise<void> | undefined;

  constructor(options: SupervisedInformerOptions<T>) {
    this.#o = options;
  }

  get cache(): { get(name: string, namespace?: string): T | undefined; list(namespace?: string): T[] } {
    return {
      get: (name, namespace) => this.#objects.get(keyOf(namespace, name)),
      list: (namespace) => {
        const all = [...this.#objects.values()];
        return namespace === undefined ? all : all.filter((o) => o.metadata?.namespace === namespace);
      },
    };
  }

  health(): InformerHealth {
    const health: InformerHealth = {
      name: this.#o.name,
      synced: this.#synced,
      lastEventAgeSeconds: this.#lastEventAt === undefined ? null : (Date.now() - this.#lastEventAt) / 1000,
      restarts: this.#restarts,
    };
    if (this.#lastError) health.lastError = this.#lastError;
    return health;
  }

  /** Starts the loop; resolves after the first list attempt (successful or not). */
  async start(): Promise<void> {
    if (this.#loop) return;
    const abort = new AbortController();
    this.#abort = abort;
    let firstAttempt!: () => void;
    const attempted = new Promise<void>((resolve) => {
      firstAttempt = resolve;
    });
    this.#loop = this.#run(abort.signal, firstAttempt);
    await attempted;
  }

  async stop(): Promise<void> {
    this.#abort?.abort();
    await this.#loop;
    this.#loop = undefined;
    this.#synced = false;
  }

  async #run(signal: AbortSignal, firstAttempt: () => void): Promise<void> {
    let failures = 0;
    while (!signal.aborted) {
      try {
        if (!this.#resourceVersion) await this.#relist();
        firstAttempt();
        await this.#watch(signal, () => {
          this.#synced = true;
          failures = 0;
        });
      } catch (error) {
        firstAttempt();
        if (signal.aborted) break;
        if (error instanceof WatchGoneError || (error instanceof ApiError && error.code === 410)) {
          this.#resourceVersion = ''; // too old: list again, now
          continue;
        }
        this.#synced = false;
        this.#lastError = error instanceof Error ? error.message : String(error);
        const base = this.#o.baseRestartMs ?? 500;
        const delay = doublingDelayMs(base, this.#o.maxRestartMs ?? 30_000, failures);
        failures++;
        this.#o.onError?.(error, delay);
        await sleep(delay, undefined, { signal }).catch(() => {});
        this.#restarts++;
      }
    }
  }

  /** Replaces the cache with a fresh list, telling onChange what was added, changed or removed. */
  async #relist(): Promise<void> {
    const { api, type, namespace, labelSelector, metadataOnly, prepare } = this.#o;
    // Each page is trimmed as it arrives, so a relist never holds whole pages of full objects.
    const list = await listAll<T>(api, type, {
      namespace,
      labelSelector,
      prepare,
      accept: metadataOnly ? METADATA_ONLY.list : undefined,
    });
    const seen = new Set<string>();
    for (const object of list.items) {
      const key = keyOf(object.metadata?.namespace, object.metadata?.name);
      seen.add(key);
      this.#store(key, object, true);
    }
    for (const [key, object] of this.#objects) {
      if (!seen.has(key)) this.#remove(key, object);
    }
    this.#resourceVersion = list.metadata.resourceVersion ?? '';
    this.#synced = true;
  }

  /** One watch request, until the apiserver ends it (resolves) or it fails (throws). */
  async #watch(signal: AbortSignal, established: () => void): Promise<void> {
    const { api, type, namespace, labelSelector } = this.#o;
    const timeoutSeconds = this.#o.watchTimeoutSeconds ?? 300;
    const watch = new AbortController();
    const stop = () => watch.abort();
    signal.addEventListener('abort', stop, { once: true });
    try {
      const response = await api.openStream(
        collectionPath(type, namespace),
        {
          watch: 1,
          resourceVersion: this.#resourceVersion,
          allowWatchBookmarks: true,
          // Spread the reconnects of many informers; the server closes the watch after this.
          timeoutSeconds: Math.round(timeoutSeconds * (0.9 + 0.2 * Math.random())),
          labelSelector,
        },
        watch.signal,
        this.#o.metadataOnly ? METADATA_ONLY.object : undefined,
      );
      established();
      // No byte for much longer than the server's own timeout: the connection is dead.
      await readWatchEvents(response, (timeoutSeconds + 60) * 1000, (kind, object) => {
        const version = (object as T).metadata?.resourceVersion;
        if (kind === 'BOOKMARK') {
          if (version) this.#resourceVersion = version;
          return;
        }
        const item = object as T;
        const key = keyOf(item.metadata?.namespace, item.metadata?.name);
        if (kind === 'DELETED') {
          const known = this.#objects.get(key);
          if (known) this.#remove(key, item);
        } else {
          this.#store(key, { ...item, apiVersion: apiVersionOf(type), kind: type.kind });
        }
        if (version) this.#resourceVersion = version;
      });
    } finally {
      signal.removeEventListener('abort', stop);
      watch.abort();
    }
  }

  #store(key: string, object: T, prepared = false): void {
    const known = this.#objects.get(key);
    if (known && known.metadata?.resourceVersion === object.metadata?.resourceVersion) return;
    if (!prepared) this.#o.prepare?.(object);
    this.#objects.set(key, object);
    this.#lastEventAt = Date.now();
    this.#o.onChange(object, known ? 'update' : 'add');
  }

  #remove(key: string, object: T): void {
    this.#objects.delete(key);
    this.#lastEventAt = Date.now();
    this.#o.onChange(object, 'delete');
  }
}
