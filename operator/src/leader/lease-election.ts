import {
  decideLease,
  type LeaseObservation,
  type LeaseRecord,
  leaseFingerprint,
  observeLease,
} from './lease-rules.js';
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
 * replace with the read resourceVersion so that two candidates cannot both win a race. A leader
 * steps down the moment its renew deadline passes, aborting a renewal still in flight.
 */
export class LeaseElection {
  readonly #o: Required<Omit<LeaseElectionOptions, 'onError'>> & Pick<LeaseElectionOptions, 'onError'>;
  #leading = false;
  #observed: LeaseObservation | undefined;
  #lastRenew = 0;
  /** Fires when the renew deadline of the current term passes. */
  #deadline: NodeJS.Timeout | undefined;
  #inFlight: AbortController | undefined;
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
    clearTimeout(this.#deadline);
    this.#inFlight?.abort();
    if (!this.#leading) return;
    this.#setLeading(false);
    const signal = AbortSignal.timeout(this.#o.renewDeadlineMs);
    try {
      const lease = await this.#o.store.read(signal);
      if (lease?.spec?.holderIdentity === this.#o.identity) {
        lease.spec.holderIdentity = '';
        lease.spec.leaseDurationSeconds = 1;
        await this.#o.store.replace(lease, signal);
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
      if (!this.#stopped) this.#o.onError?.(error);
    }
    if (!this.#stopped) this.#timer = setTimeout(() => void this.#loop(), this.#o.retryPeriodMs);
  }

  async #attempt(): Promise<void> {
    const { store, namespace, name, identity, renewDeadlineMs } = this.#o;
    const abort = new AbortController();
    this.#inFlight = abort;
    // A leader's attempt ends with its term's deadline (#stepDown aborts it); a candidate's is
    // bounded the same way, so a hung request never stalls the campaign.
    const bound = setTimeout(
      () => abort.abort(new Error('the lease request overran the renew deadline')),
      renewDeadlineMs,
    );
    try {
      const lease = await store.read(abort.signal);
      const now = this.#o.now();
      const record = lease ? toRecord(lease) : undefined;
      if (record) this.#observed = observeLease(this.#observed, record, now);
      const action = decideLease(record, identity, now, this.#observed?.observedAt ?? now);
      if (action.kind === 'wait') {
        if (this.#leading) this.#stepDown(`the lease is held by ${action.holder}`);
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
      const stored =
        action.kind === 'create'
          ? await store.create({ metadata: { name, namespace }, spec }, abort.signal)
          : lease && (await store.replace({ ...lease, spec }, abort.signal));
      if (abort.signal.aborted || this.#stopped) return;
      if (stored) this.#observed = { fingerprint: leaseFingerprint(toRecord(stored)), observedAt: now };
      this.#renewed(now);
    } finally {
      clearTimeout(bound);
      if (this.#inFlight === abort) this.#inFlight = undefined;
    }
  }

  /** A successful write at `at`: this replica leads until `at` + the renew deadline, unless renewed. */
  #renewed(at: number): void {
    this.#lastRenew = at;
    clearTimeout(this.#deadline);
    const left = this.#lastRenew + this.#o.renewDeadlineMs - this.#o.now();
    this.#deadline = setTimeout(
      () =>
        this.#stepDown(`the lease was not renewed within the renew deadline (${this.#o.renewDeadlineMs} ms)`),
      Math.max(0, left),
    );
    if (!this.#leading) this.#setLeading(true);
  }

  #stepDown(why: string): void {
    clearTimeout(this.#deadline);
    this.#inFlight?.abort(new Error(why));
    if (!this.#leading) return;
    this.#setLeading(false);
    this.#o.onError?.(new Error(`stepping down: ${why}`));
  }

  #setLeading(leading: boolean): void {
    this.#leading = leading;
    if (leading) this.#o.onStartedLeading();
    else this.#o.onStoppedLeading();
  }
}

function toRecord(lease: LeaseObject): LeaseRecord {
  return {
    holderIdentity: lease.spec?.holderIdentity,
    leaseDurationSeconds: lease.spec?.leaseDurationSeconds,
    renewTime: lease.spec?.renewTime,
    resourceVersion: lease.metadata.resourceVersion,
    leaseTransitions: lease.spec?.leaseTransitions,
  };
}
