import {
  type KubeConfig,
  type KubernetesObject,
  type ListPromise,
  makeInformer,
} from '@kubernetes/client-node';

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
  kubeConfig: KubeConfig;
  path: string;
  list: ListPromise<T>;
  labelSelector?: string;
  onChange: (object: T, verb: 'add' | 'update' | 'delete') => void;
  onError?: (error: unknown, restartInMs: number) => void;
  baseRestartMs?: number;
  maxRestartMs?: number;
}

/**
 * client-node's informer stops for good on a watch error other than 410/timeout; this one
 * restarts it (relist + watch) with backoff, and tells /readyz whether it is synced.
 */
export class SupervisedInformer<T extends KubernetesObject> {
  readonly #o: SupervisedInformerOptions<T>;
  readonly #informer;
  #synced = false;
  #stopped = true;
  #restarts = 0;
  #failuresInARow = 0;
  #lastEventAt: number | undefined;
  #lastError: string | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(options: SupervisedInformerOptions<T>) {
    this.#o = options;
    this.#informer = makeInformer<T>(options.kubeConfig, options.path, options.list, options.labelSelector);
    for (const verb of ['add', 'update', 'delete'] as const) {
      this.#informer.on(verb, (object: T) => {
        this.#lastEventAt = Date.now();
        options.onChange(object, verb);
      });
    }
    this.#informer.on('error', (error?: unknown) => this.#restartLater(error));
  }

  get cache(): {
    get(name: string, namespace?: string): T | undefined;
    list(namespace?: string): readonly T[];
  } {
    return this.#informer;
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

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#run();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#synced = false;
    await this.#informer.stop();
  }

  async #run(): Promise<void> {
    try {
      await this.#informer.start();
      if (this.#stopped) return;
      this.#synced = true;
      this.#failuresInARow = 0;
    } catch (error) {
      this.#restartLater(error);
    }
  }

  #restartLater(error: unknown): void {
    this.#synced = false;
    this.#lastError = error instanceof Error ? error.message : String(error);
    if (this.#stopped || this.#timer) return;
    const base = this.#o.baseRestartMs ?? 500;
    const delay = Math.min(this.#o.maxRestartMs ?? 30_000, base * 2 ** Math.min(this.#failuresInARow, 16));
    this.#failuresInARow++;
    this.#o.onError?.(error, delay);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.#restarts++;
      void this.#informer.stop().then(() => this.#run());
    }, delay);
    this.#timer.unref();
  }
}
