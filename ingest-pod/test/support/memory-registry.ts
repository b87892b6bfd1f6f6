// An in-memory push Registry for gate and listener tests: the same contract as the NATS KV one
// (registry-api.ts), one process, with the mirror updated on the next microtask.
import {
  type ActiveMark,
  type Lease,
  type Registry,
  RegistryError,
  type RegistryMirror,
  type RouteEntry,
  type RouteKey,
} from '../../src/registry/registry-api.js';

export class MemoryRegistry implements Registry {
  readonly routes = new Map<RouteKey, RouteEntry>();
  readonly marks = new Map<RouteKey, ActiveMark>();
  readonly leases = new Set<MemoryLease>();
  private readonly mirrors = new Set<MemoryMirror>();
  /** Set to make every call fail as if NATS were unreachable. */
  unavailable = false;

  async register(route: RouteEntry): Promise<void> {
    this.check();
    this.routes.set(`${route.namespace}/${route.stream}`, route);
    this.changed([]);
  }

  async lookup(key: RouteKey): Promise<RouteEntry> {
    this.check();
    const route = this.routes.get(key);
    if (route === undefined) throw new RegistryError('not-registered', `no stream registered for ${key}`);
    return route;
  }

  async acquire(key: RouteKey, mark: ActiveMark): Promise<Lease> {
    this.check();
    const route = await this.lookup(key);
    if (this.marks.has(key)) throw new RegistryError('already-active', `${key} already has an active pusher`);
    this.marks.set(key, mark);
    const lease = new MemoryLease(key, route, mark, this);
    this.leases.add(lease);
    this.changed([]);
    return lease;
  }

  async release(lease: Lease): Promise<void> {
    await lease.release();
  }

  async unregister(key: RouteKey, options: { uid?: string } = {}): Promise<void> {
    this.check();
    const route = this.routes.get(key);
    if (route === undefined || (options.uid !== undefined && route.uid !== options.uid)) return;
    this.routes.delete(key);
    this.marks.delete(key);
    this.changed([key]);
  }

  async mirror(): Promise<RegistryMirror> {
    const mirror = new MemoryMirror(this, () => this.mirrors.delete(mirror));
    this.mirrors.add(mirror);
    return mirror;
  }

  async close(): Promise<void> {
    for (const mirror of [...this.mirrors]) mirror.close();
  }

  /** Takes a mark away as a lost heartbeat would. */
  loseMark(key: RouteKey, reason: string): void {
    for (const lease of this.leases) if (lease.key === key) lease.lose(reason);
  }

  changed(removed: RouteKey[]): void {
    queueMicrotask(() => {
      for (const mirror of this.mirrors) mirror.onChange(removed);
    });
  }

  private check(): void {
    if (this.unavailable) throw new RegistryError('unavailable', 'NATS is unreachable (test)');
  }
}

class MemoryLease implements Lease {
  onLost: (reason: string) => void = () => undefined;
  released = false;

  constructor(
    readonly key: RouteKey,
    readonly route: RouteEntry,
    readonly mark: ActiveMark,
    private readonly registry: MemoryRegistry,
  ) {}

  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.registry.leases.delete(this);
    if (this.registry.marks.get(this.key) === this.mark) {
      this.registry.marks.delete(this.key);
      this.registry.changed([]);
    }
  }

  lose(reason: string): void {
    this.released = true;
    this.registry.leases.delete(this);
    this.registry.marks.delete(this.key);
    this.onLost(reason);
  }
}

class MemoryMirror implements RegistryMirror {
  onChange: (removed: readonly RouteKey[]) => void = () => undefined;

  constructor(
    private readonly registry: MemoryRegistry,
    private readonly forget: () => void,
  ) {}

  route(key: RouteKey): RouteEntry | undefined {
    return this.registry.routes.get(key);
  }

  routes(): ReadonlyMap<RouteKey, RouteEntry> {
    return this.registry.routes;
  }

  active(key: RouteKey): ActiveMark | undefined {
    return this.registry.marks.get(key);
  }

  close(): void {
    this.forget();
  }
}

/** A route entry for tests; `publishKey` is a placeholder unless given. */
export function testRoute(namespace: string, stream: string, extra: Partial<RouteEntry> = {}): RouteEntry {
  return {
    v: 1,
    namespace,
    stream,
    uid: `uid-${namespace}-${stream}`,
    publishKey: { salt: 'c2FsdA==', hash: 'aGFzaA==', cost: 16384 },
    owner: 'test',
    registeredAt: new Date(0).toISOString(),
    ...extra,
  };
}
