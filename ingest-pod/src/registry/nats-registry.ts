// The push Registry on NATS KV (seed §4.1): routes in one bucket, active marks in another whose
// max_age expires the marks of a replica that stopped renewing them.
import type { NatsConnection } from '@nats-io/transport-node';
import { ACTIVE_MARK_HEARTBEAT_MS, ACTIVE_MARK_TTL_MS, registryKvKey, routeKey } from '@tributary/crds';
import { openBuckets, type RegistryKv } from './buckets.js';
import { decodeRouteEntry, encodeActiveMark, encodeRouteEntry } from './codec.js';
import {
  isCasFailure,
  kvKeyOf,
  notRegistered,
  type RegistryLogger,
  silentLogger,
  unavailable,
} from './kv-support.js';
import { ActiveLease } from './lease.js';
import { KvMirror } from './mirror.js';
import {
  type ActiveMark,
  type Lease,
  type Registry,
  RegistryError,
  type RegistryMirror,
  type RouteEntry,
  type RouteKey,
} from './registry-api.js';

export interface RegistryOptions {
  /** Subject prefix the bucket names derive from (crds' registryBuckets). */
  prefix?: string;
  /** Tests only: the active bucket's max_age when this call creates it. */
  markTtlMs?: number;
  /** How often a lease renews its mark; defaults to a third of the mark TTL, at most 2 s. */
  heartbeatMs?: number;
  log?: RegistryLogger;
}

/** Times an unregister re-reads a route that changed between its read and its delete. */
const UNREGISTER_ATTEMPTS = 3;

export async function openRegistry(nc: NatsConnection, options: RegistryOptions = {}): Promise<Registry> {
  const log = options.log ?? silentLogger;
  const kv = await openBuckets(nc, options.prefix, options.markTtlMs ?? ACTIVE_MARK_TTL_MS, log);
  const heartbeatMs = options.heartbeatMs ?? Math.min(ACTIVE_MARK_HEARTBEAT_MS, Math.floor(kv.markTtlMs / 3));
  if (!(heartbeatMs > 0 && heartbeatMs < kv.markTtlMs)) {
    throw new TypeError(
      `heartbeatMs ${heartbeatMs} must be positive and below the mark TTL (${kv.markTtlMs} ms)`,
    );
  }
  return new NatsRegistry(nc, kv, heartbeatMs, log);
}

class NatsRegistry implements Registry {
  readonly #leases = new Set<ActiveLease>();
  readonly #mirrors = new Set<KvMirror>();
  #closed = false;

  constructor(
    private readonly nc: NatsConnection,
    private readonly kv: RegistryKv,
    private readonly heartbeatMs: number,
    private readonly log: RegistryLogger,
  ) {}

  async register(route: RouteEntry): Promise<void> {
    const bytes = encodeRouteEntry(route);
    try {
      await this.kv.routes.put(registryKvKey(route.namespace, route.stream), bytes);
    } catch (error) {
      throw unavailable(`registering ${routeKey(route.namespace, route.stream)}`, error);
    }
  }

  async lookup(key: RouteKey): Promise<RouteEntry> {
    const kvKey = kvKeyOf(key);
    if (kvKey === undefined) throw notRegistered(JSON.stringify(key), 'not a <namespace>/<stream> key');
    let entry: Awaited<ReturnType<typeof this.kv.routes.get>>;
    try {
      entry = await this.kv.routes.get(kvKey);
    } catch (error) {
      throw unavailable(`looking up ${key}`, error);
    }
    if (entry === null || entry.operation !== 'PUT') throw notRegistered(key);
    const route = decodeRouteEntry(entry.value);
    if (route instanceof Error) throw notRegistered(key, `the stored route is invalid: ${route.message}`);
    if (routeKey(route.namespace, route.stream) !== key) {
      throw notRegistered(key, 'the stored route names another stream');
    }
    return route;
  }

  async acquire(key: RouteKey, mark: ActiveMark): Promise<Lease> {
    if (this.#closed) throw new RegistryError('unavailable', 'the registry is closed');
    const route = await this.lookup(key);
    const kvKey = kvKeyOf(key)!;
    const bytes = encodeActiveMark(mark);
    const sentAt = performance.now();
    let revision: number;
    try {
      revision = await this.kv.active.create(kvKey, bytes);
    } catch (error) {
      if (isCasFailure(error))
        throw new RegistryError('already-active', 'stream already has an active pusher');
      throw unavailable(`taking the active mark of ${key}`, error);
    }
    const lease = new ActiveLease(key, route, bytes, revision, sentAt, {
      active: this.kv.active,
      kvKey,
      markTtlMs: this.kv.markTtlMs,
      heartbeatMs: this.heartbeatMs,
      log: this.log,
      forget: (ended) => this.#leases.delete(ended),
    });
    this.#leases.add(lease);
    if (this.#closed) lease.stop();
    return lease;
  }

  release(lease: Lease): Promise<void> {
    return lease.release();
  }

  async unregister(key: RouteKey, options: { uid?: string } = {}): Promise<void> {
    const kvKey = kvKeyOf(key);
    if (kvKey === undefined)
      throw new TypeError(`not a <namespace>/<stream> route key: ${JSON.stringify(key)}`);
    try {
      if (options.uid === undefined) await this.kv.routes.delete(kvKey);
      else if (!(await this.#deleteRouteOf(kvKey, key, options.uid))) return;
      await this.kv.active.delete(kvKey);
    } catch (error) {
      throw unavailable(`unregistering ${key}`, error);
    }
  }

  /** Deletes the route if it belongs to the Stream `uid`; false when it belongs to another. */
  async #deleteRouteOf(kvKey: string, key: RouteKey, uid: string): Promise<boolean> {
    for (let attempt = 0; attempt < UNREGISTER_ATTEMPTS; attempt++) {
      const entry = await this.kv.routes.get(kvKey);
      if (entry === null || entry.operation !== 'PUT') return true;
      const route = decodeRouteEntry(entry.value);
      if (route instanceof Error || route.uid !== uid) {
        this.log.debug({ route: key, uid }, 'unregister: the route belongs to another Stream; left alone');
        return false;
      }
      try {
        await this.kv.routes.delete(kvKey, { previousSeq: entry.revision });
        return true;
      } catch (error) {
        if (!isCasFailure(error)) throw error;
      }
    }
    throw new RegistryError('unavailable', `unregistering ${key}: the route kept changing`);
  }

  async mirror(): Promise<RegistryMirror> {
    if (this.#closed) throw new RegistryError('unavailable', 'the registry is closed');
    const mirror: KvMirror = new KvMirror(this.nc, this.kv, this.log, () => this.#mirrors.delete(mirror));
    this.#mirrors.add(mirror);
    await mirror.start();
    return mirror;
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const lease of [...this.#leases]) lease.stop();
    for (const mirror of [...this.#mirrors]) mirror.close();
  }
}
