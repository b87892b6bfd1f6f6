// A listener replica's copy of the registry, kept current by watches on both buckets. After a
// reconnect (or a broken watch) both watches start over from the buckets' current values and
// anything the new snapshot no longer holds counts as deleted.
import type { KvWatchEntry } from '@nats-io/kv';
import type { NatsConnection, Status } from '@nats-io/transport-node';
import { doublingDelayMs, routeKey } from '@tributary/crds';
import { type BucketWatch, watchBucket } from './bucket-watch.js';
import type { RegistryKv } from './buckets.js';
import { decodeActiveMark, decodeRouteEntry } from './codec.js';
import { type RegistryLogger, routeKeyOf, unavailable } from './kv-support.js';
import type { ActiveMark, RegistryMirror, RouteEntry, RouteKey } from './registry-api.js';

interface SeenMark {
  mark: ActiveMark;
  revision: number;
  /** Local receipt time: hosts' clocks differ, and 2.9 sends nothing when a mark expires. */
  receivedAt: number;
}

const RESYNC_MIN_DELAY_MS = 250;
const RESYNC_MAX_DELAY_MS = 5_000;

export class KvMirror implements RegistryMirror {
  onChange: (removed: readonly RouteKey[]) => void = () => {};
  readonly #routes = new Map<RouteKey, RouteEntry>();
  readonly #marks = new Map<RouteKey, SeenMark>();
  readonly #removed = new Set<RouteKey>();
  #ready = false;
  #closed = false;
  #flushPending = false;
  #generation = 0;
  #watches: BucketWatch[] = [];
  #resyncTimer: NodeJS.Timeout | undefined;
  #resyncDelayMs = RESYNC_MIN_DELAY_MS;
  #statuses: (AsyncIterable<Status> & { stop?: () => void }) | undefined;

  constructor(
    private readonly nc: NatsConnection,
    private readonly kv: RegistryKv,
    private readonly log: RegistryLogger,
    private readonly onClosed: () => void,
  ) {}

  /** Loads the initial state; rejects with RegistryError 'unavailable' if that fails. */
  async start(): Promise<void> {
    try {
      await this.#sync();
    } catch (error) {
      this.close();
      throw unavailable('loading the registry', error);
    }
    this.#ready = true;
    this.#removed.clear();
    void this.#resyncOnReconnect();
  }

  route(key: RouteKey): RouteEntry | undefined {
    return this.#routes.get(key);
  }

  routes(): ReadonlyMap<RouteKey, RouteEntry> {
    return this.#routes;
  }

  active(key: RouteKey): ActiveMark | undefined {
    const seen = this.#marks.get(key);
    return seen && this.#isFresh(seen) ? seen.mark : undefined;
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.onClosed();
    this.#generation++;
    clearTimeout(this.#resyncTimer);
    this.#statuses?.stop?.();
    for (const watch of this.#watches) watch.stop();
    this.#watches = [];
  }

  #isFresh(seen: SeenMark): boolean {
    return performance.now() - seen.receivedAt <= this.kv.markTtlMs;
  }

  async #sync(): Promise<void> {
    const generation = ++this.#generation;
    for (const watch of this.#watches) watch.stop();
    this.#watches = [];
    const routesSeen = new Set<RouteKey>();
    const marksSeen = new Set<RouteKey>();
    const current = () => generation === this.#generation;
    const started = await Promise.allSettled([
      watchBucket(this.kv.routes, (entry) => current() && this.#applyRoute(entry, routesSeen)),
      watchBucket(this.kv.active, (entry) => current() && this.#applyMark(entry, marksSeen)),
    ]);
    const watches = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
    const failed = started.find((result) => result.status === 'rejected');
    if (failed || !current()) {
      for (const watch of watches) watch.stop();
      if (failed) throw failed.reason;
      return;
    }
    this.#watches = watches;
    for (const watch of watches) {
      void watch.ended.then(() => {
        if (current() && !this.#closed) this.#scheduleResync('a watch ended');
      });
    }
    await Promise.all(watches.map((watch) => watch.loaded));
    if (!current()) return;
    // What the snapshot did not mention was deleted (or expired) while no watch was running.
    for (const key of [...this.#routes.keys()]) if (!routesSeen.has(key)) this.#removeRoute(key);
    for (const key of [...this.#marks.keys()]) if (!marksSeen.has(key)) this.#removeMark(key);
    this.#resyncDelayMs = RESYNC_MIN_DELAY_MS;
  }

  async #resyncOnReconnect(): Promise<void> {
    const statuses = this.nc.status() as AsyncIterable<Status> & { stop?: () => void };
    this.#statuses = statuses;
    for await (const status of statuses) {
      if (this.#closed) break;
      if (status.type === 'reconnect') this.#scheduleResync('reconnected', 0);
    }
  }

  #scheduleResync(reason: string, delayMs = this.#resyncDelayMs): void {
    if (this.#closed || this.nc.isClosed()) return;
    clearTimeout(this.#resyncTimer);
    this.log.debug({ reason }, 'registry mirror: watching again');
    this.#resyncTimer = setTimeout(() => {
      this.#sync().catch((error: unknown) => {
        if (this.#closed) return;
        this.#resyncDelayMs = doublingDelayMs(this.#resyncDelayMs, RESYNC_MAX_DELAY_MS, 1);
        this.log.warn(
          { error: String(error), retryInMs: this.#resyncDelayMs },
          'registry mirror: watch failed',
        );
        this.#scheduleResync('retry');
      });
    }, delayMs);
    this.#resyncTimer.unref();
  }

  #applyRoute(entry: KvWatchEntry, seen: Set<RouteKey>): void {
    const key = this.#routeKeyOf(entry);
    if (key === undefined) return;
    seen.add(key);
    if (entry.operation !== 'PUT') {
      this.#removeRoute(key);
      return;
    }
    const route = decodeRouteEntry(entry.value);
    const problem =
      route instanceof Error
        ? route.message
        : routeKey(route.namespace, route.stream) !== key
          ? 'the route names another stream than its key'
          : undefined;
    if (problem !== undefined || route instanceof Error) {
      this.log.warn(
        { bucket: entry.bucket, route: key, revision: entry.revision, problem },
        'ignoring an invalid route',
      );
      this.#removeRoute(key);
      return;
    }
    this.#routes.set(key, route);
    this.#changed();
  }

  #applyMark(entry: KvWatchEntry, seen: Set<RouteKey>): void {
    const key = this.#routeKeyOf(entry);
    if (key === undefined) return;
    seen.add(key);
    if (entry.operation !== 'PUT') {
      this.#removeMark(key);
      return;
    }
    const mark = decodeActiveMark(entry.value);
    if (mark instanceof Error) {
      this.log.warn(
        { bucket: entry.bucket, route: key, revision: entry.revision, problem: mark.message },
        'ignoring an invalid active mark',
      );
      this.#removeMark(key);
      return;
    }
    const previous = this.#marks.get(key);
    const wasVisible = previous !== undefined && this.#isFresh(previous);
    // A snapshot after a reconnect repeats marks we already saw: that is not a sign of life.
    const receivedAt = previous?.revision === entry.revision ? previous.receivedAt : performance.now();
    this.#marks.set(key, { mark, revision: entry.revision, receivedAt });
    // Heartbeats rewrite the same mark every few seconds; only a visible difference is a change.
    if (!wasVisible || JSON.stringify(previous.mark) !== JSON.stringify(mark)) this.#changed();
  }

  #routeKeyOf(entry: KvWatchEntry): RouteKey | undefined {
    const key = routeKeyOf(entry.key);
    if (key === undefined)
      this.log.warn({ bucket: entry.bucket, key: entry.key }, 'ignoring a key no registry writes');
    return key;
  }

  #removeRoute(key: RouteKey): void {
    if (!this.#routes.delete(key)) return;
    this.#removed.add(key);
    this.#changed();
  }

  #removeMark(key: RouteKey): void {
    const previous = this.#marks.get(key);
    if (!this.#marks.delete(key)) return;
    if (previous && this.#isFresh(previous)) this.#changed();
  }

  /** One onChange call per event-loop turn, however many entries arrived in it. */
  #changed(): void {
    if (!this.#ready || this.#flushPending) return;
    this.#flushPending = true;
    setImmediate(() => {
      this.#flushPending = false;
      if (this.#closed) return;
      const removed = [...this.#removed];
      this.#removed.clear();
      try {
        this.onChange(removed);
      } catch (error) {
        this.log.error({ error: String(error) }, 'registry mirror: onChange threw');
      }
    });
  }
}
