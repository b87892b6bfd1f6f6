// Keeps this Stream's route in the push Registry while the pod runs (seed 4.2, registration path):
// registered at start, retried while JetStream is unavailable, registered again after a NATS
// reconnect (the bucket may have been lost or the route removed meanwhile), removed at shutdown.

import { Backoff } from '../input-loop/backoff.js';
import type { Logger } from '../observability/logger.js';
import type { Registry, RouteEntry } from '../registry/registry-api.js';

export interface PushRegistrationOptions {
  route: RouteEntry;
  /** `<namespace>/<stream>` */
  key: string;
  /** Opens the Registry on the pod's NATS connection. */
  openRegistry(): Promise<Pick<Registry, 'register' | 'unregister' | 'close'>>;
  log: Logger;
  /** Delays between failed attempts; default 1 s doubling to 10 s. */
  backoff?: { initialMs: number; maxMs: number };
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

export class PushRegistration {
  readonly #o: PushRegistrationOptions;
  readonly #backoff: Backoff;
  #registry: Pick<Registry, 'register' | 'unregister' | 'close'> | undefined;
  #running: Promise<void> | undefined;
  /** Set when a registration is asked for while one runs: it is done again after. */
  #again = false;
  #registered = false;
  #stopped = false;
  #wake: (() => void) | undefined;

  constructor(options: PushRegistrationOptions) {
    this.#o = options;
    this.#backoff = new Backoff(options.backoff?.initialMs, options.backoff?.maxMs);
  }

  /** Whether the latest attempt wrote the route. */
  get registered(): boolean {
    return this.#registered;
  }

  /** Registers now, and again until it works; also after a reconnect. Never throws. */
  register(): void {
    if (this.#stopped) return;
    if (this.#running !== undefined) {
      this.#again = true;
      this.#wake?.();
      return;
    }
    this.#running = this.#loop().finally(() => {
      this.#running = undefined;
    });
  }

  /** Stops retrying and removes the route (only while it is still this Stream's). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.#wake?.();
    await this.#running;
    const registry = this.#registry;
    this.#registry = undefined;
    if (registry === undefined) return;
    try {
      await registry.unregister(this.#o.key, { uid: this.#o.route.uid });
      this.#o.log.info({ route: this.#o.key }, 'push route unregistered');
    } catch (error) {
      this.#o.log.warn({ route: this.#o.key, error: message(error) }, 'could not unregister the push route');
    }
    await registry.close().catch(() => undefined);
  }

  async #loop(): Promise<void> {
    for (let attempt = 1; !this.#stopped; attempt++) {
      this.#again = false;
      try {
        this.#registry ??= await this.#o.openRegistry();
        if (this.#stopped) return;
        await this.#registry.register({ ...this.#o.route, registeredAt: new Date().toISOString() });
        this.#registered = true;
        this.#backoff.reset();
        this.#o.log.info(
          { route: this.#o.key, srt: this.#o.route.srt !== undefined },
          'push route registered',
        );
        if (!this.#again) return;
      } catch (error) {
        this.#registered = false;
        const delayMs = this.#backoff.next();
        this.#o.log.error(
          { route: this.#o.key, attempt, delayMs, error: message(error) },
          'could not register the push route; publishers are refused until it is; retrying',
        );
        await this.#sleep(delayMs);
      }
    }
  }

  #sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#wake = () => {
        this.#wake = undefined;
        done();
      };
    });
  }
}
