import { decideLease, type LeaseRecord } from './lease-rules.js';
import { type LeaseObject, type LeaseStore, microTime } from './lease-store.js';

export interface LeaseElectionOptions {
  store: LeaseStore;
  namespace: string;
  name: string;
  identity: string;
  leaseDurationSeconds?: number;
  /** A leader that cannot renew within this long steps down (must be < lease duration). */
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  onStartedLeading: () => void;
  onStoppedLeading: () => void;
  onError?: (error: unknown) => void;
  now?: () => number;
}

/**
 * Leader election on a Lease, as client-go's leaderelection does it: read, decide, then create or
 * replace with the read resourceVersion so that two candidates cannot both win a race.
 */
export class LeaseElection {
  readonly #o: Required<Omit<LeaseElectionOptions, 'onError'>> & Pick<LeaseElectionOptions, 'onError'>;
  #leading = false;
  #lastRenew = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;

  constructor(options: LeaseElectionOptions) {
    this.#o = {
      leaseDurationSeconds: 15,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      now: Date.now,
      ...options,
    };
  }

  get isLeader(): boolean {
    return this.#leading;
  }

  start(): void {
    this.#stopped = false;
    void this.#loop();
  }

  /** Stops campaigning; a leader releases the lease so a standby takes over at once. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (!this.#leading) return;
    this.#setLeading(false);
    try {
      const lease = await this.#o.store.read();
      if (lease?.spec?.holderIdentity === this.#o.identity) {
        lease.spec.holderIdentity = '';
        lease.spec.leaseDurationSeconds = 1;
        await this.#o.store.replace(lease);
      }
    } catch (error) {
      this.#o.onError?.(error);
    }
  }

  async #loop(): Promise<void> {
    if (this.#stopped) return;
    try {
      await this.#attempt();
    } catch (error) {
      this.#o.onError?.(error);
    }
    if (this.#leading && this.#o.now() - this.#lastRenew > this.#o.renewDeadlineMs) this.#setLeading(false);
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#loop(), this.#o.retryPeriodMs);
  }

  async #attempt(): Promise<void> {
    const { store, namespace, name, identity } = this.#o;
    const lease = await store.read();
    const now = this.#o.now();
    const action = decideLease(lease ? toRecord(lease) : undefined, identity, now);
    if (action.kind === 'wait') {
      if (this.#leading) this.#setLeading(false);
      return;
    }
    const spec = {
      holderIdentity: identity,
      leaseDurationSeconds: this.#o.leaseDurationSeconds,
      renewTime: microTime(now),
      acquireTime: action.kind === 'renew' ? lease?.spec?.acquireTime : microTime(now),
      leaseTransitions:
        action.kind === 'take-over' ? action.transitions : (lease?.spec?.leaseTransitions ?? 0),
    };
    if (action.kind === 'create') {
      await store.create({ metadata: { name, namespace }, spec });
    } else if (lease) {
      await store.replace({ ...lease, spec });
    }
    this.#lastRenew = now;
    if (!this.#leading && !this.#stopped) this.#setLeading(true);
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }
}

function toRecord(lease: LeaseObject): LeaseRecord {
  const renew = lease.spec?.renewTime;
  return {
    holderIdentity: lease.spec?.holderIdentity,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    renewTime: renew ? new Date(renew).getTime() : undefined,
    leaseTransitions: lease.spec?.leaseTransitions,
  };
}
