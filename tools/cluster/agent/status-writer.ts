import { setTimeout as sleep } from 'node:timers/promises';
import type { CoreV1Api, V1PodStatus } from '@kubernetes/client-node';
import { isNotFound, mergePatch } from './api.js';

/**
 * Writes one pod's status through the status subresource. Only the newest status is kept, so a
 * burst of changes becomes one write; failed writes (an apiserver restart) are retried.
 */
export class PodStatusWriter {
  readonly #core: CoreV1Api;
  readonly #namespace: string;
  readonly #name: string;
  #pending: V1PodStatus | undefined;
  #writing: Promise<void> | undefined;
  #closed = false;

  constructor(core: CoreV1Api, namespace: string, name: string) {
    this.#core = core;
    this.#namespace = namespace;
    this.#name = name;
  }

  set(status: V1PodStatus): void {
    if (this.#closed) return;
    this.#pending = status;
    this.#writing ??= this.#drain().finally(() => {
      this.#writing = undefined;
    });
  }

  /** Resolves once the newest status has been written (or the pod is gone). */
  async flush(): Promise<void> {
    while (this.#writing) await this.#writing;
  }

  close(): void {
    this.#closed = true;
    this.#pending = undefined;
  }

  async #drain(): Promise<void> {
    let delay = 200;
    while (this.#pending && !this.#closed) {
      const status = this.#pending;
      this.#pending = undefined;
      try {
        await this.#core.patchNamespacedPodStatus(
          { namespace: this.#namespace, name: this.#name, body: { status } },
          mergePatch(),
        );
        delay = 200;
      } catch (error) {
        if (isNotFound(error)) return;
        this.#pending ??= status;
        await sleep(delay);
        delay = Math.min(delay * 2, 5000);
      }
    }
  }
}
